"""SageMaker endpoint operations the emulator implements or completes on top of moto.

* ``UpdateEndpoint`` (missing in moto), following the AWS API reference, with
  blue/green and rolling deployments that bake as their ``DeploymentConfig`` says
  (:mod:`deployment_rules`) while the rollback alarms are watched;
* ``UpdateEndpointWeightsAndCapacities`` with an ``Updating`` phase and AWS's
  "only one of weight/count" semantics (moto blanks the field not given), and an
  injectable failure that rolls back;
* ``DeleteEndpoint``, refused while the endpoint is in progress and ``Deleting``
  for a while (``endpoint_deleting_seconds``);
* the ``Creating`` phase of a new endpoint, started after moto created it;
* ``SystemUpdating`` (maintenance), started through the control API.

Failures follow SageMaker: request errors are ``ValidationException``; a
deployment that goes wrong is reported through ``EndpointStatus`` and
``FailureReason`` by DescribeEndpoint.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from . import config_visibility, deployment_access, deployment_rules, rollback_alarm_access, variant_autoscaling
from . import settings as settings_module
from .aws_errors import validation_error
from .config_rules import check_no_switch_to_serverless
from .endpoint_lifecycle import (
    FAILED,
    IN_PROGRESS,
    IN_SERVICE,
    moto_time,
    start_creation,
    start_deletion,
    start_system_update,
    start_update,
    start_weights_update,
)
from .moto_access import first_alarm_in_alarm_state, sagemaker_arn
from .settings import SettingsStore
from .timeline import Timelines
from .variants import VARIANT_PROPERTY_TYPES, pending_summary, retain_properties, show_bake, variants_from_config


@dataclass
class SageMakerContext:
    """Everything an operation needs: moto's backend, where it runs, our state.

    ``endpoints`` holds the running endpoint timelines, keyed by :meth:`key`.
    """

    backend: Any
    account_id: str
    region: str
    settings: SettingsStore
    endpoints: Timelines

    def arn(self, kind: str, name: str) -> str:
        return sagemaker_arn(kind, name, self.account_id, self.region)

    def key(self, endpoint_name: str) -> tuple[str, str, str]:
        return (self.account_id, self.region, endpoint_name)

    def existing_endpoint(self, name: str) -> Any:
        """moto's endpoint object, or the ValidationException SageMaker answers."""
        endpoint = self.backend.endpoints.get(name)
        if endpoint is None:
            raise validation_error(f'Could not find endpoint "{self.arn("endpoint", name)}".')
        return endpoint

    def existing_config(self, name: str) -> Any:
        config = self.backend.endpoint_configs.get(name)
        if config is None:
            raise validation_error(config_visibility.not_found_message(self.arn("endpoint-config", name)))
        return config

    def visible_config(self, name: str) -> Any:
        """The configuration as CreateEndpoint and UpdateEndpoint find it: not yet, within
        ``endpoint_config_propagation_seconds`` of its creation (:mod:`config_visibility`)."""
        config = self.existing_config(name)
        window = self.settings.endpoint_config_propagation_seconds()
        config_visibility.require_visible(config, self.arn("endpoint-config", name), self.endpoints.clock(), window)
        return config

    def missing_model_reason(self, config_variants: list[dict[str, Any]]) -> str | None:
        """Why a deployment of these variants fails because a model was deleted, if it does."""
        for variant in config_variants:
            model = variant.get("ModelName")
            if model and model not in self.backend._models:
                return f'Could not find model "{self.arn("model", model)}".'
        return None

    def require_in_service(self, endpoint: Any) -> None:
        """SageMaker rejects updates unless the endpoint is InService.

        In progress (``Creating``, ``Updating``, ``SystemUpdating``, ``RollingBack``, ``Deleting``):
        ``ValidationException: Cannot update in-progress endpoint "<arn>".`` (the message SageMaker answers,
        as matched by AWS's SageMaker operator for Kubernetes, aws/amazon-sagemaker-operator-for-k8s,
        clientwrapper: ``DeleteEndpointInProgressMessagePrefix = "Cannot update in-progress endpoint"``).
        ``Failed``: only DeleteEndpoint is allowed; updates answer "Cannot update failed endpoint" (the prefix
        SageMaker users match, e.g. terraform-provider-aws acceptance tests "Cannot update failed endpoint").
        """
        status = endpoint.endpoint_status
        if status == IN_SERVICE:
            return
        arn = self.arn("endpoint", endpoint.endpoint_name)
        if status == FAILED:
            raise validation_error(f'Cannot update failed endpoint "{arn}".')
        raise validation_error(f'Cannot update in-progress endpoint "{arn}".')

    def require_deletable(self, endpoint: Any) -> None:
        """DeleteEndpoint is refused while the endpoint is in progress (``Failed``, ``InService``, ``OutOfService`` are deletable).

        EndpointStatus, DescribeEndpoint (API reference): "SystemUpdating: Endpoint is undergoing maintenance and
        cannot be updated or deleted or re-scaled until it has completed"; SageMaker answers DeleteEndpoint on an
        in-progress endpoint with ``Cannot update in-progress endpoint "<arn>".`` (AWS's SageMaker operator for
        Kubernetes: ``DeleteEndpointInProgressMessagePrefix``).
        """
        if endpoint.endpoint_status in IN_PROGRESS:
            raise validation_error(f'Cannot update in-progress endpoint "{self.arn("endpoint", endpoint.endpoint_name)}".')


