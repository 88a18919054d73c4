"""The getModelParameters and dashboardBody functions through the real engine
(tests/e2e/programs/py-functions): getModelParameters reads what AppConfig serves,
by ids and by the seed's documents, and says so when nothing is deployed;
dashboardBody returns exactly the body MonitorDashboard writes; a bad call
fails naming the argument and the rule, before any AWS call."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT, Stack

PROGRAM = str(Path("..") / "tests" / "e2e" / "programs" / "py-functions")
SEED_PARAMETERS = json.loads((ROOT / "examples" / "config" / "model-config.json").read_text())["modelParameters"]


@pytest.fixture
def stack(engine, fresh_emulator):
    stack = Stack(engine, "python", PROGRAM, "dev")
    stack.remove()
    yield stack
    stack.run("destroy", expect_ok=False)
    stack.remove()


def test_model_parameters_are_what_appconfig_serves_by_ids_and_by_documents(stack: Stack, aws):
    out = stack.run("up").outputs
    by_ids, by_documents = out["byIds"], out["byDocuments"]
    assert by_ids["parameters"] == SEED_PARAMETERS
    # Served byte for byte as the component stored it (JSON text, key order kept).
    assert by_ids["parametersJson"] == json.dumps(SEED_PARAMETERS)
    assert by_ids["applicationIdentifier"] == out["applicationId"]
    # The documents name the objects as a Deployment does: <project>-<appConfigSuffix>, the stage.
    assert by_documents["parameters"] == SEED_PARAMETERS
    assert (
        by_documents["applicationIdentifier"],
        by_documents["environmentIdentifier"],
        by_documents["configurationProfileIdentifier"],
        by_documents["region"],
    ) == ("sagemaker-deployment-dev", "dev", "model-parameters", "us-east-1")
    # The model's own reader agrees.
    data = aws("appconfigdata")
    token = data.start_configuration_session(
        ApplicationIdentifier="sagemaker-deployment-dev",
        EnvironmentIdentifier="dev",
        ConfigurationProfileIdentifier="model-parameters",
    )["InitialConfigurationToken"]
    assert json.loads(data.get_latest_configuration(ConfigurationToken=token)["Configuration"].read()) == SEED_PARAMETERS


def test_dashboard_body_is_the_body_monitor_dashboard_writes(stack: Stack, aws):
    out = stack.run("up").outputs
    function = out["dashboardBody"]
    stored = aws("cloudwatch").get_dashboard(DashboardName=out["dashboardName"])["DashboardBody"]
    assert function["dashboardName"] == out["dashboardName"]
    assert json.loads(function["bodyJson"]) == json.loads(stored) == function["body"]
    titles = function["widgetTitles"]
    assert titles[0] == "asynchronous endpoint `sagemaker-deployment-endpoint-dev`"
    assert "Results notified per minute (success and error topics)" in titles
    assert len(titles) == len(function["body"]["widgets"])


def test_model_parameters_say_when_nothing_is_deployed(stack: Stack, aws, fresh_emulator):
    appconfig = aws("appconfig")
    application = appconfig.create_application(Name="undeployed")["Id"]
    environment = appconfig.create_environment(ApplicationId=application, Name="dev")["Id"]
    profile = appconfig.create_configuration_profile(
        ApplicationId=application, Name="model-parameters", LocationUri="hosted"
    )["Id"]
    failed = stack.run("preview", config={"readIds": f"{application},{environment},{profile}"}, expect_ok=False)
    assert not failed.ok
    assert "nothing is deployed" in failed.error and f"`{profile}`" in failed.error, failed.error[-3000:]

    missing = stack.run("preview", config={"readIds": "nosuchapp,dev,model-parameters"}, expect_ok=False)
    assert "no such AppConfig configuration" in missing.error, missing.error[-3000:]


@pytest.mark.parametrize(
    "call, named",
    [
        ("parameters", ["environmentIdentifier", "is required with the other identifiers"]),
        ("dashboard", ["account", "12 digits"]),
    ],
)
def test_a_bad_call_fails_naming_the_argument_and_rule_before_any_aws_call(stack: Stack, fresh_emulator, call, named):
    # The SDKs raise the first failure of an invoke: its argument and rule.
    failed = stack.run("preview", config={"badCall": call}, expect_ok=False)
    assert not failed.ok
    for text in named:
        assert text in failed.error, failed.error[-3000:]
    assert [r for r in fresh_emulator.requests() if r["service"] in ("appconfig", "cloudwatch")] == []
