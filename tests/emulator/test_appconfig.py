"""AppConfig's control plane through boto3 against the emulator: applications, environments, configuration
profiles, hosted configuration versions, deployment strategies, tags, account settings, and the request log
and faults on these calls.

Rules and their sources: sagemaker_emulator/appconfig_resources.py, appconfig_tags.py, rest_json.py;
README "AppConfig".
"""

from __future__ import annotations

import json

import pytest
from botocore.config import Config

from appconfig_setup import ACCOUNT, deploy, make_target, put_version, strategy

PREDEFINED = {
    "AppConfig.AllAtOnce": (0, "LINEAR", 100.0, 10),
    "AppConfig.Linear50PercentEvery30Seconds": (1, "LINEAR", 50.0, 1),
    "AppConfig.Canary10Percent20Minutes": (20, "EXPONENTIAL", 10.0, 10),
    "AppConfig.Linear20PercentEvery6Minutes": (30, "LINEAR", 20.0, 30),
}


def arn(resource: str) -> str:
    return f"arn:aws:appconfig:us-east-1:{ACCOUNT}:{resource}"


@pytest.fixture
def unchecked_appconfig(aws_client):
    """An AppConfig client that sends what it is given (botocore checks required members and minimum lengths itself)."""
    return aws_client("appconfig", config=Config(parameter_validation=False))


# -- applications ----------------------------------------------------------------------------------


def test_an_application_is_created_read_listed_by_pages_updated_and_deleted(appconfig, error_of):
    created = appconfig.create_application(Name="orders", Description="order service")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert len(created["Id"]) == 7 and created["Id"].isalnum() and created["Id"].lower() == created["Id"]
    assert appconfig.get_application(ApplicationId=created["Id"])["Name"] == "orders"
    second = appconfig.create_application(Name="billing")

    first_page = appconfig.list_applications(MaxResults=1)
    second_page = appconfig.list_applications(MaxResults=1, NextToken=first_page["NextToken"])
    assert [item["Id"] for item in first_page["Items"] + second_page["Items"]] == [created["Id"], second["Id"]]
    assert "NextToken" not in second_page

    updated = appconfig.update_application(ApplicationId=created["Id"], Name="orders-v2")
    assert (updated["Name"], updated["Description"]) == ("orders-v2", "order service")
    assert appconfig.delete_application(ApplicationId=created["Id"])["ResponseMetadata"]["HTTPStatusCode"] == 204
    error = error_of(appconfig.get_application, ApplicationId=created["Id"])
    assert error["Error"]["Code"] == "ResourceNotFoundException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert created["Id"] in error["Error"]["Message"]


def test_an_application_with_environments_or_profiles_is_not_deleted(appconfig, error_of):
    target = make_target(appconfig)
    error = error_of(appconfig.delete_application, ApplicationId=target.application_id)
    assert error["Error"]["Code"] == "BadRequestException"
    appconfig.delete_environment(**target.env)
    assert error_of(appconfig.delete_application, ApplicationId=target.application_id)["Error"]["Code"] == "BadRequestException"
    appconfig.delete_configuration_profile(**target.profile)
    appconfig.delete_application(ApplicationId=target.application_id)


def test_input_outside_the_api_model_constraints_is_refused_in_aws_validation_format(unchecked_appconfig, error_of):
    error = error_of(unchecked_appconfig.create_application, Name="n" * 65)
    assert error["Error"]["Code"] == "BadRequestException"
    assert error["Error"]["Message"] == (
        f"1 validation error detected: Value '{'n' * 65}' at 'name' failed to satisfy constraint: "
        "Member must have length less than or equal to 64"
    )
    missing = error_of(unchecked_appconfig.create_application)
    assert missing["Error"]["Message"] == "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"
    bad_page = error_of(unchecked_appconfig.list_applications, MaxResults=51)
    assert "Member must have value less than or equal to 50" in bad_page["Error"]["Message"]


