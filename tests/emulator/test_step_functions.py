"""Step Functions executions against the emulator: the retraining workflow end to end, its failures, and
the Amazon States Language features it relies on (Choice, Wait, Retry, Catch, Stop)."""

from __future__ import annotations

import json
import time

import pytest

from aws_setup import ACCOUNT
from sfn_setup import (
    MANAGED_RULE,
    OUTPUT_PATH,
    deployed_endpoint,
    execution_role,
    finished,
    history,
    make_states_role,
    prepare_training,
    retraining_workflow,
    wait_until,
    workflow_statements,
)


@pytest.fixture
def stepfunctions(aws_client):
    return aws_client("stepfunctions")


@pytest.fixture
def fast(emulator):
    emulator.configure(training_job_seconds=0.3, endpoint_updating_seconds=0.3, endpoint_creating_seconds=0.1)


def start(stepfunctions, machine_arn: str, payload: dict) -> str:
    return stepfunctions.start_execution(stateMachineArn=machine_arn, input=json.dumps(payload))["executionArn"]


def workflow_input(job: str = "retrain-1") -> dict:
    return {"job": job, "group": "models", "model": f"{job}-model", "config": f"{job}-config", "endpoint": "serving"}


@pytest.fixture
def workflow(iam, s3, sagemaker, stepfunctions, fast):
    """The retraining state machine, its roles, training data and a serving endpoint on version 0."""
    role = execution_role(iam)
    prepare_training(s3)
    deployed_endpoint(sagemaker, s3, role)
    sagemaker.create_model_package_group(ModelPackageGroupName="models")
    states_role = make_states_role(iam, statements=workflow_statements(role))
    machine = stepfunctions.create_state_machine(
        name="retrain", definition=json.dumps(retraining_workflow(role)), roleArn=states_role
    )["stateMachineArn"]
    return machine


def test_workflow_trains_registers_and_deploys_the_new_version(emulator, workflow, stepfunctions, sagemaker, s3):
    emulator.set_training_final_metric("validation:accuracy", 0.95)
    began = time.monotonic()
    execution = start(stepfunctions, workflow, workflow_input())
    assert stepfunctions.describe_execution(executionArn=execution)["status"] == "RUNNING"

    result = finished(stepfunctions, execution)
    took = time.monotonic() - began

    assert result["status"] == "SUCCEEDED", result
    output = json.loads(result["output"])
    assert output["training"] == {"metric": 0.95, "artifact": f"{OUTPUT_PATH}/retrain-1/output/model.tar.gz"}
    assert output["deployed"] == {"status": "InService", "config": "retrain-1-config"}
    endpoint = sagemaker.describe_endpoint(EndpointName="serving")
    assert (endpoint["EndpointStatus"], endpoint["EndpointConfigName"]) == ("InService", "retrain-1-config")
    job = sagemaker.describe_training_job(TrainingJobName="retrain-1")
    assert job["TrainingJobStatus"] == "Completed"
    assert [(m["MetricName"], m["Value"]) for m in job["FinalMetricDataList"]] == [("validation:accuracy", 0.95)]
    assert s3.get_object(Bucket="training-output", Key="jobs/retrain-1/output/model.tar.gz")["Body"].read()[:2] == b"\x1f\x8b"
    package = sagemaker.describe_model_package(ModelPackageName=output["package"]["ModelPackageArn"])
    assert package["ModelApprovalStatus"] == "Approved"
    assert package["CustomerMetadataProperties"] == {"metric": "0.95"}
    types = [event["type"] for event in history(stepfunctions, execution)]
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded"
    assert "TaskSubmitted" in types and "WaitStateEntered" in types
    calls = emulator.operations("sagemaker")
    for operation in ("CreateTrainingJob", "DescribeTrainingJob", "CreateModelPackage", "CreateModel", "UpdateEndpoint", "DescribeEndpoint"):
        assert operation in calls
    print(f"retraining execution took {took:.2f} s")


def test_metric_below_threshold_registers_a_rejected_version_and_deploys_nothing(emulator, workflow, stepfunctions, sagemaker):
    emulator.set_training_final_metric("validation:accuracy", 0.5)
    emulator.clear_requests()

    result = finished(stepfunctions, start(stepfunctions, workflow, workflow_input("retrain-low")))

    assert result["status"] == "SUCCEEDED"
    packages = sagemaker.list_model_packages(ModelPackageGroupName="models")["ModelPackageSummaryList"]
    assert [p["ModelApprovalStatus"] for p in packages] == ["Rejected"]
    assert sagemaker.describe_endpoint(EndpointName="serving")["EndpointConfigName"] == "serving-v0"
    calls = emulator.operations("sagemaker")
    assert "CreateModel" not in calls and "UpdateEndpoint" not in calls


