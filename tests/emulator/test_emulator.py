"""Tests of the local AWS emulator, through boto3 against a running emulator process.

Fixtures (the emulator, a reset before each test, boto3 clients, ``error_of``) are in conftest.py.
"""

from __future__ import annotations

import json
import time

import pytest

from aws_setup import make_execution_role
from sagemaker_emulator.client import EmulatorError

ROLE_ARN = "arn:aws:iam::123456789012:role/sagemaker-execution"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/model:1"
DELAY = 0.5


@pytest.fixture(autouse=True)
def _execution_role(emulator, iam):
    """ROLE_ARN exists and trusts SageMaker (the emulator refuses models whose role does not); not in the request log."""
    assert make_execution_role(iam) == ROLE_ARN
    emulator.clear_requests()


def make_config(sm, name, count=1, weight=1.0, model="model-a"):
    sm.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[
            {
                "VariantName": "primary",
                "ModelName": model,
                "InitialInstanceCount": count,
                "InstanceType": "ml.m5.large",
                "InitialVariantWeight": weight,
            }
        ],
    )


def deploy(sm, endpoint="endpoint-a", configs=("config-a", "config-b")):
    """A model, one config per name (instance counts 1, 2, ...) and an InService endpoint on the first."""
    sm.create_model(ModelName="model-a", ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": IMAGE})
    for index, config in enumerate(configs, start=1):
        make_config(sm, config, count=index)
    sm.create_endpoint(EndpointName=endpoint, EndpointConfigName=configs[0])
    assert wait_status(sm, endpoint, "InService")[-1] == "InService"


def wait_status(sm, endpoint, final, timeout=10.0):
    """Poll DescribeEndpoint until ``final``; return the distinct statuses seen, in order."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = sm.describe_endpoint(EndpointName=endpoint)["EndpointStatus"]
        if not seen or seen[-1] != status:
            seen.append(status)
        if status == final:
            return seen
        time.sleep(0.03)
    raise AssertionError(f"{endpoint} never reached {final}; saw {seen}")


# -- request log ------------------------------------------------------------------------


def test_request_log_records_calls_of_every_protocol(emulator, sagemaker, s3, iam, kms, sts):
    sagemaker.create_model(ModelName="model-a", ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": IMAGE})
    s3.create_bucket(Bucket="models-bucket")
    s3.put_object(Bucket="models-bucket", Key="model.tar.gz", Body=b"x")
    s3.delete_object(Bucket="models-bucket", Key="model.tar.gz")
    s3.put_bucket_versioning(Bucket="models-bucket", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_policy(Bucket="models-bucket", Policy=json.dumps({"Version": "2012-10-17", "Statement": []}))
    s3.delete_bucket(Bucket="models-bucket")
    iam.create_role(RoleName="role-a", AssumeRolePolicyDocument="{}")
    kms.create_key(Description="key")
    sts.get_caller_identity()

    calls = [(entry["service"], entry["operation"]) for entry in emulator.requests()]
    assert calls == [
        ("sagemaker", "CreateModel"),
        ("s3", "CreateBucket"),
        ("s3", "PutObject"),
        ("s3", "DeleteObject"),
        ("s3", "PutBucketVersioning"),
        ("s3", "PutBucketPolicy"),
        ("s3", "DeleteBucket"),
        ("iam", "CreateRole"),
        ("kms", "CreateKey"),
        ("sts", "GetCallerIdentity"),
    ]
    entry = emulator.requests(service="kms")[0]
    assert entry["time"].endswith("Z") and entry["status"] == 200 and entry["region"] == "us-east-1"

    emulator.clear_requests()
    assert emulator.requests() == []


# -- UpdateEndpoint ---------------------------------------------------------------------------


def test_update_endpoint_switches_config_after_the_delay(emulator, sagemaker):
    deploy(sagemaker)
    emulator.configure(endpoint_updating_seconds=DELAY)
    before = sagemaker.describe_endpoint(EndpointName="endpoint-a")

    arn = sagemaker.update_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-b")["EndpointArn"]
    assert arn == before["EndpointArn"]
    during = sagemaker.describe_endpoint(EndpointName="endpoint-a")
    assert during["EndpointStatus"] == "Updating"
    assert during["EndpointConfigName"] == "config-a"
    assert during["PendingDeploymentSummary"]["EndpointConfigName"] == "config-b"

    assert wait_status(sagemaker, "endpoint-a", "InService") == ["Updating", "InService"]
    after = sagemaker.describe_endpoint(EndpointName="endpoint-a")
    assert after["EndpointConfigName"] == "config-b"
    assert after["ProductionVariants"][0]["CurrentInstanceCount"] == 2
    assert "FailureReason" not in after and "PendingDeploymentSummary" not in after
    assert after["LastModifiedTime"] > before["LastModifiedTime"]
    assert [e["operation"] for e in emulator.requests(service="sagemaker")].count("UpdateEndpoint") == 1


def test_update_endpoint_can_retain_variant_properties(emulator, sagemaker):
    deploy(sagemaker, configs=("config-a", "config-b", "config-c"))
    sagemaker.update_endpoint_weights_and_capacities(
        EndpointName="endpoint-a",
        DesiredWeightsAndCapacities=[{"VariantName": "primary", "DesiredInstanceCount": 5, "DesiredWeight": 3.0}],
    )
    wait_status(sagemaker, "endpoint-a", "InService")

    sagemaker.update_endpoint(
        EndpointName="endpoint-a", EndpointConfigName="config-b", RetainAllVariantProperties=True, RetainDeploymentConfig=True
    )
    wait_status(sagemaker, "endpoint-a", "InService")
    variant = sagemaker.describe_endpoint(EndpointName="endpoint-a")["ProductionVariants"][0]
    assert (variant["CurrentInstanceCount"], variant["CurrentWeight"]) == (5, 3.0)

    sagemaker.update_endpoint(
        EndpointName="endpoint-a",
        EndpointConfigName="config-c",
        RetainAllVariantProperties=True,
        ExcludeRetainedVariantProperties=[{"VariantPropertyType": "DesiredInstanceCount"}],
    )
    wait_status(sagemaker, "endpoint-a", "InService")
    endpoint = sagemaker.describe_endpoint(EndpointName="endpoint-a")
    variant = endpoint["ProductionVariants"][0]
    assert endpoint["EndpointConfigName"] == "config-c"
    assert (variant["CurrentInstanceCount"], variant["CurrentWeight"]) == (3, 3.0)


def test_injected_update_failure_rolls_back_to_the_old_config(emulator, sagemaker):
    deploy(sagemaker)
    emulator.configure(endpoint_updating_seconds=DELAY, fail_next_endpoint_update="endpoint-a")

    sagemaker.update_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-b")
    assert wait_status(sagemaker, "endpoint-a", "InService") == ["Updating", "RollingBack", "InService"]
    endpoint = sagemaker.describe_endpoint(EndpointName="endpoint-a")
    assert endpoint["EndpointConfigName"] == "config-a"
    assert endpoint["ProductionVariants"][0]["CurrentInstanceCount"] == 1
    assert endpoint["FailureReason"].startswith("Injected failure")
    assert emulator.config()["fail_next_endpoint_update"] is False

    # The flag was consumed: the next update succeeds and clears FailureReason.
    sagemaker.update_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-b")
    wait_status(sagemaker, "endpoint-a", "InService")
    endpoint = sagemaker.describe_endpoint(EndpointName="endpoint-a")
    assert endpoint["EndpointConfigName"] == "config-b" and "FailureReason" not in endpoint


def test_deleting_the_old_config_during_an_update_fails_it(emulator, sagemaker):
    deploy(sagemaker)
    emulator.configure(endpoint_updating_seconds=DELAY)
    sagemaker.update_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-b")
    sagemaker.delete_endpoint_config(EndpointConfigName="config-a")
    assert wait_status(sagemaker, "endpoint-a", "InService") == ["Updating", "RollingBack", "InService"]
    endpoint = sagemaker.describe_endpoint(EndpointName="endpoint-a")
    assert endpoint["EndpointConfigName"] == "config-a"
    assert "Could not find endpoint configuration" in endpoint["FailureReason"]


def test_alarm_in_alarm_state_rolls_the_update_back(emulator, sagemaker, cloudwatch):
    deploy(sagemaker)
    cloudwatch.put_metric_alarm(
        AlarmName="endpoint-a-errors", Namespace="AWS/SageMaker", MetricName="Invocation5XXErrors",
        Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold",
    )
    cloudwatch.set_alarm_state(AlarmName="endpoint-a-errors", StateValue="ALARM", StateReason="test")
    deployment = {
        "BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 0}},
        "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "endpoint-a-errors"}]},
    }
    sagemaker.update_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-b", DeploymentConfig=deployment)
    assert wait_status(sagemaker, "endpoint-a", "InService")[-1] == "InService"
    endpoint = sagemaker.describe_endpoint(EndpointName="endpoint-a")
    assert endpoint["EndpointConfigName"] == "config-a"
    assert "endpoint-a-errors" in endpoint["FailureReason"]
    assert endpoint["LastDeploymentConfig"]["AutoRollbackConfiguration"] == deployment["AutoRollbackConfiguration"]

    # RetainDeploymentConfig reuses the last DeploymentConfig, alarms included.
    sagemaker.update_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-b", RetainDeploymentConfig=True)
    wait_status(sagemaker, "endpoint-a", "InService")
    assert sagemaker.describe_endpoint(EndpointName="endpoint-a")["EndpointConfigName"] == "config-a"
    cloudwatch.set_alarm_state(AlarmName="endpoint-a-errors", StateValue="OK", StateReason="test")
    sagemaker.update_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-b")
    wait_status(sagemaker, "endpoint-a", "InService")
    endpoint = sagemaker.describe_endpoint(EndpointName="endpoint-a")
    assert endpoint["EndpointConfigName"] == "config-b" and "LastDeploymentConfig" not in endpoint


def test_update_endpoint_errors_follow_sagemaker(emulator, sagemaker, error_of):
    deploy(sagemaker)
    arn = "arn:aws:sagemaker:us-east-1:123456789012:endpoint/missing"
    missing = error_of(sagemaker.update_endpoint, EndpointName="missing", EndpointConfigName="config-b")
    assert missing["Error"] == {"Code": "ValidationException", "Message": f'Could not find endpoint "{arn}".'}
    assert missing["ResponseMetadata"]["HTTPStatusCode"] == 400

    no_config = error_of(sagemaker.update_endpoint, EndpointName="endpoint-a", EndpointConfigName="nope")
    assert no_config["Error"]["Code"] == "ValidationException"
    assert no_config["Error"]["Message"].startswith('Could not find endpoint configuration "arn:aws:sagemaker:')

    emulator.configure(endpoint_updating_seconds=DELAY)
    sagemaker.update_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-b")
    busy = error_of(sagemaker.update_endpoint, EndpointName="endpoint-a", EndpointConfigName="config-a")
    assert busy["Error"]["Message"].startswith("Cannot update in-progress endpoint")

    described = error_of(sagemaker.describe_endpoint, EndpointName="missing")
    assert described["Error"]["Message"] == f'Could not find endpoint "{arn}".'


# -- CreateEndpoint -----------------------------------------------------------------------------


def test_create_endpoint_stays_creating_for_the_delay(emulator, sagemaker, error_of):
    emulator.configure(endpoint_creating_seconds=DELAY)
    sagemaker.create_model(ModelName="model-a", ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": IMAGE})
    make_config(sagemaker, "config-a")
    sagemaker.create_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-a")
    listed = sagemaker.list_endpoints()["Endpoints"]
    assert [(e["EndpointName"], e["EndpointStatus"]) for e in listed] == [("endpoint-a", "Creating")]
    assert wait_status(sagemaker, "endpoint-a", "InService") == ["Creating", "InService"]

    duplicate = error_of(sagemaker.create_endpoint, EndpointName="endpoint-a", EndpointConfigName="config-a")
    assert duplicate["Error"]["Message"].startswith("Cannot create already existing endpoint")


def test_injected_create_failure_ends_failed(emulator, sagemaker, error_of):
    emulator.configure(endpoint_creating_seconds=DELAY, fail_next_endpoint_create=True)
    sagemaker.create_model(ModelName="model-a", ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": IMAGE})
    make_config(sagemaker, "config-a")
    sagemaker.create_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-a")
    assert wait_status(sagemaker, "endpoint-a", "Failed") == ["Creating", "Failed"]
    assert sagemaker.describe_endpoint(EndpointName="endpoint-a")["FailureReason"].startswith("Injected failure")

    failed = error_of(sagemaker.update_endpoint, EndpointName="endpoint-a", EndpointConfigName="config-a")
    assert failed["Error"]["Code"] == "ValidationException"

    sagemaker.create_endpoint(EndpointName="endpoint-b", EndpointConfigName="config-a")
    assert wait_status(sagemaker, "endpoint-b", "InService")[-1] == "InService"


# -- other endpoint calls ------------------------------------------------------------------------------------


def test_weights_and_capacities_update_then_apply(emulator, sagemaker, error_of):
    deploy(sagemaker)
    emulator.configure(endpoint_updating_seconds=DELAY)
    sagemaker.update_endpoint_weights_and_capacities(
        EndpointName="endpoint-a", DesiredWeightsAndCapacities=[{"VariantName": "primary", "DesiredInstanceCount": 4}]
    )
    variant = sagemaker.describe_endpoint(EndpointName="endpoint-a")["ProductionVariants"][0]
    assert (variant["CurrentInstanceCount"], variant["DesiredInstanceCount"], variant["DesiredWeight"]) == (1, 4, 1.0)
    assert wait_status(sagemaker, "endpoint-a", "InService") == ["Updating", "InService"]
    variant = sagemaker.describe_endpoint(EndpointName="endpoint-a")["ProductionVariants"][0]
    assert variant["CurrentInstanceCount"] == 4

    unknown = error_of(
        sagemaker.update_endpoint_weights_and_capacities,
        EndpointName="endpoint-a",
        DesiredWeightsAndCapacities=[{"VariantName": "other", "DesiredWeight": 1.0}],
    )
    assert unknown["Error"]["Code"] == "ValidationException"


def test_tags_and_deletes(emulator, sagemaker, error_of):
    deploy(sagemaker)
    endpoint = sagemaker.describe_endpoint(EndpointName="endpoint-a")
    sagemaker.add_tags(ResourceArn=endpoint["EndpointArn"], Tags=[{"Key": "team", "Value": "ml"}])
    assert sagemaker.list_tags(ResourceArn=endpoint["EndpointArn"])["Tags"] == [{"Key": "team", "Value": "ml"}]

    sagemaker.delete_endpoint(EndpointName="endpoint-a")
    assert error_of(sagemaker.describe_endpoint, EndpointName="endpoint-a")["Error"]["Code"] == "ValidationException"
    sagemaker.delete_endpoint_config(EndpointConfigName="config-a")
    sagemaker.delete_model(ModelName="model-a")
    assert sagemaker.list_endpoint_configs()["EndpointConfigs"][0]["EndpointConfigName"] == "config-b"
    assert sagemaker.list_models()["Models"] == []


# -- faults ----------------------------------------------------------------------------------------------------


def test_throttle_fault_fails_exactly_n_matching_calls(emulator, sagemaker, error_of):
    emulator.inject_fault("throttle", "sagemaker", "CreateModel", count=2)
    for _ in range(2):
        error = error_of(sagemaker.create_model, ModelName="model-a", ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": IMAGE})
        assert error["Error"] == {"Code": "ThrottlingException", "Message": "Rate exceeded"}
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
        sagemaker.list_models()  # other operations are not affected
    sagemaker.create_model(ModelName="model-a", ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": IMAGE})
    assert emulator.faults() == []
    faulted = [e for e in emulator.requests(operation="CreateModel")]
    assert [e.get("fault") for e in faulted] == ["throttle", "throttle", None]


def test_server_error_fault_in_each_protocol(emulator, kms, iam, s3, error_of):
    for service, operation in (("kms", "ListKeys"), ("iam", "ListRoles"), ("s3", "ListBuckets")):
        emulator.inject_fault("server_error", service, operation)
    assert error_of(kms.list_keys)["Error"]["Code"] == "InternalFailure"
    assert error_of(iam.list_roles)["Error"]["Code"] == "ServiceFailure"  # IAM's own (fault_errors)
    s3_error = error_of(s3.list_buckets)
    assert (s3_error["Error"]["Code"], s3_error["ResponseMetadata"]["HTTPStatusCode"]) == ("InternalError", 500)
    kms.list_keys()
    iam.list_roles()
    s3.list_buckets()


def test_sdk_retries_recover_from_a_throttle(emulator, aws_client):
    emulator.inject_fault("throttle", "sagemaker", "ListModels", count=1)
    retrying = aws_client("sagemaker", total_max_attempts=3)
    retrying.list_models()
    statuses = [e["status"] for e in emulator.requests(operation="ListModels")]
    assert statuses == [400, 200]


# -- control API -----------------------------------------------------------------------------------------------


def test_reset_empties_everything(emulator, sagemaker, s3):
    deploy(sagemaker)
    s3.create_bucket(Bucket="models-bucket")
    emulator.configure(endpoint_creating_seconds=5, fail_next_endpoint_update=True)
    emulator.inject_fault("throttle", "sagemaker", "CreateModel")

    emulator.reset()
    assert emulator.requests() == []
    assert emulator.faults() == []
    assert emulator.config() == {
        "endpoint_creating_seconds": 0.0,
        "endpoint_updating_seconds": 0.0,
        "fail_next_endpoint_create": False,
        "fail_next_endpoint_update": False,
        "fail_next_weights_update": False,
        "deployment_time_scale": 0.01,
        "endpoint_deleting_seconds": 0.0,
        "refuse_kms_key_with_instance_storage": False,
        "iam_propagation_seconds": 0.0,
        "appconfig_time_scale": 0.01,
        "appconfig_rolling_back_seconds": 0.0,
        "fail_next_appconfig_deployment": False,
        "call_latency_seconds": 0.0,
        "call_latency_jitter_seconds": 0.0,
        "endpoint_config_propagation_seconds": 0.0,
        "sfn_time_scale": 0.01,
        "sfn_sync_poll_seconds": 0.05,
        "training_job_seconds": 0.5,
        "fail_next_training_job": False,
        "async_inference_seconds": 0.2,
        "fail_next_inference_component_create": False,
        "fail_next_inference_component_update": False,
        "refuse_zero_copy_create": True,
        "scale_to_zero_unavailable_regions": False,
    }
    assert sagemaker.list_endpoints()["Endpoints"] == []
    assert sagemaker.list_models()["Models"] == []
    assert s3.list_buckets()["Buckets"] == []


def test_control_api_rejects_bad_input(emulator):
    with pytest.raises(EmulatorError, match="unknown settings"):
        emulator.configure(endpoint_vanishing_seconds=1)
    with pytest.raises(EmulatorError, match="must be a number"):
        emulator.configure(endpoint_creating_seconds=-1)
    with pytest.raises(EmulatorError, match="unknown fault kind"):
        emulator._call("POST", "/_emulator/faults", {"slow": {"service": "s3"}})
    assert emulator.health() == {"status": "ok"}


# -- Application Auto Scaling ----------------------------------------------------------------------


def test_deleting_scaling_objects_that_do_not_exist_is_object_not_found(aws_client, error_of):
    """API Reference, ObjectNotFoundException: "For any operation that deletes or deregisters
    a resource, this exception is thrown if the resource cannot be found" (moto: ValidationException)."""
    autoscaling = aws_client("application-autoscaling")
    target = {
        "ServiceNamespace": "sagemaker",
        "ResourceId": "endpoint/missing/variant/primary",
        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
    }
    policy = error_of(autoscaling.delete_scaling_policy, PolicyName="missing", **target)
    assert (policy["Error"]["Code"], policy["ResponseMetadata"]["HTTPStatusCode"]) == ("ObjectNotFoundException", 400)
    assert policy["Error"]["Message"].startswith("No scaling policy found")
    deregistered = error_of(autoscaling.deregister_scalable_target, **target)
    assert deregistered["Error"]["Code"] == "ObjectNotFoundException"
    # What exists is still deleted as before.
    autoscaling.register_scalable_target(MinCapacity=1, MaxCapacity=2, **target)
    autoscaling.deregister_scalable_target(**target)
    assert autoscaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"] == []
