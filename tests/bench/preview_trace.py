"""Where a preview's time goes, read from the engine's own gRPC trace.

The CLI writes every gRPC message it sends or serves to the file named by
``PULUMI_DEBUG_GRPC``, one JSON object per line, with a timestamp when the
message completed. ``phases`` splits the language host's ``Run`` (the part of a
preview that differs between programs) into:

- program: from ``Run`` to the stack resource's registration answered. The
  Python SDK sends that registration only once the program's body has run
  (imports included), so this is the body's time plus one round trip;
- provider start: from there to the provider's ``Configure`` answered (the engine
  starts a provider when the first resource of its package registers);
- components: from the first ``Construct`` started to the last one answered;
- provider calls: the summed durations of the ``Check`` and ``Diff`` calls the
  engine made to the provider, as the engine timed them (the engine makes them one
  at a time, so they add up on its path).

Server-side messages (the ResourceMonitor the program and the provider call) carry
no start time in the trace, only their completion; the phases use completions.
"""

from __future__ import annotations

import datetime
import json
import statistics
from dataclasses import dataclass
from pathlib import Path

RUN = "/pulumirpc.LanguageRuntime/Run"
STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass
class Phases:
    """One preview's ``Run``, in milliseconds (None: the program had no such phase)."""

    run: float
    program: float
    provider_start: float | None
    components: float | None
    provider_calls: float
    provider_call_count: int


def _seconds(stamp: str) -> float | None:
    """The UNIX time of an RFC 3339 timestamp with nanoseconds; None for the trace's zero time."""
    if stamp.startswith("0001-"):
        return None
    whole, _, fraction = stamp.rstrip("Z").partition(".")
    moment = datetime.datetime.fromisoformat(whole).replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp() + float(f"0.{fraction or '0'}")


def _messages(trace: Path) -> list[dict]:
    messages = []
    for line in trace.read_text().splitlines():
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line the CLI was still writing when it stopped
        message["at"] = _seconds(message.get("timestamp", "0001-"))
        messages.append(message)
    return messages


def phases(trace: Path) -> list[Phases]:
    """The phases of every ``Run`` in ``trace``, in order."""
    messages = _messages(trace)
    starts = [i for i, m in enumerate(messages) if m["method"] == RUN and m["progress"] == "request_started"]
    found = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(messages)
        found.append(_one_run(messages[start:end]))
    return found


def _completed(messages: list[dict], method_suffix: str) -> list[dict]:
    return [
        m for m in messages
        if m["method"].endswith(method_suffix) and m["progress"] == "response_completed" and m["at"] is not None
    ]


def _one_run(messages: list[dict]) -> Phases:
    began = messages[0]["at"]
    finished = next(m["at"] for m in _completed(messages, "LanguageRuntime/Run"))
    stack = next(
        m["at"] for m in _completed(messages, "ResourceMonitor/RegisterResource")
        if m["request"].get("type") == STACK_TYPE
    )
    configured = [m["at"] for m in _completed(messages, "ResourceProvider/Configure")]
    construct_starts = [
        m["at"] for m in messages
        if m["method"].endswith("ResourceProvider/Construct") and m["progress"] == "request_started" and m["at"]
    ]
    construct_ends = [m["at"] for m in _completed(messages, "ResourceProvider/Construct")]
    calls = _completed(messages, "ResourceProvider/Check") + _completed(messages, "ResourceProvider/Diff")
    return Phases(
        run=(finished - began) * 1000,
        program=(stack - began) * 1000,
        provider_start=(configured[0] - stack) * 1000 if configured else None,
        components=(max(construct_ends) - min(construct_starts)) * 1000 if construct_starts and construct_ends else None,
        provider_calls=sum(m.get("duration", 0) for m in calls) / 1e6,
        provider_call_count=len(calls),
    )


def median_phases(runs: list[Phases]) -> dict[str, float | None]:
    """Each phase's median over ``runs`` (None when no run had it)."""

    def median(values: list[float | None]) -> float | None:
        known = [value for value in values if value is not None]
        return statistics.median(known) if known else None

    return {
        "run": median([r.run for r in runs]),
        "program": median([r.program for r in runs]),
        "provider start": median([r.provider_start for r in runs]),
        "components": median([r.components for r in runs]),
        "provider calls": median([r.provider_calls for r in runs]),
        "provider call count": median([r.provider_call_count for r in runs]),
    }
