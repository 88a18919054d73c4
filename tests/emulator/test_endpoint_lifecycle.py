"""Unit tests of the endpoint timelines (:mod:`sagemaker_emulator.endpoint_lifecycle`) on stand-ins for
moto's objects and a hand-driven clock; the HTTP behaviour is covered by test_emulator.py."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from sagemaker_emulator.endpoint_lifecycle import (
    moto_time,
    start_creation,
    start_deletion,
    start_system_update,
    start_update,
    start_weights_update,
)
from sagemaker_emulator.timeline import Timelines

START = 1_700_000_000.0
KEY = ("123456789012", "us-east-1", "endpoint-a")


class FakeClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def endpoints(clock) -> Timelines:
    return Timelines(clock=clock)


@pytest.fixture
def backend():
    """Stand-ins for moto's SageMaker backend and one ``FakeEndpoint`` in it."""
    endpoint = SimpleNamespace(
        endpoint_name="endpoint-a",
        endpoint_status="InService",
        endpoint_config_name="config-a",
        last_modified_time=None,
        failure_reason="an old failure",
        pending_deployment_summary={"EndpointConfigName": "config-b"},
        production_variants=[{"VariantName": "primary", "CurrentInstanceCount": 1, "DesiredInstanceCount": 1}],
    )
    return SimpleNamespace(endpoints={"endpoint-a": endpoint})


def statuses(timeline) -> list[tuple[str, float]]:
    return [(state, at - START) for state, at in timeline.history]


def test_creation_ends_in_service(clock, endpoints, backend):
    endpoint = backend.endpoints["endpoint-a"]
    timeline = start_creation(endpoints, KEY, backend, endpoint, 2.0, check=lambda: None)
    assert (endpoint.endpoint_status, endpoint.failure_reason) == ("Creating", None)
    assert endpoint.last_modified_time == moto_time(START)

    clock.now += 5.0
    endpoints.advance()
    assert endpoint.endpoint_status == "InService"
    assert endpoint.last_modified_time == moto_time(START + 2.0)  # when it happened, not when looked
    assert statuses(timeline) == [("Creating", 0.0), ("InService", 2.0)]
    assert KEY not in endpoints


def test_a_failed_creation_check_ends_failed_with_its_reason(clock, endpoints, backend):
    endpoint = backend.endpoints["endpoint-a"]
    start_creation(endpoints, KEY, backend, endpoint, 2.0, check=lambda: "Could not find model.")
    clock.now += 2.0
    endpoints.advance()
    assert (endpoint.endpoint_status, endpoint.failure_reason) == ("Failed", "Could not find model.")
    assert endpoint.last_modified_time == moto_time(START + 2.0)


def test_an_update_applies_the_new_config_when_updating_ends(clock, endpoints, backend):
    endpoint = backend.endpoints["endpoint-a"]
    applied = []
    start_update(endpoints, KEY, backend, endpoint, 1.0, check=lambda: None, apply=lambda: applied.append(True))
    assert endpoint.endpoint_status == "Updating" and endpoint.failure_reason is None
    clock.now += 0.5
    endpoints.advance()
    assert endpoint.endpoint_status == "Updating" and applied == []

    clock.now += 0.5
    endpoints.advance()
    assert endpoint.endpoint_status == "InService" and applied == [True]
    assert endpoint.pending_deployment_summary is None


def test_a_failed_update_rolls_back_without_applying(clock, endpoints, backend):
    endpoint = backend.endpoints["endpoint-a"]
    applied = []
    timeline = start_update(
        endpoints, KEY, backend, endpoint, 1.0, check=lambda: "Alarm in ALARM.", apply=lambda: applied.append(True)
    )
    clock.now += 1.5
    endpoints.advance()
    assert (endpoint.endpoint_status, endpoint.failure_reason) == ("RollingBack", "Alarm in ALARM.")
    assert endpoint.pending_deployment_summary is None

    clock.now += 10.0
    endpoints.advance()
    assert statuses(timeline) == [("Updating", 0.0), ("RollingBack", 1.0), ("InService", 2.0)]
    assert endpoint.endpoint_status == "InService" and endpoint.failure_reason == "Alarm in ALARM."
    assert applied == [] and endpoint.endpoint_config_name == "config-a"


