"""AppConfig deployments through boto3 against the emulator: states over time, the event log, one deployment
at a time, rollback by alarm (read with the monitor's role) or by injected failure, StopDeployment and revert,
and deleting what a deployment uses.

Rules and their sources: sagemaker_emulator/appconfig_deployments.py, appconfig_rollout.py,
appconfig_monitors.py, appconfig_strategies.py; README "AppConfig".
"""

from __future__ import annotations

import json
import time

import pytest

from appconfig_setup import (
    ACCOUNT,
    deploy,
    deployment,
    environment_state,
    events,
    make_alarm,
    make_alarm_role,
    make_target,
    put_version,
    strategy,
    wait_deployment,
)

# Emulator seconds per AppConfig second: one strategy minute lasts 0.3 s.
SCALE = 0.005


@pytest.fixture(autouse=True)
def _fast_appconfig(emulator):
    emulator.configure(appconfig_time_scale=SCALE)


@pytest.fixture
def target(appconfig):
    made = make_target(appconfig)
    put_version(appconfig, made, {"timeout": 1}, label="v1")
    put_version(appconfig, made, {"timeout": 2}, label="v2")
    return made


def monitored_target(appconfig, iam, cloudwatch, role_arn=None):
    alarm_arn = make_alarm(cloudwatch)
    role = role_arn or make_alarm_role(iam)
    made = make_target(appconfig, monitors=[{"AlarmArn": alarm_arn, "AlarmRoleArn": role}], name="watched")
    put_version(appconfig, made, {"timeout": 1})
    put_version(appconfig, made, {"timeout": 2})
    return made, alarm_arn


# -- states and events --------------------------------------------------------------------------------


