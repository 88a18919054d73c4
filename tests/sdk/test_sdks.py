"""The generated SDKs build and expose every component: Go builds, the
Node.js package loads (compiled by `make node-sdk`), Python imports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMPONENTS = [
    "BaseInfra",
    "SageMakerModel",
    "SageMakerEndpoint",
    "SageMakerAsyncEndpoint",
    "SageMakerServerlessEndpoint",
    "AppConfig",
    "MonitorDashboard",
    "Workflow",
    "Deployment",
]
# Provider functions: (schema token name, Python name).
FUNCTIONS = [
    ("validateConfig", "validate_config"),
    ("deployerPolicy", "deployer_policy"),
    ("endpointConfigPlan", "endpoint_config_plan"),
    ("getModelParameters", "get_model_parameters"),
    ("dashboardBody", "dashboard_body"),
]


def test_every_schema_resource_is_in_the_sdks():
    schema = json.loads((ROOT / "schema.json").read_text())
    tokens = sorted(schema["resources"])
    assert "sagemaker-deployment:s3:BucketObject" in tokens
    # Each resource has its Node.js module: <module>/<name>.ts (index: top level).
    for token in tokens:
        _, module, name = token.split(":")
        file = f"{name[0].lower()}{name[1:]}.ts"
        path = ROOT / "sdk" / "nodejs" / file if module == "index" else ROOT / "sdk" / "nodejs" / module / file
        assert path.is_file(), f"{token}: no {path.relative_to(ROOT)}"
    index = (ROOT / "sdk" / "nodejs" / "index.ts").read_text()
    for component in COMPONENTS:
        assert f"sagemaker-deployment:index:{component}" in tokens
        assert component in index
    for function, _ in FUNCTIONS:
        assert f"sagemaker-deployment:index:{function}" in schema["functions"]
        assert function in index


def test_python_sdk_imports():
    import pulumi_sagemaker_deployment as sdk

    for component in COMPONENTS:
        assert hasattr(sdk, component), component
    for _, function in FUNCTIONS:
        assert callable(getattr(sdk, function)), function
        assert callable(getattr(sdk, f"{function}_output")), function
    assert sdk.sagemaker.Endpoint.__name__ == "Endpoint"
    assert sdk.s3.BucketObject.__name__ == "BucketObject"


def test_nodejs_sdk_loads():
    script = (
        "const sdk = require('@sagemaker-deployment/sdk');"
        f"for (const c of {json.dumps(COMPONENTS)}) {{ if (typeof sdk[c] !== 'function') throw new Error(c); }}"
        "if (typeof sdk.s3.BucketObject !== 'function') throw new Error('s3.BucketObject');"
        f"for (const f of {json.dumps([name for name, _ in FUNCTIONS])}) {{ if (typeof sdk[f] !== 'function') throw new Error(f); }}"
        "console.log(Object.keys(sdk).length);"
    )
    completed = subprocess.run(["node", "-e", script], cwd=ROOT / "examples", capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    assert int(completed.stdout) >= len(COMPONENTS)


def test_go_sdk_builds(tmp_path):
    copy = tmp_path / "go"
    shutil.copytree(ROOT / "sdk" / "go", copy)
    env = {
        **os.environ,
        "GOFLAGS": "-mod=mod",
        "GOMODCACHE": os.environ.get("GOMODCACHE", str(Path.home() / ".cache" / "go-mod")),
        "GOCACHE": os.environ.get("GOCACHE", str(Path.home() / ".cache" / "go-build")),
    }
    for command in (["go", "mod", "tidy"], ["go", "build", "./..."], ["go", "vet", "./..."]):
        completed = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, timeout=900)
        assert completed.returncode == 0, f"{' '.join(command)}:\n{completed.stderr[-3000:]}"
