"""SageMaker inference components (moto 5.2.5 has none): Create, Describe, Update, UpdateRuntimeConfig,
Delete, List, and their tags.

Each operation follows its page of the SageMaker API Reference
(https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateInferenceComponent.html,
``API_DescribeInferenceComponent``, ``API_UpdateInferenceComponent``,
``API_UpdateInferenceComponentRuntimeConfig``, ``API_DeleteInferenceComponent``,
``API_ListInferenceComponents``); every request is first checked against botocore's model of the
operation (:func:`rest_json.check`: required members, name patterns, ``CopyCount`` >= 0,
``MinMemoryRequiredInMb`` >= 128, ``NumberOfAcceleratorDevicesRequired`` >= 1,
``WaitIntervalInSeconds`` 0-3600, ``MaximumExecutionTimeoutInSeconds`` 600-28800, capacity size
``Type`` ``COPY_COUNT | CAPACITY_PERCENT``, ``Alarms`` 1-10, ``MaxResults`` 1-100, ...), answered in
AWS's constraint format.

States (``InferenceComponentStatus``: ``InService | Creating | Updating | Failed | Deleting``) move
over the emulator's timeline clock (:mod:`timeline`), with the endpoint durations:

* create: ``Creating`` for ``endpoint_creating_seconds``, then ``InService`` with
  ``CurrentCopyCount`` = ``DesiredCopyCount``, or ``Failed`` with ``FailureReason`` (an injected failure,
  the model deleted meanwhile, its model data out of the execution role's reach
  (:func:`deployment_access.component_data_reason`, as for endpoints), or copies that do not fit the
  variant's instances, :mod:`component_placement`);
* update (``UpdateInferenceComponent``): ``Updating`` for ``endpoint_updating_seconds`` (the new copies
  are provisioned), then, with a ``RollingUpdatePolicy``, one ``Updating`` baking period of
  ``WaitIntervalInSeconds`` (times ``deployment_time_scale``) per batch of ``MaximumBatchSize`` copies,
  watched by the ``AutoRollbackConfiguration`` alarms; then ``InService`` on the new specification.
  A failure (injected, model gone, copies that do not fit, an alarm in ``ALARM`` during a bake) rolls
  back: ``Updating`` for ``endpoint_updating_seconds`` more, then ``InService`` on the running
  specification with ``FailureReason`` - the component has no ``RollingBack`` status, and "If any of
  the alarms trip during the deployment, SageMaker rolls back" (InferenceComponentRollingUpdatePolicy,
  ``RollbackMaximumBatchSize``: "Batch size for rollback to the old endpoint fleet"). The emulator's
  choice: the status stays ``Updating`` while rolling back;
* copy count (``UpdateInferenceComponentRuntimeConfig``): ``Updating`` for ``endpoint_updating_seconds``,
  then ``CurrentCopyCount`` = the new ``DesiredCopyCount``; copies that do not fit roll back as above;
* delete: ``Deleting`` for ``endpoint_deleting_seconds``, then gone; its scalable targets are
  deregistered, as for an endpoint's variants (Developer Guide, "Delete endpoints configured for auto
  scaling", by analogy);
* with managed instance scaling enabled, each change of the copies placed (a component in service, an
  update applied, a deletion) sets the variant's ``CurrentInstanceCount`` / ``DesiredInstanceCount`` to the
  instances the copies use, within ``MinInstanceCount``-``MaxInstanceCount`` - 0 when no copy is left and
  the minimum is 0 (:func:`component_placement.managed_instance_count`). The endpoint stays ``InService``
  meanwhile (its own status during scaling is not modelled).

Refusals (``ValidationException``; messages after SageMaker's ``Could not find``/``Cannot create already
existing`` wording where AWS's is not documented):

* a name in use: ``Cannot create already existing inference component "<arn>".``;
* an unknown endpoint ``Could not find endpoint "<arn>".``, model ``Could not find model "<arn>".``,
  component ``Could not find inference component "<arn>".`` (Describe, Update, Delete, tags);
* an endpoint whose configuration names models (not for components: its variants must have no
  ``ModelName``, :mod:`component_configs`), an endpoint that is not ``InService``, a ``VariantName`` the
  endpoint does not have (or none, with several variants);
* a specification without ``ComputeResourceRequirements``, without ``ModelName`` or ``Container``, or
  without ``RuntimeConfig`` (unless it is an adapter: ``BaseInferenceComponentName``, API Reference,
  InferenceComponentSpecification, "Omit this parameter if your request is meant to create an adapter");
* a copy that does not fit one instance of the variant (:mod:`component_placement`);
* ``CopyCount`` 0 at create, while ``refuse_zero_copy_create`` is true (default): the API reference
  gives ``CopyCount`` a minimum of 0 (InferenceComponentRuntimeConfig), which scale-to-zero uses through
  Application Auto Scaling; that a component cannot be *created* with 0 copies is what users report
  (the project's issue); the message is the emulator's;
* a rolling ``MaximumBatchSize`` outside 5-50% of the copy count (InferenceComponentRollingUpdatePolicy);
  ``Specification`` and ``Specifications`` together ("either this parameter or the singular Specification
  parameter, but not both"); ``Specifications`` alone is not modelled (``NotImplemented``, 501);
* update, copy-count change or delete of a component that is ``Creating``, ``Updating`` or ``Deleting``
  (public report aws/amazon-sagemaker-examples#3432: a component stuck ``Creating`` "can't" be deleted);
  update or copy-count change of a ``Failed`` one;
* ``DeleteEndpoint`` of an endpoint that still has components (public reports
  aws/amazon-sagemaker-feedback#49 and #143: "delete all Models first").
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import component_autoscaling, deployment_access, rest_json, rollback_alarm_access
from .aws_errors import AwsError, validation_error
from .component_configs import is_components_config
from .component_placement import Need, describe, managed_instance_count, max_instances, misfit, unplaced
from .instance_hardware import hardware
from .moto_access import first_alarm_in_alarm_state
from .timeline import Phase

CREATING, UPDATING, IN_SERVICE, FAILED, DELETING, DELETED = "Creating", "Updating", "InService", "Failed", "Deleting", "Deleted"
IN_PROGRESS = (CREATING, UPDATING, DELETING)
CREATE_FAILURE_REASON = "Injected failure: the inference component's model container failed its health check."
UPDATE_FAILURE_REASON = "Injected failure: the new inference component copies failed their health check."
TAG_OPERATIONS = ("AddTags", "ListTags", "DeleteTags")


def wire_time(seconds: float) -> float:
    """A timestamp as SageMaker's JSON protocol sends it: epoch seconds (a number; the SDKs parse nothing else)."""
    return round(seconds, 3)