def test_a_deployment_goes_deploying_baking_complete_with_aws_events(appconfig, target):
    strategy_id = strategy(appconfig, minutes=2, bake=2, growth=25.0)
    started = appconfig.start_deployment(
        **target.env, DeploymentStrategyId=strategy_id, ConfigurationProfileId=target.profile_id, ConfigurationVersion="v2", Description="raise timeout"
    )
    assert started["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (started["State"], started["PercentageComplete"], events(started)) == ("DEPLOYING", 1.0, [("DEPLOYMENT_STARTED", "USER")])
    assert (started["ConfigurationVersion"], started["VersionLabel"], started["ConfigurationName"]) == ("2", "v2", "settings")
    assert (started["DeploymentDurationInMinutes"], started["FinalBakeTimeInMinutes"], started["GrowthFactor"]) == (2, 2, 25.0)
    assert environment_state(appconfig, target) == "DEPLOYING"

    baking = wait_deployment(appconfig, target, 1, "BAKING")
    assert baking["PercentageComplete"] == 100.0
    assert environment_state(appconfig, target) == "DEPLOYING"
    done = wait_deployment(appconfig, target, 1, "COMPLETE")
    assert environment_state(appconfig, target) == "READY_FOR_DEPLOYMENT"
    assert [event["Description"] for event in reversed(done["EventLog"])] == [
        "Deployment started",
        "Configuration available to 25.00% of clients",
        "Configuration available to 50.00% of clients",
        "Configuration available to 75.00% of clients",
        "Configuration available to 100.00% of clients",
        "Deployment bake time started",
        "Deployment completed",
    ]
    occurred = [event["OccurredAt"] for event in reversed(done["EventLog"])]
    assert occurred == sorted(occurred)
    assert done["CompletedAt"] >= occurred[-2]
    summary = appconfig.list_deployments(**target.env)["Items"][0]
    assert (summary["DeploymentNumber"], summary["State"], summary["PercentageComplete"]) == (1, "COMPLETE", 100.0)


def test_steps_of_a_linear_rollout_are_spread_over_its_duration(appconfig, target):
    """API reference, GetDeployment example: 25% steps of a 15-minute strategy at 3, 6, 9, 12 minutes, bake at 15."""
    emulator_minute = 60 * SCALE
    number = deploy(appconfig, target, strategy(appconfig, minutes=5, bake=0, growth=25.0))
    done = wait_deployment(appconfig, target, number, "COMPLETE")
    times = {event["Description"]: event["OccurredAt"].timestamp() for event in done["EventLog"]}
    start = times["Deployment started"]
    offsets = [round((times[f"Configuration available to {share}.00% of clients"] - start) / emulator_minute, 1) for share in (25, 50, 75, 100)]
    assert offsets == [1.0, 2.0, 3.0, 4.0]
    assert round((times["Deployment bake time started"] - start) / emulator_minute, 1) == 5.0


def test_an_exponential_strategy_doubles_its_share(appconfig, target, emulator):
    emulator.configure(appconfig_time_scale=0.0002)
    number = deploy(appconfig, target, "AppConfig.Canary10Percent20Minutes")
    done = wait_deployment(appconfig, target, number, "COMPLETE")
    shares = [event["Description"] for event in reversed(done["EventLog"]) if event["EventType"] == "PERCENTAGE_UPDATED"]
    assert shares == [f"Configuration available to {share:.2f}% of clients" for share in (10, 20, 40, 80, 100)]


def test_a_strategy_changed_after_the_start_does_not_change_the_running_deployment(appconfig, target):
    strategy_id = strategy(appconfig, minutes=2, bake=0)
    number = deploy(appconfig, target, strategy_id)
    appconfig.update_deployment_strategy(DeploymentStrategyId=strategy_id, DeploymentDurationInMinutes=600)
    done = wait_deployment(appconfig, target, number, "COMPLETE", timeout=10)
    assert done["DeploymentDurationInMinutes"] == 2


# -- one deployment at a time -----------------------------------------------------------------------


def test_a_second_deployment_to_the_environment_conflicts_until_the_first_ends(appconfig, target, error_of):
    strategy_id = strategy(appconfig, minutes=2, bake=2)
    deploy(appconfig, target, strategy_id)
    conflict = error_of(deploy, appconfig, target, strategy_id, 2)
    assert (conflict["Error"]["Code"], conflict["ResponseMetadata"]["HTTPStatusCode"]) == ("ConflictException", 409)
    wait_deployment(appconfig, target, 1, "BAKING")
    assert error_of(deploy, appconfig, target, strategy_id, 2)["Error"]["Code"] == "ConflictException"

    other_env = appconfig.create_environment(ApplicationId=target.application_id, Name="staging")
    elsewhere = appconfig.start_deployment(
        ApplicationId=target.application_id, EnvironmentId=other_env["Id"], DeploymentStrategyId=strategy_id,
        ConfigurationProfileId=target.profile_id, ConfigurationVersion="1",
    )
    assert elsewhere["DeploymentNumber"] == 1

    wait_deployment(appconfig, target, 1, "COMPLETE")
    assert deploy(appconfig, target, "AppConfig.AllAtOnce", 2) == 2
    assert [item["DeploymentNumber"] for item in appconfig.list_deployments(**target.env)["Items"]] == [2, 1]


def test_latest_deployment_number_must_be_the_latest(appconfig, target, error_of):
    instant = strategy(appconfig, minutes=0, bake=0, growth=100.0)
    deploy(appconfig, target, instant)
    wait_deployment(appconfig, target, 1, "COMPLETE")
    request = {**target.env, "DeploymentStrategyId": instant, "ConfigurationProfileId": target.profile_id, "ConfigurationVersion": "2"}
    assert error_of(appconfig.start_deployment, **request, LatestDeploymentNumber=0)["Error"]["Code"] == "ConflictException"
    assert appconfig.start_deployment(**request, LatestDeploymentNumber=1)["DeploymentNumber"] == 2


# -- what StartDeployment checks ------------------------------------------------------------------------


def test_validators_are_run_again_when_deploying(appconfig, target, error_of):
    schema = {"type": "object", "properties": {"timeout": {"type": "integer", "minimum": 2}}}
    appconfig.update_configuration_profile(**target.profile, Validators=[{"Type": "JSON_SCHEMA", "Content": json.dumps(schema)}])
    error = error_of(deploy, appconfig, target, "AppConfig.AllAtOnce", 1)
    assert (error["Error"]["Code"], error["Reason"]) == ("BadRequestException", "InvalidConfiguration")
    assert appconfig.list_deployments(**target.env)["Items"] == []
    assert deploy(appconfig, target, "AppConfig.AllAtOnce", 2) == 1


def test_missing_strategy_version_or_profile_is_not_found(appconfig, target, error_of):
    strategy_error = error_of(deploy, appconfig, target, "AppConfig.DoesNotExist", 1)
    assert (strategy_error["Error"]["Code"], strategy_error["Error"]["Message"]) == (
        "ResourceNotFoundException", "DeploymentStrategy with Id AppConfig.DoesNotExist could not be found."
    )
    assert error_of(deploy, appconfig, target, "AppConfig.AllAtOnce", 7)["Error"]["Code"] == "ResourceNotFoundException"
    assert error_of(deploy, appconfig, target, "AppConfig.AllAtOnce", "v9")["Error"]["Code"] == "ResourceNotFoundException"
    assert error_of(appconfig.get_deployment, **target.env, DeploymentNumber=1)["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_only_hosted_configurations_are_deployed_by_the_emulator(appconfig, target, error_of):
    profile = appconfig.create_configuration_profile(
        ApplicationId=target.application_id, Name="param", LocationUri="ssm-parameter://x", RetrievalRoleArn=f"arn:aws:iam::{ACCOUNT}:role/r"
    )
    error = error_of(
        appconfig.start_deployment, **target.env, DeploymentStrategyId="AppConfig.AllAtOnce", ConfigurationProfileId=profile["Id"], ConfigurationVersion="1"
    )
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("NotImplemented", 501)


# -- rollback by alarm ---------------------------------------------------------------------------------


def test_an_alarm_in_alarm_during_deploying_rolls_back(appconfig, iam, cloudwatch):
    target, alarm_arn = monitored_target(appconfig, iam, cloudwatch)
    number = deploy(appconfig, target, strategy(appconfig, minutes=4, bake=4), 2)
    wait_deployment(appconfig, target, number, "DEPLOYING")
    cloudwatch.set_alarm_state(AlarmName="errors", StateValue="ALARM", StateReason="errors")
    rolled = wait_deployment(appconfig, target, number, "ROLLED_BACK")
    assert events(rolled)[-2:] == [("ROLLBACK_STARTED", "CLOUDWATCH_ALARM"), ("ROLLBACK_COMPLETED", "APPCONFIG")]
    assert alarm_arn in rolled["EventLog"][1]["Description"]
    assert "BAKE_TIME_STARTED" not in [kind for kind, _ in events(rolled)]
    assert environment_state(appconfig, target) == "ROLLED_BACK"


def test_an_alarm_that_fired_and_cleared_during_baking_still_rolls_back(appconfig, iam, cloudwatch):
    target, _ = monitored_target(appconfig, iam, cloudwatch)
    number = deploy(appconfig, target, strategy(appconfig, minutes=0, bake=4, growth=100.0), 2)
    wait_deployment(appconfig, target, number, "BAKING")
    cloudwatch.set_alarm_state(AlarmName="errors", StateValue="ALARM", StateReason="spike")
    cloudwatch.set_alarm_state(AlarmName="errors", StateValue="OK", StateReason="over")
    rolled = wait_deployment(appconfig, target, number, "ROLLED_BACK")
    assert [kind for kind, _ in events(rolled)][-3:] == ["BAKE_TIME_STARTED", "ROLLBACK_STARTED", "ROLLBACK_COMPLETED"]


def test_insufficient_data_rolls_back_too(appconfig, iam, cloudwatch):
    target, _ = monitored_target(appconfig, iam, cloudwatch)
    cloudwatch.set_alarm_state(AlarmName="errors", StateValue="INSUFFICIENT_DATA", StateReason="no data")
    number = deploy(appconfig, target, strategy(appconfig, minutes=1, bake=1), 2)
    assert events(wait_deployment(appconfig, target, number, "ROLLED_BACK"))[-2][1] == "CLOUDWATCH_ALARM"


def test_an_alarm_with_actions_disabled_does_not_roll_back(appconfig, iam, cloudwatch):
    target, _ = monitored_target(appconfig, iam, cloudwatch)
    cloudwatch.disable_alarm_actions(AlarmNames=["errors"])
    cloudwatch.set_alarm_state(AlarmName="errors", StateValue="ALARM", StateReason="errors")
    number = deploy(appconfig, target, strategy(appconfig, minutes=1, bake=1), 2)
    wait_deployment(appconfig, target, number, "COMPLETE")


def test_an_alarm_that_stays_ok_lets_the_deployment_complete(appconfig, iam, cloudwatch):
    target, _ = monitored_target(appconfig, iam, cloudwatch)
    number = deploy(appconfig, target, strategy(appconfig, minutes=1, bake=1), 2)
    assert environment_state(appconfig, target) == "DEPLOYING"
    wait_deployment(appconfig, target, number, "COMPLETE")
    assert environment_state(appconfig, target) == "READY_FOR_DEPLOYMENT"


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("no DescribeAlarms", "is not allowed cloudwatch:DescribeAlarms"),
        ("not trusting appconfig", "does not let appconfig.amazonaws.com assume it"),
        ("missing role", "does not exist"),
        ("other account", "does not belong to account"),
    ],
)
def test_a_monitor_role_appconfig_cannot_use_rolls_the_deployment_back(appconfig, iam, cloudwatch, case, reason):
    if case == "no DescribeAlarms":
        role = make_alarm_role(iam, statements=[{"Effect": "Allow", "Action": "cloudwatch:GetMetricData", "Resource": "*"}])
    elif case == "not trusting appconfig":
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        role = make_alarm_role(iam, trust=trust)
    elif case == "missing role":
        role = f"arn:aws:iam::{ACCOUNT}:role/nobody"
    else:
        role = "arn:aws:iam::210987654321:role/alarms"
    target, _ = monitored_target(appconfig, iam, cloudwatch, role_arn=role)
    number = deploy(appconfig, target, strategy(appconfig, minutes=1, bake=1), 2)
    rolled = wait_deployment(appconfig, target, number, "ROLLED_BACK")
    started = next(event for event in rolled["EventLog"] if event["EventType"] == "ROLLBACK_STARTED")
    assert started["TriggeredBy"] == "INTERNAL_ERROR"
    assert reason in started["Description"]


