"""Choice rules of the Amazon States Language: which branch a ``Choice`` state takes.

Sources: Amazon States Language specification, "Choice State"
(https://states-language.net/spec.html#choice-state), and the Step Functions Developer
Guide, "Choice workflow state" (https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html):

* a rule is a Boolean combination (``And`` / ``Or`` lists, ``Not`` one rule) or a
  comparison of ``Variable`` with one operator: ``String*``, ``Numeric*``,
  ``Boolean*``, ``Timestamp*`` (``Equals``, ``LessThan``, ``GreaterThan``,
  ``LessThanEquals``, ``GreaterThanEquals``), their ``...Path`` forms comparing with
  another path, ``StringMatches`` (``*`` wildcard, ``\\*`` / ``\\\\`` escaped), and the
  type tests ``IsNull``, ``IsPresent``, ``IsString``, ``IsNumeric``, ``IsBoolean``,
  ``IsTimestamp``;
* a comparison of values of another type is false ("the value of the Variable field
  ... is compared ... If the types differ, the comparison is false");
* a ``Variable`` path that selects nothing fails the execution (``States.Runtime``),
  except for ``IsPresent``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from . import sfn_paths
from .sfn_errors import RUNTIME, StatesError

_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
    "LessThanEquals": operator.le,
    "GreaterThanEquals": operator.ge,
}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _timestamp(value: Any) -> datetime | None:
    """An RFC 3339 timestamp as Step Functions reads them (``2024-01-01T00:00:00Z``), else ``None``."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _string_matches(value: str, pattern: str) -> bool:
    parts = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            parts.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        parts.append(".*" if char == "*" else re.escape(char))
        index += 1
    return re.fullmatch("".join(parts), value, re.DOTALL) is not None


_TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "IsNull": lambda value: value is None,
    "IsString": lambda value: isinstance(value, str),
    "IsNumeric": _is_number,
    "IsBoolean": lambda value: isinstance(value, bool),
    "IsTimestamp": lambda value: _timestamp(value) is not None,
}


def _compare(kind: str, relation: str, left: Any, right: Any) -> bool:
    if kind == "String":
        if not isinstance(left, str) or not isinstance(right, str):
            return False
    elif kind == "Numeric":
        if not _is_number(left) or not _is_number(right):
            return False
    elif kind == "Boolean":
        if relation != "Equals" or not isinstance(left, bool) or not isinstance(right, bool):
            return False
    elif kind == "Timestamp":
        left, right = _timestamp(left), _timestamp(right)
        if left is None or right is None:
            return False
    return _ORDER[relation](left, right)


def _operator(rule: dict) -> str:
    for key in rule:
        if key not in ("Variable", "Next", "Comment"):
            return key
    raise StatesError(RUNTIME, f"A choice rule has no comparison operator: {rule}")


def evaluate(rule: dict, data: Any, context: dict) -> bool:
    """Whether ``rule`` holds for the state's (effective) input ``data``."""
    if "And" in rule:
        return all(evaluate(each, data, context) for each in rule["And"])
    if "Or" in rule:
        return any(evaluate(each, data, context) for each in rule["Or"])
    if "Not" in rule:
        return not evaluate(rule["Not"], data, context)
    variable = rule.get("Variable")
    if not isinstance(variable, str):
        raise StatesError(RUNTIME, f"A choice rule has no Variable: {rule}")
    name = _operator(rule)
    expected = rule[name]
    if name == "IsPresent":
        return sfn_paths.has(variable, data, context) == bool(expected)
    value = sfn_paths.read(variable, data, context)
    if name in _TYPE_TESTS:
        return _TYPE_TESTS[name](value) == bool(expected)
    if name == "StringMatches":
        return isinstance(value, str) and isinstance(expected, str) and _string_matches(value, expected)
    by_path = name.endswith("Path")
    base = name[: -len("Path")] if by_path else name
    for kind in ("String", "Numeric", "Boolean", "Timestamp"):
        if base.startswith(kind) and base[len(kind):] in _ORDER:
            other = sfn_paths.read(expected, data, context) if by_path else expected
            return _compare(kind, base[len(kind):], value, other)
    raise StatesError(RUNTIME, f"Unsupported choice operator '{name}'")


def next_state(state: dict, data: Any, context: dict) -> str | None:
    """The ``Next`` of the first rule of ``Choices`` that holds, else ``Default`` (``None`` when absent)."""
    for rule in state.get("Choices") or []:
        if evaluate(rule, data, context):
            return rule["Next"]
    return state.get("Default")