@dataclass
class Component:
    """One inference component as DescribeInferenceComponent shows it."""

    name: str
    arn: str
    endpoint_name: str
    endpoint_arn: str
    variant_name: str
    specification: dict
    desired_copies: int | None
    current_copies: int | None
    created: float
    status: str = CREATING
    modified: float = 0.0
    failure_reason: str | None = None
    last_deployment_config: dict | None = None
    tags: list[dict] = field(default_factory=list)

    def describe(self) -> dict:
        answer: dict[str, Any] = {
            "InferenceComponentName": self.name,
            "InferenceComponentArn": self.arn,
            "EndpointName": self.endpoint_name,
            "EndpointArn": self.endpoint_arn,
            "VariantName": self.variant_name,
            "Specification": specification_summary(self.specification, self.created),
            "CreationTime": wire_time(self.created),
            "LastModifiedTime": wire_time(self.modified or self.created),
            "InferenceComponentStatus": self.status,
        }
        if self.desired_copies is not None:
            answer["RuntimeConfig"] = {"DesiredCopyCount": self.desired_copies, "CurrentCopyCount": self.current_copies or 0}
        if self.failure_reason:
            answer["FailureReason"] = self.failure_reason
        if self.last_deployment_config:
            answer["LastDeploymentConfig"] = copy.deepcopy(self.last_deployment_config)
        return answer

    def summary(self) -> dict:
        full = self.describe()
        keys = ("CreationTime", "InferenceComponentArn", "InferenceComponentName", "EndpointArn", "EndpointName",
                "VariantName", "InferenceComponentStatus", "LastModifiedTime")
        return {key: full[key] for key in keys}


