"""SageMaker hooks: the emulator's additions to SageMaker calls on their way to moto.

Before every SageMaker (JSON protocol) call, running endpoint timelines are
advanced (so DescribeEndpoint and ListEndpoints answer the right status). Then,
per operation (the tables below):

* ``UpdateEndpoint``, ``UpdateEndpointWeightsAndCapacities`` and ``DeleteEndpoint``
  are answered here;
* inference components (moto has none) are answered here: ``CreateInferenceComponent``,
  ``DescribeInferenceComponent``, ``UpdateInferenceComponent``,
  ``UpdateInferenceComponentRuntimeConfig``, ``DeleteInferenceComponent``,
  ``ListInferenceComponents``, and ``AddTags`` / ``ListTags`` / ``DeleteTags`` on their ARNs
  (:mod:`inference_components`, :mod:`component_listing`); ``DeleteEndpoint`` is refused while the
  endpoint hosts some;
* ``CreateEndpointConfig`` of a configuration for inference components (no ``ModelName``, an
  ``ExecutionRoleArn``) is checked and stored here, moto's own path requiring a model
  (:mod:`component_configs`); every configuration's ``ManagedInstanceScaling`` and
  ``RoutingConfig`` are checked;
* ``CreateModel`` / ``CreateEndpointConfig`` / ``CreateEndpoint`` reject existing
  names as SageMaker does (moto overwrites them), and ``DescribeEndpoint`` of a
  missing endpoint answers SageMaker's message; ``CreateEndpointConfig`` and
  ``CreateEndpoint`` are checked against SageMaker's rules (:mod:`config_rules`,
  :mod:`deployment_rules`), ``CreateEndpointConfig`` accepts exactly the API
  model's instance types (:mod:`instance_types`);
* ``CreateModel`` refuses cross-region images, a role SageMaker cannot assume and
  a VpcConfig the role may not use (:mod:`model_rules`);
* ``CreateEndpoint`` and ``UpdateEndpoint`` do not find a configuration created
  less than ``endpoint_config_propagation_seconds`` ago (:mod:`config_visibility`);
* after moto succeeded, a created endpoint starts ``Creating``, a created
  model keeps its ``EnableNetworkIsolation``, and a created endpoint
  configuration notes its creation time;
* every answer's error message quotes ARNs with double quotes, as SageMaker does;
* ``DescribeEndpointConfig`` of a configuration without data capture has no
  ``DataCaptureConfig`` (moto answers ``{}``; the member's shape requires
  ``InitialSamplingPercentage``, ``DestinationS3Uri`` and ``CaptureOptions``, API
  Reference, DataCaptureConfig), so that a reader can tell whether it captures.

``sagemaker-runtime`` calls (also signed ``sagemaker``, REST-JSON) go to moto untouched,
but ``InvokeEndpointAsync``, which is answered here, the emulator playing the model
container (:mod:`async_invocations`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from . import (
    async_invocations,
    cloudwatch_fixes,
    component_alarm_actions,
    component_configs,
    component_listing,
    component_store,
    config_rules,
    config_visibility,
    endpoint_operations,
    inference_components,
    instance_types,
    model_packages,
    model_rules,
    training_jobs,
)
from .aws_errors import JSON, HttpResponse, json_response, validation_error
from .endpoint_operations import SageMakerContext
from .moto_access import sagemaker_backend
from .request_info import AwsRequest
from .service_hooks import Call, HookEnvironment, ServiceHooks
from .timeline import Timelines

Operation = Callable[[SageMakerContext, dict], object]

# Create* operation -> (request field with the name, moto backend attribute, ARN kind, noun in the message)
_CREATES = {
    "CreateModel": ("ModelName", "_models", "model", "model"),
    "CreateEndpointConfig": ("EndpointConfigName", "endpoint_configs", "endpoint-config", "endpoint configuration"),
    "CreateEndpoint": ("EndpointName", "endpoints", "endpoint", "endpoint"),
}
_SINGLE_QUOTED_ARN = re.compile(r"'(arn:[^']+)'")


def _reject_existing(operation: str) -> Operation:
    """A check that fails ``operation`` (a Create*) when the name is taken, as SageMaker does."""
    field, attribute, kind, noun = _CREATES[operation]

    def check(ctx: SageMakerContext, params: dict) -> None:
        name = params.get(field)
        if name and name in getattr(ctx.backend, attribute):
            raise validation_error(f'Cannot create already existing {noun} "{ctx.arn(kind, name)}".')

    return check


def _require_existing_endpoint(ctx: SageMakerContext, params: dict) -> None:
    if params.get("EndpointName"):
        ctx.existing_endpoint(params["EndpointName"])


def _checks(*checks: Operation) -> Operation:
    """One check running ``checks`` in order (several rules on one operation)."""

    def check(ctx: SageMakerContext, params: dict) -> None:
        for each in checks:
            each(ctx, params)

    return check


def _check_endpoint_config(ctx: SageMakerContext, params: dict) -> None:
    config_rules.check_kms_key_with_instance_storage(params, ctx.settings.refuses_kms_key_with_instance_storage())
    component_configs.check_variant_fields(ctx, params)
    component_configs.check_components_config(ctx, params)
    if not component_configs.is_for_components(params):
        config_rules.check_serverless_config(ctx.backend, params)


def _created_endpoint(ctx: SageMakerContext, params: dict) -> None:
    endpoint_operations.start_creating(ctx, params["EndpointName"])
    if params.get("DeploymentConfig"):
        ctx.backend.endpoints[params["EndpointName"]].last_deployment_config = params["DeploymentConfig"]


# Operations moto lacks or gets wrong, answered here (the result is the JSON answer).
ANSWERED_HERE: dict[str, Operation] = {
    "UpdateEndpoint": endpoint_operations.update_endpoint,
    "UpdateEndpointWeightsAndCapacities": endpoint_operations.update_weights_and_capacities,
    "DeleteEndpoint": endpoint_operations.delete_endpoint,
    "DeleteModelPackage": model_packages.delete_model_package,
    "DeleteModelPackageGroup": model_packages.delete_model_package_group,
    "StopTrainingJob": training_jobs.stop_training_job,
}
# Checks before moto runs the operation (they raise the error SageMaker answers).
CHECKS_BEFORE_MOTO: dict[str, Operation] = {
    **{operation: _reject_existing(operation) for operation in _CREATES},
    "CreateModel": _checks(_reject_existing("CreateModel"), model_rules.check_create_model),
    "CreateEndpointConfig": _checks(
        instance_types.check_endpoint_config, _reject_existing("CreateEndpointConfig"), _check_endpoint_config
    ),
    "CreateEndpoint": _checks(_reject_existing("CreateEndpoint"), endpoint_operations.check_create_endpoint),
    "DescribeEndpoint": _require_existing_endpoint,
    "CreateTrainingJob": training_jobs.check_create_training_job,
}
# Follow-ups once moto has run the operation successfully.
AFTER_SUCCESS: dict[str, Operation] = {
    "CreateEndpoint": _created_endpoint,
    "CreateModel": lambda ctx, params: config_rules.record_model_network_isolation(ctx.backend, params),
    "CreateEndpointConfig": _checks(
        lambda ctx, params: config_visibility.record_creation(
            ctx.backend.endpoint_configs[params["EndpointConfigName"]], ctx.endpoints.clock()
        ),
        component_configs.keep_role,
    ),
}


class SageMakerHooks(ServiceHooks):
    """SageMaker's row in the service table; owns the endpoint timelines."""

    def __init__(self, environment: HookEnvironment) -> None:
        super().__init__(environment)
        self.settings = environment.settings
        self.endpoints = Timelines(clock=environment.clock)  # endpoints and training jobs
        self.final_metrics = training_jobs.FinalMetrics()
        self._kept_package: dict | None = None  # UpdateModelPackage: what moto must not blank (under the lock)
        self.invocations = async_invocations.AsyncInvocations(environment.settings, environment.clock)
        self.components = component_store.ComponentStore()
        instance_types.production_variant_instance_types()  # read the API model at start-up
        instance_types.let_moto_accept_every_instance_type()
        cloudwatch_fixes.alarm_listener = component_alarm_actions.ComponentAlarmActions(environment.dispatch).alarm_changed

    def intercepts(self, request: AwsRequest) -> bool:
        return request.protocol == JSON or request.operation == async_invocations.OPERATION

    def before(self, call: Call) -> HttpResponse | None:
        self.endpoints.advance()
        ctx = self._context(call)
        if call.operation == async_invocations.OPERATION:
            return self.invocations.invoke(ctx, call.request.path, call.environ)
        params = call.params
        component_operation = inference_components.OPERATIONS.get(call.operation)
        if component_operation is not None:
            return json_response(component_operation(ctx, self.components, params))
        if call.operation in component_listing.TAG_OPERATIONS and component_listing.is_component_arn(params):
            return json_response(component_listing.tags(ctx, self.components, call.operation, params))
        if call.operation == "DeleteEndpoint":
            component_listing.refuse_endpoint_deletion(ctx, self.components, params)
        answer = ANSWERED_HERE.get(call.operation)
        if answer is not None:
            return json_response(answer(ctx, params))
        check = CHECKS_BEFORE_MOTO.get(call.operation)
        if check is not None:
            check(ctx, params)
        if call.operation == "CreateEndpointConfig" and component_configs.is_for_components(params):
            return json_response(component_configs.create(ctx, params))
        if call.operation == "UpdateModelPackage":
            self._kept_package = model_packages.before_update(ctx, params)
        return None

    def after(self, call: Call, response: HttpResponse) -> HttpResponse:
        response = _with_double_quoted_arns(response)
        if response.status == 200 and call.operation == "DescribeEndpointConfig":
            response = _without_empty_data_capture(response)
        follow_up = AFTER_SUCCESS.get(call.operation)
        if response.status == 200 and follow_up is not None:
            follow_up(self._context(call), call.params)
        if response.status == 200 and call.operation == "CreateModelPackage":
            model_packages.after_create(self._context(call), call.params, json.loads(response.body or b"{}"))
        if response.status == 200 and call.operation == "UpdateModelPackage":
            model_packages.after_update(self._context(call), call.params, self._kept_package)
        if response.status == 200 and call.operation == "CreateTrainingJob":
            name = call.params["TrainingJobName"]
            training_jobs.start_training(self._context(call), call.params, self.final_metrics.for_job(name))
        return response

    def reset(self) -> None:
        self.endpoints.clear()
        self.components.clear()
        self.invocations.reset()
        self.final_metrics.clear()

    def set_final_metric(self, name: str, value: float, job_name: str | None) -> dict:
        """Control API: the final metric value training jobs (or one job) report when they complete."""
        return self.final_metrics.set(name, value, job_name)

    def start_system_update(
        self, endpoint_name: str, seconds: float, account_id: str, region: str, failure: str | None = None
    ) -> dict:
        """Control API: put an InService endpoint into ``SystemUpdating`` for ``seconds`` (then ``Failed`` with a
        ``failure`` reason)."""
        self.endpoints.advance()
        return endpoint_operations.start_maintenance(self._context_for(account_id, region), endpoint_name, seconds, failure)

    def _context(self, call: Call) -> SageMakerContext:
        return self._context_for(call.account_id, call.region)

    def _context_for(self, account_id: str, region: str) -> SageMakerContext:
        return SageMakerContext(
            backend=sagemaker_backend(account_id, region),
            account_id=account_id,
            region=region,
            settings=self.settings,
            endpoints=self.endpoints,
        )


