"""Endpoint variants registered with Application Auto Scaling, through boto3 against the emulator.

Rules and their sources: sagemaker_emulator/variant_autoscaling.py, autoscaling_hooks.py.
"""

from __future__ import annotations

import pytest

from aws_setup import make_execution_role
from test_emulator import IMAGE, ROLE_ARN, wait_status

DIMENSION = "sagemaker:variant:DesiredInstanceCount"
TRACKING = {
    "TargetValue": 70.0,
    "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
}


@pytest.fixture(autouse=True)
def _role(emulator, iam):
    assert make_execution_role(iam) == ROLE_ARN
    emulator.clear_requests()


@pytest.fixture
def scaling(aws_client):
    return aws_client("application-autoscaling")


def resource(endpoint: str, variant: str = "primary") -> str:
    return f"endpoint/{endpoint}/variant/{variant}"


def make_config(sm, name: str, instance_type: str = "ml.m5.large", model: str = "model-a") -> None:
    sm.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[{"VariantName": "primary", "ModelName": model, "InitialInstanceCount": 1, "InstanceType": instance_type}],
    )


def deploy(sm, endpoint: str, config: str) -> None:
    sm.create_endpoint(EndpointName=endpoint, EndpointConfigName=config)
    wait_status(sm, endpoint, "InService")


def autoscale(scaling, endpoint: str) -> None:
    scaling.register_scalable_target(
        ServiceNamespace="sagemaker", ResourceId=resource(endpoint), ScalableDimension=DIMENSION, MinCapacity=1, MaxCapacity=3
    )
    scaling.put_scaling_policy(
        PolicyName=f"{endpoint}-invocations", ServiceNamespace="sagemaker", ResourceId=resource(endpoint),
        ScalableDimension=DIMENSION, PolicyType="TargetTrackingScaling", TargetTrackingScalingPolicyConfiguration=TRACKING,
    )


def targets(scaling) -> list[str]:
    return [t["ResourceId"] for t in scaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]]


def policies(scaling) -> list[str]:
    return [p["PolicyName"] for p in scaling.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]]


@pytest.fixture
def two_endpoints(sagemaker, scaling):
    """endpoint-a and endpoint-ab, InService on config-a, each autoscaled."""
    sagemaker.create_model(ModelName="model-a", ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": IMAGE})
    make_config(sagemaker, "config-a")
    for endpoint in ("endpoint-a", "endpoint-ab"):
        deploy(sagemaker, endpoint, "config-a")
        autoscale(scaling, endpoint)


def test_deleting_an_endpoint_deregisters_its_variants_and_their_policies(two_endpoints, sagemaker, scaling):
    sagemaker.delete_endpoint(EndpointName="endpoint-a")
    assert targets(scaling) == [resource("endpoint-ab")]
    assert policies(scaling) == ["endpoint-ab-invocations"]


def test_deregistering_a_target_deletes_its_policies(two_endpoints, scaling):
    scaling.deregister_scalable_target(ServiceNamespace="sagemaker", ResourceId=resource("endpoint-a"), ScalableDimension=DIMENSION)
    assert targets(scaling) == [resource("endpoint-ab")]
    assert policies(scaling) == ["endpoint-ab-invocations"]


def test_what_is_not_registered_is_not_found(two_endpoints, scaling, error_of):
    gone = {"ServiceNamespace": "sagemaker", "ResourceId": resource("endpoint-x"), "ScalableDimension": DIMENSION}
    error = error_of(scaling.deregister_scalable_target, **gone)["Error"]
    assert error["Code"] == "ObjectNotFoundException"
    assert error["Message"] == (
        f"No scalable target registered for service namespace: sagemaker, resource ID: {resource('endpoint-x')}, "
        f"scalable dimension: {DIMENSION}"
    )
    error = error_of(
        scaling.put_scaling_policy, PolicyName="p", PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration=TRACKING, **gone,
    )["Error"]
    assert error["Code"] == "ObjectNotFoundException"
    assert policies(scaling) == ["endpoint-a-invocations", "endpoint-ab-invocations"]
    error = error_of(
        scaling.delete_scaling_policy, PolicyName="missing", ServiceNamespace="sagemaker",
        ResourceId=resource("endpoint-a"), ScalableDimension=DIMENSION,
    )["Error"]
    assert error["Code"] == "ObjectNotFoundException"
    scaling.delete_scaling_policy(
        PolicyName="endpoint-a-invocations", ServiceNamespace="sagemaker", ResourceId=resource("endpoint-a"), ScalableDimension=DIMENSION
    )
    assert policies(scaling) == ["endpoint-ab-invocations"]


def test_an_autoscaled_variant_keeps_its_instance_type(two_endpoints, sagemaker, scaling, error_of):
    make_config(sagemaker, "config-larger", instance_type="ml.m5.xlarge")
    error = error_of(sagemaker.update_endpoint, EndpointName="endpoint-a", EndpointConfigName="config-larger")["Error"]
    assert error["Code"] == "ValidationException"
    assert "instance type of variant(s) primary (ml.m5.large to ml.m5.xlarge) would change" in error["Message"]
    assert "registered as scalable targets with Application Auto Scaling" in error["Message"]
    assert sagemaker.describe_endpoint(EndpointName="endpoint-a")["EndpointStatus"] == "InService"

    # "If you change the model for a variant that is configured for auto scaling, ... auto scaling allows the update."
    sagemaker.create_model(ModelName="model-b", ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": IMAGE})
    make_config(sagemaker, "config-b", model="model-b")
    sagemaker.update_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-b")
    wait_status(sagemaker, "endpoint-a", "InService")

    # Deregistered first, the type changes.
    scaling.deregister_scalable_target(ServiceNamespace="sagemaker", ResourceId=resource("endpoint-a"), ScalableDimension=DIMENSION)
    sagemaker.update_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-larger")
    wait_status(sagemaker, "endpoint-a", "InService")
    assert sagemaker.describe_endpoint(EndpointName="endpoint-a")["EndpointConfigName"] == "config-larger"


def test_maintenance_can_leave_an_endpoint_failed(emulator, sagemaker):
    sagemaker.create_model(ModelName="model-a", ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": IMAGE})
    make_config(sagemaker, "config-a")
    deploy(sagemaker, "endpoint-a", "config-a")
    assert emulator.system_update("endpoint-a", 0.2, failure_reason="Injected: the fleet was lost.")["EndpointStatus"] == "SystemUpdating"
    assert wait_status(sagemaker, "endpoint-a", "Failed")[-1] == "Failed"
    assert sagemaker.describe_endpoint(EndpointName="endpoint-a")["FailureReason"] == "Injected: the fleet was lost."
