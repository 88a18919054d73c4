"""Errors inside a Step Functions execution, and how Retry / Catch match them.

Amazon States Language (https://states-language.net/spec.html, "Errors") and the
Step Functions Developer Guide, "Handling errors in Step Functions workflows"
(https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html):

* an error has a name (``Error``) and a human-readable ``Cause``;
* ``States.ALL`` "matches any known error name" but cannot catch
  ``States.DataLimitExceeded`` nor ``States.Runtime`` (terminal);
* ``States.TaskFailed`` "matches any known error name except for ``States.Timeout``"
  (and, like ``States.ALL``, not the terminal ``States.Runtime``);
* a retrier or catcher whose ``ErrorEquals`` contains ``States.ALL`` must list it alone
  and be the last one (checked by :mod:`sfn_definition`).
"""

from __future__ import annotations

ALL = "States.ALL"
TASK_FAILED = "States.TaskFailed"
RUNTIME = "States.Runtime"
TIMEOUT = "States.Timeout"
NO_CHOICE_MATCHED = "States.NoChoiceMatched"
INTRINSIC_FAILURE = "States.IntrinsicFailure"
DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"

_TERMINAL = (RUNTIME, DATA_LIMIT_EXCEEDED)


class StatesError(Exception):
    """An error raised in a state: ``error`` (its name) and ``cause``."""

    def __init__(self, error: str, cause: str = "") -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


class ExecutionAborted(Exception):
    """The execution was stopped (``StopExecution``) or the emulator reset while a state ran."""


def matches(error_equals: list, error: str) -> bool:
    """Whether a retrier's or catcher's ``ErrorEquals`` covers ``error``."""
    for name in error_equals:
        if name == error:
            return True
        if name == ALL and error not in _TERMINAL:
            return True
        if name == TASK_FAILED and error not in _TERMINAL and error != TIMEOUT:
            return True
    return False