# -- injected failures ----------------------------------------------------------------------------------


def test_an_injected_failure_rolls_back_when_deploying_ends(emulator, appconfig, target):
    emulator.configure(fail_next_appconfig_deployment=target.environment_id)
    number = deploy(appconfig, target, strategy(appconfig, minutes=1, bake=1), 2)
    rolled = wait_deployment(appconfig, target, number, "ROLLED_BACK")
    assert [kind for kind, _ in events(rolled)][-3:] == ["PERCENTAGE_UPDATED", "ROLLBACK_STARTED", "ROLLBACK_COMPLETED"]
    assert events(rolled)[-2][1] == "INTERNAL_ERROR"
    assert emulator.config()["fail_next_appconfig_deployment"] is False
    assert deploy(appconfig, target, "AppConfig.AllAtOnce", 2) == 2


def test_a_failure_injected_through_the_control_api_rolls_back_a_baking_deployment(emulator, appconfig, target):
    number = deploy(appconfig, target, strategy(appconfig, minutes=0, bake=10, growth=100.0), 2)
    wait_deployment(appconfig, target, number, "BAKING")
    answer = emulator.fail_appconfig_deployment(target.application_id, target.environment_id)
    assert answer["State"] == "ROLLED_BACK"
    assert events(deployment(appconfig, target, number))[-2] == ("ROLLBACK_STARTED", "INTERNAL_ERROR")
    with pytest.raises(Exception, match="no deployment DEPLOYING or BAKING"):
        emulator.fail_appconfig_deployment(target.application_id, target.environment_id)