def start_creating(ctx: SageMakerContext, endpoint_name: str) -> None:
    """Put an endpoint moto has just created into ``Creating``."""
    endpoint = ctx.backend.endpoints[endpoint_name]
    config = ctx.backend.endpoint_configs.get(endpoint.endpoint_config_name)
    config_variants = copy.deepcopy(config.production_variants) if config else []
    if config_variants:
        # As SageMaker shows them: weights default to 1.0 (moto leaves them out when not given).
        endpoint.production_variants = variants_from_config(copy.deepcopy(config_variants))
    injected = ctx.settings.consume_create_failure(endpoint_name)
    decided_at = ctx.endpoints.clock() + ctx.settings.creating_seconds()  # when Creating ends and the check runs

    def check() -> str | None:
        if injected:
            return settings_module.CREATE_FAILURE_REASON
        return ctx.missing_model_reason(config_variants) or deployment_access.failure_reason(
            ctx, endpoint.endpoint_config_name, endpoint_name, decided_at
        )

    start_creation(ctx.endpoints, ctx.key(endpoint_name), ctx.backend, endpoint, ctx.settings.creating_seconds(), check)


def _excluded_properties(params: dict) -> set[str]:
    """``ExcludeRetainedVariantProperties``: the documented ``VariantPropertyType`` values, at most 3 of them.

    API reference, VariantProperty: "DesiredInstanceCount: Overrides the existing variant instance counts using
    the InitialInstanceCount values ...; DesiredWeight: Overrides the existing variant weights using the
    InitialVariantWeight values ...; DataCaptureConfig: (Not currently supported.)" - the enum has the three
    values (VariantPropertyType) and the list at most 3 items (VariantPropertyList), so ``DataCaptureConfig`` is
    accepted, and changes nothing (see :func:`variants.retain_properties`).
    """
    items = params.get("ExcludeRetainedVariantProperties") or []
    if len(items) > 3:
        raise validation_error(
            f"1 validation error detected: Value '{items}' at 'excludeRetainedVariantProperties' failed to satisfy "
            "constraint: Member must have length less than or equal to 3"
        )
    excluded = set()
    for index, item in enumerate(items, start=1):
        value = (item or {}).get("VariantPropertyType")
        if value not in VARIANT_PROPERTY_TYPES:
            raise validation_error(
                f"1 validation error detected: Value '{value}' at "
                f"'excludeRetainedVariantProperties.{index}.member.variantPropertyType' failed to satisfy "
                f"constraint: Member must satisfy enum value set: [{', '.join(VARIANT_PROPERTY_TYPES)}]"
            )
        excluded.add(value)
    return excluded


def _require(params: dict, name: str) -> str:
    value = params.get(name)
    if not value:
        field = name[0].lower() + name[1:]
        raise validation_error(f"1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null")
    return value


