"""MonitorDashboard through the real engine against the emulator: a
real-time, an asynchronous and a serverless endpoint, each with its
dashboard (the metrics of its kind, per variant), its alarms (thresholds
the user set, missing data not breaching, one alarm per purpose: the
endpoint makes no 5xx alarm of its own), the composite "unhealthy" alarm
and the alarm topic; a canary rollout rolled back by one of the dashboard's
alarms; a dashboard deleted behind Pulumi's back found gone and made again;
destroy leaves nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Stack

PROGRAM = str(Path("..") / "tests" / "e2e" / "programs" / "py-monitor-dashboard")
KINDS = ("realtime", "async", "serverless")
VARIANT = "PrimaryVariant"
THRESHOLDS = {"serverErrorsPerMinute": 3, "modelLatencyP99Milliseconds": 500, "memoryUtilizationPercent": 85}
EMAIL = "ml-oncall@example.com"


@pytest.fixture
def stack(engine, fresh_emulator):
    stack = Stack(engine, "python", PROGRAM, "e2e-monitor")
    stack.remove()
    yield stack
    stack.remove()


def drawn(body: dict) -> set[tuple[str, str, tuple[str, ...]]]:
    """(namespace, metric, dimensions) of every line the dashboard draws."""
    lines = set()
    for widget in body["widgets"]:
        for metric in widget["properties"].get("metrics", []):
            names = [part for part in metric if isinstance(part, str)]
            lines.add((names[0], names[1], tuple(names[2:])))
    return lines


def variant(endpoint: str) -> tuple[str, ...]:
    return ("EndpointName", endpoint, "VariantName", VARIANT)


def expected_lines(kind: str, endpoint: str) -> set[tuple[str, str, tuple[str, ...]]]:
    """What SageMaker publishes for a `kind` endpoint that the dashboard must show."""
    per_variant = {
        "realtime": [
            ("AWS/SageMaker", "Invocations"),
            ("AWS/SageMaker", "InvocationsPerInstance"),
            ("AWS/SageMaker", "ModelLatency"),
            ("AWS/SageMaker", "OverheadLatency"),
            ("AWS/SageMaker", "Invocation4XXErrors"),
            ("AWS/SageMaker", "Invocation5XXErrors"),
            ("/aws/sagemaker/Endpoints", "CPUUtilization"),
            ("/aws/sagemaker/Endpoints", "MemoryUtilization"),
            ("/aws/sagemaker/Endpoints", "DiskUtilization"),
        ],
        "async": [
            ("AWS/SageMaker", "ModelLatency"),
            ("AWS/SageMaker", "Invocation4XXErrors"),
            ("AWS/SageMaker", "Invocation5XXErrors"),
            ("AWS/SageMaker", "InvocationFailures"),
            ("/aws/sagemaker/Endpoints", "CPUUtilization"),
            ("/aws/sagemaker/Endpoints", "MemoryUtilization"),
            ("/aws/sagemaker/Endpoints", "DiskUtilization"),
        ],
        "serverless": [
            ("AWS/SageMaker", "Invocations"),
            ("AWS/SageMaker", "ModelLatency"),
            ("AWS/SageMaker", "ModelSetupTime"),
            ("AWS/SageMaker", "Invocation4XXErrors"),
            ("AWS/SageMaker", "Invocation5XXErrors"),
            ("/aws/sagemaker/Endpoints", "MemoryUtilization"),
        ],
    }[kind]
    lines = {(namespace, metric, variant(endpoint)) for namespace, metric in per_variant}
    if kind == "async":
        for metric in (
            "ApproximateBacklogSize",
            "ApproximateBacklogSizePerInstance",
            "HasBacklogWithoutCapacity",
            "ApproximateAgeOfOldestRequest",
        ):
            lines.add(("AWS/SageMaker", metric, ("EndpointName", endpoint)))
        for topic in (f"{endpoint}-success", f"{endpoint}-error"):
            lines.add(("AWS/SNS", "NumberOfMessagesPublished", ("TopicName", topic)))
    return lines


def test_monitor_dashboards_alarms_and_guarded_rollout(stack: Stack, fresh_emulator, aws):
    cloudwatch, sagemaker, sns, iam = aws("cloudwatch"), aws("sagemaker"), aws("sns"), aws("iam")
    config = {"alarms": json.dumps(THRESHOLDS), "alarmEmails": json.dumps([EMAIL])}
    up = stack.run("up", config=config)
    outputs = up.outputs

    # One dashboard per endpoint, with the metrics of its kind and none
    # SageMaker does not publish for it.
    for kind in KINDS:
        endpoint = outputs[f"{kind}EndpointName"]
        name = outputs[f"{kind}DashboardName"]
        assert name == f"{endpoint}-dashboard"
        assert outputs[f"{kind}DashboardUrl"] == (
            f"https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name={name}"
        )
        body = json.loads(cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"])
        lines = drawn(body)
        missing = expected_lines(kind, endpoint) - lines
        assert not missing, f"{kind}: {missing}"
        metrics = {metric for _, metric, _ in lines}
        if kind == "async":
            assert not metrics & {"OverheadLatency", "Invocations", "InvocationsPerInstance"}
        if kind == "serverless":
            assert not metrics & {"CPUUtilization", "DiskUtilization", "ApproximateBacklogSize"}
        assert all(w["properties"]["region"] == "us-east-1" for w in body["widgets"] if w["type"] == "metric")
        titles = [w["properties"].get("title", "") for w in body["widgets"]]
        assert f"{VARIANT}: Model latency p50/p90/p99 (microseconds)" in titles
    assert {d["DashboardName"] for d in cloudwatch.list_dashboards()["DashboardEntries"]} == {
        outputs[f"{kind}DashboardName"] for kind in KINDS
    }

    # The alarms: per purpose, the user's thresholds on the real-time
    # endpoint, the defaults elsewhere, never alarming on missing data.
    described = cloudwatch.describe_alarms(AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    metric_alarms = {a["AlarmName"]: a for a in described["MetricAlarms"]}
    composite = {a["AlarmName"]: a for a in described["CompositeAlarms"]}
    realtime = outputs["realtimeEndpointName"]
    errors = metric_alarms[f"{realtime}-{VARIANT}-server-errors"]
    assert (errors["Namespace"], errors["MetricName"], errors["Statistic"]) == ("AWS/SageMaker", "Invocation5XXErrors", "Sum")
    assert errors["Threshold"] == 3 and errors["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert sorted((d["Name"], d["Value"]) for d in errors["Dimensions"]) == [("EndpointName", realtime), ("VariantName", VARIANT)]
    latency = metric_alarms[f"{realtime}-{VARIANT}-latency-p99"]
    assert (latency["MetricName"], latency["ExtendedStatistic"], latency["Threshold"]) == ("ModelLatency", "p99", 500_000)
    memory = metric_alarms[f"{realtime}-{VARIANT}-memory-saturation"]
    assert (memory["Namespace"], memory["MetricName"], memory["Threshold"]) == ("/aws/sagemaker/Endpoints", "MemoryUtilization", 85)
    backlog = metric_alarms["monitored-async-backlog-age"]
    assert (backlog["MetricName"], backlog["Statistic"], backlog["Threshold"]) == ("ApproximateAgeOfOldestRequest", "Maximum", 900)
    serverless_errors = metric_alarms[f"monitored-serverless-{VARIANT}-server-errors"]
    assert serverless_errors["Threshold"] == 1
    assert all(a["TreatMissingData"] == "notBreaching" for a in metric_alarms.values())
    # One alarm per purpose: the endpoint made no 5xx alarm of its own.
    expected = {
        f"monitored-{kind}-{VARIANT}-{purpose}"
        for kind in KINDS
        for purpose in ("server-errors", "latency-p99", "memory-saturation")
    } | {"monitored-async-backlog-age"}
    assert set(metric_alarms) == expected, sorted(metric_alarms)
    assert outputs["realtimeRollbackAlarmNames"] == [f"{realtime}-{VARIANT}-server-errors", f"{realtime}-{VARIANT}-latency-p99"]
    # The composite alarm over all of an endpoint's alarms notifies its topic.
    unhealthy = composite[f"{realtime}-unhealthy"]
    assert unhealthy["AlarmActions"] == [outputs["realtimeAlarmTopicArn"]]
    for name in (f"{realtime}-{VARIANT}-server-errors", f"{realtime}-{VARIANT}-memory-saturation"):
        assert f'ALARM("{name}")' in unhealthy["AlarmRule"]
    assert set(composite) == {f"monitored-{kind}-unhealthy" for kind in KINDS}
    assert outputs["realtimeAlarmArns"]["unhealthy"] == unhealthy["AlarmArn"]
    assert outputs["realtimeAlarmArns"][f"latencyP99/{VARIANT}"] == latency["AlarmArn"]
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=outputs["realtimeAlarmTopicArn"])["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subscriptions] == [("email", EMAIL)]
    # Nobody confirmed it: it is pending, as in AWS (and destroy copes with that).
    pending = sns.get_subscription_attributes(SubscriptionArn=subscriptions[0]["SubscriptionArn"])["Attributes"]
    assert pending["PendingConfirmation"] == "true"
    # The execution role may read exactly the alarms the rollout watches.
    role = outputs["executionRoleArn"].rsplit("/", 1)[1]
    grant = iam.get_role_policy(RoleName=role, PolicyName=f"{realtime}-rollback-alarms")["PolicyDocument"]
    assert sorted(grant["Statement"][0]["Resource"]) == sorted(
        metric_alarms[name]["AlarmArn"] for name in outputs["realtimeRollbackAlarmNames"]
    )

    # What the emulator holds is what was recorded.
    refresh = stack.run("refresh", "--expect-no-changes", config=config)
    assert refresh.changes.get("update", 0) == 0

    # A dashboard deleted behind Pulumi's back: refresh finds it gone, up
    # makes it again.
    serverless_dashboard = outputs["serverlessDashboardName"]
    cloudwatch.delete_dashboards(DashboardNames=[serverless_dashboard])
    stack.run("refresh", config=config)
    again = stack.run("up", config=config)
    assert again.changes.get("create", 0) == 1, again.changes
    assert cloudwatch.get_dashboard(DashboardName=serverless_dashboard)["DashboardName"] == serverless_dashboard

    # The dashboard's latency alarm fires while the canary bakes: SageMaker
    # rolls the new version back, up says so, the endpoint keeps its config.
    first_config = outputs["realtimeEndpointConfigName"]
    cloudwatch.set_alarm_state(AlarmName=latency["AlarmName"], StateValue="ALARM", StateReason="e2e: slow model")
    alarmed = stack.run("up", config={**config, "modelVersion": "v2"}, expect_ok=False)
    assert not alarmed.ok and "did not switch endpoint" in alarmed.error
    assert f"it is InService and runs {first_config}" in alarmed.error
    assert latency["AlarmName"] in alarmed.error
    assert sagemaker.describe_endpoint(EndpointName=realtime)["EndpointConfigName"] == first_config
    cloudwatch.set_alarm_state(AlarmName=latency["AlarmName"], StateValue="OK", StateReason="e2e: recovered")

    # Destroy leaves nothing: no dashboard, alarm, topic or subscription (SNS
    # refuses to unsubscribe the pending one; deleting its topic removes it).
    destroyed = stack.run("destroy", config=config)
    assert f"the subscription of {EMAIL} was never confirmed" in destroyed.log
    assert cloudwatch.list_dashboards()["DashboardEntries"] == []
    left = cloudwatch.describe_alarms(AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    assert left["MetricAlarms"] == [] and left["CompositeAlarms"] == []
    assert sns.list_topics()["Topics"] == []
    assert sns.list_subscriptions()["Subscriptions"] == []
    assert sagemaker.list_endpoints()["Endpoints"] == []
