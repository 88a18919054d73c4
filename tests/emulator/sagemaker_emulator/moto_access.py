"""Access to moto's in-process state: the WSGI app, the SageMaker backend, reset.

moto keeps every service's state in module-level ``BackendDict`` objects, indexed
by account id and region; because the emulator runs moto's server app in the same
process, it can read and change that state directly.
"""

from __future__ import annotations

import os
from typing import Any

from .request_info import AwsRequest, header


def create_moto_app() -> Any:
    """moto's server WSGI application (the one ``moto_server`` runs)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return DomainDispatcherApplication(create_backend_app)


def account_id_for(request: AwsRequest, environ: dict) -> str:
    """The account moto will use for this request (same rules as moto's responses)."""
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    explicit = header(environ, "x-moto-account-id")
    if explicit:
        return explicit
    from moto.iam.models import get_account_id_from

    return get_account_id_from(request.access_key or "AKIAEXAMPLE")


def sagemaker_backend(account_id: str, region: str) -> Any:
    """moto's ``SageMakerModelBackend`` for one account and region."""
    from moto.sagemaker.models import sagemaker_backends

    return sagemaker_backends[account_id][region]


def sagemaker_arn(kind: str, name: str, account_id: str, region: str) -> str:
    """ARN of a SageMaker resource, e.g. ``kind="endpoint-config"``."""
    from moto.sagemaker.utils import arn_formatter

    return arn_formatter(kind, name, account_id, region)


def alarms_in_alarm_state(account_id: str, region: str, names: list[str]) -> list[str]:
    """Which of these CloudWatch alarms are in state ``ALARM`` in moto."""
    from moto.cloudwatch.models import cloudwatch_backends

    alarms = cloudwatch_backends[account_id][region].alarms
    return [name for name in names if name in alarms and alarms[name].state_value == "ALARM"]


def cloudwatch_alarm(account_id: str, region: str, name: str) -> Any | None:
    """moto's metric alarm ``name`` (``state_value``, ``actions_enabled``, ``alarm_arn``, ...), if it exists."""
    from moto.cloudwatch.models import cloudwatch_backends

    return cloudwatch_backends[account_id][region].alarms.get(name)


def first_alarm_in_alarm_state(
    account_id: str,
    region: str,
    names: list[str],
    start: float,
    end: float,
    states: tuple[str, ...] = ("ALARM",),
) -> tuple[float, str] | None:
    """The earliest moment in ``[start, end]`` (epoch seconds) when one of these alarms was in one of
    ``states`` (default ``ALARM``), and its name.

    Read from each moto alarm's state history (every ``SetAlarmState``/evaluation
    is kept with the time the state was entered), so an alarm that fired and
    cleared again between two looks is still seen.
    """
    from datetime import timezone

    from moto.cloudwatch.models import cloudwatch_backends

    alarms = cloudwatch_backends[account_id][region].alarms
    earliest: tuple[float, str] | None = None
    for name in names:
        alarm = alarms.get(name)
        if alarm is None:
            continue
        # (state, entered at) in order: the recorded earlier states, then the current one.
        entered_states = [(entry[3], entry[4]) for entry in alarm.history if entry and entry[0] == "StateUpdate"]
        entered_states.append((alarm.state_value, alarm.state_updated_timestamp))
        timeline = [(state, when.replace(tzinfo=timezone.utc).timestamp()) for state, when in entered_states]
        for index, (state, entered) in enumerate(timeline):
            left = timeline[index + 1][1] if index + 1 < len(timeline) else float("inf")
            if state not in states or left < start or entered > end:
                continue
            at = max(entered, start)
            if earliest is None or at < earliest[0]:
                earliest = (at, name)
            break
    return earliest


def reset_moto() -> None:
    """Drop all of moto's state (what ``POST /moto-api/reset`` does)."""
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()


def autoscaling_backend(account_id: str, region: str) -> Any:
    """moto's ``ApplicationAutoscalingBackend`` for one account and region."""
    from moto.applicationautoscaling.models import applicationautoscaling_backends

    return applicationautoscaling_backends[account_id][region]
