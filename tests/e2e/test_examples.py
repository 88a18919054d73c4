"""Each Deployment example in examples/ end to end through the real engine against the
emulator, from the seed's two documents in examples/config: the Python, TypeScript and Go
programs deploy and destroy; the Go one also builds as a clean module against sdk/go; the two
Automation API programs promote dev, then test, and stop at prod, which the seed's document
leaves without its existing AppConfig ids (refused at preview, nothing made), then destroy.

One emulator for the module, the examples one after the other; each test's duration is
reported at the end of the module."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import ROOT, Stack

SEED = json.loads((ROOT / "examples" / "config" / "deployment-config.json").read_text())
MODELS = json.loads((ROOT / "examples" / "config" / "model-config.json").read_text())["modelList"]
ARTIFACT_KEY = MODELS[0]["ModelS3Key"]
PROD_ID_PATHS = [
    f"deploymentConfig.environments.prod.{name}"
    for name in ("existingAppConfigAppId", "existingAppConfigEnvId", "existingAppConfigProfileId")
]

DURATIONS: dict[str, float] = {}


@pytest.fixture(scope="module", autouse=True)
def report_durations(request):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter and DURATIONS:
        reporter.write_line("")
        for name, seconds in DURATIONS.items():
            reporter.write_line(f"examples: {name} {seconds:.1f} s")


@pytest.fixture
def timed(request):
    started = time.monotonic()
    yield
    DURATIONS[request.node.name] = time.monotonic() - started


def endpoint_names(sagemaker) -> list[str]:
    return sorted(e["EndpointName"] for e in sagemaker.list_endpoints()["Endpoints"])


def assert_deployed(aws, out: dict, environment: str) -> None:
    """What a user checks after `up`: the endpoint serves the seed's model, from its bucket."""
    settings = SEED["environments"][environment]
    assert (out["environment"], out["region"]) == (environment, settings["region"])
    kind = settings.get("inferenceType", "realtime")
    assert out["inferenceType"] == kind
    endpoint_part = {"realtime": "SageMakerEndpoint", "async": "SageMakerAsyncEndpoint"}[kind]
    # In the seed's order (the Deployment may build more parts between and after them).
    built = iter(out["builtParts"])
    assert all(part in built for part in ("BaseInfra", "SageMakerModel", endpoint_part)), out["builtParts"]
    assert out["endpointName"] == f"sagemaker-deployment-endpoint-{settings['stage']}"
    sagemaker = aws("sagemaker")
    endpoint = sagemaker.describe_endpoint(EndpointName=out["endpointName"])
    assert endpoint["EndpointStatus"] == "InService"
    assert endpoint["EndpointArn"] == out["endpointArn"]
    assert endpoint["EndpointConfigName"] == out["endpointConfigName"]
    config = sagemaker.describe_endpoint_config(EndpointConfigName=out["endpointConfigName"])
    [variant] = config["ProductionVariants"]
    assert (variant["VariantName"], variant["ModelName"]) == (MODELS[0]["VariantName"], out["modelNames"][0])
    model = sagemaker.describe_model(ModelName=out["modelNames"][0])
    assert model["ExecutionRoleArn"] == out["executionRoleArn"]
    assert model["PrimaryContainer"]["ModelDataUrl"] == f"s3://{out['modelArtifactBucketName']}/{ARTIFACT_KEY}"
    assert aws("s3").head_object(Bucket=out["modelArtifactBucketName"], Key=ARTIFACT_KEY)["ContentLength"] > 0
    assert ":key/" in out["kmsKeyArn"]
    if kind == "async":
        async_config = config["AsyncInferenceConfig"]
        assert async_config["OutputConfig"]["S3OutputPath"] == out["asyncOutputS3Path"]
        assert async_config["OutputConfig"]["NotificationConfig"]["SuccessTopic"] == out["successTopicArn"]
        assert async_config["OutputConfig"]["NotificationConfig"]["ErrorTopic"] == out["errorTopicArn"]
        # Requests go to the output bucket, which the execution role reads.
        assert out["asyncInputS3Path"].startswith(f"s3://{out['asyncOutputBucketName']}/")
        assert out["requestTtlSeconds"] == settings["asyncConfig"]["expiresInSeconds"]
    else:
        for key in ("asyncInputS3Path", "asyncOutputS3Path", "successTopicArn", "requestTtlSeconds"):
            assert out.get(key) is None, (key, out.get(key))


def assert_destroyed(aws, out: dict) -> None:
    sagemaker = aws("sagemaker")
    assert endpoint_names(sagemaker) == []
    assert sagemaker.list_models()["Models"] == []
    buckets = {b["Name"] for b in aws("s3").list_buckets()["Buckets"]}
    assert out["modelArtifactBucketName"] not in buckets


def deploy_and_destroy(stack: Stack, aws, environment: str) -> dict:
    stack.remove()
    try:
        out = stack.run("up").outputs
        assert_deployed(aws, out, environment)
        stack.run("destroy")
        assert_destroyed(aws, out)
        return out
    finally:
        stack.remove()


def test_the_python_example_deploys_the_stack_s_environment(engine, fresh_emulator, aws, timed):
    # The stack name picks the environment: dev, the seed's async endpoint.
    deploy_and_destroy(Stack(engine, "python", "py-deployment", "dev"), aws, "dev")


def test_the_typescript_example_deploys_the_deployment_env_environment(engine, fresh_emulator, aws, timed):
    # DEPLOYMENT_ENV picks the environment over the stack name, as in the seed: test is real-time.
    with_env = SimpleNamespace(env={**engine.env, "DEPLOYMENT_ENV": "test"})
    deploy_and_destroy(Stack(with_env, "typescript", "ts-deployment", "ci"), aws, "test")


