"""SageMaker hooks: the emulator's additions to SageMaker calls on their way to moto.

Before every SageMaker (JSON protocol) call, running endpoint timelines are
advanced (so DescribeEndpoint and ListEndpoints answer the right status). Then,
per operation (the tables below):

* ``UpdateEndpoint`` and ``UpdateEndpointWeightsAndCapacities`` are answered here;
* ``CreateModel`` / ``CreateEndpointConfig`` / ``CreateEndpoint`` reject existing
  names as SageMaker does (moto overwrites them), and ``DescribeEndpoint`` of a
  missing endpoint answers SageMaker's message;
* ``CreateModel`` refuses cross-region images, a role SageMaker cannot assume and
  a VpcConfig the role may not use (:mod:`model_rules`); ``CreateEndpointConfig``
  accepts exactly the API model's instance types (:mod:`instance_types`);
* after moto succeeded, a created endpoint starts ``Creating`` and a deleted
  one's timeline is dropped;
* every answer's error message quotes ARNs with double quotes, as SageMaker does.

``sagemaker-runtime`` calls (also signed ``sagemaker``, REST-JSON) go to moto untouched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from . import endpoint_operations, instance_types, model_rules
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


def _forget_endpoint(ctx: SageMakerContext, params: dict) -> None:
    ctx.endpoints.forget(ctx.key(params.get("EndpointName", "")))


# Operations moto lacks or gets wrong, answered here (the result is the JSON answer).
ANSWERED_HERE: dict[str, Operation] = {
    "UpdateEndpoint": endpoint_operations.update_endpoint,
    "UpdateEndpointWeightsAndCapacities": endpoint_operations.update_weights_and_capacities,
}
def _in_order(*checks: Operation) -> Operation:
    """One check running ``checks`` in turn (the first to raise wins)."""

    def check(ctx: SageMakerContext, params: dict) -> None:
        for each in checks:
            each(ctx, params)

    return check


# Checks before moto runs the operation (they raise the error SageMaker answers).
CHECKS_BEFORE_MOTO: dict[str, Operation] = {
    **{operation: _reject_existing(operation) for operation in _CREATES},
    "CreateModel": _in_order(_reject_existing("CreateModel"), model_rules.check_create_model),
    "CreateEndpointConfig": _in_order(instance_types.check_endpoint_config, _reject_existing("CreateEndpointConfig")),
    "DescribeEndpoint": _require_existing_endpoint,
}
# Follow-ups once moto has run the operation successfully.
AFTER_SUCCESS: dict[str, Operation] = {
    "CreateEndpoint": lambda ctx, params: endpoint_operations.start_creating(ctx, params["EndpointName"]),
    "DeleteEndpoint": _forget_endpoint,
}


class SageMakerHooks(ServiceHooks):
    """SageMaker's row in the service table; owns the endpoint timelines."""

    def __init__(self, environment: HookEnvironment) -> None:
        super().__init__(environment)
        self.settings = environment.settings
        self.endpoints = Timelines(clock=environment.clock)
        instance_types.production_variant_instance_types()  # read the API model at start-up
        instance_types.let_moto_accept_every_instance_type()

    def intercepts(self, request: AwsRequest) -> bool:
        return request.protocol == JSON

    def before(self, call: Call) -> HttpResponse | None:
        self.endpoints.advance()
        ctx = self._context(call)
        params = call.params
        answer = ANSWERED_HERE.get(call.operation)
        if answer is not None:
            return json_response(answer(ctx, params))
        check = CHECKS_BEFORE_MOTO.get(call.operation)
        if check is not None:
            check(ctx, params)
        return None

    def after(self, call: Call, response: HttpResponse) -> HttpResponse:
        response = _with_double_quoted_arns(response)
        follow_up = AFTER_SUCCESS.get(call.operation)
        if response.status == 200 and follow_up is not None:
            follow_up(self._context(call), call.params)
        return response

    def reset(self) -> None:
        self.endpoints.clear()

    def _context(self, call: Call) -> SageMakerContext:
        return SageMakerContext(
            backend=sagemaker_backend(call.account_id, call.region),
            account_id=call.account_id,
            region=call.region,
            settings=self.settings,
            endpoints=self.endpoints,
        )


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
