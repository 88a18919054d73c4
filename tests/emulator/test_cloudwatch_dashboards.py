"""PutDashboard body validation and composite alarms, over CloudWatch's JSON protocol and smithy-rpc-v2-cbor."""

from __future__ import annotations

import json

import pytest

VALID_BODY = {
    "widgets": [
        {
            "type": "metric",
            "x": 0,
            "y": 0,
            "width": 12,
            "height": 6,
            "properties": {
                "metrics": [
                    ["AWS/SageMaker", "Invocations", "EndpointName", "serving", "VariantName", "primary", {"stat": "Sum"}],
                    [".", "ModelLatency", ".", ".", ".", "."],
                ],
                "region": "us-east-1",
                "title": "Invocations",
            },
        },
        {"type": "text", "x": 0, "y": 6, "width": 6, "height": 2, "properties": {"markdown": "# Endpoint"}},
        {"type": "alarm", "properties": {"alarms": ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:five-xx"]}},
    ]
}


def test_valid_dashboard_is_stored_and_returned(cloudwatch):
    answer = cloudwatch.put_dashboard(DashboardName="endpoint", DashboardBody=json.dumps(VALID_BODY))

    assert answer.get("DashboardValidationMessages", []) == []
    assert json.loads(cloudwatch.get_dashboard(DashboardName="endpoint")["DashboardBody"]) == VALID_BODY


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("{not json", [""]),
        (json.dumps({"start": "-PT6H"}), [""]),
        (json.dumps({"widgets": [{"type": "graph", "properties": {}}]}), ["/widgets/0/type"]),
        (json.dumps({"widgets": [{"type": "metric", "width": 25, "properties": {"region": "us-east-1"}}]}), ["/widgets/0/width"]),
        (
            json.dumps({"widgets": [{"type": "metric", "properties": {"region": "us-east-1", "metrics": [["AWS/SageMaker", "Invocations", {"EndpointName": "x"}, "y"]]}}]}),
            ["/widgets/0/properties/metrics/0/2"],
        ),
        (json.dumps({"widgets": [{"type": "metric", "properties": {"metrics": [["AWS/SageMaker", "Invocations"]]}}]}), ["/widgets/0/properties"]),
        (json.dumps({"widgets": [{"type": "metric", "properties": {"region": "us-east-1", "metrics": [["AWS/SageMaker", "Invocations", "EndpointName"]]}}]}), ["/widgets/0/properties/metrics/0"]),
        (json.dumps({"widgets": [{"type": "text", "properties": {}}]}), ["/widgets/0/properties"]),
    ],
)
def test_invalid_dashboard_body_is_refused_with_validation_messages(cloudwatch, error_of, body, expected):
    error = error_of(cloudwatch.put_dashboard, DashboardName="bad", DashboardBody=body)

    assert error["Error"]["Code"] == "InvalidParameterInput"
    assert error["Error"]["Message"].startswith(f"The dashboard body is invalid, there are {len(expected)} validation errors:")
    assert [m["DataPath"] for m in error["dashboardValidationMessages"]] == expected
    assert error_of(cloudwatch.get_dashboard, DashboardName="bad")["Error"]["Code"] == "ResourceNotFound"


def test_invalid_dashboard_is_refused_over_cbor_too(cloudwatch_cbor, error_of):
    error = error_of(cloudwatch_cbor.put_dashboard, DashboardName="bad", DashboardBody=json.dumps({"widgets": [{"type": "nope", "properties": {}}]}))

    assert error["Error"]["Code"] == "InvalidParameterInput"
    assert "/widgets/0/type" in error["Error"]["Message"]


def _metric_alarm(cloudwatch, name: str) -> None:
    cloudwatch.put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/SageMaker",
        MetricName="Invocation5XXErrors",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )


def test_composite_alarm_follows_its_rule(cloudwatch):
    _metric_alarm(cloudwatch, "five-xx")
    _metric_alarm(cloudwatch, "latency")
    latency_arn = cloudwatch.describe_alarms(AlarmNames=["latency"])["MetricAlarms"][0]["AlarmArn"]
    rule = f'ALARM("five-xx") OR (ALARM({latency_arn}) AND NOT OK(five-xx))'
    cloudwatch.put_composite_alarm(AlarmName="endpoint-unhealthy", AlarmRule=rule)

    def state() -> str:
        composite = cloudwatch.describe_alarms(AlarmNames=["endpoint-unhealthy"])["CompositeAlarms"]
        assert composite[0]["AlarmRule"] == rule
        return composite[0]["StateValue"]

    assert state() == "OK"
    cloudwatch.set_alarm_state(AlarmName="latency", StateValue="ALARM", StateReason="test")
    assert state() == "OK"  # the 5xx alarm is OK, so NOT OK(five-xx) is false
    cloudwatch.set_alarm_state(AlarmName="five-xx", StateValue="ALARM", StateReason="test")
    assert state() == "ALARM"
    cloudwatch.set_alarm_state(AlarmName="five-xx", StateValue="OK", StateReason="test")
    assert state() == "OK"


def test_composite_alarm_with_a_bad_rule_is_refused(cloudwatch, error_of):
    error = error_of(cloudwatch.put_composite_alarm, AlarmName="x", AlarmRule='ALARM("a") AND')

    assert error["Error"]["Code"] == "ValidationError"
    assert cloudwatch.describe_alarms(AlarmNames=["x"])["CompositeAlarms"] == []
