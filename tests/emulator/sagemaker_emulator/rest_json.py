"""REST-JSON calls read and checked as the service's API model describes them (AppConfig, AppConfigData).

A rest-json operation spreads its input over the URI path (labels), the query
string, headers and the body (a JSON object, or one ``payload`` member sent
raw). :func:`decode` puts it back together as the operation's input structure,
typed (integers, floats, booleans) the way botocore's model for the service
declares it; :func:`check` applies the model's constraints - required members,
lengths, ranges, patterns, enums, list and map sizes - which are the constraints
printed in the service's API reference ("Length Constraints", "Valid Range",
"Pattern", "Valid Values", "Required").

A violated constraint is answered as AWS's request validation answers it
(standard format, e.g. ``1 validation error detected: Value '101.0' at
'growthFactor' failed to satisfy constraint: Member must have value less than or
equal to 100``), with the error code the service declares for bad input
(``BadRequestException`` for AppConfig, whose model has no
``ValidationException``). Patterns are applied as Smithy applies ``@pattern``:
searched, not anchored, unless the pattern anchors itself.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, unquote

from .aws_errors import AwsError, HttpResponse
from .request_info import AwsRequest, buffer_body, header, raw_path


@functools.lru_cache(maxsize=8)
def service_model(model_name: str) -> Any:
    """botocore's ``ServiceModel`` of ``model_name`` (e.g. ``appconfig``, ``appconfigdata``)."""
    from botocore.loaders import create_loader
    from botocore.model import ServiceModel

    return ServiceModel(create_loader().load_service_model(model_name, "service-2"), model_name)


def operation_model(model_name: str, operation: str) -> Any:
    return service_model(model_name).operation_model(operation)


BadInput = Callable[[str], AwsError]


def _label_pattern(request_uri: str) -> re.Pattern[str]:
    path = request_uri.split("?", 1)[0]
    parts = []
    for piece in re.split(r"(\{[^}]+\})", path):
        if piece.startswith("{"):
            name = piece[1:-1]
            greedy = name.endswith("+")
            parts.append(f"(?P<{name.rstrip('+')}>{'.+' if greedy else '[^/]+'})")
        else:
            parts.append(re.escape(piece))
    return re.compile("^" + "".join(parts) + "/?$")


def _scalar(shape: Any, raw: str, where: str, bad_input: BadInput) -> Any:
    """A URI/query/header string as the member's type."""
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            return int(raw)
        if kind in ("float", "double"):
            return float(raw)
    except ValueError:
        raise bad_input(f"Value '{raw}' at '{where}' failed to satisfy constraint: Member must be a number") from None
    if kind == "boolean":
        lowered = raw.strip().lower()
        if lowered not in ("true", "false"):
            raise bad_input(f"Value '{raw}' at '{where}' failed to satisfy constraint: Member must be a boolean")
        return lowered == "true"
    return raw


def decode(model_name: str, operation: str, request: AwsRequest, environ: dict, bad_input: BadInput) -> dict:
    """The input of ``operation`` (its members by name) from a rest-json request."""
    model = operation_model(model_name, operation)
    shape = model.input_shape
    params: dict[str, Any] = {}
    if shape is None:
        return params
    match = _label_pattern(model.http["requestUri"]).match(raw_path(environ))
    labels = {name: unquote(value) for name, value in (match.groupdict() if match else {}).items()}
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    payload_name = shape.serialization.get("payload")
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "uri" and wire_name in labels:
            params[name] = _scalar(member, labels[wire_name], _path_name(name), bad_input)
        elif location == "querystring" and wire_name in query:
            values = query[wire_name]
            if member.type_name == "list":
                params[name] = [_scalar(member.member, value, _path_name(name), bad_input) for value in values]
            else:
                params[name] = _scalar(member, values[-1], _path_name(name), bad_input)
        elif location == "header":
            value = header(environ, wire_name)
            if value is not None:
                params[name] = _scalar(member, value, _path_name(name), bad_input)
    body = request.body if request.body is not None else buffer_body(environ)
    if payload_name:
        member = shape.members[payload_name]
        if member.type_name == "blob":
            params[payload_name] = body or b""
        elif body:
            params[payload_name] = _json_object(body, bad_input)
    elif body and any("location" not in m.serialization for m in shape.members.values()):
        document = _json_object(body, bad_input)
        for name, member in shape.members.items():
            if "location" not in member.serialization and member.serialization.get("name", name) in document:
                params[name] = document[member.serialization.get("name", name)]
    return params


def _json_object(body: bytes, bad_input: BadInput) -> dict:
    try:
        value = json.loads(body)
    except ValueError:
        raise bad_input("The request body is not valid JSON.") from None
    if not isinstance(value, dict):
        raise bad_input("The request body must be a JSON object.")
    return value


def _path_name(name: str) -> str:
    """How AWS's validation messages name a member: ``GrowthFactor`` -> ``growthFactor``."""
    return name[:1].lower() + name[1:]


