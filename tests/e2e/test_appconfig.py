"""The AppConfig component through the real engine and the emulator: the
parameters are served by appconfigdata, a changed threshold rolls out as one
new version and one deployment, an unchanged up changes nothing, an alarm
rolls a deployment back and fails `up` naming it, bad parameters fail
preview, destroy leaves nothing. Through the endpoint example: the model's
container finds its parameters with the ids its environment holds, a new
threshold reaches it without a SageMaker change, and existing AppConfig
objects made outside Pulumi are deployed into and left in place."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, Stack, mutating

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


# AppConfigData is signed `appconfig`: reading the parameters changes nothing.
DATA_PLANE = ("StartConfigurationSession", "GetLatestConfiguration")


def appconfig_changes(emulator) -> list[str]:
    operations = [r["operation"] for r in emulator.requests("appconfig")]
    return mutating([op for op in operations if op not in DATA_PLANE])


def container_environment(aws, model_name: str) -> dict:
    """The environment SageMaker holds for the model's container (DescribeModel)."""
    model = aws("sagemaker").describe_model(ModelName=model_name)
    return model["PrimaryContainer"]["Environment"]


def served_to(aws, environment: dict) -> dict:
    """The parameters as the model's handler reads them: a session with the
    ids its container environment holds, then GetLatestConfiguration."""
    return served(
        aws,
        {
            "applicationId": environment["APPCONFIG_APPLICATION_ID"],
            "environmentId": environment["APPCONFIG_ENVIRONMENT_ID"],
            "configurationProfileId": environment["APPCONFIG_PROFILE_ID"],
        },
    )


def threshold_served(aws, environment: dict) -> float:
    return served_to(aws, environment)["inference"]["thresholds"]["classification"]


class ServedWatcher(threading.Thread):
    """Polls appconfigdata with fresh sessions until the classification
    threshold `wanted` is served; `seconds` is when, from `started`."""

    def __init__(self, aws, environment: dict, wanted: float, started: float) -> None:
        super().__init__(daemon=True)
        self.aws, self.environment, self.wanted, self.started = aws, environment, wanted, started
        self.seconds: float | None = None
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            if threshold_served(self.aws, self.environment) == self.wanted:
                self.seconds = time.monotonic() - self.started
                return
            time.sleep(0.1)


@pytest.fixture
def endpoint_stack(engine, fresh_emulator):
    # Not a stack name of deployment-config.json: the dev environment's values.
    stack = Stack(engine, "python", "py-endpoint", "e2e-appconfig")
    stack.remove()
    yield stack
    stack.run("destroy", expect_ok=False)
    stack.remove()


ENDPOINT = {"inferenceType": "realtime"}


def test_the_model_reads_its_parameters_and_a_new_threshold_reaches_it_without_sagemaker(
    endpoint_stack: Stack, fresh_emulator, aws
):
    up = endpoint_stack.run("up", config=ENDPOINT)
    [model_name] = up.outputs["modelNames"]
    environment = container_environment(aws, model_name)
    assert environment["APPCONFIG_APPLICATION_ID"] == up.outputs["appConfigApplicationId"]
    assert environment["SAGEMAKER_MODEL_SERVER_WORKERS"] == "2", "the model's own variables kept"
    parameters = served_to(aws, environment)
    seed = json.loads((ROOT / "examples" / "config" / "model-config.json").read_text())["modelParameters"]
    assert parameters == seed and list(parameters) == list(seed), "the seed's document, key order kept"

    # The execution role may read exactly this configuration.
    role_name = up.outputs["executionRoleArn"].rsplit("/", 1)[-1]
    policy = aws("iam").get_role_policy(RoleName=role_name, PolicyName="models-appconfig-read")["PolicyDocument"]
    [statement] = policy["Statement"]
    assert sorted(statement["Action"]) == ["appconfig:GetLatestConfiguration", "appconfig:StartConfigurationSession"]
    account = up.outputs["executionRoleArn"].split(":")[4]
    assert statement["Resource"] == (
        f"arn:aws:appconfig:us-east-1:{account}:application/{environment['APPCONFIG_APPLICATION_ID']}"
        f"/environment/{environment['APPCONFIG_ENVIRONMENT_ID']}/configuration/{environment['APPCONFIG_PROFILE_ID']}"
    )

    # An unchanged second up makes no AppConfig call that changes anything.
    fresh_emulator.clear_requests()
    endpoint_stack.run("up", "--expect-no-changes", config=ENDPOINT)
    assert appconfig_changes(fresh_emulator) == []

    # A new threshold: one new version and one deployment, no SageMaker
    # change, and the model's session then reads the new value.
    fresh_emulator.clear_requests()
    started = time.monotonic()
    watcher = ServedWatcher(aws, environment, 0.8, started)
    watcher.start()
    changed = endpoint_stack.run("up", config={**ENDPOINT, "classificationThreshold": "0.8"})
    up_seconds = time.monotonic() - started
    watcher.join(timeout=30)
    watcher.stop.set()
    calls = appconfig_changes(fresh_emulator)
    # The replaced version is deleted once the new one is served.
    assert calls == ["CreateHostedConfigurationVersion", "StartDeployment", "DeleteHostedConfigurationVersion"], calls
    assert mutating([r["operation"] for r in fresh_emulator.requests("sagemaker")]) == []
    assert changed.outputs["modelNames"] == [model_name], "the same model"
    assert changed.outputs["endpointConfigName"] == up.outputs["endpointConfigName"]
    assert changed.outputs["appConfigDeploymentNumber"] == up.outputs["appConfigDeploymentNumber"] + 1
    assert threshold_served(aws, container_environment(aws, model_name)) == 0.8
    assert watcher.seconds is not None, "appconfigdata never served the new threshold"
    print(
        f"\nAppConfig calls for a parameter change: {calls}; from up start to appconfigdata serving "
        f"the new value: {watcher.seconds:.1f}s (up took {up_seconds:.1f}s)"
    )

    endpoint_stack.run("destroy")
    assert aws("appconfig").list_applications()["Items"] == []


