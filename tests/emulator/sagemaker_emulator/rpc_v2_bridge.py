"""Answer smithy-rpc-v2-cbor calls with moto, which speaks only the older protocols.

The AWS SDK for Rust calls CloudWatch as ``POST /service/<ServiceId>/operation/<Op>``
with a CBOR body; moto 5.2.5 serves CloudWatch only as a query service on ``/``.
For such a call this module

1. finds the botocore model (:mod:`rpc_v2_services`) and the operation;
2. decodes the CBOR body (gzip too) and fits it to the input shape;
3. serializes it with botocore's ``query`` (or ``json``) serializer, which also
   validates it (a missing required member is a ``ValidationError``);
4. runs moto on a new WSGI environ for that request (same ``Authorization``, so
   moto picks the same service and region);
5. parses moto's answer with botocore's parser for the output shape and answers a
   CBOR map (timestamps as tag 1), or moto's error as ``{"__type", "message"}``
   with moto's HTTP status (plus ``x-amzn-query-error`` for query-compatible services).
"""

from __future__ import annotations

import gzip
import uuid
import zlib
from collections.abc import Callable
from urllib.parse import urlencode

from botocore.exceptions import ParamValidationError
from botocore.model import OperationModel
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from . import cbor
from .aws_errors import RPC_V2_CBOR, AwsError, HttpResponse, render
from .request_info import AwsRequest, cbor_route, header, restore_body
from .rpc_v2_services import backend_protocol, find_service
from .shape_values import conform

CallMoto = Callable[[dict, str], HttpResponse]

# Headers of the CBOR call that must not reach moto (it would pick a protocol or answer format from them).
_DROPPED = {
    "CONTENT_TYPE",
    "CONTENT_LENGTH",
    "QUERY_STRING",
    "HTTP_CONTENT_ENCODING",
    "HTTP_SMITHY_PROTOCOL",
    "HTTP_ACCEPT",
    "HTTP_X_AMZ_TARGET",
}


def handle(request: AwsRequest, environ: dict, call_moto: CallMoto) -> HttpResponse:
    """Answer one smithy-rpc-v2-cbor call (errors included) in CBOR."""
    try:
        return _bridge(request, environ, call_moto)
    except AwsError as error:
        return render(error, RPC_V2_CBOR)


def _bridge(request: AwsRequest, environ: dict, call_moto: CallMoto) -> HttpResponse:
    route = cbor_route(request.path)
    if route is None:
        raise AwsError("UnknownOperationException", f"Not a smithy-rpc-v2-cbor operation path: {request.path}", 404)
    service_id, operation = route
    model = find_service(service_id, request.service)
    if model is None:
        raise AwsError(
            "NotImplemented",
            f"Not supported by the emulator: smithy-rpc-v2-cbor service {service_id} "
            f"(signing name {request.service}) has no moto backend speaking query or JSON",
            501,
        )
    if operation not in model.operation_names:
        raise AwsError("UnknownOperationException", f"{service_id} has no operation {operation}", 404)
    operation_model = model.operation_model(operation)
    protocol = backend_protocol(model)

    params = conform(_decode_body(request, environ), operation_model.input_shape)
    serialized = _serialize(params, operation_model, protocol)
    response = call_moto(_moto_environ(environ, serialized), protocol)
    return _translate(response, operation_model, protocol)


def _decode_body(request: AwsRequest, environ: dict) -> dict:
    """The CBOR request body as a dict (``{}`` when empty)."""
    body = request.body or b""
    encoding = (header(environ, "Content-Encoding") or "").lower()
    try:
        if "gzip" in encoding:
            body = gzip.decompress(body)
        value = cbor.decode(body) if body else {}
    except (OSError, EOFError, zlib.error, cbor.CBORDecodeError, ValueError) as error:
        raise AwsError("SerializationException", f"Request body is not valid CBOR: {error}")
    if not isinstance(value, dict):
        raise AwsError("SerializationException", "Request body must be a CBOR map.")
    return value


def _serialize(params: dict, operation_model: OperationModel, protocol: str) -> dict:
    """botocore's request dict for ``params`` in ``protocol``; validation errors become AWS errors."""
    try:
        return create_serializer(protocol, include_validation=True).serialize_to_request(params, operation_model)
    except ParamValidationError as error:
        code = "ValidationError" if protocol == "query" else "ValidationException"
        raise AwsError(code, str(error.kwargs.get("report", error)).strip())
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        raise AwsError("SerializationException", f"Cannot read the request for {operation_model.name}: {error}")


def _moto_environ(environ: dict, serialized: dict) -> dict:
    """A WSGI environ for moto: the original call's connection and signature, the new request."""
    moto_environ = {
        key: value for key, value in environ.items() if key not in _DROPPED and not key.startswith("werkzeug.")
    }
    path = serialized.get("url_path") or "/"
    moto_environ.update(REQUEST_METHOD=serialized.get("method") or "POST", PATH_INFO=path, QUERY_STRING="")
    for key in ("REQUEST_URI", "RAW_URI"):
        if key in moto_environ:
            moto_environ[key] = path
    for name, value in serialized.get("headers", {}).items():
        key = name.upper().replace("-", "_")
        moto_environ[key if key == "CONTENT_TYPE" else "HTTP_" + key] = value
    body = serialized.get("body") or b""
    if isinstance(body, dict):
        body = urlencode(body)
    restore_body(moto_environ, body.encode("utf-8") if isinstance(body, str) else body)
    return moto_environ


def _translate(response: HttpResponse, operation_model: OperationModel, protocol: str) -> HttpResponse:
    """moto's answer in ``protocol`` -> the smithy-rpc-v2-cbor answer."""
    headers = {name.lower(): value for name, value in response.headers}
    raw = {"body": response.body, "headers": headers, "status_code": response.status}
    try:
        parsed = create_parser(protocol).parse(raw, operation_model.output_shape)
    except Exception as error:  # botocore raises various errors on bodies it cannot read
        snippet = response.body[:200].decode("utf-8", "replace")
        raise AwsError("InternalFailure", f"Unreadable moto answer (HTTP {response.status}): {error}: {snippet}", 500)

    if response.status >= 301:
        return _error(parsed.get("Error") or {}, response.status, operation_model)

    request_id = headers.get("x-amzn-requestid") or parsed.get("ResponseMetadata", {}).get("RequestId") or str(uuid.uuid4())
    output_shape = operation_model.output_shape
    output = {key: value for key, value in parsed.items() if key != "ResponseMetadata"}
    body = b"" if output_shape is None else cbor.encode(conform(output, output_shape))
    out_headers = [("smithy-protocol", "rpc-v2-cbor"), ("x-amzn-RequestId", request_id), ("Content-Length", str(len(body)))]
    if body:
        out_headers.append(("Content-Type", "application/cbor"))
    return HttpResponse(response.status, out_headers, body)


def _error(error: dict, status: int, operation_model: OperationModel) -> HttpResponse:
    """moto's parsed error as a CBOR error, with the query error header where AWS sends one."""
    code = str(error.get("Code") or status)
    rendered = render(AwsError(code, str(error.get("Message") or ""), status), RPC_V2_CBOR)
    if "awsQueryCompatible" in operation_model.metadata:
        sender = error.get("Type") or ("Sender" if status < 500 else "Receiver")
        rendered.headers.append(("x-amzn-query-error", f"{code};{sender}"))
    return rendered
