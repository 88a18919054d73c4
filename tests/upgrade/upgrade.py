"""Recorded stacks of earlier releases, and how to bring one back under the binary in bin/.

A fixture, tests/upgrade/fixtures/v<version>/<name>/, is what a user of that release had:

- the program (`__main__.py`, `Pulumi.yaml`) and the stack's config (`Pulumi.dev.yaml`);
- the state that release's `up` left (`state.json`, `pulumi stack export`);
- beside them, ../config and ../model: the documents and the model artifact the programs read.

The programs are the Python examples of that release, with the model artifact named by a path
relative to the program's directory, so that the recorded inputs do not depend on where the
fixture sits. `python tests/upgrade/upgrade.py record` (tools/record-upgrade-fixture.sh)
deploys them with bin/ against the emulator and writes the fixture of the workspace version.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PULUMI = ROOT / ".tools" / "bin" / "pulumi"
PYRUN = ROOT / "tests" / "harness" / "pyrun.py"
STACK = "dev"
PASSPHRASE = "upgrade-fixtures"
PROVIDER_TYPE = "pulumi:providers:sagemaker-deployment"
# The recorded programs: fixture name -> the example it copies, its stack config.
PROGRAMS = {
    "endpoint": ("py-endpoint", {"modelArtifact": "../model"}),
    "deployment": ("py-deployment", {}),
}

sys.path.insert(0, str(ROOT / "tests" / "emulator"))


def workspace_version() -> str:
    return tomllib.loads((ROOT / "Cargo.toml").read_text())["workspace"]["package"]["version"]


def engine_env(emulator, home: Path) -> dict:
    """The real engine on a file backend under `home`, AWS pointed at the emulator."""
    (home / "backend").mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        **emulator.aws_environment(),
        "AWS_REGION": "us-east-1",
        "PULUMI_HOME": str(home / "pulumi-home"),
        "PULUMI_BACKEND_URL": f"file://{home / 'backend'}",
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "SAGEMAKER_DEPLOYMENT_POLL_MS": "100",
        "PATH": f"{PULUMI.parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def with_local_provider(program: Path) -> None:
    """Point the copy's Pulumi.yaml at the binary under test (bin/), as the examples do."""
    text = (program / "Pulumi.yaml").read_text()
    assert "plugins:" not in text
    (program / "Pulumi.yaml").write_text(
        text + f"plugins:\n  providers:\n    - name: sagemaker-deployment\n      path: {ROOT / 'bin'}\n"
    )


def pyrun(program: Path, op: str, env: dict, *flags: str) -> dict:
    done = subprocess.run(
        [sys.executable, str(PYRUN), str(program), STACK, op, *flags], env=env, capture_output=True, text=True, timeout=600
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    result = json.loads(lines[-1]) if lines else {"result": "failed", "error": "no result line"}
    result["log"] = done.stderr
    return result


def pulumi(program: Path, env: dict, *args: str) -> str:
    done = subprocess.run([str(PULUMI), *args], cwd=program, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"pulumi {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def write_program(name: str, destination: Path) -> None:
    """The example's program as a user of this release had it, with a relative artifact path."""
    example, _ = PROGRAMS[name]
    destination.mkdir(parents=True)
    source = (ROOT / "examples" / example / "__main__.py").read_text()
    source = source.replace('str(here.parent / "model")', '"../model"')
    (destination / "__main__.py").write_text(source)
    manifest = (ROOT / "examples" / example / "Pulumi.yaml").read_text()
    (destination / "Pulumi.yaml").write_text(manifest.split("plugins:")[0])


def without_source_positions(value) -> None:
    """Drop the engine's `sourcePosition`s (where the program registered a resource or an
    operation: paths into this machine's Python SDK), which are no input and nothing the engine
    diffs."""
    if isinstance(value, dict):
        value.pop("sourcePosition", None)
        value.pop("sourcePositions", None)
        for item in value.values():
            without_source_positions(item)
    elif isinstance(value, list):
        for item in value:
            without_source_positions(item)


def record(version: str) -> Path:
    """Deploy each program with bin/ against a fresh emulator and write fixtures/v<version>/."""
    import tempfile

    from sagemaker_emulator.client import EmulatorProcess

    target = FIXTURES / f"v{version}"
    if target.exists():
        raise SystemExit(f"{target.relative_to(ROOT)} exists: a release's fixture is not rewritten")
    with tempfile.TemporaryDirectory() as scratch, EmulatorProcess(python=sys.executable) as emulator:
        staged = Path(scratch) / f"v{version}"
        shutil.copytree(ROOT / "examples" / "config", staged / "config")
        shutil.copytree(ROOT / "examples" / "model", staged / "model")
        for name, (_, config) in PROGRAMS.items():
            emulator.reset()  # the programs make objects of the same names
            emulator.configure(endpoint_creating_seconds=0.5, endpoint_updating_seconds=0.5)
            write_program(name, staged / name)
            work = Path(scratch) / "work" / f"v{version}"
            shutil.copytree(staged, work, dirs_exist_ok=True)
            with_local_provider(work / name)
            env = engine_env(emulator, Path(scratch) / "home")
            flags = [f for key, value in config.items() for f in ("--config", f"{key}={value}")]
            result = pyrun(work / name, "up", env, *flags)
            if result["result"] != "succeeded":
                raise SystemExit(f"{name}: up failed:\n{result.get('error')}\n{result['log'][-4000:]}")
            state = json.loads(pulumi(work / name, env, "stack", "export", "--stack", STACK))
            without_source_positions(state)
            (staged / name / "state.json").write_text(json.dumps(state, indent=2, sort_keys=True) + "\n")
            shutil.copy(work / name / f"Pulumi.{STACK}.yaml", staged / name / f"Pulumi.{STACK}.yaml")
            print(f"{name}: {len(state['deployment']['resources'])} resources recorded")
        for recorded in staged.glob("*/state.json"):
            for line in recorded.read_text().splitlines():
                if scratch in line or str(ROOT) in line or "ciphertext" in line:
                    raise SystemExit(f"{recorded.parent.name}: the state names a path of this machine or holds a secret: {line.strip()}")
        shutil.copytree(staged, target)
    return target


if __name__ == "__main__":
    if sys.argv[1:] != ["record"]:
        raise SystemExit("usage: upgrade.py record")
    print(record(workspace_version()).relative_to(ROOT))
