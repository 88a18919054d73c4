"""Input and output processing of Amazon States Language states: paths, templates, intrinsic functions.

Sources: Amazon States Language specification (https://states-language.net/spec.html),
sections "Paths", "Reference Paths", "Input and Output Processing" (``InputPath``,
``Parameters``, ``ResultSelector``, ``ResultPath``, ``OutputPath``) and "Intrinsic
Functions"; Step Functions Developer Guide, "Processing input and output in Step
Functions" and "Intrinsic functions for JSONPath states"
(https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html).

* A path starts with ``$`` (the state's input) or ``$$`` (the context object) and
  goes on with ``.name``, ``['name']`` and ``[index]`` steps (reference paths; the
  emulator does not evaluate filters or ``*``).
* In ``Parameters`` and ``ResultSelector``, a key ending in ``.$`` takes the value of
  its path (or intrinsic function) and loses the suffix; other values are copied.
* ``ResultPath``: ``$`` (default) replaces the input with the result, ``null``
  discards the result, a reference path puts it there, creating objects on the way.
* ``InputPath`` / ``OutputPath`` ``null`` give ``{}``.

A path that selects nothing is ``States.Runtime`` (the spec: "If a path ... does not
match anything in the input ... the interpreter MUST raise States.Runtime"); the
message follows Step Functions' ("The JSONPath '$.x' specified for the field 'x.$'
could not be found in the input '...'", as quoted in public reports).
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from typing import Any

from .sfn_errors import INTRINSIC_FAILURE, RUNTIME, StatesError

_STEP = re.compile(r"\.([^.\[\]]+)|\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\]")
_MISSING = object()


def _steps(path: str) -> list[str | int]:
    """The steps of a reference path after its ``$`` / ``$$`` root."""
    root = "$$" if path.startswith("$$") else "$"
    rest = path[len(root):]
    steps: list[str | int] = []
    position = 0
    while position < len(rest):
        match = _STEP.match(rest, position)
        if match is None:
            raise StatesError(RUNTIME, f"Invalid path '{path}': unsupported JSONPath syntax at '{rest[position:]}'")
        name, quoted, index = match.groups()
        steps.append(int(index) if index is not None else (name if name is not None else quoted.replace("\\'", "'")))
        position = match.end()
    return steps


def is_path(value: object) -> bool:
    return isinstance(value, str) and value.startswith("$")


def select(path: str, data: Any, context: dict | None = None) -> Any:
    """The value at ``path``, or ``_MISSING``."""
    if not is_path(path):
        raise StatesError(RUNTIME, f"Invalid path '{path}': a path starts with '$'")
    value = context if path.startswith("$$") else data
    for step in _steps(path):
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                return _MISSING
            value = value[step]
        else:
            if not isinstance(value, dict) or step not in value:
                return _MISSING
            value = value[step]
    return value


def read(path: str, data: Any, context: dict | None = None, field: str | None = None) -> Any:
    """The value at ``path``; ``States.Runtime`` when the path selects nothing."""
    value = select(path, data, context)
    if value is _MISSING:
        where = f" specified for the field '{field}'" if field else ""
        raise StatesError(RUNTIME, f"The JSONPath '{path}'{where} could not be found in the input '{json.dumps(data)}'")
    return copy.deepcopy(value)


def has(path: str, data: Any, context: dict | None = None) -> bool:
    return select(path, data, context) is not _MISSING


def input_path(path: str | None, data: Any, context: dict) -> Any:
    """``InputPath`` / ``OutputPath``: ``null`` -> ``{}``, absent -> ``$``."""
    if path is None:
        return {}
    return read(path, data, context)


def template(value: Any, data: Any, context: dict) -> Any:
    """``Parameters`` / ``ResultSelector``: ``"key.$"`` entries evaluated against ``data``."""
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if key.endswith(".$"):
                if not isinstance(item, str):
                    raise StatesError(RUNTIME, f"The value of the field '{key}' must be a path or an intrinsic function")
                result[key[:-2]] = _dynamic(item, data, context, key)
            else:
                result[key] = template(item, data, context)
        return result
    if isinstance(value, list):
        return [template(item, data, context) for item in value]
    return copy.deepcopy(value)


def _dynamic(expression: str, data: Any, context: dict, field: str) -> Any:
    if expression.startswith("$"):
        return read(expression, data, context, field)
    if expression.startswith("States."):
        return IntrinsicParser(expression, data, context).evaluate()
    raise StatesError(RUNTIME, f"The value '{expression}' of the field '{field}' is neither a path nor an intrinsic function")


def result_path(path: Any, state_input: Any, result: Any) -> Any:
    """Combine the state's input and its result as ``ResultPath`` says."""
    if path is None:
        return copy.deepcopy(state_input)
    if path == "$":
        return copy.deepcopy(result)
    if not isinstance(path, str) or not path.startswith("$") or path.startswith("$$"):
        raise StatesError(RUNTIME, f"Invalid ResultPath '{path}'")
    steps = _steps(path)
    output = copy.deepcopy(state_input)
    if not isinstance(output, dict):
        raise StatesError(RUNTIME, f"Unable to apply ResultPath '{path}' to input '{json.dumps(state_input)}': the input is not an object")
    target = output
    for step in steps[:-1]:
        if isinstance(step, int) or not isinstance(target, dict):
            raise StatesError(RUNTIME, f"Unable to apply ResultPath '{path}': array steps are not allowed")
        nested = target.get(step)
        if not isinstance(nested, dict):
            nested = {}
            target[step] = nested
        target = nested
    last = steps[-1]
    if isinstance(last, int):
        raise StatesError(RUNTIME, f"Unable to apply ResultPath '{path}': array steps are not allowed")
    target[last] = copy.deepcopy(result)
    return output


