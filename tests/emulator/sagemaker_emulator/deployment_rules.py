"""Deployment guardrails: what SageMaker accepts in a ``DeploymentConfig``, and how long a rollout takes.

``CreateEndpoint`` and ``UpdateEndpoint`` take a ``DeploymentConfig``
(``BlueGreenUpdatePolicy`` *or* ``RollingUpdatePolicy``, plus
``AutoRollbackConfiguration``). The checks below raise the ``ValidationException``
SageMaker answers; :func:`rollout_bakes` turns an accepted config into the baking
periods the endpoint spends ``Updating`` (watched by the rollback alarms).

Sources (quoted in the comments next to each rule):

* API reference, DeploymentConfig / BlueGreenUpdatePolicy / TrafficRoutingConfig /
  CapacitySize / RollingUpdatePolicy / AutoRollbackConfig,
  https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_TrafficRoutingConfig.html
  (and API_BlueGreenUpdatePolicy.html, API_RollingUpdatePolicy.html, API_CapacitySize.html,
  API_AutoRollbackConfig.html); the ranges are also in botocore's service model;
* developer guide "Blue/Green Deployments" and its pages "Use all at once traffic
  shifting", "Use canary traffic shifting", "Use linear traffic shifting",
  https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-blue-green.html;
* developer guide "Exclusions" (deployment guardrails),
  https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-exclusions.html.

Message wording: the range messages follow AWS's standard request-validation
format ("1 validation error detected: Value '...' at '...' failed to satisfy
constraint: Member must have value less than or equal to ..."); the wording of the
other messages is the emulator's own (SageMaker's exact text is not documented).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .aws_errors import validation_error

# Field -> (minimum, maximum), from the API reference (botocore: WaitIntervalInSeconds,
# TerminationWaitInSeconds, MaximumExecutionTimeoutInSeconds, CapacitySizeValue shapes).
WAIT_RANGE = (0, 3600)  # TrafficRoutingConfig / RollingUpdatePolicy WaitIntervalInSeconds: "Valid Range: Minimum value of 0. Maximum value of 3600."
TERMINATION_WAIT_RANGE = (0, 3600)  # BlueGreenUpdatePolicy TerminationWaitInSeconds: "Minimum value of 0. Maximum value of 3600."
EXECUTION_TIMEOUT_RANGE = (600, 28800)  # MaximumExecutionTimeoutInSeconds: "Minimum value of 600. Maximum value of 28800."
CAPACITY_VALUE_MIN = 1  # CapacitySize Value: "Valid Range: Minimum value of 1."
ALARMS_RANGE = (1, 10)  # AutoRollbackConfig Alarms: "Minimum number of 1 item. Maximum number of 10 items."

ROUTING_TYPES = ("ALL_AT_ONCE", "CANARY", "LINEAR")  # TrafficRoutingConfigType
CAPACITY_TYPES = ("INSTANCE_COUNT", "CAPACITY_PERCENT")  # CapacitySizeType


@dataclass(frozen=True)
class Bake:
    """One baking period of a rollout: its length (deployment seconds) and the share of traffic on the new fleet."""

    seconds: float
    percent: float
    label: str


def _constraint(errors: list[str], value: Any, path: str, low: int | None, high: int | None) -> None:
    if value is None:
        return
    if low is not None and value < low:
        errors.append(f"Value '{value}' at '{path}' failed to satisfy constraint: Member must have value greater than or equal to {low}")
    elif high is not None and value > high:
        errors.append(f"Value '{value}' at '{path}' failed to satisfy constraint: Member must have value less than or equal to {high}")


def _enum(errors: list[str], value: Any, path: str, allowed: Iterable[str]) -> None:
    allowed = list(allowed)
    if value is None:
        errors.append(f"Value null at '{path}' failed to satisfy constraint: Member must not be null")
    elif value not in allowed:
        errors.append(f"Value '{value}' at '{path}' failed to satisfy constraint: Member must satisfy enum value set: [{', '.join(allowed)}]")


def _raise(errors: list[str]) -> None:
    if errors:
        count = len(errors)
        raise validation_error(f"{count} validation error{'s' if count > 1 else ''} detected: {'; '.join(errors)}")


def _check_capacity(errors: list[str], size: dict | None, path: str) -> None:
    if size is None:
        return
    _enum(errors, size.get("Type"), f"{path}.type", CAPACITY_TYPES)
    if size.get("Value") is None:
        errors.append(f"Value null at '{path}.value' failed to satisfy constraint: Member must not be null")
    _constraint(errors, size.get("Value"), f"{path}.value", CAPACITY_VALUE_MIN, None)


def check_shape(config: dict | None, prefix: str = "deploymentConfig") -> None:
    """The request-level constraints of a DeploymentConfig (enums, ranges, required members)."""
    if not config:
        return
    errors: list[str] = []
    blue_green = config.get("BlueGreenUpdatePolicy")
    rolling = config.get("RollingUpdatePolicy")
    if blue_green is not None:
        path = f"{prefix}.blueGreenUpdatePolicy"
        routing = blue_green.get("TrafficRoutingConfiguration")
        if routing is None:
            errors.append(f"Value null at '{path}.trafficRoutingConfiguration' failed to satisfy constraint: Member must not be null")
        else:
            rpath = f"{path}.trafficRoutingConfiguration"
            _enum(errors, routing.get("Type"), f"{rpath}.type", ROUTING_TYPES)
            if routing.get("WaitIntervalInSeconds") is None:
                errors.append(f"Value null at '{rpath}.waitIntervalInSeconds' failed to satisfy constraint: Member must not be null")
            _constraint(errors, routing.get("WaitIntervalInSeconds"), f"{rpath}.waitIntervalInSeconds", *WAIT_RANGE)
            _check_capacity(errors, routing.get("CanarySize"), f"{rpath}.canarySize")
            _check_capacity(errors, routing.get("LinearStepSize"), f"{rpath}.linearStepSize")
        _constraint(errors, blue_green.get("TerminationWaitInSeconds"), f"{path}.terminationWaitInSeconds", *TERMINATION_WAIT_RANGE)
        _constraint(errors, blue_green.get("MaximumExecutionTimeoutInSeconds"), f"{path}.maximumExecutionTimeoutInSeconds", *EXECUTION_TIMEOUT_RANGE)
    if rolling is not None:
        path = f"{prefix}.rollingUpdatePolicy"
        if rolling.get("MaximumBatchSize") is None:
            errors.append(f"Value null at '{path}.maximumBatchSize' failed to satisfy constraint: Member must not be null")
        _check_capacity(errors, rolling.get("MaximumBatchSize"), f"{path}.maximumBatchSize")
        _check_capacity(errors, rolling.get("RollbackMaximumBatchSize"), f"{path}.rollbackMaximumBatchSize")
        if rolling.get("WaitIntervalInSeconds") is None:
            errors.append(f"Value null at '{path}.waitIntervalInSeconds' failed to satisfy constraint: Member must not be null")
        _constraint(errors, rolling.get("WaitIntervalInSeconds"), f"{path}.waitIntervalInSeconds", *WAIT_RANGE)
        _constraint(errors, rolling.get("MaximumExecutionTimeoutInSeconds"), f"{path}.maximumExecutionTimeoutInSeconds", *EXECUTION_TIMEOUT_RANGE)
    alarms = (config.get("AutoRollbackConfiguration") or {}).get("Alarms")
    if alarms is not None and not ALARMS_RANGE[0] <= len(alarms) <= ALARMS_RANGE[1]:
        errors.append(
            f"Value '{alarms}' at '{prefix}.autoRollbackConfiguration.alarms' failed to satisfy constraint: "
            f"Member must have length less than or equal to {ALARMS_RANGE[1]}"
            if len(alarms) > ALARMS_RANGE[1]
            else f"Value '[]' at '{prefix}.autoRollbackConfiguration.alarms' failed to satisfy constraint: "
            f"Member must have length greater than or equal to {ALARMS_RANGE[0]}"
        )
    _raise(errors)


def instance_counts(variants: list[dict]) -> dict[str, int]:
    """Instance-based variants' total instance counts, by variant name (serverless variants have none)."""
    counts = {}
    for variant in variants:
        count = variant.get("DesiredInstanceCount", variant.get("InitialInstanceCount"))
        if count is not None and not variant.get("ServerlessConfig") and not variant.get("DesiredServerlessConfig"):
            counts[variant["VariantName"]] = int(count)
    return counts


