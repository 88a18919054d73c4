"""Inference components and the endpoint configurations that host them, through boto3 against the emulator.

Rules and their sources: sagemaker_emulator/inference_components.py, component_configs.py,
component_placement.py, component_autoscaling.py, instance_hardware.py.
"""

from __future__ import annotations

import time

import pytest

from aws_setup import make_execution_role, put_s3_object, read_statement
from test_emulator import IMAGE, ROLE_ARN, wait_status

ARN_PREFIX = "arn:aws:sagemaker:us-east-1:123456789012"
DIMENSION = "sagemaker:inference-component:DesiredCopyCount"
SMALL = {"NumberOfCpuCoresRequired": 1, "MinMemoryRequiredInMb": 1024}
GPU = {"NumberOfAcceleratorDevicesRequired": 1, "NumberOfCpuCoresRequired": 2, "MinMemoryRequiredInMb": 4096}


@pytest.fixture(autouse=True)
def _role(emulator, iam):
    assert make_execution_role(iam) == ROLE_ARN
    emulator.clear_requests()


@pytest.fixture
def scaling(aws_client):
    return aws_client("application-autoscaling")


def make_model(sm, name: str = "model-a") -> None:
    sm.create_model(ModelName=name, ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": IMAGE})


def components_config(sm, name: str = "ic-config", instance_type: str = "ml.g5.xlarge", count: int = 1, low: int = 0, high: int = 2, **extra):
    variant = {
        "VariantName": "AllTraffic",
        "InstanceType": instance_type,
        "InitialInstanceCount": count,
        "ManagedInstanceScaling": {"Status": "ENABLED", "MinInstanceCount": low, "MaxInstanceCount": high},
        "RoutingConfig": {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"},
    }
    variant.update(extra)
    return sm.create_endpoint_config(EndpointConfigName=name, ExecutionRoleArn=ROLE_ARN, ProductionVariants=[variant])


def components_endpoint(sm, name: str = "ic-endpoint", **config) -> None:
    components_config(sm, name=f"{name}-config", **config)
    sm.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config")
    wait_status(sm, name, "InService")


def create_component(sm, name: str = "ic-a", endpoint: str = "ic-endpoint", model: str = "model-a", copies: int = 1, requirements=None, **extra):
    return sm.create_inference_component(
        InferenceComponentName=name,
        EndpointName=endpoint,
        VariantName="AllTraffic",
        Specification={
            "ModelName": model,
            "StartupParameters": {"ModelDataDownloadTimeoutInSeconds": 600, "ContainerStartupHealthCheckTimeoutInSeconds": 600},
            "ComputeResourceRequirements": requirements or GPU,
        },
        RuntimeConfig={"CopyCount": copies},
        **extra,
    )


def wait_component(sm, name: str, final: str, timeout: float = 10.0) -> list[str]:
    """Poll DescribeInferenceComponent until ``final``; the distinct statuses seen, in order."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = sm.describe_inference_component(InferenceComponentName=name)["InferenceComponentStatus"]
        if not seen or seen[-1] != status:
            seen.append(status)
        if status == final:
            return seen
        time.sleep(0.03)
    raise AssertionError(f"{name} never reached {final}; saw {seen}")


def message_of(error_of, call, *args, **params) -> tuple[str, str]:
    error = error_of(call, *args, **params)["Error"]
    return error["Code"], error["Message"]


# ------------------------------------------------------------------ endpoint configurations for components


def test_components_config_is_described_with_role_scaling_and_routing(sagemaker):
    components_config(sagemaker)
    config = sagemaker.describe_endpoint_config(EndpointConfigName="ic-config")
    assert config["ExecutionRoleArn"] == ROLE_ARN
    variant = config["ProductionVariants"][0]
    assert "ModelName" not in variant
    assert variant["ManagedInstanceScaling"] == {"Status": "ENABLED", "MinInstanceCount": 0, "MaxInstanceCount": 2}
    assert variant["RoutingConfig"] == {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"}


def test_endpoint_from_components_config_reaches_in_service_with_its_instances(sagemaker, emulator):
    emulator.configure(endpoint_creating_seconds=0.2)
    components_config(sagemaker, count=1)
    sagemaker.create_endpoint(EndpointName="ic-endpoint", EndpointConfigName="ic-config")
    assert wait_status(sagemaker, "ic-endpoint", "InService") == ["Creating", "InService"]
    variant = sagemaker.describe_endpoint(EndpointName="ic-endpoint")["ProductionVariants"][0]
    assert variant["CurrentInstanceCount"] == 1
    assert variant["ManagedInstanceScaling"]["MinInstanceCount"] == 0
    assert variant["RoutingConfig"]["RoutingStrategy"] == "LEAST_OUTSTANDING_REQUESTS"


def test_components_config_needs_an_execution_role(sagemaker, error_of):
    code, message = message_of(
        error_of,
        sagemaker.create_endpoint_config,
        EndpointConfigName="no-role",
        ProductionVariants=[{"VariantName": "AllTraffic", "InstanceType": "ml.g5.xlarge", "InitialInstanceCount": 1}],
    )
    assert code == "ValidationException"
    assert "ExecutionRoleArn is required" in message
    assert "no-role" not in [c["EndpointConfigName"] for c in sagemaker.list_endpoint_configs()["EndpointConfigs"]]


def test_components_config_role_must_exist(sagemaker, error_of):
    missing = "arn:aws:iam::123456789012:role/missing"
    code, message = message_of(
        error_of,
        sagemaker.create_endpoint_config,
        EndpointConfigName="bad-role",
        ExecutionRoleArn=missing,
        ProductionVariants=[{"VariantName": "AllTraffic", "InstanceType": "ml.g5.xlarge", "InitialInstanceCount": 1}],
    )
    assert code == "ValidationException"
    assert message.startswith(f'The execution role ARN "{missing}" is invalid.')


def test_model_config_keeps_its_execution_role(sagemaker, error_of):
    make_model(sagemaker)
    variants = [{"VariantName": "AllTraffic", "ModelName": "model-a", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}]
    sagemaker.create_endpoint_config(EndpointConfigName="with-role", ExecutionRoleArn=ROLE_ARN, ProductionVariants=variants)
    assert sagemaker.describe_endpoint_config(EndpointConfigName="with-role")["ExecutionRoleArn"] == ROLE_ARN
    missing = "arn:aws:iam::123456789012:role/missing"
    code, message = message_of(
        error_of, sagemaker.create_endpoint_config, EndpointConfigName="bad", ExecutionRoleArn=missing, ProductionVariants=variants
    )
    assert code == "ValidationException" and message.startswith(f'The execution role ARN "{missing}" is invalid.')


def test_min_instance_count_above_max_is_refused(sagemaker, error_of):
    code, message = message_of(error_of, components_config, sagemaker, low=3, high=2)
    assert code == "ValidationException"
    assert "MinInstanceCount (3) must be less than or equal to MaxInstanceCount (2)" in message


def test_routing_strategy_and_scaling_status_are_enums(sagemaker, error_of):
    code, message = message_of(
        error_of, components_config, sagemaker, RoutingConfig={"RoutingStrategy": "ROUND_ROBIN"}
    )
    assert code == "ValidationException"
    assert message == (
        "1 validation error detected: Value 'ROUND_ROBIN' at 'productionVariants.1.member.routingConfig.routingStrategy' "
        "failed to satisfy constraint: Member must satisfy enum value set: [LEAST_OUTSTANDING_REQUESTS, RANDOM]"
    )
    code, message = message_of(
        error_of, components_config, sagemaker,
        ManagedInstanceScaling={"Status": "ON", "MinInstanceCount": 0, "MaxInstanceCount": 1},
    )
    assert "managedInstanceScaling.status' failed to satisfy constraint" in message


def test_regions_without_scale_to_zero_refuse_min_zero(sagemaker, emulator, error_of):
    emulator.configure(scale_to_zero_unavailable_regions="us-east-1,eu-south-2")
    code, message = message_of(error_of, components_config, sagemaker, low=0)
    assert code == "ValidationException"
    assert "MinInstanceCount 0 (scale to zero) is not available in region us-east-1" in message
    components_config(sagemaker, low=1)


def test_serverless_variant_cannot_host_components(sagemaker, error_of):
    code, message = message_of(
        error_of,
        sagemaker.create_endpoint_config,
        EndpointConfigName="serverless-ic",
        ExecutionRoleArn=ROLE_ARN,
        ProductionVariants=[{"VariantName": "AllTraffic", "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5}}],
    )
    assert code == "ValidationException"
    assert "inference components cannot be hosted on a serverless variant" in message


def test_min_instance_count_zero_needs_components(sagemaker, error_of):
    make_model(sagemaker)
    code, message = message_of(
        error_of,
        sagemaker.create_endpoint_config,
        EndpointConfigName="model-zero",
        ProductionVariants=[{
            "VariantName": "AllTraffic", "ModelName": "model-a", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1,
            "ManagedInstanceScaling": {"Status": "ENABLED", "MinInstanceCount": 0, "MaxInstanceCount": 2},
        }],
    )
    assert code == "ValidationException"
    assert "MinInstanceCount 0 is allowed only for an endpoint that hosts inference components" in message


def test_mixing_model_and_component_variants_is_refused(sagemaker, error_of):
    make_model(sagemaker)
    code, message = message_of(
        error_of,
        sagemaker.create_endpoint_config,
        EndpointConfigName="mixed",
        ExecutionRoleArn=ROLE_ARN,
        ProductionVariants=[
            {"VariantName": "a", "ModelName": "model-a", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1},
            {"VariantName": "b", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1},
        ],
    )
    assert code == "ValidationException"
    assert "cannot mix production variants" in message


# ------------------------------------------------------------------ create, describe, delete


def test_component_goes_creating_then_in_service_with_its_copies(sagemaker, emulator):
    make_model(sagemaker)
    components_endpoint(sagemaker)
    emulator.configure(endpoint_creating_seconds=0.3)
    arn = create_component(sagemaker, copies=2, Tags=[{"Key": "team", "Value": "ml"}])["InferenceComponentArn"]
    assert arn == f"{ARN_PREFIX}:inference-component/ic-a"
    creating = sagemaker.describe_inference_component(InferenceComponentName="ic-a")
    assert creating["InferenceComponentStatus"] == "Creating"
    assert creating["RuntimeConfig"] == {"DesiredCopyCount": 2, "CurrentCopyCount": 0}
    assert wait_component(sagemaker, "ic-a", "InService") == ["Creating", "InService"]
    described = sagemaker.describe_inference_component(InferenceComponentName="ic-a")
    assert described["RuntimeConfig"] == {"DesiredCopyCount": 2, "CurrentCopyCount": 2}
    assert described["EndpointName"] == "ic-endpoint"
    assert described["EndpointArn"] == f"{ARN_PREFIX}:endpoint/ic-endpoint"
    assert described["VariantName"] == "AllTraffic"
    assert described["Specification"]["ModelName"] == "model-a"
    assert described["Specification"]["ComputeResourceRequirements"] == {
        "NumberOfAcceleratorDevicesRequired": 1.0, "NumberOfCpuCoresRequired": 2.0, "MinMemoryRequiredInMb": 4096
    }
    assert described["Specification"]["StartupParameters"]["ContainerStartupHealthCheckTimeoutInSeconds"] == 600
    assert described["LastModifiedTime"] > described["CreationTime"]
    assert sagemaker.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "ml"}]


def by_image(sagemaker, url: str) -> None:
    sagemaker.create_inference_component(
        InferenceComponentName="by-image",
        EndpointName="ic-endpoint",
        VariantName="AllTraffic",
        Specification={"Container": {"Image": IMAGE, "ArtifactUrl": url}, "ComputeResourceRequirements": GPU},
        RuntimeConfig={"CopyCount": 1},
    )


def test_container_artifact_is_read_with_the_config_role(sagemaker, s3):
    url = put_s3_object(s3, "s3://models-bucket/ic/model.tar.gz")
    components_endpoint(sagemaker)
    by_image(sagemaker, url)
    wait_component(sagemaker, "by-image", "InService")
    container = sagemaker.describe_inference_component(InferenceComponentName="by-image")["Specification"]["Container"]
    assert container["DeployedImage"]["SpecifiedImage"] == IMAGE
    assert container["ArtifactUrl"] == url


def test_artifact_the_config_role_cannot_read_fails_the_component(sagemaker, iam, s3):
    url = put_s3_object(s3, "s3://models-bucket/ic/model.tar.gz")
    reader = make_execution_role(iam, "reads-other", [read_statement("s3://models-bucket/other/*")])
    sagemaker.create_endpoint_config(
        EndpointConfigName="narrow-config", ExecutionRoleArn=reader,
        ProductionVariants=[{"VariantName": "AllTraffic", "InstanceType": "ml.g5.xlarge", "InitialInstanceCount": 1}],
    )
    sagemaker.create_endpoint(EndpointName="ic-endpoint", EndpointConfigName="narrow-config")
    wait_status(sagemaker, "ic-endpoint", "InService")
    by_image(sagemaker, url)
    wait_component(sagemaker, "by-image", "Failed")
    reason = sagemaker.describe_inference_component(InferenceComponentName="by-image")["FailureReason"]
    assert reason.startswith(f'Failed to download model data for container "container_1" from URL: "{url}".')


def test_model_data_missing_fails_the_component(sagemaker):
    sagemaker.create_model(
        ModelName="model-a", ExecutionRoleArn=ROLE_ARN,
        PrimaryContainer={"Image": IMAGE, "ModelDataUrl": "s3://nowhere-bucket/model.tar.gz"},
    )
    components_endpoint(sagemaker)
    create_component(sagemaker)
    wait_component(sagemaker, "ic-a", "Failed")
    reason = sagemaker.describe_inference_component(InferenceComponentName="ic-a")["FailureReason"]
    assert 'from URL: "s3://nowhere-bucket/model.tar.gz"' in reason


def test_delete_goes_deleting_then_not_found(sagemaker, emulator, error_of):
    make_model(sagemaker)
    components_endpoint(sagemaker)
    create_component(sagemaker)
    emulator.configure(endpoint_deleting_seconds=0.3)
    sagemaker.delete_inference_component(InferenceComponentName="ic-a")
    assert sagemaker.describe_inference_component(InferenceComponentName="ic-a")["InferenceComponentStatus"] == "Deleting"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            sagemaker.describe_inference_component(InferenceComponentName="ic-a")
        except sagemaker.exceptions.ClientError:
            break
        time.sleep(0.05)
    code, message = message_of(error_of, sagemaker.describe_inference_component, InferenceComponentName="ic-a")
    assert (code, message) == ("ValidationException", f'Could not find inference component "{ARN_PREFIX}:inference-component/ic-a".')


def test_duplicate_name_is_refused(sagemaker, error_of):
    make_model(sagemaker)
    components_endpoint(sagemaker)
    create_component(sagemaker)
    code, message = message_of(error_of, create_component, sagemaker)
    assert (code, message) == ("ValidationException", f'Cannot create already existing inference component "{ARN_PREFIX}:inference-component/ic-a".')


def test_component_on_a_model_endpoint_is_refused(sagemaker, error_of):
    make_model(sagemaker)
    sagemaker.create_endpoint_config(
        EndpointConfigName="classic",
        ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": "model-a", "InstanceType": "ml.g5.xlarge", "InitialInstanceCount": 1}],
    )
    sagemaker.create_endpoint(EndpointName="classic", EndpointConfigName="classic")
    wait_status(sagemaker, "classic", "InService")
    code, message = message_of(error_of, create_component, sagemaker, endpoint="classic")
    assert code == "ValidationException"
    assert "is not for inference components" in message


def test_unknown_model_and_endpoint_are_refused(sagemaker, error_of):
    components_endpoint(sagemaker)
    code, message = message_of(error_of, create_component, sagemaker, model="nope")
    assert (code, message) == ("ValidationException", f'Could not find model "{ARN_PREFIX}:model/nope".')
    make_model(sagemaker)
    code, message = message_of(error_of, create_component, sagemaker, endpoint="nowhere")
    assert (code, message) == ("ValidationException", f'Could not find endpoint "{ARN_PREFIX}:endpoint/nowhere".')


def test_endpoint_not_in_service_is_refused(sagemaker, emulator, error_of):
    make_model(sagemaker)
    emulator.configure(endpoint_creating_seconds=5)
    components_config(sagemaker, name="slow-config")
    sagemaker.create_endpoint(EndpointName="slow", EndpointConfigName="slow-config")
    code, message = message_of(error_of, create_component, sagemaker, endpoint="slow")
    assert code == "ValidationException"
    assert "is Creating, not InService" in message


def test_zero_copies_at_create_is_refused(sagemaker, error_of):
    make_model(sagemaker)
    components_endpoint(sagemaker)
    code, message = message_of(error_of, create_component, sagemaker, copies=0)
    assert code == "ValidationException"
    assert "with CopyCount 0" in message


def test_api_model_constraints_are_checked(sagemaker, aws_client, error_of):
    from botocore.config import Config

    unchecked = aws_client("sagemaker", config=Config(parameter_validation=False))  # as an SDK that does not check
    make_model(sagemaker)
    components_endpoint(sagemaker)
    code, message = message_of(
        error_of, create_component, unchecked, requirements={"NumberOfCpuCoresRequired": 1, "MinMemoryRequiredInMb": 64}
    )
    assert code == "ValidationException"
    assert message == (
        "1 validation error detected: Value '64' at 'specification.computeResourceRequirements.minMemoryRequiredInMb' "
        "failed to satisfy constraint: Member must have value greater than or equal to 128"
    )


def test_requirements_beyond_the_instance_are_refused(sagemaker, error_of):
    make_model(sagemaker)
    components_endpoint(sagemaker)  # ml.g5.xlarge: 4 vCPUs, 16384 MiB, 1 GPU
    code, message = message_of(
        error_of, create_component, sagemaker,
        requirements={"NumberOfAcceleratorDevicesRequired": 2, "NumberOfCpuCoresRequired": 8, "MinMemoryRequiredInMb": 1024},
    )
    assert code == "ValidationException"
    assert "do not fit one ml.g5.xlarge instance (4 vCPUs, 16384 MiB, 1 accelerator devices)" in message
    assert "NumberOfCpuCoresRequired 8 > 4 vCPUs" in message
    assert "NumberOfAcceleratorDevicesRequired 2 > 1 accelerator devices" in message


def test_copies_beyond_the_maximum_instances_fail_the_component(sagemaker):
    make_model(sagemaker)
    components_endpoint(sagemaker, high=2)  # at most 2 instances of 1 GPU each
    create_component(sagemaker, copies=3)
    wait_component(sagemaker, "ic-a", "Failed")
    described = sagemaker.describe_inference_component(InferenceComponentName="ic-a")
    assert described["FailureReason"].startswith("Unable to place 1 of 3 copies of inference component ic-a")


def test_second_component_competes_for_the_same_instances(sagemaker):
    make_model(sagemaker)
    make_model(sagemaker, "model-b")
    components_endpoint(sagemaker, high=2)
    create_component(sagemaker, copies=2)
    wait_component(sagemaker, "ic-a", "InService")
    create_component(sagemaker, name="ic-b", model="model-b", copies=1)
    wait_component(sagemaker, "ic-b", "Failed")
    create_component(sagemaker, name="ic-c", model="model-b", copies=1, requirements=SMALL)
    wait_component(sagemaker, "ic-c", "InService")


def test_injected_create_failure(sagemaker, emulator):
    make_model(sagemaker)
    components_endpoint(sagemaker)
    emulator.inject_fault("endpoint_failure", "sagemaker", "CreateInferenceComponent")
    create_component(sagemaker)
    wait_component(sagemaker, "ic-a", "Failed")
    assert "Injected failure" in sagemaker.describe_inference_component(InferenceComponentName="ic-a")["FailureReason"]


def test_endpoint_with_components_cannot_be_deleted(sagemaker, error_of):
    make_model(sagemaker)
    components_endpoint(sagemaker)
    create_component(sagemaker)
    code, message = message_of(error_of, sagemaker.delete_endpoint, EndpointName="ic-endpoint")
    assert code == "ValidationException"
    assert "still hosts inference components (ic-a)" in message
    sagemaker.delete_inference_component(InferenceComponentName="ic-a")
    sagemaker.delete_endpoint(EndpointName="ic-endpoint")


def test_in_progress_component_cannot_be_deleted_or_updated(sagemaker, emulator, error_of):
    make_model(sagemaker)
    components_endpoint(sagemaker)
    emulator.configure(endpoint_creating_seconds=5)
    create_component(sagemaker)
    arn = f"{ARN_PREFIX}:inference-component/ic-a"
    assert message_of(error_of, sagemaker.delete_inference_component, InferenceComponentName="ic-a") == (
        "ValidationException", f'Cannot delete in-progress inference component "{arn}".'
    )
    assert message_of(
        error_of, sagemaker.update_inference_component_runtime_config,
        InferenceComponentName="ic-a", DesiredRuntimeConfig={"CopyCount": 2},
    ) == ("ValidationException", f'Cannot update in-progress inference component "{arn}".')


# ------------------------------------------------------------------ updates


def test_runtime_config_update_goes_updating_then_current_copies_follow(sagemaker, emulator):
    make_model(sagemaker)
    components_endpoint(sagemaker, high=2)
    create_component(sagemaker, copies=1)
    emulator.configure(endpoint_updating_seconds=0.3)
    sagemaker.update_inference_component_runtime_config(InferenceComponentName="ic-a", DesiredRuntimeConfig={"CopyCount": 2})
    updating = sagemaker.describe_inference_component(InferenceComponentName="ic-a")
    assert updating["InferenceComponentStatus"] == "Updating"
    assert updating["RuntimeConfig"] == {"DesiredCopyCount": 2, "CurrentCopyCount": 1}
    assert wait_component(sagemaker, "ic-a", "InService") == ["Updating", "InService"]
    assert sagemaker.describe_inference_component(InferenceComponentName="ic-a")["RuntimeConfig"] == {
        "DesiredCopyCount": 2, "CurrentCopyCount": 2
    }


def test_runtime_config_beyond_capacity_rolls_back(sagemaker):
    make_model(sagemaker)
    components_endpoint(sagemaker, high=2)
    create_component(sagemaker, copies=1)
    sagemaker.update_inference_component_runtime_config(InferenceComponentName="ic-a", DesiredRuntimeConfig={"CopyCount": 5})
    wait_component(sagemaker, "ic-a", "InService")
    described = sagemaker.describe_inference_component(InferenceComponentName="ic-a")
    assert described["RuntimeConfig"] == {"DesiredCopyCount": 1, "CurrentCopyCount": 1}
    assert described["FailureReason"].startswith("Unable to place")


ROLLING = {
    "RollingUpdatePolicy": {
        "MaximumBatchSize": {"Type": "COPY_COUNT", "Value": 1},
        "WaitIntervalInSeconds": 20,
        "MaximumExecutionTimeoutInSeconds": 1800,
        "RollbackMaximumBatchSize": {"Type": "COPY_COUNT", "Value": 1},
    },
    "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "ic-errors"}]},
}


def new_version(sagemaker, model: str = "model-b", deployment=None):
    return sagemaker.update_inference_component(
        InferenceComponentName="ic-a",
        Specification={"ModelName": model, "ComputeResourceRequirements": GPU},
        DeploymentConfig=deployment or ROLLING,
    )


def test_rolling_update_bakes_per_batch_then_runs_the_new_model(sagemaker, emulator, cloudwatch):
    make_model(sagemaker)
    make_model(sagemaker, "model-b")
    components_endpoint(sagemaker, high=2)
    create_component(sagemaker, copies=2)
    cloudwatch.put_metric_alarm(
        AlarmName="ic-errors", Namespace="AWS/SageMaker", MetricName="Invocation5XXErrors", Statistic="Sum",
        Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
        Dimensions=[{"Name": "InferenceComponentName", "Value": "ic-a"}],
    )
    emulator.configure(deployment_time_scale=0.02)  # two batches of one copy, 20 s each -> 0.8 s
    started = time.monotonic()
    new_version(sagemaker)
    during = sagemaker.describe_inference_component(InferenceComponentName="ic-a")
    assert during["InferenceComponentStatus"] == "Updating"
    assert during["Specification"]["ModelName"] == "model-a"
    assert wait_component(sagemaker, "ic-a", "InService") == ["Updating", "InService"]
    assert time.monotonic() - started >= 0.75
    described = sagemaker.describe_inference_component(InferenceComponentName="ic-a")
    assert described["Specification"]["ModelName"] == "model-b"
    assert described["LastDeploymentConfig"]["RollingUpdatePolicy"]["WaitIntervalInSeconds"] == 20
    assert "FailureReason" not in described


def test_alarm_during_rolling_update_rolls_back(sagemaker, emulator, cloudwatch):
    make_model(sagemaker)
    make_model(sagemaker, "model-b")
    components_endpoint(sagemaker, high=2)
    create_component(sagemaker, copies=2)
    cloudwatch.put_metric_alarm(
        AlarmName="ic-errors", Namespace="AWS/SageMaker", MetricName="Invocation5XXErrors", Statistic="Sum",
        Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    emulator.configure(deployment_time_scale=0.05)  # 20 s -> 1 s
    new_version(sagemaker)
    cloudwatch.set_alarm_state(AlarmName="ic-errors", StateValue="ALARM", StateReason="test")
    wait_component(sagemaker, "ic-a", "InService")
    described = sagemaker.describe_inference_component(InferenceComponentName="ic-a")
    assert described["Specification"]["ModelName"] == "model-a"
    assert described["FailureReason"] == "Rolled back: auto-rollback alarm(s) in ALARM state during the deployment: ic-errors."


def test_update_leaves_the_other_component_untouched(sagemaker, emulator):
    make_model(sagemaker)
    make_model(sagemaker, "model-b")
    make_model(sagemaker, "model-c")
    components_endpoint(sagemaker, instance_type="ml.g5.12xlarge", high=1)  # 4 GPUs
    create_component(sagemaker, copies=1)
    create_component(sagemaker, name="ic-other", model="model-c", copies=1)
    before = sagemaker.describe_inference_component(InferenceComponentName="ic-other")
    before.pop("ResponseMetadata")
    new_version(sagemaker, deployment={"RollingUpdatePolicy": {"MaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": 50}, "WaitIntervalInSeconds": 0}})
    wait_component(sagemaker, "ic-a", "InService")
    assert sagemaker.describe_inference_component(InferenceComponentName="ic-a")["Specification"]["ModelName"] == "model-b"
    after = sagemaker.describe_inference_component(InferenceComponentName="ic-other")
    after.pop("ResponseMetadata")
    assert after == before


def test_injected_update_failure_keeps_the_running_model(sagemaker, emulator):
    make_model(sagemaker)
    make_model(sagemaker, "model-b")
    components_endpoint(sagemaker)
    create_component(sagemaker, copies=2)
    emulator.inject_fault("endpoint_failure", "sagemaker", "UpdateInferenceComponent")
    new_version(sagemaker)
    wait_component(sagemaker, "ic-a", "InService")
    described = sagemaker.describe_inference_component(InferenceComponentName="ic-a")
    assert described["Specification"]["ModelName"] == "model-a"
    assert "Injected failure" in described["FailureReason"]


def test_batch_size_must_be_5_to_50_percent_of_the_copies(sagemaker, error_of):
    make_model(sagemaker)
    make_model(sagemaker, "model-b")
    components_endpoint(sagemaker)
    create_component(sagemaker, copies=1)
    code, message = message_of(error_of, new_version, sagemaker)  # COPY_COUNT 1 of 1 copy: 100%
    assert (code, message) == (
        "ValidationException",
        "MaximumBatchSize must be between 5% and 50% of the copy count of the inference component; got 1 of 1 copies.",
    )
    percent = {"RollingUpdatePolicy": {"MaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": 60}, "WaitIntervalInSeconds": 0}}
    assert "got 60%" in message_of(error_of, new_version, sagemaker, deployment=percent)[1]
    percent["RollingUpdatePolicy"]["MaximumBatchSize"]["Value"] = 50
    new_version(sagemaker, deployment=percent)
    wait_component(sagemaker, "ic-a", "InService")
    assert sagemaker.describe_inference_component(InferenceComponentName="ic-a")["Specification"]["ModelName"] == "model-b"


def test_specification_and_specifications_together_are_refused(sagemaker, error_of):
    make_model(sagemaker)
    components_endpoint(sagemaker)
    spec = {"ModelName": "model-a", "ComputeResourceRequirements": GPU}
    code, message = message_of(
        error_of, sagemaker.create_inference_component, InferenceComponentName="both", EndpointName="ic-endpoint",
        Specification=spec, Specifications=[{**spec, "InstanceType": "ml.g5.xlarge"}], RuntimeConfig={"CopyCount": 1},
    )
    assert (code, message) == ("ValidationException", "Specification and Specifications cannot both be given: use one of them.")


def test_rolling_policy_limits_are_checked(sagemaker, aws_client, error_of):
    from botocore.config import Config

    unchecked = aws_client("sagemaker", config=Config(parameter_validation=False))
    make_model(sagemaker)
    make_model(sagemaker, "model-b")
    components_endpoint(sagemaker)
    create_component(sagemaker)
    deployment = {"RollingUpdatePolicy": {"MaximumBatchSize": {"Type": "COPY_COUNT", "Value": 1}, "WaitIntervalInSeconds": 3601}}
    code, message = message_of(error_of, new_version, unchecked, deployment=deployment)
    assert code == "ValidationException"
    assert message == (
        "1 validation error detected: Value '3601' at 'deploymentConfig.rollingUpdatePolicy.waitIntervalInSeconds' "
        "failed to satisfy constraint: Member must have value less than or equal to 3600"
    )


# ------------------------------------------------------------------ list, tags


def test_list_filters_and_paginates(sagemaker):
    make_model(sagemaker)
    components_endpoint(sagemaker, instance_type="ml.g5.12xlarge", high=1)
    components_endpoint(sagemaker, name="other-endpoint", instance_type="ml.g5.12xlarge", high=1)
    for name in ("alpha-1", "alpha-2", "beta-1"):
        create_component(sagemaker, name=name)
    create_component(sagemaker, name="alpha-3", endpoint="other-endpoint")
    names = lambda answer: sorted(c["InferenceComponentName"] for c in answer["InferenceComponents"])  # noqa: E731
    assert names(sagemaker.list_inference_components(EndpointNameEquals="ic-endpoint")) == ["alpha-1", "alpha-2", "beta-1"]
    assert names(sagemaker.list_inference_components(NameContains="alpha")) == ["alpha-1", "alpha-2", "alpha-3"]
    assert names(sagemaker.list_inference_components(StatusEquals="InService", VariantNameEquals="AllTraffic")) == [
        "alpha-1", "alpha-2", "alpha-3", "beta-1"
    ]
    first = sagemaker.list_inference_components(MaxResults=3, SortBy="Name", SortOrder="Ascending")
    assert [c["InferenceComponentName"] for c in first["InferenceComponents"]] == ["alpha-1", "alpha-2", "alpha-3"]
    rest = sagemaker.list_inference_components(MaxResults=3, SortBy="Name", SortOrder="Ascending", NextToken=first["NextToken"])
    assert [c["InferenceComponentName"] for c in rest["InferenceComponents"]] == ["beta-1"]
    assert "NextToken" not in rest


def test_tags_add_list_delete(sagemaker, error_of):
    make_model(sagemaker)
    components_endpoint(sagemaker)
    arn = create_component(sagemaker)["InferenceComponentArn"]
    sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "a", "Value": "3"}])
    assert sorted((t["Key"], t["Value"]) for t in sagemaker.list_tags(ResourceArn=arn)["Tags"]) == [("a", "3"), ("b", "2")]
    sagemaker.delete_tags(ResourceArn=arn, TagKeys=["a"])
    assert sagemaker.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    code, _ = message_of(error_of, sagemaker.list_tags, ResourceArn=f"{ARN_PREFIX}:inference-component/none")
    assert code == "ValidationException"


# ------------------------------------------------------------------ Application Auto Scaling, request log


def test_copy_count_registers_with_min_zero_and_is_deregistered_on_delete(sagemaker, scaling, cloudwatch):
    make_model(sagemaker)
    components_endpoint(sagemaker)
    create_component(sagemaker)
    scaling.register_scalable_target(
        ServiceNamespace="sagemaker", ResourceId="inference-component/ic-a", ScalableDimension=DIMENSION, MinCapacity=0, MaxCapacity=2
    )
    scaling.put_scaling_policy(
        PolicyName="ic-a-tracking", ServiceNamespace="sagemaker", ResourceId="inference-component/ic-a",
        ScalableDimension=DIMENSION, PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 5.0,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution"},
        },
    )
    scaling.put_scaling_policy(
        PolicyName="ic-a-wake", ServiceNamespace="sagemaker", ResourceId="inference-component/ic-a",
        ScalableDimension=DIMENSION, PolicyType="StepScaling",
        StepScalingPolicyConfiguration={
            "AdjustmentType": "ChangeInCapacity", "MetricAggregationType": "Maximum", "Cooldown": 60,
            "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}],
        },
    )
    alarms = cloudwatch.describe_alarms(AlarmNamePrefix="TargetTracking-inference-component/ic-a-")["MetricAlarms"]
    assert sorted(alarm["AlarmName"].split("-")[4] for alarm in alarms) == ["AlarmHigh", "AlarmLow"]
    for alarm in alarms:
        assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/SageMaker", "ConcurrentRequestsPerCopy")
        assert alarm["Dimensions"] == [{"Name": "InferenceComponentName", "Value": "ic-a"}]
    high = next(alarm for alarm in alarms if "-AlarmHigh-" in alarm["AlarmName"])
    assert (high["ComparisonOperator"], high["Threshold"]) == ("GreaterThanThreshold", 5.0)
    target = scaling.describe_scalable_targets(ServiceNamespace="sagemaker", ScalableDimension=DIMENSION)["ScalableTargets"][0]
    assert (target["ResourceId"], target["MinCapacity"], target["MaxCapacity"]) == ("inference-component/ic-a", 0, 2)
    policies = scaling.describe_scaling_policies(ServiceNamespace="sagemaker", ResourceId="inference-component/ic-a")["ScalingPolicies"]
    assert sorted(p["PolicyName"] for p in policies) == ["ic-a-tracking", "ic-a-wake"]
    tracking = next(p for p in policies if p["PolicyName"] == "ic-a-tracking")
    assert sorted(a["AlarmName"] for a in tracking["Alarms"]) == sorted(a["AlarmName"] for a in alarms)
    sagemaker.delete_inference_component(InferenceComponentName="ic-a")
    assert scaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"] == []
    assert scaling.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"] == []
    assert cloudwatch.describe_alarms(AlarmNamePrefix="TargetTracking-")["MetricAlarms"] == []


def test_wake_up_alarm_on_no_capacity_failures(sagemaker, cloudwatch):
    cloudwatch.put_metric_alarm(
        AlarmName="ic-a-no-capacity", Namespace="AWS/SageMaker", MetricName="NoCapacityInvocationFailures",
        Dimensions=[{"Name": "InferenceComponentName", "Value": "ic-a"}], Statistic="Maximum", Period=60,
        EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    alarm = cloudwatch.describe_alarms(AlarmNames=["ic-a-no-capacity"])["MetricAlarms"][0]
    assert alarm["Dimensions"] == [{"Name": "InferenceComponentName", "Value": "ic-a"}]
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"


def test_new_operations_are_logged_and_take_faults(sagemaker, emulator, error_of):
    make_model(sagemaker)
    components_endpoint(sagemaker)
    emulator.clear_requests()
    emulator.inject_fault("throttle", "sagemaker", "CreateInferenceComponent")
    code, _ = message_of(error_of, create_component, sagemaker)
    assert code == "ThrottlingException"
    create_component(sagemaker)
    sagemaker.list_inference_components()
    operations = [entry["operation"] for entry in emulator.requests(service="sagemaker")]
    assert operations == ["CreateInferenceComponent", "CreateInferenceComponent", "ListInferenceComponents"]


def test_components_are_in_state_search_and_gone_after_reset(sagemaker, emulator, error_of):
    make_model(sagemaker)
    components_endpoint(sagemaker)
    create_component(sagemaker, name="findable-component")
    assert emulator.search_state("findable-component")["matches"]
    emulator.reset()
    assert sagemaker.list_inference_components()["InferenceComponents"] == []


def test_timestamps_are_sent_as_epoch_seconds(sagemaker):
    """awsJson1_1 timestamps are numbers: the Rust SDK, unlike boto3, cannot read a date string."""
    make_model(sagemaker)
    components_endpoint(sagemaker)
    create_component(sagemaker)
    bodies: list[bytes] = []
    sagemaker.meta.events.register("after-call.sagemaker.*", lambda http_response, **_: bodies.append(http_response.content))
    sagemaker.describe_inference_component(InferenceComponentName="ic-a")
    sagemaker.list_inference_components()
    import json

    described, listed = (json.loads(body) for body in bodies)
    assert isinstance(described["CreationTime"], (int, float))
    assert isinstance(described["LastModifiedTime"], (int, float))
    assert isinstance(listed["InferenceComponents"][0]["CreationTime"], (int, float))


def instance_count(sagemaker, endpoint: str = "ic-endpoint") -> int:
    return sagemaker.describe_endpoint(EndpointName=endpoint)["ProductionVariants"][0]["CurrentInstanceCount"]


def test_managed_instance_scaling_follows_the_copies_down_to_zero(sagemaker):
    make_model(sagemaker)
    components_endpoint(sagemaker, count=1, low=0, high=3)  # ml.g5.xlarge: one GPU copy per instance
    assert instance_count(sagemaker) == 1
    create_component(sagemaker, copies=3)
    wait_component(sagemaker, "ic-a", "InService")
    assert instance_count(sagemaker) == 3
    sagemaker.update_inference_component_runtime_config(InferenceComponentName="ic-a", DesiredRuntimeConfig={"CopyCount": 0})
    wait_component(sagemaker, "ic-a", "InService")
    assert sagemaker.describe_inference_component(InferenceComponentName="ic-a")["RuntimeConfig"] == {
        "DesiredCopyCount": 0, "CurrentCopyCount": 0
    }
    assert instance_count(sagemaker) == 0
    sagemaker.update_inference_component_runtime_config(InferenceComponentName="ic-a", DesiredRuntimeConfig={"CopyCount": 1})
    wait_component(sagemaker, "ic-a", "InService")
    assert instance_count(sagemaker) == 1


def test_minimum_instances_are_kept_and_deletion_scales_in(sagemaker):
    make_model(sagemaker)
    components_endpoint(sagemaker, count=1, low=1, high=3)
    create_component(sagemaker, copies=2)
    wait_component(sagemaker, "ic-a", "InService")
    assert instance_count(sagemaker) == 2
    sagemaker.delete_inference_component(InferenceComponentName="ic-a")
    assert instance_count(sagemaker) == 1


def test_copies_being_created_hold_their_room(sagemaker, emulator):
    make_model(sagemaker)
    make_model(sagemaker, "model-b")
    components_endpoint(sagemaker, high=2)
    emulator.configure(endpoint_creating_seconds=0.3)
    create_component(sagemaker, copies=2)
    create_component(sagemaker, name="ic-b", model="model-b", copies=1)  # while ic-a is still Creating
    wait_component(sagemaker, "ic-a", "InService")
    wait_component(sagemaker, "ic-b", "Failed")


def test_adapter_needs_its_base_component(sagemaker, error_of):
    components_endpoint(sagemaker)
    code, message = message_of(
        error_of, sagemaker.create_inference_component, InferenceComponentName="adapter", EndpointName="ic-endpoint",
        Specification={"BaseInferenceComponentName": "base", "Container": {"ArtifactUrl": "s3://bucket/adapter.tar.gz"}},
    )
    assert (code, message) == ("ValidationException", f'Could not find inference component "{ARN_PREFIX}:inference-component/base".')


def test_no_capacity_alarm_wakes_a_component_scaled_to_zero(sagemaker, scaling, cloudwatch, emulator):
    make_model(sagemaker)
    components_endpoint(sagemaker, count=1, low=0, high=2)
    create_component(sagemaker, copies=1)
    resource = "inference-component/ic-a"
    scaling.register_scalable_target(
        ServiceNamespace="sagemaker", ResourceId=resource, ScalableDimension=DIMENSION, MinCapacity=0, MaxCapacity=2
    )
    sagemaker.update_inference_component_runtime_config(InferenceComponentName="ic-a", DesiredRuntimeConfig={"CopyCount": 0})
    wait_component(sagemaker, "ic-a", "InService")
    assert instance_count(sagemaker) == 0
    policy = scaling.put_scaling_policy(
        PolicyName="ic-a-wake", ServiceNamespace="sagemaker", ResourceId=resource, ScalableDimension=DIMENSION,
        PolicyType="StepScaling",
        StepScalingPolicyConfiguration={
            "AdjustmentType": "ChangeInCapacity", "MetricAggregationType": "Maximum", "Cooldown": 60,
            "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}],
        },
    )["PolicyARN"]
    cloudwatch.put_metric_alarm(
        AlarmName="ic-a-no-capacity", Namespace="AWS/SageMaker", MetricName="NoCapacityInvocationFailures",
        Dimensions=[{"Name": "InferenceComponentName", "Value": "ic-a"}], Statistic="Maximum", Period=10,
        EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[policy],
    )
    emulator.clear_requests()
    cloudwatch.set_alarm_state(AlarmName="ic-a-no-capacity", StateValue="ALARM", StateReason="a request found no copy")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        runtime = sagemaker.describe_inference_component(InferenceComponentName="ic-a")["RuntimeConfig"]
        if runtime["CurrentCopyCount"] == 1:
            break
        time.sleep(0.05)
    assert runtime == {"DesiredCopyCount": 1, "CurrentCopyCount": 1}
    assert instance_count(sagemaker) == 1
    updates = emulator.requests(service="sagemaker", operation="UpdateInferenceComponentRuntimeConfig")
    assert len(updates) == 1
    # Already in ALARM: setting it again is no new breach; back to OK and ALARM again scales once more, up to the maximum.
    cloudwatch.set_alarm_state(AlarmName="ic-a-no-capacity", StateValue="OK", StateReason="served")
    cloudwatch.set_alarm_state(AlarmName="ic-a-no-capacity", StateValue="ALARM", StateReason="again")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and instance_count(sagemaker) != 2:
        time.sleep(0.05)
    assert sagemaker.describe_inference_component(InferenceComponentName="ic-a")["RuntimeConfig"]["DesiredCopyCount"] == 2


def test_step_adjustments_follow_application_auto_scaling():
    from sagemaker_emulator.component_alarm_actions import new_capacity

    change = {"AdjustmentType": "ChangeInCapacity", "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}]}
    assert new_capacity(change, 0, 0, 4) == 1
    assert new_capacity(change, 4, 0, 4) == 4  # kept within MaxCapacity
    exact = {"AdjustmentType": "ExactCapacity", "StepAdjustments": [{"MetricIntervalUpperBound": 10, "ScalingAdjustment": 3}]}
    assert new_capacity(exact, 0, 0, 4) == 3
    percent = {
        "AdjustmentType": "PercentChangeInCapacity", "MinAdjustmentMagnitude": 2,
        "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 10}],
    }
    assert new_capacity(percent, 3, 0, 10) == 5
    steps = {"AdjustmentType": "ChangeInCapacity", "StepAdjustments": [
        {"MetricIntervalLowerBound": 5, "ScalingAdjustment": 3}, {"MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 5, "ScalingAdjustment": 1},
    ]}
    assert new_capacity(steps, 0, 0, 10) == 1  # the step whose interval holds 0


def test_variant_name_is_checked_and_optional_with_one_variant(sagemaker, error_of):
    make_model(sagemaker)
    components_endpoint(sagemaker)
    code, message = message_of(
        error_of, sagemaker.create_inference_component, InferenceComponentName="ic-x", EndpointName="ic-endpoint",
        VariantName="Other", Specification={"ModelName": "model-a", "ComputeResourceRequirements": GPU}, RuntimeConfig={"CopyCount": 1},
    )
    assert (code, message) == ("ValidationException", f'The variant name "Other" is not present within endpoint "{ARN_PREFIX}:endpoint/ic-endpoint".')
    sagemaker.create_inference_component(
        InferenceComponentName="ic-y", EndpointName="ic-endpoint",
        Specification={"ModelName": "model-a", "ComputeResourceRequirements": GPU}, RuntimeConfig={"CopyCount": 1},
    )
    assert sagemaker.describe_inference_component(InferenceComponentName="ic-y")["VariantName"] == "AllTraffic"


def test_max_memory_below_min_memory_is_refused(sagemaker, error_of):
    make_model(sagemaker)
    components_endpoint(sagemaker)
    code, message = message_of(
        error_of, create_component, sagemaker, requirements={"MinMemoryRequiredInMb": 2048, "MaxMemoryRequiredInMb": 1024}
    )
    assert (code, message) == (
        "ValidationException", "MaxMemoryRequiredInMb (1024) must be greater than or equal to MinMemoryRequiredInMb (2048)."
    )


def test_failed_component_cannot_be_updated_but_can_be_deleted(sagemaker, error_of):
    make_model(sagemaker)
    components_endpoint(sagemaker, high=1)
    create_component(sagemaker, copies=2)  # one GPU instance at most: fails
    wait_component(sagemaker, "ic-a", "Failed")
    assert message_of(
        error_of, sagemaker.update_inference_component_runtime_config,
        InferenceComponentName="ic-a", DesiredRuntimeConfig={"CopyCount": 1},
    ) == ("ValidationException", f'Cannot update failed inference component "{ARN_PREFIX}:inference-component/ic-a".')
    sagemaker.delete_inference_component(InferenceComponentName="ic-a")
    assert sagemaker.list_inference_components()["InferenceComponents"] == []


def test_rollback_alarms_must_be_readable_by_the_config_role(sagemaker, iam, cloudwatch, error_of):
    from aws_setup import describe_alarms_statement

    make_model(sagemaker)
    make_model(sagemaker, "model-b")
    narrow = make_execution_role(iam, "no-alarm-reading", [describe_alarms_statement("other-alarm")])
    sagemaker.create_endpoint_config(
        EndpointConfigName="narrow", ExecutionRoleArn=narrow,
        ProductionVariants=[{"VariantName": "AllTraffic", "InstanceType": "ml.g5.xlarge", "InitialInstanceCount": 2}],
    )
    sagemaker.create_endpoint(EndpointName="ic-endpoint", EndpointConfigName="narrow")
    wait_status(sagemaker, "ic-endpoint", "InService")
    create_component(sagemaker, copies=2)
    wait_component(sagemaker, "ic-a", "InService")
    code, message = message_of(error_of, new_version, sagemaker)
    assert code == "ValidationException"
    assert '"cloudwatch:DescribeAlarms" permissions for alarm "arn:aws:cloudwatch:us-east-1:123456789012:alarm:ic-errors"' in message
