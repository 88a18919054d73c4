"""The three endpoint kinds through the real engine against the emulator:
create (the model artifact uploaded from examples/model first), a new model
version rolled out in place, a weights-only change, an injected SageMaker
rollback, and destroy; new artifact content rolled out as a new model
version; a missing artifact refused before the model is created."""

from __future__ import annotations

import io
import json
import shutil
import tarfile

import pytest

from conftest import ROOT, Stack

ARTIFACT_KEY = "models/text-classification/v1/model.tar.gz"
UPLOADS = ("PutObject", "CreateMultipartUpload")

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


def uploads(emulator) -> list[str]:
    return [r["operation"] for r in emulator.requests() if r["service"] == "s3" and r["operation"] in UPLOADS]


def artifact_files(s3, bucket: str, key: str) -> dict[str, bytes]:
    """The files of the gzipped tar stored at ``key``, by path."""
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as archive:
        return {m.name: archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()}


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
    # The artifact was packed from examples/model and uploaded to ModelS3Key.
    s3 = aws("s3")
    bucket = up.outputs["modelArtifactBucketName"]
    files = artifact_files(s3, bucket, ARTIFACT_KEY)
    assert files["code/inference.py"] == (ROOT / "examples" / "model" / "code" / "inference.py").read_bytes()
    assert "model.json" in files
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
    assert model["PrimaryContainer"]["ModelDataUrl"] == f"s3://{bucket}/{ARTIFACT_KEY}"
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
    # Nothing changed, nothing uploaded.
    fresh_emulator.clear_requests()
    assert stack.run("up", "--expect-no-changes", config=config).changes["create"] == 0
    assert uploads(fresh_emulator) == []

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

    # A new model version: the artifact at its new key, a new model and
    # config, the endpoint updated in place, the old config and artifact
    # deleted only after the switch.
    fresh_emulator.clear_requests()
    v2_key = "models/text-classification/v2/model.tar.gz"
    v2 = stack.run("up", config={**config, "modelS3Key": v2_key})
    assert v2.changes["replace"] == 3 and v2.changes["update"] == 1, v2.result
    assert artifact_files(s3, bucket, v2_key) == files
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])] == [v2_key]
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
            aws("s3").head_object(Bucket=up.outputs["modelArtifactBucketName"], Key=ARTIFACT_KEY)
            assert endpoint["EndpointConfigName"] == up.outputs["endpointConfigName"]
            again = stack.run("up", "--expect-no-changes", config={"inferenceType": kind})
            assert again.changes["create"] == again.changes["update"] == again.changes["replace"] == 0
            stack.run("destroy")
            assert sagemaker.list_endpoints()["Endpoints"] == []
        finally:
            stack.remove()


def test_new_artifact_content_is_uploaded_and_rolled_out_as_a_new_model_version(
    engine, fresh_emulator, aws, tmp_path
):
    sagemaker, s3 = aws("sagemaker"), aws("s3")
    model_dir = tmp_path / "model"
    shutil.copytree(ROOT / "examples" / "model", model_dir)
    config = {"inferenceType": "realtime", "modelArtifact": str(model_dir)}
    stack = Stack(engine, "python", "py-endpoint", "e2e-artifact")
    stack.remove()
    try:
        first = stack.run("up", config=config)
        bucket, endpoint_name = first.outputs["modelArtifactBucketName"], first.outputs["endpointName"]
        [first_model] = first.outputs["modelNames"]

        # The preview shows the new content as an update of the object and
        # a new model version; only then is anything uploaded.
        (model_dir / "model.json").write_text('{"threshold": 0.5, "weights": {"good": 2.0}}\n')
        fresh_emulator.clear_requests()
        preview = stack.run("preview", config=config)
        assert preview.changes["update"] >= 1 and preview.changes["replace"] == 2, preview.result
        assert uploads(fresh_emulator) == []

        fresh_emulator.clear_requests()
        second = stack.run("up", config=config)
        assert second.changes["replace"] == 2 and second.changes["update"] == 2, second.result
        assert uploads(fresh_emulator) == ["PutObject"]
        stored = artifact_files(s3, bucket, ARTIFACT_KEY)
        assert stored["model.json"] == (model_dir / "model.json").read_bytes()
        [second_model] = second.outputs["modelNames"]
        assert second_model != first_model
        live = sagemaker.describe_endpoint(EndpointName=endpoint_name)
        assert live["EndpointStatus"] == "InService"
        assert live["EndpointConfigName"] == second.outputs["endpointConfigName"]
        assert [m["ModelName"] for m in sagemaker.list_models()["Models"]] == [second_model]

        # The same content again: nothing to do.
        fresh_emulator.clear_requests()
        stack.run("up", "--expect-no-changes", config=config)
        assert uploads(fresh_emulator) == []
        stack.run("destroy")
        assert s3.list_buckets()["Buckets"] == []
    finally:
        stack.remove()


def test_a_missing_artifact_fails_before_the_model_is_created(engine, fresh_emulator, aws):
    sagemaker = aws("sagemaker")
    stack = Stack(engine, "python", "py-endpoint", "e2e-no-artifact")
    stack.remove()
    try:
        fresh_emulator.clear_requests()
        failed = stack.run("up", config={"inferenceType": "realtime", "modelArtifact": "none"}, expect_ok=False)
        assert not failed.ok
        [bucket] = [b["Name"] for b in aws("s3").list_buckets()["Buckets"] if "-model-artifacts-" in b["Name"]]
        url = f"s3://{bucket}/{ARTIFACT_KEY}"
        assert f"model data {url} does not exist" in failed.error, failed.error[-3000:]
        assert "localArtifacts" in failed.error and "aws s3 cp" in failed.error
        # Refused at the model, with no endpoint waited for.
        calls = sagemaker_calls(fresh_emulator)
        assert "CreateModel" not in calls and "CreateEndpoint" not in calls, calls
        assert sagemaker.list_models()["Models"] == []
        print(f"\n[missing artifact] up failed after {failed.seconds:.1f} s")
        stack.run("destroy")
    finally:
        stack.remove()