def test_failed_training_job_fails_the_execution_with_its_reason(emulator, workflow, stepfunctions):
    emulator.configure(fail_next_training_job="retrain-bad")

    result = finished(stepfunctions, start(stepfunctions, workflow, workflow_input("retrain-bad")))

    assert result["status"] == "FAILED"
    assert result["error"] == "States.TaskFailed"
    cause = json.loads(result["cause"])
    assert cause["TrainingJobStatus"] == "Failed"
    assert "Injected failure" in cause["FailureReason"]
    failed = [e for e in history(stepfunctions, result["executionArn"]) if e["type"] == "TaskFailed"]
    assert failed and failed[0]["taskFailedEventDetails"]["resource"] == "createTrainingJob.sync"


def test_missing_permission_fails_the_task_with_access_denied(emulator, iam, s3, sagemaker, stepfunctions, fast):
    role = execution_role(iam)
    prepare_training(s3)
    deployed_endpoint(sagemaker, s3, role)
    sagemaker.create_model_package_group(ModelPackageGroupName="models")
    allowed = ["sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob", "sagemaker:CreateModelPackage"]
    states_role = make_states_role(iam, statements=workflow_statements(role, allowed))
    machine = stepfunctions.create_state_machine(
        name="retrain", definition=json.dumps(retraining_workflow(role)), roleArn=states_role
    )["stateMachineArn"]
    emulator.set_training_final_metric("validation:accuracy", 0.99)

    result = finished(stepfunctions, start(stepfunctions, machine, workflow_input()))

    assert result["status"] == "FAILED"
    assert result["error"] == "SageMaker.AmazonSageMakerException"
    assert "is not authorized to perform: sagemaker:CreateModel on resource: " in result["cause"]
    assert f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model/retrain-1-model" in result["cause"]
    assert "Error Code: AccessDeniedException" in result["cause"]
    assert [m["ModelName"] for m in sagemaker.list_models()["Models"]] == ["serving-v0"]


def test_aws_sdk_task_without_permission_fails_with_access_denied(iam, stepfunctions):
    role = make_states_role(iam, statements=[{"Effect": "Allow", "Action": "sagemaker:ListModels", "Resource": "*"}])
    definition = {
        "StartAt": "Describe",
        "States": {
            "Describe": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sagemaker:describeEndpoint",
                "Parameters": {"EndpointName": "serving"},
                "End": True,
            }
        },
    }
    machine = stepfunctions.create_state_machine(name="describe", definition=json.dumps(definition), roleArn=role)["stateMachineArn"]

    result = finished(stepfunctions, start(stepfunctions, machine, {}))

    assert (result["status"], result["error"]) == ("FAILED", "SageMaker.AccessDeniedException")
    assert "sagemaker:DescribeEndpoint" in result["cause"]


def test_create_state_machine_needs_a_role_states_can_assume(iam, stepfunctions, error_of):
    sagemaker_only = execution_role(iam)
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}

    error = error_of(stepfunctions.create_state_machine, name="m", definition=json.dumps(definition), roleArn=sagemaker_only)

    assert error["Error"]["Code"] == "AccessDeniedException"
    assert "Neither the global service principal states.amazonaws.com" in error["Error"]["Message"]


def test_training_sync_task_needs_the_managed_rule_permissions(iam, stepfunctions, error_of):
    role = execution_role(iam)
    without_events = make_states_role(iam, statements=[{"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"}])

    error = error_of(
        stepfunctions.create_state_machine, name="m", definition=json.dumps(retraining_workflow(role)), roleArn=without_events
    )

    assert error["Error"]["Code"] == "AccessDeniedException"
    assert error["Error"]["Message"] == f"'{without_events}' is not authorized to create managed-rule."
    with_events = make_states_role(
        iam, "with-events", [{"Effect": "Allow", "Action": "events:*", "Resource": MANAGED_RULE}]
    )
    assert stepfunctions.create_state_machine(name="m", definition=json.dumps(retraining_workflow(role)), roleArn=with_events)


def test_unknown_sagemaker_resource_is_an_invalid_definition(iam, stepfunctions, error_of):
    role = make_states_role(iam)
    definition = {
        "StartAt": "Describe",
        "States": {"Describe": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:describeEndpoint", "End": True}},
    }

    error = error_of(stepfunctions.create_state_machine, name="m", definition=json.dumps(definition), roleArn=role)

    assert error["Error"]["Code"] == "InvalidDefinition"
    assert "The resource provided arn:aws:states:::sagemaker:describeEndpoint is not recognized" in error["Error"]["Message"]


def test_wait_lasts_its_seconds_times_the_time_scale(emulator, iam, stepfunctions):
    emulator.configure(sfn_time_scale=0.01)
    role = make_states_role(iam)
    definition = {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "SecondsPath": "$.seconds", "End": True}}}
    machine = stepfunctions.create_state_machine(name="wait", definition=json.dumps(definition), roleArn=role)["stateMachineArn"]

    began = time.monotonic()
    execution = start(stepfunctions, machine, {"seconds": 100})
    time.sleep(0.3)
    assert stepfunctions.describe_execution(executionArn=execution)["status"] == "RUNNING"
    result = finished(stepfunctions, execution)

    assert result["status"] == "SUCCEEDED"
    assert 0.9 <= time.monotonic() - began < 5.0
    assert json.loads(result["output"]) == {"seconds": 100}


