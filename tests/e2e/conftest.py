"""Fixtures for the end-to-end tests: the local AWS emulator and the real
Pulumi engine driving the examples (see tests/harness/README.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "emulator"))

from sagemaker_emulator.client import EmulatorProcess  # noqa: E402

DRIVERS = {
    "python": [sys.executable, str(ROOT / "tests" / "harness" / "pyrun.py")],
    "typescript": ["node", str(ROOT / "tests" / "harness" / "noderun.js")],
    "go": [sys.executable, str(ROOT / "tests" / "harness" / "gorun.py")],
}


@dataclass
class Outcome:
    """One engine operation: the driver's JSON line, its log, how long it took."""

    op: str
    result: dict
    log: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.result.get("result") == "succeeded"

    @property
    def changes(self) -> dict:
        return self.result.get("changes", {})

    @property
    def outputs(self) -> dict:
        return self.result.get("outputs", {})

    @property
    def error(self) -> str:
        return self.result.get("error", "") + self.log


@dataclass
class Stack:
    """One Pulumi stack of one example, run through one language driver."""

    engine: "Engine"
    language: str
    example: str
    name: str
    config: dict[str, str] = field(default_factory=dict)

    def run(self, op: str, *flags: str, config: dict[str, str] | None = None, expect_ok: bool = True) -> Outcome:
        command = [*DRIVERS[self.language], str(ROOT / "examples" / self.example), self.name, op, *flags]
        for key, value in (config or {}).items():
            command += ["--config", f"{key}={value}"]
        started = time.monotonic()
        completed = subprocess.run(command, capture_output=True, text=True, env=self.engine.env, timeout=600)
        seconds = time.monotonic() - started
        lines = [line for line in completed.stdout.splitlines() if line.strip()]
        result = json.loads(lines[-1]) if lines else {"result": "failed", "error": "no result line"}
        outcome = Outcome(op, result, completed.stderr, seconds)
        if expect_ok:
            assert outcome.ok, f"{self.example}/{self.name} {op} failed:\n{outcome.error[-4000:]}"
        return outcome

    @property
    def settings_file(self) -> Path:
        """The stack's Pulumi.<stack>.yaml, in this engine's own workspace of the example."""
        example = (ROOT / "examples" / self.example).resolve()
        mirror = str(example.parent.relative_to(ROOT)).replace(os.sep, "--")
        return Path(self.engine.env["HARNESS_WORKSPACES"]) / mirror / example.name / f"Pulumi.{self.name}.yaml"

    def remove(self) -> None:
        self.run("rm", "--force", expect_ok=False)
        self.settings_file.unlink(missing_ok=True)


class Engine:
    """The real Pulumi engine with a file backend in a temporary directory,
    pointed at the emulator through the standard AWS environment variables."""

    def __init__(self, emulator: EmulatorProcess, home: Path) -> None:
        (home / "backend").mkdir(parents=True, exist_ok=True)
        self.env = {
            # Programs import the SDK with its bytecode cached, as pip leaves an
            # installed package (a shell with PYTHONDONTWRITEBYTECODE would otherwise
            # compile the whole SDK from source at every run, ~0.2 s).
            **{name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"},
            **emulator.aws_environment(),
            "AWS_ENDPOINT_URL": emulator.url,
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "PULUMI_HOME": str(home / "pulumi-home"),
            "PULUMI_BACKEND_URL": f"file://{home / 'backend'}",
            "PULUMI_CONFIG_PASSPHRASE": "e2e-tests",
            # Stack settings files of this engine's own (tests/harness: workspace_dir): tests
            # running in parallel workers may use the same example and stack name.
            "HARNESS_WORKSPACES": str(home / "workspaces"),
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "SAGEMAKER_DEPLOYMENT_POLL_MS": "100",
            "PATH": f"{ROOT / '.tools' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        }


@pytest.fixture(scope="session")
def emulator():
    with EmulatorProcess(python=sys.executable) as process:
        yield process


@pytest.fixture(scope="session")
def engine(emulator, tmp_path_factory) -> Engine:
    return Engine(emulator, tmp_path_factory.mktemp("engine"))


@pytest.fixture
def aws(emulator):
    """boto3 clients for checking what the emulator holds."""

    def client(service: str):
        return emulator.client(service)

    return client


@pytest.fixture
def fresh_emulator(emulator):
    """The emulator emptied, with short but real endpoint transitions."""
    emulator.reset()
    emulator.configure(endpoint_creating_seconds=0.5, endpoint_updating_seconds=0.5)
    return emulator


def mutating(operations: list[str]) -> list[str]:
    """The operations that change something in AWS."""
    readonly = ("Describe", "Get", "List", "Head")
    return [op for op in operations if op and not op.startswith(readonly)]


def resource_calls(requests: list[dict]) -> list[dict]:
    """The calls that read or change AWS resources: all but STS
    GetCallerIdentity, which BaseInfra makes at preview too (its bucket, role
    and alias names hash the account) and which needs no permission."""
    return [r for r in requests if (r["service"], r["operation"]) != ("sts", "GetCallerIdentity")]
