"""The Deployment component and the provider's functions through the real
engine, from the seed's two documents in examples/config: dev deploys (the
seed's async endpoint), a second up changes nothing, the wrong account and a
bad document fail preview before anything is made, the functions answer the
program, and destroy leaves nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Stack, mutating, resource_calls

ROOT = Path(__file__).resolve().parents[2]
# One Deployment and the functions (tests/e2e/programs/py-deployment).
PROGRAM = str(Path("..") / "tests" / "e2e" / "programs" / "py-deployment")
SEED_DEPLOYMENT = json.loads((ROOT / "examples" / "config" / "deployment-config.json").read_text())


@pytest.fixture
def dev(engine, fresh_emulator):
    # The stack name picks the environment, as DEPLOYMENT_ENV did in the seed.
    stack = Stack(engine, "python", PROGRAM, "dev")
    stack.remove()
    yield stack
    stack.run("destroy", expect_ok=False)
    stack.remove()


def test_dev_deploys_the_seed_app_and_a_second_up_changes_nothing(dev: Stack, fresh_emulator, aws):
    preview = dev.run("preview")
    assert preview.changes["create"] > 0, preview.result
    assert resource_calls(fresh_emulator.requests()) == []

    up = dev.run("up")
    out = up.outputs
    assert (out["environment"], out["account"], out["region"]) == ("dev", "123456789012", "us-east-1")
    assert out["inferenceType"] == "async"
    assert out["builtParts"] == ["BaseInfra", "SageMakerModel", "SageMakerAsyncEndpoint"]
    assert out["endpointName"] == "sagemaker-deployment-endpoint-dev"

    sagemaker, s3 = aws("sagemaker"), aws("s3")
    endpoint = sagemaker.describe_endpoint(EndpointName=out["endpointName"])
    assert endpoint["EndpointStatus"] == "InService"
    assert endpoint["EndpointArn"] == out["endpointArn"]
    assert endpoint["EndpointConfigName"] == out["endpointConfigName"]
    config = sagemaker.describe_endpoint_config(EndpointConfigName=out["endpointConfigName"])
    async_config = config["AsyncInferenceConfig"]
    assert async_config["ClientConfig"]["MaxConcurrentInvocationsPerInstance"] == 5
    assert async_config["OutputConfig"]["S3OutputPath"] == out["asyncOutputS3Path"]
    assert async_config["OutputConfig"]["NotificationConfig"]["SuccessTopic"] == out["successTopicArn"]
    assert out["asyncOutputS3Path"].startswith(f"s3://{out['asyncOutputBucketName']}/")
    assert out["asyncInputS3Path"].startswith(f"s3://{out['asyncOutputBucketName']}/")
    assert out["requestTtlSeconds"] == 3600
    variant = config["ProductionVariants"][0]
    assert (variant["VariantName"], variant["InstanceType"]) == ("PrimaryVariant", "ml.m5.large")
    assert variant["ModelName"] == out["modelNames"][0]
    model = sagemaker.describe_model(ModelName=out["modelNames"][0])
    assert model["PrimaryContainer"]["Environment"]["SAGEMAKER_MODEL_SERVER_WORKERS"] == "2"
    key = "models/text-classification/v1/model.tar.gz"
    assert s3.head_object(Bucket=out["modelArtifactBucketName"], Key=key)["ContentLength"] > 0

    again = dev.run("up", "--expect-no-changes")
    assert again.changes["same"] == up.changes["create"], again.result
    assert all(again.changes[kind] == 0 for kind in ("create", "update", "replace", "delete")), again.result
    assert again.outputs["endpointConfigName"] == out["endpointConfigName"]


def test_the_functions_answer_the_program(dev: Stack, fresh_emulator):
    out = dev.run("up").outputs

    checked = out["validate"]
    assert checked == {"valid": True, "problems": [], "environments": ["dev"]}
    broken = out["validateBroken"]
    assert broken["valid"] is False
    assert broken["environments"] == ["dev", "prod", "test"]
    # The typos are named by their JSON paths, every one of them at once.
    assert sorted(p["path"] for p in broken["problems"]) == [
        "deploymentConfig.environments.dev.asyncConfig.expiresInSecond",
        "modelConfig.modelList[0].VariantNme",
    ], broken

    policy = json.loads(out["deployerPolicy"]["policyJson"])
    actions = {a for s in policy["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert len(actions) == out["deployerPolicy"]["actionCount"]
    assert {"sagemaker:CreateEndpoint", "s3:CreateBucket", "iam:PassRole"} <= actions
    # The policy the README shows (`make deployer-policy`), with its count.
    readme = (ROOT / "README.md").read_text()
    assert out["deployerPolicy"]["policyJson"] in readme
    assert f"they need {len(actions)} IAM actions" in readme

    plan = out["plan"]
    assert plan["complete"] is True
    assert plan["inferenceType"] == "async"
    assert plan["endpointName"] == out["endpointName"]
    # Named as the configuration the Deployment runs.
    assert plan["endpointConfigName"] == out["endpointConfigName"]
    variants = plan["endpointConfig"]["productionVariants"]
    assert [v["variantName"] for v in variants] == ["PrimaryVariant"]


def test_credentials_for_another_account_fail_preview_naming_both(dev: Stack, fresh_emulator):
    other = "210987654321"
    failed = dev.run("preview", config={"account": other}, expect_ok=False)
    assert not failed.ok
    assert other in failed.error and "123456789012" in failed.error, failed.error[-3000:]
    assert "GetCallerIdentity" in failed.error
    assert mutating([r["operation"] for r in fresh_emulator.requests()]) == []


def test_a_bad_document_fails_preview_listing_every_path(dev: Stack, fresh_emulator):
    failed = dev.run("preview", config={"typos": "true"}, expect_ok=False)
    assert not failed.ok
    for path in (
        "deploymentConfig.environments.dev.inferenceTyp",
        "modelConfig.modelList[0].ModelNme",
    ):
        assert path in failed.error, failed.error[-3000:]
    assert fresh_emulator.requests() == [] or resource_calls(fresh_emulator.requests()) == []


def test_an_environment_the_document_lacks_fails_preview_listing_those_it_has(engine, fresh_emulator):
    stack = Stack(engine, "python", PROGRAM, "staging")
    stack.remove()
    try:
        failed = stack.run("preview", expect_ok=False)
        assert not failed.ok
        assert "`staging`" in failed.error and "dev, prod, test" in failed.error, failed.error[-3000:]
    finally:
        stack.remove()


def test_the_children_are_made_in_the_environment_s_region(dev: Stack, fresh_emulator):
    # The provider's default region (AWS_REGION) is us-east-1.
    region = "eu-west-1"
    out = dev.run("up", config={"region": region}).outputs
    assert out["region"] == region
    assert f":{region}:" in out["endpointArn"] and f":{region}:" in out["kmsKeyArn"]
    here = fresh_emulator.client("sagemaker", region=region)
    assert here.describe_endpoint(EndpointName=out["endpointName"])["EndpointStatus"] == "InService"
    default = fresh_emulator.client("sagemaker")
    assert default.list_endpoints()["Endpoints"] == []
    s3 = fresh_emulator.client("s3", region=region)
    location = s3.get_bucket_location(Bucket=out["modelArtifactBucketName"])["LocationConstraint"]
    assert location == region
    dev.run("destroy")
    assert here.list_endpoints()["Endpoints"] == []


def test_destroy_leaves_nothing(dev: Stack, fresh_emulator, aws):
    out = dev.run("up").outputs
    dev.run("destroy")
    sagemaker, s3 = aws("sagemaker"), aws("s3")
    assert sagemaker.list_endpoints()["Endpoints"] == []
    assert sagemaker.list_endpoint_configs()["EndpointConfigs"] == []
    assert sagemaker.list_models()["Models"] == []
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert out["modelArtifactBucketName"] not in buckets and out["asyncOutputBucketName"] not in buckets
    assert aws("sns").list_topics()["Topics"] == []
    roles = [r["RoleName"] for r in aws("iam").list_roles()["Roles"]]
    assert not [r for r in roles if r.startswith("sagemaker-deployment-dev")], roles