def update_endpoint(ctx: SageMakerContext, params: dict) -> dict:
    """``UpdateEndpoint``: deploy a new endpoint config, asynchronously.

    Returns ``{"EndpointArn": ...}``; the endpoint is ``Updating`` while the new
    fleet is provisioned (``endpoint_updating_seconds``) and then for each baking
    period of the deployment (``WaitIntervalInSeconds`` / ``TerminationWaitInSeconds``
    times ``deployment_time_scale``: :func:`deployment_rules.rollout_bakes`), and then
    runs the new config - or, when the update fails, goes ``RollingBack`` and back to
    ``InService`` on the old config. An update fails when a failure was injected or
    the old or new config or a model was deleted meanwhile (decided when provisioning
    ends), or when an alarm of ``DeploymentConfig.AutoRollbackConfiguration`` is in
    ``ALARM`` at any moment of a baking period ("If any of the pre-specified alarms trip
    during any baking period, then all endpoint traffic rolls back to the blue fleet",
    dev guide, Blue/Green Deployments).
    """
    name = _require(params, "EndpointName")
    new_config_name = _require(params, "EndpointConfigName")
    endpoint = ctx.existing_endpoint(name)
    new_config = ctx.visible_config(new_config_name)
    excluded = _excluded_properties(params)
    deployment_rules.check_shape(params.get("DeploymentConfig"))
    ctx.require_in_service(endpoint)

    retain = bool(params.get("RetainAllVariantProperties"))
    old_config_name = endpoint.endpoint_config_name
    config_variants = copy.deepcopy(new_config.production_variants)
    check_no_switch_to_serverless(endpoint.production_variants, config_variants, endpoint.arn)
    new_variants = variants_from_config(config_variants)
    if retain:
        new_variants = retain_properties(new_variants, endpoint.production_variants, excluded)
    # Data capture is not a retained variant property ("DataCaptureConfig: (Not currently supported.)",
    # VariantProperty): the new endpoint configuration's DataCaptureConfig always applies.
    new_capture = copy.deepcopy(new_config.data_capture_config)

    # RetainDeploymentConfig: "Specifies whether to reuse the last deployment configuration."
    if params.get("DeploymentConfig"):
        deployment = copy.deepcopy(params["DeploymentConfig"])
    elif params.get("RetainDeploymentConfig"):
        deployment = copy.deepcopy(getattr(endpoint, "last_deployment_config", None))
    else:
        deployment = None
    running_names = [variant["VariantName"] for variant in endpoint.production_variants]
    deployment_rules.check_against_variants(deployment, _with_instance_types(new_variants, config_variants), running_names)
    rollback_alarm_access.check_alarms_readable(ctx, new_config, deployment)
    old_config = ctx.backend.endpoint_configs.get(endpoint.endpoint_config_name)
    variant_autoscaling.check_instance_types_kept(
        ctx.account_id, ctx.region, name, endpoint.arn, list(old_config.production_variants) if old_config else [], config_variants
    )
    endpoint.last_deployment_config = deployment

    injected = ctx.settings.consume_update_failure(name)
    rollback_alarms = rollback_alarm_access.alarm_names(deployment)
    bakes = deployment_rules.rollout_bakes(deployment, _with_instance_types(new_variants, config_variants))
    scale = ctx.settings.deployment_time_scale()
    decided_at = ctx.endpoints.clock() + ctx.settings.updating_seconds()  # when Updating ends and the check runs

    def check() -> str | None:
        if injected:
            return settings_module.UPDATE_FAILURE_REASON
        for config_name in (new_config_name, old_config_name):
            if config_name not in ctx.backend.endpoint_configs:
                return f'Could not find endpoint configuration "{ctx.arn("endpoint-config", config_name)}".'
        return ctx.missing_model_reason(config_variants) or deployment_access.failure_reason(
            ctx, new_config_name, name, decided_at
        )

    def watch(start: float, end: float) -> tuple[float, str] | None:
        # The bake phases run on the emulator's clock; the alarms' history on moto's (the wall clock).
        fired = first_alarm_in_alarm_state(ctx.account_id, ctx.region, rollback_alarms, start, end)
        if fired is None:
            return None
        at, alarm = fired
        return at, f"Rolled back: auto-rollback alarm(s) in ALARM state during the deployment: {alarm}."

    def on_bake(index: int, at: float) -> None:
        show_bake(endpoint.pending_deployment_summary, bakes[index].percent, bakes[index].label, moto_time(at))

    def apply() -> None:
        endpoint.endpoint_config_name = new_config_name
        endpoint.production_variants = new_variants
        endpoint.data_capture_config = new_capture

    updating = start_update(
        ctx.endpoints,
        ctx.key(name),
        ctx.backend,
        endpoint,
        ctx.settings.updating_seconds(),
        check,
        apply,
        bakes=[bake.seconds * scale for bake in bakes],
        watch=watch if rollback_alarms else None,
        on_bake=on_bake,
    )
    if not updating.finished and updating.state != "RollingBack":
        endpoint.pending_deployment_summary = pending_summary(
            new_config_name, config_variants, new_variants, moto_time(updating.entered_at)
        )
    ctx.endpoints.advance()  # phases of zero seconds end at once
    return {"EndpointArn": endpoint.arn}


def _with_instance_types(new_variants: list[dict], config_variants: list[dict]) -> list[dict]:
    """The endpoint variants with their config's InstanceType (for the rules that look at it)."""
    types = {variant["VariantName"]: variant.get("InstanceType") for variant in config_variants}
    return [{**variant, "InstanceType": types.get(variant["VariantName"])} for variant in new_variants]