def test_retry_then_catch_on_a_sagemaker_error(iam, stepfunctions):
    role = make_states_role(iam, statements=[{"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"}])
    definition = {
        "StartAt": "Describe",
        "States": {
            "Describe": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sagemaker:describeEndpoint",
                "Parameters": {"EndpointName": "missing"},
                "Retry": [{"ErrorEquals": ["SageMaker.ValidationException"], "IntervalSeconds": 1, "MaxAttempts": 2}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Handled"}],
                "End": True,
            },
            "Handled": {"Type": "Pass", "End": True},
        },
    }
    machine = stepfunctions.create_state_machine(name="retry", definition=json.dumps(definition), roleArn=role)["stateMachineArn"]

    execution = start(stepfunctions, machine, {"ticket": 7})
    result = finished(stepfunctions, execution)

    assert result["status"] == "SUCCEEDED"
    output = json.loads(result["output"])
    assert output["ticket"] == 7
    assert output["failure"]["Error"] == "SageMaker.ValidationException"
    assert 'Could not find endpoint "arn:aws:sagemaker:us-east-1:' in output["failure"]["Cause"]
    types = [event["type"] for event in history(stepfunctions, execution)]
    assert types.count("TaskScheduled") == 3 and types.count("TaskFailed") == 3


def test_task_failed_catcher_and_fail_state(iam, stepfunctions):
    role = make_states_role(iam, statements=[{"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"}])
    definition = {
        "StartAt": "Describe",
        "States": {
            "Describe": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sagemaker:describeTrainingJob",
                "Parameters": {"TrainingJobName.$": "States.Format('job-{}', $.id)"},
                "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Failed"}],
                "End": True,
            },
            "Failed": {"Type": "Fail", "Error": "NoSuchJob", "CausePath": "$.Cause"},
        },
    }
    machine = stepfunctions.create_state_machine(name="fail", definition=json.dumps(definition), roleArn=role)["stateMachineArn"]

    result = finished(stepfunctions, start(stepfunctions, machine, {"id": 42}))

    assert (result["status"], result["error"]) == ("FAILED", "NoSuchJob")
    assert "job-42" in result["cause"]


def test_stop_execution_aborts_it(iam, stepfunctions):
    role = make_states_role(iam)
    definition = {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 100000, "End": True}}}
    machine = stepfunctions.create_state_machine(name="long", definition=json.dumps(definition), roleArn=role)["stateMachineArn"]
    execution = start(stepfunctions, machine, {})

    stepfunctions.stop_execution(executionArn=execution, error="Operator", cause="no longer needed")

    result = stepfunctions.describe_execution(executionArn=execution)
    assert (result["status"], result["error"], result["cause"]) == ("ABORTED", "Operator", "no longer needed")
    assert [e["status"] for e in stepfunctions.list_executions(stateMachineArn=machine)["executions"]] == ["ABORTED"]
    assert history(stepfunctions, execution)[-1]["type"] == "ExecutionAborted"


def test_a_role_not_yet_propagated_is_refused_until_it_is(emulator, iam, stepfunctions, error_of):
    emulator.configure(iam_propagation_seconds=0.5)
    role = make_states_role(iam, "fresh")
    definition = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})

    early = error_of(stepfunctions.create_state_machine, name="m", definition=definition, roleArn=role)
    assert early["Error"]["Code"] == "AccessDeniedException"
    time.sleep(0.6)
    assert stepfunctions.create_state_machine(name="m", definition=definition, roleArn=role)["stateMachineArn"]


def test_stopping_an_execution_stops_its_training_job(emulator, workflow, stepfunctions, sagemaker):
    emulator.configure(training_job_seconds=30)
    execution = start(stepfunctions, workflow, workflow_input("retrain-stop"))
    wait_until(lambda: "TaskSubmitted" in [e["type"] for e in history(stepfunctions, execution)])

    stepfunctions.stop_execution(executionArn=execution)

    assert stepfunctions.describe_execution(executionArn=execution)["status"] == "ABORTED"
    wait_until(lambda: sagemaker.describe_training_job(TrainingJobName="retrain-stop")["TrainingJobStatus"] == "Stopped")
