"""The WSGI middleware around moto's server app: the emulator itself.

For each request it (1) serves the control API, (2) classifies the call
(:mod:`request_info`), (3) answers it with an injected fault if one matches,
(4) routes SageMaker calls through :mod:`sagemaker_hooks`, smithy-rpc-v2-cbor
calls through :mod:`rpc_v2_bridge` (moto has no CBOR), otherwise streams it to
moto, and (5) records it in the request log.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any

from . import aws_errors, rpc_v2_bridge, s3_fixes
from .aws_errors import AwsError, HttpResponse
from .control_api import PREFIX, ControlApi
from .endpoint_lifecycle import EndpointLifecycle
from .faults import FaultQueue
from .moto_access import create_moto_app, reset_moto
from .request_info import AwsRequest, describe
from .request_log import RequestLog
from .sagemaker_hooks import SageMakerHooks
from .settings import Settings, SettingsStore


class EmulatorMiddleware:
    """WSGI application: moto plus the emulator's additions."""

    def __init__(self, moto_app: Any = None, defaults: Settings | None = None) -> None:
        self.moto_app = moto_app if moto_app is not None else create_moto_app()
        self.log = RequestLog()
        self.faults = FaultQueue()
        self.settings = SettingsStore(defaults)
        self.lifecycle = EndpointLifecycle()
        self.sagemaker = SageMakerHooks(self.settings, self.lifecycle)
        self.control = ControlApi(self)

    def reset(self) -> None:
        """Reset moto and every piece of emulator state (settings back to defaults)."""
        with self.sagemaker.lock:
            reset_moto()
            self.lifecycle.clear()
            self.faults.clear()
            self.settings.reset()
            self.log.clear()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == PREFIX or path.startswith(PREFIX + "/"):
            return self.control(environ, start_response)
        if path.startswith("/moto-api/"):
            if path.rstrip("/") == "/moto-api/reset":
                with self.sagemaker.lock:  # moto's endpoints are about to disappear
                    self.lifecycle.clear()
                    return self.moto_app(environ, start_response)
            return self.moto_app(environ, start_response)

        request = describe(environ)
        fault = self.faults.take(request.service, request.operation)
        if fault is not None:
            response = aws_errors.render(fault.error_for(request.protocol), request.protocol)
            self.log.record(request.service, request.operation, request.region, response.status, fault.kind)
            return _send(response, start_response)

        if request.service == "sagemaker" and request.protocol == aws_errors.JSON:
            response = self.sagemaker.handle(request, environ, self.call_moto)
            self.log.record(request.service, request.operation, request.region, response.status)
            return _send(response, start_response)

        if request.protocol == aws_errors.RPC_V2_CBOR:
            response = rpc_v2_bridge.handle(request, environ, self.call_moto)
            self.log.record(request.service, request.operation, request.region, response.status)
            return _send(response, start_response)

        if request.service == "s3" and s3_fixes.needs_fix(request.operation):
            response = s3_fixes.fix_response(request.operation, self.call_moto(environ))
            self.log.record(request.service, request.operation, request.region, response.status)
            return _send(response, start_response)

        def logging_start_response(status: str, headers: list, exc_info: Any = None) -> Any:
            self.log.record(request.service, request.operation, request.region, int(status.split(" ", 1)[0]))
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return self._run_moto(request, environ, logging_start_response)

    def _run_moto(self, request: AwsRequest, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Call moto; turn its crashes (often "not implemented") into AWS-style errors."""
        try:
            return self.moto_app(environ, start_response)
        except Exception as crash:  # moto raises out of the WSGI app for unimplemented actions
            error = moto_crash_error(crash)
            print(f"sagemaker-emulator: {request.service} {request.operation}: {error.message}", file=sys.stderr, flush=True)
            return _send(aws_errors.render(error, request.protocol), start_response)

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