def specification_summary(spec: dict, created: float) -> dict:
    """InferenceComponentSpecificationSummary: the container's image as ``DeployedImage`` (API Reference,
    DeployedImage: ``SpecifiedImage``, ``ResolvedImage``, ``ResolutionTime``); the rest as given."""
    summary = copy.deepcopy(spec)
    container = summary.get("Container")
    if container:
        image = container.pop("Image", None)
        if image:
            container["DeployedImage"] = {"SpecifiedImage": image, "ResolvedImage": image, "ResolutionTime": wire_time(created)}
    return summary


class ComponentStore:
    """The components of every account and region (guarded by the emulator lock, as all state)."""

    def __init__(self) -> None:
        self._by_place: dict[tuple[str, str], dict[str, Component]] = {}

    def of(self, account: str, region: str) -> dict[str, Component]:
        return self._by_place.setdefault((account, region), {})

    def clear(self) -> None:
        self._by_place.clear()


# --------------------------------------------------------------------------- helpers


def _checked(operation: str, params: dict) -> None:
    """The request against botocore's model of ``operation`` (AWS's constraint messages)."""
    shape = rest_json.operation_model("sagemaker", operation).input_shape
    errors = rest_json.check(shape, params)
    if errors:
        raise validation_error(rest_json.validation_message(errors))


def _key(ctx: Any, name: str) -> tuple:
    return ("inference-component", ctx.account_id, ctx.region, name)


def _existing(ctx: Any, store: ComponentStore, name: str) -> Component:
    component = store.of(ctx.account_id, ctx.region).get(name)
    if component is None:
        raise validation_error(f'Could not find inference component "{ctx.arn("inference-component", name)}".')
    return component


def _variant(ctx: Any, endpoint: Any, variant_name: str | None) -> dict:
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


def _check_specification(ctx: Any, spec: dict | None, runtime: dict | None, instance_type: str, creating: bool) -> None:
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


def _placement_reason(ctx: Any, store: ComponentStore, component: Component, spec: dict, copies: int) -> str | None:
    """Why ``copies`` copies of ``component`` (with ``spec``) do not fit the variant's instances, if they do not."""
    endpoint = ctx.backend.endpoints.get(component.endpoint_name)
    config = ctx.backend.endpoint_configs.get(endpoint.endpoint_config_name) if endpoint is not None else None
    if config is None:
        return f'Could not find endpoint "{component.endpoint_arn}".'
    variant = next((v for v in config.production_variants if v["VariantName"] == component.variant_name), None)
    if variant is None:
        return None
    # Other components' copies first: those running, and those an earlier component is provisioning (first come,
    # first placed: two creations do not share the same room).
    def held(other: Component) -> int:
        provisioning = (other.desired_copies or 0) if other.created <= component.created else 0
        return max(other.current_copies or 0, provisioning)

    others = [
        (Need.of(other.specification.get("ComputeResourceRequirements")), held(other))
        for other in store.of(ctx.account_id, ctx.region).values()
        if other is not component and other.endpoint_name == component.endpoint_name
        and other.variant_name == component.variant_name and other.status != FAILED
    ]
    need = Need.of(spec.get("ComputeResourceRequirements"))
    instances = max_instances(variant)
    left = unplaced([*others, (need, copies)], variant["InstanceType"], instances)
    if left:
        return (
            f"Unable to place {left} of {copies} copies of inference component {component.name}: the variant "
            f"{component.variant_name} can have at most {instances} {variant['InstanceType']} instance(s) and they "
            "lack the compute resources (CPU cores, memory, accelerators) the copies require."
        )
    return None