def _share_problem(size: dict, counts: dict[str, int], low: float, high: float) -> str | None:
    """Why ``size`` is not between ``low`` and ``high`` (fractions) of each variant's instance count, if it is not."""
    value = size.get("Value") or 0
    if size.get("Type") == "CAPACITY_PERCENT":
        if not low * 100 <= value <= high * 100:
            return f"{value}%"
        return None
    for name, count in counts.items():
        if count <= 0 or not low <= value / count <= high:
            return f"{value} instance(s) of the {count} of variant {name}"
    return None


def check_against_variants(config: dict | None, variants: list[dict], previous_variant_names: list[str] | None = None) -> None:
    """The rules that depend on the endpoint's variants (sizes relative to instance counts, exclusions, names)."""
    if not config:
        return
    blue_green = config.get("BlueGreenUpdatePolicy")
    rolling = config.get("RollingUpdatePolicy")
    # DeploymentConfig: "Only one update policy should be used in the deployment configuration."
    # (API reference, BlueGreenUpdatePolicy / DeploymentConfig)
    if blue_green is not None and rolling is not None:
        raise validation_error("Only one update policy can be specified in DeploymentConfig: BlueGreenUpdatePolicy or RollingUpdatePolicy.")
    counts = instance_counts(variants)
    if blue_green is not None:
        routing = blue_green.get("TrafficRoutingConfiguration") or {}
        kind = routing.get("Type")
        canary, step = routing.get("CanarySize"), routing.get("LinearStepSize")
        # CANARY: "Endpoint traffic shifts to the new fleet in two steps. The first step is the canary";
        # LINEAR: "shifts to the new fleet in n steps of a configurable size" - each needs its size.
        if kind == "CANARY" and canary is None:
            raise validation_error("CanarySize must be specified when the traffic routing type is CANARY.")
        if kind == "LINEAR" and step is None:
            raise validation_error("LinearStepSize must be specified when the traffic routing type is LINEAR.")
        # TrafficRoutingConfig.CanarySize: "Value must be less than or equal to 50% of the variant's total
        # instance count." (API reference; dev guide "Use canary traffic shifting": "the canary size should be
        # less than or equal to 50% of the new fleet's capacity")
        if kind == "CANARY":
            problem = _share_problem(canary, counts, 0.0, 0.5)
            if problem:
                raise validation_error(f"CanarySize must be less than or equal to 50% of the variant's total instance count; got {problem}.")
        # TrafficRoutingConfig.LinearStepSize: "Value must be 10-50% of the variant's total instance count."
        # (API reference; dev guide "Use linear traffic shifting": "Each linear step should only be between
        # 10-50% of the green fleet's capacity")
        if kind == "LINEAR":
            problem = _share_problem(step, counts, 0.1, 0.5)
            if problem:
                raise validation_error(f"LinearStepSize must be between 10% and 50% of the variant's total instance count; got {problem}.")
    if rolling is not None:
        # RollingUpdatePolicy.MaximumBatchSize: "Value must be between 5% to 50% of the variant's total
        # instance count." (API reference)
        problem = _share_problem(rolling.get("MaximumBatchSize") or {}, counts, 0.05, 0.5)
        if problem:
            raise validation_error(f"MaximumBatchSize must be between 5% and 50% of the variant's total instance count; got {problem}.")
        # Exclusions: "If you're doing a rolling deployment, there are additional feature-based exclusions:
        # Serverless inference endpoints; Multi-variant inference endpoints" (dev guide, deployment guardrails
        # "Exclusions")
        if any(variant.get("ServerlessConfig") or variant.get("DesiredServerlessConfig") for variant in variants):
            raise validation_error("Rolling deployments are not supported for serverless inference endpoints.")
        if len(variants) > 1:
            raise validation_error("Rolling deployments are not supported for multi-variant inference endpoints.")
    # Exclusions: "When doing a blue/green or rolling deployment, your new endpoint configuration must have the
    # same variant name as the old endpoint configuration." (dev guide, deployment guardrails "Exclusions")
    if previous_variant_names is not None and (blue_green is not None or rolling is not None):
        new_names = sorted(variant["VariantName"] for variant in variants)
        if new_names != sorted(previous_variant_names):
            raise validation_error(
                "When updating an endpoint with a blue/green or rolling deployment configuration, the new endpoint "
                f"configuration must have the same variant names as the current one: current {sorted(previous_variant_names)}, "
                f"new {new_names}."
            )


