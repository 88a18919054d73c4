"""Composite alarms: their ``AlarmRule`` expressions and the state they give the alarm.

Source: CloudWatch API Reference, PutCompositeAlarm, ``AlarmRule``
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html):
functions ``ALARM("alarm-name or alarm-ARN")``, ``OK(...)``, ``INSUFFICIENT_DATA(...)``
("TRUE if the named alarm is in ... state"), the constants ``TRUE`` / ``FALSE``,
operators ``AND``, ``OR``, ``NOT`` and parentheses; "Alarm names specified in AlarmRule
can be surrounded with double-quotes ("), but do not have to be"; at most 10240
characters. "When this operation creates an alarm, the alarm state is immediately set
to INSUFFICIENT_DATA. The alarm is then evaluated and its state is set appropriately."

Precedence: ``NOT`` binds tighter than ``AND``, which binds tighter than ``OR`` (the
reference does not say; this is the usual Boolean reading). An alarm that does not exist
is in no state (its function is false) - what AWS does then is not documented.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

MAX_RULE_LENGTH = 10240
STATES = ("ALARM", "OK", "INSUFFICIENT_DATA")
_TOKEN = re.compile(r'\s*(?:(\()|(\))|(ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*(?:"([^"]*)"|([^)"]*?))\s*\)|(TRUE|FALSE|AND|OR|NOT))')


class RuleError(ValueError):
    """An AlarmRule that is not a valid expression."""


@dataclass(frozen=True)
class Token:
    kind: str  # "(", ")", "state", "word"
    value: str = ""
    alarm: str = ""


def tokens(rule: str) -> list[Token]:
    found: list[Token] = []
    position = 0
    while position < len(rule):
        if rule[position:].strip() == "":
            break
        match = _TOKEN.match(rule, position)
        if match is None:
            raise RuleError(f"Error in alarm rule expression at position {position}: '{rule[position:position + 30]}'")
        opening, closing, state, quoted, bare, word = match.groups()
        if opening:
            found.append(Token("("))
        elif closing:
            found.append(Token(")"))
        elif state:
            alarm = quoted if quoted is not None else bare
            if not alarm:
                raise RuleError(f"Error in alarm rule expression: {state}() names no alarm")
            found.append(Token("state", state, alarm))
        else:
            found.append(Token("word", word))
        position = match.end()
    return found


class _Parser:
    def __init__(self, items: list[Token], state_of: Callable[[str], str | None]) -> None:
        self.items = items
        self.position = 0
        self.state_of = state_of

    def parse(self) -> bool:
        if not self.items:
            raise RuleError("Error in alarm rule expression: the rule is empty")
        value = self._or()
        if self.position != len(self.items):
            raise RuleError("Error in alarm rule expression: unexpected text after a complete expression")
        return value

    def _peek(self) -> Token | None:
        return self.items[self.position] if self.position < len(self.items) else None

    def _or(self) -> bool:
        value = self._and()
        while (token := self._peek()) is not None and token.kind == "word" and token.value == "OR":
            self.position += 1
            right = self._and()
            value = value or right
        return value

    def _and(self) -> bool:
        value = self._not()
        while (token := self._peek()) is not None and token.kind == "word" and token.value == "AND":
            self.position += 1
            right = self._not()
            value = value and right
        return value

    def _not(self) -> bool:
        token = self._peek()
        if token is not None and token.kind == "word" and token.value == "NOT":
            self.position += 1
            return not self._not()
        return self._atom()

    def _atom(self) -> bool:
        token = self._peek()
        if token is None:
            raise RuleError("Error in alarm rule expression: the expression ends too early")
        self.position += 1
        if token.kind == "(":
            value = self._or()
            closing = self._peek()
            if closing is None or closing.kind != ")":
                raise RuleError("Error in alarm rule expression: missing ')'")
            self.position += 1
            return value
        if token.kind == "state":
            return self.state_of(token.alarm) == token.value
        if token.kind == "word" and token.value in ("TRUE", "FALSE"):
            return token.value == "TRUE"
        raise RuleError(f"Error in alarm rule expression: unexpected '{token.value or token.kind}'")


def check(rule: object) -> None:
    """Raise :class:`RuleError` unless ``rule`` is a valid AlarmRule."""
    if not isinstance(rule, str) or not rule.strip():
        raise RuleError("AlarmRule is required")
    if len(rule) > MAX_RULE_LENGTH:
        raise RuleError(f"AlarmRule must have length less than or equal to {MAX_RULE_LENGTH}")
    _Parser(tokens(rule), lambda alarm: None).parse()


def evaluate(rule: str, state_of: Callable[[str], str | None]) -> bool:
    """Whether the rule holds, ``state_of(name or ARN)`` giving each referenced alarm's state."""
    return _Parser(tokens(rule), state_of).parse()


def referenced(rule: str) -> list[str]:
    return [token.alarm for token in tokens(rule) if token.kind == "state"]
