"""SageMaker Runtime ``InvokeEndpointAsync``, with the emulator playing the model container.

moto 5.2.5 has a SageMaker Runtime backend whose ``InvokeEndpointAsync`` neither looks
at the endpoint (any name is accepted) nor at its ``AsyncInferenceConfig``: it creates
a new bucket ``sagemaker-output-<uuid>`` per input location, writes a canned body
there at once, answers HTTP 200 and notifies no topic. Hooking its answer would leave
those buckets behind, so the emulator answers the call itself (moto is never called
for it) and keeps moto's ``InvokeEndpoint`` as it is.

What the call does, per the API reference ("InvokeEndpointAsync", SageMaker Runtime,
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpointAsync.html,
and botocore's ``sagemaker-runtime`` model):

* ``POST /endpoints/<EndpointName>/async-invocations``; every parameter is a header:
  ``X-Amzn-SageMaker-InputLocation`` (required, ``(https|s3)://bucket/key``, 1-1024
  characters), ``-Content-Type``, ``-Accept``, ``-Custom-Attributes`` (at most 1024
  characters each), ``-Inference-Id`` (1-64 printable characters, not starting with
  a blank), ``-S3OutputPathExtension`` (1-512 of ``[a-zA-Z0-9!_.*'()/-]``, not starting
  ``s3:`` or ``https:``), ``-Filename`` (1-32 characters, at most one dot),
  ``-RequestTTLSeconds`` (60-21600, default 21600) and ``-InvocationTimeoutSeconds``
  (1-3600, default 900). A value outside these is a ``ValidationError`` (HTTP 400)
  in AWS's "1 validation error detected" form.
* The answer is HTTP **202** with ``{"InferenceId"}`` in the body (the caller's, or a
  new UUID) and the ``X-Amzn-SageMaker-OutputLocation`` and (with an ``S3FailurePath``)
  ``X-Amzn-SageMaker-FailureLocation`` headers. The result is named after the
  inference id ("If not specified, Amazon SageMaker AI generates a filename based on
  the inference ID", ``Filename``): ``<S3OutputPath>[/<extension>]/<id>.out``; the
  failure ``<S3FailurePath>[/<extension>]/<id>-error.out`` (the ``-error`` suffix is
  the emulator's choice, AWS's naming of failure objects was not found). With
  ``Filename``, that name is used as is.
* Errors of the call itself (``ValidationError``): an endpoint that does not exist
  (``Endpoint <name> of account <account> not found.``, AWS's text as users quote it,
  e.g. aws/amazon-sagemaker-examples#293), one that is not serving, and one without
  ``AsyncInferenceConfig`` ("The presence of an asynchronous inference configuration
  ... implies that the endpoint can only receive asynchronous invocations", Developer
  Guide, "Asynchronous inference"; the converse, and both messages, are the
  emulator's). An endpoint serves while ``InService``, and while ``Updating``,
  ``SystemUpdating`` or ``RollingBack`` (it keeps serving through an update; the
  Developer Guide, "Update an endpoint").
* The input is **not** read by the call: a missing input, or one the execution role
  may not read, fails the request later, asynchronously (as does a result the role
  may not write).

Then, ``async_inference_seconds`` later (a setting, default 0.2), the emulator does
what the endpoint's container and SageMaker do, with the execution role of the
configuration's first model (as :mod:`deployment_access` sees it, IAM propagation
included):

1. reads the input, which must exist in this account's S3 and which the role must be
   allowed ``s3:GetObject`` on;
2. writes the model's answer, a deterministic JSON document derived from the input
   (``model``, ``variant``, ``inputBytes``, ``inputSha256``, ``contentType``), to the
   output location, which needs ``s3:PutObject`` ("Your IAM role must have ... access
   to the S3 bucket for the output", Developer Guide, "Complete the prerequisites" of
   Asynchronous Inference);
3. publishes the notification to ``SuccessTopic`` (the role needs ``sns:Publish``,
   Developer Guide, "Check prediction results"), in the message shape SageMaker sends
   (``awsRegion``, ``eventTime``, ``receivedTime``, ``invocationStatus``,
   ``requestParameters``, ``responseParameters``, ``inferenceId``, ``eventVersion``
   ``1.0``, ``eventSource`` ``aws:sagemaker``, ``eventName`` ``InferenceResult``).

A step that fails ends the request ``Failed``: the failure (``{"failureReason"}``)
is written to the failure location when there is one and the role may write it, and
the error notification (``invocationStatus`` ``Failed`` with ``failureReason``, no
``responseParameters``) goes to ``ErrorTopic`` when the role may publish there. The
reasons are the emulator's wording. Objects are not encrypted with the bucket's KMS
key and ``kms:*`` permissions are not checked; requests never expire in the queue.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

from .aws_errors import AwsError, HttpResponse, json_response
from .deployment_access import config_role
from .execution_role import RoleView
from .moto_resources import S3Location, partition_of, s3_bucket, s3_object_exists, sns_topic_exists
from .request_info import header
from .settings import SettingsStore
from .state_lock import EMULATOR_LOCK

OPERATION = "InvokeEndpointAsync"
SERVING = ("InService", "Updating", "SystemUpdating", "RollingBack")
_PATH = re.compile(r"^/endpoints/([^/]+)/async-invocations/?$")
_INPUT_LOCATION = re.compile(r"^(https|s3)://([^/]+)/?(.*)$")
_PRINTABLE = re.compile(r"^\S[\x20-\x7e]*$")
_EXTENSION = re.compile(r"^(?!s3:|https:)[a-zA-Z0-9!_.*'()/-]+$")
_FILENAME = re.compile(r"^(?!.*\..*\.)[a-zA-Z0-9][a-zA-Z0-9-_.]*$")


def validation(message: str) -> AwsError:
    """SageMaker Runtime's client error: ``ValidationError``, HTTP 400, ``Message``."""
    return AwsError("ValidationError", message, 400, {"Message": message})


