"""Another team's project, outside this repository, using the released packages.

The packages are made the way a release makes them (tools/dist): the provider binary the
tests built, packed into Pulumi's plugin archive layout, the npm tarball and the Python
wheel. A project in a temporary directory, written as the README tells another team,

- installs the plugin with `pulumi plugin install resource sagemaker-deployment v<version>
  --file <archive>` into a fresh PULUMI_HOME (no `plugins.providers` path anywhere, no
  plugin downloads: the engine can only find the installed plugin);
- adds the SDK from the npm tarball (a TypeScript program) or, separately, from the wheel
  in a fresh venv (a Python program);
- keeps its state in the self-managed S3 backend on the emulator's S3, as a team shares it;

then deploys and destroys a serverless endpoint through the real engine. The programs are
hosted the way tests/harness does it (Automation API inline programs: the pulumi-language-*
hosts cannot be built here), with the project's own node_modules or venv.

The Python stack also shows the backend's lock: a second `up` started while the first runs
is refused, naming the lock, and the state is intact afterwards.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "emulator"))

from sagemaker_emulator.client import EmulatorProcess  # noqa: E402

PLUGIN = "sagemaker-deployment"
PROVIDER_TYPE = f"pulumi:providers:{PLUGIN}"
PROJECTS = Path(__file__).resolve().parent / "projects"
PULUMI_BIN = ROOT / ".tools" / "bin"
STATE_BUCKET = "team-pulumi-state"
# What the components make, by type (BaseInfra, SageMakerModel, SageMakerServerlessEndpoint).
COMPONENTS = {
    f"{PLUGIN}:index:BaseInfra",
    f"{PLUGIN}:index:SageMakerModel",
    f"{PLUGIN}:index:SageMakerServerlessEndpoint",
}
MODEL_FILES = {"code/inference.py": "def model_fn(model_dir):\n    return None\n", "model.json": '{"labels": ["a", "b"]}\n'}


def workspace_version() -> str:
    return tomllib.loads((ROOT / "Cargo.toml").read_text())["workspace"]["package"]["version"]


def node_pins() -> dict[str, str]:
    """The versions of the Pulumi runtime and the TypeScript toolchain the repository pins."""
    lock = json.loads((ROOT / "examples" / "package-lock.json").read_text())["packages"]
    return {name: lock[f"node_modules/{name}"]["version"] for name in ("@pulumi/pulumi", "typescript", "@types/node")}


def python_pin() -> str:
    pins = (ROOT / "tests" / "requirements.txt").read_text()
    return re.search(r"^pulumi==(\S+)$", pins, re.M).group(0)


def run(command: list[str], cwd: Path, env: dict, timeout: float = 600) -> subprocess.CompletedProcess:
    started = time.monotonic()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    print(f"[consumer] {' '.join(map(str, command))[:90]}: {time.monotonic() - started:.1f}s")
    assert done.returncode == 0, f"{' '.join(map(str, command))} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return done


@dataclass
class Op:
    """One engine operation through the harness: its JSON line and its log."""

    result: dict
    log: str

    @property
    def ok(self) -> bool:
        return self.result.get("result") == "succeeded"

    @property
    def outputs(self) -> dict:
        return self.result.get("outputs", {})

    @property
    def changes(self) -> dict:
        return self.result.get("changes", {})


@dataclass
class Project:
    """The other team's project: its directory, how its program is hosted, its environment."""

    directory: Path
    host: list[str]
    env: dict

    def command(self, stack: str, op: str, *flags: str) -> list[str]:
        return [*self.host, str(self.directory), stack, op, *flags]

    def op(self, stack: str, op: str, *flags: str, expect_ok: bool = True) -> Op:
        started = time.monotonic()
        done = subprocess.run(self.command(stack, op, *flags), env=self.env, capture_output=True, text=True, timeout=600)
        print(f"[consumer] {stack} {op}: {time.monotonic() - started:.1f}s")
        return self.finish(done.stdout, done.stderr, f"{stack} {op}", expect_ok)

    @staticmethod
    def finish(stdout: str, stderr: str, what: str, expect_ok: bool) -> Op:
        lines = [line for line in stdout.splitlines() if line.strip()]
        result = json.loads(lines[-1]) if lines else {"result": "failed", "error": "no result line"}
        outcome = Op(result, stderr)
        if expect_ok:
            assert outcome.ok, f"{what} failed:\n{result.get('error', '')}\n{stderr[-5000:]}"
        return outcome

    def pulumi(self, *args: str) -> str:
        return run([str(PULUMI_BIN / "pulumi"), *args], cwd=self.directory, env=self.env).stdout


