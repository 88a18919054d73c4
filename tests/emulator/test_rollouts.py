"""Deployment guardrails and the endpoint state machine, through boto3 against the emulator.

Rules and their sources: sagemaker_emulator/deployment_rules.py, endpoint_operations.py,
endpoint_lifecycle.py; README "Rules".
"""

from __future__ import annotations

import time

import pytest

from aws_setup import describe_alarms_statement, make_execution_role, put_policy, put_s3_object, read_statement
from test_emulator import IMAGE, ROLE_ARN, wait_status

ARN = "arn:aws:sagemaker:us-east-1:123456789012:endpoint/endpoint-a"
MODEL_DATA = "s3://models-bucket/model-a/model.tar.gz"
CONTAINER = {"Image": IMAGE, "ModelDataUrl": MODEL_DATA}


@pytest.fixture(autouse=True)
def _model_access(emulator, iam, s3):
    """What every deployment needs: the model artifact in S3, and ROLE_ARN trusting SageMaker, allowed to read it
    and to describe the rollback alarms."""
    put_s3_object(s3, MODEL_DATA)
    assert make_execution_role(iam, statements=[read_statement(MODEL_DATA), describe_alarms_statement()]) == ROLE_ARN
    emulator.clear_requests()


def setup_endpoint(sm, counts=(4, 4), variant_names=("primary",), second_names=None, instance_type="ml.m5.large"):
    """A model, config-a/config-b (instance counts ``counts``) and endpoint-a InService on config-a."""
    sm.create_model(ModelName="model-a", ExecutionRoleArn=ROLE_ARN, PrimaryContainer=CONTAINER)
    for config, count, names in (("config-a", counts[0], variant_names), ("config-b", counts[1], second_names or variant_names)):
        sm.create_endpoint_config(
            EndpointConfigName=config,
            ProductionVariants=[
                {"VariantName": name, "ModelName": "model-a", "InitialInstanceCount": count, "InstanceType": instance_type}
                for name in names
            ],
        )
    sm.create_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-a")
    wait_status(sm, "endpoint-a", "InService")


def blue_green(kind="ALL_AT_ONCE", wait=0, canary=None, step=None, termination=None, alarms=None, timeout=None):
    routing = {"Type": kind, "WaitIntervalInSeconds": wait}
    if canary is not None:
        routing["CanarySize"] = canary
    if step is not None:
        routing["LinearStepSize"] = step
    policy = {"TrafficRoutingConfiguration": routing}
    if termination is not None:
        policy["TerminationWaitInSeconds"] = termination
    if timeout is not None:
        policy["MaximumExecutionTimeoutInSeconds"] = timeout
    config = {"BlueGreenUpdatePolicy": policy}
    if alarms:
        config["AutoRollbackConfiguration"] = {"Alarms": [{"AlarmName": name} for name in alarms]}
    return config


def percent(value):
    return {"Type": "CAPACITY_PERCENT", "Value": value}


def instances(value):
    return {"Type": "INSTANCE_COUNT", "Value": value}


def update_error(sm, error_of, deployment, config="config-b"):
    return error_of(sm.update_endpoint, EndpointName="endpoint-a", EndpointConfigName=config, DeploymentConfig=deployment)["Error"]


def make_alarm(cloudwatch, name="endpoint-a-errors"):
    cloudwatch.put_metric_alarm(
        AlarmName=name, Namespace="AWS/SageMaker", MetricName="Invocation5XXErrors",
        Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold",
    )


# -- DeploymentConfig limits ---------------------------------------------------------------------------


def test_canary_size_is_at_most_half_of_the_fleet(emulator, sagemaker, error_of):
    setup_endpoint(sagemaker)
    error = update_error(sagemaker, error_of, blue_green("CANARY", canary=percent(60)))
    assert error["Code"] == "ValidationException" and "CanarySize" in error["Message"] and "50%" in error["Message"]
    error = update_error(sagemaker, error_of, blue_green("CANARY", canary=instances(3)))  # 3 of 4 instances
    assert "CanarySize" in error["Message"]
    assert "CanarySize must be specified" in update_error(sagemaker, error_of, blue_green("CANARY"))["Message"]
    sagemaker.update_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-b", DeploymentConfig=blue_green("CANARY", canary=instances(2)))


