"""The Deployment component and the provider's functions through the real
engine, from the seed's two documents in examples/config: dev deploys (the
seed's async endpoint, AppConfig, no monitoring or workflow), test deploys
everything (real-time endpoint, AppConfig watched by the dashboard's alarms,
which also guard the endpoint's rollout, and the retraining workflow), prod
fails preview on its empty AppConfig ids and, given existing ones, deploys
into them; a second up of each changes nothing and makes no changing AWS
call; the wrong account and a bad document fail preview before anything is
made, the functions answer the program, and destroy leaves nothing (and
keeps the existing AppConfig).

Each environment's figures (resources, `up` time, AWS calls the emulator saw,
all and changing ones) are printed: run with `-s` to see them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Outcome, Stack, mutating, resource_calls

ROOT = Path(__file__).resolve().parents[2]
# One Deployment and the functions (tests/e2e/programs/py-deployment).
PROGRAM = str(Path("..") / "tests" / "e2e" / "programs" / "py-deployment")
SEED_DEPLOYMENT = json.loads((ROOT / "examples" / "config" / "deployment-config.json").read_text())
SEED_MODEL = json.loads((ROOT / "examples" / "config" / "model-config.json").read_text())


def stack_for(engine, name: str):
    # The stack name picks the environment, as DEPLOYMENT_ENV did in the seed.
    stack = Stack(engine, "python", PROGRAM, name)
    stack.remove()
    return stack


def counted(stack: Stack, emulator, op: str, *flags: str, config: dict | None = None) -> tuple[Outcome, list[str]]:
    """Runs `op` and returns it with the AWS operations the emulator saw meanwhile."""
    emulator.clear_requests()
    outcome = stack.run(op, *flags, config=config)
    return outcome, [r["operation"] for r in emulator.requests()]


def report(environment: str, up: Outcome, calls: list[str], again_calls: list[str]) -> None:
    print(
        f"\n{environment}: {up.changes.get('create')} resources, pulumi up {up.seconds:.1f}s, "
        f"{len(calls)} AWS calls ({len(mutating(calls))} changing); second up "
        f"{len(again_calls)} calls ({len(mutating(again_calls))} changing)"
    )


def assert_no_op(stack: Stack, emulator, up: Outcome, config: dict | None = None) -> list[str]:
    """A second up changes nothing: no step, no changing AWS call."""
    again, calls = counted(stack, emulator, "up", "--expect-no-changes", config=config)
    assert again.changes["same"] == up.changes["create"], again.result
    assert all(again.changes.get(kind, 0) == 0 for kind in ("create", "update", "replace", "delete")), again.result
    assert mutating(calls) == [], calls
    return calls


@pytest.fixture
def dev(engine, fresh_emulator):
    # The stack name picks the environment, as DEPLOYMENT_ENV did in the seed.
    stack = Stack(engine, "python", PROGRAM, "dev")
    stack.remove()
    yield stack
    stack.run("destroy", expect_ok=False)
    stack.remove()


def test_dev_deploys_the_seed_app_and_a_second_up_changes_nothing(dev: Stack, fresh_emulator, aws):
    preview = dev.run("preview")
    assert preview.changes["create"] > 0, preview.result
    assert resource_calls(fresh_emulator.requests()) == []

    up, calls = counted(dev, fresh_emulator, "up")
    out = up.outputs
    assert (out["environment"], out["account"], out["region"]) == ("dev", "123456789012", "us-east-1")
    assert out["inferenceType"] == "async"
    # No monitoring and no workflow in dev, as the document says.
    assert out["builtParts"] == ["BaseInfra", "AppConfig", "SageMakerModel", "SageMakerAsyncEndpoint"]
    assert "dashboardName" not in out and "stateMachineArn" not in out
    assert out["endpointName"] == "sagemaker-deployment-endpoint-dev"

    sagemaker, s3 = aws("sagemaker"), aws("s3")
    endpoint = sagemaker.describe_endpoint(EndpointName=out["endpointName"])
    assert endpoint["EndpointStatus"] == "InService"
    assert endpoint["EndpointArn"] == out["endpointArn"]
    assert endpoint["EndpointConfigName"] == out["endpointConfigName"]
    config = sagemaker.describe_endpoint_config(EndpointConfigName=out["endpointConfigName"])
    async_config = config["AsyncInferenceConfig"]
    assert async_config["ClientConfig"]["MaxConcurrentInvocationsPerInstance"] == 5
    assert async_config["OutputConfig"]["S3OutputPath"] == out["asyncOutputS3Path"]
    assert async_config["OutputConfig"]["NotificationConfig"]["SuccessTopic"] == out["successTopicArn"]
    assert out["asyncOutputS3Path"].startswith(f"s3://{out['asyncOutputBucketName']}/")
    assert out["asyncInputS3Path"].startswith(f"s3://{out['asyncOutputBucketName']}/")
    assert out["requestTtlSeconds"] == 3600
    variant = config["ProductionVariants"][0]
    assert (variant["VariantName"], variant["InstanceType"]) == ("PrimaryVariant", "ml.m5.large")
    assert variant["ModelName"] == out["modelNames"][0]
    model = sagemaker.describe_model(ModelName=out["modelNames"][0])
    assert model["PrimaryContainer"]["Environment"]["SAGEMAKER_MODEL_SERVER_WORKERS"] == "2"
    key = "models/text-classification/v1/model.tar.gz"
    assert s3.head_object(Bucket=out["modelArtifactBucketName"], Key=key)["ContentLength"] > 0
    assert_serves_the_model_parameters(aws, out, "sagemaker-deployment-dev", "dev")
    # No alarms: the AppConfig environment has no monitors.
    appconfig = aws("appconfig")
    env = appconfig.get_environment(ApplicationId=out["appConfigApplicationId"], EnvironmentId=out["appConfigEnvironmentId"])
    assert env.get("Monitors", []) == []

    again_calls = assert_no_op(dev, fresh_emulator, up)
    report("dev", up, calls, again_calls)


def assert_serves_the_model_parameters(aws, out: dict, application: str | None, stage: str | None) -> None:
    """AppConfig serves model-config.json's modelParameters, and the model's container is told where."""
    appconfig = aws("appconfig")
    app_id, env_id, profile_id = (out["appConfigApplicationId"], out["appConfigEnvironmentId"], out["appConfigProfileId"])
    if application:
        assert appconfig.get_application(ApplicationId=app_id)["Name"] == application
        assert appconfig.get_environment(ApplicationId=app_id, EnvironmentId=env_id)["Name"] == stage
    data = aws("appconfigdata")
    token = data.start_configuration_session(
        ApplicationIdentifier=app_id, EnvironmentIdentifier=env_id, ConfigurationProfileIdentifier=profile_id
    )["InitialConfigurationToken"]
    served = json.loads(data.get_latest_configuration(ConfigurationToken=token)["Configuration"].read())
    assert served == SEED_MODEL["modelParameters"]
    container = aws("sagemaker").describe_model(ModelName=out["modelNames"][0])["PrimaryContainer"]["Environment"]
    assert (container["APPCONFIG_APPLICATION_ID"], container["APPCONFIG_ENVIRONMENT_ID"], container["APPCONFIG_PROFILE_ID"]) == (
        app_id, env_id, profile_id
    )


def test_the_functions_answer_the_program(dev: Stack, fresh_emulator):
    out = dev.run("up").outputs

    checked = out["validate"]
    assert checked == {"valid": True, "problems": [], "environments": ["dev"]}
    # The Deployment's rules, with its inputs: test retrains, so it needs the workflow's settings.
    without = out["validateTestWithout"]
    assert without["valid"] is False
    assert [p["path"] for p in without["problems"]] == ["workflow"], without
    assert out["validateTestWith"] == {"valid": True, "problems": []}
    broken = out["validateBroken"]
    assert broken["valid"] is False
    assert broken["environments"] == ["dev", "prod", "test"]
    # The typos are named by their JSON paths, every one of them at once.
    assert sorted(p["path"] for p in broken["problems"]) == [
        "deploymentConfig.environments.dev.asyncConfig.expiresInSecond",
        "modelConfig.modelList[0].VariantNme",
    ], broken

    policy = json.loads(out["deployerPolicy"]["policyJson"])
    actions = {a for s in policy["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert len(actions) == out["deployerPolicy"]["actionCount"]
    assert {"sagemaker:CreateEndpoint", "s3:CreateBucket", "iam:PassRole"} <= actions
    # The policy the README shows (`make deployer-policy`), with its count.
    readme = (ROOT / "README.md").read_text()
    assert out["deployerPolicy"]["policyJson"] in readme
    assert f"they need {len(actions)} IAM actions" in readme

    plan = out["plan"]
    assert plan["complete"] is True
    assert plan["inferenceType"] == "async"
    assert plan["endpointName"] == out["endpointName"]
    # Named as the configuration the Deployment runs.
    assert plan["endpointConfigName"] == out["endpointConfigName"]
    variants = plan["endpointConfig"]["productionVariants"]
    assert [v["variantName"] for v in variants] == ["PrimaryVariant"]


def test_credentials_for_another_account_fail_preview_naming_both(dev: Stack, fresh_emulator):
    other = "210987654321"
    failed = dev.run("preview", config={"account": other}, expect_ok=False)
    assert not failed.ok
    assert other in failed.error and "123456789012" in failed.error, failed.error[-3000:]
    assert "GetCallerIdentity" in failed.error
    assert mutating([r["operation"] for r in fresh_emulator.requests()]) == []


def test_a_bad_document_fails_preview_listing_every_path(dev: Stack, fresh_emulator):
    failed = dev.run("preview", config={"typos": "true"}, expect_ok=False)
    assert not failed.ok
    for path in (
        "deploymentConfig.environments.dev.inferenceTyp",
        "modelConfig.modelList[0].ModelNme",
    ):
        assert path in failed.error, failed.error[-3000:]
    assert fresh_emulator.requests() == [] or resource_calls(fresh_emulator.requests()) == []


def test_an_environment_the_document_lacks_fails_preview_listing_those_it_has(engine, fresh_emulator):
    stack = Stack(engine, "python", PROGRAM, "staging")
    stack.remove()
    try:
        failed = stack.run("preview", expect_ok=False)
        assert not failed.ok
        assert "`staging`" in failed.error and "dev, prod, test" in failed.error, failed.error[-3000:]
    finally:
        stack.remove()


def test_the_children_are_made_in_the_environment_s_region(dev: Stack, fresh_emulator):
    # The provider's default region (AWS_REGION) is us-east-1.
    region = "eu-west-1"
    out = dev.run("up", config={"region": region}).outputs
    assert out["region"] == region
    assert f":{region}:" in out["endpointArn"] and f":{region}:" in out["kmsKeyArn"]
    here = fresh_emulator.client("sagemaker", region=region)
    assert here.describe_endpoint(EndpointName=out["endpointName"])["EndpointStatus"] == "InService"
    default = fresh_emulator.client("sagemaker")
    assert default.list_endpoints()["Endpoints"] == []
    s3 = fresh_emulator.client("s3", region=region)
    location = s3.get_bucket_location(Bucket=out["modelArtifactBucketName"])["LocationConstraint"]
    assert location == region
    dev.run("destroy")
    assert here.list_endpoints()["Endpoints"] == []


def test_destroy_leaves_nothing(dev: Stack, fresh_emulator, aws):
    out = dev.run("up").outputs
    dev.run("destroy")
    sagemaker, s3 = aws("sagemaker"), aws("s3")
    assert sagemaker.list_endpoints()["Endpoints"] == []
    assert sagemaker.list_endpoint_configs()["EndpointConfigs"] == []
    assert sagemaker.list_models()["Models"] == []
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert out["modelArtifactBucketName"] not in buckets and out["asyncOutputBucketName"] not in buckets
    assert aws("sns").list_topics()["Topics"] == []
    assert aws("appconfig").list_applications()["Items"] == []
    roles = [r["RoleName"] for r in aws("iam").list_roles()["Roles"]]
    assert not [r for r in roles if r.startswith("sagemaker-deployment-dev")], roles


def alarm_names(aws) -> set[str]:
    """Every metric and composite alarm's name."""
    found = aws("cloudwatch").describe_alarms(AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    return {a["AlarmName"] for a in found.get("MetricAlarms", []) + found.get("CompositeAlarms", [])}


def assert_monitored_and_retrained(aws, emulator, out: dict, stage: str, new_app_config: bool) -> None:
    """The dashboard and its alarms watch the endpoint, roll back its rollouts (and a new AppConfig
    environment's deployments), with one alarm per purpose; the workflow retrains into the endpoint."""
    endpoint = f"sagemaker-deployment-endpoint-{stage}"
    assert out["endpointName"] == endpoint
    cloudwatch = aws("cloudwatch")
    [dashboard] = cloudwatch.list_dashboards(DashboardNamePrefix=out["dashboardName"])["DashboardEntries"]
    assert dashboard["DashboardName"] == f"{endpoint}-dashboard"
    assert out["dashboardUrl"].endswith(f"#dashboards:name={out['dashboardName']}")
    assert aws("sns").get_topic_attributes(TopicArn=out["alarmTopicArn"])["Attributes"]["TopicArn"] == out["alarmTopicArn"]
    # One alarm per purpose and variant: the endpoint made no rollback alarm of its own.
    names = alarm_names(aws)
    assert names == {arn.rsplit(":", 1)[1] for arn in out["alarmArns"].values()}, names
    assert not [n for n in names if n.endswith("-5xx-errors")], names
    rollback = out["rollbackAlarmNames"]
    assert sorted(rollback) == sorted([f"{endpoint}-PrimaryVariant-server-errors", f"{endpoint}-PrimaryVariant-latency-p99"])
    # The endpoint's blue/green rollout is rolled back by them.
    [create] = emulator.requests("sagemaker", "CreateEndpoint")
    body = create["body"] if isinstance(create["body"], dict) else json.loads(create["body"])
    watched = [a["AlarmName"] for a in body["DeploymentConfig"]["AutoRollbackConfiguration"]["Alarms"]]
    assert watched == rollback
    # ... and so are the AppConfig environment's deployments (its own only when it is new).
    env = aws("appconfig").get_environment(ApplicationId=out["appConfigApplicationId"], EnvironmentId=out["appConfigEnvironmentId"])
    monitors = sorted(m["AlarmArn"] for m in env.get("Monitors", []))
    if new_app_config:
        assert monitors == sorted(out["appConfigMonitorAlarmArns"])
        assert monitors == sorted(out["alarmArns"][f"{purpose}/PrimaryVariant"] for purpose in ("serverErrors", "latencyP99"))
    else:
        assert monitors == [] and out["appConfigMonitorAlarmArns"] == []
    # The retraining workflow, deploying to this endpoint.
    machine = aws("stepfunctions").describe_state_machine(stateMachineArn=out["stateMachineArn"])
    assert endpoint in machine["definition"]
    group = aws("sagemaker").describe_model_package_group(ModelPackageGroupName=out["modelPackageGroupName"])
    assert group["ModelPackageGroupName"] == out["modelPackageGroupName"]
    # It trains from and into the Deployment's own buckets.
    definition = json.loads(machine["definition"])
    assert f"s3://{out['modelArtifactBucketName']}/models/training-data/" in json.dumps(definition)
    assert f"s3://{out['asyncOutputBucketName']}/training/" in json.dumps(definition)


def assert_nothing_left(aws, out: dict) -> None:
    sagemaker = aws("sagemaker")
    assert sagemaker.list_endpoints()["Endpoints"] == []
    assert sagemaker.list_endpoint_configs()["EndpointConfigs"] == []
    assert sagemaker.list_models()["Models"] == []
    assert sagemaker.list_model_package_groups()["ModelPackageGroupSummaryList"] == []
    buckets = {b["Name"] for b in aws("s3").list_buckets()["Buckets"]}
    assert out["modelArtifactBucketName"] not in buckets and out["asyncOutputBucketName"] not in buckets
    assert aws("sns").list_topics()["Topics"] == []
    assert alarm_names(aws) == set()
    assert aws("cloudwatch").list_dashboards()["DashboardEntries"] == []
    assert aws("stepfunctions").list_state_machines()["stateMachines"] == []
    roles = [r["RoleName"] for r in aws("iam").list_roles()["Roles"]]
    assert not [r for r in roles if r.startswith("sagemaker-deployment")], roles


def test_test_deploys_monitoring_and_the_workflow_and_a_second_up_changes_nothing(engine, fresh_emulator, aws):
    stack = stack_for(engine, "test")
    try:
        # Without the workflow's settings, test (enableWorkflow) fails preview naming them.
        failed = stack.run("preview", config={"noWorkflow": "true"}, expect_ok=False)
        assert not failed.ok
        assert "workflow: is required: environment `test` has enableWorkflow" in failed.error, failed.error[-3000:]
        assert resource_calls(fresh_emulator.requests()) == []

        # (Stack config stays set: the settings are given again.)
        up, calls = counted(stack, fresh_emulator, "up", config={"noWorkflow": "false"})
        out = up.outputs
        assert out["inferenceType"] == "realtime"
        assert out["builtParts"] == [
            "BaseInfra", "AppConfig", "SageMakerModel", "SageMakerEndpoint", "MonitorDashboard", "Workflow"
        ]
        assert_serves_the_model_parameters(aws, out, "sagemaker-deployment-test", "test")
        assert_monitored_and_retrained(aws, fresh_emulator, out, "test", new_app_config=True)
        again_calls = assert_no_op(stack, fresh_emulator, up)
        report("test", up, calls, again_calls)

        stack.run("destroy")
        assert_nothing_left(aws, out)
        assert aws("appconfig").list_applications()["Items"] == []
    finally:
        stack.run("destroy", expect_ok=False)
        stack.remove()


def test_prod_fails_preview_on_its_empty_app_config_ids_then_deploys_into_existing_ones(engine, fresh_emulator, aws):
    stack = stack_for(engine, "prod")
    try:
        failed = stack.run("preview", expect_ok=False)
        assert not failed.ok
        for key in ("existingAppConfigAppId", "existingAppConfigEnvId", "existingAppConfigProfileId"):
            assert f"deploymentConfig.environments.prod.{key}" in failed.error, failed.error[-3000:]
        assert resource_calls(fresh_emulator.requests()) == []

        # The AppConfig objects a platform team made outside this stack.
        appconfig = aws("appconfig")
        app_id = appconfig.create_application(Name="shared-parameters")["Id"]
        env_id = appconfig.create_environment(ApplicationId=app_id, Name="live")["Id"]
        profile_id = appconfig.create_configuration_profile(
            ApplicationId=app_id, Name="model-parameters", LocationUri="hosted", Type="AWS.Freeform"
        )["Id"]
        existing = {
            "existingAppConfigAppId": app_id,
            "existingAppConfigEnvId": env_id,
            "existingAppConfigProfileId": profile_id,
        }
        up, calls = counted(stack, fresh_emulator, "up", config=existing)
        out = up.outputs
        assert (out["appConfigApplicationId"], out["appConfigEnvironmentId"], out["appConfigProfileId"]) == (
            app_id, env_id, profile_id
        )
        assert [a["Id"] for a in appconfig.list_applications()["Items"]] == [app_id], "no application of its own"
        assert_serves_the_model_parameters(aws, out, None, None)
        assert_monitored_and_retrained(aws, fresh_emulator, out, "prod", new_app_config=False)
        again_calls = assert_no_op(stack, fresh_emulator, up, config=existing)
        report("prod", up, calls, again_calls)

        stack.run("destroy", config=existing)
        assert_nothing_left(aws, out)
        # The existing AppConfig is kept as it was, without the versions this stack hosted in it.
        assert appconfig.get_application(ApplicationId=app_id)["Name"] == "shared-parameters"
        assert appconfig.get_environment(ApplicationId=app_id, EnvironmentId=env_id)["Name"] == "live"
        assert appconfig.get_configuration_profile(ApplicationId=app_id, ConfigurationProfileId=profile_id)["Name"] == "model-parameters"
        versions = appconfig.list_hosted_configuration_versions(ApplicationId=app_id, ConfigurationProfileId=profile_id)
        assert versions["Items"] == []
    finally:
        stack.run("destroy", expect_ok=False)
        stack.remove()