class Scratch:
    """A temporary directory outside the repository, removed when the module is done (the
    projects' node_modules and venv are large: pytest's own tmp_path would keep them)."""

    def __init__(self, root: str) -> None:
        self.root = Path(root)

    def mkdir(self, name: str) -> Path:
        path = self.root / name
        path.mkdir()
        return path


@pytest.fixture(scope="module")
def scratch():
    with tempfile.TemporaryDirectory(prefix="team-") as root:
        yield Scratch(root)


@pytest.fixture(scope="module")
def version() -> str:
    return workspace_version()


@pytest.fixture(scope="module")
def emulator():
    with EmulatorProcess(python=sys.executable) as process:
        process.configure(endpoint_creating_seconds=0.5, endpoint_updating_seconds=0.5)
        yield process


@pytest.fixture(scope="module")
def released(scratch, version) -> dict[str, Path]:
    """The release artifacts, packed from what the tests built (bin/, sdk/)."""
    dist = scratch.mkdir("dist")
    binary = ROOT / "bin" / f"pulumi-resource-{PLUGIN}"
    assert binary.exists(), "run `make build` first"
    env = {**os.environ, "ARCHIVE_GZIP_LEVEL": "1"}
    archive = run([str(ROOT / "tools/dist/plugin-archive.sh"), str(binary), "linux", "amd64", version, str(dist)], ROOT, env)
    packages = run([str(ROOT / "tools/dist/sdk-packages.sh"), str(dist)], ROOT, env).stdout.split()
    found = {"archive": Path(archive.stdout.strip())}
    for path in map(Path, packages):
        kind = {".tgz": "npm", ".whl": "wheel", ".gz": "sdist"}[path.suffix]
        found[kind] = path
    assert found["archive"].name == f"pulumi-resource-{PLUGIN}-v{version}-linux-amd64.tar.gz"
    assert found["wheel"].name.startswith(f"pulumi_sagemaker_deployment-{version}-")
    assert found["npm"].name == f"sagemaker-deployment-sdk-{version}.tgz"
    return found


@pytest.fixture(scope="module")
def team_env(scratch, emulator, released, version) -> dict:
    """The team's environment: a fresh PULUMI_HOME with the plugin installed from the archive,
    state in the S3 backend on the emulator, AWS pointed at the emulator."""
    home = scratch.mkdir("team-home")
    emulator.client("s3").create_bucket(Bucket=STATE_BUCKET)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PULUMI_", "AWS_", "PYTHON", "VIRTUAL_ENV", "NODE_PATH", "npm_"))
    }
    env.update(emulator.aws_environment())
    env.update(
        {
            "AWS_REGION": "us-east-1",
            "PULUMI_HOME": str(home / "pulumi-home"),
            # The self-managed S3 backend (Pulumi's state docs: endpoint and s3ForcePathStyle for an
            # S3-compatible store, region for the bucket's region).
            "PULUMI_BACKEND_URL": f"s3://{STATE_BUCKET}?endpoint={emulator.url}&s3ForcePathStyle=true&region=us-east-1",
            "PULUMI_CONFIG_PASSPHRASE": "team-passphrase",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            # Nothing may be downloaded: the installed plugin is the only one the engine can use.
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "SAGEMAKER_DEPLOYMENT_POLL_MS": "100",
            "PATH": f"{PULUMI_BIN}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(home),
            # The machine's package caches (HOME is the team's own).
            "npm_config_cache": os.environ.get("npm_config_cache", str(Path.home() / ".npm")),
            "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip")),
        }
    )
    pulumi = str(PULUMI_BIN / "pulumi")
    run([pulumi, "plugin", "install", "resource", PLUGIN, f"v{version}", "--file", str(released["archive"])], home, env)
    plugins = json.loads(run([pulumi, "plugin", "ls", "--json"], home, env).stdout)
    assert [(p["name"], p["kind"], p["version"]) for p in plugins] == [(PLUGIN, "resource", version)]
    return env