def test_linear_step_is_ten_to_fifty_percent_of_the_fleet(emulator, sagemaker, error_of):
    setup_endpoint(sagemaker, counts=(4, 20))
    for step in (percent(5), percent(60), instances(11), instances(1)):  # 1 of 20 = 5%
        error = update_error(sagemaker, error_of, blue_green("LINEAR", step=step))
        assert "LinearStepSize must be between 10% and 50%" in error["Message"], step
    assert "LinearStepSize must be specified" in update_error(sagemaker, error_of, blue_green("LINEAR"))["Message"]
    sagemaker.update_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-b", DeploymentConfig=blue_green("LINEAR", step=instances(10)))


def test_wait_and_timeout_ranges_follow_the_api_reference(emulator, aws_client, error_of):
    # boto3 validates these ranges itself; the Rust SDK does not, so send them unchecked.
    from botocore.config import Config

    sm = aws_client("sagemaker", config=Config(parameter_validation=False))
    setup_endpoint(sm)
    path = "deploymentConfig.blueGreenUpdatePolicy"
    error = update_error(sm, error_of, blue_green(wait=3601))
    assert error["Message"] == (
        f"1 validation error detected: Value '3601' at '{path}.trafficRoutingConfiguration.waitIntervalInSeconds' "
        "failed to satisfy constraint: Member must have value less than or equal to 3600"
    )
    error = update_error(sm, error_of, blue_green(termination=-1, timeout=599))
    assert error["Message"].startswith("2 validation errors detected: ")
    assert f"Value '-1' at '{path}.terminationWaitInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 0" in error["Message"]
    assert f"Value '599' at '{path}.maximumExecutionTimeoutInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 600" in error["Message"]
    assert "less than or equal to 28800" in update_error(sm, error_of, blue_green(timeout=28801))["Message"]
    assert "Member must not be null" in update_error(sm, error_of, {"BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": {"Type": "CANARY"}}})["Message"]


def test_guardrails_need_the_same_variant_names(emulator, sagemaker, error_of):
    setup_endpoint(sagemaker, second_names=("renamed",))
    error = update_error(sagemaker, error_of, blue_green())
    assert "same variant names" in error["Message"]
    # Without a deployment policy, a new variant name is a plain blue/green update.
    sagemaker.update_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-b")
    wait_status(sagemaker, "endpoint-a", "InService")
    assert sagemaker.describe_endpoint(EndpointName="endpoint-a")["ProductionVariants"][0]["VariantName"] == "renamed"


def test_rolling_deployments_exclude_multi_variant_endpoints_and_take_one_policy(emulator, sagemaker, error_of):
    setup_endpoint(sagemaker, variant_names=("a", "b"))
    rolling = {"RollingUpdatePolicy": {"MaximumBatchSize": percent(25), "WaitIntervalInSeconds": 0}}
    assert "multi-variant" in update_error(sagemaker, error_of, rolling)["Message"]
    both = {**blue_green(), **rolling}
    assert "Only one update policy" in update_error(sagemaker, error_of, both)["Message"]
    small = {"RollingUpdatePolicy": {"MaximumBatchSize": percent(4), "WaitIntervalInSeconds": 0}}
    assert "MaximumBatchSize must be between 5% and 50%" in update_error(sagemaker, error_of, small)["Message"]


def test_create_endpoint_checks_its_deployment_config(emulator, sagemaker, error_of):
    setup_endpoint(sagemaker)
    error = error_of(
        sagemaker.create_endpoint, EndpointName="endpoint-b", EndpointConfigName="config-a",
        DeploymentConfig=blue_green("CANARY", canary=percent(75)),
    )["Error"]
    assert "CanarySize" in error["Message"]
    deployment = blue_green("CANARY", canary=percent(25), alarms=["x"])
    sagemaker.create_endpoint(EndpointName="endpoint-b", EndpointConfigName="config-a", DeploymentConfig=deployment)
    assert sagemaker.describe_endpoint(EndpointName="endpoint-b")["LastDeploymentConfig"] == deployment


# -- the execution role reads the rollback alarms -------------------------------------------------------


def refusal_for_alarm(alarm: str) -> str:
    arn = f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{alarm}"
    return f'and has "cloudwatch:DescribeAlarms" permissions for alarm "{arn}".'


