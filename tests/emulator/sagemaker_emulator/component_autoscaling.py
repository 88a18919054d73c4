"""Inference components as Application Auto Scaling targets: ``sagemaker:inference-component:DesiredCopyCount``.

moto 5.2.5 knows only ``sagemaker:variant:DesiredInstanceCount`` for SageMaker: its
``ScalableDimensionValueSet`` enum (checked by RegisterScalableTarget, PutScalingPolicy,
DescribeScalableTargets, ...) refuses the inference component dimension with "Member must satisfy
enum value set". AWS has it: Application Auto Scaling API Reference, RegisterScalableTarget,
``ScalableDimension``: "sagemaker:inference-component:DesiredCopyCount - The number of copies across
an endpoint for a SageMaker AI inference component", ``ResourceId``: "SageMaker AI inference
component - The resource type is inference-component and the unique identifier is the resource ID.
Example: inference-component/my-inference-component"
(https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html).
:func:`let_moto_accept_component_dimension` rebuilds moto's enum with that value (moto then checks
namespace ``sagemaker`` and resource type ``inference-component`` as for its own dimensions).

``MinCapacity`` 0 is accepted, as moto accepts it: "When you register the inference component as a
scalable target, set the minimum capacity to 0" (Developer Guide, "Scale an endpoint to zero
instances", https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-zero-instances.html).
Deleting a component deregisters it (and its policies, :func:`variant_autoscaling.deregister`).

**Target tracking makes its CloudWatch alarms** (Application Auto Scaling User Guide, "Target tracking
scaling policies": "Application Auto Scaling creates and manages the CloudWatch alarms that trigger
the scaling policy"; moto makes them for DynamoDB and ECS only). For a component's target, the
predefined metrics (botocore's ``MetricType`` enum) are SageMaker's per-copy invocation metrics, in
namespace ``AWS/SageMaker`` with the dimension ``InferenceComponentName`` (Developer Guide, "Amazon
SageMaker AI metrics in Amazon CloudWatch", endpoint invocation metrics for inference components):
``SageMakerInferenceComponentInvocationsPerCopy`` watches ``InvocationsPerCopy``,
``SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution`` watches
``ConcurrentRequestsPerCopy``. :func:`let_moto_make_component_alarms` adds the two alarms, named as
AWS names them (``TargetTracking-<resource id>-AlarmHigh-<uuid>`` / ``-AlarmLow-``), high above the
target value, low below 90% of it; their periods and evaluation counts are the emulator's (AWS does
not document them). They go with the policy (DeleteScalingPolicy, deregistration).
"""

from __future__ import annotations

import enum

from .moto_access import autoscaling_backend
from .variant_autoscaling import deregister, registered

DIMENSION = "sagemaker:inference-component:DesiredCopyCount"
# Predefined metric type -> (metric name in AWS/SageMaker, period in seconds).
TRACKED_METRICS = {
    "SageMakerInferenceComponentInvocationsPerCopy": ("InvocationsPerCopy", 60),
    "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution": ("ConcurrentRequestsPerCopy", 10),
}
ENUM_MEMBER = "SAGEMAKER_INFERENCE_COMPONENT_DESIRED_COPY_COUNT"


def resource_id(component: str) -> str:
    return f"inference-component/{component}"


def install() -> None:
    """Both changes to moto's Application Auto Scaling, once; called by its hooks before each call, so that moto's
    module (which imports ECS and EC2: about 2 s) is loaded only when Application Auto Scaling is used."""
    let_moto_accept_component_dimension()
    let_moto_make_component_alarms()


def let_moto_accept_component_dimension() -> None:
    """Add the dimension to moto's ``ScalableDimensionValueSet`` (models and responses share the enum by name)."""
    from moto.applicationautoscaling import models, responses

    current = models.ScalableDimensionValueSet
    if ENUM_MEMBER in current.__members__:
        return
    values = {member.name: member.value for member in current}
    values[ENUM_MEMBER] = DIMENSION
    extended = enum.Enum("ScalableDimensionValueSet", values)  # type: ignore[misc]
    models.ScalableDimensionValueSet = extended  # type: ignore[misc]
    responses.ScalableDimensionValueSet = extended  # type: ignore[misc]


def deregister_component(account_id: str, region: str, component: str) -> None:
    """DeleteInferenceComponent: the component stops being a scalable target."""
    backend = autoscaling_backend(account_id, region)
    for dimension in registered(backend, resource_id(component)):
        deregister(backend, resource_id(component), dimension)


def let_moto_make_component_alarms() -> None:
    """After moto creates a target tracking policy, add the alarms of an inference component's target."""
    from moto.applicationautoscaling.models import FakeApplicationAutoscalingPolicy

    original = FakeApplicationAutoscalingPolicy.create_alarms
    if getattr(original, "emulator_component_alarms", False):
        return

    def create_alarms(self) -> None:  # type: ignore[no-untyped-def]
        original(self)
        if self.policy_type == "TargetTrackingScaling" and self.scalable_dimension == DIMENSION:
            self.alarms.extend(_component_alarms(self))

    create_alarms.emulator_component_alarms = True  # type: ignore[attr-defined]
    FakeApplicationAutoscalingPolicy.create_alarms = create_alarms  # type: ignore[method-assign]


def _component_alarms(policy) -> list:  # type: ignore[no-untyped-def]
    from moto.cloudwatch.models import cloudwatch_backends
    from moto.moto_api._internal import mock_random

    config = policy.target_tracking_scaling_policy_configuration or {}
    metric_type = (config.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType")
    if metric_type not in TRACKED_METRICS:
        return []  # a customized metric: the policy names its own
    metric, period = TRACKED_METRICS[metric_type]
    target = float(config.get("TargetValue") or 0)
    component = policy.resource_id.split("/", 1)[-1]
    cloudwatch = cloudwatch_backends[policy.account_id][policy.region_name]
    action = f"{policy.policy_arn}:createdBy/{mock_random.uuid4()}"
    alarms = []
    for kind, operator, threshold, periods in (
        ("AlarmHigh", "GreaterThanThreshold", target, 3),
        ("AlarmLow", "LessThanThreshold", target * 0.9, 15),
    ):
        alarms.append(
            cloudwatch.put_metric_alarm(
                name=f"TargetTracking-{policy.resource_id}-{kind}-{mock_random.uuid4()}",
                namespace="AWS/SageMaker",
                metric_name=metric,
                metric_data_queries=[],
                comparison_operator=operator,
                evaluation_periods=periods,
                period=period,
                threshold=threshold,
                statistic="Average",
                description=f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {action}",
                dimensions=[{"Name": "InferenceComponentName", "Value": component}],
                alarm_actions=[action],
            )
        )
    return alarms
