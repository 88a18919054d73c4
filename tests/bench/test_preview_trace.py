"""preview_trace splits a preview's Run into the phases the bench prints."""

import json
from pathlib import Path

import pytest

from preview_trace import Phases, median_phases, phases

ZERO = "0001-01-01T00:00:00Z"
# UNIX times as floats keep about 0.1 microsecond of a nanosecond timestamp.
MS = 0.001


def at(ms: float) -> str:
    """A trace timestamp `ms` milliseconds after 12:00:01, with nanoseconds as the CLI writes them."""
    whole, fraction = divmod(round((1000 + ms) * 1_000_000), 1_000_000_000)
    return f"2026-12-03T12:00:{whole:02d}.{fraction:09d}Z"


def message(method: str, progress: str, stamp: str, request: dict | None = None, duration_ms: float | None = None) -> dict:
    entry = {"method": method, "progress": progress, "timestamp": stamp, "request": request or {}}
    if duration_ms is not None:
        entry["duration"] = int(duration_ms * 1_000_000)
    return entry


def demo_run(offset: float) -> list[dict]:
    """One Run as the engine traces a component program: times in ms from `offset`."""
    o = offset
    return [
        message("/pulumirpc.LanguageRuntime/About", "request_started", at(o - 300)),
        message("/pulumirpc.LanguageRuntime/Run", "request_started", at(o)),
        # Server-side messages carry no start time, only their completion.
        message("/pulumirpc.ResourceMonitor/RegisterResource", "request_started", ZERO, {"type": "pulumi:pulumi:Stack"}),
        message("/pulumirpc.ResourceMonitor/RegisterResource", "response_completed", at(o + 100), {"type": "pulumi:pulumi:Stack"}),
        message("/pulumirpc.ResourceProvider/Configure", "request_started", at(o + 120)),
        message("/pulumirpc.ResourceProvider/Configure", "response_completed", at(o + 125), duration_ms=5),
        message("/pulumirpc.ResourceProvider/Construct", "request_started", at(o + 126), {"type": "pkg:index:A"}),
        message("/pulumirpc.ResourceProvider/Check", "request_started", at(o + 130)),
        message("/pulumirpc.ResourceProvider/Check", "response_completed", at(o + 131.5), duration_ms=1.5),
        message("/pulumirpc.ResourceProvider/Diff", "request_started", at(o + 132)),
        message("/pulumirpc.ResourceProvider/Diff", "response_completed", at(o + 133), duration_ms=1.0),
        message("/pulumirpc.ResourceProvider/Construct", "response_completed", at(o + 180), {"type": "pkg:index:A"}),
        message("/pulumirpc.ResourceProvider/Construct", "request_started", at(o + 190), {"type": "pkg:index:B"}),
        message("/pulumirpc.ResourceProvider/Construct", "response_completed", at(o + 226), {"type": "pkg:index:B"}),
        message("/pulumirpc.LanguageRuntime/Run", "response_completed", at(o + 240), duration_ms=240),
    ]


def write(path: Path, messages: list[dict], torn_tail: bool = False) -> Path:
    text = "".join(json.dumps(m) + "\n" for m in messages)
    if torn_tail:
        text += '{"method": "/pulumirpc.ResourceProvider/Canc'
    path.write_text(text)
    return path


def test_a_component_program_s_run_splits_into_program_provider_start_and_components(tmp_path):
    trace = write(tmp_path / "demo.jsonl", demo_run(0), torn_tail=True)

    (run,) = phases(trace)

    assert run.run == pytest.approx(240, abs=MS)
    assert run.program == pytest.approx(100, abs=MS)
    assert run.provider_start == pytest.approx(25, abs=MS)
    assert run.components == pytest.approx(100, abs=MS)
    assert run.provider_calls == pytest.approx(2.5, abs=MS)
    assert run.provider_call_count == 2


def test_an_empty_program_has_no_provider_phases_and_medians_skip_them(tmp_path):
    empty = [
        message("/pulumirpc.LanguageRuntime/About", "request_started", at(0)),
        message("/pulumirpc.LanguageRuntime/Run", "request_started", at(300)),
        message("/pulumirpc.ResourceMonitor/RegisterResource", "response_completed", at(330), {"type": "pulumi:pulumi:Stack"}),
        message("/pulumirpc.LanguageRuntime/Run", "response_completed", at(345), duration_ms=45),
    ]
    trace = write(tmp_path / "empty.jsonl", empty)

    (run,) = phases(trace)

    assert (run.run, run.program) == (pytest.approx(45, abs=MS), pytest.approx(30, abs=MS))
    assert run.provider_start is None and run.components is None
    assert median_phases([run])["provider start"] is None


def test_every_run_in_one_trace_is_found_in_order_and_medians_are_per_phase(tmp_path):
    trace = write(tmp_path / "three.jsonl", demo_run(0) + demo_run(5000) + demo_run(10000))

    runs = phases(trace)

    assert len(runs) == 3
    assert all(isinstance(run, Phases) and run.program == pytest.approx(100, abs=MS) for run in runs)
    medians = median_phases(runs)
    assert medians["run"] == pytest.approx(240, abs=MS)
    assert medians["provider call count"] == 2