def test_rollback_alarms_the_execution_role_may_not_describe_refuse_the_deployment(emulator, sagemaker, iam, error_of):
    setup_endpoint(sagemaker)
    # Only the first of the two alarms may be described.
    put_policy(iam, "sagemaker-execution", "access", [read_statement(MODEL_DATA), describe_alarms_statement("endpoint-a-errors")])
    deployment = blue_green("CANARY", canary=percent(25), alarms=["endpoint-a-errors", "endpoint-a-latency"])
    error = update_error(sagemaker, error_of, deployment)
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith(f"The provided role '{ROLE_ARN}' is invalid.")
    assert error["Message"].endswith(refusal_for_alarm("endpoint-a-latency"))
    # Refused as a request: nothing started.
    described = sagemaker.describe_endpoint(EndpointName="endpoint-a")
    assert (described["EndpointStatus"], described["EndpointConfigName"]) == ("InService", "config-a")
    error = error_of(sagemaker.create_endpoint, EndpointName="endpoint-b", EndpointConfigName="config-a", DeploymentConfig=deployment)["Error"]
    assert error["Message"].endswith(refusal_for_alarm("endpoint-a-latency"))
    assert [e["EndpointName"] for e in sagemaker.list_endpoints()["Endpoints"]] == ["endpoint-a"]

    # An explicit Deny wins over the Allow.
    deny = {"Effect": "Deny", "Action": "cloudwatch:Describe*", "Resource": "*"}
    put_policy(iam, "sagemaker-execution", "access", [read_statement(MODEL_DATA), describe_alarms_statement(), deny])
    assert update_error(sagemaker, error_of, deployment)["Message"].endswith(refusal_for_alarm("endpoint-a-errors"))

    # Allowed on both: the update goes ahead; without alarms nothing is asked of the role.
    put_policy(iam, "sagemaker-execution", "access", [read_statement(MODEL_DATA), describe_alarms_statement("endpoint-a-*")])
    sagemaker.update_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-b", DeploymentConfig=deployment)
    wait_status(sagemaker, "endpoint-a", "InService")
    put_policy(iam, "sagemaker-execution", "access", [read_statement(MODEL_DATA)])
    sagemaker.update_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-a", DeploymentConfig=blue_green("CANARY", canary=percent(25)))
    wait_status(sagemaker, "endpoint-a", "InService")
    assert sagemaker.describe_endpoint(EndpointName="endpoint-a")["EndpointConfigName"] == "config-a"


# -- rollouts take the time their traffic routing says -------------------------------------------------


def timed_update(emulator, sagemaker, deployment, scale=0.01):
    emulator.configure(deployment_time_scale=scale)
    started = time.monotonic()
    sagemaker.update_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-b", DeploymentConfig=deployment)
    seen = wait_status(sagemaker, "endpoint-a", "InService", timeout=20)
    return seen, time.monotonic() - started


def test_a_canary_bakes_its_wait_interval_then_the_termination_wait(emulator, sagemaker):
    setup_endpoint(sagemaker)
    seen, took = timed_update(emulator, sagemaker, blue_green("CANARY", wait=40, canary=percent(25), termination=20))
    assert seen == ["Updating", "InService"] and 0.55 <= took < 3.0  # (40 + 20) s at 0.01
    assert sagemaker.describe_endpoint(EndpointName="endpoint-a")["EndpointConfigName"] == "config-b"


def test_a_linear_rollout_bakes_once_per_step(emulator, sagemaker):
    setup_endpoint(sagemaker)
    _, took = timed_update(emulator, sagemaker, blue_green("LINEAR", wait=20, step=percent(25)))
    assert 0.75 <= took < 3.0  # 4 steps x 20 s at 0.01


def test_all_at_once_shifts_at_once_and_bakes_the_termination_wait(emulator, sagemaker):
    setup_endpoint(sagemaker)
    _, took = timed_update(emulator, sagemaker, blue_green("ALL_AT_ONCE", wait=600, termination=30))
    assert 0.25 <= took < 2.0  # only the 30 s termination wait


def test_a_baking_deployment_shows_its_progress(emulator, sagemaker):
    setup_endpoint(sagemaker)
    emulator.configure(deployment_time_scale=0.05)
    sagemaker.update_endpoint(
        EndpointName="endpoint-a", EndpointConfigName="config-b", DeploymentConfig=blue_green("CANARY", wait=20, canary=percent(25))
    )
    during = sagemaker.describe_endpoint(EndpointName="endpoint-a")
    assert during["EndpointStatus"] == "Updating" and during["EndpointConfigName"] == "config-a"
    status = during["PendingDeploymentSummary"]["ProductionVariants"][0]["VariantStatus"][0]
    assert status["Status"] == "Baking" and "25%" in status["StatusMessage"]
    wait_status(sagemaker, "endpoint-a", "InService")
    assert "PendingDeploymentSummary" not in sagemaker.describe_endpoint(EndpointName="endpoint-a")