def new_project(scratch: "Scratch", template: str) -> Path:
    directory = scratch.mkdir(f"team-{template}") / "team-inference"
    shutil.copytree(PROJECTS / template, directory)
    for name, text in MODEL_FILES.items():
        (directory / "model" / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / "model" / name).write_text(text)
    return directory


@pytest.fixture(scope="module")
def ts_project(scratch, team_env, released, py_setup) -> Project:
    directory = new_project(scratch, "ts")
    pins = node_pins()
    # The compiler as a development dependency, at the repository's versions.
    manifest = json.loads((directory / "package.json").read_text())
    manifest["devDependencies"] = {"typescript": pins["typescript"], "@types/node": pins["@types/node"]}
    (directory / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    run(
        ["npm", "install", "--no-audit", "--no-fund", "--prefer-offline", "--save-exact", str(released["npm"]), f"@pulumi/pulumi@{pins['@pulumi/pulumi']}"],
        directory,
        team_env,
    )
    return Project(directory, ["node", str(ROOT / "tests" / "harness" / "noderun.js")], team_env)


def python_project_setup(directory: Path, env: dict, wheel: Path) -> Project:
    """A fresh venv with the wheel and the pinned Pulumi runtime, as the team would make it."""
    venv = directory / "venv"
    run([shutil.which("python3") or sys.executable, "-m", "venv", str(venv)], directory, env)
    python = venv / "bin" / "python"
    run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel), python_pin()], directory, env)
    return Project(directory, [str(python), str(ROOT / "tests" / "harness" / "pyrun.py")], env)


@pytest.fixture(scope="module")
def py_setup(scratch, team_env, released):
    """The Python project's venv, made in the background while the TypeScript test runs."""
    directory = new_project(scratch, "py")
    with ThreadPoolExecutor(max_workers=1) as pool:
        yield pool.submit(python_project_setup, directory, team_env, released["wheel"])


@pytest.fixture(scope="module")
def py_project(py_setup) -> Project:
    return py_setup.result(timeout=600)


def assert_free_of_repository_paths(project: Project) -> None:
    """What the team wrote and what npm/pip recorded names no path of this repository."""
    for path in project.directory.rglob("*"):
        if path.is_file() and not {"node_modules", "venv", "bin"} & set(path.relative_to(project.directory).parts):
            assert str(ROOT) not in path.read_text(errors="replace"), f"{path} names the repository"
    assert "plugins" not in (project.directory / "Pulumi.yaml").read_text()


def provider_versions(state: dict) -> list[str]:
    return [r.get("inputs", {}).get("version") for r in state["deployment"]["resources"] if r["type"] == PROVIDER_TYPE]


def assert_deployed(project: Project, stack: str, up: Op, emulator, version: str) -> dict:
    """The endpoint serves, the state holds every resource the `up` made and records the
    installed plugin's version; the state."""
    outputs = up.outputs
    sagemaker = emulator.client("sagemaker")
    assert outputs["endpointName"] == f"team-inference-{stack}"
    endpoint = sagemaker.describe_endpoint(EndpointName=outputs["endpointName"])
    assert endpoint["EndpointStatus"] == "InService"
    assert endpoint["EndpointArn"] == outputs["endpointArn"]
    config = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    [variant] = config["ProductionVariants"]
    assert variant["ServerlessConfig"] == {"MemorySizeInMB": 2048, "MaxConcurrency": 2}
    assert [variant["ModelName"]] == outputs["modelNames"]
    model = sagemaker.describe_model(ModelName=variant["ModelName"])
    assert model["PrimaryContainer"]["ModelDataUrl"] == f"s3://{outputs['modelArtifactBucketName']}/models/team-model/v1/model.tar.gz"

    state = json.loads(project.pulumi("stack", "export", "--stack", stack))
    types = {r["type"] for r in state["deployment"]["resources"]}
    assert COMPONENTS <= types, types
    assert f"{PLUGIN}:sagemaker:Endpoint" in types, types
    resources = [r for r in state["deployment"]["resources"] if r["type"] != PROVIDER_TYPE]
    assert len(resources) == up.changes["create"], (len(resources), up.changes)
    assert set(provider_versions(state)) == {version}
    # The stack lives in the team's bucket, not on this machine.
    keys = [o["Key"] for o in emulator.client("s3").list_objects_v2(Bucket=STATE_BUCKET).get("Contents", [])]
    assert any(key.endswith(f"/{stack}.json") for key in keys), keys
    return state


