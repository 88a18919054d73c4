"""MonitorDashboard through the real engine against the emulator: a
real-time, an asynchronous and a serverless endpoint, each with its
dashboard (the metrics of its kind, per variant), its alarms (thresholds
the user set, missing data not breaching, one alarm per purpose: the
endpoint makes no 5xx alarm of its own), the composite "unhealthy" alarm
and the alarm topic; a canary rollout rolled back by one of the dashboard's
alarms; a dashboard deleted behind Pulumi's back found gone and made again;
destroy leaves nothing. With a retraining Workflow and the model's parameters
in AppConfig: the dashboards show the workflow's executions and the
parameters' rollouts, and the dashboard's composite alarm, AppConfig's
monitor, rolls a parameter rollout back when an endpoint alarm fires during
it, but not when an idle endpoint's alarm has no data."""

from __future__ import annotations

import json
import threading
import time
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


def deployments(appconfig, application: str, environment: str) -> list[dict]:
    """The environment's deployments, oldest first."""
    items = appconfig.list_deployments(ApplicationId=application, EnvironmentId=environment)["Items"]
    return sorted(items, key=lambda d: d["DeploymentNumber"])


def test_workflow_and_appconfig_panels_and_a_parameter_rollout_the_dashboard_rolls_back(
    stack: Stack, fresh_emulator, aws
):
    cloudwatch, appconfig, sfn = aws("cloudwatch"), aws("appconfig"), aws("stepfunctions")
    config = {"withWorkflow": "true", "withAppConfig": "true"}
    outputs = stack.run("up", config=config).outputs
    machine = outputs["stateMachineArn"]
    application, environment = outputs["appConfigApplicationId"], outputs["appConfigEnvironmentId"]
    assert sfn.describe_state_machine(stateMachineArn=machine)["stateMachineArn"] == machine

    # The real-time dashboard shows the workflow's executions: how many,
    # how they ended, how long they took.
    realtime = json.loads(cloudwatch.get_dashboard(DashboardName=outputs["realtimeDashboardName"])["DashboardBody"])
    dims = ("StateMachineArn", machine)
    for metric in ("ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed", "ExecutionsTimedOut", "ExecutionTime"):
        assert ("AWS/States", metric, dims) in drawn(realtime), metric
    titles = [w["properties"].get("title", "") for w in realtime["widgets"]]
    assert "Retraining workflow: execution time (milliseconds, average and maximum)" in titles

    # The asynchronous dashboard shows the parameters' rollouts: a link to
    # the environment's deployments and the alarm that rolls them back.
    body = json.loads(cloudwatch.get_dashboard(DashboardName=outputs["asyncDashboardName"])["DashboardBody"])
    markdown = " ".join(w["properties"]["markdown"] for w in body["widgets"] if w["type"] == "text")
    assert f"/systems-manager/appconfig/applications/{application}/environments/{environment}?region=us-east-1" in markdown
    unhealthy = outputs["realtimeAlarmArns"]["unhealthy"]
    assert outputs["appConfigMonitorArns"] == [unhealthy]
    rollback_widgets = [w for w in body["widgets"] if w["type"] == "alarm" and "AppConfig" in w["properties"]["title"]]
    assert [w["properties"]["alarms"] for w in rollback_widgets] == [[unhealthy]]
    # Without a workflow or AppConfig given, a dashboard has neither panel.
    serverless = json.loads(cloudwatch.get_dashboard(DashboardName=outputs["serverlessDashboardName"])["DashboardBody"])
    assert not any(namespace == "AWS/States" for namespace, _, _ in drawn(serverless))
    assert "AppConfig" not in json.dumps(serverless)

    # The environment's one monitor is the dashboard's composite alarm.
    monitors = appconfig.get_environment(ApplicationId=application, EnvironmentId=environment)["Monitors"]
    assert [m["AlarmArn"] for m in monitors] == [unhealthy]
    assert [d["State"] for d in deployments(appconfig, application, environment)] == ["COMPLETE"]

    # An idle endpoint's alarm has no data: the composite alarm stays OK
    # and the rollout completes (AppConfig would roll back on the metric
    # alarm itself in INSUFFICIENT_DATA).
    endpoint = outputs["realtimeEndpointName"]
    latency = f"{endpoint}-{VARIANT}-latency-p99"
    cloudwatch.set_alarm_state(AlarmName=latency, StateValue="INSUFFICIENT_DATA", StateReason="e2e: no requests")
    stack.run("up", config={**config, "threshold": "0.6"})
    assert [d["State"] for d in deployments(appconfig, application, environment)] == ["COMPLETE", "COMPLETE"]

    # The latency alarm fires while the next rollout is under way (a canary
    # strategy, 20 minutes and a 10-minute bake in AppConfig's time): the
    # composite alarm goes into ALARM, AppConfig rolls the rollout back and
    # up fails saying so.
    result: dict = {}
    rollout = threading.Thread(
        target=lambda: result.update(outcome=stack.run("up", config={**config, "threshold": "0.7"}, expect_ok=False))
    )
    rollout.start()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        states = [d["State"] for d in deployments(appconfig, application, environment)]
        if len(states) == 3 and states[-1] in ("DEPLOYING", "BAKING"):
            break
        assert rollout.is_alive(), states
        time.sleep(0.2)
    else:
        raise AssertionError("the third rollout never started")
    cloudwatch.set_alarm_state(AlarmName=latency, StateValue="ALARM", StateReason="e2e: slow model")
    rollout.join(timeout=300)
    failed = result["outcome"]
    assert not failed.ok
    assert "ROLLED_BACK" in failed.error and unhealthy in failed.error, failed.error[-3000:]
    third = appconfig.get_deployment(ApplicationId=application, EnvironmentId=environment, DeploymentNumber=3)
    assert third["State"] == "ROLLED_BACK"
    assert any(e.get("TriggeredBy") == "CLOUDWATCH_ALARM" for e in third["EventLog"]), third["EventLog"]
    cloudwatch.set_alarm_state(AlarmName=latency, StateValue="OK", StateReason="e2e: recovered")

    stack.run("destroy", config=config)
    assert appconfig.list_applications()["Items"] == []
    assert sfn.list_state_machines()["stateMachines"] == []
    assert cloudwatch.list_dashboards()["DashboardEntries"] == []