# -- alarms are watched during every bake ---------------------------------------------------------------


def test_an_alarm_that_fires_during_the_canary_bake_rolls_back(emulator, sagemaker, cloudwatch):
    setup_endpoint(sagemaker)
    make_alarm(cloudwatch)
    emulator.configure(deployment_time_scale=0.05, endpoint_updating_seconds=0.2)  # 20 s bake -> 1 s
    sagemaker.update_endpoint(
        EndpointName="endpoint-a", EndpointConfigName="config-b",
        DeploymentConfig=blue_green("CANARY", wait=20, canary=percent(25), alarms=["endpoint-a-errors"]),
    )
    time.sleep(0.5)
    cloudwatch.set_alarm_state(AlarmName="endpoint-a-errors", StateValue="ALARM", StateReason="test")
    cloudwatch.set_alarm_state(AlarmName="endpoint-a-errors", StateValue="OK", StateReason="test")  # cleared again before anyone looked
    assert wait_status(sagemaker, "endpoint-a", "InService") == ["RollingBack", "InService"]
    endpoint = sagemaker.describe_endpoint(EndpointName="endpoint-a")
    assert endpoint["EndpointConfigName"] == "config-a" and "endpoint-a-errors" in endpoint["FailureReason"]


def test_an_alarm_during_the_termination_wait_rolls_back_too(emulator, sagemaker, cloudwatch):
    setup_endpoint(sagemaker)
    make_alarm(cloudwatch)
    emulator.configure(deployment_time_scale=0.05, endpoint_updating_seconds=0.2)
    sagemaker.update_endpoint(
        EndpointName="endpoint-a", EndpointConfigName="config-b",
        DeploymentConfig=blue_green("ALL_AT_ONCE", termination=20, alarms=["endpoint-a-errors"]),
    )
    time.sleep(0.5)
    cloudwatch.set_alarm_state(AlarmName="endpoint-a-errors", StateValue="ALARM", StateReason="test")
    assert wait_status(sagemaker, "endpoint-a", "InService")[-2:] == ["RollingBack", "InService"]
    assert sagemaker.describe_endpoint(EndpointName="endpoint-a")["EndpointConfigName"] == "config-a"


def test_an_alarm_after_the_deployment_changes_nothing(emulator, sagemaker, cloudwatch):
    setup_endpoint(sagemaker)
    make_alarm(cloudwatch)
    sagemaker.update_endpoint(
        EndpointName="endpoint-a", EndpointConfigName="config-b",
        DeploymentConfig=blue_green("CANARY", wait=10, canary=percent(50), alarms=["endpoint-a-errors"]),
    )
    wait_status(sagemaker, "endpoint-a", "InService")
    cloudwatch.set_alarm_state(AlarmName="endpoint-a-errors", StateValue="ALARM", StateReason="test")
    endpoint = sagemaker.describe_endpoint(EndpointName="endpoint-a")
    assert endpoint["EndpointStatus"] == "InService" and endpoint["EndpointConfigName"] == "config-b"


# -- UpdateEndpointWeightsAndCapacities can fail ---------------------------------------------------------


def test_a_failed_weights_update_rolls_back_to_the_old_capacity(emulator, sagemaker):
    setup_endpoint(sagemaker, counts=(2, 2))
    emulator.configure(endpoint_updating_seconds=0.3, fail_next_weights_update="endpoint-a")
    sagemaker.update_endpoint_weights_and_capacities(
        EndpointName="endpoint-a", DesiredWeightsAndCapacities=[{"VariantName": "primary", "DesiredInstanceCount": 5, "DesiredWeight": 2.0}]
    )
    assert wait_status(sagemaker, "endpoint-a", "InService") == ["Updating", "RollingBack", "InService"]
    endpoint = sagemaker.describe_endpoint(EndpointName="endpoint-a")
    variant = endpoint["ProductionVariants"][0]
    assert (variant["CurrentInstanceCount"], variant["DesiredInstanceCount"], variant["DesiredWeight"]) == (2, 2, 1.0)
    assert endpoint["FailureReason"].startswith("Injected failure")
    assert emulator.config()["fail_next_weights_update"] is False


# -- Deleting, SystemUpdating, Failed -------------------------------------------------------------------


