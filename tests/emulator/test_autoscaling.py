"""What Application Auto Scaling answers and deletes beyond what
test_variant_autoscaling covers (:mod:`sagemaker_emulator.autoscaling_hooks`,
:mod:`sagemaker_emulator.variant_autoscaling`): a deregistered target's
scheduled actions go with it, and DescribeScalingPolicies answers the
policies asked for only."""

from __future__ import annotations

import pytest

DIMENSION = "sagemaker:variant:DesiredInstanceCount"


def variant(endpoint: str, name: str = "primary") -> str:
    return f"endpoint/{endpoint}/variant/{name}"


@pytest.fixture
def autoscaling(aws_client):
    return aws_client("application-autoscaling")


def register_with_policy(autoscaling, resource_id: str) -> None:
    """A target with one target-tracking policy and one scheduled action."""
    autoscaling.register_scalable_target(
        ServiceNamespace="sagemaker", ResourceId=resource_id, ScalableDimension=DIMENSION, MinCapacity=1, MaxCapacity=3
    )
    autoscaling.put_scaling_policy(
        PolicyName="invocations",
        ServiceNamespace="sagemaker",
        ResourceId=resource_id,
        ScalableDimension=DIMENSION,
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 50.0,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
        },
    )
    autoscaling.put_scheduled_action(
        ServiceNamespace="sagemaker",
        ScheduledActionName="nightly",
        ResourceId=resource_id,
        ScalableDimension=DIMENSION,
        Schedule="cron(0 2 * * ? *)",
        ScalableTargetAction={"MinCapacity": 1, "MaxCapacity": 1},
    )


def scheduled_actions_of(autoscaling, resource_id: str) -> list[str]:
    found = autoscaling.describe_scheduled_actions(ServiceNamespace="sagemaker", ResourceId=resource_id)
    return [a["ScheduledActionName"] for a in found["ScheduledActions"]]


def test_deregistering_a_target_deletes_its_scheduled_actions(autoscaling):
    mine, other = variant("endpoint-a"), variant("endpoint-b")
    register_with_policy(autoscaling, mine)
    register_with_policy(autoscaling, other)

    autoscaling.deregister_scalable_target(ServiceNamespace="sagemaker", ResourceId=mine, ScalableDimension=DIMENSION)

    assert scheduled_actions_of(autoscaling, mine) == []
    assert scheduled_actions_of(autoscaling, other) == ["nightly"]


def test_describe_scaling_policies_answers_the_policies_named_of_the_target_named(autoscaling):
    resource_id = variant("endpoint-a")
    register_with_policy(autoscaling, resource_id)
    register_with_policy(autoscaling, variant("endpoint-a-2"))
    autoscaling.put_scaling_policy(
        PolicyName="wake-up",
        ServiceNamespace="sagemaker",
        ResourceId=resource_id,
        ScalableDimension=DIMENSION,
        PolicyType="StepScaling",
        StepScalingPolicyConfiguration={
            "AdjustmentType": "ChangeInCapacity",
            "StepAdjustments": [{"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": 1}],
        },
    )

    def described(**filters) -> list[tuple[str, str]]:
        found = autoscaling.describe_scaling_policies(ServiceNamespace="sagemaker", **filters)["ScalingPolicies"]
        return sorted((p["ResourceId"], p["PolicyName"]) for p in found)

    assert described(ResourceId=resource_id, PolicyNames=["wake-up"]) == [(resource_id, "wake-up")]
    assert described(ResourceId=resource_id) == [(resource_id, "invocations"), (resource_id, "wake-up")]
    # A variant whose name starts with another's is another target: its
    # policies only (moto matched any ResourceId containing the policy's).
    longer = variant("endpoint-a", "primary-2")
    register_with_policy(autoscaling, longer)
    assert described(ResourceId=longer) == [(longer, "invocations")]
    autoscaling.delete_scaling_policy(
        PolicyName="wake-up", ServiceNamespace="sagemaker", ResourceId=resource_id, ScalableDimension=DIMENSION
    )
    assert described(ResourceId=resource_id, PolicyNames=["wake-up"]) == []
