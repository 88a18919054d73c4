"""AppConfigData (the data plane) through boto3's ``appconfigdata`` client against the emulator: sessions,
the token chain, what is served before, during and after a deployment, its errors, and deletion protection
(which GetLatestConfiguration calls drive).

Rules and their sources: sagemaker_emulator/appconfigdata_sessions.py, appconfig_rollout.py (what is
served), appconfig_resources.py (deletion protection); README "AppConfig".
"""

from __future__ import annotations

import json
import time

import pytest
from botocore.config import Config

from appconfig_setup import deploy, make_target, put_version, strategy, wait_deployment

SCALE = 0.005  # one strategy minute lasts 0.3 s


@pytest.fixture(autouse=True)
def _fast_appconfig(emulator):
    emulator.configure(appconfig_time_scale=SCALE)


@pytest.fixture
def target(appconfig):
    made = make_target(appconfig)
    put_version(appconfig, made, {"timeout": 1}, label="v1")
    put_version(appconfig, made, {"timeout": 2}, label="v2")
    return made


def session(appconfigdata, target, **options) -> str:
    return appconfigdata.start_configuration_session(
        ApplicationIdentifier=target.application_id,
        EnvironmentIdentifier=target.environment_id,
        ConfigurationProfileIdentifier=target.profile_id,
        **options,
    )["InitialConfigurationToken"]


def latest(appconfigdata, token: str) -> tuple[bytes, dict]:
    answer = appconfigdata.get_latest_configuration(ConfigurationToken=token)
    return answer["Configuration"].read(), answer


def completed(appconfig, target, version: int) -> int:
    number = deploy(appconfig, target, "AppConfig.Linear50PercentEvery30Seconds", version)
    wait_deployment(appconfig, target, number, "COMPLETE")
    return number


def test_the_token_chain_serves_the_data_once_then_nothing_until_it_changes(appconfig, appconfigdata, target):
    completed(appconfig, target, 1)
    initial = session(appconfigdata, target)
    body, first = latest(appconfigdata, initial)
    assert json.loads(body) == {"timeout": 1}
    assert (first["ContentType"], first["VersionLabel"], first["NextPollIntervalInSeconds"]) == ("application/json", "v1", 60)
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 200

    body, second = latest(appconfigdata, first["NextPollConfigurationToken"])
    assert body == b""
    assert "VersionLabel" not in second
    assert second["NextPollConfigurationToken"] not in (initial, first["NextPollConfigurationToken"])

    completed(appconfig, target, 2)
    body, third = latest(appconfigdata, second["NextPollConfigurationToken"])
    assert (json.loads(body), third["VersionLabel"]) == ({"timeout": 2}, "v2")


def test_a_token_is_good_for_one_call(appconfig, appconfigdata, target, error_of):
    completed(appconfig, target, 1)
    initial = session(appconfigdata, target)
    latest(appconfigdata, initial)
    error = error_of(appconfigdata.get_latest_configuration, ConfigurationToken=initial)
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("BadRequestException", 400)
    assert (error["Reason"], error["Details"]) == ("InvalidParameters", {"InvalidParameters": {"ConfigurationToken": {"Problem": "Expired"}}})


def test_a_token_never_issued_is_corrupted(appconfigdata, error_of):
    error = error_of(appconfigdata.get_latest_configuration, ConfigurationToken="not-a-token")
    assert error["Details"]["InvalidParameters"]["ConfigurationToken"]["Problem"] == "Corrupted"


def test_a_token_expires_after_24_hours(emulator, appconfig, appconfigdata, target, error_of):
    completed(appconfig, target, 1)
    emulator.configure(appconfig_time_scale=0.00001)  # 24 hours last 0.86 s
    initial = session(appconfigdata, target)
    time.sleep(1.0)
    error = error_of(appconfigdata.get_latest_configuration, ConfigurationToken=initial)
    assert error["Details"]["InvalidParameters"]["ConfigurationToken"]["Problem"] == "Expired"


def test_a_session_with_a_minimum_poll_interval_refuses_earlier_calls(appconfig, appconfigdata, target, error_of):
    completed(appconfig, target, 1)
    body, first = latest(appconfigdata, session(appconfigdata, target, RequiredMinimumPollIntervalInSeconds=180))
    assert first["NextPollIntervalInSeconds"] == 180
    token = first["NextPollConfigurationToken"]
    error = error_of(appconfigdata.get_latest_configuration, ConfigurationToken=token)  # well within 180 s (0.9 s here)
    assert error["Details"]["InvalidParameters"]["ConfigurationToken"]["Problem"] == "PollIntervalNotSatisfied"
    time.sleep(180 * SCALE + 0.1)
    assert latest(appconfigdata, token)[0] == b""  # the token refused for being early is still good


def test_the_minimum_poll_interval_has_the_api_limits(aws_client, target, error_of):
    unchecked = aws_client("appconfigdata", config=Config(parameter_validation=False))  # botocore checks the minimum itself
    error = error_of(session, unchecked, target, RequiredMinimumPollIntervalInSeconds=14)
    assert error["Error"]["Code"] == "BadRequestException"
    assert "Member must have value greater than or equal to 15" in error["Error"]["Message"]


