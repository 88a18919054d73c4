"""Timelines: objects that move through states over time (endpoints, deployments, executions).

A :class:`Timeline` is a plan of :class:`Phase`\\ s, each a state and how long it
lasts, laid out from a start time::

    Creating (2 s) -> InService
    DEPLOYING (10 min) -> BAKING (5 min) -> COMPLETE
    RUNNING (3 s) -> SUCCEEDED

A phase without ``seconds`` is final: the object stays in that state. An outcome
that is only known when a phase ends (a health check, an alarm firing, a
resource deleted meanwhile) is decided then: the phase's ``then`` callback runs
at that moment and may replace the phases still planned with others (a branch)::

    Updating (d) -> InService                          then: the new config works
    Updating (d) -> RollingBack (d) -> InService       then: it does not

A condition that can end a phase early (an alarm that fires while a deployment
bakes) is a phase's ``watch``: asked about the part of the phase that has passed,
it answers when the condition first held and the phases that follow from then on
(a rollback), so the interruption happens at that moment, however late someone
looks::

    Baking (300 s, watch=alarms) -> InService          no alarm fired
    Baking (watch: alarm at +40 s) -> RollingBack ...  taken at +40 s

Nothing runs in the background. Whoever serves a call first asks the timelines
to catch up with the clock (:meth:`Timelines.advance`); each timeline then moves
through every phase that has ended, at the exact moment it ended: ``history``,
``entered_at`` and the ``on_enter`` callback (which writes the state wherever
the service shows it, e.g. into moto's object) get that moment, not the time
someone looked. An interruption (``StopDeployment``, ``StopExecution``) is a
:meth:`Timeline.redirect` onto other phases from a given time.

The clock is injectable (:class:`Timelines` ``clock``), and every duration is
multiplied by ``scale``, so tests can play a ten-minute AppConfig strategy in a
tenth of a second, or drive time by hand.

Example, an AppConfig deployment (strategy durations in minutes)::

    deployments = Timelines(scale=60 * settings.appconfig_minute_seconds)   # hypothetical setting
    deployments.start(
        (account, region, application, environment, number),
        [Phase("DEPLOYING", strategy.duration_minutes),
         Phase("BAKING", strategy.bake_minutes, then=roll_back_if_an_alarm_fires),
         Phase("COMPLETE")],
        on_enter=record.state_changed,
    )

Timelines are guarded by :data:`~state_lock.EMULATOR_LOCK`; a ``then`` or
``on_enter`` callback runs with it held.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from .state_lock import EMULATOR_LOCK


# A watch: (phase start, time up to which to look) -> (when the condition first held, the phases from then on), or None.
Watch = Callable[[float, float], "tuple[float, Sequence[Phase]] | None"]


@dataclass(frozen=True)
class Phase:
    """One state of a timeline and how long it lasts (``None``: final, it lasts forever).

    ``then``, if given, runs when the phase ends with the time it ended, and
    returns the phases that follow instead of the planned ones, or ``None`` to
    keep the plan.

    ``watch``, if given (not on a final phase), is asked whenever the timeline
    advances about the interval of the phase that has passed, both ends
    included (a phase of zero seconds is looked at once, at its instant); when
    it answers ``(at, phases)`` the phase is left at ``at`` for ``phases``, as
    by :meth:`Timeline.redirect` (its ``then`` does not run).
    """

    state: str
    seconds: float | None = None
    then: Callable[[float], Sequence[Phase] | None] | None = None
    watch: Watch | None = None

    @property
    def final(self) -> bool:
        return self.seconds is None


def _checked_plan(phases: Sequence[Phase]) -> list[Phase]:
    """``phases`` as a list, once checked to end in a final phase (so a timeline always has a next state)."""
    plan = list(phases)
    if not plan or not plan[-1].final:
        raise ValueError(f"a timeline's phases must end with a final phase (seconds=None); got {plan}")
    if any(phase.seconds is not None and phase.seconds < 0 for phase in plan):
        raise ValueError("phase durations must be >= 0")
    if any(phase.final and phase.watch is not None for phase in plan):
        raise ValueError("a final phase cannot be watched")
    return plan


class Timeline:
    """One object moving through ``phases`` from time ``start`` (epoch seconds).

    ``on_enter(state, at)`` runs on entering every phase, the first one included
    (at ``start``, from the constructor); ``alive()`` tells whether the object is
    still there to follow (a deleted endpoint is not); durations are multiplied
    by ``scale``.
    """

    def __init__(
        self,
        phases: Sequence[Phase],
        start: float,
        on_enter: Callable[[str, float], None] | None = None,
        scale: float = 1.0,
        alive: Callable[[], bool] | None = None,
    ) -> None:
        if scale < 0:
            raise ValueError("scale must be >= 0")
        self.scale = scale
        self.history: list[tuple[str, float]] = []
        self._on_enter = on_enter
        self._alive = alive
        self._planned = _checked_plan(phases)
        self._enter_next(start)

    @property
    def state(self) -> str:
        """The current state."""
        return self.phase.state

    @property
    def finished(self) -> bool:
        """True once the timeline reached a final phase."""
        return self.phase.final

    @property
    def ends_at(self) -> float | None:
        """When the current phase ends (``None`` for a final phase)."""
        if self.phase.seconds is None:
            return None
        return self.entered_at + self.phase.seconds * self.scale

    def alive(self) -> bool:
        """False once the object this timeline drives is gone (then nobody needs to advance it)."""
        return self._alive() if self._alive is not None else True

    def progress(self, now: float) -> float:
        """How much of the current phase has passed at ``now``, from 0.0 to 1.0 (1.0 for a final phase)."""
        ends_at = self.ends_at
        if ends_at is None or ends_at <= self.entered_at:
            return 1.0
        return min(1.0, max(0.0, (now - self.entered_at) / (ends_at - self.entered_at)))

    def advance(self, now: float) -> bool:
        """Move through every phase that has ended by ``now`` (or that its watch interrupted); True once finished."""
        while not self.finished:
            ended_at = self.ends_at
            if self.phase.watch is not None and now >= self.entered_at:
                interrupted = self.phase.watch(self.entered_at, min(now, ended_at))
                if interrupted is not None:
                    at, phases = interrupted
                    self.redirect(phases, min(max(at, self.entered_at), ended_at))
                    continue
            if now < ended_at:
                break
            following = self.phase.then(ended_at) if self.phase.then is not None else None
            if following is not None:
                self._planned = _checked_plan(following)
            self._enter_next(ended_at)
        return self.finished

    def redirect(self, phases: Sequence[Phase], at: float) -> None:
        """Leave the current phase at ``at`` for ``phases`` (an interruption; its ``then`` does not run)."""
        self._planned = _checked_plan(phases)
        self._enter_next(at)

    def _enter_next(self, at: float) -> None:
        self.phase = self._planned.pop(0)
        self.entered_at = at
        self.history.append((self.phase.state, at))
        if self._on_enter is not None:
            self._on_enter(self.phase.state, at)


class Timelines:
    """The running timelines of one kind of object, by key (e.g. ``(account, region, name)``).

    ``clock()`` gives the time (epoch seconds; inject a fake one in tests);
    ``scale`` is the default duration multiplier of the timelines started here.
    A finished timeline, or one whose object is gone, is dropped at the next
    :meth:`advance`; whoever keeps a reference to it still reads its final state.
    """

    def __init__(self, clock: Callable[[], float] = time.time, scale: float = 1.0) -> None:
        self.clock = clock
        self.scale = scale
        self._running: dict[Hashable, Timeline] = {}

    def start(
        self,
        key: Hashable,
        phases: Sequence[Phase],
        on_enter: Callable[[str, float], None] | None = None,
        alive: Callable[[], bool] | None = None,
        scale: float | None = None,
        at: float | None = None,
    ) -> Timeline:
        """Start (or replace) the timeline of ``key`` at ``at`` (default: now) and return it."""
        with EMULATOR_LOCK:
            start = self.clock() if at is None else at
            timeline = Timeline(phases, start, on_enter, self.scale if scale is None else scale, alive)
            self._running[key] = timeline
            return timeline

    def get(self, key: Hashable) -> Timeline | None:
        """The running timeline of ``key``, if any."""
        with EMULATOR_LOCK:
            return self._running.get(key)

    def __contains__(self, key: Hashable) -> bool:
        with EMULATOR_LOCK:
            return key in self._running

    def __len__(self) -> int:
        with EMULATOR_LOCK:
            return len(self._running)

    def forget(self, key: Hashable) -> None:
        """Stop following ``key`` (its object was deleted)."""
        with EMULATOR_LOCK:
            self._running.pop(key, None)

    def advance(self) -> None:
        """Bring every running timeline up to the current time; drop the finished ones."""
        with EMULATOR_LOCK:
            now = self.clock()
            for key, timeline in list(self._running.items()):
                if not timeline.alive() or timeline.advance(now):
                    del self._running[key]

    def clear(self) -> None:
        """Drop every timeline (on reset)."""
        with EMULATOR_LOCK:
            self._running.clear()
