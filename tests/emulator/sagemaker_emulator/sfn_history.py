"""An execution's event history, as ``GetExecutionHistory`` answers it.

Event types and their detail members are those of the Step Functions API reference,
"HistoryEvent" (https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html):
``ExecutionStarted`` / ``ExecutionSucceeded`` / ``ExecutionFailed`` / ``ExecutionAborted``,
``<Type>StateEntered`` / ``<Type>StateExited`` (``stateEnteredEventDetails``,
``stateExitedEventDetails``), ``TaskScheduled``, ``TaskStarted``, ``TaskSubmitted``,
``TaskSucceeded``, ``TaskFailed``, ``WaitStateAborted``, ... Each event has an ``id``
(from 1), the ``previousEventId`` and a ``timestamp``.
"""

from __future__ import annotations

from collections.abc import Callable

from .state_lock import EMULATOR_LOCK

# State type -> the prefix of its StateEntered / StateExited events.
STATE_EVENT_PREFIX = {
    "Task": "Task",
    "Pass": "Pass",
    "Choice": "Choice",
    "Wait": "Wait",
    "Succeed": "Succeed",
    "Fail": "Fail",
    "Parallel": "Parallel",
    "Map": "Map",
}

# Event type -> its details member.
_DETAILS = {
    "ExecutionStarted": "executionStartedEventDetails",
    "ExecutionSucceeded": "executionSucceededEventDetails",
    "ExecutionFailed": "executionFailedEventDetails",
    "ExecutionAborted": "executionAbortedEventDetails",
    "TaskScheduled": "taskScheduledEventDetails",
    "TaskStarted": "taskStartedEventDetails",
    "TaskSubmitted": "taskSubmittedEventDetails",
    "TaskSucceeded": "taskSucceededEventDetails",
    "TaskFailed": "taskFailedEventDetails",
}


def _details_member(event_type: str) -> str:
    if event_type in _DETAILS:
        return _DETAILS[event_type]
    if event_type.endswith("StateEntered"):
        return "stateEnteredEventDetails"
    if event_type.endswith("StateExited"):
        return "stateExitedEventDetails"
    return event_type[0].lower() + event_type[1:] + "EventDetails"


class ExecutionHistory:
    """The events of one execution, appended as it runs (guarded by the emulator lock)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._events: list[dict] = []

    def add(self, event_type: str, details: dict | None = None) -> int:
        with EMULATOR_LOCK:
            event_id = len(self._events) + 1
            event = {"timestamp": self._clock(), "type": event_type, "id": event_id, "previousEventId": event_id - 1}
            if details is not None:
                event[_details_member(event_type)] = details
            self._events.append(event)
            return event_id

    def events(self) -> list[dict]:
        with EMULATOR_LOCK:
            return [dict(event) for event in self._events]

    def types(self) -> list[str]:
        with EMULATOR_LOCK:
            return [event["type"] for event in self._events]
