"""An environment's monitors (CloudWatch alarms), read as AppConfig reads them during a deployment.

Rules (AppConfig User Guide):

* "if one or more CloudWatch alarms go into the ALARM or INSUFFICIENT_DATA state during a deployment,
  AWS AppConfig automatically rolls back your configuration data to the previous version" and "A
  deployment doesn't automatically roll back if actions have been disabled in an associated CloudWatch
  alarm" ("Monitoring deployments for automatic rollback",
  https://docs.aws.amazon.com/appconfig/latest/userguide/monitoring-deployments.html);
* the bake time is "the amount of time AWS AppConfig monitors for Amazon CloudWatch alarms after the
  configuration has been deployed to 100% of its targets" ("Working with deployment strategies"); the
  alarms are watched while ``DEPLOYING`` and ``BAKING``;
* the monitor's ``AlarmRoleArn`` is the role "for AWS AppConfig to monitor AlarmArn" (API reference,
  Monitor). "AWS AppConfig requires this role so that it can monitor CloudWatch alarms", "The IAM role must
  belong to the current account", its permission policy allows ``cloudwatch:DescribeAlarms`` and its trust
  policy lets ``appconfig.amazonaws.com`` ``sts:AssumeRole`` ("(Optional) Configuring permissions for
  rollback based on CloudWatch alarms", steps 1-3,
  https://docs.aws.amazon.com/appconfig/latest/userguide/getting-started-with-appconfig-cloudwatch-alarms-permissions.html).
  The emulator decides that with the role's policies in moto's IAM (:mod:`iam_policy`, within
  ``iam_propagation_seconds`` of a change without it, :mod:`execution_role`).

What AWS does when the role cannot be used is not documented; the emulator rolls the deployment back
(``TriggeredBy: INTERNAL_ERROR``, the reason in the event's description): AppConfig cannot watch the
alarm it was asked to watch. A monitor without ``AlarmRoleArn`` is read without a role check. The alarm
states come from moto's CloudWatch (its history, so an alarm that fired and cleared between two looks
still counts); an alarm that does not exist is not watched. A composite alarm is read the same way, in
the state :mod:`cloudwatch_fixes` evaluates from its rule (AppConfig takes composite alarms as monitors:
the CDK's AppConfig ``Monitor`` has an ``isCompositeAlarm`` flag for them); a composite whose rule is
``ALARM(a) OR ALARM(b)`` is ``OK`` while ``a`` and ``b`` lack data. Its role is checked for
``cloudwatch:DescribeAlarms`` on the composite alarm only.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import iam_policy
from .execution_role import role_at
from .moto_access import cloudwatch_alarm, first_alarm_in_alarm_state
from .moto_resources import parse_arn

APPCONFIG_PRINCIPAL = "appconfig.amazonaws.com"
ROLLBACK_STATES = ("ALARM", "INSUFFICIENT_DATA")


@dataclass(frozen=True)
class Trigger:
    """Why a deployment rolls back, as its ``ROLLBACK_STARTED`` event shows it."""

    at: float
    triggered_by: str  # CLOUDWATCH_ALARM | INTERNAL_ERROR | USER
    description: str


def role_problem(monitor: dict, account_id: str, at: float, propagation_seconds: float) -> str | None:
    """Why AppConfig cannot read ``monitor``'s alarm with its ``AlarmRoleArn`` at ``at``, or ``None``."""
    role_arn = monitor.get("AlarmRoleArn")
    if not role_arn:
        return None
    alarm_arn = monitor.get("AlarmArn", "")
    parsed = parse_arn(role_arn)
    if parsed is None or parsed.account != account_id:
        return f"Unable to monitor alarm {alarm_arn}: the role {role_arn} does not belong to account {account_id}."
    role = role_at(role_arn, at, propagation_seconds)
    if not role.found:
        return f"Unable to monitor alarm {alarm_arn}: the role {role_arn} does not exist."
    if not iam_policy.trusts_service(role.role.assume_role_policy_document, APPCONFIG_PRINCIPAL):
        return f"Unable to monitor alarm {alarm_arn}: the role {role_arn} does not let {APPCONFIG_PRINCIPAL} assume it."
    if not iam_policy.is_allowed(role.documents, "cloudwatch:DescribeAlarms", alarm_arn):
        return f"Unable to monitor alarm {alarm_arn}: the role {role_arn} is not allowed cloudwatch:DescribeAlarms."
    return None


def first_trigger(monitors: list[dict], account_id: str, start: float, end: float, propagation_seconds: float) -> Trigger | None:
    """The first reason in ``[start, end]`` to roll back: a monitor AppConfig cannot read (at ``start``), or an
    alarm in ``ALARM`` / ``INSUFFICIENT_DATA`` with its actions enabled."""
    earliest: Trigger | None = None
    for monitor in monitors:
        problem = role_problem(monitor, account_id, start, propagation_seconds)
        if problem:
            return Trigger(start, "INTERNAL_ERROR", problem)
        alarm_arn = monitor.get("AlarmArn", "")
        parsed = parse_arn(alarm_arn)
        if parsed is None or parsed.service != "cloudwatch" or not parsed.resource.startswith("alarm:"):
            continue
        name = parsed.resource[len("alarm:"):]
        alarm = cloudwatch_alarm(parsed.account, parsed.region, name)
        if alarm is None or not alarm.actions_enabled:
            continue
        fired = first_alarm_in_alarm_state(parsed.account, parsed.region, [name], start, end, ROLLBACK_STATES)
        if fired is not None and (earliest is None or fired[0] < earliest.at):
            earliest = Trigger(fired[0], "CLOUDWATCH_ALARM", f"Rollback initiated by CloudWatch alarm {alarm_arn}")
    return earliest