def _without_empty_data_capture(response: HttpResponse) -> HttpResponse:
    """A DescribeEndpointConfig answer without moto's empty ``DataCaptureConfig``."""
    try:
        payload = json.loads(response.body)
    except ValueError:
        return response
    if payload.get("DataCaptureConfig") != {}:
        return response
    del payload["DataCaptureConfig"]
    body = json.dumps(payload).encode("utf-8")
    headers = [(k, v) for k, v in response.headers if k.lower() != "content-length"]
    headers.append(("Content-Length", str(len(body))))
    return HttpResponse(response.status, headers, body)


def _with_double_quoted_arns(response: HttpResponse) -> HttpResponse:
    """moto quotes ARNs in some messages with ' where SageMaker uses "."""
    if response.status < 400 or b"'arn:" not in response.body:
        return response
    try:
        payload = json.loads(response.body)
    except ValueError:
        return response
    for key in ("message", "Message"):
        if isinstance(payload.get(key), str):
            payload[key] = _SINGLE_QUOTED_ARN.sub(r'"\1"', payload[key])
    body = json.dumps(payload).encode("utf-8")
    headers = [(k, v) for k, v in response.headers if k.lower() != "content-length"]
    headers.append(("Content-Length", str(len(body))))
    return HttpResponse(response.status, headers, body)
