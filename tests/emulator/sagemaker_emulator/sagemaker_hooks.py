"""Interception of SageMaker calls on their way to moto.

Before every SageMaker call, pending endpoint timelines are advanced (so
DescribeEndpoint and ListEndpoints answer the right status). Then:

* ``UpdateEndpoint`` and ``UpdateEndpointWeightsAndCapacities`` are answered here;
* ``CreateModel`` / ``CreateEndpointConfig`` / ``CreateEndpoint`` reject existing
  names as SageMaker does (moto overwrites them), and a created endpoint starts
  ``Creating``;
* ``DeleteEndpoint`` drops the endpoint's pending timeline;
* everything else goes to moto unchanged, except that error messages quote ARNs
  with double quotes, as SageMaker does.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable

from . import endpoint_operations
from .aws_errors import JSON, AwsError, HttpResponse, json_response, render, validation_error
from .endpoint_lifecycle import EndpointLifecycle
from .endpoint_operations import SageMakerContext
from .moto_access import account_id_for, sagemaker_backend
from .request_info import AwsRequest
from .settings import SettingsStore

CallMoto = Callable[[dict], HttpResponse]

# Create* operation -> (request field with the name, moto backend attribute, ARN kind, noun in the message)
_CREATES = {
    "CreateModel": ("ModelName", "_models", "model", "model"),
    "CreateEndpointConfig": ("EndpointConfigName", "endpoint_configs", "endpoint-config", "endpoint configuration"),
    "CreateEndpoint": ("EndpointName", "endpoints", "endpoint", "endpoint"),
}
_SINGLE_QUOTED_ARN = re.compile(r"'(arn:[^']+)'")


class SageMakerHooks:
    """Runs each SageMaker call under one lock, with the emulator's additions."""

    def __init__(self, settings: SettingsStore, lifecycle: EndpointLifecycle) -> None:
        self.settings = settings
        self.lifecycle = lifecycle
        self.lock = threading.RLock()

    def handle(self, request: AwsRequest, environ: dict, call_moto: CallMoto) -> HttpResponse:
        with self.lock:
            try:
                return self._dispatch(request, environ, call_moto)
            except AwsError as error:
                return render(error, JSON)

    def _context(self, request: AwsRequest, environ: dict) -> SageMakerContext:
        account_id = account_id_for(request, environ)
        return SageMakerContext(
            backend=sagemaker_backend(account_id, request.region),
            account_id=account_id,
            region=request.region,
            settings=self.settings,
            lifecycle=self.lifecycle,
        )

    def _dispatch(self, request: AwsRequest, environ: dict, call_moto: CallMoto) -> HttpResponse:
        self.lifecycle.advance()
        operation = request.operation
        ctx = self._context(request, environ)
        try:
            params = request.json_body()
        except ValueError:
            raise AwsError("SerializationException", "Request body is not valid JSON.")

        if operation == "UpdateEndpoint":
            return json_response(endpoint_operations.update_endpoint(ctx, params))
        if operation == "UpdateEndpointWeightsAndCapacities":
            return json_response(endpoint_operations.update_weights_and_capacities(ctx, params))
        if operation in _CREATES:
            self._reject_existing(ctx, operation, params)
        if operation == "DescribeEndpoint" and params.get("EndpointName"):
            ctx.existing_endpoint(params["EndpointName"])

        response = _with_double_quoted_arns(call_moto(environ))
        if response.status == 200:
            if operation == "CreateEndpoint":
                endpoint_operations.start_creating(ctx, params["EndpointName"])
            elif operation == "DeleteEndpoint":
                self.lifecycle.forget(ctx.key(params.get("EndpointName", "")))
        return response

    @staticmethod
    def _reject_existing(ctx: SageMakerContext, operation: str, params: dict) -> None:
        field, attribute, kind, noun = _CREATES[operation]
        name = params.get(field)
        if name and name in getattr(ctx.backend, attribute):
            raise validation_error(f'Cannot create already existing {noun} "{ctx.arn(kind, name)}".')


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