def _number_text(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def check(shape: Any, params: Any, path: str = "") -> list[str]:
    """The constraint violations of ``params`` against ``shape``, in AWS's wording (empty when valid)."""
    errors: list[str] = []
    _check_value(shape, params, path, errors, top=True)
    return errors


def _check_value(shape: Any, value: Any, path: str, errors: list[str], top: bool = False) -> None:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if not isinstance(value, dict):
            errors.append(f"Value '{value}' at '{path}' failed to satisfy constraint: Member must be a structure")
            return
        for name in shape.required_members:
            if value.get(name) is None:
                errors.append(f"Value null at '{_join(path, name)}' failed to satisfy constraint: Member must not be null")
        for name, member in shape.members.items():
            if value.get(name) is not None:
                _check_value(member, value[name], _join(path, name), errors)
        return
    if kind == "list":
        if not isinstance(value, list):
            errors.append(f"Value '{value}' at '{path}' failed to satisfy constraint: Member must be a list")
            return
        _length(value, len(value), meta, path, errors)
        for index, item in enumerate(value, start=1):
            if item is None:
                errors.append(f"Value null at '{path}.{index}.member' failed to satisfy constraint: Member must not be null")
            else:
                _check_value(shape.member, item, f"{path}.{index}.member", errors)
        return
    if kind == "map":
        if not isinstance(value, dict):
            errors.append(f"Value '{value}' at '{path}' failed to satisfy constraint: Member must be a map")
            return
        _length(value, len(value), meta, path, errors)
        for key, item in value.items():
            _check_value(shape.key, key, f"{path}.key", errors)
            if item is None:
                errors.append(f"Value null at '{path}.value' failed to satisfy constraint: Member must not be null")
            else:
                _check_value(shape.value, item, f"{path}.value", errors)
        return
    if kind == "string":
        if not isinstance(value, str):
            errors.append(f"Value '{value}' at '{path}' failed to satisfy constraint: Member must be a string")
            return
        _length(value, len(value), meta, path, errors)
        if shape.enum and value not in shape.enum:
            errors.append(
                f"Value '{value}' at '{path}' failed to satisfy constraint: Member must satisfy enum value set: [{', '.join(shape.enum)}]"
            )
        pattern = meta.get("pattern")
        if pattern and not _matches(pattern, value):
            errors.append(f"Value '{value}' at '{path}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}")
        return
    if kind in ("integer", "long", "float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            errors.append(f"Value '{value}' at '{path}' failed to satisfy constraint: Member must be a number")
            return
        if kind in ("integer", "long") and isinstance(value, float) and not value.is_integer():
            errors.append(f"Value '{value}' at '{path}' failed to satisfy constraint: Member must be an integer")
            return
        if "min" in meta and value < meta["min"]:
            errors.append(
                f"Value '{_number_text(value)}' at '{path}' failed to satisfy constraint: "
                f"Member must have value greater than or equal to {_number_text(meta['min'])}"
            )
        if "max" in meta and value > meta["max"]:
            errors.append(
                f"Value '{_number_text(value)}' at '{path}' failed to satisfy constraint: "
                f"Member must have value less than or equal to {_number_text(meta['max'])}"
            )
        return
    if kind == "boolean" and not isinstance(value, bool):
        errors.append(f"Value '{value}' at '{path}' failed to satisfy constraint: Member must be a boolean")


def _matches(pattern: str, value: str) -> bool:
    """Whether ``value`` satisfies the model's ``pattern``; a pattern Python's ``re`` cannot read (Java's ``\\p{L}``
    classes in SageMaker's tag patterns) is not applied."""
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return True


def _length(shown: Any, length: int, meta: dict, path: str, errors: list[str]) -> None:
    if "min" in meta and length < meta["min"]:
        errors.append(
            f"Value '{shown}' at '{path}' failed to satisfy constraint: Member must have length greater than or equal to {meta['min']}"
        )
    if "max" in meta and length > meta["max"]:
        errors.append(
            f"Value '{shown}' at '{path}' failed to satisfy constraint: Member must have length less than or equal to {meta['max']}"
        )


def _join(path: str, name: str) -> str:
    return f"{path}.{_path_name(name)}" if path else _path_name(name)


def validation_message(errors: list[str]) -> str:
    count = len(errors)
    return f"{count} validation error{'s' if count > 1 else ''} detected: {'; '.join(errors)}"


def decode_checked(model_name: str, operation: str, request: AwsRequest, environ: dict, bad_input: BadInput) -> dict:
    """:func:`decode`, then :func:`check` against the operation's input shape (raising ``bad_input``)."""
    params = decode(model_name, operation, request, environ, bad_input)
    shape = operation_model(model_name, operation).input_shape
    if shape is not None:
        errors = check(shape, params)
        if errors:
            raise bad_input(validation_message(errors))
    return params


# -- answers ------------------------------------------------------------------------------------


def json_answer(payload: dict, status: int = 200, headers: list[tuple[str, str]] | None = None) -> HttpResponse:
    """A rest-json answer: ``payload`` as the JSON body (``None`` members left out)."""
    body = json.dumps({key: value for key, value in payload.items() if value is not None}).encode("utf-8")
    base = [("Content-Type", "application/json"), ("Content-Length", str(len(body))), ("x-amzn-RequestId", str(uuid.uuid4()))]
    return HttpResponse(status, [*base, *(headers or [])], body)


def blob_answer(body: bytes, content_type: str | None, headers: list[tuple[str, str]], status: int = 200) -> HttpResponse:
    """A rest-json answer whose payload is raw bytes, its other members in ``headers``."""
    all_headers = [("Content-Length", str(len(body))), ("x-amzn-RequestId", str(uuid.uuid4())), *headers]
    if content_type:
        all_headers.append(("Content-Type", content_type))
    return HttpResponse(status, all_headers, body)


def no_content(status: int = 204) -> HttpResponse:
    return HttpResponse(status, [("Content-Length", "0"), ("x-amzn-RequestId", str(uuid.uuid4()))], b"")