def go_environment() -> dict:
    return {
        **os.environ,
        "GOFLAGS": "-mod=readonly",
        "GOMODCACHE": os.environ.get("GOMODCACHE", str(Path.home() / ".cache" / "go-mod")),
        "GOCACHE": os.environ.get("GOCACHE", str(Path.home() / ".cache" / "go-build")),
    }


def test_the_go_example_builds_as_a_clean_module_and_deploys(engine, fresh_emulator, aws, timed, tmp_path):
    # A copy outside the repository with only a `replace` to sdk/go: its go.mod and go.sum are
    # complete, and the SDK's import paths are the module path its go.mod declares.
    module = tmp_path / "go-deployment"
    shutil.copytree(ROOT / "examples" / "go-deployment", module)
    go_mod = module / "go.mod"
    text, replaced = re.subn(r"=> \.\./\.\./sdk/go", f"=> {ROOT / 'sdk' / 'go'}", go_mod.read_text())
    assert replaced == 1, "go.mod replaces the SDK module with ../../sdk/go"
    go_mod.write_text(text)
    for command in (["go", "build", "-o", str(tmp_path / "program"), "."], ["go", "vet", "."]):
        built = subprocess.run(command, cwd=module, env=go_environment(), capture_output=True, text=True, timeout=900)
        assert built.returncode == 0, f"{' '.join(command)}:\n{built.stderr[-3000:]}"
    go_engine = SimpleNamespace(env={**engine.env, **{k: v for k, v in go_environment().items() if k.startswith("GO")}})
    deploy_and_destroy(Stack(go_engine, "go", "go-deployment", "dev"), aws, "dev")


AUTOMATION = {
    "automation-py": lambda example: [sys.executable, str(example / "promote.py")],
    "automation-ts": lambda example: ["node", str(example / "bin" / "index.js")],
}


def run_automation(engine, name: str, *args: str) -> subprocess.CompletedProcess:
    example = ROOT / "examples" / name
    env = {**engine.env, "PYTHONPATH": str(ROOT / "sdk" / "python")}
    for key in [k for k in env if k.startswith("PROD_APPCONFIG_")]:
        del env[key]
    return subprocess.run(
        [*AUTOMATION[name](example), *args], cwd=example, env=env, capture_output=True, text=True, timeout=1200
    )


def remove_automation_stacks(engine, name: str) -> None:
    run_automation(engine, name, "--destroy")


@pytest.mark.parametrize("name", ["automation-py", "automation-ts"])
def test_the_automation_example_promotes_dev_then_test_and_stops_at_prod(
    engine, fresh_emulator, aws, timed, tmp_path, name
):
    if name == "automation-ts":
        built = subprocess.run(["npm", "run", "build"], cwd=ROOT / "examples" / name,
                               capture_output=True, text=True, timeout=600)
        assert built.returncode == 0, built.stdout + built.stderr
    remove_automation_stacks(engine, name)
    summary_file = tmp_path / "summary.json"
    sagemaker = aws("sagemaker")
    try:
        promoted = run_automation(engine, name, "--summary", str(summary_file))
        # prod failed, so the promotion did not succeed.
        assert promoted.returncode == 1, promoted.stderr[-4000:]
        summary = {row["stage"]: row for row in json.loads(summary_file.read_text())}
        assert [summary[s]["result"] for s in ("dev", "test", "prod")] == ["deployed", "deployed", "refused at preview"]
        for stage in ("dev", "test"):
            assert summary[stage]["endpoint"] == f"sagemaker-deployment-endpoint-{stage}"
            assert summary[stage]["resources"] > 0 and summary[stage]["seconds"] > 0
        # prod is refused with the validation message, naming every missing id, and nothing is made.
        for path in PROD_ID_PATHS:
            assert path in summary["prod"]["message"], summary["prod"]["message"]
        assert summary["prod"]["resources"] == 0 and summary["prod"]["endpoint"] == ""
        assert endpoint_names(sagemaker) == ["sagemaker-deployment-endpoint-dev", "sagemaker-deployment-endpoint-test"]
        for endpoint in endpoint_names(sagemaker):
            assert sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointStatus"] == "InService"
        # test runs the model version dev runs.
        data_urls = sorted(
            sagemaker.describe_model(ModelName=m["ModelName"])["PrimaryContainer"]["ModelDataUrl"].split("/", 3)[3]
            for m in sagemaker.list_models()["Models"]
        )
        assert data_urls == [ARTIFACT_KEY, ARTIFACT_KEY]
        # The table a user reads: one row per stage, and why prod stopped.
        table = promoted.stdout
        assert re.search(r"^dev\s+deployed\s+sagemaker-deployment-endpoint-dev\s+\d+\s+[\d.]+ s$", table, re.M), table
        assert re.search(r"^test\s+deployed\s+sagemaker-deployment-endpoint-test\s+\d+\s+[\d.]+ s$", table, re.M), table
        assert re.search(r"^prod\s+refused at preview\s+-\s+0\s+[\d.]+ s$", table, re.M), table
        assert re.search(r"^prod: .*existingAppConfigAppId", table, re.M), table
        print(table)

        destroyed = run_automation(engine, name, "--destroy")
        assert destroyed.returncode == 0, destroyed.stderr[-4000:]
        assert endpoint_names(sagemaker) == []
        assert sagemaker.list_models()["Models"] == []
    finally:
        remove_automation_stacks(engine, name)
