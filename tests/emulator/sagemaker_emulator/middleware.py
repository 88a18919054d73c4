"""The WSGI middleware around moto's server app: the emulator itself.

For each request it (1) serves the control API, (2) classifies the call
(:mod:`request_info`), (3) applies an injected fault if one matches
(:mod:`faults`: an error answer, a dropped connection before or after the call
is handled, a delay, a failing endpoint), (4) answers calls in a protocol moto lacks through their bridge
(:data:`service_table.PROTOCOL_BRIDGES`: smithy-rpc-v2-cbor), runs calls of a
service with hooks through them (:data:`service_table.SERVICE_HOOKS`: SageMaker,
S3), otherwise streams the call to moto, and (5) records it in the request log.
Hooked calls run under :data:`~state_lock.EMULATOR_LOCK`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

from . import aws_errors
from .aws_errors import AwsError, HttpResponse
from .connection_faults import drop_connection, track_body
from .control_api import PREFIX, ControlApi
from .faults import ENDPOINT_FAILURES, ERROR_KINDS, FAILURE_TARGETS, Fault, FaultQueue
from .moto_access import create_moto_app, reset_moto
from .request_info import AwsRequest, call_text, describe
from .request_log import RequestLog
from .service_hooks import Call, HookEnvironment, ServiceHooks
from .service_table import PROTOCOL_BRIDGES, HooksTable, build_hooks
from .settings import Settings, SettingsStore
from .state_lock import EMULATOR_LOCK


class EmulatorMiddleware:
    """WSGI application: moto plus the emulator's additions.

    ``service_hooks`` replaces the service table (tests); ``clock`` is the time
    the hooks' timelines run on.
    """

    def __init__(
        self,
        moto_app: Any = None,
        defaults: Settings | None = None,
        clock: Callable[[], float] = time.time,
        service_hooks: HooksTable | None = None,
    ) -> None:
        self.moto_app = moto_app if moto_app is not None else create_moto_app()
        self.log = RequestLog()
        self.faults = FaultQueue()
        self.settings = SettingsStore(defaults)
        self.hooks = build_hooks(HookEnvironment(self.settings, clock, self.call_internal), service_hooks)
        self.control = ControlApi(self)

    def reset(self) -> None:
        """Reset moto and every piece of emulator state (settings back to defaults)."""
        with EMULATOR_LOCK:
            reset_moto()
            self._reset_hooks()
            self.faults.reset()
            self.settings.reset()
            self.log.clear()

    def _reset_hooks(self) -> None:
        for hooks in self.hooks.values():
            hooks.reset()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == PREFIX or path.startswith(PREFIX + "/"):
            return self.control(environ, start_response)
        if path.startswith("/moto-api/"):
            if path.rstrip("/") == "/moto-api/reset":
                with EMULATOR_LOCK:  # the objects the hooks follow are about to disappear
                    self._reset_hooks()
                    return self.moto_app(environ, start_response)
            return self.moto_app(environ, start_response)

        latency = self.settings.call_latency()
        if latency:
            time.sleep(latency)  # outside the lock: calls wait in parallel
        request = describe(environ)
        fault = self.faults.take(request.service, request.operation)
        if fault is None:
            return self._handle(request, environ, start_response)
        return self._inject(fault, request, environ, start_response)

    def _inject(self, fault: Fault, request: AwsRequest, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Apply ``fault`` to this call (see :mod:`faults` for what each kind does)."""
        if fault.kind in ERROR_KINDS:
            error = fault.error_for(request.service, request.operation, request.protocol)
            response = aws_errors.render(error, request.protocol)
            if request.protocol == aws_errors.RPC_V2_CBOR:
                # The services bridged to CBOR (CloudWatch) are awsQueryCompatible:
                # their errors also carry the query protocol's code (see rpc_v2_bridge).
                sender = "Sender" if error.status < 500 else "Receiver"
                response.headers.append(("x-amzn-query-error", f"{error.code};{sender}"))
            return self._answer(request, response, start_response, fault.kind)
        if fault.kind in ("reset_before", "reset_after"):
            track_body(environ)
        if fault.kind == "reset_before":
            self.log.record(request.service, request.operation, request.region, 0, fault.kind, call_text(request), request.attempt)
            drop_connection(environ)
        if fault.kind == "reset_after":
            response = self._handle_buffered(request, environ)
            self.log.record(
                request.service, request.operation, request.region, response.status, fault.kind, call_text(request), request.attempt
            )
            drop_connection(environ)
        if fault.kind == "delay":
            time.sleep(fault.seconds)  # not holding the lock: other calls go on meanwhile
        if fault.kind == "endpoint_failure":
            self._fail_endpoint(request)
        return self._handle(request, environ, start_response, fault.kind)

    def _fail_endpoint(self, request: AwsRequest) -> None:
        """Make the endpoint this call creates or updates fail (the matching ``fail_next_*`` setting)."""
        try:
            name = request.json_body().get(FAILURE_TARGETS.get(request.operation or "", "EndpointName"))
        except ValueError:
            name = None
        if isinstance(name, str) and name:
            self.settings.update({ENDPOINT_FAILURES[request.operation or ""]: name})

    def _handle(self, request: AwsRequest, environ: dict, start_response: Callable, fault: str | None = None) -> Iterable[bytes]:
        """Answer the call: its bridge, its service's hooks, or moto (streamed)."""
        bridge = PROTOCOL_BRIDGES.get(request.protocol)
        if bridge is not None:
            return self._answer(request, bridge(request, environ, self.call_moto), start_response, fault)

        hooks = self.hooks.get(request.service or "")
        if hooks is not None and hooks.intercepts(request):
            return self._answer(request, self._run_hooks(hooks, request, environ), start_response, fault)

        def logging_start_response(status: str, headers: list, exc_info: Any = None) -> Any:
            self.log.record(
                request.service,
                request.operation,
                request.region,
                int(status.split(" ", 1)[0]),
                fault,
                call_text(request),
                request.attempt,
            )
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return self._run_moto(request, environ, logging_start_response)

    def _handle_buffered(self, request: AwsRequest, environ: dict) -> HttpResponse:
        """As :meth:`_handle`, with the whole answer buffered instead of sent."""
        bridge = PROTOCOL_BRIDGES.get(request.protocol)
        if bridge is not None:
            return bridge(request, environ, self.call_moto)
        hooks = self.hooks.get(request.service or "")
        if hooks is not None and hooks.intercepts(request):
            return self._run_hooks(hooks, request, environ)
        return self.call_moto(environ, request.protocol)

    def _run_hooks(self, hooks: ServiceHooks, request: AwsRequest, environ: dict) -> HttpResponse:
        """``before``, moto (unless ``before`` answered), ``after``: all under the emulator lock."""
        call = Call(request, environ)
        with EMULATOR_LOCK:
            try:
                answer = hooks.before(call)
                if answer is None:
                    answer = hooks.after(call, self.call_moto(environ, request.protocol))
                return answer
            except AwsError as error:
                return aws_errors.render(error, request.protocol)

    def _answer(self, request: AwsRequest, response: HttpResponse, start_response: Callable, fault: str | None = None) -> list[bytes]:
        """Log a buffered answer and send it."""
        self.log.record(request.service, request.operation, request.region, response.status, fault, call_text(request), request.attempt)
        return _send(response, start_response)

    def _run_moto(self, request: AwsRequest, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Call moto; turn its crashes (often "not implemented") into AWS-style errors."""
        try:
            return self.moto_app(environ, start_response)
        except Exception as crash:  # moto raises out of the WSGI app for unimplemented actions
            error = moto_crash_error(crash)
            print(f"sagemaker-emulator: {request.service} {request.operation}: {error.message}", file=sys.stderr, flush=True)
            return _send(aws_errors.render(error, request.protocol), start_response)

    def call_internal(self, environ: dict) -> HttpResponse:
        """Run an AWS call one emulated service makes to another through the whole emulator; buffered.

        Must not be called holding :data:`~state_lock.EMULATOR_LOCK` (the called service's hooks take it).
        """
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list, exc_info: Any = None) -> Callable[[bytes], None]:
            captured["status"], captured["headers"] = int(status.split(" ", 1)[0]), list(headers)
            return lambda data: None

        result = self(environ, capture)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return HttpResponse(captured["status"], captured["headers"], body)

    def call_moto(self, environ: dict, protocol: str = aws_errors.JSON) -> HttpResponse:
        """Run moto on ``environ`` and buffer its whole response (crashes answered in ``protocol``)."""
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list, exc_info: Any = None) -> Callable[[bytes], None]:
            captured["status"], captured["headers"] = int(status.split(" ", 1)[0]), list(headers)
            return lambda data: None

        try:
            result = self.moto_app(environ, capture)
        except Exception as crash:
            return aws_errors.render(moto_crash_error(crash), protocol)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return HttpResponse(captured["status"], captured["headers"], body)


def moto_crash_error(crash: Exception) -> AwsError:
    """The error answered when moto raised instead of responding.

    Unimplemented actions get HTTP 501 (SDKs do not retry it) instead of moto's
    HTML 500 page, so a missing feature shows up at once with its name.
    """
    if isinstance(crash, NotImplementedError):
        return AwsError("NotImplemented", f"Not supported by the emulator (moto): {crash}", 501)
    return AwsError("InternalFailure", f"The emulator (moto) crashed: {type(crash).__name__}: {crash}", 500)


def _send(response: HttpResponse, start_response: Callable) -> list[bytes]:
    start_response(response.status_line, response.headers)
    return [response.body]
