"""Test helper: run the emulator as a subprocess and drive its control API.

Example (a pytest fixture)::

    @pytest.fixture(scope="session")
    def emulator():
        with EmulatorProcess() as running:
            yield running

    def test_something(emulator):
        emulator.reset()
        sm = emulator.client("sagemaker")
        ...
        assert "UpdateEndpoint" in [r["operation"] for r in emulator.requests("sagemaker")]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

PACKAGE_PARENT = Path(__file__).resolve().parent.parent
DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class EmulatorError(RuntimeError):
    """The emulator did not start, or a control call failed."""


class EmulatorProcess:
    """The emulator in a child process on a free loopback port.

    ``start()`` (or ``with``) launches it and waits for ``/_emulator/health``;
    ``url`` is then the endpoint URL to give AWS SDKs.
    """

    def __init__(
        self,
        python: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        env: dict[str, str] | None = None,
        startup_timeout: float = 60.0,
        extra_args: list[str] | None = None,
    ) -> None:
        self.python = python or sys.executable
        self.host = host
        self.requested_port = port
        self.env = env or {}
        self.startup_timeout = startup_timeout
        self.extra_args = extra_args or []
        self.port: int | None = None
        self._process: subprocess.Popen | None = None
        self._workdir: tempfile.TemporaryDirectory | None = None

    # -- process ----------------------------------------------------------------

    @property
    def url(self) -> str:
        if self.port is None:
            raise EmulatorError("the emulator is not running")
        return f"http://{self.host}:{self.port}"

    def start(self) -> EmulatorProcess:
        """Launch the emulator and wait until it answers health checks."""
        if self._process is not None:
            return self
        self._workdir = tempfile.TemporaryDirectory(prefix="sagemaker-emulator-")
        port_file = Path(self._workdir.name) / "port"
        self._log_path = Path(self._workdir.name) / "emulator.log"
        env = dict(os.environ)
        env.update(self.env)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_PARENT), env.get("PYTHONPATH")]))
        command = [
            self.python, "-m", "sagemaker_emulator",
            "--host", self.host, "--port", str(self.requested_port), "--port-file", str(port_file),
            *self.extra_args,
        ]
        log = open(self._log_path, "wb")
        try:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        finally:
            log.close()
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise EmulatorError(f"the emulator exited with {self._process.returncode}:\n{self.output()}")
            if self.port is None and port_file.exists():
                self.port = int(port_file.read_text().strip())
            if self.port is not None and self._healthy():
                return self
            time.sleep(0.1)
        self.stop()
        raise EmulatorError(f"the emulator did not become healthy in {self.startup_timeout} s")

    def output(self) -> str:
        """What the emulator printed so far (stdout and stderr)."""
        try:
            return self._log_path.read_text(errors="replace")
        except (AttributeError, OSError):
            return ""

    def stop(self) -> None:
        """Stop the emulator (SIGTERM, then SIGKILL after 10 s)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.port = None
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    # -- control API --------------------------------------------------------------

    def _call(self, method: str, path: str, payload: Any = None) -> Any:
        data = json.dumps(payload).encode("utf-8") if payload is not None else (b"" if method == "POST" else None)
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raise EmulatorError(f"{method} {path}: HTTP {error.code}: {error.read().decode(errors='replace')}") from None

    def _healthy(self) -> bool:
        try:
            return self._call("GET", "/_emulator/health") == {"status": "ok"}
        except (OSError, EmulatorError, ValueError):
            return False

    def health(self) -> dict:
        return self._call("GET", "/_emulator/health")

    def reset(self) -> None:
        """Reset moto and all emulator state (log, faults, settings, timelines)."""
        self._call("POST", "/_emulator/reset")

    def requests(self, service: str | None = None, operation: str | None = None) -> list[dict]:
        """The request log: ``[{"service", "operation", "time", "region", "status", "path", "headers", "body"}, ...]``."""
        query = urllib.parse.urlencode({k: v for k, v in (("service", service), ("operation", operation)) if v})
        return self._call("GET", "/_emulator/requests" + (f"?{query}" if query else ""))

    def operations(self, service: str | None = None) -> list[str]:
        """Just the operation names of the request log, in order."""
        return [entry["operation"] for entry in self.requests(service)]

    def clear_requests(self) -> None:
        self._call("POST", "/_emulator/requests/reset")

    def configure(self, **settings: Any) -> dict:
        """Change settings, e.g. ``configure(endpoint_updating_seconds=0.3)``; returns them all."""
        return self._call("POST", "/_emulator/config", settings)

    def config(self) -> dict:
        return self._call("GET", "/_emulator/config")

    def inject_fault(
        self,
        kind: str,
        service: str,
        operation: str | None = None,
        count: int = 1,
        message: str | None = None,
        seconds: float | None = None,
    ) -> list[dict]:
        """Hit the next ``count`` matching calls with a fault of ``kind`` (``throttle``,
        ``server_error``, ``unavailable``, ``validation`` (answering ``message``),
        ``reset_before``, ``reset_after``, ``delay`` (of ``seconds``), ``endpoint_failure`` (endpoint and inference
        component creates and updates))."""
        spec: dict[str, Any] = {"service": service, "count": count}
        if operation:
            spec["operation"] = operation
        if message:
            spec["message"] = message
        if seconds is not None:
            spec["seconds"] = seconds
        return self._call("POST", "/_emulator/faults", {kind: spec})

    def random_faults(
        self,
        seed: int,
        probability: float,
        kinds: list[str] | dict[str, float] | None = None,
        services: list[str] | None = None,
        operations: list[str] | None = None,
        delay_seconds: float | None = None,
    ) -> dict:
        """Hit each matching call with a fault with ``probability``, drawn from ``random.Random(seed)``."""
        spec: dict[str, Any] = {"seed": seed, "probability": probability}
        for key, value in (("kinds", kinds), ("services", services), ("operations", operations), ("delay_seconds", delay_seconds)):
            if value is not None:
                spec[key] = value
        return self._call("POST", "/_emulator/faults/random", spec)

    def stop_random_faults(self) -> None:
        self._call("POST", "/_emulator/faults/random/reset")

    def injected_faults(self) -> dict:
        """``{"total", "by_kind": {kind: n}, "by_call": [{kind, service, operation, count}]}``."""
        return self._call("GET", "/_emulator/faults/injected")

    def clear_injected_faults(self) -> None:
        self._call("POST", "/_emulator/faults/injected/reset")

    def faults(self) -> list[dict]:
        return self._call("GET", "/_emulator/faults")

    def confirm_subscription(self, subscription_arn: str) -> dict:
        """Confirm a pending e-mail subscription, as its owner would by following the link SNS mailed."""
        return self._call("POST", "/_emulator/sns/confirm-subscription", {"subscription_arn": subscription_arn})

    def system_update(self, endpoint_name: str, seconds: float, region: str = "us-east-1", failure_reason: str | None = None) -> dict:
        """Put an InService SageMaker endpoint into ``SystemUpdating`` (maintenance) for ``seconds``; then
        ``InService``, or ``Failed`` with ``failure_reason`` when given."""
        body: dict[str, Any] = {"endpoint_name": endpoint_name, "seconds": seconds, "region": region}
        if failure_reason is not None:
            body["failure_reason"] = failure_reason
        return self._call("POST", "/_emulator/sagemaker/system-update", body)

    def set_training_final_metric(self, name: str, value: float, training_job_name: str | None = None) -> dict:
        """The value the final metric ``name`` has in ``FinalMetricDataList`` when training jobs (or that job) complete."""
        body: dict[str, Any] = {"name": name, "value": value}
        if training_job_name is not None:
            body["training_job_name"] = training_job_name
        return self._call("POST", "/_emulator/training/final-metric", body)

    def fail_appconfig_deployment(
        self, application_id: str, environment_id: str, deployment_number: int | None = None, region: str = "us-east-1"
    ) -> dict:
        """Fail the environment's DEPLOYING or BAKING AppConfig deployment now (it rolls back); returns the deployment."""
        body: dict[str, Any] = {"application_id": application_id, "environment_id": environment_id, "region": region}
        if deployment_number is not None:
            body["deployment_number"] = deployment_number
        return self._call("POST", "/_emulator/appconfig/deployment-failure", body)

    def clear_faults(self) -> None:
        """Drop queued faults and stop random ones (the injected counts stay)."""
        self._call("POST", "/_emulator/faults/reset")

    def search_state(self, text: str) -> dict:
        """Where everything the emulator holds (all of moto's backends, the hooks' state) contains ``text``:
        ``{"matches": [{"path", "owner_arn"}, ...], "values_scanned": n}``."""
        return self._call("POST", "/_emulator/state/search", {"text": text})

    # -- SDK convenience ----------------------------------------------------------------

    def client(
        self,
        service: str,
        region: str = "us-east-1",
        total_max_attempts: int | None = None,
        protocol: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """A boto3 client for ``service`` pointed at the emulator, with dummy credentials.

        ``total_max_attempts=1`` disables botocore's retries (note that botocore's
        ``retries={"max_attempts": N}`` counts retries *after* the first attempt); it is
        merged into a ``config`` given too. ``protocol`` forces one of the service's wire
        protocols, e.g. ``"smithy-rpc-v2-cbor"`` for CloudWatch as the Rust SDK calls it
        (botocore itself prefers ``json`` there).
        """
        import boto3
        from botocore.config import Config

        if total_max_attempts is not None:
            retries = Config(retries={"total_max_attempts": total_max_attempts})
            kwargs["config"] = kwargs["config"].merge(retries) if kwargs.get("config") else retries
        make_client = boto3.client
        if protocol is not None:
            from .sdk_protocol import session_speaking

            make_client = session_speaking(service, protocol).client
        return make_client(
            service,
            endpoint_url=self.url,
            region_name=region,
            aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=DUMMY_CREDENTIALS["AWS_SESSION_TOKEN"],
            **kwargs,
        )

    def aws_environment(self) -> dict[str, str]:
        """Environment variables that point AWS SDKs and CLIs at the emulator."""
        return {**DUMMY_CREDENTIALS, "AWS_ENDPOINT_URL": self.url}
