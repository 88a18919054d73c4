"""A Deployment of the seed's two documents with `inferenceType: "components"`
and monitoring, through the real engine against the emulator: two models as
inference components InService on one endpoint, a dashboard whose widgets
graph each component by its name and alarms that watch each one, a second up
that changes nothing and makes no changing AWS call, destroy that leaves
nothing; and components documents that break a rule fail preview naming the
property, before any AWS call.

The first up's figures (resources, time, AWS calls all and changing) are
printed: run with `-s` to see them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from conftest import Stack, mutating, resource_calls

PROGRAM = str(Path("..") / "tests" / "e2e" / "programs" / "py-deployment-components")
ENDPOINT = "sagemaker-deployment-endpoint-dev"
COMPONENTS = [f"{ENDPOINT}-PrimaryVariant", f"{ENDPOINT}-SentimentVariant"]
FLAGS = {"missingComponent": "false", "workflow": "false"}


@pytest.fixture
def stack(engine, fresh_emulator):
    stack = Stack(engine, "python", PROGRAM, "e2e-deployment-components")
    stack.remove()
    yield stack
    stack.run("destroy", expect_ok=False)
    stack.remove()


def graphed_components(body: dict) -> dict[str, set[str]]:
    """The metrics each inference component's widgets draw, by component name."""
    drawn: dict[str, set[str]] = {}
    for widget in body["widgets"]:
        for metric in widget["properties"].get("metrics", []):
            names = [part for part in metric if isinstance(part, str)]
            dimensions = dict(zip(names[2::2], names[3::2]))
            if "InferenceComponentName" in dimensions:
                drawn.setdefault(dimensions["InferenceComponentName"], set()).add(f"{names[0]} {names[1]}")
    return drawn


def test_bad_components_documents_fail_preview_naming_the_property(stack: Stack, fresh_emulator):
    fresh_emulator.clear_requests()
    missing = stack.run("preview", config={**FLAGS, "missingComponent": "true"}, expect_ok=False)
    assert not missing.ok
    assert "modelConfig.modelList[1].InferenceComponent" in missing.error
    assert "is required for an inference-component endpoint" in missing.error

    workflow = stack.run("preview", config={**FLAGS, "workflow": "true"}, expect_ok=False)
    assert not workflow.ok
    assert "deploymentConfig.environments.dev.inferenceType" in workflow.error
    assert "workflow.autoDeploy" in workflow.error
    # Refused before any AWS call (BaseInfra's account lookup aside).
    assert resource_calls(fresh_emulator.requests()) == []