def _rescale(ctx: Any, store: ComponentStore, endpoint_name: str, variant_name: str) -> None:
    """After the variant's copies changed: DescribeEndpoint's instance count as managed instance scaling keeps it
    (:func:`component_placement.managed_instance_count`; down to 0 with no copy and ``MinInstanceCount`` 0)."""
    endpoint = ctx.backend.endpoints.get(endpoint_name)
    config = ctx.backend.endpoint_configs.get(endpoint.endpoint_config_name) if endpoint is not None else None
    variant = next((v for v in (config.production_variants if config else []) if v["VariantName"] == variant_name), None)
    if variant is None:
        return
    copies = [
        (Need.of(c.specification.get("ComputeResourceRequirements")), c.current_copies or 0)
        for c in store.of(ctx.account_id, ctx.region).values()
        if c.endpoint_name == endpoint_name and c.variant_name == variant_name and c.status != FAILED
    ]
    count = managed_instance_count(variant, copies)
    if count is None:
        return
    for summary in endpoint.production_variants:
        if summary.get("VariantName") == variant_name:
            summary["CurrentInstanceCount"] = summary["DesiredInstanceCount"] = count


def _model_gone(ctx: Any, spec: dict) -> str | None:
    model = spec.get("ModelName")
    if model and model not in ctx.backend._models:
        return f'Could not find model "{ctx.arn("model", model)}".'
    return None


def _deployment_reason(ctx: Any, store: ComponentStore, component: Component, spec: dict, copies: int, at: float) -> str | None:
    """Why deploying ``copies`` copies with ``spec`` fails when provisioning ends at ``at``: the model deleted
    meanwhile, its data out of the role's reach (:func:`deployment_access.component_data_reason`), or no room."""
    endpoint = ctx.backend.endpoints.get(component.endpoint_name)
    config = ctx.backend.endpoint_configs.get(endpoint.endpoint_config_name) if endpoint is not None else None
    return (
        _model_gone(ctx, spec)
        or deployment_access.component_data_reason(ctx, spec, config, at)
        or _placement_reason(ctx, store, component, spec, copies)
    )


def _start(ctx: Any, store: ComponentStore, component: Component, phases: list[Phase]) -> None:
    places = store.of(ctx.account_id, ctx.region)

    def show(state: str, at: float) -> None:
        if state != DELETED:
            component.status = state
            component.modified = at

    ctx.endpoints.start(_key(ctx, component.name), phases, on_enter=show, alive=lambda: places.get(component.name) is component)
    ctx.endpoints.advance()  # phases of zero seconds end at once


def _one_specification(params: dict) -> None:
    """CreateInferenceComponent / UpdateInferenceComponent, ``Specifications``: "You can use either this parameter or
    the singular Specification parameter, but not both." Per-instance-type specifications are not modelled."""
    if params.get("Specifications") and params.get("Specification"):
        raise validation_error("Specification and Specifications cannot both be given: use one of them.")
    if params.get("Specifications"):
        raise AwsError("NotImplemented", "The emulator does not model Specifications (one per instance type).", 501)


def _require_settled(component: Component, verb: str) -> None:
    if component.status in IN_PROGRESS:
        raise validation_error(f'Cannot {verb} in-progress inference component "{component.arn}".')
    if component.status == FAILED and verb == "update":
        raise validation_error(f'Cannot update failed inference component "{component.arn}".')


# --------------------------------------------------------------------------- operations


def create(ctx: Any, store: ComponentStore, params: dict) -> dict:
    """CreateInferenceComponent: checked, then ``Creating`` -> ``InService`` | ``Failed``."""
    _checked("CreateInferenceComponent", params)
    name = params["InferenceComponentName"]
    components = store.of(ctx.account_id, ctx.region)
    if name in components:
        raise validation_error(f'Cannot create already existing inference component "{ctx.arn("inference-component", name)}".')
    endpoint = ctx.existing_endpoint(params["EndpointName"])
    variant = _variant(ctx, endpoint, params.get("VariantName"))
    if endpoint.endpoint_status != IN_SERVICE:
        raise validation_error(
            f'Cannot create inference component "{name}": endpoint "{endpoint.arn}" is {endpoint.endpoint_status}, not InService.'
        )
    _one_specification(params)
    spec = copy.deepcopy(params.get("Specification") or {})
    if spec.get("BaseInferenceComponentName"):
        _existing(ctx, store, spec["BaseInferenceComponentName"])  # an adapter's base component must exist
    runtime = params.get("RuntimeConfig")
    _check_specification(ctx, spec, runtime, variant["InstanceType"], creating=True)
    copies = runtime.get("CopyCount") if runtime else None
    if copies == 0 and ctx.settings.refuses_zero_copy_create():
        raise validation_error(
            f'Cannot create inference component "{name}" with CopyCount 0: create it with at least 1 copy, then let '
            "Application Auto Scaling scale it to 0."
        )
    now = ctx.endpoints.clock()
    component = Component(
        name=name,
        arn=ctx.arn("inference-component", name),
        endpoint_name=endpoint.endpoint_name,
        endpoint_arn=endpoint.arn,
        variant_name=variant["VariantName"],
        specification=spec,
        desired_copies=copies,
        current_copies=0 if copies is not None else None,
        created=now,
        modified=now,
        tags=copy.deepcopy(params.get("Tags") or []),
    )
    components[name] = component
    injected = ctx.settings.consume_component_create_failure(name)

    def end_of_creating(at: float) -> list[Phase] | None:
        reason = CREATE_FAILURE_REASON if injected else _deployment_reason(ctx, store, component, spec, copies or 0, at)
        if reason:
            component.failure_reason = reason
            return [Phase(FAILED)]
        component.current_copies = copies if copies is not None else None
        _rescale(ctx, store, component.endpoint_name, component.variant_name)
        return None

    _start(ctx, store, component, [Phase(CREATING, ctx.settings.creating_seconds(), then=end_of_creating), Phase(IN_SERVICE)])
    return {"InferenceComponentArn": component.arn}