def assert_destroyed(emulator, outputs: dict) -> None:
    sagemaker = emulator.client("sagemaker")
    assert sagemaker.list_endpoints()["Endpoints"] == []
    assert sagemaker.list_endpoint_configs()["EndpointConfigs"] == []
    assert sagemaker.list_models()["Models"] == []
    buckets = {b["Name"] for b in emulator.client("s3").list_buckets()["Buckets"]}
    assert buckets == {STATE_BUCKET}, buckets
    roles = [r["RoleName"] for r in emulator.client("iam").list_roles()["Roles"]]
    assert not [r for r in roles if r.startswith("team-inference")], roles


def test_a_typescript_project_deploys_from_the_npm_tarball_and_the_installed_plugin(ts_project, emulator, version):
    assert_free_of_repository_paths(ts_project)
    installed = json.loads((ts_project.directory / "node_modules" / "@sagemaker-deployment" / "sdk" / "package.json").read_text())
    assert installed["version"] == installed["pulumi"]["version"] == version

    up = ts_project.op("ts", "up")
    assert_deployed(ts_project, "ts", up, emulator, version)
    assert ts_project.op("ts", "preview", "--expect-no-changes", "--no-build").changes["create"] == 0

    ts_project.op("ts", "destroy")
    assert_destroyed(emulator, up.outputs)
    ts_project.op("ts", "rm")


def lock_keys(emulator) -> list[str]:
    listed = emulator.client("s3").list_objects_v2(Bucket=STATE_BUCKET, Prefix=".pulumi/locks/")
    return [o["Key"] for o in listed.get("Contents", [])]


def test_a_python_project_deploys_from_the_wheel_and_the_backend_lock_refuses_a_second_up(py_project, emulator, version):
    assert_free_of_repository_paths(py_project)
    # A slower endpoint creation keeps the first `up` running while the second one starts.
    emulator.configure(endpoint_creating_seconds=8)
    emulator.clear_requests()
    try:
        first = subprocess.Popen(
            py_project.command("py", "up"), env=py_project.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        # The first `up` is in the middle of its update once it asked for the endpoint.
        deadline = time.monotonic() + 180
        while "CreateEndpoint" not in emulator.operations("sagemaker") and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        if first.poll() is not None or not lock_keys(emulator):
            first.kill()
            stdout, stderr = first.communicate()
            pytest.fail(f"the first up holds no lock while it creates the endpoint (status {first.returncode}):\n{stdout[-2000:]}\n{stderr[-5000:]}")
        second = py_project.op("py", "up", expect_ok=False)
        assert first.poll() is None, "the first up ended before the second was refused: the lock was not contested"
        stdout, stderr = first.communicate(timeout=600)
    finally:
        emulator.configure(endpoint_creating_seconds=0.5)
    assert not second.ok
    error = second.result["error"]
    assert "the stack is currently locked by 1 lock(s)" in error, error
    assert ".pulumi/locks/" in error, error
    up = Project.finish(stdout, stderr, "py up (the first)", expect_ok=True)
    assert lock_keys(emulator) == []

    # Nothing corrupted: the state parses and holds every resource, and a preview has nothing to do.
    assert_deployed(py_project, "py", up, emulator, version)
    assert py_project.op("py", "preview", "--expect-no-changes").changes["create"] == 0

    py_project.op("py", "destroy")
    assert_destroyed(emulator, up.outputs)
    py_project.op("py", "rm")
