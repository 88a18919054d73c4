"""The AppConfig component through the real engine and the emulator: the
parameters are served by appconfigdata, a changed threshold rolls out as one
new version and one deployment, an unchanged up changes nothing, an alarm
rolls a deployment back and fails `up` naming it, bad parameters fail
preview, destroy leaves nothing."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from conftest import Stack, mutating

PROGRAM = str(Path("..") / "tests" / "e2e" / "programs" / "py-appconfig")
ALARM = "fraud-errors"


@pytest.fixture
def stack(engine, fresh_emulator):
    stack = Stack(engine, "python", PROGRAM, "dev")
    stack.remove()
    yield stack
    stack.run("destroy", expect_ok=False)
    stack.remove()


def served(aws, outputs: dict) -> dict:
    """The parameters as a model reads them through appconfigdata."""
    data = aws("appconfigdata")
    token = data.start_configuration_session(
        ApplicationIdentifier=outputs["applicationId"],
        EnvironmentIdentifier=outputs["environmentId"],
        ConfigurationProfileIdentifier=outputs["configurationProfileId"],
    )["InitialConfigurationToken"]
    answer = data.get_latest_configuration(ConfigurationToken=token)
    return json.loads(answer["Configuration"].read())


def appconfig_changes(emulator) -> list[str]:
    return mutating([r["operation"] for r in emulator.requests("appconfig")])


def test_parameters_roll_out_live_and_only_when_changed(stack: Stack, fresh_emulator, aws):
    up = stack.run("up")
    out = up.outputs
    parameters = served(aws, out)
    assert parameters["inference"]["thresholds"]["classification"] == 0.5
    assert list(parameters) == ["preprocessing", "inference"], "key order kept"
    assert out["configurationArn"].endswith(
        f"application/{out['applicationId']}/environment/{out['environmentId']}"
        f"/configuration/{out['configurationProfileId']}"
    )

    # An unchanged second up makes no AppConfig call that changes anything.
    fresh_emulator.clear_requests()
    stack.run("up", "--expect-no-changes")
    assert appconfig_changes(fresh_emulator) == []

    # A changed threshold: one new version, one deployment, nothing else.
    fresh_emulator.clear_requests()
    started = time.monotonic()
    changed = stack.run("up", config={"threshold": "0.8"})
    calls = appconfig_changes(fresh_emulator)
    assert calls.count("CreateHostedConfigurationVersion") == 1, calls
    assert calls.count("StartDeployment") == 1, calls
    assert mutating([r["operation"] for r in fresh_emulator.requests("sagemaker")]) == []
    assert served(aws, changed.outputs)["inference"]["thresholds"]["classification"] == 0.8
    seconds = time.monotonic() - started
    print(f"AppConfig calls for a parameter change: {calls}; up to served: {seconds:.1f}s")
    assert changed.outputs["versionNumber"] != out["versionNumber"]

    # Destroy leaves nothing.
    stack.run("destroy")
    assert aws("appconfig").list_applications()["Items"] == []


def test_an_alarm_rolls_the_deployment_back_and_up_names_it(stack: Stack, fresh_emulator, aws):
    cloudwatch = aws("cloudwatch")
    cloudwatch.put_metric_alarm(
        AlarmName=ALARM, MetricName="Errors", Namespace="Fraud", Statistic="Sum", Period=60,
        EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    alarm_arn = cloudwatch.describe_alarms(AlarmNames=[ALARM])["MetricAlarms"][0]["AlarmArn"]
    stack.run("up", config={"alarmArn": alarm_arn})
    cloudwatch.set_alarm_state(AlarmName=ALARM, StateValue="ALARM", StateReason="errors")
    failed = stack.run("up", config={"alarmArn": alarm_arn, "threshold": "0.9"}, expect_ok=False)
    assert not failed.ok
    assert "ROLLED_BACK" in failed.error and alarm_arn in failed.error, failed.error[-3000:]
    # The state still matches AWS.
    stack.run("refresh", "--expect-no-changes")

    # Once the alarm clears, the next up deploys the version again.
    cloudwatch.set_alarm_state(AlarmName=ALARM, StateValue="OK", StateReason="recovered")
    retried = stack.run("up", config={"alarmArn": alarm_arn, "threshold": "0.9"})
    assert served(aws, retried.outputs)["inference"]["thresholds"]["classification"] == 0.9


def test_a_threshold_above_one_fails_preview_with_its_path(stack: Stack, fresh_emulator):
    preview = stack.run("preview", config={"threshold": "1.5"}, expect_ok=False)
    assert not preview.ok
    assert "$.inference.thresholds.classification" in preview.error
    assert "between 0 and 1" in preview.error
    assert fresh_emulator.requests("appconfig") == []