def check_create_endpoint(ctx: SageMakerContext, params: dict) -> None:
    """``CreateEndpoint``: a configuration it can find (:mod:`config_visibility`), and with a ``DeploymentConfig``
    the same rules as for an update (no variant-name rule), rollback alarms the execution role may read
    (:mod:`rollback_alarm_access`) included."""
    if params.get("EndpointConfigName") in ctx.backend.endpoint_configs:
        ctx.visible_config(params["EndpointConfigName"])
    deployment = params.get("DeploymentConfig")
    if not deployment:
        return
    deployment_rules.check_shape(deployment)
    config = ctx.backend.endpoint_configs.get(params.get("EndpointConfigName"))
    if config is not None:
        variants = variants_from_config(copy.deepcopy(config.production_variants))
        deployment_rules.check_against_variants(deployment, _with_instance_types(variants, config.production_variants))
        rollback_alarm_access.check_alarms_readable(ctx, config, deployment)


def update_weights_and_capacities(ctx: SageMakerContext, params: dict) -> dict:
    """``UpdateEndpointWeightsAndCapacities``: new desired weights/counts, applied after ``Updating``.

    With ``fail_next_weights_update`` set, it fails: ``Updating`` -> ``RollingBack`` -> ``InService`` with the
    old weights and counts and a ``FailureReason``.
    """
    name = _require(params, "EndpointName")
    desired = params.get("DesiredWeightsAndCapacities") or []
    endpoint = ctx.existing_endpoint(name)
    variants = {variant["VariantName"]: variant for variant in endpoint.production_variants}
    seen: set[str] = set()
    for item in desired:
        variant_name = item.get("VariantName")
        if variant_name in seen:
            raise validation_error(f'The variant name "{variant_name}" was non-unique within the request.')
        if variant_name not in variants:
            raise validation_error(
                f'The variant name(s) "{variant_name}" is/are not present within endpoint configuration '
                f'"{endpoint.endpoint_config_name}".'
            )
        seen.add(variant_name)
    ctx.require_in_service(endpoint)

    previous = copy.deepcopy(endpoint.production_variants)
    for item in desired:
        variant = variants[item["VariantName"]]
        for field in ("DesiredWeight", "DesiredInstanceCount", "ServerlessUpdateConfig"):
            if item.get(field) is None:
                continue
            if field == "ServerlessUpdateConfig":
                merged = dict(variant.get("DesiredServerlessConfig") or {})
                merged.update(item[field])
                variant["DesiredServerlessConfig"] = merged
            else:
                variant[field] = item[field]

    failure = settings_module.WEIGHTS_FAILURE_REASON if ctx.settings.consume_weights_failure(name) else None
    start_weights_update(
        ctx.endpoints, ctx.key(name), ctx.backend, endpoint, ctx.settings.updating_seconds(), failure=failure, previous=previous
    )
    return {"EndpointArn": endpoint.arn}


def delete_endpoint(ctx: SageMakerContext, params: dict) -> dict:
    """``DeleteEndpoint``: refused while in progress; ``Deleting`` for ``endpoint_deleting_seconds``, then gone.
    Its variants stop being scalable targets at once (:func:`variant_autoscaling.deregister_endpoint`).

    While ``Deleting``, DescribeEndpoint/ListEndpoints show the endpoint as ``Deleting`` (EndpointStatus) and a
    CreateEndpoint of the same name is refused as for any existing endpoint ("Cannot create already existing
    endpoint").
    """
    name = _require(params, "EndpointName")
    endpoint = ctx.existing_endpoint(name)
    ctx.require_deletable(endpoint)
    variant_autoscaling.deregister_endpoint(ctx.account_id, ctx.region, name)
    seconds = ctx.settings.deleting_seconds()
    if seconds > 0:
        start_deletion(ctx.endpoints, ctx.key(name), ctx.backend, endpoint, seconds)
    else:
        del ctx.backend.endpoints[name]
        ctx.endpoints.forget(ctx.key(name))
    return {}


def start_maintenance(ctx: SageMakerContext, endpoint_name: str, seconds: float, failure: str | None = None) -> dict:
    """Put an ``InService`` endpoint into ``SystemUpdating`` for ``seconds`` (the control API's injection), then
    ``InService`` again, or ``Failed`` with ``failure`` as its reason when one is given."""
    endpoint = ctx.backend.endpoints.get(endpoint_name)
    if endpoint is None:
        raise ValueError(f"no endpoint {endpoint_name!r} in account {ctx.account_id}, region {ctx.region}")
    if endpoint.endpoint_status != IN_SERVICE:
        raise ValueError(f"endpoint {endpoint_name!r} is {endpoint.endpoint_status}; only an InService endpoint can start SystemUpdating")
    start_system_update(ctx.endpoints, ctx.key(endpoint_name), ctx.backend, endpoint, seconds, failure)
    return {"EndpointName": endpoint_name, "EndpointStatus": endpoint.endpoint_status}