def test_existing_appconfig_objects_get_the_parameters_and_outlive_destroy(
    endpoint_stack: Stack, fresh_emulator, aws
):
    # An application, environment and hosted profile made outside Pulumi.
    appconfig = aws("appconfig")
    app_id = appconfig.create_application(Name="shared-parameters")["Id"]
    env_id = appconfig.create_environment(ApplicationId=app_id, Name="live")["Id"]
    profile_id = appconfig.create_configuration_profile(
        ApplicationId=app_id, Name="model-parameters", LocationUri="hosted", Type="AWS.Freeform"
    )["Id"]
    existing = {
        "createNewAppConfig": "false",
        "existingAppConfigAppId": app_id,
        "existingAppConfigEnvId": env_id,
        "existingAppConfigProfileId": profile_id,
    }

    up = endpoint_stack.run("up", config={**ENDPOINT, **existing})
    assert (up.outputs["appConfigApplicationId"], up.outputs["appConfigEnvironmentId"], up.outputs["appConfigProfileId"]) == (
        app_id, env_id, profile_id
    )
    [model_name] = up.outputs["modelNames"]
    environment = container_environment(aws, model_name)
    assert (environment["APPCONFIG_APPLICATION_ID"], environment["APPCONFIG_ENVIRONMENT_ID"], environment["APPCONFIG_PROFILE_ID"]) == (
        app_id, env_id, profile_id
    )
    assert threshold_served(aws, environment) == 0.5
    assert [a["Id"] for a in appconfig.list_applications()["Items"]] == [app_id], "no application of its own"

    # A new threshold goes into the same profile.
    changed = endpoint_stack.run("up", config={**ENDPOINT, **existing, "classificationThreshold": "0.65"})
    assert changed.outputs["appConfigProfileId"] == profile_id
    assert threshold_served(aws, environment) == 0.65

    # Destroy leaves the existing application, environment and profile.
    endpoint_stack.run("destroy")
    assert appconfig.get_application(ApplicationId=app_id)["Name"] == "shared-parameters"
    assert appconfig.get_environment(ApplicationId=app_id, EnvironmentId=env_id)["Name"] == "live"
    assert appconfig.get_configuration_profile(ApplicationId=app_id, ConfigurationProfileId=profile_id)["Name"] == "model-parameters"
    assert aws("sagemaker").list_models()["Models"] == []


def test_a_missing_existing_application_fails_up_naming_the_property(endpoint_stack: Stack, fresh_emulator):
    failed = endpoint_stack.run(
        "up",
        config={
            **ENDPOINT,
            "createNewAppConfig": "false",
            "existingAppConfigAppId": "abc1234",
            "existingAppConfigEnvId": "def5678",
            "existingAppConfigProfileId": "ghi9012",
        },
        expect_ok=False,
    )
    assert not failed.ok
    assert "existingAppConfigAppId: no AppConfig application `abc1234`" in failed.error, failed.error[-3000:]


def test_the_seed_prod_environment_fails_preview_naming_the_missing_id(engine, fresh_emulator):
    # deployment-config.json's prod: createNewAppConfig false, the ids empty.
    stack = Stack(engine, "python", "py-endpoint", "prod")
    stack.remove()
    try:
        preview = stack.run("preview", expect_ok=False)
        assert not preview.ok
        assert "existingAppConfigAppId" in preview.error and "createNewAppConfig is false" in preview.error
        assert fresh_emulator.requests("appconfig") == []
    finally:
        stack.remove()


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


def test_a_new_alarm_role_is_waited_for(stack: Stack, fresh_emulator, aws):
    # The monitors' alarm role is created in the same `up` and stays
    # unusable for a few seconds (IAM propagation): AppConfig rolls the
    # first deployment back on an internal error, and the provider starts
    # a new one, as AppConfig recommends for internal errors.
    fresh_emulator.configure(iam_propagation_seconds=3)
    cloudwatch = aws("cloudwatch")
    cloudwatch.put_metric_alarm(
        AlarmName=ALARM, MetricName="Errors", Namespace="Fraud", Statistic="Sum", Period=60,
        EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    cloudwatch.set_alarm_state(AlarmName=ALARM, StateValue="OK", StateReason="quiet")
    alarm_arn = cloudwatch.describe_alarms(AlarmNames=[ALARM])["MetricAlarms"][0]["AlarmArn"]
    up = stack.run("up", config={"alarmArn": alarm_arn})
    appconfig = aws("appconfig")
    deployments = appconfig.list_deployments(
        ApplicationId=up.outputs["applicationId"], EnvironmentId=up.outputs["environmentId"]
    )["Items"]
    states = [d["State"] for d in sorted(deployments, key=lambda d: d["DeploymentNumber"])]
    assert states[0] == "ROLLED_BACK" and states[-1] == "COMPLETE", states
    first = appconfig.get_deployment(
        ApplicationId=up.outputs["applicationId"], EnvironmentId=up.outputs["environmentId"], DeploymentNumber=1
    )
    assert any(e.get("TriggeredBy") == "INTERNAL_ERROR" for e in first["EventLog"]), first["EventLog"]
    assert up.outputs["deploymentNumber"] == len(states)
    assert served(aws, up.outputs)["inference"]["thresholds"]["classification"] == 0.5
    assert "rolled back on an internal error" in up.log