def test_clients_keep_the_previous_data_until_the_new_one_reached_every_target(appconfig, appconfigdata, target):
    completed(appconfig, target, 1)
    body, answer = latest(appconfigdata, session(appconfigdata, target))
    assert json.loads(body) == {"timeout": 1}
    number = deploy(appconfig, target, strategy(appconfig, minutes=3, bake=3), 2)
    body, answer = latest(appconfigdata, answer["NextPollConfigurationToken"])
    assert body == b""  # DEPLOYING: still version 1
    wait_deployment(appconfig, target, number, "BAKING")
    body, answer = latest(appconfigdata, answer["NextPollConfigurationToken"])
    assert json.loads(body) == {"timeout": 2}
    appconfig.stop_deployment(**target.env, DeploymentNumber=number, AllowRevert=True)
    body, answer = latest(appconfigdata, answer["NextPollConfigurationToken"])
    assert json.loads(body) == {"timeout": 1}  # rolled back: the previous data again


def test_sessions_name_their_objects_by_id_or_name(appconfig, appconfigdata, target):
    completed(appconfig, target, 2)
    token = appconfigdata.start_configuration_session(
        ApplicationIdentifier="app", EnvironmentIdentifier="prod", ConfigurationProfileIdentifier="settings"
    )
    assert token["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert json.loads(latest(appconfigdata, token["InitialConfigurationToken"])[0]) == {"timeout": 2}


@pytest.mark.parametrize(
    ("member", "resource_type"),
    [("ApplicationIdentifier", "Application"), ("EnvironmentIdentifier", "Environment"), ("ConfigurationProfileIdentifier", "ConfigurationProfile")],
)
def test_a_session_for_unknown_objects_is_not_found(appconfigdata, target, error_of, member, resource_type):
    request = {"ApplicationIdentifier": "app", "EnvironmentIdentifier": "prod", "ConfigurationProfileIdentifier": "settings", member: "missing"}
    error = error_of(appconfigdata.start_configuration_session, **request)
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("ResourceNotFoundException", 404)
    assert (error["ResourceType"], error["ReferencedBy"]) == (resource_type, {member: "missing"})


def test_nothing_deployed_yet_is_not_found(appconfigdata, target, error_of):
    error = error_of(appconfigdata.get_latest_configuration, ConfigurationToken=session(appconfigdata, target))
    assert (error["Error"]["Code"], error["ResourceType"]) == ("ResourceNotFoundException", "Deployment")


def test_a_session_whose_environment_was_deleted_is_not_found(appconfig, appconfigdata, target, error_of):
    completed(appconfig, target, 1)
    token = session(appconfigdata, target)
    appconfig.delete_environment(**target.env)
    error = error_of(appconfigdata.get_latest_configuration, ConfigurationToken=token)
    assert (error["Error"]["Code"], error["ResourceType"]) == ("ResourceNotFoundException", "Environment")


def test_data_plane_calls_are_logged_and_faults_apply(emulator, appconfig, appconfigdata, target, error_of):
    completed(appconfig, target, 1)
    emulator.clear_requests()
    emulator.inject_fault("throttle", "appconfig", "StartConfigurationSession")
    throttled = error_of(session, appconfigdata, target)
    # AppConfigData models its ThrottlingException with HTTP 429.
    assert (throttled["Error"]["Code"], throttled["ResponseMetadata"]["HTTPStatusCode"]) == ("ThrottlingException", 429)
    latest(appconfigdata, session(appconfigdata, target))
    assert [(e["operation"], e["status"], e.get("fault")) for e in emulator.requests("appconfig")] == [
        ("StartConfigurationSession", 429, "throttle"), ("StartConfigurationSession", 201, None), ("GetLatestConfiguration", 200, None)
    ]


# -- deletion protection ----------------------------------------------------------------------------


def test_deletion_protection_refuses_deleting_what_clients_read_recently(emulator, appconfig, appconfigdata, target, error_of):
    completed(appconfig, target, 1)
    appconfig.update_account_settings(DeletionProtection={"Enabled": True, "ProtectionPeriodInMinutes": 15})
    latest(appconfigdata, session(appconfigdata, target))
    # Created less than an hour ago: skipped unless APPLY.
    error = error_of(appconfig.delete_environment, **target.env, DeletionProtectionCheck="APPLY")
    assert error["Error"]["Code"] == "BadRequestException"
    assert "DeletionProtectionCheck" in error["Error"]["Message"]
    for version in (1, 2):
        appconfig.delete_hosted_configuration_version(**target.profile, VersionNumber=version)
    assert error_of(appconfig.delete_configuration_profile, **target.profile, DeletionProtectionCheck="APPLY")["Error"]["Code"] == "BadRequestException"
    appconfig.delete_configuration_profile(**target.profile, DeletionProtectionCheck="BYPASS")
    appconfig.delete_environment(**target.env)  # ACCOUNT_DEFAULT: created in the past hour


def test_deletion_protection_applies_to_older_resources_until_the_period_ends(emulator, appconfig, appconfigdata, target, error_of):
    emulator.configure(appconfig_time_scale=0.0002)  # one hour lasts 0.72 s, the 120-minute period 1.44 s
    completed(appconfig, target, 1)
    appconfig.update_account_settings(DeletionProtection={"Enabled": True, "ProtectionPeriodInMinutes": 120})
    time.sleep(0.8)  # the environment is older than an hour: checked by default
    latest(appconfigdata, session(appconfigdata, target))
    assert error_of(appconfig.delete_environment, **target.env)["Error"]["Code"] == "BadRequestException"
    time.sleep(1.6)
    appconfig.delete_environment(**target.env)
