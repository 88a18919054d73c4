"""The fault campaign's finding, replayed on purpose: ``pulumi up`` is stopped
(SIGINT, then SIGTERM) while AppConfig is still making a configuration profile.
AppConfig makes it after the CLI is gone, so the engine keeps a pending create
and no state holds the profile. Whichever way the user repairs it (the CLI
offers both), nothing may be orphaned:

- the repair the CLI offers for it, ``refresh --import-pending-creates <urn>
  <id>``, is dropped by the pinned CLI (the pending create is removed and
  nothing imported), as is ``--clear-pending-creates`` by design: no state
  then names the profile, and the next ``up`` takes it over (its creation
  token names the resource) instead of making a second one;
- a destroy after the campaign's repair deletes the leftover profile with the
  application (it carries the provider's creation token) instead of failing on
  "still has ... configuration profile(s)".
"""

from __future__ import annotations

import sys
import time

import pytest
from campaign import Campaign, RunRecord
from driver import Interrupt
from inventory import Account, state_objects
from plan import RunPlan, Shape
from sagemaker_emulator.client import EmulatorProcess

#: How long AppConfig takes to answer the profile's create: long enough for the
#: CLI to be stopped while it waits.
SLOW_CREATE_SECONDS = 8.0
SHAPE = Shape(kind="serverless")


@pytest.fixture
def campaign(tmp_path):
    with EmulatorProcess(python=sys.executable) as emulator:
        emulator.configure(endpoint_creating_seconds=0.5, endpoint_updating_seconds=0.5)
        running = Campaign(emulator, tmp_path, log=print)
        # A stack of its own: the campaign's may be running meanwhile.
        running.stack.name = "chaos-interrupted"
        running.stack.remove()
        try:
            yield running
        finally:
            running.stack.remove()


def profiles(account: Account) -> set:
    return {o for o in account.objects() if o[0] == "appconfig profile"}


def interrupt_the_profile_create(campaign: Campaign) -> RunRecord:
    """``up`` from nothing, stopped while CreateConfigurationProfile is delayed;
    returns once AppConfig has made the profile."""
    emulator = campaign.emulator
    emulator.inject_fault("delay", "appconfig", "CreateConfigurationProfile", seconds=SLOW_CREATE_SECONDS)
    # Interrupt once the delay has begun: the stack counts injected faults, not calls.
    campaign.stack.calls = lambda: emulator.injected_faults()["total"]
    plan = RunPlan(0, 0, "up", None, SHAPE, 0.0, 0.0, Interrupt(after_calls=1, grace=0.5))
    record = RunRecord(plan)
    record.op = campaign.stack.run("up", config=SHAPE.config(), interrupt=plan.interrupt)
    assert not record.op.ok and record.op.signals == ["SIGINT", "SIGTERM"], record.op
    deadline = time.monotonic() + SLOW_CREATE_SECONDS + 20
    while not profiles(campaign.account) and time.monotonic() < deadline:
        time.sleep(0.5)
    made = profiles(campaign.account)
    assert len(made) == 1, "AppConfig made the profile after the CLI was stopped"
    assert not made & state_objects(campaign.stack.export()), "no state holds it"
    return record


def test_a_profile_left_by_an_interrupted_create_is_deleted_with_its_application(campaign):
    record = interrupt_the_profile_create(campaign)
    campaign._repair(record)
    destroyed = campaign.stack.run("destroy")
    assert destroyed.ok, destroyed.error
    assert campaign.account.objects() == set(), "the destroy left nothing, the leftover profile included"


def test_the_next_up_takes_over_the_profile_an_interrupted_create_left(campaign):
    record = interrupt_the_profile_create(campaign)
    (left,) = profiles(campaign.account)
    campaign._repair(record)
    assert left not in state_objects(campaign.stack.export()), "the repair recorded nothing"
    again = campaign.stack.run("up", config=SHAPE.config())
    assert again.ok, again.error
    assert profiles(campaign.account) == {left}, "no second profile was made"
    assert left in state_objects(campaign.stack.export()), "the profile left behind is now in the state"
    assert "taking over" in again.log, again.log[-2000:]
    destroyed = campaign.stack.run("destroy")
    assert destroyed.ok, destroyed.error
    assert campaign.account.objects() == set()