def describe_component(ctx: Any, store: ComponentStore, params: dict) -> dict:
    _checked("DescribeInferenceComponent", params)
    return _existing(ctx, store, params["InferenceComponentName"]).describe()


def _rolling_bakes(deployment: dict | None, copies: int) -> list[float]:
    """One ``WaitIntervalInSeconds`` per batch of ``MaximumBatchSize`` copies (InferenceComponentRollingUpdatePolicy:
    "The batch size for each rolling step in the deployment process ... SageMaker AI waits for WaitIntervalInSeconds
    between batches"; InferenceComponentCapacitySize, ``COPY_COUNT`` or ``CAPACITY_PERCENT`` of the copies)."""
    policy = (deployment or {}).get("RollingUpdatePolicy")
    if not policy:
        return []
    size = policy["MaximumBatchSize"]
    if size["Type"] == "COPY_COUNT":
        batch = int(size["Value"])
    else:
        batch = max(1, math.ceil(copies * size["Value"] / 100))
    batches = max(1, math.ceil(max(copies, 1) / max(batch, 1)))
    return [float(policy["WaitIntervalInSeconds"])] * batches


def _start_update(
    ctx: Any,
    store: ComponentStore,
    component: Component,
    check: Callable[[], str | None],
    apply: Callable[[], None],
    undo: Callable[[], None],
    bakes: list[float],
    alarms: list[str],
) -> None:
    seconds = ctx.settings.updating_seconds()
    component.failure_reason = None

    def roll_back(reason: str) -> list[Phase]:
        component.failure_reason = reason
        return [Phase(UPDATING, seconds, then=lambda at: undo()), Phase(IN_SERVICE)]

    def end_of_provisioning(at: float) -> list[Phase] | None:
        reason = check()
        if reason:
            return roll_back(reason)
        if not bakes:
            apply()
        return None

    def end_of_bake(index: int) -> Callable[[float], None]:
        return lambda at: apply() if index + 1 == len(bakes) else None

    def watching(start: float, end: float) -> tuple[float, list[Phase]] | None:
        fired = first_alarm_in_alarm_state(ctx.account_id, ctx.region, alarms, start, end)
        if fired is None:
            return None
        at, alarm = fired
        return at, roll_back(f"Rolled back: auto-rollback alarm(s) in ALARM state during the deployment: {alarm}.")

    scale = ctx.settings.deployment_time_scale()
    phases = [Phase(UPDATING, seconds, then=end_of_provisioning)]
    phases += [
        Phase(UPDATING, bake * scale, then=end_of_bake(index), watch=watching if alarms else None)
        for index, bake in enumerate(bakes)
    ]
    _start(ctx, store, component, [*phases, Phase(IN_SERVICE)])


def _check_batch_size(deployment: dict | None, copies: int) -> None:
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


