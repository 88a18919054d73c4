"""Rollback alarms SageMaker must be able to read: ``cloudwatch:DescribeAlarms`` for the execution role.

SageMaker Developer Guide, "Auto-Rollback Configuration and Monitoring"
(https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-configuration.html), note:

    "Ensure that your IAM execution role has permission to perform the
    cloudwatch:DescribeAlarms action on the auto-rollback alarms you specify."

An endpoint has no role of its own: the execution role is the one its models run
with (``CreateModel`` ``ExecutionRoleArn``); as in :mod:`deployment_access`, the
emulator takes the role of the configuration's first model. Every alarm of
``DeploymentConfig.AutoRollbackConfiguration.Alarms`` must be allowed as the
resource ``arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>`` (Service
Authorization Reference, Amazon CloudWatch: DescribeAlarms acts on the ``alarm``
resource type), by the role's policies as IAM shows them at the moment of the call
(:mod:`execution_role`, within ``iam_propagation_seconds`` of a change without it).

When, and in which words, SageMaker refuses is not documented and AWS's message was
not found: the emulator refuses the ``CreateEndpoint`` or ``UpdateEndpoint`` request
(``ValidationException``) with the wording SageMaker uses for a role that lacks a
permission it needs ("The provided role ... is invalid. Please ensure ... and has
"sns:Publish" permissions for topic ...", see :mod:`deployment_access`), naming the
action and the alarm.
"""

from __future__ import annotations

from typing import Any

from .aws_errors import validation_error
from .deployment_access import config_role, role_prefix
from .moto_resources import partition_of

ACTION = "cloudwatch:DescribeAlarms"


def alarm_arn(name: str, account: str, region: str) -> str:
    return f"arn:{partition_of(region)}:cloudwatch:{region}:{account}:alarm:{name}"


def describe_alarms_message(role_arn: str, alarm: str) -> str:
    """The emulator's wording (AWS's was not found), after SageMaker's ``sns:Publish`` message."""
    return role_prefix(role_arn) + f'"{ACTION}" permissions for alarm "{alarm}".'


def alarm_names(deployment_config: dict | None) -> list[str]:
    rollback = (deployment_config or {}).get("AutoRollbackConfiguration") or {}
    return [alarm.get("AlarmName") for alarm in rollback.get("Alarms") or [] if alarm.get("AlarmName")]


def check_alarms_readable(ctx: Any, config: Any, deployment_config: dict | None) -> None:
    """Refuse the request when the execution role of ``config`` may not describe a rollback alarm."""
    names = alarm_names(deployment_config)
    if not names:
        return
    role = config_role(ctx.backend, config, ctx.endpoints.clock(), ctx.settings.iam_propagation_seconds())
    if role is None:
        return  # no model: the deployment fails for that (endpoint_operations)
    for name in names:
        arn = alarm_arn(name, ctx.account_id, ctx.region)
        if not role.allows(ACTION, arn):
            raise validation_error(describe_alarms_message(role.arn, arn))
