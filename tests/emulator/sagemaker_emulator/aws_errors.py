"""AWS-style error responses, rendered in the wire protocol of the failing call.

The same logical error (say, throttling) looks different per protocol:
JSON services answer ``{"__type": ..., "message": ...}``, query services
(IAM, SNS, STS) an ``<ErrorResponse>`` XML document, S3 an ``<Error>`` XML
document, and smithy-rpc-v2-cbor services a CBOR map.
"""

from __future__ import annotations

import json
import uuid
from http import HTTPStatus
from dataclasses import dataclass
from xml.sax.saxutils import escape

from . import cbor

# Protocol names, as derived by request_info.
JSON = "json"
QUERY = "query"
REST_XML = "rest-xml"
REST_JSON = "rest-json"
RPC_V2_CBOR = "rpc-v2-cbor"



class AwsError(Exception):
    """An error to answer to the caller as an AWS service error.

    ``fields`` are the error shape's other members (AppConfig's ``Reason``,
    ``Details``, ``ResourceName``, ...), added to JSON bodies; a ``Message`` among
    them replaces the lower-case ``message`` (services whose error shapes spell it so).
    """

    def __init__(self, code: str, message: str, status: int = 400, fields: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.fields = dict(fields or {})


def validation_error(message: str) -> AwsError:
    """The ``ValidationException`` SageMaker uses for almost every client error."""
    return AwsError("ValidationException", message, 400)


@dataclass
class HttpResponse:
    """A complete, buffered HTTP response."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def status_line(self) -> str:
        try:
            return f"{self.status} {HTTPStatus(self.status).phrase}"
        except ValueError:
            return f"{self.status} Unknown"


def json_response(payload: object, status: int = 200, content_type: str = "application/x-amz-json-1.1") -> HttpResponse:
    """A successful (or plain) JSON response."""
    body = json.dumps(payload, default=str).encode("utf-8")
    headers = [
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        ("x-amzn-RequestId", str(uuid.uuid4())),
    ]
    return HttpResponse(status, headers, body)


def render(error: AwsError, protocol: str) -> HttpResponse:
    """Render ``error`` the way a service speaking ``protocol`` would."""
    request_id = str(uuid.uuid4())
    if protocol == QUERY:
        sender = "Sender" if error.status < 500 else "Receiver"
        text = (
            "<ErrorResponse><Error>"
            f"<Type>{sender}</Type><Code>{escape(error.code)}</Code>"
            f"<Message>{escape(error.message)}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        body, content_type = text.encode("utf-8"), "text/xml"
    elif protocol == REST_XML:
        text = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error>'
            f"<Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>"
        )
        body, content_type = text.encode("utf-8"), "application/xml"
    elif protocol == RPC_V2_CBOR:
        body = cbor.encode({"__type": error.code, "message": error.message})
        content_type = "application/cbor"
    else:
        payload = {"__type": error.code, "message": error.message, **error.fields}
        if "Message" in error.fields:
            del payload["message"]
        body = json.dumps(payload).encode("utf-8")
        content_type = "application/x-amz-json-1.1" if protocol == JSON else "application/json"
    headers = [
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        ("x-amzn-RequestId", request_id),
        ("x-amz-request-id", request_id),
        ("x-amzn-ErrorType", error.code),
    ]
    if protocol == RPC_V2_CBOR:
        headers.append(("smithy-protocol", "rpc-v2-cbor"))
    return HttpResponse(error.status, headers, body)
