"""A reduced fault campaign (see campaign.py) in the regular test run: a few runs of
examples/py-endpoint through the real engine under injected faults, one of them
interrupted, then the checks: every run converges, refresh finds no drift, no AWS
object is lost from the state, and the final destroy leaves the account empty.
`make chaos` runs the full campaign."""

from __future__ import annotations

from campaign import run_campaign

SEED = 5
RUNS = 5


def test_a_reduced_fault_campaign_converges_and_loses_nothing(tmp_path):
    tally = run_campaign(RUNS, SEED, tmp_path, log=print)
    print(tally.report())
    assert tally.runs == RUNS
    assert set(tally.actions) >= {"create", "update"}
    assert sum(tally.injected.values()) > 0, "no fault was injected"
    assert tally.retries > 0, "the SDK retried nothing"
    assert sum(tally.interrupts.values()) >= 1, "no run was interrupted"
    assert tally.not_converged == []
    assert tally.drifted == []
    assert tally.unclear_errors == []
    assert tally.lost == set()
    assert tally.orphans == set()
