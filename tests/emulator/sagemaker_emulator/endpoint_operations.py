"""SageMaker endpoint operations the emulator implements or completes on top of moto.

* ``UpdateEndpoint`` (missing in moto), following the AWS API reference;
* ``UpdateEndpointWeightsAndCapacities`` with an ``Updating`` phase and AWS's
  "only one of weight/count" semantics (moto blanks the field not given);
* the ``Creating`` phase of a new endpoint, started after moto created it.

Failures follow SageMaker: request errors are ``ValidationException``; a
deployment that goes wrong is reported through ``EndpointStatus`` and
``FailureReason`` by DescribeEndpoint.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from . import deployment_access
from . import settings as settings_module
from .aws_errors import validation_error
from .endpoint_lifecycle import moto_time, start_creation, start_update, start_weights_update
from .moto_access import alarms_in_alarm_state, sagemaker_arn
from .settings import SettingsStore
from .timeline import Timelines
from .variants import RETAINABLE_PROPERTIES, pending_summary, retain_properties, variants_from_config


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
            raise validation_error(f'Could not find endpoint configuration "{self.arn("endpoint-config", name)}".')
        return config

    def missing_model_reason(self, config_variants: list[dict[str, Any]]) -> str | None:
        """Why a deployment of these variants fails because a model was deleted, if it does."""
        for variant in config_variants:
            model = variant.get("ModelName")
            if model and model not in self.backend._models:
                return f'Could not find model "{self.arn("model", model)}".'
        return None

    def require_in_service(self, endpoint: Any) -> None:
        """SageMaker rejects updates unless the endpoint is InService."""
        status = endpoint.endpoint_status
        if status == "InService":
            return
        arn = self.arn("endpoint", endpoint.endpoint_name)
        if status == "Failed":
            raise validation_error(f'Cannot update endpoint "{arn}" because it is in status Failed.')
        raise validation_error(f'Cannot update in-progress endpoint "{arn}".')


def start_creating(ctx: SageMakerContext, endpoint_name: str) -> None:
    """Put an endpoint moto has just created into ``Creating``."""
    endpoint = ctx.backend.endpoints[endpoint_name]
    config = ctx.backend.endpoint_configs.get(endpoint.endpoint_config_name)
    config_variants = copy.deepcopy(config.production_variants) if config else []
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
    excluded = set()
    for index, item in enumerate(params.get("ExcludeRetainedVariantProperties") or [], start=1):
        value = (item or {}).get("VariantPropertyType")
        if value not in RETAINABLE_PROPERTIES:
            raise validation_error(
                f"1 validation error detected: Value '{value}' at "
                f"'excludeRetainedVariantProperties.{index}.member.variantPropertyType' failed to satisfy "
                f"constraint: Member must satisfy enum value set: [{', '.join(RETAINABLE_PROPERTIES)}]"
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

    Returns ``{"EndpointArn": ...}``; the endpoint is ``Updating`` until the
    configured delay passed, then runs the new config - or, when the update
    fails, goes ``RollingBack`` and back to ``InService`` on the old config.
    An update fails when a failure was injected, when an alarm of
    ``DeploymentConfig.AutoRollbackConfiguration`` is in ``ALARM`` as ``Updating``
    ends, or when the old or new config or a model was deleted meanwhile.
    """
    name = _require(params, "EndpointName")
    new_config_name = _require(params, "EndpointConfigName")
    endpoint = ctx.existing_endpoint(name)
    new_config = ctx.existing_config(new_config_name)
    excluded = _excluded_properties(params)
    ctx.require_in_service(endpoint)

    retain = bool(params.get("RetainAllVariantProperties"))
    old_config_name = endpoint.endpoint_config_name
    config_variants = copy.deepcopy(new_config.production_variants)
    new_variants = variants_from_config(config_variants)
    if retain:
        new_variants = retain_properties(new_variants, endpoint.production_variants, excluded)
    keep_capture = retain and "DataCaptureConfig" not in excluded
    new_capture = endpoint.data_capture_config if keep_capture else copy.deepcopy(new_config.data_capture_config)

    if params.get("DeploymentConfig"):
        endpoint.last_deployment_config = copy.deepcopy(params["DeploymentConfig"])
    elif not params.get("RetainDeploymentConfig"):
        endpoint.last_deployment_config = None

    injected = ctx.settings.consume_update_failure(name)
    decided_at = ctx.endpoints.clock() + ctx.settings.updating_seconds()  # when Updating ends and the check runs
    rollback = (getattr(endpoint, "last_deployment_config", None) or {}).get("AutoRollbackConfiguration") or {}
    rollback_alarms = [alarm.get("AlarmName") for alarm in rollback.get("Alarms") or [] if alarm.get("AlarmName")]

    def check() -> str | None:
        if injected:
            return settings_module.UPDATE_FAILURE_REASON
        firing = alarms_in_alarm_state(ctx.account_id, ctx.region, rollback_alarms)
        if firing:
            return f"Rolled back: auto-rollback alarm(s) in ALARM state during the deployment: {', '.join(firing)}."
        for config_name in (new_config_name, old_config_name):
            if config_name not in ctx.backend.endpoint_configs:
                return f'Could not find endpoint configuration "{ctx.arn("endpoint-config", config_name)}".'
        return ctx.missing_model_reason(config_variants) or deployment_access.failure_reason(
            ctx, new_config_name, name, decided_at
        )

    def apply() -> None:
        endpoint.endpoint_config_name = new_config_name
        endpoint.production_variants = new_variants
        endpoint.data_capture_config = new_capture

    updating = start_update(ctx.endpoints, ctx.key(name), ctx.backend, endpoint, ctx.settings.updating_seconds(), check, apply)
    endpoint.pending_deployment_summary = pending_summary(
        new_config_name, config_variants, new_variants, moto_time(updating.entered_at)
    )
    return {"EndpointArn": endpoint.arn}


def update_weights_and_capacities(ctx: SageMakerContext, params: dict) -> dict:
    """``UpdateEndpointWeightsAndCapacities``: new desired weights/counts, applied after ``Updating``."""
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

    start_weights_update(ctx.endpoints, ctx.key(name), ctx.backend, endpoint, ctx.settings.updating_seconds())
    return {"EndpointArn": endpoint.arn}
