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
"""

from __future__ import annotations

import enum

from .moto_access import autoscaling_backend
from .variant_autoscaling import deregister, registered

DIMENSION = "sagemaker:inference-component:DesiredCopyCount"
ENUM_MEMBER = "SAGEMAKER_INFERENCE_COMPONENT_DESIRED_COPY_COUNT"


def resource_id(component: str) -> str:
    return f"inference-component/{component}"


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
