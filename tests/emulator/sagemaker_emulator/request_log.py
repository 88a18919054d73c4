"""The request log: one entry per AWS call that reached the emulator.

Each entry names the call (``service``, ``operation``, ``region``), its answer
(``status``, and ``fault`` when an injected fault answered it) and, when
given, what the caller sent (``path`` with its query, parameter ``headers``,
``body`` as text): the secrets tests check which calls carried a secret.
"""

from __future__ import annotations

from datetime import datetime, timezone

from .state_lock import EMULATOR_LOCK


class RequestLog:
    """Append-only (until cleared) list of recorded calls, guarded by the emulator lock."""

    def __init__(self) -> None:
        self._entries: list[dict] = []

    def record(
        self,
        service: str | None,
        operation: str | None,
        region: str | None,
        status: int,
        fault: str | None = None,
        sent: dict | None = None,
        attempt: int | None = None,
    ) -> None:
        """Append one call; ``time`` is an ISO 8601 UTC timestamp, ``status`` 0 when
        no answer was sent (a dropped connection), ``sent`` what the caller sent,
        ``attempt`` the SDK's attempt number of the request (its
        ``amz-sdk-request`` header), when it sent one."""
        entry = {
            "service": service or "unknown",
            "operation": operation or "unknown",
            "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "region": region,
            "status": status,
        }
        if fault:
            entry["fault"] = fault
        if sent:
            entry.update(sent)
        if attempt is not None:
            entry["attempt"] = attempt
        with EMULATOR_LOCK:
            self._entries.append(entry)

    def entries(self, service: str | None = None, operation: str | None = None) -> list[dict]:
        """A copy of the entries, optionally filtered."""
        with EMULATOR_LOCK:
            return [
                dict(entry)
                for entry in self._entries
                if (service is None or entry["service"] == service)
                and (operation is None or entry["operation"] == operation)
            ]

    def clear(self) -> None:
        with EMULATOR_LOCK:
            self._entries.clear()
