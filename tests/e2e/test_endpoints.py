"""The three endpoint kinds through the real engine against the emulator:
create, a new model version rolled out in place, a weights-only change, an
injected SageMaker rollback, and destroy."""

from __future__ import annotations

import json

import pytest

from conftest import Stack

AUTOSCALING = {
    "realtime": {"minCapacity": 1, "maxCapacity": 3, "targetInvocationsPerInstance": 50},
    "async": {"minCapacity": 0, "maxCapacity": 2, "targetBacklogPerInstance": 4},
    "serverless": None,
}


@pytest.fixture(params=["realtime", "async", "serverless"])
def kind(request) -> str:
    return request.param


@pytest.fixture
def stack(kind, engine, fresh_emulator):
    stack = Stack(engine, "python", "py-endpoint", f"e2e-{kind}")
    stack.remove()
    yield stack
    stack.remove()


def sagemaker_calls(emulator) -> list[str]:
    return [r["operation"] for r in emulator.requests() if r["service"] == "sagemaker"]


def test_endpoint_lifecycle(kind: str, stack: Stack, fresh_emulator, aws):
    sagemaker = aws("sagemaker")
    config = {"inferenceType": kind}
    if AUTOSCALING[kind]:
        config["autoscaling"] = json.dumps(AUTOSCALING[kind])
    if kind == "realtime":
        config["rollout"] = json.dumps(
            {"trafficShift": "CANARY", "canarySize": {"unit": "CAPACITY_PERCENT", "value": 10}, "waitIntervalInSeconds": 60}
        )

    # Create: the endpoint waits for InService.
    fresh_emulator.clear_requests()
    up = stack.run("up", config=config)
    endpoint_name = up.outputs["endpointName"]
    first_config = up.outputs["endpointConfigName"]
    assert "creating endpoint: Creating" in up.log  # progress shown while waiting
    create_calls = sagemaker_calls(fresh_emulator)
    print(f"\n[{kind}] AWS calls for the first up: {len(fresh_emulator.requests())} in all, SageMaker: {create_calls}")
    described = sagemaker.describe_endpoint(EndpointName=endpoint_name)
    assert described["EndpointStatus"] == "InService"
    assert described["EndpointConfigName"] == first_config
    assert len(first_config) <= 63
    endpoint_config = sagemaker.describe_endpoint_config(EndpointConfigName=first_config)
    variant = endpoint_config["ProductionVariants"][0]
    assert variant["VariantName"] == "PrimaryVariant"
    assert variant["ModelName"] == up.outputs["modelNames"][0]
    model = sagemaker.describe_model(ModelName=variant["ModelName"])
    assert model["PrimaryContainer"]["ModelDataUrl"].endswith("models/text-classification/v1/model.tar.gz")
    assert model["PrimaryContainer"]["Environment"]["SAGEMAKER_MODEL_SERVER_WORKERS"] == "2"
    if kind == "serverless":
        assert variant["ServerlessConfig"] == {"MemorySizeInMB": 2048, "MaxConcurrency": 5}
        assert "KmsKeyId" not in endpoint_config
    else:
        assert variant["InstanceType"] == "ml.m5.large"
        assert endpoint_config["KmsKeyId"].startswith("arn:aws:kms:")
    if kind == "async":
        async_config = endpoint_config["AsyncInferenceConfig"]
        assert async_config["ClientConfig"]["MaxConcurrentInvocationsPerInstance"] == 5
        output = async_config["OutputConfig"]
        assert output["S3OutputPath"] == up.outputs["outputS3Path"]
        assert output["NotificationConfig"]["SuccessTopic"] == up.outputs["successTopicArn"]
        assert output["NotificationConfig"]["ErrorTopic"] == up.outputs["errorTopicArn"]
        assert up.outputs["requestTtlSeconds"] == 3600
        # The execution role may publish to exactly these two topics.
        iam = aws("iam")
        role = up.outputs["executionRoleArn"].rsplit("/", 1)[1]
        grant = iam.get_role_policy(RoleName=role, PolicyName=f"{endpoint_name}-async-notifications")
        statement = grant["PolicyDocument"]["Statement"][0]
        assert statement["Action"] == "sns:Publish"
        assert sorted(statement["Resource"]) == sorted([up.outputs["successTopicArn"], up.outputs["errorTopicArn"]])
    if AUTOSCALING[kind]:
        targets = aws("application-autoscaling").describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
        assert [(t["MinCapacity"], t["MaxCapacity"]) for t in targets] == [
            (AUTOSCALING[kind]["minCapacity"], AUTOSCALING[kind]["maxCapacity"])
        ]
    assert stack.run("up", "--expect-no-changes", config=config).changes["create"] == 0

    if AUTOSCALING[kind]:
        # The autoscaler scales the variant out behind Pulumi's back: diff
        # leaves the count it owns alone.
        scaled = AUTOSCALING[kind]["maxCapacity"]
        sagemaker.update_endpoint_weights_and_capacities(
            EndpointName=endpoint_name,
            DesiredWeightsAndCapacities=[{"VariantName": "PrimaryVariant", "DesiredInstanceCount": scaled}],
        )
        sagemaker.get_waiter("endpoint_in_service").wait(
            EndpointName=endpoint_name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
        )
        stack.run("refresh")
        assert stack.run("up", "--expect-no-changes", config=config).changes["update"] == 0

    # A new model version: a new model and config, the endpoint updated in
    # place, the old config deleted only after the switch.
    fresh_emulator.clear_requests()
    v2 = stack.run("up", config={**config, "modelS3Key": "models/text-classification/v2/model.tar.gz"})
    assert v2.changes["replace"] == 2 and v2.changes["update"] == 1, v2.result
    calls = sagemaker_calls(fresh_emulator)
    print(f"[{kind}] AWS calls for a new model version: {len(fresh_emulator.requests())} in all, SageMaker: {calls}")
    assert "CreateEndpoint" not in calls and "DeleteEndpoint" not in calls
    assert calls.index("CreateEndpointConfig") < calls.index("UpdateEndpoint") < calls.index("DeleteEndpointConfig")
    second_config = v2.outputs["endpointConfigName"]
    assert second_config != first_config
    assert sagemaker.describe_endpoint(EndpointName=endpoint_name)["EndpointConfigName"] == second_config
    configs = [c["EndpointConfigName"] for c in sagemaker.list_endpoint_configs()["EndpointConfigs"]]
    assert configs == [second_config]
    assert [m["ModelName"] for m in sagemaker.list_models()["Models"]] == v2.outputs["modelNames"]
    if AUTOSCALING[kind]:
        # The deployment kept the autoscaled count (RetainAllVariantProperties).
        live = sagemaker.describe_endpoint(EndpointName=endpoint_name)["ProductionVariants"][0]
        assert live["CurrentInstanceCount"] == scaled

    # Weights alone: no new configuration, UpdateEndpointWeightsAndCapacities.
    fresh_emulator.clear_requests()
    weights = stack.run("up", config={**config, "variantWeights": json.dumps({"PrimaryVariant": 3})})
    assert weights.changes["update"] == 1 and weights.changes["replace"] == 0
    calls = sagemaker_calls(fresh_emulator)
    assert "UpdateEndpointWeightsAndCapacities" in calls
    assert "CreateEndpointConfig" not in calls and "UpdateEndpoint" not in calls
    live = sagemaker.describe_endpoint(EndpointName=endpoint_name)
    assert live["ProductionVariants"][0]["CurrentWeight"] == 3
    assert live["EndpointConfigName"] == second_config

    # SageMaker rolls the next version back: up fails saying the endpoint
    # stayed InService on the old configuration (FailureReason may be empty
    # after a rollback, so no reason text is expected), and the recorded
    # state still matches what the emulator holds.
    fresh_emulator.configure(fail_next_endpoint_update=endpoint_name)
    failed = stack.run(
        "up",
        config={**config, "modelS3Key": "models/text-classification/v3/model.tar.gz"},
        expect_ok=False,
    )
    assert not failed.ok
    assert "did not switch endpoint" in failed.error
    assert f"it is InService and runs {second_config}" in failed.error
    assert sagemaker.describe_endpoint(EndpointName=endpoint_name)["EndpointConfigName"] == second_config
    refresh = stack.run("refresh", "--expect-no-changes")
    assert refresh.changes["update"] == 0 and refresh.changes["delete"] == 0

    if kind == "realtime":
        # The canary rollout watches the component's own 5xx alarm: when it
        # fires during the shift, SageMaker rolls back and up says so.
        alarm = f"{endpoint_name}-PrimaryVariant-5xx-errors"
        cloudwatch = aws("cloudwatch")
        assert [a["AlarmName"] for a in cloudwatch.describe_alarms(AlarmNames=[alarm])["MetricAlarms"]] == [alarm]
        cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="e2e: errors")
        alarmed = stack.run(
            "up", config={**config, "modelS3Key": "models/text-classification/v4/model.tar.gz"}, expect_ok=False
        )
        assert not alarmed.ok and "did not switch endpoint" in alarmed.error
        assert f"it is InService and runs {second_config}" in alarmed.error
        # Named by the provider (the alarms the rollout watched), not taken
        # from FailureReason.
        assert f"The rollout watched the rollback alarms {alarm}" in alarmed.error
        assert sagemaker.describe_endpoint(EndpointName=endpoint_name)["EndpointConfigName"] == second_config
        cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason="e2e: recovered")

    # Destroy removes everything; scaling is deregistered before the
    # endpoint is deleted.
    fresh_emulator.clear_requests()
    stack.run("destroy")
    operations = [r["operation"] for r in fresh_emulator.requests()]
    if AUTOSCALING[kind]:
        assert operations.index("DeregisterScalableTarget") < operations.index("DeleteEndpoint")
    assert sagemaker.list_endpoints()["Endpoints"] == []
    assert sagemaker.list_endpoint_configs()["EndpointConfigs"] == []
    assert sagemaker.list_models()["Models"] == []
    assert aws("application-autoscaling").describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"] == []
    assert aws("sns").list_topics()["Topics"] == []
    assert aws("s3").list_buckets()["Buckets"] == []