def update(ctx: Any, store: ComponentStore, params: dict) -> dict:
    """UpdateInferenceComponent: a new specification and/or copy count, rolled out as the module docstring says."""
    _checked("UpdateInferenceComponent", params)
    _one_specification(params)
    component = _existing(ctx, store, params["InferenceComponentName"])
    _require_settled(component, "update")
    endpoint = ctx.existing_endpoint(component.endpoint_name)
    variant = _variant(ctx, endpoint, component.variant_name)
    new_spec = copy.deepcopy(params["Specification"]) if params.get("Specification") else copy.deepcopy(component.specification)
    if params.get("Specification"):
        _check_specification(ctx, new_spec, None, variant["InstanceType"], creating=False)
    runtime = params.get("RuntimeConfig")
    new_copies = runtime["CopyCount"] if runtime else component.desired_copies
    deployment = copy.deepcopy(params.get("DeploymentConfig")) if params.get("DeploymentConfig") else None
    _check_batch_size(deployment, new_copies or 0)
    config = ctx.backend.endpoint_configs.get(endpoint.endpoint_config_name)
    rollback_alarm_access.check_alarms_readable(ctx, config, deployment)
    if deployment:
        component.last_deployment_config = deployment

    old_spec, old_copies, old_current = component.specification, component.desired_copies, component.current_copies
    component.desired_copies = new_copies
    injected = ctx.settings.consume_component_update_failure(component.name)

    decided_at = ctx.endpoints.clock() + ctx.settings.updating_seconds()  # when provisioning ends and the check runs

    def check() -> str | None:
        if injected:
            return UPDATE_FAILURE_REASON
        return _deployment_reason(ctx, store, component, new_spec, new_copies or 0, decided_at)

    def apply() -> None:
        component.specification = new_spec
        component.current_copies = new_copies
        _rescale(ctx, store, component.endpoint_name, component.variant_name)

    def undo() -> None:
        component.specification, component.desired_copies, component.current_copies = old_spec, old_copies, old_current

    bakes = _rolling_bakes(deployment, new_copies or 0) if params.get("Specification") else []
    alarms = rollback_alarm_access.alarm_names(deployment)
    _start_update(ctx, store, component, check, apply, undo, bakes, alarms)
    return {"InferenceComponentArn": component.arn}


def update_runtime_config(ctx: Any, store: ComponentStore, params: dict) -> dict:
    """UpdateInferenceComponentRuntimeConfig: the desired copy count, reached after ``Updating``."""
    _checked("UpdateInferenceComponentRuntimeConfig", params)
    component = _existing(ctx, store, params["InferenceComponentName"])
    _require_settled(component, "update")
    copies = params["DesiredRuntimeConfig"]["CopyCount"]
    old_desired, old_current = component.desired_copies, component.current_copies
    component.desired_copies = copies

    def check() -> str | None:
        return _placement_reason(ctx, store, component, component.specification, copies)

    def apply() -> None:
        component.current_copies = copies
        _rescale(ctx, store, component.endpoint_name, component.variant_name)

    def undo() -> None:
        component.desired_copies, component.current_copies = old_desired, old_current

    _start_update(ctx, store, component, check, apply, undo, [], [])
    return {"InferenceComponentArn": component.arn}


def delete(ctx: Any, store: ComponentStore, params: dict) -> dict:
    """DeleteInferenceComponent: ``Deleting`` for ``endpoint_deleting_seconds``, then gone."""
    _checked("DeleteInferenceComponent", params)
    name = params["InferenceComponentName"]
    component = _existing(ctx, store, name)
    _require_settled(component, "delete")
    component_autoscaling.deregister_component(ctx.account_id, ctx.region, name)
    components = store.of(ctx.account_id, ctx.region)

    def gone(at: float) -> None:
        if components.get(name) is component:
            del components[name]
            _rescale(ctx, store, component.endpoint_name, component.variant_name)

    seconds = ctx.settings.deleting_seconds()
    if seconds > 0:
        _start(ctx, store, component, [Phase(DELETING, seconds, then=gone), Phase(DELETED)])
    else:
        ctx.endpoints.forget(_key(ctx, name))
        gone(ctx.endpoints.clock())
    return {}


