"""The wake-up of a component scaled to zero: an alarm in ``ALARM`` runs its step scaling policy.

Scale to zero (Developer Guide, "Scale an endpoint to zero instances",
https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-zero-instances.html) needs a
step scaling policy on the component's ``DesiredCopyCount`` and "a CloudWatch alarm" on
``NoCapacityInvocationFailures`` whose action is that policy: "your endpoint will automatically
provision an instance soon after it receives an inference request that it can't respond to". moto
runs no alarm action. Here, when an alarm enters ``ALARM`` (``SetAlarmState``; the emulator publishes no
metric data, :mod:`inference_components`), with its actions enabled, each action that is the ARN of an
Application Auto Scaling step scaling policy on an inference component's target is carried out as
Application Auto Scaling does (API Reference, StepScalingPolicyConfiguration and StepAdjustment,
https://docs.aws.amazon.com/autoscaling/application/APIReference/API_StepScalingPolicyConfiguration.html):

* the step applied is the one whose interval (bounds relative to the alarm's threshold) holds 0 -
  the breach size is not known without metric data, so the alarm is taken as just breached (the
  emulator's simplification); none holding 0: the first step;
* ``AdjustmentType``: ``ChangeInCapacity`` adds ``ScalingAdjustment`` to the desired copy count,
  ``PercentChangeInCapacity`` adds that percentage (at least ``MinAdjustmentMagnitude``),
  ``ExactCapacity`` sets it; the result is kept within the target's ``MinCapacity``-``MaxCapacity``;
* the new count goes to SageMaker as Application Auto Scaling sends it:
  ``UpdateInferenceComponentRuntimeConfig`` (the service-linked role's permissions,
  AWSApplicationAutoscalingSageMakerEndpointPolicy, include it), through the whole emulator
  (:mod:`internal_calls`: the request log shows it), on a thread once the alarm's call is answered.

Not modelled: cooldowns, ``MetricAggregationType``, target tracking alarms running their policy,
policies on endpoint variants, actions of composite alarms, other kinds of actions (SNS, ...).
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable
from typing import Any

from .component_autoscaling import DIMENSION
from .internal_calls import Dispatch, json_call
from .moto_access import autoscaling_backend

# arn:aws:autoscaling:<region>:<account>:scalingPolicy:<id>:resource/sagemaker/inference-component/<name>:policyName/<p>
POLICY_ARN = re.compile(r"^arn:[^:]+:autoscaling:([^:]+):(\d+):scalingPolicy:[^:]+:resource/sagemaker/inference-component/([^:]+):policyName/.+$")
USER_AGENT = "application-autoscaling.amazonaws.com (sagemaker-emulator)"


def step_for(steps: list[dict]) -> dict | None:
    """The step whose interval holds 0 (lower bound <= 0 < upper bound, missing bounds unbounded), else the first."""
    for step in steps:
        low, high = step.get("MetricIntervalLowerBound"), step.get("MetricIntervalUpperBound")
        if (low is None or low <= 0) and (high is None or 0 < high):
            return step
    return steps[0] if steps else None


def new_capacity(config: dict, current: int, low: int | None, high: int | None) -> int | None:
    """The desired copy count the step policy ``config`` asks for from ``current``, within ``low``-``high``."""
    step = step_for(config.get("StepAdjustments") or [])
    if step is None:
        return None
    adjustment = int(step.get("ScalingAdjustment") or 0)
    kind = config.get("AdjustmentType")
    if kind == "ExactCapacity":
        wanted = adjustment
    elif kind == "PercentChangeInCapacity":
        change = current * adjustment / 100
        change = math.ceil(change) if change > 0 else math.floor(change)
        magnitude = config.get("MinAdjustmentMagnitude")
        if magnitude and abs(change) < magnitude:
            change = magnitude if adjustment > 0 else -magnitude
        wanted = current + change
    else:  # ChangeInCapacity
        wanted = current + adjustment
    if low is not None:
        wanted = max(low, wanted)
    if high is not None:
        wanted = min(high, wanted)
    return wanted


class ComponentAlarmActions:
    """Runs the step scaling policies of inference components named as alarm actions (see the module docstring)."""

    def __init__(self, dispatch: Dispatch | None) -> None:
        self.dispatch = dispatch

    def alarm_changed(self, account: str, region: str, alarm: Any, old_state: str | None) -> None:
        """Called (by :mod:`cloudwatch_fixes`) after an alarm's state was set."""
        if self.dispatch is None or alarm.state_value != "ALARM" or old_state == "ALARM":
            return
        if getattr(alarm, "actions_enabled", True) is False:
            return
        for action in list(getattr(alarm, "alarm_actions", None) or []):
            work = self._policy_work(account, region, str(action))
            if work is not None:
                threading.Thread(target=work, name=f"alarm action {action}", daemon=True).start()

    def _policy_work(self, account: str, region: str, action: str) -> Callable[[], None] | None:
        """What carrying out ``action`` does, read now (under the caller's lock); ``None`` if it is not ours."""
        match = POLICY_ARN.match(action)
        if match is None or (match.group(1), match.group(2)) != (region, account):
            return None
        backend = autoscaling_backend(account, region)
        policy = next((p for p in backend.policies.values() if p.policy_arn == action), None)
        if policy is None or policy.policy_type != "StepScaling" or policy.scalable_dimension != DIMENSION:
            return None
        target = (backend.targets.get(DIMENSION) or {}).get(policy.resource_id)
        if target is None:
            return None
        config = dict(policy.step_scaling_policy_configuration or {})
        low, high = target.min_capacity, target.max_capacity
        component = match.group(3)
        dispatch = self.dispatch
        assert dispatch is not None

        def work() -> None:
            described = json_call(
                dispatch, "sagemaker", "DescribeInferenceComponent", {"InferenceComponentName": component}, account, region,
                user_agent=USER_AGENT,
            )
            if not described.ok:
                return
            current = int((described.payload.get("RuntimeConfig") or {}).get("DesiredCopyCount") or 0)
            wanted = new_capacity(config, current, low, high)
            if wanted is None or wanted == current:
                return
            json_call(
                dispatch, "sagemaker", "UpdateInferenceComponentRuntimeConfig",
                {"InferenceComponentName": component, "DesiredRuntimeConfig": {"CopyCount": wanted}}, account, region,
                user_agent=USER_AGENT,
            )

        return work
