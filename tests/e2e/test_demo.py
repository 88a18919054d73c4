"""`make demo` as a user runs it (examples/demo/run.py, the real engine, its own emulator on a
fresh port): the first `up` deploys the seed's dev environment and one async request comes
back as a result in S3 and a success notification; a second `up` on the running emulator
changes nothing; `destroy` leaves no stack resources and stops the emulator."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "examples" / "demo" / "run.py"
REQUEST = json.dumps({"inputs": "This is a sample text to classify"}).encode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def demo(action: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(RUN), action], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=600
    )


def answering(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_emulator/health", timeout=2):
            return True
    except (urllib.error.URLError, OSError):
        return False


def test_demo_deploys_invokes_updates_in_place_and_destroys(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "EMULATOR_PORT": str(port), "DEMO_STATE_DIR": str(tmp_path)}
    env.pop("AWS_ENDPOINT_URL", None)
    try:
        first = demo("up", env)
        assert first.returncode == 0, first.stdout + first.stderr[-3000:]
        out = first.stdout
        run = json.loads((tmp_path / "last-run.json").read_text())
        outputs = run["outputs"]
        parts = outputs["builtParts"]
        assert (parts[0], parts[-1]) == ("BaseInfra", "SageMakerAsyncEndpoint") and "SageMakerModel" in parts, parts
        assert f"The seed app, environment dev: {' -> '.join(parts)}" in out, out
        assert "endpoint          sagemaker-deployment-endpoint-dev (configuration " in out, out
        assert "kind              async; each request may wait 3600 s (RequestTTLSeconds)" in out, out
        assert run["changes"]["create"] > 0 and run["changes"]["same"] == 0, run["changes"]
        for shown in ("asyncInputS3Path", "asyncOutputS3Path", "successTopicArn", "errorTopicArn", "kmsKeyArn",
                      "modelArtifactBucketName", "asyncOutputBucketName"):
            assert outputs[shown] in out, shown
        assert "InvokeEndpointAsync -> HTTP 202" in out, out

        # The result the endpoint wrote, read back as a user would, answers this request.
        session = boto3.Session(aws_access_key_id="demo", aws_secret_access_key="demo", region_name="us-east-1")
        s3 = session.client("s3", endpoint_url=url)
        sagemaker = session.client("sagemaker", endpoint_url=url)
        assert run["outputLocation"].startswith(outputs["asyncOutputS3Path"].rstrip("/") + "/")
        bucket, key = run["outputLocation"][len("s3://"):].split("/", 1)
        result = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        assert result == run["result"]
        config = sagemaker.describe_endpoint_config(EndpointConfigName=outputs["endpointConfigName"])
        variant = config["ProductionVariants"][0]
        assert (result["model"], result["variant"]) == (variant["ModelName"], "PrimaryVariant")
        assert result["inputBytes"] == len(REQUEST)
        assert result["inputSha256"] == hashlib.sha256(REQUEST).hexdigest()
        assert "result in S3 after" in out and run["outputLocation"] in out
        notification = run["notification"]
        assert notification["invocationStatus"] == "Completed"
        assert notification["inferenceId"] == run["inferenceId"]
        assert notification["responseParameters"]["outputLocation"] == run["outputLocation"]
        assert "success topic notified: invocationStatus Completed" in out

        second = demo("up", env)
        assert second.returncode == 0, second.stdout + second.stderr[-3000:]
        again = json.loads((tmp_path / "last-run.json").read_text())
        assert "updating the stack in place" in second.stdout
        changed = {kind: n for kind, n in again["changes"].items() if kind != "same" and n}
        assert changed == {}, again["changes"]
        assert again["changes"]["same"] == run["changes"]["create"]
        assert f"nothing changed ({again['changes']['same']} resources as they were)" in second.stdout
        assert again["outputs"] == outputs
        assert again["inferenceId"] != run["inferenceId"] and again["result"] == result
    finally:
        destroyed = demo("destroy", env)
    assert destroyed.returncode == 0, destroyed.stdout + destroyed.stderr[-3000:]
    assert f"demo: destroyed ({run['changes']['create']} resources deleted), emulator stopped" in destroyed.stdout
    assert not answering(url)
    assert not (tmp_path / "emulator.pid").exists()
    assert not (ROOT / "examples" / "demo" / "Pulumi.dev.yaml").exists()  # the stack is removed too