class IntrinsicParser:
    """Evaluates one intrinsic function call such as ``States.Format('job-{}', $.id)``.

    Functions (Developer Guide, "Intrinsic functions"): ``States.Format``,
    ``States.StringToJson``, ``States.JsonToString``, ``States.Array``,
    ``States.ArrayGetItem``, ``States.ArrayLength``, ``States.ArrayContains``,
    ``States.MathAdd``, ``States.StringSplit``, ``States.UUID``. Arguments are
    string literals in single quotes (``\\'``, ``\\{``, ``\\}``, ``\\\\`` escaped),
    numbers, ``true`` / ``false`` / ``null``, paths and nested calls. A failure is
    ``States.IntrinsicFailure``.
    """

    def __init__(self, text: str, data: Any, context: dict) -> None:
        self.text = text
        self.position = 0
        self.data = data
        self.context = context

    def evaluate(self) -> Any:
        value = self._call()
        self._skip_spaces()
        if self.position != len(self.text):
            self._fail("unexpected text after the function call")
        return value

    def _fail(self, why: str) -> None:
        raise StatesError(INTRINSIC_FAILURE, f"Invalid intrinsic function '{self.text}': {why}")

    def _skip_spaces(self) -> None:
        while self.position < len(self.text) and self.text[self.position] == " ":
            self.position += 1

    def _call(self) -> Any:
        match = re.compile(r"States\.[A-Za-z]+").match(self.text, self.position)
        if match is None:
            self._fail("expected a function name")
        name = match.group(0)
        self.position = match.end()
        if self.position >= len(self.text) or self.text[self.position] != "(":
            self._fail(f"expected '(' after {name}")
        self.position += 1
        arguments = []
        self._skip_spaces()
        if self.text[self.position:self.position + 1] == ")":
            self.position += 1
        else:
            while True:
                arguments.append(self._argument())
                self._skip_spaces()
                char = self.text[self.position:self.position + 1]
                self.position += 1
                if char == ")":
                    break
                if char != ",":
                    self._fail("expected ',' or ')'")
        return self._apply(name, arguments)

    def _argument(self) -> Any:
        self._skip_spaces()
        rest = self.text[self.position:]
        if rest.startswith("'"):
            return self._string()
        if rest.startswith("States."):
            return self._call()
        if rest.startswith("$"):
            match = re.compile(r"\$\$?(?:\.[^.\[\]\s,()]+|\['(?:[^'\\]|\\.)*'\]|\[\d+\])*").match(self.text, self.position)
            self.position = match.end()
            return read(match.group(0), self.data, self.context)
        match = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null").match(self.text, self.position)
        if match is None:
            self._fail(f"unexpected argument at '{rest}'")
        self.position = match.end()
        return json.loads(match.group(0))

    def _string(self) -> str:
        self.position += 1
        chars = []
        while self.position < len(self.text):
            char = self.text[self.position]
            if char == "\\" and self.position + 1 < len(self.text):
                chars.append("\\" + self.text[self.position + 1])
                self.position += 2
                continue
            if char == "'":
                self.position += 1
                return "".join(chars)
            chars.append(char)
            self.position += 1
        self._fail("unterminated string")
        return ""

    @staticmethod
    def _unescape(text: str) -> str:
        return re.sub(r"\\(.)", r"\1", text)

    def _apply(self, name: str, arguments: list) -> Any:
        if name == "States.Format":
            return self._format(arguments)
        if name == "States.StringToJson":
            self._expect(name, arguments, 1)
            try:
                return json.loads(self._unescape(arguments[0]))
            except (TypeError, ValueError):
                self._fail("the argument of States.StringToJson is not a JSON string")
        if name == "States.JsonToString":
            self._expect(name, arguments, 1)
            return json.dumps(arguments[0], separators=(",", ":"))
        if name == "States.Array":
            return [self._plain(argument) for argument in arguments]
        if name == "States.ArrayGetItem":
            self._expect(name, arguments, 2)
            items, index = arguments
            if not isinstance(items, list) or not isinstance(index, int) or not 0 <= index < len(items):
                self._fail("States.ArrayGetItem needs an array and an index inside it")
            return items[index]
        if name == "States.ArrayLength":
            self._expect(name, arguments, 1)
            if not isinstance(arguments[0], list):
                self._fail("States.ArrayLength needs an array")
            return len(arguments[0])
        if name == "States.ArrayContains":
            self._expect(name, arguments, 2)
            return isinstance(arguments[0], list) and arguments[1] in arguments[0]
        if name == "States.MathAdd":
            self._expect(name, arguments, 2)
            if not all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in arguments):
                self._fail("States.MathAdd needs two numbers")
            return arguments[0] + arguments[1]
        if name == "States.StringSplit":
            self._expect(name, arguments, 2)
            text, separators = (self._plain(a) for a in arguments)
            return [part for part in re.split("|".join(map(re.escape, separators)) or "$^", text) if part]
        if name == "States.UUID":
            self._expect(name, arguments, 0)
            return str(uuid.uuid4())
        self._fail(f"the function {name} is not supported by the emulator")
        return None

    def _plain(self, value: Any) -> Any:
        return self._unescape(value) if isinstance(value, str) else value

    def _expect(self, name: str, arguments: list, count: int) -> None:
        if len(arguments) != count:
            self._fail(f"{name} takes {count} argument(s), got {len(arguments)}")

    def _format(self, arguments: list) -> str:
        if not arguments or not isinstance(arguments[0], str):
            self._fail("States.Format needs a format string first")
        pattern, values = arguments[0], list(arguments[1:])
        pieces = []
        position = 0
        used = 0
        while position < len(pattern):
            char = pattern[position]
            if char == "\\" and position + 1 < len(pattern):
                pieces.append(pattern[position + 1])
                position += 2
                continue
            if pattern.startswith("{}", position):
                if used >= len(values):
                    self._fail("more {} placeholders than arguments")
                value = values[used]
                used += 1
                pieces.append(value if isinstance(value, str) else json.dumps(value, separators=(",", ":")))
                position += 2
                continue
            pieces.append(char)
            position += 1
        if used != len(values):
            self._fail("more arguments than {} placeholders")
        return "".join(pieces)
