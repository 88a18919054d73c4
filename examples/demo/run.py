"""`make demo`: the seed app deployed to a local AWS emulator with the real engine, then one request.

    python examples/demo/run.py up        deploy (or update) and invoke
    python examples/demo/run.py destroy   destroy the stack and stop the emulator

up:      starts the emulator in the background unless this demo's emulator is
         still running, deploys examples/demo (one `Deployment` from the seed's
         two documents in examples/config) as stack `dev`, prints what it made,
         then sends one request the way the seed's README does: the input put in
         S3 under the Deployment's `asyncInputS3Path`, `InvokeEndpointAsync` with
         its `InputLocation`, and the result read from the output location once
         the endpoint (the emulator plays the model container) has written it,
         with the notification SageMaker published to the success topic. A second
         `up` on the running emulator updates the stack in place (nothing changes
         when nothing was edited) and sends another request.
destroy: destroys the demo stack and stops the emulator.

State lives under .state/demo (DEMO_STATE_DIR to choose); the emulator listens on
127.0.0.1:$EMULATOR_PORT (default 4566) and keeps running after `up`, so you can
look around with any AWS client: `aws --endpoint-url http://127.0.0.1:4566 sagemaker
list-endpoints`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ROOT / "examples" / "demo"
STATE = Path(os.environ.get("DEMO_STATE_DIR") or ROOT / ".state" / "demo").resolve()
PORT = int(os.environ.get("EMULATOR_PORT", "4566"))
URL = f"http://127.0.0.1:{PORT}"
PIDFILE = STATE / "emulator.pid"
STACK = "dev"
REGION = "us-east-1"
QUEUE = "demo-notifications"
REQUEST = {"inputs": "This is a sample text to classify"}


def environment() -> dict[str, str]:
    # The demo is `dev`, and its state has its own passphrase whatever the caller's.
    dropped = ("DEPLOYMENT_ENV", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE")
    inherited = {name: value for name, value in os.environ.items() if name not in dropped}
    return {
        **inherited,
        "AWS_ENDPOINT_URL": URL,
        "AWS_ACCESS_KEY_ID": "demo",
        "AWS_SECRET_ACCESS_KEY": "demo",
        "AWS_REGION": REGION,
        "PULUMI_HOME": str(STATE / "pulumi-home"),
        "PULUMI_BACKEND_URL": f"file://{STATE / 'backend'}",
        "PULUMI_CONFIG_PASSPHRASE": "demo",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PATH": f"{ROOT / '.tools' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    }


# -- the emulator -------------------------------------------------------------------------


def healthy() -> bool:
    try:
        with urllib.request.urlopen(f"{URL}/_emulator/health", timeout=2):
            return True
    except (urllib.error.URLError, OSError):
        return False


def running_emulator() -> bool:
    """Whether this demo's emulator (the one its pid file names) is up and answering."""
    if not PIDFILE.exists():
        return False
    try:
        os.kill(int(PIDFILE.read_text()), 0)
    except (ProcessLookupError, ValueError, PermissionError):
        return False
    return healthy()


def stop_emulator() -> None:
    if not PIDFILE.exists():
        return
    try:
        pid = int(PIDFILE.read_text())
        os.kill(pid, signal.SIGTERM)
        for _ in range(50):
            os.kill(pid, 0)
            time.sleep(0.1)
    except (ProcessLookupError, ValueError):
        pass
    PIDFILE.unlink(missing_ok=True)


def start_emulator() -> None:
    stop_emulator()
    port_file = STATE / "emulator.port"
    port_file.unlink(missing_ok=True)
    with open(STATE / "emulator.log", "w") as log:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "sagemaker_emulator", "--port", str(PORT),
                "--port-file", str(port_file), "--endpoint-creating-seconds", "2",
            ],
            env={**os.environ, "PYTHONPATH": str(ROOT / "tests" / "emulator")},
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    PIDFILE.write_text(str(process.pid))
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"demo: the emulator stopped (is port {PORT} taken?); see {STATE / 'emulator.log'}")
        if port_file.exists() and healthy():
            print(f"demo: local AWS emulator listening on {URL}")
            return
        time.sleep(0.1)
    raise SystemExit("demo: the emulator did not start")


# -- the engine ---------------------------------------------------------------------------


def engine(op: str, *flags: str) -> dict:
    """One Pulumi operation on the demo program through the real engine (tests/harness/pyrun.py)."""
    command = [sys.executable, str(ROOT / "tests" / "harness" / "pyrun.py"), str(PROGRAM), STACK, op, *flags]
    completed = subprocess.run(command, env=environment(), stdout=subprocess.PIPE, text=True)
    lines = completed.stdout.strip().splitlines()
    result = json.loads(lines[-1]) if lines else {}
    if completed.returncode != 0 and op != "rm":
        raise SystemExit(f"demo: pulumi {op} failed")
    return result


def forget_stack() -> None:
    """Remove the demo stack, its state and its settings file (it may not exist)."""
    engine("rm", "--force")
    (PROGRAM / f"Pulumi.{STACK}.yaml").unlink(missing_ok=True)


def describe_changes(changes: dict) -> str:
    done = [f"{changes[kind]} {word}" for kind, word in (
        ("create", "created"), ("update", "updated"), ("replace", "replaced"), ("delete", "deleted"),
    ) if changes.get(kind)]
    same = changes.get("same", 0)
    if not done:
        return f"nothing changed ({same} resources as they were)"
    return ", ".join(done) + (f"; {same} unchanged" if same else "")


