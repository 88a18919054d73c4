"""Endpoint configurations for inference components: variants without a model, an execution role,
managed instance scaling and a routing strategy.

moto 5.2.5 requires ``ModelName`` in every variant (a variant without it crashes moto) and drops
``ExecutionRoleArn``. A configuration whose variants name no model is checked and stored here, in
moto's own ``FakeEndpointConfig`` (so DescribeEndpointConfig, ListEndpointConfigs, CreateEndpoint
and DeleteEndpointConfig work on it as on any other), with ``ExecutionRoleArn`` kept.

Sources (SageMaker API Reference and Developer Guide):

* CreateEndpointConfig, ``ExecutionRoleArn``: "The Amazon Resource Name (ARN) of an IAM role that
  Amazon SageMaker AI can assume to perform actions on your behalf"; ProductionVariant, ``ModelName``
  (Required: No), https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpointConfig.html,
  https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariant.html. A variant with
  no model hosts inference components; the role is what SageMaker uses for them, as the model's role
  is for a model variant - so a components configuration without it is refused (message the
  emulator's; the issue and the Developer Guide, "Deploy models for real-time inference", give the
  role as required), and the role must exist and trust ``sagemaker.amazonaws.com`` (as for CreateModel,
  :mod:`model_rules`, message AWS's as quoted there).
* ProductionVariantManagedInstanceScaling: ``Status`` ``ENABLED | DISABLED``, ``MinInstanceCount``
  minimum 0, ``MaxInstanceCount`` minimum 1
  (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariantManagedInstanceScaling.html);
  minimum above maximum is refused (emulator's message). ``MinInstanceCount: 0`` is what lets the
  endpoint scale to zero instances, "only if it hosts inference components" (Developer Guide,
  "Scale an endpoint to zero instances",
  https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-zero-instances.html): it is
  refused on a variant with a model (emulator's message). Not every region offers it (the project's
  issue: "some regions refuse MinInstanceCount: 0"); which ones is not documented, so the setting
  ``scale_to_zero_unavailable_regions`` lists them (none by default; message emulator's).
* ProductionVariantRoutingConfig: ``RoutingStrategy`` required, ``LEAST_OUTSTANDING_REQUESTS | RANDOM``
  (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariantRoutingConfig.html;
  botocore's model has the same enum).
* Serverless variants cannot host components: inference components are placed on the variant's
  instances (InferenceComponentComputeResourceRequirements), which a serverless variant does not have;
  and a variant needs a model, or an instance type for components (emulator's messages).
"""

from __future__ import annotations

import copy
from typing import Any

from . import config_visibility
from .aws_errors import validation_error
from .execution_role import role_at
from .instance_types import validation_message
from .model_rules import role_message

MANAGED_SCALING_STATUSES = ("ENABLED", "DISABLED")
ROUTING_STRATEGIES = ("LEAST_OUTSTANDING_REQUESTS", "RANDOM")


def is_for_components(params: dict) -> bool:
    """A configuration whose production variants name no model (it hosts inference components)."""
    variants = params.get("ProductionVariants") or []
    return bool(variants) and all(not (variant or {}).get("ModelName") for variant in variants)


def is_components_config(config: Any) -> bool:
    """The same, for a stored moto configuration."""
    return is_for_components({"ProductionVariants": list(getattr(config, "production_variants", None) or [])})


