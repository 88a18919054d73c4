"""Inference components as SageMaker describes them, and where the emulator keeps them.

:class:`Component` is one component with what DescribeInferenceComponent answers (API Reference,
DescribeInferenceComponent, https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeInferenceComponent.html:
``InferenceComponentStatus`` ``InService | Creating | Updating | Failed | Deleting``, ``RuntimeConfig``
``DesiredCopyCount`` / ``CurrentCopyCount``, ``Specification`` as InferenceComponentSpecificationSummary,
``FailureReason``, ``LastDeploymentConfig``); :class:`ComponentStore` holds them per account and region.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from .aws_errors import validation_error

CREATING, UPDATING, IN_SERVICE, FAILED, DELETING, DELETED = "Creating", "Updating", "InService", "Failed", "Deleting", "Deleted"
IN_PROGRESS = (CREATING, UPDATING, DELETING)


def wire_time(seconds: float) -> float:
    """A timestamp as SageMaker's JSON protocol sends it: epoch seconds, a number (the Rust SDK reads no date string)."""
    return round(seconds, 3)


@dataclass
class Component:
    """One inference component as DescribeInferenceComponent shows it."""

    name: str
    arn: str
    endpoint_name: str
    endpoint_arn: str
    variant_name: str
    specification: dict
    desired_copies: int | None
    current_copies: int | None
    created: float
    status: str = CREATING
    modified: float = 0.0
    failure_reason: str | None = None
    last_deployment_config: dict | None = None
    tags: list[dict] = field(default_factory=list)

    def describe(self) -> dict:
        answer: dict[str, Any] = {
            "InferenceComponentName": self.name,
            "InferenceComponentArn": self.arn,
            "EndpointName": self.endpoint_name,
            "EndpointArn": self.endpoint_arn,
            "VariantName": self.variant_name,
            "Specification": specification_summary(self.specification, self.created),
            "CreationTime": wire_time(self.created),
            "LastModifiedTime": wire_time(self.modified or self.created),
            "InferenceComponentStatus": self.status,
        }
        if self.desired_copies is not None:
            answer["RuntimeConfig"] = {"DesiredCopyCount": self.desired_copies, "CurrentCopyCount": self.current_copies or 0}
        if self.failure_reason:
            answer["FailureReason"] = self.failure_reason
        if self.last_deployment_config:
            answer["LastDeploymentConfig"] = copy.deepcopy(self.last_deployment_config)
        return answer

    def summary(self) -> dict:
        full = self.describe()
        keys = ("CreationTime", "InferenceComponentArn", "InferenceComponentName", "EndpointArn", "EndpointName",
                "VariantName", "InferenceComponentStatus", "LastModifiedTime")
        return {key: full[key] for key in keys}


def specification_summary(spec: dict, created: float) -> dict:
    """InferenceComponentSpecificationSummary: the container's image as ``DeployedImage`` (API Reference,
    DeployedImage: ``SpecifiedImage``, ``ResolvedImage``, ``ResolutionTime``); the rest as given."""
    summary = copy.deepcopy(spec)
    container = summary.get("Container")
    if container:
        image = container.pop("Image", None)
        if image:
            container["DeployedImage"] = {"SpecifiedImage": image, "ResolvedImage": image, "ResolutionTime": wire_time(created)}
    return summary


class ComponentStore:
    """The components of every account and region (guarded by the emulator lock, as all state)."""

    def __init__(self) -> None:
        self._by_place: dict[tuple[str, str], dict[str, Component]] = {}

    def of(self, account: str, region: str) -> dict[str, Component]:
        return self._by_place.setdefault((account, region), {})

    def clear(self) -> None:
        self._by_place.clear()


def timeline_key(ctx: Any, name: str) -> tuple:
    return ("inference-component", ctx.account_id, ctx.region, name)


def existing(ctx: Any, store: ComponentStore, name: str) -> Component:
    component = store.of(ctx.account_id, ctx.region).get(name)
    if component is None:
        raise validation_error(f'Could not find inference component "{ctx.arn("inference-component", name)}".')
    return component

