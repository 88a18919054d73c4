"""What an incoming WSGI request is, in AWS terms: service, region, operation, protocol.

* service and region come from the SigV4 credential scope
  (``Credential=AKID/20240101/us-east-1/sagemaker/aws4_request``), in the
  ``Authorization`` header or, for presigned URLs, the ``X-Amz-Credential`` query key
  (SigV2-signed calls, only S3 still uses them, count as ``s3``);
* the operation comes from ``X-Amz-Target`` (JSON protocols), the ``/operation/<Name>``
  path (smithy-rpc-v2-cbor), ``Action=`` (query protocols), S3's method/path/query
  (see :mod:`s3_operations`) or botocore's REST URI templates (:mod:`rest_operations`).
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote_plus

from . import aws_errors
from .rest_operations import rest_operation
from .s3_operations import s3_operation

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request")
_CBOR_PATH = re.compile(r"/service/([^/]+)/operation/([^/?]+)$")
# AWS SDKs number their attempts of a request: `amz-sdk-request: attempt=2; max=6`.
_ATTEMPT = re.compile(r"(?:^|;)\s*attempt=(\d+)")
DEFAULT_REGION = "us-east-1"


@dataclass
class AwsRequest:
    """The AWS view of one HTTP request (the body is buffered when it is small RPC data)."""

    method: str
    path: str
    query: dict[str, list[str]]
    service: str | None
    region: str
    access_key: str | None
    operation: str | None
    protocol: str
    body: bytes | None
    attempt: int | None = None
    amz_headers: dict[str, str] = field(default_factory=dict)

    def json_body(self) -> dict:
        """The request body parsed as JSON (``{}`` when empty)."""
        if not self.body:
            return {}
        value = json.loads(self.body)
        return value if isinstance(value, dict) else {}


def header(environ: dict, name: str) -> str | None:
    """A request header from the WSGI environ."""
    key = name.upper().replace("-", "_")
    if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        return environ.get(key)
    return environ.get("HTTP_" + key)


def buffer_body(environ: dict) -> bytes:
    """Read the whole body and put a fresh stream back so downstream apps can read it."""
    length = environ.get("CONTENT_LENGTH")
    stream = environ["wsgi.input"]
    if length:
        body = stream.read(int(length))
    elif environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        body = b""
    restore_body(environ, body)
    return body


def restore_body(environ: dict, body: bytes) -> None:
    """Give ``environ`` a new input stream holding ``body``."""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))


def raw_path(environ: dict) -> str:
    """The request path as sent, percent-escapes kept (``PATH_INFO`` is decoded).

    REST URIs carry labels percent-encoded, slashes included: AppConfig's
    ``/tags/{ResourceArn}`` arrives as ``/tags/arn%3Aaws%3Aappconfig%3A...%2Fenvironment%2F...``,
    which must still be one label when the URI template is matched.
    """
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if not raw:
        return environ.get("PATH_INFO", "/") or "/"
    path = raw.split("?", 1)[0]
    if "://" in path:  # an absolute URI (proxy-style request line)
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    return path or "/"


def cbor_route(path: str) -> tuple[str, str] | None:
    """``(service shape name, operation)`` of a smithy-rpc-v2-cbor path ``/service/<S>/operation/<Op>``."""
    match = _CBOR_PATH.search(path)
    return (match.group(1), match.group(2)) if match else None


def _credential_scope(environ: dict, query: dict[str, list[str]]) -> tuple[str | None, str | None, str | None]:
    """(access key, region, service) from the SigV4 credential scope, if signed."""
    text = header(environ, "Authorization") or ""
    if not text and "X-Amz-Credential" in query:
        text = "Credential=" + query["X-Amz-Credential"][0]
    match = _CREDENTIAL.search(text)
    if match:
        return match.group(1), match.group(3), match.group(4)
    # Signature version 2 (S3 presigned URLs, legacy S3 clients) has no scope; only S3 uses it.
    if text.startswith("AWS ") and ":" in text:
        return text[4:].split(":", 1)[0], None, "s3"
    if "AWSAccessKeyId" in query and "Signature" in query:
        return query["AWSAccessKeyId"][0], None, "s3"
    return None, None, None


def describe(environ: dict) -> AwsRequest:
    """Classify ``environ`` as an AWS call, buffering the body of RPC-style calls."""
    method = environ.get("REQUEST_METHOD", "GET").upper()
    path = environ.get("PATH_INFO", "/") or "/"
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    access_key, region, service = _credential_scope(environ, query)
    content_type = (header(environ, "Content-Type") or "").lower()
    target = header(environ, "X-Amz-Target")
    smithy = (header(environ, "Smithy-Protocol") or "").lower()

    body = None
    if service != "s3" and (target or smithy or "x-www-form-urlencoded" in content_type or "json" in content_type):
        body = buffer_body(environ)

    operation = None
    if target:
        protocol = aws_errors.JSON
        operation = target.rsplit(".", 1)[-1]
    elif smithy == "rpc-v2-cbor":
        protocol = aws_errors.RPC_V2_CBOR
        route = cbor_route(path)
        operation = route[1] if route else None
    elif service == "s3":
        protocol = aws_errors.REST_XML
        operation = s3_operation(method, path, query.keys(), _headers(environ), header(environ, "Host") or "")
    elif "Action" in query or (body and "x-www-form-urlencoded" in content_type):
        protocol = aws_errors.QUERY
        form = parse_qs(body.decode("utf-8", "replace")) if body else {}
        operation = (form.get("Action") or query.get("Action") or [None])[0]
    else:
        protocol = aws_errors.REST_JSON
        if service:
            operation = rest_operation(service, method, raw_path(environ), query.keys())
        operation = operation or f"{method} {path}"

    return AwsRequest(
        method=method,
        path=path,
        query=query,
        service=service,
        region=region or DEFAULT_REGION,
        access_key=access_key,
        operation=operation,
        protocol=protocol,
        body=body,
        attempt=sdk_attempt(environ),
        amz_headers=_parameter_headers(environ),
    )


def sdk_attempt(environ: dict) -> int | None:
    """The attempt number an AWS SDK gave this request (``amz-sdk-request``), if any."""
    match = _ATTEMPT.search(header(environ, "amz-sdk-request") or "")
    return int(match.group(1)) if match else None


def _headers(environ: dict) -> dict[str, str]:
    """Request headers with their HTTP names (lower-case, dashed)."""
    return {key[5:].lower().replace("_", "-"): value for key, value in environ.items() if key.startswith("HTTP_")}


# Signing and transport headers: they carry no parameter of the call (and the
# security token is a credential, never logged).
_SIGNING_HEADERS = ("x-amz-date", "x-amz-content-sha256", "x-amz-security-token", "x-amz-user-agent", "x-amz-target")


def _parameter_headers(environ: dict) -> dict[str, str]:
    """The ``x-amz-*`` headers that carry parameters of the call (S3's ``x-amz-tagging``, ``x-amz-meta-*``, ...)."""
    return {
        name: value
        for name, value in _headers(environ).items()
        if name.startswith("x-amz-") and name not in _SIGNING_HEADERS
    }


def call_text(request: AwsRequest) -> dict[str, object]:
    """What the caller sent, for the request log: the path with its query, the
    parameter headers, and the body as text (CBOR bodies as JSON, form bodies
    of query-protocol calls decoded). Streamed bodies (S3 objects) are not
    buffered, so not logged."""
    query = "&".join(f"{key}={value}" for key, values in request.query.items() for value in values)
    body = ""
    if request.body:
        if request.protocol == aws_errors.RPC_V2_CBOR:
            from . import cbor

            try:
                body = json.dumps(cbor.decode(request.body), default=str, sort_keys=True)
            except cbor.CBORDecodeError:
                body = request.body.decode("utf-8", "replace")
        elif request.protocol == aws_errors.QUERY:
            body = unquote_plus(request.body.decode("utf-8", "replace"))
        else:
            body = request.body.decode("utf-8", "replace")
    return {"path": request.path + (f"?{query}" if query else ""), "headers": dict(request.amz_headers), "body": body}