def _steps(size: dict, counts: dict[str, int]) -> list[float]:
    """Cumulative traffic percent after each step of size ``size``."""
    value = size.get("Value") or 1
    if size.get("Type") == "CAPACITY_PERCENT":
        steps = math.ceil(100 / value)
        return [min(100.0, value * (index + 1)) for index in range(steps)]
    total = max(counts.values(), default=0)
    if total <= 0:
        return [100.0]
    steps = math.ceil(total / value)
    return [min(100.0, 100.0 * value * (index + 1) / total) for index in range(steps)]


def falls_back_to_all_at_once(variants: list[dict]) -> bool:
    """Exclusions: "If your endpoint uses any of the following features, you cannot use deployment guardrails on
    your endpoint, and your endpoint will fall back to using a blue/green deployment with all at once traffic
    shifting and no final baking period: Marketplace containers; Endpoints that use Inf1 (Inferentia-based)
    instances" (dev guide, deployment guardrails "Exclusions"). Marketplace containers are not recognised here."""
    return any(str(variant.get("InstanceType") or "").startswith("ml.inf1.") for variant in variants)


def rollout_bakes(config: dict | None, variants: list[dict]) -> list[Bake]:
    """The baking periods of an update with ``config`` (in deployment seconds), in order.

    * no update policy: "If no update policy is specified, SageMaker uses a blue/green deployment strategy with
      all at once traffic shifting by default." (API reference, DeploymentConfig) - one bake of
      ``TerminationWaitInSeconds`` (0), i.e. the alarms are looked at once, as traffic shifts;
    * ALL_AT_ONCE: "SageMaker AI routes 100% of the traffic to the new fleet ... Once the green fleet starts
      receiving traffic, the baking period begins" (dev guide, all at once) - ``TerminationWaitInSeconds``;
    * CANARY: the canary, baked ``WaitIntervalInSeconds`` ("Once the baking period finishes and no ... alarms
      trip, the rest of the traffic shifts"), then the rest, baked ``TerminationWaitInSeconds``;
    * LINEAR: "For each step, there is a baking period" - ``WaitIntervalInSeconds`` after every step, then
      ``TerminationWaitInSeconds``;
    * rolling: each batch baked ``WaitIntervalInSeconds`` ("The length of the baking period, during which
      SageMaker monitors alarms for each batch on the new fleet");
    * an excluded endpoint (Inf1): all at once, "no final baking period".

    ``TerminationWaitInSeconds``: "Additional waiting time in seconds after the completion of an endpoint
    deployment before terminating the old endpoint fleet. Default is 0." (API reference, BlueGreenUpdatePolicy)
    """
    config = config or {}
    if falls_back_to_all_at_once(variants):
        return []
    counts = instance_counts(variants)
    rolling = config.get("RollingUpdatePolicy")
    if rolling is not None:
        wait = float(rolling.get("WaitIntervalInSeconds") or 0)
        return [Bake(wait, percent, f"batch {index}") for index, percent in enumerate(_steps(rolling.get("MaximumBatchSize") or {}, counts), 1)]
    blue_green = config.get("BlueGreenUpdatePolicy") or {}
    routing = blue_green.get("TrafficRoutingConfiguration") or {}
    wait = float(routing.get("WaitIntervalInSeconds") or 0)
    termination = float(blue_green.get("TerminationWaitInSeconds") or 0)
    kind = routing.get("Type") or "ALL_AT_ONCE"
    if kind == "CANARY":
        canary = _steps(routing["CanarySize"], counts)[0]
        return [Bake(wait, canary, "canary"), Bake(termination, 100.0, "final")]
    if kind == "LINEAR":
        steps = _steps(routing["LinearStepSize"], counts)
        return [Bake(wait, percent, f"step {index}") for index, percent in enumerate(steps, 1)] + [Bake(termination, 100.0, "final")]
    return [Bake(termination, 100.0, "final")]


def uses_guardrails(config: dict | None) -> bool:
    """Whether ``config`` asks for a blue/green or rolling deployment policy."""
    return bool(config) and (config.get("BlueGreenUpdatePolicy") is not None or config.get("RollingUpdatePolicy") is not None)
