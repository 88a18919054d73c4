"""Unit tests of :mod:`sagemaker_emulator.timeline`, on a hand-driven clock (no emulator process)."""

from __future__ import annotations

import pytest

from sagemaker_emulator.timeline import Phase, Timeline, Timelines


class FakeClock:
    """A clock that moves only when told."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def entered(events: list[tuple[str, float]], start: float) -> list[tuple[str, float]]:
    """``on_enter`` events with times relative to ``start``."""
    return [(state, at - start) for state, at in events]


def test_a_plan_moves_through_its_phases_at_the_exact_times():
    events: list[tuple[str, float]] = []
    timeline = Timeline(
        [Phase("DEPLOYING", 1.0), Phase("BAKING", 2.0), Phase("COMPLETE")],
        start=100.0,
        on_enter=lambda state, at: events.append((state, at)),
    )
    assert (timeline.state, timeline.entered_at, timeline.ends_at) == ("DEPLOYING", 100.0, 101.0)
    assert events == [("DEPLOYING", 100.0)]

    assert timeline.advance(100.99) is False
    assert timeline.state == "DEPLOYING"
    assert timeline.advance(101.0) is False  # a phase ends exactly at its end time
    assert (timeline.state, timeline.entered_at) == ("BAKING", 101.0)

    # Looking late moves through every ended phase, each at the moment it ended.
    assert timeline.advance(250.0) is True
    assert timeline.finished and timeline.state == "COMPLETE" and timeline.ends_at is None
    assert timeline.history == [("DEPLOYING", 100.0), ("BAKING", 101.0), ("COMPLETE", 103.0)]
    assert events == timeline.history

    assert timeline.advance(10_000.0) is True
    assert timeline.history[-1] == ("COMPLETE", 103.0)


def test_scale_multiplies_every_duration():
    # An AppConfig-like strategy in minutes, played at 1 minute = 0.01 s.
    timeline = Timeline([Phase("DEPLOYING", 10), Phase("BAKING", 5), Phase("COMPLETE")], start=0.0, scale=0.01)
    assert timeline.ends_at == pytest.approx(0.1)
    timeline.advance(0.12)
    assert timeline.state == "BAKING" and timeline.entered_at == pytest.approx(0.1)
    timeline.advance(0.2)
    assert [state for state, _ in timeline.history] == ["DEPLOYING", "BAKING", "COMPLETE"]
    assert timeline.history[-1][1] == pytest.approx(0.15)


def test_a_failed_check_takes_the_failure_path():
    checks: list[float] = []

    def health_check(at: float) -> list[Phase]:
        checks.append(at)
        return [Phase("RollingBack", 5.0), Phase("InService")]

    timeline = Timeline([Phase("Updating", 5.0, then=health_check), Phase("InService")], start=0.0)
    timeline.advance(4.0)
    assert timeline.state == "Updating" and checks == []

    assert timeline.advance(7.0) is False
    assert checks == [5.0]  # decided when Updating ended, not when someone looked
    assert (timeline.state, timeline.entered_at) == ("RollingBack", 5.0)

    assert timeline.advance(60.0) is True
    assert timeline.history == [("Updating", 0.0), ("RollingBack", 5.0), ("InService", 10.0)]
    assert checks == [5.0]


def test_a_failure_can_end_the_timeline_at_once():
    timeline = Timeline([Phase("Creating", 2.0, then=lambda at: [Phase("Failed")]), Phase("InService")], start=0.0)
    assert timeline.advance(2.0) is True
    assert timeline.history == [("Creating", 0.0), ("Failed", 2.0)]


def test_then_returning_none_keeps_the_plan():
    applied: list[float] = []
    timeline = Timeline([Phase("Updating", 1.0, then=lambda at: applied.append(at)), Phase("InService")], start=0.0)
    timeline.advance(3.0)
    assert applied == [1.0]
    assert timeline.history == [("Updating", 0.0), ("InService", 1.0)]


def test_a_zero_second_phase_ends_at_the_first_advance():
    timeline = Timeline([Phase("Creating", 0.0), Phase("InService")], start=50.0)
    assert timeline.state == "Creating"
    assert timeline.advance(50.0) is True
    assert timeline.history == [("Creating", 50.0), ("InService", 50.0)]


def test_progress_through_the_current_phase():
    timeline = Timeline([Phase("DEPLOYING", 4.0), Phase("COMPLETE")], start=0.0)
    assert timeline.progress(0.0) == 0.0
    assert timeline.progress(1.0) == 0.25
    assert timeline.progress(99.0) == 1.0
    timeline.advance(4.0)
    assert timeline.progress(5.0) == 1.0


def test_redirect_interrupts_the_current_phase():
    # StopExecution / StopDeployment: leave RUNNING now, whatever was planned.
    ended: list[float] = []
    timeline = Timeline(
        [Phase("RUNNING", 10.0, then=lambda at: ended.append(at)), Phase("SUCCEEDED")],
        start=0.0,
    )
    timeline.redirect([Phase("ROLLING_BACK", 2.0), Phase("ABORTED")], at=3.0)
    assert (timeline.state, timeline.entered_at) == ("ROLLING_BACK", 3.0)
    timeline.advance(20.0)
    assert timeline.history == [("RUNNING", 0.0), ("ROLLING_BACK", 3.0), ("ABORTED", 5.0)]
    assert ended == []  # the interrupted phase's outcome is never decided


def test_plans_must_end_in_a_final_phase():
    with pytest.raises(ValueError, match="final phase"):
        Timeline([Phase("RUNNING", 1.0)], start=0.0)
    with pytest.raises(ValueError, match="final phase"):
        Timeline([], start=0.0)
    with pytest.raises(ValueError, match=">= 0"):
        Timeline([Phase("RUNNING", -1.0), Phase("DONE")], start=0.0)
    broken = Timeline([Phase("RUNNING", 1.0, then=lambda at: [Phase("RETRYING", 1.0)]), Phase("DONE")], start=0.0)
    with pytest.raises(ValueError, match="final phase"):
        broken.advance(5.0)


# -- Timelines: many objects, one clock ------------------------------------------------------------


def test_timelines_advance_on_their_clock_and_drop_finished_ones(clock):
    deployments = Timelines(clock=clock)
    start = clock.now
    first = deployments.start("first", [Phase("DEPLOYING", 1.0), Phase("COMPLETE")])
    second = deployments.start("second", [Phase("DEPLOYING", 3.0), Phase("COMPLETE")])
    assert len(deployments) == 2 and first.entered_at == start

    clock.tick(2.0)
    deployments.advance()
    assert (first.state, second.state) == ("COMPLETE", "DEPLOYING")
    assert "first" not in deployments and deployments.get("second") is second
    assert entered(first.history, start) == [("DEPLOYING", 0.0), ("COMPLETE", 1.0)]  # the reference still reads it

    clock.tick(2.0)
    deployments.advance()
    assert second.finished and len(deployments) == 0


def test_timelines_scale_and_explicit_start(clock):
    executions = Timelines(clock=clock, scale=0.5)
    halved = executions.start("a", [Phase("RUNNING", 4.0), Phase("SUCCEEDED")])
    real = executions.start("b", [Phase("RUNNING", 4.0), Phase("SUCCEEDED")], scale=1.0, at=clock.now - 1.0)
    assert halved.ends_at == clock.now + 2.0
    assert real.ends_at == clock.now + 3.0


def test_a_timeline_whose_object_is_gone_is_dropped_unadvanced(clock):
    endpoints = Timelines(clock=clock)
    exists = {"endpoint-a": True}
    timeline = endpoints.start("endpoint-a", [Phase("Creating", 1.0), Phase("InService")], alive=lambda: exists["endpoint-a"])
    exists["endpoint-a"] = False
    clock.tick(5.0)
    endpoints.advance()
    assert "endpoint-a" not in endpoints
    assert timeline.state == "Creating"


def test_forget_and_clear(clock):
    timelines = Timelines(clock=clock)
    for key in ("a", "b", "c"):
        timelines.start(key, [Phase("RUNNING", 1.0), Phase("SUCCEEDED")])
    timelines.forget("a")
    timelines.forget("missing")
    assert "a" not in timelines and len(timelines) == 2
    timelines.clear()
    assert len(timelines) == 0


def test_a_watch_interrupts_a_phase_at_the_moment_its_condition_held():
    # An alarm that fired 4 s into a 10 s bake: seen late, taken at +4 s.
    asked: list[tuple[float, float]] = []

    def alarm(start: float, end: float):
        asked.append((start, end))
        return (start + 4.0, [Phase("RollingBack", 2.0), Phase("InService")]) if end >= start + 4.0 else None

    ended: list[float] = []
    timeline = Timeline(
        [Phase("Updating", 1.0), Phase("Baking", 10.0, then=lambda at: ended.append(at), watch=alarm), Phase("InService")],
        start=0.0,
    )
    timeline.advance(3.0)
    assert timeline.state == "Baking" and asked == [(1.0, 3.0)]
    timeline.advance(30.0)
    assert timeline.history == [("Updating", 0.0), ("Baking", 1.0), ("RollingBack", 5.0), ("InService", 7.0)]
    assert ended == []  # the interrupted phase's then does not run


def test_a_watch_looks_at_a_zero_second_phase_once_and_may_let_it_pass():
    asked: list[tuple[float, float]] = []
    timeline = Timeline(
        [Phase("Baking", 0.0, watch=lambda start, end: asked.append((start, end))), Phase("Done")], start=5.0
    )
    assert timeline.advance(5.0) is True
    assert asked == [(5.0, 5.0)] and timeline.history == [("Baking", 5.0), ("Done", 5.0)]


def test_a_final_phase_cannot_be_watched():
    with pytest.raises(ValueError, match="final phase cannot be watched"):
        Timeline([Phase("Done", watch=lambda start, end: None)], start=0.0)