def test_a_weights_update_makes_desired_current(clock, endpoints, backend):
    endpoint = backend.endpoints["endpoint-a"]
    endpoint.production_variants[0].update(DesiredInstanceCount=4, DesiredWeight=2.0, CurrentWeight=1.0)
    start_weights_update(endpoints, KEY, backend, endpoint, 1.0)
    assert endpoint.endpoint_status == "Updating"
    assert endpoint.production_variants[0]["CurrentInstanceCount"] == 1
    clock.now += 1.0
    endpoints.advance()
    variant = endpoint.production_variants[0]
    assert endpoint.endpoint_status == "InService"
    assert (variant["CurrentInstanceCount"], variant["CurrentWeight"]) == (4, 2.0)
    assert endpoint.failure_reason == "an old failure"  # weights updates leave FailureReason alone


def test_a_deleted_endpoint_is_no_longer_followed(clock, endpoints, backend):
    endpoint = backend.endpoints["endpoint-a"]
    start_creation(endpoints, KEY, backend, endpoint, 1.0, check=lambda: None)
    del backend.endpoints["endpoint-a"]
    clock.now += 5.0
    endpoints.advance()
    assert KEY not in endpoints and endpoint.endpoint_status == "Creating"


def test_an_update_bakes_each_period_before_applying(clock, endpoints, backend):
    endpoint = backend.endpoints["endpoint-a"]
    applied, baking = [], []
    timeline = start_update(
        endpoints, KEY, backend, endpoint, 1.0, check=lambda: None, apply=lambda: applied.append(True),
        bakes=[2.0, 3.0], on_bake=lambda index, at: baking.append((index, at - START)),
    )
    clock.now += 2.5
    endpoints.advance()
    assert endpoint.endpoint_status == "Updating" and applied == [] and baking == [(0, 1.0)]
    clock.now += 10.0
    endpoints.advance()
    assert statuses(timeline) == [("Updating", 0.0), ("Updating", 1.0), ("Updating", 3.0), ("InService", 6.0)]
    assert applied == [True] and baking == [(0, 1.0), (1, 3.0)]


def test_an_alarm_during_a_bake_rolls_back_from_that_moment(clock, endpoints, backend):
    endpoint = backend.endpoints["endpoint-a"]
    applied = []

    def alarm(start, end):  # fires 2.5 s after the update started
        fired = START + 2.5
        return (fired, "alarm x in ALARM") if start <= fired <= end else None

    timeline = start_update(
        endpoints, KEY, backend, endpoint, 1.0, check=lambda: None, apply=lambda: applied.append(True),
        bakes=[2.0, 3.0], watch=alarm,
    )
    clock.now += 20.0
    endpoints.advance()
    assert statuses(timeline) == [("Updating", 0.0), ("Updating", 1.0), ("RollingBack", 2.5), ("InService", 3.5)]
    assert (endpoint.failure_reason, applied) == ("alarm x in ALARM", [])
    assert endpoint.pending_deployment_summary is None


def test_a_failed_weights_update_rolls_back_to_the_old_values(clock, endpoints, backend):
    endpoint = backend.endpoints["endpoint-a"]
    previous = [dict(variant) for variant in endpoint.production_variants]
    endpoint.production_variants[0]["DesiredInstanceCount"] = 4
    timeline = start_weights_update(endpoints, KEY, backend, endpoint, 1.0, failure="could not scale", previous=previous)
    clock.now += 1.5
    endpoints.advance()
    assert (endpoint.endpoint_status, endpoint.failure_reason) == ("RollingBack", "could not scale")
    clock.now += 5.0
    endpoints.advance()
    assert statuses(timeline) == [("Updating", 0.0), ("RollingBack", 1.0), ("InService", 2.0)]
    variant = endpoint.production_variants[0]
    assert (variant["CurrentInstanceCount"], variant["DesiredInstanceCount"]) == (1, 1)


def test_a_deleted_endpoint_stays_deleting_then_leaves_moto(clock, endpoints, backend):
    endpoint = backend.endpoints["endpoint-a"]
    start_deletion(endpoints, KEY, backend, endpoint, 2.0)
    clock.now += 1.0
    endpoints.advance()
    assert endpoint.endpoint_status == "Deleting" and "endpoint-a" in backend.endpoints
    clock.now += 1.0
    endpoints.advance()
    assert "endpoint-a" not in backend.endpoints and KEY not in endpoints
    assert endpoint.endpoint_status == "Deleting"  # the last status anyone could see


def test_system_updating_ends_in_service(clock, endpoints, backend):
    endpoint = backend.endpoints["endpoint-a"]
    timeline = start_system_update(endpoints, KEY, backend, endpoint, 3.0)
    assert endpoint.endpoint_status == "SystemUpdating"
    clock.now += 3.0
    endpoints.advance()
    assert statuses(timeline) == [("SystemUpdating", 0.0), ("InService", 3.0)]
