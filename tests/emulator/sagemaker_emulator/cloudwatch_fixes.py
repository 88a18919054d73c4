"""CloudWatch: dashboard bodies checked as CloudWatch checks them, and composite alarms.

moto 5.2.5 only checks that a dashboard body is JSON, and has no ``PutCompositeAlarm``
(its alarms can carry a rule, but nothing sets or evaluates it). The emulator changes
moto's CloudWatch itself (its response handler and backend class), so the fixes apply
whatever protocol the call came in (JSON, query, or smithy-rpc-v2-cbor through
:mod:`rpc_v2_bridge`):

* ``PutDashboard``: :mod:`dashboard_rules` (``InvalidParameterInput`` with
  ``DashboardValidationMessages``); ``GetDashboard`` answers the body as stored (moto's);
* ``PutCompositeAlarm``: the rule is checked (:mod:`alarm_rules`; a bad rule is
  ``ValidationError``, message the emulator's), the alarm is stored as moto stores alarms
  (``DescribeAlarms`` lists it under ``CompositeAlarms``), starts ``INSUFFICIENT_DATA``
  and is evaluated at once; whenever an alarm of the account and region changes state
  (``SetAlarmState``, ``PutMetricAlarm``, ``PutCompositeAlarm``) every composite alarm
  there is evaluated again, ``ALARM`` when its rule holds, else ``OK``;
* ``SetAlarmState`` tells :data:`alarm_listener` (alarm actions, :mod:`component_alarm_actions`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import alarm_rules, dashboard_rules

_INSTALLED = False
# Called as (account, region, alarm, state before) after SetAlarmState changed an alarm: how alarm actions are run
# (:mod:`component_alarm_actions`); one listener, set by the SageMaker hooks.
AlarmListener = Callable[[str, str, Any, "str | None"], None]
alarm_listener: AlarmListener | None = None


def install() -> None:
    """Patch moto's CloudWatch once per process."""
    global _INSTALLED
    if _INSTALLED:
        return
    from moto.cloudwatch.models import CloudWatchBackend
    from moto.cloudwatch.responses import CloudWatchResponse

    original_put_dashboard = CloudWatchResponse.put_dashboard
    original_set_state = CloudWatchBackend.set_alarm_state
    original_put_alarm = CloudWatchBackend.put_metric_alarm

    def put_dashboard(self: Any) -> Any:
        problems = dashboard_rules.validate(self._get_param("DashboardBody"))
        if problems:
            raise _dashboard_error(problems)
        return original_put_dashboard(self)

    def set_alarm_state(self: Any, *args: Any, **kwargs: Any) -> Any:
        name = kwargs.get("alarm_name", args[0] if args else None)
        before = getattr(self.alarms.get(name), "state_value", None)
        result = original_set_state(self, *args, **kwargs)
        evaluate_composites(self)
        alarm = self.alarms.get(name)
        if alarm_listener is not None and alarm is not None:
            alarm_listener(self.account_id, self.region_name, alarm, before)
        return result

    def put_metric_alarm(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original_put_alarm(self, *args, **kwargs)
        if not kwargs.get("rule"):
            evaluate_composites(self)
        return result

    CloudWatchResponse.put_dashboard = put_dashboard
    CloudWatchResponse.put_composite_alarm = _put_composite_alarm
    CloudWatchBackend.set_alarm_state = set_alarm_state
    CloudWatchBackend.put_metric_alarm = put_metric_alarm
    _INSTALLED = True


def _dashboard_error(problems: list) -> Exception:
    from moto.cloudwatch.exceptions import DashboardInvalidInputError

    error = DashboardInvalidInputError(dashboard_rules.error_message(problems))
    messages = [{"DataPath": path, "Message": message} for path, message in problems]
    error.dashboardValidationMessages = messages  # the error shape's member, serialized by moto
    error.dashboard_validation_messages = messages
    return error


def _put_composite_alarm(self: Any) -> Any:
    from moto.cloudwatch.exceptions import ValidationError
    from moto.core.responses import EmptyResult

    name = self._get_param("AlarmName")
    rule = self._get_param("AlarmRule")
    try:
        alarm_rules.check(rule)
    except alarm_rules.RuleError as error:
        raise ValidationError(str(error)) from None
    backend = self.cloudwatch_backend
    backend.put_metric_alarm(
        name=name,
        namespace=None,
        metric_name=None,
        metric_data_queries=None,
        comparison_operator=None,
        evaluation_periods=None,
        datapoints_to_alarm=None,
        period=None,
        threshold=None,
        statistic=None,
        extended_statistic=None,
        description=self._get_param("AlarmDescription"),
        dimensions=[],
        alarm_actions=self._get_param("AlarmActions", []),
        ok_actions=self._get_param("OKActions", []),
        insufficient_data_actions=self._get_param("InsufficientDataActions", []),
        unit=None,
        actions_enabled=self._get_bool_param("ActionsEnabled"),
        treat_missing_data=None,
        evaluate_low_sample_count_percentile=None,
        threshold_metric_id=None,
        rule=rule,
        tags=self._get_param("Tags", []),
    )
    alarm = backend.alarms[name]
    alarm.update_state("Unchecked: Initial alarm creation", "{}", "INSUFFICIENT_DATA")
    evaluate_composites(backend)
    return EmptyResult()


def evaluate_composites(backend: Any) -> None:
    """Set every composite alarm of ``backend`` to ``ALARM`` or ``OK`` from its rule (until nothing changes)."""
    alarms = backend.alarms
    by_arn = {alarm.alarm_arn: alarm for alarm in alarms.values()}

    def state_of(reference: str) -> str | None:
        alarm = alarms.get(reference) or by_arn.get(reference)
        return None if alarm is None else alarm.state_value

    for _ in range(len(alarms) + 1):  # composites may watch composites
        changed = False
        for alarm in list(alarms.values()):
            if not alarm.rule:
                continue
            try:
                holds = alarm_rules.evaluate(alarm.rule, state_of)
            except alarm_rules.RuleError:
                continue
            state = "ALARM" if holds else "OK"
            if alarm.state_value != state:
                alarm.update_state(f"Composite alarm rule evaluated {'TRUE' if holds else 'FALSE'}", "{}", state)
                changed = True
        if not changed:
            return
