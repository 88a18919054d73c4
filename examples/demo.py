"""`make demo`: deploy the seed app to a local AWS emulator with the real engine.

up:      starts the emulator in the background (a fresh one each time), deploys
         examples/py-endpoint as stack `dev` (the seed's dev environment: BaseInfra,
         the model, its artifact packed from examples/model and uploaded, and an
         asynchronous endpoint) and shows what was made.
destroy: destroys the demo stack and stops the emulator.

State lives under .state/demo; the emulator listens on 127.0.0.1:$EMULATOR_PORT
(default 4566) and keeps running after `up` so you can look around with any AWS
client: `aws --endpoint-url http://127.0.0.1:4566 sagemaker list-endpoints`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATE = ROOT / ".state" / "demo"
PORT = int(os.environ.get("EMULATOR_PORT", "4566"))
URL = f"http://127.0.0.1:{PORT}"
PIDFILE = STATE / "emulator.pid"
EXAMPLE = ROOT / "examples" / "py-endpoint"
STACK = "dev"


def environment() -> dict[str, str]:
    return {
        **os.environ,
        "AWS_ENDPOINT_URL": URL,
        "AWS_ACCESS_KEY_ID": "demo",
        "AWS_SECRET_ACCESS_KEY": "demo",
        "AWS_REGION": "us-east-1",
        "PULUMI_HOME": str(STATE / "pulumi-home"),
        "PULUMI_BACKEND_URL": f"file://{STATE / 'backend'}",
        "PULUMI_CONFIG_PASSPHRASE": os.environ.get("PULUMI_CONFIG_PASSPHRASE", "demo"),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PATH": f"{ROOT / '.tools' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def stop_emulator() -> None:
    if not PIDFILE.exists():
        return
    try:
        os.kill(int(PIDFILE.read_text()), signal.SIGTERM)
    except (ProcessLookupError, ValueError):
        pass
    PIDFILE.unlink(missing_ok=True)
    time.sleep(0.5)


def start_emulator() -> None:
    stop_emulator()
    log = open(STATE / "emulator.log", "w")
    port_file = STATE / "emulator.port"
    port_file.unlink(missing_ok=True)
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
        if port_file.exists():
            with urllib.request.urlopen(f"{URL}/_emulator/health", timeout=2):
                print(f"demo: local AWS emulator listening on {URL}")
                return
        time.sleep(0.1)
    raise SystemExit("demo: the emulator did not start")


def engine(op: str, *flags: str) -> dict:
    command = [sys.executable, str(ROOT / "tests" / "harness" / "pyrun.py"), str(EXAMPLE), STACK, op, *flags]
    completed = subprocess.run(command, env=environment(), stdout=subprocess.PIPE, text=True)
    result = json.loads(completed.stdout.strip().splitlines()[-1]) if completed.stdout.strip() else {}
    if completed.returncode != 0 and op != "rm":
        raise SystemExit(f"demo: pulumi {op} failed")
    return result


def show_what_was_made() -> None:
    import boto3

    session = boto3.Session(aws_access_key_id="demo", aws_secret_access_key="demo", region_name="us-east-1")
    sagemaker = session.client("sagemaker", endpoint_url=URL)
    s3 = session.client("s3", endpoint_url=URL)
    print("\nIn the emulator:")
    for bucket in s3.list_buckets()["Buckets"]:
        print(f"  s3 bucket        {bucket['Name']}")
        for found in s3.list_objects_v2(Bucket=bucket["Name"]).get("Contents", []):
            print(f"    object         {found['Key']} ({found['Size']} bytes)")
    for model in sagemaker.list_models()["Models"]:
        print(f"  sagemaker model  {model['ModelName']}")
    for endpoint in sagemaker.list_endpoints()["Endpoints"]:
        print(f"  endpoint         {endpoint['EndpointName']}: {endpoint['EndpointStatus']}")


def main() -> int:
    action = sys.argv[1] if len(sys.argv) > 1 else "up"
    STATE.mkdir(parents=True, exist_ok=True)
    (STATE / "backend").mkdir(exist_ok=True)
    if action == "up":
        start_emulator()
        engine("rm", "--force")  # a fresh emulator holds nothing: start from an empty stack
        result = engine("up")
        print("\nStack outputs:")
        for name, value in sorted(result.get("outputs", {}).items()):
            print(f"  {name:24} {json.dumps(value)}")
        show_what_was_made()
        print(f"\nThe emulator keeps running ({URL}); `make demo-destroy` tears everything down.")
        return 0
    if action == "destroy":
        engine("destroy")
        stop_emulator()
        print("demo: destroyed, emulator stopped")
        return 0
    raise SystemExit(f"usage: {sys.argv[0]} up|destroy")


if __name__ == "__main__":
    sys.exit(main())
