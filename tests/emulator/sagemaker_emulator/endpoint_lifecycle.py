"""Endpoint status timelines: ``Creating``, ``Updating``, ``RollingBack`` and their outcomes.

moto makes every endpoint ``InService`` at once. Here each long-running endpoint
operation is a :class:`~timeline.Timeline` over wall-clock time, keyed by
(account, region, endpoint name) in the SageMaker hooks' :class:`~timeline.Timelines`,
which are advanced before every SageMaker request. Entering a phase writes the
status (and, at the end, the outcome) into moto's own ``FakeEndpoint`` object,
so moto's DescribeEndpoint / ListEndpoints answer it. Transition times are exact
(``LastModifiedTime`` is when the phase ended, not when someone looked).

* creation: ``Creating`` -> ``InService``, or ``Failed`` with a ``FailureReason``;
* update: ``Updating`` (the new fleet is provisioned), then the rollout's baking
  periods (still ``Updating``, each watched by the rollback alarms), then
  ``InService`` on the new config; or, when provisioning fails or an alarm fires
  during a bake, ``RollingBack`` -> ``InService`` on the old config with a
  ``FailureReason`` (from the moment it happened);
* weights and capacities: ``Updating`` -> ``InService`` with current = desired, or,
  when it fails, ``Updating`` -> ``RollingBack`` -> ``InService`` with the old values;
* deletion: ``Deleting`` for a while, then gone from moto;
* maintenance: ``SystemUpdating`` -> ``InService``, or ``Failed`` (injected through the control API).

A timeline stops being followed once its endpoint was deleted (or replaced) in moto.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from datetime import datetime, timezone
from typing import Any

from .timeline import Phase, Timeline, Timelines

CREATING = "Creating"
UPDATING = "Updating"
SYSTEM_UPDATING = "SystemUpdating"
ROLLING_BACK = "RollingBack"
IN_SERVICE = "InService"
DELETING = "Deleting"
DELETED = "Deleted"  # not an AWS status: the state of a timeline whose endpoint is gone
FAILED = "Failed"
OUT_OF_SERVICE = "OutOfService"

# Statuses in which SageMaker refuses UpdateEndpoint, UpdateEndpointWeightsAndCapacities and DeleteEndpoint
# with "Cannot update in-progress endpoint" (EndpointStatus in the API reference, DescribeEndpoint:
# "SystemUpdating: Endpoint is undergoing maintenance and cannot be updated or deleted or re-scaled until it
# has completed").
IN_PROGRESS = (CREATING, UPDATING, SYSTEM_UPDATING, ROLLING_BACK, DELETING)

# A check run when a phase ends: the failure reason, or None when all is well.
Check = Callable[[], "str | None"]
# A watch over a baking period: (from, to) -> (when it failed, the failure reason), or None.
BakeWatch = Callable[[float, float], "tuple[float, str] | None"]


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
    bakes: Sequence[float] = (),
    watch: BakeWatch | None = None,
    on_bake: Callable[[int, float], None] | None = None,
) -> Timeline:
    """``Updating`` for ``seconds`` (provisioning), then one ``Updating`` phase per baking period in ``bakes``
    (seconds, already scaled) watched by ``watch``; then ``apply()`` (switch to the new config) and ``InService``.

    If ``check`` gives a reason when provisioning ends, or ``watch`` reports a failure during a bake, the
    endpoint goes ``RollingBack`` for ``seconds`` from that moment and ends ``InService`` on the old config with
    the reason as ``FailureReason``. ``on_bake(index, at)`` runs as bake ``index`` begins.
    """
    endpoint.failure_reason = None

    def roll_back(reason: str) -> list[Phase]:
        endpoint.pending_deployment_summary = None
        endpoint.failure_reason = reason
        return [Phase(ROLLING_BACK, seconds), Phase(IN_SERVICE)]

    def finish() -> None:
        endpoint.pending_deployment_summary = None
        apply()

    def end_of_provisioning(at: float) -> list[Phase] | None:
        reason = check()
        if reason:
            return roll_back(reason)
        if not bakes:
            finish()
        elif on_bake is not None:
            on_bake(0, at)
        return None

    def end_of_bake(index: int) -> Callable[[float], None]:
        def then(at: float) -> None:
            if index + 1 == len(bakes):
                finish()
            elif on_bake is not None:
                on_bake(index + 1, at)

        return then

    def watching(start: float, end: float) -> tuple[float, list[Phase]] | None:
        failure = watch(start, end) if watch is not None else None
        if failure is None:
            return None
        at, reason = failure
        return at, roll_back(reason)

    phases = [Phase(UPDATING, seconds, then=end_of_provisioning)]
    phases += [Phase(UPDATING, bake, then=end_of_bake(index), watch=watching) for index, bake in enumerate(bakes)]
    return _start(endpoints, key, backend, endpoint, [*phases, Phase(IN_SERVICE)])


def start_weights_update(
    endpoints: Timelines,
    key: Hashable,
    backend: Any,
    endpoint: Any,
    seconds: float,
    failure: str | None = None,
    previous: list[dict] | None = None,
) -> Timeline:
    """``Updating`` for ``seconds``, then ``InService`` with each variant's current weight/count set to the desired one.

    With a ``failure`` reason: ``Updating`` -> ``RollingBack`` (``seconds``) -> ``InService`` with the variants as
    they were (``previous``) and ``FailureReason`` set. DescribeEndpoint, ``RollingBack``: "Endpoint fails to scale
    up or down or change its variant weight and is in the process of rolling back to its previous configuration.
    Once the rollback completes, endpoint returns to an InService status." (API reference, DescribeEndpoint)
    """

    def end_of_updating(at: float) -> list[Phase] | None:
        if failure:
            endpoint.failure_reason = failure
            return [Phase(ROLLING_BACK, seconds, then=restore), Phase(IN_SERVICE)]
        for variant in endpoint.production_variants:
            for field in ("Weight", "InstanceCount", "ServerlessConfig"):
                if "Desired" + field in variant:
                    variant["Current" + field] = variant["Desired" + field]
        return None

    def restore(at: float) -> None:
        if previous is not None:
            endpoint.production_variants = previous

    return _start(endpoints, key, backend, endpoint, [Phase(UPDATING, seconds, then=end_of_updating), Phase(IN_SERVICE)])


def start_deletion(endpoints: Timelines, key: Hashable, backend: Any, endpoint: Any, seconds: float) -> Timeline:
    """``Deleting`` for ``seconds``, then the endpoint is removed from moto (DescribeEndpoint: "Could not find")."""

    def gone(at: float) -> None:
        if backend.endpoints.get(endpoint.endpoint_name) is endpoint:
            del backend.endpoints[endpoint.endpoint_name]

    return _start(endpoints, key, backend, endpoint, [Phase(DELETING, seconds, then=gone), Phase(DELETED)])


def start_system_update(
    endpoints: Timelines, key: Hashable, backend: Any, endpoint: Any, seconds: float, failure: str | None = None
) -> Timeline:
    """``SystemUpdating`` for ``seconds`` (SageMaker's maintenance), then ``InService``; with a ``failure`` reason,
    ``Failed`` instead ("Failed: Endpoint could not be created, updated, or re-scaled", EndpointStatus, API
    reference, DescribeEndpoint), with the reason as ``FailureReason``."""
    if failure:
        endpoint.failure_reason = None

        def failed(at: float) -> list[Phase]:
            endpoint.failure_reason = failure
            return [Phase(FAILED)]

        return _start(endpoints, key, backend, endpoint, [Phase(SYSTEM_UPDATING, seconds, then=failed), Phase(IN_SERVICE)])
    return _start(endpoints, key, backend, endpoint, [Phase(SYSTEM_UPDATING, seconds), Phase(IN_SERVICE)])


def _start(endpoints: Timelines, key: Hashable, backend: Any, endpoint: Any, phases: list[Phase]) -> Timeline:
    """Run ``phases`` on moto's ``endpoint``, showing each status there, while it is the endpoint of its name."""

    def show(state: str, at: float) -> None:
        if state == DELETED:
            return
        endpoint.endpoint_status = state
        endpoint.last_modified_time = moto_time(at)

    def alive() -> bool:
        return backend.endpoints.get(endpoint.endpoint_name) is endpoint

    return endpoints.start(key, phases, on_enter=show, alive=alive)