def _constraint(value: object, member: str, rule: str) -> AwsError:
    return validation(f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {rule}")


@dataclass
class Request:
    """One accepted asynchronous inference request."""

    account_id: str
    region: str
    endpoint_name: str
    config_name: str
    inference_id: str
    input_location: str
    output_location: str
    failure_location: str | None
    content_type: str | None
    accept: str | None
    received_at: float
    status: str = "InProgress"  # then Completed or Failed
    failure_reason: str | None = None
    notifications: list[str] = field(default_factory=list)  # topics notified


def _text(environ: dict, name: str, member: str, low: int, high: int, pattern: re.Pattern | None = None) -> str | None:
    value = header(environ, name)
    if value is None:
        return None
    if len(value) < low:
        raise _constraint(value, member, f"Member must have length greater than or equal to {low}")
    if len(value) > high:
        raise _constraint(value, member, f"Member must have length less than or equal to {high}")
    if pattern is not None and not pattern.match(value):
        raise _constraint(value, member, f"Member must satisfy regular expression pattern: {pattern.pattern}")
    return value


def _number(environ: dict, name: str, member: str, low: int, high: int) -> int | None:
    value = header(environ, name)
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise validation(f"Value '{value}' at '{member}' is not an integer.") from None
    if number < low:
        raise _constraint(number, member, f"Member must have value greater than or equal to {low}")
    if number > high:
        raise _constraint(number, member, f"Member must have value less than or equal to {high}")
    return number


def _under(path: str, extension: str | None, name: str) -> str:
    parts = [path.rstrip("/")] + ([extension.strip("/")] if extension else []) + [name]
    return "/".join(parts)


class AsyncInvocations:
    """The requests in flight; each completes in a timer thread under the emulator lock."""

    def __init__(self, settings: SettingsStore, clock: Any) -> None:
        self.settings = settings
        self.clock = clock
        self.requests: dict[str, Request] = {}  # by inference id
        self._timers: list[threading.Timer] = []
        self._generation = 0

    def reset(self) -> None:
        """Forget every request; those still queued never complete."""
        with EMULATOR_LOCK:
            self._generation += 1
            for timer in self._timers:
                timer.cancel()
            self._timers.clear()
            self.requests.clear()

    def invoke(self, ctx: Any, path: str, environ: dict) -> HttpResponse:
        """Accept (or refuse) one request: the 202 answer; the result follows later."""
        match = _PATH.match(path)
        name = unquote(match.group(1)) if match else ""
        input_location = _text(environ, "X-Amzn-SageMaker-InputLocation", "inputLocation", 1, 1024, _INPUT_LOCATION)
        if input_location is None:
            raise _constraint("null", "inputLocation", "Member must not be null")
        content_type = _text(environ, "X-Amzn-SageMaker-Content-Type", "contentType", 0, 1024)
        accept = _text(environ, "X-Amzn-SageMaker-Accept", "accept", 0, 1024)
        _text(environ, "X-Amzn-SageMaker-Custom-Attributes", "customAttributes", 0, 1024)
        inference_id = _text(environ, "X-Amzn-SageMaker-Inference-Id", "inferenceId", 1, 64, _PRINTABLE)
        extension = _text(environ, "X-Amzn-SageMaker-S3OutputPathExtension", "s3OutputPathExtension", 1, 512, _EXTENSION)
        filename = _text(environ, "X-Amzn-SageMaker-Filename", "filename", 1, 32, _FILENAME)
        _number(environ, "X-Amzn-SageMaker-RequestTTLSeconds", "requestTTLSeconds", 60, 21600)
        _number(environ, "X-Amzn-SageMaker-InvocationTimeoutSeconds", "invocationTimeoutSeconds", 1, 3600)

        endpoint = ctx.backend.endpoints.get(name)
        if endpoint is None:
            raise validation(f"Endpoint {name} of account {ctx.account_id} not found.")
        if endpoint.endpoint_status not in SERVING:
            raise validation(
                f"Endpoint {name} of account {ctx.account_id} is {endpoint.endpoint_status}: "
                "it takes invocations only while it is InService (or updating)."
            )
        config = ctx.backend.endpoint_configs.get(endpoint.endpoint_config_name)
        output = ((getattr(config, "async_inference_config", None) or {}).get("OutputConfig")) or {}
        if not output.get("S3OutputPath"):
            raise validation(
                f"Endpoint {name} of account {ctx.account_id} is not an asynchronous inference endpoint "
                "(its endpoint configuration has no AsyncInferenceConfig): use InvokeEndpoint."
            )

        inference_id = inference_id or str(uuid.uuid4())
        result_name = filename or f"{inference_id}.out"
        failure_name = filename or f"{inference_id}-error.out"
        request = Request(
            account_id=ctx.account_id,
            region=ctx.region,
            endpoint_name=name,
            config_name=endpoint.endpoint_config_name,
            inference_id=inference_id,
            input_location=input_location,
            output_location=_under(output["S3OutputPath"], extension, result_name),
            failure_location=_under(output["S3FailurePath"], extension, failure_name) if output.get("S3FailurePath") else None,
            content_type=content_type,
            accept=accept,
            received_at=self.clock(),
        )
        self.requests[inference_id] = request
        timer = threading.Timer(self.settings.async_inference_seconds(), self._complete, (ctx, request, self._generation))
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

        response = json_response({"InferenceId": inference_id}, status=202, content_type="application/json")
        response.headers.append(("X-Amzn-SageMaker-OutputLocation", request.output_location))
        if request.failure_location:
            response.headers.append(("X-Amzn-SageMaker-FailureLocation", request.failure_location))
        return response

    def _complete(self, ctx: Any, request: Request, generation: int) -> None:
        with EMULATOR_LOCK:
            if generation != self._generation:
                return  # reset since
            self._timers = [timer for timer in self._timers if timer.is_alive() and timer is not threading.current_thread()]
            config = ctx.backend.endpoint_configs.get(request.config_name)
            if config is None:
                self._fail(ctx, request, None, {}, "The endpoint configuration the request was queued for no longer exists.")
                return
            now = self.clock()
            role = config_role(ctx.backend, config, now, self.settings.iam_propagation_seconds())
            output = (config.async_inference_config or {}).get("OutputConfig") or {}
            topics = output.get("NotificationConfig") or {}
            if role is None:
                self._fail(ctx, request, None, topics, "The endpoint's model no longer exists.")
                return
            data, reason = _read_input(ctx, role, request.input_location)
            if reason:
                self._fail(ctx, request, role, topics, reason)
                return
            variant = _serving_variant(config)
            answer = {
                "model": variant.get("ModelName"),
                "variant": variant.get("VariantName"),
                "inputBytes": len(data),
                "inputSha256": hashlib.sha256(data).hexdigest(),
                "contentType": request.content_type,
            }
            body = json.dumps(answer, sort_keys=True).encode("utf-8")
            if not _write(ctx, role, request.output_location, body):
                reason = (
                    f'ClientError: Failed to upload the inference result to "{request.output_location}". Please ensure '
                    f'that the bucket exists and that the role "{role.arn}" has "s3:PutObject" permissions on it.'
                )
                self._fail(ctx, request, role, topics, reason)
                return
            request.status = "Completed"
            message = _notification(request, self.clock(), "Completed")
            message["responseParameters"] = {"contentType": "application/json", "outputLocation": request.output_location}
            self._notify(ctx, request, role, topics.get("SuccessTopic"), message)

    def _fail(self, ctx: Any, request: Request, role: RoleView | None, topics: dict, reason: str) -> None:
        request.status, request.failure_reason = "Failed", reason
        if role is None:
            return
        if request.failure_location:
            _write(ctx, role, request.failure_location, json.dumps({"failureReason": reason}).encode("utf-8"))
        message = _notification(request, self.clock(), "Failed")
        message["failureReason"] = reason
        self._notify(ctx, request, role, topics.get("ErrorTopic"), message)

    def _notify(self, ctx: Any, request: Request, role: RoleView, topic: str | None, message: dict) -> None:
        if not topic or not sns_topic_exists(topic) or not role.allows("sns:Publish", topic):
            return
        from moto.sns.models import sns_backends

        parsed_region = topic.split(":")[3]
        sns_backends[ctx.account_id][parsed_region].publish(json.dumps(message), arn=topic)
        request.notifications.append(topic)


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _notification(request: Request, now: float, status: str) -> dict:
    parameters = {"endpointName": request.endpoint_name, "inputLocation": request.input_location}
    if request.accept:
        parameters["accept"] = request.accept
    if request.content_type:
        parameters["contentType"] = request.content_type
    return {
        "awsRegion": request.region,
        "eventTime": _iso(now),
        "receivedTime": _iso(request.received_at),
        "invocationStatus": status,
        "requestParameters": parameters,
        "inferenceId": request.inference_id,
        "eventVersion": "1.0",
        "eventSource": "aws:sagemaker",
        "eventName": "InferenceResult",
    }


def _serving_variant(config: Any) -> dict:
    """The variant that answers: the first one with traffic (the emulator does not split traffic)."""
    variants = list(config.production_variants or [])
    for variant in variants:
        if float(variant.get("InitialVariantWeight", 1.0) or 0.0) > 0:
            return variant
    return variants[0] if variants else {}


def _read_input(ctx: Any, role: RoleView, url: str) -> tuple[bytes, str | None]:
    """The input's bytes, or why SageMaker cannot read it."""
    reason = (
        f'ClientError: Failed to download the inference input from "{url}". Please ensure that there is an object '
        f'located at the URL and that the role "{role.arn}" has "s3:GetObject" permissions on it.'
    )
    location = S3Location.parse(url)
    if location is None:
        return b"", reason  # https:// inputs are not read by the emulator
    partition = partition_of(ctx.region)
    bucket = s3_bucket(ctx.account_id, location.bucket, partition)
    if bucket is None or not s3_object_exists(bucket, location.key):
        return b"", reason
    if not role.allows("s3:GetObject", location.object_arn(partition=partition)):
        return b"", reason
    return bytes(bucket.keys[location.key].value), None


def _write(ctx: Any, role: RoleView, url: str, body: bytes) -> bool:
    location = S3Location.parse(url)
    if location is None:
        return False
    partition = partition_of(ctx.region)
    if s3_bucket(ctx.account_id, location.bucket, partition) is None:
        return False
    if not role.allows("s3:PutObject", location.object_arn(partition=partition)):
        return False
    from moto.s3.models import s3_backends

    s3_backends[ctx.account_id][partition].put_object(location.bucket, location.key, body)
    return True