def check_variant_fields(ctx: Any, params: dict) -> None:
    """Every CreateEndpointConfig: the enums and ranges of ManagedInstanceScaling and RoutingConfig,
    in AWS's constraint format, then the rules between fields."""
    errors = []
    for index, variant in enumerate(params.get("ProductionVariants") or [], start=1):
        path = f"productionVariants.{index}.member"
        scaling = (variant or {}).get("ManagedInstanceScaling")
        if scaling is not None:
            status = scaling.get("Status")
            if status is not None and status not in MANAGED_SCALING_STATUSES:
                errors.append(
                    f"Value '{status}' at '{path}.managedInstanceScaling.status' failed to satisfy constraint: "
                    f"Member must satisfy enum value set: [{', '.join(MANAGED_SCALING_STATUSES)}]"
                )
            for field, minimum in (("MinInstanceCount", 0), ("MaxInstanceCount", 1)):
                value = scaling.get(field)
                if value is not None and value < minimum:
                    name = field[0].lower() + field[1:]
                    errors.append(
                        f"Value '{value}' at '{path}.managedInstanceScaling.{name}' failed to satisfy constraint: "
                        f"Member must have value greater than or equal to {minimum}"
                    )
        routing = (variant or {}).get("RoutingConfig")
        if routing is not None:
            strategy = routing.get("RoutingStrategy")
            if strategy is None:
                errors.append(f"Value null at '{path}.routingConfig.routingStrategy' failed to satisfy constraint: Member must not be null")
            elif strategy not in ROUTING_STRATEGIES:
                errors.append(
                    f"Value '{strategy}' at '{path}.routingConfig.routingStrategy' failed to satisfy constraint: "
                    f"Member must satisfy enum value set: [{', '.join(ROUTING_STRATEGIES)}]"
                )
    if errors:
        raise validation_error(validation_message(errors))
    for variant in params.get("ProductionVariants") or []:
        scaling = (variant or {}).get("ManagedInstanceScaling") or {}
        low, high = scaling.get("MinInstanceCount"), scaling.get("MaxInstanceCount")
        name = variant.get("VariantName")
        if low is not None and high is not None and low > high:
            raise validation_error(
                f"ManagedInstanceScaling of production variant {name}: MinInstanceCount ({low}) must be less than or "
                f"equal to MaxInstanceCount ({high})."
            )
        if low == 0 and ctx.settings.scale_to_zero_unavailable(ctx.region):
            raise validation_error(
                f"ManagedInstanceScaling of production variant {name}: MinInstanceCount 0 (scale to zero) is not "
                f"available in region {ctx.region}."
            )
        if variant.get("ModelName") and low == 0:
            raise validation_error(
                f"ManagedInstanceScaling of production variant {name}: MinInstanceCount 0 is allowed only for an "
                "endpoint that hosts inference components (a variant without ModelName)."
            )


def check_components_config(ctx: Any, params: dict) -> None:
    """The rules of a configuration for inference components (see the module docstring)."""
    variants = params.get("ProductionVariants") or []
    with_model = [v.get("VariantName") for v in variants if (v or {}).get("ModelName")]
    without_model = [v.get("VariantName") for v in variants if not (v or {}).get("ModelName")]
    if with_model and without_model:
        raise validation_error(
            "An endpoint configuration cannot mix production variants with a ModelName "
            f"({', '.join(with_model)}) and variants without one for inference components ({', '.join(without_model)})."
        )
    if not without_model:
        _check_role(ctx, params.get("ExecutionRoleArn"))
        return
    for variant in variants:
        name = variant.get("VariantName")
        if variant.get("ServerlessConfig"):
            raise validation_error(
                f"Production variant {name} has a ServerlessConfig and no ModelName: inference components cannot be "
                "hosted on a serverless variant."
            )
        if not variant.get("InstanceType"):
            raise validation_error(
                f"Production variant {name} has no ModelName and no InstanceType: a variant that hosts inference "
                "components needs an InstanceType."
            )
    role_arn = params.get("ExecutionRoleArn")
    if not role_arn:
        raise validation_error(
            "ExecutionRoleArn is required for an endpoint configuration whose production variants have no ModelName "
            "(an endpoint that hosts inference components)."
        )
    _check_role(ctx, role_arn)


def _check_role(ctx: Any, role_arn: str | None) -> None:
    """A given ``ExecutionRoleArn`` must exist and trust SageMaker, as CreateModel's (:mod:`model_rules`)."""
    if not role_arn:
        return
    role = role_at(role_arn, ctx.endpoints.clock(), ctx.settings.iam_propagation_seconds())
    if not role.assumable_by_sagemaker():
        raise validation_error(role_message(role_arn))


def keep_role(ctx: Any, params: dict) -> None:
    """After moto stored a configuration with models: keep its ``ExecutionRoleArn`` (moto drops it), which
    DescribeEndpointConfig shows."""
    config = ctx.backend.endpoint_configs.get(params.get("EndpointConfigName"))
    if config is not None and params.get("ExecutionRoleArn"):
        config.execution_role_arn = params["ExecutionRoleArn"]


def create(ctx: Any, params: dict) -> dict:
    """Store a components configuration in moto (its own ModelName check bypassed) and answer CreateEndpointConfig."""
    from moto.sagemaker.models import FakeEndpointConfig

    name = params["EndpointConfigName"]
    config = FakeEndpointConfig(
        account_id=ctx.account_id,
        region_name=ctx.region,
        endpoint_config_name=name,
        production_variants=copy.deepcopy(params["ProductionVariants"]),
        async_inference_config=params.get("AsyncInferenceConfig"),
        data_capture_config=params.get("DataCaptureConfig"),
        tags=params.get("Tags"),
        kms_key_id=params.get("KmsKeyId"),
    )
    config.execution_role_arn = params["ExecutionRoleArn"]  # DescribeEndpointConfig: ExecutionRoleArn
    ctx.backend.endpoint_configs[name] = config
    config_visibility.record_creation(config, ctx.endpoints.clock())
    return {"EndpointConfigArn": config.endpoint_config_arn}
