"""AWS calls the emulator makes to itself on a service's behalf (Step Functions, Application Auto Scaling calling SageMaker).

A Step Functions task calls SageMaker as any client would, so the call goes through
the whole emulator (:class:`~middleware.EmulatorMiddleware`): faults, the request
log, the service's hooks (same rules, same endpoint lifecycle) and moto. The call is
built as a SigV4-style JSON request for the account and region of the execution
(moto files it under ``x-moto-account-id``); nothing is sent over the network.

Never call :func:`json_call` while holding :data:`~state_lock.EMULATOR_LOCK`: the
hooks of the called service take it.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .aws_errors import HttpResponse

Dispatch = Callable[[dict], HttpResponse]

# Signing name -> (X-Amz-Target prefix, host prefix) of the JSON services tasks call.
JSON_SERVICES = {
    "sagemaker": ("SageMaker", "api.sagemaker"),
}


@dataclass
class CallResult:
    """A service's answer: ``payload`` on success, else ``error_code`` / ``message``."""

    status: int
    payload: dict
    request_id: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def error_code(self) -> str:
        raw = str(self.payload.get("__type") or self.payload.get("code") or "UnknownError")
        return raw.rsplit("#", 1)[-1]

    @property
    def message(self) -> str:
        return str(self.payload.get("message") or self.payload.get("Message") or "")


def json_call(
    dispatch: Dispatch,
    service: str,
    operation: str,
    params: Any,
    account: str,
    region: str,
    user_agent: str = "states.amazonaws.com (sagemaker-emulator)",
) -> CallResult:
    """Call ``operation`` of a JSON-protocol ``service`` (signing name) through the emulator, as ``user_agent`` (the
    calling AWS service)."""
    target_prefix, host_prefix = JSON_SERVICES[service]
    body = json.dumps(params if params is not None else {}, default=str).encode("utf-8")
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "CONTENT_TYPE": "application/x-amz-json-1.1",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": f"{host_prefix}.{region}.amazonaws.com",
        "HTTP_X_AMZ_TARGET": f"{target_prefix}.{operation}",
        "HTTP_AUTHORIZATION": (
            f"AWS4-HMAC-SHA256 Credential=ASIASTATESEMULATOR/20240101/{region}/{service}/aws4_request, "
            "SignedHeaders=host;x-amz-target, Signature=0"
        ),
        "HTTP_X_MOTO_ACCOUNT_ID": account,
        "HTTP_USER_AGENT": user_agent,
    }
    response = dispatch(environ)
    try:
        payload = json.loads(response.body) if response.body else {}
    except ValueError:
        payload = {"__type": "InternalFailure", "message": response.body.decode("utf-8", "replace")}
    request_id = next((value for name, value in response.headers if name.lower() == "x-amzn-requestid"), "")
    return CallResult(response.status, payload if isinstance(payload, dict) else {}, request_id or "")