def test_a_failed_create_is_recorded_not_orphaned(engine, fresh_emulator, aws):
    sagemaker = aws("sagemaker")
    stack = Stack(engine, "python", "py-endpoint", "e2e-failed-create")
    stack.remove()
    try:
        fresh_emulator.configure(fail_next_endpoint_create=True)
        failed = stack.run("up", config={"inferenceType": "realtime"}, expect_ok=False)
        assert not failed.ok
        assert "is Failed instead of InService" in failed.error
        # The failed endpoint exists; the engine recorded it with its id, so
        # destroy finds and deletes it.
        assert [e["EndpointStatus"] for e in sagemaker.list_endpoints()["Endpoints"]] == ["Failed"]
        stack.run("destroy")
        assert sagemaker.list_endpoints()["Endpoints"] == []
        assert sagemaker.list_endpoint_configs()["EndpointConfigs"] == []
    finally:
        stack.remove()


def test_the_typescript_example_deploys_every_kind(engine, fresh_emulator, aws):
    sagemaker = aws("sagemaker")
    for kind in ("realtime", "async", "serverless"):
        stack = Stack(engine, "typescript", "ts-endpoint", f"e2e-ts-{kind}")
        stack.remove()
        try:
            up = stack.run("up", config={"inferenceType": kind})
            assert up.outputs["inferenceType"] == kind
            endpoint = sagemaker.describe_endpoint(EndpointName=up.outputs["endpointName"])
            assert endpoint["EndpointStatus"] == "InService"
            assert endpoint["EndpointConfigName"] == up.outputs["endpointConfigName"]
            again = stack.run("up", "--expect-no-changes", config={"inferenceType": kind})
            assert again.changes["create"] == again.changes["update"] == again.changes["replace"] == 0
            stack.run("destroy")
            assert sagemaker.list_endpoints()["Endpoints"] == []
        finally:
            stack.remove()
