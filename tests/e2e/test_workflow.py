"""The retraining Workflow through the real engine against the emulator: the
py-endpoint example with `enableWorkflow` on a real-time endpoint.

`up` creates the state machine (with its role, log group and model package
group); an execution trains (a `.sync` training job whose final metric the
emulator reports), registers the version and, when the metric reaches the
threshold, rolls it out to the endpoint; a metric below the threshold
registers a Rejected version and leaves the endpoint alone; destroy leaves
nothing behind."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError

from conftest import ROOT, Stack, mutating

EXAMPLE = "py-endpoint"
ENDPOINT = "workflow-e2e"
CONFIG = {
    "inferenceType": "realtime",
    "endpointName": ENDPOINT,
    "enableWorkflow": "true",
    "workflowPollSeconds": "1",
    "workflowSchedule": "rate(7 days)",
    "dataCapture": "true",
}
METRIC = "validation:accuracy"


@pytest.fixture(scope="module")
def deployed(engine, emulator):
    emulator.reset()
    emulator.configure(
        endpoint_creating_seconds=0.5,
        endpoint_updating_seconds=0.5,
        training_job_seconds=0.5,
    )
    stack = Stack(engine, "python", EXAMPLE, "e2e-workflow")
    stack.remove()
    outcome = stack.run("up", config=CONFIG)
    yield stack, outcome.outputs
    stack.run("destroy", expect_ok=False)
    stack.remove()


def value(outputs: dict, key: str):
    """A stack output's plain value (the driver may wrap it)."""
    found = outputs[key]
    return found["value"] if isinstance(found, dict) and "value" in found else found


def run_execution(aws, machine_arn: str, timeout: float = 120) -> dict:
    """Starts an execution and waits until it ends; its description."""
    sfn = aws("stepfunctions")
    started = sfn.start_execution(stateMachineArn=machine_arn, input="{}")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=started["executionArn"])
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.2)
    raise AssertionError(f"execution {started['executionArn']} still running after {timeout} s")


def versions(aws, group: str) -> list[dict]:
    sagemaker = aws("sagemaker")
    summaries = sagemaker.list_model_packages(ModelPackageGroupName=group, SortBy="CreationTime")
    return [
        sagemaker.describe_model_package(ModelPackageName=s["ModelPackageArn"])
        for s in summaries["ModelPackageSummaryList"]
    ]


def test_up_creates_the_state_machine_its_role_logs_and_group(deployed, aws):
    _, outputs = deployed
    machine = aws("stepfunctions").describe_state_machine(stateMachineArn=value(outputs, "stateMachineArn"))
    definition = json.loads(machine["definition"])
    assert definition["StartAt"] == "NameExecution"
    assert definition["States"]["Train"]["Resource"] == "arn:aws:states:::sagemaker:createTrainingJob.sync"
    assert machine["loggingConfiguration"]["level"] == "ALL"
    group = value(outputs, "modelPackageGroupName")
    assert aws("sagemaker").describe_model_package_group(ModelPackageGroupName=group)["ModelPackageGroupName"] == group
    # The threshold comes from model-config.json's modelParameters.
    assert value(outputs, "workflowThreshold") == 0.5
    role_name = machine["roleArn"].rsplit("/", 1)[1]
    policy = aws("iam").get_role_policy(RoleName=role_name, PolicyName="workflow")["PolicyDocument"]
    passes = [s for s in policy["Statement"] if "iam:PassRole" in json.dumps(s["Action"])]
    assert [s["Resource"] for s in passes] == [value(outputs, "executionRoleArn")]
    rules = aws("events").list_rules(NamePrefix=value(outputs, "workflowNamePrefix"))["Rules"]
    assert [r["ScheduleExpression"] for r in rules] == ["rate(7 days)"]


def test_a_version_below_the_threshold_is_rejected_and_not_deployed(deployed, aws, emulator):
    _, outputs = deployed
    before = aws("sagemaker").describe_endpoint(EndpointName=ENDPOINT)["EndpointConfigName"]
    emulator.set_training_final_metric(METRIC, 0.3)
    execution = run_execution(aws, value(outputs, "stateMachineArn"))
    assert execution["status"] == "SUCCEEDED", execution
    latest = versions(aws, value(outputs, "modelPackageGroupName"))[-1]
    assert latest["ModelApprovalStatus"] == "Rejected"
    assert latest["CustomerMetadataProperties"]["metricValue"] == "0.3"
    assert aws("sagemaker").describe_endpoint(EndpointName=ENDPOINT)["EndpointConfigName"] == before


