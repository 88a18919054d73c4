"""Endpoint status timelines: ``Creating``, ``Updating``, ``RollingBack`` and their outcomes.

moto makes every endpoint ``InService`` at once. Here each long-running endpoint
operation is a small state machine over wall-clock time. Nothing runs in the
background: :meth:`EndpointLifecycle.advance` is called before every SageMaker
request and moves each pending operation through the phases whose time has
passed, writing the status (and, at the end, the outcome) into moto's own
``FakeEndpoint`` object, so moto's DescribeEndpoint / ListEndpoints answer it.
Transition times are exact (``LastModifiedTime`` is when the phase ended, not
when someone looked).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

IN_SERVICE = "InService"
FAILED = "Failed"
TERMINAL = (IN_SERVICE, FAILED)


def moto_time(seconds: float) -> datetime:
    """A wall-clock time as moto stores it (naive UTC datetime)."""
    return datetime.fromtimestamp(seconds, timezone.utc).replace(tzinfo=None)


class EndpointOperation:
    """A timed operation on one endpoint.

    It starts in ``status``; every ``seconds`` the current phase ends and
    :meth:`next_phase` says what comes next. A terminal status ends it.
    """

    def __init__(self, backend: Any, endpoint: Any, status: str, seconds: float, now: float):
        self.backend = backend
        self.endpoint = endpoint
        self.seconds = seconds
        self.status = status
        self.phase_start = now
        self._enter(status, now)

    def _enter(self, status: str, at: float) -> None:
        self.status = status
        self.phase_start = at
        self.endpoint.endpoint_status = status
        self.endpoint.last_modified_time = moto_time(at)

    def next_phase(self, at: float) -> str:
        """Apply the end of the current phase (at time ``at``); return the next status."""
        raise NotImplementedError

    def is_current(self) -> bool:
        """False once the endpoint was deleted (or replaced) in moto."""
        return self.backend.endpoints.get(self.endpoint.endpoint_name) is self.endpoint

    def advance(self, now: float) -> bool:
        """Move through every phase that has ended by ``now``; True when finished."""
        while now >= self.phase_start + self.seconds:
            at = self.phase_start + self.seconds
            self._enter(self.next_phase(at), at)
            if self.status in TERMINAL:
                return True
        return False


class EndpointCreation(EndpointOperation):
    """``Creating`` -> ``InService``, or ``Failed`` with a FailureReason.

    ``check`` runs when creation ends and returns a failure reason or ``None``.
    """

    def __init__(self, backend: Any, endpoint: Any, seconds: float, now: float, check: Callable[[], str | None]):
        endpoint.failure_reason = None
        super().__init__(backend, endpoint, "Creating", seconds, now)
        self._check = check

    def next_phase(self, at: float) -> str:
        reason = self._check()
        if reason:
            self.endpoint.failure_reason = reason
            return FAILED
        return IN_SERVICE


class EndpointUpdate(EndpointOperation):
    """``Updating`` -> ``InService`` on the new config, or
    ``Updating`` -> ``RollingBack`` -> ``InService`` on the old config with a FailureReason.

    ``check`` runs when ``Updating`` ends and returns a failure reason or ``None``;
    ``apply`` switches the moto endpoint to the new config.
    """

    def __init__(
        self,
        backend: Any,
        endpoint: Any,
        seconds: float,
        now: float,
        check: Callable[[], str | None],
        apply: Callable[[], None],
    ):
        endpoint.failure_reason = None
        super().__init__(backend, endpoint, "Updating", seconds, now)
        self._check = check
        self._apply = apply

    def next_phase(self, at: float) -> str:
        self.endpoint.pending_deployment_summary = None
        if self.status == "RollingBack":
            return IN_SERVICE
        reason = self._check()
        if reason:
            self.endpoint.failure_reason = reason
            return "RollingBack"
        self._apply()
        return IN_SERVICE


class WeightsUpdate(EndpointOperation):
    """``Updating`` -> ``InService`` with each variant's current weight/count set to the desired one."""

    def __init__(self, backend: Any, endpoint: Any, seconds: float, now: float):
        super().__init__(backend, endpoint, "Updating", seconds, now)

    def next_phase(self, at: float) -> str:
        for variant in self.endpoint.production_variants:
            for field in ("Weight", "InstanceCount", "ServerlessConfig"):
                if "Desired" + field in variant:
                    variant["Current" + field] = variant["Desired" + field]
        return IN_SERVICE


class EndpointLifecycle:
    """All pending endpoint operations, keyed by (account, region, endpoint name)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.RLock()
        self._operations: dict[tuple[str, str, str], EndpointOperation] = {}
        self.clock = clock

    def start(self, key: tuple[str, str, str], operation: EndpointOperation) -> None:
        with self._lock:
            self._operations[key] = operation

    def forget(self, key: tuple[str, str, str]) -> None:
        with self._lock:
            self._operations.pop(key, None)

    def in_progress(self, key: tuple[str, str, str]) -> bool:
        with self._lock:
            return key in self._operations

    def advance(self) -> None:
        """Bring every pending operation up to the current time."""
        now = self.clock()
        with self._lock:
            for key, operation in list(self._operations.items()):
                if not operation.is_current() or operation.advance(now):
                    del self._operations[key]

    def clear(self) -> None:
        with self._lock:
            self._operations.clear()
