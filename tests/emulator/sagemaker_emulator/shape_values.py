"""Make plain decoded values fit a botocore shape.

CBOR (and JSON) values carry no model: a ``Double`` may arrive as ``5``, a
structure may hold members the model does not know. Serializers and strict
decoders (the Rust SDK reads a ``Double`` only from a CBOR float) need values
of the modelled types, so :func:`conform` walks a value along its shape,
drops unknown members and ``None``\\s, and coerces scalars.
"""

from __future__ import annotations

import datetime
from typing import Any

from botocore.model import Shape
from botocore.utils import parse_timestamp

_UTC = datetime.timezone.utc


def conform(value: Any, shape: Shape | None) -> Any:
    """``value`` with the Python types botocore uses for ``shape``; other values pass unchanged."""
    if shape is None or value is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        return {key: conform(item, members[key]) for key, item in value.items() if key in members and item is not None}
    if kind == "list" and isinstance(value, list):
        return [conform(item, shape.member) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: conform(item, shape.value) for key, item in value.items()}
    scalar = _SCALARS.get(kind)
    if scalar is None:
        return value
    try:
        return scalar(value)
    except (TypeError, ValueError, OverflowError):
        return value  # left for the serializer's validation to report


def _number(value: Any) -> Any:
    return value if isinstance(value, bool) else float(value)


def _integer(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and not value.is_integer():
        return value
    return int(value)


def _timestamp(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=_UTC)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.datetime.fromtimestamp(value, _UTC)
    if isinstance(value, str):
        return parse_timestamp(value)
    return value


def _blob(value: Any) -> Any:
    return value.encode("utf-8") if isinstance(value, str) else value


_SCALARS = {
    "float": _number,
    "double": _number,
    "integer": _integer,
    "long": _integer,
    "timestamp": _timestamp,
    "blob": _blob,
}
