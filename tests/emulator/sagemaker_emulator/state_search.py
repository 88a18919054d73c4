"""Searching everything the emulator holds for a text (the secrets tests).

Every AWS object the emulator keeps is walked as a tree of Python values:
moto's service backends (every service used so far, every account and region:
models, endpoint configurations, buckets and their objects, roles, policies,
tags, dashboards, state machines, ...) and the emulator's own additions (the
state of the service hooks). :func:`find` returns where the text occurs, each
place with the ARN of the AWS object that holds it, so a test can assert that
a secret is held only where AWS holds it (a SageMaker model's container
environment). Nothing is listed by service: objects of services and
components added later are searched without change.
"""

from __future__ import annotations

import datetime
import enum
import io
import threading
import types
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .state_lock import EMULATOR_LOCK

# How deep the walk goes, and how much of a stored object's bytes it reads.
MAX_DEPTH = 40
MAX_BYTES = 1 << 20

# Values with nothing inside to search.
_SCALARS = (bool, int, float, complex, datetime.date, datetime.time, datetime.timedelta, enum.Enum)
# Values that are code or machinery, not data.
_SKIPPED = (
    types.ModuleType,
    type,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    io.IOBase,
    type(threading.Lock()),
    type(threading.RLock()),
    threading.Condition,
    threading.Event,
    threading.Thread,
)


@dataclass
class Match:
    """One place where the text occurs: its path in the tree and the ARN of the
    innermost AWS object around it (``None`` when no object with an ARN holds it)."""

    path: str
    owner_arn: str | None


def find(text: str, hooks: dict[str, Any]) -> dict[str, Any]:
    """Every place in moto's backends and in ``hooks`` whose value (or key) contains ``text``."""
    if not text:
        raise ValueError("the text to search for must not be empty")
    matches: list[Match] = []
    scanned = 0
    with EMULATOR_LOCK:
        roots = {**_backends(), **{f"emulator/{name}": state for name, state in hooks.items()}}
        seen: set[int] = set()
        for name, root in sorted(roots.items()):
            for path, owner, value in _leaves(root, name, None, seen, 0):
                scanned += 1
                if text in value:
                    matches.append(Match(path, owner))
    return {"matches": [match.__dict__ for match in matches], "values_scanned": scanned}


def _backends() -> dict[str, Any]:
    """moto's backends in use (each service's ``BackendDict``), by service name."""
    from moto.core.base_backend import BackendDict

    return {f"moto/{backends.service_name}": backends for backends in list(BackendDict._instances)}


def _owner(value: Any, owner: str | None) -> str | None:
    arn = getattr(value, "arn", None) if not isinstance(value, (dict, list, tuple, set, frozenset)) else None
    return arn if isinstance(arn, str) and arn.startswith("arn:") else owner


def _leaves(value: Any, path: str, owner: str | None, seen: set[int], depth: int) -> Iterator[tuple[str, str | None, str]]:
    """``(path, owner ARN, text)`` of every string (keys included) and byte string under ``value``."""
    if isinstance(value, str):
        yield path, owner, value
        return
    if isinstance(value, (bytes, bytearray, memoryview)):
        yield path, owner, bytes(value[:MAX_BYTES]).decode("utf-8", "replace")
        return
    if value is None or isinstance(value, _SCALARS) or isinstance(value, _SKIPPED) or depth > MAX_DEPTH:
        return
    if id(value) in seen:
        return
    seen.add(id(value))
    owner = _owner(value, owner)
    if isinstance(value, dict):
        for key, item in list(value.items()):
            child = f"{path}/{key}"
            yield from _leaves(key, child, owner, seen, depth + 1)
            yield from _leaves(item, child, owner, seen, depth + 1)
        return
    if isinstance(value, (list, tuple, set, frozenset)) or type(value).__name__ == "deque":
        for index, item in enumerate(list(value)):
            yield from _leaves(item, f"{path}[{index}]", owner, seen, depth + 1)
        return
    stored = _stored_object_body(value)
    if stored is not None:
        yield f"{path}.value", owner, stored
    for name, item in _attributes(value):
        yield from _leaves(item, f"{path}.{name}", owner, seen, depth + 1)


def _attributes(value: Any) -> list[tuple[str, Any]]:
    """An object's own attributes (``__dict__`` and ``__slots__``), private ones included."""
    found = list(vars(value).items()) if hasattr(value, "__dict__") else []
    for cls in type(value).__mro__:
        for slot in getattr(cls, "__slots__", ()):
            if isinstance(slot, str) and hasattr(value, slot):
                found.append((slot, getattr(value, slot)))
    return found


def _stored_object_body(value: Any) -> str | None:
    """The content of an S3 object (moto keeps it in a temporary file, not an attribute)."""
    import sys

    s3 = sys.modules.get("moto.s3.models")
    if s3 is None or not isinstance(value, s3.FakeKey):
        return None
    try:
        return bytes(value.value[:MAX_BYTES]).decode("utf-8", "replace")
    except (OSError, ValueError):
        return None