def summary(out: dict, changes: dict) -> str:
    """The stack's outputs as a short readable summary."""
    rows = [
        ("endpoint", f"{out['endpointName']} (configuration {out['endpointConfigName']})"),
        ("kind", f"{out['inferenceType']}; each request may wait {out['requestTtlSeconds']} s (RequestTTLSeconds)"),
        ("put inputs under", out["asyncInputS3Path"]),
        ("results go to", out["asyncOutputS3Path"]),
        ("failures go to", out["asyncFailureS3Path"]),
        ("success topic", out["successTopicArn"]),
        ("error topic", out["errorTopicArn"]),
        ("buckets", f"{out['modelArtifactBucketName']} (model artifacts), {out['asyncOutputBucketName']} (async I/O)"),
        ("KMS key", out["kmsKeyArn"]),
        ("this update", describe_changes(changes)),
    ]
    head = f"\nThe seed app, environment {out['environment']}: {' -> '.join(out['builtParts'])}"
    return "\n".join([head] + [f"  {name:17} {value}" for name, value in rows])


# -- one request, as the seed's README sends it -------------------------------------------


def clients() -> dict:
    import boto3

    session = boto3.Session(aws_access_key_id="demo", aws_secret_access_key="demo", region_name=REGION)
    return {name: session.client(name, endpoint_url=URL) for name in ("s3", "sagemaker-runtime", "sns", "sqs")}


def split(url: str) -> tuple[str, str]:
    bucket, _, key = url[len("s3://"):].partition("/")
    return bucket, key


def listen(aws: dict, out: dict) -> str:
    """A queue subscribed to the success and error topics, as a client of the endpoint would listen."""
    queue = aws["sqs"].create_queue(QueueName=QUEUE)["QueueUrl"]
    arn = aws["sqs"].get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for topic in (out["successTopicArn"], out["errorTopicArn"]):
        aws["sns"].subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    return queue


def fetch(s3, url: str) -> bytes | None:
    bucket, key = split(url)
    try:
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None


def notification(aws: dict, queue: str, inference_id: str, timeout: float = 10.0) -> dict | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = aws["sqs"].receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in answer.get("Messages", []):
            aws["sqs"].delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
            body = json.loads(json.loads(message["Body"])["Message"])
            if body.get("inferenceId") == inference_id:
                return body
    return None


def invoke(out: dict) -> dict:
    """Put the input, call InvokeEndpointAsync, wait for the result and the notification."""
    aws = clients()
    queue = listen(aws, out)
    input_location = out["asyncInputS3Path"].rstrip("/") + "/demo-request.json"
    body = json.dumps(REQUEST).encode()
    bucket, key = split(input_location)
    aws["s3"].put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json")
    print("\nOne request, as the seed's README sends it:")
    print(f"  put input        {input_location} ({len(body)} bytes)")
    started = time.monotonic()
    answer = aws["sagemaker-runtime"].invoke_endpoint_async(
        EndpointName=out["endpointName"],
        ContentType="application/json",
        InputLocation=input_location,
        RequestTTLSeconds=out["requestTtlSeconds"],
    )
    print(f"  InvokeEndpointAsync -> HTTP {answer['ResponseMetadata']['HTTPStatusCode']}, InferenceId {answer['InferenceId']}")
    print(f"  results will be available at: {answer['OutputLocation']}")
    result = failure = None
    deadline = started + 30
    while time.monotonic() < deadline and result is None and failure is None:
        time.sleep(0.1)
        result = fetch(aws["s3"], answer["OutputLocation"])
        failure = fetch(aws["s3"], answer["FailureLocation"]) if answer.get("FailureLocation") else None
    waited = time.monotonic() - started
    if result is not None:
        print(f"  result in S3 after {waited:.1f} s: {result.decode()}")
    elif failure is not None:
        print(f"  FAILED after {waited:.1f} s: {failure.decode()}")
    else:
        print(f"  no result after {waited:.0f} s")
    message = notification(aws, queue, answer["InferenceId"])
    if message is None:
        print("  no notification arrived")
    else:
        topic = "success" if message["invocationStatus"] == "Completed" else "error"
        detail = message.get("responseParameters", {}).get("outputLocation") or message.get("failureReason")
        print(f"  {topic} topic notified: invocationStatus {message['invocationStatus']}, {detail}")
    return {
        "inferenceId": answer["InferenceId"],
        "outputLocation": answer["OutputLocation"],
        "result": json.loads(result) if result is not None else None,
        "notification": message,
    }


def main() -> int:
    action = sys.argv[1] if len(sys.argv) > 1 else "up"
    STATE.mkdir(parents=True, exist_ok=True)
    (STATE / "backend").mkdir(exist_ok=True)
    if action == "up":
        started = time.monotonic()
        if running_emulator():
            print(f"demo: the emulator is still running on {URL}: updating the stack in place")
        else:
            start_emulator()
            forget_stack()  # a fresh emulator holds nothing: start from an empty stack
        result = engine("up")
        print(summary(result["outputs"], result["changes"]))
        request = invoke(result["outputs"])
        (STATE / "last-run.json").write_text(json.dumps({"changes": result["changes"], "outputs": result["outputs"], **request}, indent=2))
        print(f"\ndemo: done in {time.monotonic() - started:.0f} s. The emulator keeps running ({URL});"
              " `make demo` again updates in place, `make demo-destroy` tears everything down.")
        return 0
    if action == "destroy":
        try:
            if running_emulator():
                deleted = engine("destroy")["changes"]["delete"]
                print(f"demo: destroyed ({deleted} resources deleted), emulator stopped")
            else:
                print("demo: the emulator was not running (nothing left in it): stack state removed")
            forget_stack()
        finally:
            stop_emulator()  # also when the destroy failed: the emulator holds nothing worth keeping
        return 0
    raise SystemExit(f"usage: {sys.argv[0]} up|destroy")


if __name__ == "__main__":
    sys.exit(main())