SORT_KEYS: dict[str, Callable[[Component], Any]] = {
    "Name": lambda c: c.name,
    "CreationTime": lambda c: c.created,
    "Status": lambda c: c.status,
}


def list_components(ctx: Any, store: ComponentStore, params: dict) -> dict:
    """ListInferenceComponents: filters, sort (default ``CreationTime``, ``Descending``) and pagination (``MaxResults``
    1-100, default 10; the token is the position, opaque to callers)."""
    _checked("ListInferenceComponents", params)
    found = list(store.of(ctx.account_id, ctx.region).values())
    filters: list[Callable[[Component], bool]] = []
    if params.get("NameContains"):
        filters.append(lambda c: params["NameContains"] in c.name)
    if params.get("StatusEquals"):
        filters.append(lambda c: c.status == params["StatusEquals"])
    if params.get("EndpointNameEquals"):
        filters.append(lambda c: c.endpoint_name == params["EndpointNameEquals"])
    if params.get("VariantNameEquals"):
        filters.append(lambda c: c.variant_name == params["VariantNameEquals"])
    for bound, compare in (
        ("CreationTimeBefore", lambda c, t: c.created < t),
        ("CreationTimeAfter", lambda c, t: c.created > t),
        ("LastModifiedTimeBefore", lambda c, t: (c.modified or c.created) < t),
        ("LastModifiedTimeAfter", lambda c, t: (c.modified or c.created) > t),
    ):
        if params.get(bound) is not None:
            when = float(params[bound])
            filters.append(lambda c, when=when, compare=compare: compare(c, when))
    found = [c for c in found if all(keep(c) for keep in filters)]
    found.sort(key=SORT_KEYS[params.get("SortBy") or "CreationTime"], reverse=(params.get("SortOrder") or "Descending") == "Descending")
    start = 0
    if params.get("NextToken"):
        try:
            start = int(params["NextToken"])
        except ValueError:
            raise validation_error("Invalid pagination token.") from None
    size = params.get("MaxResults") or 10
    page = found[start:start + size]
    answer: dict[str, Any] = {"InferenceComponents": [c.summary() for c in page]}
    if start + size < len(found):
        answer["NextToken"] = str(start + size)
    return answer


# --------------------------------------------------------------------------- tags and the endpoint


def is_component_arn(params: dict) -> bool:
    return ":inference-component/" in str(params.get("ResourceArn") or "")


def tags(ctx: Any, store: ComponentStore, operation: str, params: dict) -> dict:
    """AddTags / ListTags / DeleteTags on an inference component's ARN (API Reference, AddTags: "Adds or overwrites
    one or more tags for the specified SageMaker resource")."""
    name = params["ResourceArn"].rsplit("/", 1)[-1]
    component = _existing(ctx, store, name)
    if operation == "AddTags":
        new = params.get("Tags") or []
        keys = {tag["Key"] for tag in new}
        component.tags = [tag for tag in component.tags if tag["Key"] not in keys] + copy.deepcopy(new)
        return {"Tags": component.tags}
    if operation == "DeleteTags":
        keys = set(params.get("TagKeys") or [])
        component.tags = [tag for tag in component.tags if tag["Key"] not in keys]
        return {}
    return {"Tags": component.tags}


def refuse_endpoint_deletion(ctx: Any, store: ComponentStore, params: dict) -> None:
    """DeleteEndpoint while components remain on the endpoint (emulator's message; see the module docstring)."""
    name = params.get("EndpointName")
    left = sorted(c.name for c in store.of(ctx.account_id, ctx.region).values() if c.endpoint_name == name)
    if name and left and name in ctx.backend.endpoints:
        raise validation_error(
            f'Cannot delete endpoint "{ctx.arn("endpoint", name)}": it still hosts inference components '
            f"({', '.join(left)}). Delete them first (DeleteInferenceComponent)."
        )


OPERATIONS: dict[str, Callable[[Any, ComponentStore, dict], dict]] = {
    "CreateInferenceComponent": create,
    "DescribeInferenceComponent": describe_component,
    "UpdateInferenceComponent": update,
    "UpdateInferenceComponentRuntimeConfig": update_runtime_config,
    "DeleteInferenceComponent": delete,
    "ListInferenceComponents": list_components,
}