def test_a_deleted_endpoint_is_deleting_for_a_while(emulator, sagemaker, error_of):
    setup_endpoint(sagemaker)
    emulator.configure(endpoint_deleting_seconds=0.5)
    sagemaker.delete_endpoint(EndpointName="endpoint-a")
    assert sagemaker.describe_endpoint(EndpointName="endpoint-a")["EndpointStatus"] == "Deleting"
    assert [e["EndpointStatus"] for e in sagemaker.list_endpoints()["Endpoints"]] == ["Deleting"]
    again = error_of(sagemaker.create_endpoint, EndpointName="endpoint-a", EndpointConfigName="config-a")["Error"]
    assert again["Message"] == f'Cannot create already existing endpoint "{ARN}".'
    busy = error_of(sagemaker.update_endpoint, EndpointName="endpoint-a", EndpointConfigName="config-b")["Error"]
    assert busy["Message"] == f'Cannot update in-progress endpoint "{ARN}".'
    time.sleep(0.6)
    assert error_of(sagemaker.describe_endpoint, EndpointName="endpoint-a")["Error"]["Message"] == f'Could not find endpoint "{ARN}".'
    sagemaker.create_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-a")


def test_an_in_progress_endpoint_cannot_be_deleted(emulator, sagemaker, error_of):
    emulator.configure(endpoint_creating_seconds=0.5)
    setup_endpoint(sagemaker)
    emulator.configure(endpoint_updating_seconds=0.5)
    sagemaker.update_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-b")
    error = error_of(sagemaker.delete_endpoint, EndpointName="endpoint-a")["Error"]
    assert error == {"Code": "ValidationException", "Message": f'Cannot update in-progress endpoint "{ARN}".'}
    wait_status(sagemaker, "endpoint-a", "InService")
    sagemaker.delete_endpoint(EndpointName="endpoint-a")
    missing = error_of(sagemaker.delete_endpoint, EndpointName="endpoint-a")["Error"]
    assert missing["Message"] == f'Could not find endpoint "{ARN}".'


def test_system_updating_refuses_updates_rescaling_and_deletion(emulator, sagemaker, error_of):
    setup_endpoint(sagemaker)
    assert emulator.system_update("endpoint-a", 0.5)["EndpointStatus"] == "SystemUpdating"
    assert sagemaker.describe_endpoint(EndpointName="endpoint-a")["EndpointStatus"] == "SystemUpdating"
    expected = f'Cannot update in-progress endpoint "{ARN}".'
    assert error_of(sagemaker.update_endpoint, EndpointName="endpoint-a", EndpointConfigName="config-b")["Error"]["Message"] == expected
    rescale = error_of(
        sagemaker.update_endpoint_weights_and_capacities, EndpointName="endpoint-a",
        DesiredWeightsAndCapacities=[{"VariantName": "primary", "DesiredInstanceCount": 2}],
    )
    assert rescale["Error"]["Message"] == expected
    assert error_of(sagemaker.delete_endpoint, EndpointName="endpoint-a")["Error"]["Message"] == expected
    assert wait_status(sagemaker, "endpoint-a", "InService")[-1] == "InService"
    sagemaker.delete_endpoint(EndpointName="endpoint-a")


def test_system_update_needs_an_in_service_endpoint(emulator, sagemaker):
    from sagemaker_emulator.client import EmulatorError

    with pytest.raises(EmulatorError, match="no endpoint"):
        emulator.system_update("missing", 1)


def test_a_failed_endpoint_can_only_be_deleted(emulator, sagemaker, error_of):
    emulator.configure(fail_next_endpoint_create=True)
    sagemaker.create_model(ModelName="model-a", ExecutionRoleArn=ROLE_ARN, PrimaryContainer=CONTAINER)
    sagemaker.create_endpoint_config(
        EndpointConfigName="config-a",
        ProductionVariants=[{"VariantName": "primary", "ModelName": "model-a", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}],
    )
    sagemaker.create_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-a")
    wait_status(sagemaker, "endpoint-a", "Failed")
    expected = f'Cannot update failed endpoint "{ARN}".'
    assert error_of(sagemaker.update_endpoint, EndpointName="endpoint-a", EndpointConfigName="config-a")["Error"]["Message"] == expected
    rescale = error_of(
        sagemaker.update_endpoint_weights_and_capacities, EndpointName="endpoint-a",
        DesiredWeightsAndCapacities=[{"VariantName": "primary", "DesiredWeight": 2.0}],
    )
    assert rescale["Error"]["Message"] == expected
    sagemaker.delete_endpoint(EndpointName="endpoint-a")
