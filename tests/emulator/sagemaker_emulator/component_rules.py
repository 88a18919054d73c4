"""What SageMaker refuses in an inference component request (see :mod:`inference_components` for the list and
the sources): botocore's constraints, the hosting variant, the specification, the rolling batch size, the state."""

from __future__ import annotations

from typing import Any

from . import rest_json
from .aws_errors import AwsError, validation_error
from .component_configs import is_components_config
from .component_placement import Need, describe, misfit
from .component_store import FAILED, IN_PROGRESS, Component
from .instance_hardware import hardware


def checked(operation: str, params: dict) -> None:
    """The request against botocore's model of ``operation`` (AWS's constraint messages)."""
    shape = rest_json.operation_model("sagemaker", operation).input_shape
    errors = rest_json.check(shape, params)
    if errors:
        raise validation_error(rest_json.validation_message(errors))



def hosting_variant(ctx: Any, endpoint: Any, variant_name: str | None) -> dict:
    """The endpoint configuration's variant that hosts the component, refusing an endpoint not for components."""
    config = ctx.backend.endpoint_configs.get(endpoint.endpoint_config_name)
    if config is None or not is_components_config(config):
        raise validation_error(
            f'Inference components cannot be created on endpoint "{endpoint.arn}": its endpoint configuration '
            f'"{endpoint.endpoint_config_name}" is not for inference components (its production variants name a model, '
            "or it is gone)."
        )
    variants = {variant["VariantName"]: variant for variant in config.production_variants}
    if variant_name is None:
        if len(variants) != 1:
            raise validation_error(f'VariantName is required: endpoint "{endpoint.arn}" has {len(variants)} production variants.')
        return next(iter(variants.values()))
    if variant_name not in variants:
        raise validation_error(f'The variant name "{variant_name}" is not present within endpoint "{endpoint.arn}".')
    return variants[variant_name]


def check_specification(ctx: Any, spec: dict | None, runtime: dict | None, instance_type: str, creating: bool) -> None:
    spec = spec or {}
    adapter = bool(spec.get("BaseInferenceComponentName"))
    if not adapter:
        if not spec.get("ComputeResourceRequirements"):
            raise validation_error("Specification.ComputeResourceRequirements is required (unless BaseInferenceComponentName is given).")
        if not spec.get("ModelName") and not spec.get("Container"):
            raise validation_error("Specification must name a ModelName or a Container.")
        if creating and runtime is None:
            raise validation_error("RuntimeConfig is required (unless BaseInferenceComponentName is given).")
    model = spec.get("ModelName")
    if model and model not in ctx.backend._models:
        raise validation_error(f'Could not find model "{ctx.arn("model", model)}".')
    if spec.get("ComputeResourceRequirements"):
        requirements = spec["ComputeResourceRequirements"]
        low, high = requirements.get("MinMemoryRequiredInMb"), requirements.get("MaxMemoryRequiredInMb")
        if low is not None and high is not None and high < low:
            raise validation_error(
                f"MaxMemoryRequiredInMb ({high}) must be greater than or equal to MinMemoryRequiredInMb ({low})."
            )
        reasons = misfit(Need.of(requirements), instance_type)
        if reasons:
            raise validation_error(
                f"The compute resource requirements do not fit one {instance_type} instance "
                f"({describe(hardware(instance_type))}): {'; '.join(reasons)}."
            )



def one_specification(params: dict) -> None:
    """CreateInferenceComponent / UpdateInferenceComponent, ``Specifications``: "You can use either this parameter or
    the singular Specification parameter, but not both." Per-instance-type specifications are not modelled."""
    if params.get("Specifications") and params.get("Specification"):
        raise validation_error("Specification and Specifications cannot both be given: use one of them.")
    if params.get("Specifications"):
        raise AwsError("NotImplemented", "The emulator does not model Specifications (one per instance type).", 501)


def require_settled(component: Component, verb: str) -> None:
    if component.status in IN_PROGRESS:
        raise validation_error(f'Cannot {verb} in-progress inference component "{component.arn}".')
    if component.status == FAILED and verb == "update":
        raise validation_error(f'Cannot update failed inference component "{component.arn}".')



def check_batch_size(deployment: dict | None, copies: int) -> None:
    """InferenceComponentRollingUpdatePolicy, ``MaximumBatchSize``: "The value must be between 5% to 50% of the copy
    count of the inference component" - read as the endpoints' rule is (:mod:`deployment_rules`): a percentage of
    5-50, or a number of copies between 5% and 50% of the copies. Nothing to roll with 0 copies. Message emulator's."""
    size = ((deployment or {}).get("RollingUpdatePolicy") or {}).get("MaximumBatchSize") or {}
    if not size or copies <= 0:
        return
    value = size.get("Value") or 0
    share = value / 100 if size.get("Type") == "CAPACITY_PERCENT" else value / copies
    if not 0.05 <= share <= 0.5:
        shown = f"{value}%" if size.get("Type") == "CAPACITY_PERCENT" else f"{value} of {copies} copies"
        raise validation_error(f"MaximumBatchSize must be between 5% and 50% of the copy count of the inference component; got {shown}.")