def test_an_approved_version_is_deployed_and_up_then_changes_nothing(deployed, aws, emulator):
    stack, outputs = deployed
    prefix = value(outputs, "workflowNamePrefix")
    emulator.set_training_final_metric(METRIC, 0.93)
    started = time.monotonic()
    execution = run_execution(aws, value(outputs, "stateMachineArn"))
    seconds = time.monotonic() - started
    assert execution["status"] == "SUCCEEDED", execution
    latest = versions(aws, value(outputs, "modelPackageGroupName"))[-1]
    assert latest["ModelApprovalStatus"] == "Approved"
    endpoint = aws("sagemaker").describe_endpoint(EndpointName=ENDPOINT)
    assert endpoint["EndpointStatus"] == "InService"
    assert endpoint["EndpointConfigName"].startswith(f"{prefix}-wf-")
    config = aws("sagemaker").describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    assert [v["ModelName"] for v in config["ProductionVariants"]] == [endpoint["EndpointConfigName"]]
    print(f"\nexecution that deploys: {seconds:.1f} s")

    # Pulumi and the workflow agree: the unchanged program changes nothing.
    emulator.clear_requests()
    again = stack.run("up", config=CONFIG)
    sagemaker_calls = [r["operation"] for r in emulator.requests() if r["service"] == "sagemaker"]
    assert mutating(sagemaker_calls) == [], sagemaker_calls
    assert {op: n for op, n in again.changes.items() if op != "same" and n} == {}, again.changes
    assert aws("sagemaker").describe_endpoint(EndpointName=ENDPOINT)["EndpointConfigName"] == endpoint[
        "EndpointConfigName"
    ]
    stack.run("refresh", "--expect-no-changes", config=CONFIG)

    # A later change of the program's instance count rolls out on top of
    # the workflow's model instead of reverting it.
    model_list = json.loads((ROOT / "examples" / "config" / "model-config.json").read_text())["modelList"]
    model_list[0]["InstanceCount"] = 2
    stack.run("up", config={**CONFIG, "modelList": json.dumps(model_list)})
    after = aws("sagemaker").describe_endpoint(EndpointName=ENDPOINT)
    assert after["EndpointConfigName"] == endpoint["EndpointConfigName"]
    assert [v["CurrentInstanceCount"] for v in after["ProductionVariants"]] == [2]
    stack.run("refresh", "--expect-no-changes", config={**CONFIG, "modelList": json.dumps(model_list)})

    # A new instance type makes a new configuration: the program's, with the
    # workflow's model kept (the workflow names its model as its
    # configuration), under a workflow name; the configuration it replaces
    # goes, the model runs on.
    sagemaker = aws("sagemaker")
    workflow_model = endpoint["EndpointConfigName"]
    model_list[0]["InstanceType"] = "ml.m5.xlarge"
    retyped = {**CONFIG, "modelList": json.dumps(model_list)}
    stack.run("up", config=retyped)
    carried = sagemaker.describe_endpoint(EndpointName=ENDPOINT)
    assert carried["EndpointConfigName"] != workflow_model
    assert carried["EndpointConfigName"].startswith(f"{prefix}-wf-")
    variants = sagemaker.describe_endpoint_config(EndpointConfigName=carried["EndpointConfigName"])
    assert [(v["ModelName"], v["InstanceType"]) for v in variants["ProductionVariants"]] == [
        (workflow_model, "ml.m5.xlarge")
    ]
    assert variants["DataCaptureConfig"]["EnableCapture"] is True
    with pytest.raises(ClientError):
        sagemaker.describe_endpoint_config(EndpointConfigName=workflow_model)
    assert sagemaker.describe_model(ModelName=workflow_model)["ModelName"] == workflow_model
    emulator.clear_requests()
    stack.run("up", config=retyped)
    sagemaker_calls = [r["operation"] for r in emulator.requests() if r["service"] == "sagemaker"]
    assert mutating(sagemaker_calls) == [], sagemaker_calls
    stack.run("refresh", "--expect-no-changes", config=retyped)

    # The next version goes on top of that one (the new instance type, the
    # data capture), and the configuration and model it replaced go.
    emulator.set_training_final_metric(METRIC, 0.95)
    emulator.clear_requests()
    started = time.monotonic()
    assert run_execution(aws, value(outputs, "stateMachineArn"))["status"] == "SUCCEEDED"
    seconds = time.monotonic() - started
    calls = [f"{r['service']}:{r['operation']}" for r in emulator.requests() if r["service"] in ("sagemaker", "states")]
    print(f"\nsecond execution: {seconds:.1f} s, calls: {calls}")
    newest = sagemaker.describe_endpoint(EndpointName=ENDPOINT)["EndpointConfigName"]
    variants = sagemaker.describe_endpoint_config(EndpointConfigName=newest)
    assert [(v["ModelName"], v["InstanceType"]) for v in variants["ProductionVariants"]] == [(newest, "ml.m5.xlarge")]
    assert variants["DataCaptureConfig"]["EnableCapture"] is True
    made = [c["EndpointConfigName"] for c in sagemaker.list_endpoint_configs()["EndpointConfigs"]]
    assert [c for c in made if c.startswith(f"{prefix}-wf-")] == [newest], made
    models = [m["ModelName"] for m in sagemaker.list_models()["Models"]]
    assert [m for m in models if m.startswith(f"{prefix}-wf-")] == [newest], models
    stack.run("up", config=retyped)
    stack.run("refresh", "--expect-no-changes", config=retyped)