def test_two_components_on_one_monitored_endpoint_then_no_op_then_nothing(stack: Stack, fresh_emulator, aws):
    fresh_emulator.clear_requests()
    up = stack.run("up", config=FLAGS)
    calls = [r["operation"] for r in fresh_emulator.requests()]
    out = up.outputs
    assert out["inferenceType"] == "components"
    assert out["builtParts"] == [
        "BaseInfra", "AppConfig", "SageMakerModel", "SageMakerInferenceComponentEndpoint", "MonitorDashboard",
    ]
    assert out["endpointName"] == ENDPOINT
    assert out["inferenceComponentNames"] == COMPONENTS

    # Two components InService on the one endpoint, each serving its model.
    sagemaker = aws("sagemaker")
    endpoint = sagemaker.describe_endpoint(EndpointName=ENDPOINT)
    assert endpoint["EndpointStatus"] == "InService"
    assert endpoint["EndpointConfigName"] == out["endpointConfigName"]
    config = sagemaker.describe_endpoint_config(EndpointConfigName=out["endpointConfigName"])
    (variant,) = config["ProductionVariants"]
    assert "ModelName" not in variant
    assert variant["InstanceType"] == "ml.m5.large"
    assert variant["ManagedInstanceScaling"]["MaxInstanceCount"] == 2
    assert config["ExecutionRoleArn"] == out["executionRoleArn"]
    listed = sagemaker.list_inference_components(EndpointNameEquals=ENDPOINT)["InferenceComponents"]
    assert sorted(c["InferenceComponentName"] for c in listed) == COMPONENTS
    for name, model in zip(COMPONENTS, out["modelNames"]):
        described = sagemaker.describe_inference_component(InferenceComponentName=name)
        assert described["InferenceComponentStatus"] == "InService"
        assert described["EndpointName"] == ENDPOINT
        assert described["Specification"]["ModelName"] == model
        assert described["Specification"]["ComputeResourceRequirements"]["MinMemoryRequiredInMb"] == 1024

    # The dashboard graphs each component by its name, in both namespaces.
    cloudwatch = aws("cloudwatch")
    body = json.loads(cloudwatch.get_dashboard(DashboardName=out["dashboardName"])["DashboardBody"])
    drawn = graphed_components(body)
    assert sorted(drawn) == COMPONENTS
    for name in COMPONENTS:
        for metric in (
            "AWS/SageMaker Invocations",
            "AWS/SageMaker ModelLatency",
            "AWS/SageMaker Invocation5XXErrors",
            "AWS/SageMaker ConcurrentRequestsPerCopy",
            "/aws/sagemaker/InferenceComponents CPUUtilizationNormalized",
            "/aws/sagemaker/InferenceComponents MemoryUtilizationNormalized",
        ):
            assert metric in drawn[name], (name, metric)
    titles = [w["properties"].get("title", "") for w in body["widgets"]]
    for name in COMPONENTS:
        assert any(title.startswith(f"{name}: ") for title in titles), titles

    # Alarms per component, by its name; the wake-up alarm of the first is the component's own.
    for name, variant_name in zip(COMPONENTS, ("PrimaryVariant", "SentimentVariant")):
        (alarm,) = cloudwatch.describe_alarms(AlarmNames=[f"{name}-server-errors"])["MetricAlarms"]
        assert alarm["Dimensions"] == [{"Name": "InferenceComponentName", "Value": name}]
        assert out["alarmArns"][f"serverErrors/{variant_name}"] == alarm["AlarmArn"]
        (memory,) = cloudwatch.describe_alarms(AlarmNames=[f"{name}-memory-saturation"])["MetricAlarms"]
        assert memory["Namespace"] == "/aws/sagemaker/InferenceComponents"
    assert "unhealthy" in out["alarmArns"]

    # A second up changes nothing and makes no changing AWS call.
    fresh_emulator.clear_requests()
    again = stack.run("up", "--expect-no-changes", config=FLAGS)
    again_calls = [r["operation"] for r in fresh_emulator.requests()]
    assert again.changes["same"] == up.changes["create"], again.result
    assert mutating(again_calls) == [], again_calls
    print(
        f"\ncomponents: {up.changes.get('create')} resources, pulumi up {up.seconds:.1f}s, "
        f"{len(calls)} AWS calls ({len(mutating(calls))} changing); second up {again.seconds:.1f}s, "
        f"{len(again_calls)} calls ({len(mutating(again_calls))} changing)"
    )

    # Destroy leaves nothing.
    stack.run("destroy")
    assert sagemaker.list_inference_components()["InferenceComponents"] == []
    with pytest.raises(ClientError):
        sagemaker.describe_endpoint(EndpointName=ENDPOINT)
    assert sagemaker.list_endpoint_configs()["EndpointConfigs"] == []
    assert sagemaker.list_models()["Models"] == []
    assert cloudwatch.list_dashboards()["DashboardEntries"] == []
    assert cloudwatch.describe_alarms()["MetricAlarms"] == []
    assert cloudwatch.describe_alarms(AlarmTypes=["CompositeAlarm"])["CompositeAlarms"] == []
    assert aws("application-autoscaling").describe_scalable_targets(ServiceNamespace="sagemaker")[
        "ScalableTargets"
    ] == []