def test_rolling_back_lasts_the_configured_time(emulator, appconfig, target):
    emulator.configure(appconfig_rolling_back_seconds=0.6)
    number = deploy(appconfig, target, strategy(appconfig, minutes=4, bake=0), 2)
    stopped = appconfig.stop_deployment(**target.env, DeploymentNumber=number)
    assert stopped["State"] == "ROLLING_BACK"
    assert environment_state(appconfig, target) == "ROLLING_BACK"
    rolled = wait_deployment(appconfig, target, number, "ROLLED_BACK")
    assert events(rolled)[-2:] == [("ROLLBACK_STARTED", "USER"), ("ROLLBACK_COMPLETED", "APPCONFIG")]


# -- StopDeployment -----------------------------------------------------------------------------------


def test_stop_deployment_rolls_a_deploying_deployment_back(appconfig, target):
    number = deploy(appconfig, target, strategy(appconfig, minutes=4, bake=4), 2)
    stopped = appconfig.stop_deployment(**target.env, DeploymentNumber=number)
    assert stopped["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert stopped["State"] == "ROLLED_BACK"
    started = next(event for event in stopped["EventLog"] if event["EventType"] == "ROLLBACK_STARTED")
    assert (started["TriggeredBy"], started["Description"]) == ("USER", f"Rollback initiated by AWS account {ACCOUNT}")
    assert environment_state(appconfig, target) == "ROLLED_BACK"


def test_a_baking_deployment_is_stopped_only_with_allow_revert(appconfig, target, error_of):
    number = deploy(appconfig, target, strategy(appconfig, minutes=0, bake=10, growth=100.0), 2)
    wait_deployment(appconfig, target, number, "BAKING")
    assert error_of(appconfig.stop_deployment, **target.env, DeploymentNumber=number)["Error"]["Code"] == "BadRequestException"
    assert appconfig.stop_deployment(**target.env, DeploymentNumber=number, AllowRevert=True)["State"] == "ROLLED_BACK"


def test_a_complete_deployment_is_reverted_with_allow_revert_only(appconfig, appconfigdata, target, error_of):
    first = deploy(appconfig, target, "AppConfig.Linear50PercentEvery30Seconds", 1)
    wait_deployment(appconfig, target, first, "COMPLETE")
    second = deploy(appconfig, target, "AppConfig.Linear50PercentEvery30Seconds", 2)
    wait_deployment(appconfig, target, second, "COMPLETE")
    assert error_of(appconfig.stop_deployment, **target.env, DeploymentNumber=second)["Error"]["Code"] == "BadRequestException"
    reverted = appconfig.stop_deployment(**target.env, DeploymentNumber=second, AllowRevert=True)
    assert reverted["State"] == "REVERTED"
    assert reverted["EventLog"][0]["EventType"] == "REVERT_COMPLETED"
    assert environment_state(appconfig, target) == "REVERTED"
    token = appconfigdata.start_configuration_session(
        ApplicationIdentifier=target.application_id, EnvironmentIdentifier=target.environment_id, ConfigurationProfileIdentifier=target.profile_id
    )["InitialConfigurationToken"]
    assert json.loads(appconfigdata.get_latest_configuration(ConfigurationToken=token)["Configuration"].read()) == {"timeout": 1}
    assert error_of(appconfig.stop_deployment, **target.env, DeploymentNumber=second, AllowRevert=True)["Error"]["Code"] == "BadRequestException"


def test_a_revert_is_refused_72_hours_after_completion(emulator, appconfig, target, error_of):
    emulator.configure(appconfig_time_scale=0.000002)  # 72 hours last about 0.5 s
    number = deploy(appconfig, target, "AppConfig.AllAtOnce", 2)
    wait_deployment(appconfig, target, number, "COMPLETE")
    time.sleep(0.7)
    assert error_of(appconfig.stop_deployment, **target.env, DeploymentNumber=number, AllowRevert=True)["Error"]["Code"] == "BadRequestException"


# -- deleting what a deployment uses ----------------------------------------------------------------


def test_an_environment_with_a_deployment_in_progress_is_not_deleted(appconfig, target, error_of):
    number = deploy(appconfig, target, strategy(appconfig, minutes=1, bake=1), 2)
    error = error_of(appconfig.delete_environment, **target.env)
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("ConflictException", 409)
    wait_deployment(appconfig, target, number, "COMPLETE")
    appconfig.delete_environment(**target.env)
    assert error_of(appconfig.get_deployment, **target.env, DeploymentNumber=number)["Error"]["Code"] == "ResourceNotFoundException"


def test_a_profile_being_deployed_is_not_deleted(appconfig, target, error_of):
    number = deploy(appconfig, target, strategy(appconfig, minutes=1, bake=1), 2)
    for version in (1, 2):  # the deployment keeps its own copy of the data
        appconfig.delete_hosted_configuration_version(**target.profile, VersionNumber=version)
    assert error_of(appconfig.delete_configuration_profile, **target.profile)["Error"]["Code"] == "ConflictException"
    done = wait_deployment(appconfig, target, number, "COMPLETE")
    assert done["ConfigurationVersion"] == "2"
    appconfig.delete_configuration_profile(**target.profile)


def test_a_strategy_in_use_can_be_deleted_and_the_deployment_keeps_its_parameters(appconfig, target):
    strategy_id = strategy(appconfig, minutes=1, bake=1)
    number = deploy(appconfig, target, strategy_id, 2)
    appconfig.delete_deployment_strategy(DeploymentStrategyId=strategy_id)
    assert wait_deployment(appconfig, target, number, "COMPLETE")["DeploymentStrategyId"] == strategy_id