def test_destroy_leaves_nothing(engine, emulator, aws):
    emulator.reset()
    emulator.configure(endpoint_creating_seconds=0.5, endpoint_updating_seconds=0.5, training_job_seconds=0.5)
    stack = Stack(engine, "python", EXAMPLE, "e2e-workflow-destroy")
    stack.remove()
    outputs = stack.run("up", config=CONFIG).outputs
    # Two deployed versions (models and configurations no program records:
    # the second deletes the first's) and one rejected.
    emulator.set_training_final_metric(METRIC, 0.93)
    assert run_execution(aws, value(outputs, "stateMachineArn"))["status"] == "SUCCEEDED"
    assert run_execution(aws, value(outputs, "stateMachineArn"))["status"] == "SUCCEEDED"
    prefix = value(outputs, "workflowNamePrefix")
    running = aws("sagemaker").describe_endpoint(EndpointName=ENDPOINT)["EndpointConfigName"]
    made = [m["ModelName"] for m in aws("sagemaker").list_models()["Models"] if m["ModelName"].startswith(f"{prefix}-wf-")]
    assert made == [running], made
    # A version SageMaker rolls back: the execution fails with SageMaker's
    # reason, and deletes the configuration and model it made (the endpoint
    # does not run them).
    emulator.configure(fail_next_endpoint_update=ENDPOINT)
    failed = run_execution(aws, value(outputs, "stateMachineArn"))
    assert failed["status"] == "FAILED" and failed.get("error") == "EndpointUpdateFailed", failed
    assert aws("sagemaker").describe_endpoint(EndpointName=ENDPOINT)["EndpointConfigName"] == running
    configs = [c["EndpointConfigName"] for c in aws("sagemaker").list_endpoint_configs()["EndpointConfigs"]]
    assert [c for c in configs if c.startswith(f"{prefix}-wf-")] == [running], configs
    models = [m["ModelName"] for m in aws("sagemaker").list_models()["Models"] if m["ModelName"].startswith(f"{prefix}-wf-")]
    assert models == [running], models
    emulator.set_training_final_metric(METRIC, 0.3)
    assert run_execution(aws, value(outputs, "stateMachineArn"))["status"] == "SUCCEEDED"
    stack.run("destroy")
    stack.remove()
    assert aws("stepfunctions").list_state_machines()["stateMachines"] == []
    assert aws("sagemaker").list_model_package_groups()["ModelPackageGroupSummaryList"] == []
    assert aws("events").list_rules()["Rules"] == []
    groups = aws("logs").describe_log_groups(logGroupNamePrefix="/aws/vendedlogs/states/")["logGroups"]
    assert groups == []
    assert aws("sagemaker").list_endpoints()["Endpoints"] == []
    assert aws("sagemaker").list_endpoint_configs()["EndpointConfigs"] == []
    assert aws("sagemaker").list_models()["Models"] == []


def test_an_async_endpoint_gets_new_versions_with_its_async_settings(engine, emulator, aws):
    emulator.reset()
    emulator.configure(endpoint_creating_seconds=0.5, endpoint_updating_seconds=0.5, training_job_seconds=0.5)
    stack = Stack(engine, "python", EXAMPLE, "e2e-workflow-async")
    stack.remove()
    config = {**CONFIG, "inferenceType": "async", "dataCapture": "false"}
    outputs = stack.run("up", config=config).outputs
    sagemaker = aws("sagemaker")
    program_config = sagemaker.describe_endpoint(EndpointName=ENDPOINT)["EndpointConfigName"]
    settings = sagemaker.describe_endpoint_config(EndpointConfigName=program_config)["AsyncInferenceConfig"]
    emulator.set_training_final_metric(METRIC, 0.93)
    execution = run_execution(aws, value(outputs, "stateMachineArn"))
    assert execution["status"] == "SUCCEEDED", execution
    running = sagemaker.describe_endpoint(EndpointName=ENDPOINT)
    assert running["EndpointStatus"] == "InService"
    assert running["EndpointConfigName"].startswith(f"{value(outputs, 'workflowNamePrefix')}-wf-")
    deployed = sagemaker.describe_endpoint_config(EndpointConfigName=running["EndpointConfigName"])
    assert deployed["AsyncInferenceConfig"] == settings
    assert "DataCaptureConfig" not in deployed
    assert [v["ModelName"] for v in deployed["ProductionVariants"]] == [running["EndpointConfigName"]]
    # The program's configuration is not the workflow's: nothing of it deleted.
    assert sagemaker.describe_endpoint_config(EndpointConfigName=program_config)["EndpointConfigName"] == program_config
    emulator.clear_requests()
    stack.run("up", config=config)
    sagemaker_calls = [r["operation"] for r in emulator.requests() if r["service"] == "sagemaker"]
    assert mutating(sagemaker_calls) == [], sagemaker_calls
    stack.run("refresh", "--expect-no-changes", config=config)
    stack.run("destroy", config=config)
    stack.remove()
    assert sagemaker.list_endpoint_configs()["EndpointConfigs"] == []
    assert sagemaker.list_models()["Models"] == []