def test_more_than_a_hundred_applications_exceed_the_quota(appconfig, error_of):
    for index in range(100):
        appconfig.create_application(Name=f"app-{index}")
    error = error_of(appconfig.create_application, Name="one-too-many")
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("ServiceQuotaExceededException", 402)


# -- environments ----------------------------------------------------------------------------------


def test_an_environment_keeps_its_monitors_and_starts_ready_for_deployment(appconfig):
    app = appconfig.create_application(Name="orders")
    monitor = {"AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:errors", "AlarmRoleArn": f"arn:aws:iam::{ACCOUNT}:role/alarms"}
    env = appconfig.create_environment(ApplicationId=app["Id"], Name="prod", Monitors=[monitor])
    assert (env["State"], env["Monitors"]) == ("READY_FOR_DEPLOYMENT", [monitor])
    updated = appconfig.update_environment(ApplicationId=app["Id"], EnvironmentId=env["Id"], Monitors=[], Description="live")
    assert (updated["Monitors"], updated["Description"], updated["Name"]) == ([], "live", "prod")
    listed = appconfig.list_environments(ApplicationId=app["Id"])["Items"]
    assert [(item["Id"], item["State"]) for item in listed] == [(env["Id"], "READY_FOR_DEPLOYMENT")]


def test_monitors_are_checked_against_the_api_model(appconfig, unchecked_appconfig, error_of):
    app = appconfig.create_application(Name="orders")
    bad_role = error_of(
        unchecked_appconfig.create_environment, ApplicationId=app["Id"], Name="prod",
        Monitors=[{"AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:a", "AlarmRoleArn": "arn:aws:iam::123456789012:user/someone"}],
    )
    assert bad_role["Error"]["Code"] == "BadRequestException"
    assert "monitors.1.member.alarmRoleArn" in bad_role["Error"]["Message"]
    six = [{"AlarmArn": f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:a{index}"} for index in range(6)]
    too_many = error_of(unchecked_appconfig.create_environment, ApplicationId=app["Id"], Name="prod", Monitors=six)
    assert "Member must have length less than or equal to 5" in too_many["Error"]["Message"]


def test_an_environment_of_a_missing_application_is_not_found(appconfig, error_of):
    assert error_of(appconfig.create_environment, ApplicationId="nope123", Name="prod")["Error"]["Code"] == "ResourceNotFoundException"


# -- configuration profiles -----------------------------------------------------------------------


def test_a_profile_outside_the_hosted_store_needs_a_retrieval_role(appconfig, error_of):
    app = appconfig.create_application(Name="orders")
    error = error_of(appconfig.create_configuration_profile, ApplicationId=app["Id"], Name="p", LocationUri="ssm-parameter://orders")
    assert error["Error"]["Code"] == "BadRequestException"
    created = appconfig.create_configuration_profile(
        ApplicationId=app["Id"], Name="p", LocationUri="ssm-parameter://orders", RetrievalRoleArn=f"arn:aws:iam::{ACCOUNT}:role/reader"
    )
    assert created["Type"] == "AWS.Freeform"
    assert appconfig.create_configuration_profile(ApplicationId=app["Id"], Name="pipe", LocationUri="codepipeline://deploy")["LocationUri"] == "codepipeline://deploy"


def test_profile_type_and_validators_follow_the_reference(appconfig, unchecked_appconfig, error_of):
    app = appconfig.create_application(Name="orders")
    wrong_type = error_of(appconfig.create_configuration_profile, ApplicationId=app["Id"], Name="p", LocationUri="hosted", Type="AWS.Other")
    assert wrong_type["Error"]["Code"] == "BadRequestException"
    wrong_validator = error_of(
        unchecked_appconfig.create_configuration_profile, ApplicationId=app["Id"], Name="p", LocationUri="hosted",
        Validators=[{"Type": "XML", "Content": "x"}],
    )
    assert "Member must satisfy enum value set: [JSON_SCHEMA, LAMBDA]" in wrong_validator["Error"]["Message"]
    flags = appconfig.create_configuration_profile(ApplicationId=app["Id"], Name="flags", LocationUri="hosted", Type="AWS.AppConfig.FeatureFlags")
    free = appconfig.create_configuration_profile(
        ApplicationId=app["Id"], Name="free", LocationUri="hosted", Validators=[{"Type": "JSON_SCHEMA", "Content": "{}"}]
    )
    assert [p["Id"] for p in appconfig.list_configuration_profiles(ApplicationId=app["Id"], Type="AWS.AppConfig.FeatureFlags")["Items"]] == [flags["Id"]]
    summary = next(p for p in appconfig.list_configuration_profiles(ApplicationId=app["Id"])["Items"] if p["Id"] == free["Id"])
    assert summary["ValidatorTypes"] == ["JSON_SCHEMA"]
    cleared = appconfig.update_configuration_profile(ApplicationId=app["Id"], ConfigurationProfileId=free["Id"], Validators=[])
    assert "Validators" not in cleared


# -- hosted configuration versions ----------------------------------------------------------------


def test_hosted_versions_keep_content_type_and_label_and_numbers_are_never_reused(appconfig):
    target = make_target(appconfig)
    first = appconfig.create_hosted_configuration_version(
        **target.profile, Content=b"a: 1\n", ContentType="application/x-yaml", VersionLabel="v1.0", Description="first"
    )
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (first["VersionNumber"], first["ContentType"], first["VersionLabel"], first["Description"]) == (1, "application/x-yaml", "v1.0", "first")
    assert first["Content"].read() == b"a: 1\n"
    put_version(appconfig, target, {"b": 2})
    appconfig.delete_hosted_configuration_version(**target.profile, VersionNumber=2)
    assert put_version(appconfig, target, {"c": 3}) == 3
    fetched = appconfig.get_hosted_configuration_version(**target.profile, VersionNumber=1)
    assert (fetched["Content"].read(), fetched["ContentType"], fetched["VersionLabel"]) == (b"a: 1\n", "application/x-yaml", "v1.0")
    listed = appconfig.list_hosted_configuration_versions(**target.profile)["Items"]
    assert [item["VersionNumber"] for item in listed] == [3, 1]


def test_version_labels_filter_by_exact_value_or_prefix(appconfig, error_of, unchecked_appconfig):
    target = make_target(appconfig)
    for label in ("v2.0", "v2.1", "v3.0"):
        put_version(appconfig, target, {"label": label}, label=label)

    def labels(wanted: str) -> list[str]:
        return [i["VersionLabel"] for i in appconfig.list_hosted_configuration_versions(**target.profile, VersionLabel=wanted)["Items"]]

    assert labels("v2*") == ["v2.1", "v2.0"]
    assert labels("v2") == []
    assert labels("v3.0") == ["v3.0"]
    numeric = error_of(
        unchecked_appconfig.create_hosted_configuration_version, **target.profile, Content=b"{}", ContentType="application/json", VersionLabel="42"
    )
    assert "Member must satisfy regular expression pattern: .*[^0-9].*" in numeric["Error"]["Message"]


def test_latest_version_number_guards_against_a_concurrent_version(appconfig, error_of):
    target = make_target(appconfig)
    assert appconfig.create_hosted_configuration_version(**target.profile, Content=b"{}", ContentType="application/json", LatestVersionNumber=1)["VersionNumber"] == 1
    assert appconfig.create_hosted_configuration_version(**target.profile, Content=b"{}", ContentType="application/json", LatestVersionNumber=1)["VersionNumber"] == 2
    stale = error_of(appconfig.create_hosted_configuration_version, **target.profile, Content=b"{}", ContentType="application/json", LatestVersionNumber=1)
    assert (stale["Error"]["Code"], stale["ResponseMetadata"]["HTTPStatusCode"]) == ("ConflictException", 409)
    assert [i["VersionNumber"] for i in appconfig.list_hosted_configuration_versions(**target.profile)["Items"]] == [2, 1]


def test_a_version_failing_a_json_schema_validator_is_refused_with_its_details(appconfig, error_of):
    schema = {"type": "object", "properties": {"timeout": {"type": "integer", "minimum": 1}}, "required": ["timeout"]}
    target = make_target(appconfig, validators=[{"Type": "JSON_SCHEMA", "Content": json.dumps(schema)}])
    error = error_of(appconfig.create_hosted_configuration_version, **target.profile, Content=b'{"timeout": 0}', ContentType="application/json")
    assert (error["Error"]["Code"], error["Reason"]) == ("BadRequestException", "InvalidConfiguration")
    assert [(d["Constraint"], d["Location"]) for d in error["Details"]["InvalidConfiguration"]] == [("minimum", "$.timeout")]
    not_json = error_of(appconfig.create_hosted_configuration_version, **target.profile, Content=b"timeout: 3", ContentType="application/x-yaml")
    assert not_json["Reason"] == "InvalidConfiguration"
    assert put_version(appconfig, target, {"timeout": 3}) == 1
    assert appconfig.validate_configuration(**target.profile, ConfigurationVersion="1")["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_a_profile_with_hosted_versions_is_not_deleted_with_aws_message(appconfig, error_of):
    target = make_target(appconfig)
    put_version(appconfig, target, {"a": 1})
    error = error_of(appconfig.delete_configuration_profile, **target.profile)
    assert error["Error"]["Code"] == "BadRequestException"
    assert error["Error"]["Message"] == (
        f"Cannot delete configuration profile {target.profile_id} because there are still hosted configuration versions existing under it."
    )
    appconfig.delete_hosted_configuration_version(**target.profile, VersionNumber=1)
    appconfig.delete_configuration_profile(**target.profile)
    assert error_of(appconfig.get_configuration_profile, **target.profile)["Error"]["Code"] == "ResourceNotFoundException"


def test_a_missing_version_is_not_found(appconfig, error_of):
    target = make_target(appconfig)
    assert error_of(appconfig.get_hosted_configuration_version, **target.profile, VersionNumber=9)["ResponseMetadata"]["HTTPStatusCode"] == 404


# -- deployment strategies --------------------------------------------------------------------------


@pytest.mark.parametrize("strategy_id", sorted(PREDEFINED))
def test_predefined_strategies_are_readable_by_id_with_their_parameters(appconfig, strategy_id):
    answer = appconfig.get_deployment_strategy(DeploymentStrategyId=strategy_id)
    parameters = (answer["DeploymentDurationInMinutes"], answer["GrowthType"], answer["GrowthFactor"], answer["FinalBakeTimeInMinutes"])
    assert parameters == PREDEFINED[strategy_id]
    assert (answer["Id"], answer["Name"], answer["ReplicateTo"]) == (strategy_id, strategy_id, "NONE")


def test_strategies_are_listed_own_first_then_predefined_and_predefined_ones_cannot_change(appconfig, error_of):
    own = appconfig.create_deployment_strategy(Name="fast", DeploymentDurationInMinutes=2, GrowthFactor=25)
    assert (own["FinalBakeTimeInMinutes"], own["GrowthType"], own["ReplicateTo"]) == (0, "LINEAR", "NONE")
    listed = [item["Id"] for item in appconfig.list_deployment_strategies()["Items"]]
    assert listed == [own["Id"], "AppConfig.AllAtOnce", "AppConfig.Linear50PercentEvery30Seconds",
                      "AppConfig.Canary10Percent20Minutes", "AppConfig.Linear20PercentEvery6Minutes"]
    update = error_of(appconfig.update_deployment_strategy, DeploymentStrategyId="AppConfig.AllAtOnce", FinalBakeTimeInMinutes=0)
    assert (update["Error"]["Code"], update["Error"]["Message"]) == ("BadRequestException", "Cannot update predefined Deployment Strategy AppConfig.AllAtOnce")
    delete = error_of(appconfig.delete_deployment_strategy, DeploymentStrategyId="AppConfig.AllAtOnce")
    assert delete["Error"]["Code"] == "BadRequestException"
    changed = appconfig.update_deployment_strategy(DeploymentStrategyId=own["Id"], GrowthType="EXPONENTIAL", FinalBakeTimeInMinutes=5)
    assert (changed["GrowthType"], changed["FinalBakeTimeInMinutes"], changed["DeploymentDurationInMinutes"]) == ("EXPONENTIAL", 5, 2)
    appconfig.delete_deployment_strategy(DeploymentStrategyId=own["Id"])
    missing = error_of(appconfig.get_deployment_strategy, DeploymentStrategyId=own["Id"])
    assert missing["Error"]["Message"] == f"DeploymentStrategy with Id {own['Id']} could not be found."


@pytest.mark.parametrize(
    ("member", "value", "constraint"),
    [
        ("GrowthFactor", 0.5, "Member must have value greater than or equal to 1"),
        ("GrowthFactor", 100.5, "Member must have value less than or equal to 100"),
        ("DeploymentDurationInMinutes", 1441, "Member must have value less than or equal to 1440"),
        ("FinalBakeTimeInMinutes", 1441, "Member must have value less than or equal to 1440"),
        ("GrowthType", "STEP", "Member must satisfy enum value set: [LINEAR, EXPONENTIAL]"),
    ],
)
def test_strategy_limits(unchecked_appconfig, error_of, member, value, constraint):
    request = {"Name": "s", "DeploymentDurationInMinutes": 10, "GrowthFactor": 10.0, member: value}
    error = error_of(unchecked_appconfig.create_deployment_strategy, **request)
    assert error["Error"]["Code"] == "BadRequestException"
    path = member[0].lower() + member[1:]
    assert f"at '{path}' failed to satisfy constraint: {constraint}" in error["Error"]["Message"]


def test_more_than_twenty_strategies_exceed_the_quota(appconfig, error_of):
    for index in range(20):
        appconfig.create_deployment_strategy(Name=f"s{index}", DeploymentDurationInMinutes=0, GrowthFactor=100)
    assert error_of(appconfig.create_deployment_strategy, Name="s20", DeploymentDurationInMinutes=0, GrowthFactor=100)["Error"]["Code"] == "ServiceQuotaExceededException"


# -- tags -----------------------------------------------------------------------------------------------


def test_every_appconfig_resource_is_tagged_untagged_and_listed(appconfig):
    target = make_target(appconfig)
    put_version(appconfig, target, {"a": 1})
    own = strategy(appconfig, 0, 0, growth=100.0)
    number = deploy(appconfig, target, own)
    arns = [
        arn(f"application/{target.application_id}"),
        arn(f"application/{target.application_id}/environment/{target.environment_id}"),
        arn(f"application/{target.application_id}/configurationprofile/{target.profile_id}"),
        arn(f"deploymentstrategy/{own}"),
        arn("deploymentstrategy/AppConfig.AllAtOnce"),
        arn(f"application/{target.application_id}/environment/{target.environment_id}/deployment/{number}"),
    ]
    for resource in arns:
        appconfig.tag_resource(ResourceArn=resource, Tags={"team": "ml", "stack": "dev"})
        appconfig.untag_resource(ResourceArn=resource, TagKeys=["stack"])
        assert appconfig.list_tags_for_resource(ResourceArn=resource)["Tags"] == {"team": "ml"}, resource


def test_tags_given_at_creation_are_listed_and_deleted_with_the_resource(appconfig, error_of):
    app = appconfig.create_application(Name="orders", Tags={"owner": "me"})
    assert appconfig.list_tags_for_resource(ResourceArn=arn(f"application/{app['Id']}"))["Tags"] == {"owner": "me"}
    appconfig.delete_application(ApplicationId=app["Id"])
    assert error_of(appconfig.list_tags_for_resource, ResourceArn=arn(f"application/{app['Id']}"))["Error"]["Code"] == "ResourceNotFoundException"


def test_tag_rules(appconfig, error_of):
    app = appconfig.create_application(Name="orders")
    resource = arn(f"application/{app['Id']}")
    assert error_of(appconfig.tag_resource, ResourceArn=resource, Tags={"aws:owner": "x"})["Error"]["Code"] == "BadRequestException"
    appconfig.tag_resource(ResourceArn=resource, Tags={f"k{index}": "v" for index in range(50)})
    assert error_of(appconfig.tag_resource, ResourceArn=resource, Tags={"one-more": "v"})["Error"]["Code"] == "BadRequestException"
    other_region = resource.replace("us-east-1", "eu-west-1")
    assert error_of(appconfig.list_tags_for_resource, ResourceArn=other_region)["Error"]["Code"] == "BadRequestException"
    missing = arn("application/nope123/environment/nope456")
    assert error_of(appconfig.tag_resource, ResourceArn=missing, Tags={"a": "b"})["Error"]["Code"] == "ResourceNotFoundException"


# -- account settings -----------------------------------------------------------------------------------


def test_account_settings_hold_deletion_protection(appconfig, unchecked_appconfig, error_of):
    assert appconfig.get_account_settings()["DeletionProtection"] == {"Enabled": False, "ProtectionPeriodInMinutes": 60}
    updated = appconfig.update_account_settings(DeletionProtection={"Enabled": True, "ProtectionPeriodInMinutes": 15})
    assert updated["DeletionProtection"] == {"Enabled": True, "ProtectionPeriodInMinutes": 15}
    too_short = error_of(unchecked_appconfig.update_account_settings, DeletionProtection={"Enabled": True, "ProtectionPeriodInMinutes": 14})
    assert "deletionProtection.protectionPeriodInMinutes" in too_short["Error"]["Message"]


# -- what the emulator does not implement, the request log, faults ------------------------------------


def test_operations_not_emulated_answer_not_implemented(appconfig, error_of):
    error = error_of(appconfig.list_extensions)
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("NotImplemented", 501)
    assert "ListExtensions" in error["Error"]["Message"]


def test_appconfig_calls_are_logged_by_operation_and_faults_apply(emulator, appconfig, error_of):
    app = appconfig.create_application(Name="orders")
    appconfig.list_tags_for_resource(ResourceArn=arn(f"application/{app['Id']}"))
    emulator.inject_fault("throttle", "appconfig", "GetApplication")
    emulator.inject_fault("server_error", "appconfig", "ListApplications")
    assert error_of(appconfig.get_application, ApplicationId=app["Id"])["Error"]["Code"] == "ThrottlingException"
    assert error_of(appconfig.list_applications)["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert appconfig.get_application(ApplicationId=app["Id"])["Name"] == "orders"
    log = [(entry["operation"], entry["status"], entry.get("fault")) for entry in emulator.requests("appconfig")]
    assert log == [
        ("CreateApplication", 201, None),
        ("ListTagsForResource", 200, None),
        ("GetApplication", 400, "throttle"),
        ("ListApplications", 500, "server_error"),
        ("GetApplication", 200, None),
    ]


def test_a_reset_empties_appconfig(emulator, appconfig, appconfigdata, error_of):
    target = make_target(appconfig)
    put_version(appconfig, target, {"a": 1})
    deploy(appconfig, target, "AppConfig.AllAtOnce")
    token = appconfigdata.start_configuration_session(
        ApplicationIdentifier=target.application_id, EnvironmentIdentifier=target.environment_id, ConfigurationProfileIdentifier=target.profile_id
    )["InitialConfigurationToken"]
    emulator.reset()
    assert appconfig.list_applications()["Items"] == []
    assert [s["Id"] for s in appconfig.list_deployment_strategies()["Items"]] == list(PREDEFINED)
    assert error_of(appconfigdata.get_latest_configuration, ConfigurationToken=token)["Error"]["Code"] == "BadRequestException"
