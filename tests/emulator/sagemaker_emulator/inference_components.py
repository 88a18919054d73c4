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

Split: :mod:`component_store` (the objects, ``Describe``), :mod:`component_rules` (the refusals below),
:mod:`component_fleet` (room for copies, instance counts, deployment failures), :mod:`component_listing`
(``ListInferenceComponents``, tags, ``DeleteEndpoint``); this module runs the operations and their states.

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
from typing import Any

from . import component_autoscaling, rollback_alarm_access
from .aws_errors import validation_error
from .component_fleet import deployment_reason, placement_reason, rescale
from .component_listing import list_components
from .component_rules import check_batch_size, check_specification, checked, hosting_variant, one_specification, require_settled
from .component_store import (
    CREATING,
    DELETED,
    FAILED,
    DELETING,
    IN_SERVICE,
    UPDATING,
    Component,
    ComponentStore,
    existing,
    timeline_key,
)
from .moto_access import first_alarm_in_alarm_state
from .timeline import Phase

CREATE_FAILURE_REASON = "Injected failure: the inference component's model container failed its health check."
UPDATE_FAILURE_REASON = "Injected failure: the new inference component copies failed their health check."


def _start(ctx: Any, store: ComponentStore, component: Component, phases: list[Phase]) -> None:
    places = store.of(ctx.account_id, ctx.region)

    def show(state: str, at: float) -> None:
        if state != DELETED:
            component.status = state
            component.modified = at

    ctx.endpoints.start(timeline_key(ctx, component.name), phases, on_enter=show, alive=lambda: places.get(component.name) is component)
    ctx.endpoints.advance()  # phases of zero seconds end at once


# --------------------------------------------------------------------------- operations


def create(ctx: Any, store: ComponentStore, params: dict) -> dict:
    """CreateInferenceComponent: checked, then ``Creating`` -> ``InService`` | ``Failed``."""
    checked("CreateInferenceComponent", params)
    name = params["InferenceComponentName"]
    components = store.of(ctx.account_id, ctx.region)
    if name in components:
        raise validation_error(f'Cannot create already existing inference component "{ctx.arn("inference-component", name)}".')
    endpoint = ctx.existing_endpoint(params["EndpointName"])
    variant = hosting_variant(ctx, endpoint, params.get("VariantName"))
    if endpoint.endpoint_status != IN_SERVICE:
        raise validation_error(
            f'Cannot create inference component "{name}": endpoint "{endpoint.arn}" is {endpoint.endpoint_status}, not InService.'
        )
    one_specification(params)
    spec = copy.deepcopy(params.get("Specification") or {})
    if spec.get("BaseInferenceComponentName"):
        existing(ctx, store, spec["BaseInferenceComponentName"])  # an adapter's base component must exist
    runtime = params.get("RuntimeConfig")
    check_specification(ctx, spec, runtime, variant["InstanceType"], creating=True)
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
        reason = CREATE_FAILURE_REASON if injected else deployment_reason(ctx, store, component, spec, copies or 0, at)
        if reason:
            component.failure_reason = reason
            return [Phase(FAILED)]
        component.current_copies = copies if copies is not None else None
        rescale(ctx, store, component.endpoint_name, component.variant_name)
        return None

    _start(ctx, store, component, [Phase(CREATING, ctx.settings.creating_seconds(), then=end_of_creating), Phase(IN_SERVICE)])
    return {"InferenceComponentArn": component.arn}


def describe_component(ctx: Any, store: ComponentStore, params: dict) -> dict:
    checked("DescribeInferenceComponent", params)
    return existing(ctx, store, params["InferenceComponentName"]).describe()


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


def update(ctx: Any, store: ComponentStore, params: dict) -> dict:
    """UpdateInferenceComponent: a new specification and/or copy count, rolled out as the module docstring says."""
    checked("UpdateInferenceComponent", params)
    one_specification(params)
    component = existing(ctx, store, params["InferenceComponentName"])
    require_settled(component, "update")
    endpoint = ctx.existing_endpoint(component.endpoint_name)
    variant = hosting_variant(ctx, endpoint, component.variant_name)
    new_spec = copy.deepcopy(params["Specification"]) if params.get("Specification") else copy.deepcopy(component.specification)
    if params.get("Specification"):
        check_specification(ctx, new_spec, None, variant["InstanceType"], creating=False)
    runtime = params.get("RuntimeConfig")
    new_copies = runtime["CopyCount"] if runtime else component.desired_copies
    deployment = copy.deepcopy(params.get("DeploymentConfig")) if params.get("DeploymentConfig") else None
    check_batch_size(deployment, new_copies or 0)
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
        return deployment_reason(ctx, store, component, new_spec, new_copies or 0, decided_at)

    def apply() -> None:
        component.specification = new_spec
        component.current_copies = new_copies
        rescale(ctx, store, component.endpoint_name, component.variant_name)

    def undo() -> None:
        component.specification, component.desired_copies, component.current_copies = old_spec, old_copies, old_current

    bakes = _rolling_bakes(deployment, new_copies or 0) if params.get("Specification") else []
    alarms = rollback_alarm_access.alarm_names(deployment)
    _start_update(ctx, store, component, check, apply, undo, bakes, alarms)
    return {"InferenceComponentArn": component.arn}


def update_runtime_config(ctx: Any, store: ComponentStore, params: dict) -> dict:
    """UpdateInferenceComponentRuntimeConfig: the desired copy count, reached after ``Updating``."""
    checked("UpdateInferenceComponentRuntimeConfig", params)
    component = existing(ctx, store, params["InferenceComponentName"])
    require_settled(component, "update")
    copies = params["DesiredRuntimeConfig"]["CopyCount"]
    old_desired, old_current = component.desired_copies, component.current_copies
    component.desired_copies = copies

    def check() -> str | None:
        return placement_reason(ctx, store, component, component.specification, copies)

    def apply() -> None:
        component.current_copies = copies
        rescale(ctx, store, component.endpoint_name, component.variant_name)

    def undo() -> None:
        component.desired_copies, component.current_copies = old_desired, old_current

    _start_update(ctx, store, component, check, apply, undo, [], [])
    return {"InferenceComponentArn": component.arn}


def delete(ctx: Any, store: ComponentStore, params: dict) -> dict:
    """DeleteInferenceComponent: ``Deleting`` for ``endpoint_deleting_seconds``, then gone."""
    checked("DeleteInferenceComponent", params)
    name = params["InferenceComponentName"]
    component = existing(ctx, store, name)
    require_settled(component, "delete")
    component_autoscaling.deregister_component(ctx.account_id, ctx.region, name)
    components = store.of(ctx.account_id, ctx.region)

    def gone(at: float) -> None:
        if components.get(name) is component:
            del components[name]
            rescale(ctx, store, component.endpoint_name, component.variant_name)

    seconds = ctx.settings.deleting_seconds()
    if seconds > 0:
        _start(ctx, store, component, [Phase(DELETING, seconds, then=gone), Phase(DELETED)])
    else:
        ctx.endpoints.forget(timeline_key(ctx, name))
        gone(ctx.endpoints.clock())
    return {}


OPERATIONS: dict[str, Callable[[Any, ComponentStore, dict], dict]] = {
    "CreateInferenceComponent": create,
    "DescribeInferenceComponent": describe_component,
    "UpdateInferenceComponent": update,
    "UpdateInferenceComponentRuntimeConfig": update_runtime_config,
    "DeleteInferenceComponent": delete,
    "ListInferenceComponents": list_components,
}
