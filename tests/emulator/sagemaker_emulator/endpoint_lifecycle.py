"""Endpoint status timelines: ``Creating``, ``Updating``, ``RollingBack`` and their outcomes.

moto makes every endpoint ``InService`` at once. Here each long-running endpoint
operation is a :class:`~timeline.Timeline` over wall-clock time, keyed by
(account, region, endpoint name) in the SageMaker hooks' :class:`~timeline.Timelines`,
which are advanced before every SageMaker request. Entering a phase writes the
status (and, at the end, the outcome) into moto's own ``FakeEndpoint`` object,
so moto's DescribeEndpoint / ListEndpoints answer it. Transition times are exact
(``LastModifiedTime`` is when the phase ended, not when someone looked).

* creation: ``Creating`` -> ``InService``, or ``Failed`` with a ``FailureReason``;
* update: ``Updating`` -> ``InService`` on the new config, or
  ``Updating`` -> ``RollingBack`` -> ``InService`` on the old config with a ``FailureReason``;
* weights and capacities: ``Updating`` -> ``InService`` with current = desired.

A timeline stops being followed once its endpoint was deleted (or replaced) in moto.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime, timezone
from typing import Any

from .timeline import Phase, Timeline, Timelines

CREATING = "Creating"
UPDATING = "Updating"
ROLLING_BACK = "RollingBack"
IN_SERVICE = "InService"
FAILED = "Failed"

# A check run when a phase ends: the failure reason, or None when all is well.
Check = Callable[[], "str | None"]


def moto_time(seconds: float) -> datetime:
    """A wall-clock time as moto stores it (naive UTC datetime)."""
    return datetime.fromtimestamp(seconds, timezone.utc).replace(tzinfo=None)


def start_creation(endpoints: Timelines, key: Hashable, backend: Any, endpoint: Any, seconds: float, check: Check) -> Timeline:
    """``Creating`` for ``seconds``, then ``InService``, or ``Failed`` if ``check`` gives a reason."""
    endpoint.failure_reason = None

    def end_of_creating(at: float) -> list[Phase] | None:
        reason = check()
        if reason:
            endpoint.failure_reason = reason
            return [Phase(FAILED)]
        return None

    return _start(endpoints, key, backend, endpoint, [Phase(CREATING, seconds, then=end_of_creating), Phase(IN_SERVICE)])


def start_update(
    endpoints: Timelines,
    key: Hashable,
    backend: Any,
    endpoint: Any,
    seconds: float,
    check: Check,
    apply: Callable[[], None],
) -> Timeline:
    """``Updating`` for ``seconds``; then ``apply()`` (switch to the new config) and ``InService``,
    or, if ``check`` gives a reason, ``RollingBack`` for ``seconds`` and ``InService`` on the old config."""
    endpoint.failure_reason = None

    def end_of_updating(at: float) -> list[Phase] | None:
        endpoint.pending_deployment_summary = None
        reason = check()
        if reason:
            endpoint.failure_reason = reason
            return [Phase(ROLLING_BACK, seconds), Phase(IN_SERVICE)]
        apply()
        return None

    return _start(endpoints, key, backend, endpoint, [Phase(UPDATING, seconds, then=end_of_updating), Phase(IN_SERVICE)])


def start_weights_update(endpoints: Timelines, key: Hashable, backend: Any, endpoint: Any, seconds: float) -> Timeline:
    """``Updating`` for ``seconds``, then ``InService`` with each variant's current weight/count set to the desired one."""

    def end_of_updating(at: float) -> None:
        for variant in endpoint.production_variants:
            for field in ("Weight", "InstanceCount", "ServerlessConfig"):
                if "Desired" + field in variant:
                    variant["Current" + field] = variant["Desired" + field]

    return _start(endpoints, key, backend, endpoint, [Phase(UPDATING, seconds, then=end_of_updating), Phase(IN_SERVICE)])


def _start(endpoints: Timelines, key: Hashable, backend: Any, endpoint: Any, phases: list[Phase]) -> Timeline:
    """Run ``phases`` on moto's ``endpoint``, showing each status there, while it is the endpoint of its name."""

    def show(state: str, at: float) -> None:
        endpoint.endpoint_status = state
        endpoint.last_modified_time = moto_time(at)

    def alive() -> bool:
        return backend.endpoints.get(endpoint.endpoint_name) is endpoint

    return endpoints.start(key, phases, on_enter=show, alive=alive)
