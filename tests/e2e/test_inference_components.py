"""Inference components through the real engine against the emulator: two
models on one endpoint that may scale to zero; a new version of one model
rolled out to its component while the other gets no call that changes it;
the scale-to-zero settings as Application Auto Scaling and CloudWatch hold
them; an oversized compute requirement refused at preview; destroy in
dependency order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Stack, mutating

PROGRAM = str(Path("..") / "tests" / "e2e" / "programs" / "py-inference-components")
CONCURRENCY = "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution"
DIMENSION = "sagemaker:inference-component:DesiredCopyCount"


@pytest.fixture
def stack(engine, fresh_emulator):
    stack = Stack(engine, "python", PROGRAM, "e2e-components")
    stack.remove()
    yield stack
    stack.remove()


def component_of(entry: dict) -> str | None:
    """The inference component a logged SageMaker request names."""
    try:
        body = json.loads(entry.get("body") or "{}")
    except ValueError:
        return None
    return body.get("InferenceComponentName")


def changes_by_component(emulator) -> dict[str, list[str]]:
    """The SageMaker calls that change something, by the component they name."""
    calls: dict[str, list[str]] = {}
    for entry in emulator.requests("sagemaker"):
        name = component_of(entry)
        if name and mutating([entry["operation"]]):
            calls.setdefault(name, []).append(entry["operation"])
    return calls


def test_two_models_roll_out_one_at_a_time_and_scale_to_zero(stack: Stack, fresh_emulator, aws):
    sagemaker = aws("sagemaker")

    # An oversized compute requirement fails preview, naming the property,
    # before any AWS call.
    fresh_emulator.clear_requests()
    preview = stack.run("preview", config={"acceleratorsPerCopy": "8"}, expect_ok=False)
    assert not preview.ok
    assert "modelList[1].InferenceComponent.ComputeRequirements.NumberOfAcceleratorDevicesRequired" in preview.error
    assert "do not fit one ml.g5.12xlarge instance (4 accelerators)" in preview.error
    assert not mutating([r["operation"] for r in fresh_emulator.requests()])

    # Create: configuration, endpoint, two components, their scaling.
    fresh_emulator.clear_requests()
    up = stack.run("up", config={"acceleratorsPerCopy": "1"})
    chat, summarize = up.outputs["componentNames"]
    assert (chat, summarize) == ("components-e2e-chat", "components-e2e-summarize")
    created = [r["operation"] for r in fresh_emulator.requests()]
    print(f"\nAWS calls for the first up: {len(created)} in all, {len(mutating(created))} changing something")
    print(f"SageMaker: {[o for o in fresh_emulator.operations('sagemaker')]}")
    assert "creating inference component: Creating" in up.log
    config = sagemaker.describe_endpoint_config(EndpointConfigName=up.outputs["endpointConfigName"])
    variant = config["ProductionVariants"][0]
    assert "ModelName" not in variant
    assert variant["ManagedInstanceScaling"]["MinInstanceCount"] == 0
    assert config["ExecutionRoleArn"].endswith(":role/" + config["ExecutionRoleArn"].split("/")[-1])
    for name, model in ((chat, "chat-v1"), (summarize, "summarize-v1")):
        described = sagemaker.describe_inference_component(InferenceComponentName=name)
        assert described["InferenceComponentStatus"] == "InService"
        assert described["EndpointName"] == "components-e2e"
        assert described["Specification"]["ModelName"].startswith(model)
        requirements = described["Specification"]["ComputeResourceRequirements"]
        assert requirements["NumberOfAcceleratorDevicesRequired"] == 1
        assert requirements["MinMemoryRequiredInMb"] == 16384
        assert described["RuntimeConfig"]["CurrentCopyCount"] == 2

    # Scale to zero, as Application Auto Scaling and CloudWatch hold it.
    autoscaling = aws("application-autoscaling")
    cloudwatch = aws("cloudwatch")
    for name in (chat, summarize):
        resource_id = f"inference-component/{name}"
        (target,) = autoscaling.describe_scalable_targets(
            ServiceNamespace="sagemaker", ResourceIds=[resource_id], ScalableDimension=DIMENSION
        )["ScalableTargets"]
        assert (target["MinCapacity"], target["MaxCapacity"]) == (0, 2)
        policies = {
            p["PolicyName"]: p
            for p in autoscaling.describe_scaling_policies(ServiceNamespace="sagemaker", ResourceId=resource_id)[
                "ScalingPolicies"
            ]
        }
        tracking = policies[f"{name}-concurrency"]["TargetTrackingScalingPolicyConfiguration"]
        assert tracking["PredefinedMetricSpecification"]["PredefinedMetricType"] == CONCURRENCY
        assert tracking["TargetValue"] == 4
        wake_up = policies[f"{name}-wake-up"]
        steps = wake_up["StepScalingPolicyConfiguration"]
        assert steps["AdjustmentType"] == "ChangeInCapacity"
        assert steps["StepAdjustments"][0]["ScalingAdjustment"] == 1
        (alarm,) = cloudwatch.describe_alarms(AlarmNames=[f"{name}-no-capacity"])["MetricAlarms"]
        assert alarm["MetricName"] == "NoCapacityInvocationFailures"
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert alarm["Dimensions"] == [{"Name": "InferenceComponentName", "Value": name}]
        assert alarm["AlarmActions"] == [wake_up["PolicyARN"]]

    # A new version of the chat model rolls out to its component alone.
    fresh_emulator.clear_requests()
    update = stack.run("up", config={"chatVersion": "v2"})
    calls = changes_by_component(fresh_emulator)
    updated = [r["operation"] for r in fresh_emulator.requests()]
    print(f"AWS calls for the model update: {len(updated)} in all, {len(mutating(updated))} changing something")
    print(f"SageMaker: {fresh_emulator.operations('sagemaker')}")
    assert calls.get(chat) == ["UpdateInferenceComponent"], calls
    assert summarize not in calls, calls
    assert not any(
        op in ("UpdateEndpoint", "CreateEndpointConfig") for op in fresh_emulator.operations("sagemaker")
    )
    assert "rolling out modelName" in update.log
    running = sagemaker.describe_inference_component(InferenceComponentName=chat)
    assert running["InferenceComponentStatus"] == "InService"
    assert running["Specification"]["ModelName"].startswith("chat-v2")
    assert sagemaker.describe_inference_component(InferenceComponentName=summarize)["Specification"][
        "ModelName"
    ].startswith("summarize-v1")

    # Destroy: scaling, then components, then the endpoint and its configuration.
    fresh_emulator.clear_requests()
    stack.run("destroy")
    order = [op for op in fresh_emulator.operations() if op.startswith(("Delete", "Deregister"))]
    last_component = max(i for i, op in enumerate(order) if op == "DeleteInferenceComponent")
    assert order.count("DeleteInferenceComponent") == 2
    assert max(i for i, op in enumerate(order) if op == "DeregisterScalableTarget") < last_component
    assert order.index("DeleteEndpoint") > last_component
    assert order.index("DeleteEndpointConfig") > order.index("DeleteEndpoint")
    assert sagemaker.list_inference_components()["InferenceComponents"] == []
    assert autoscaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"] == []
