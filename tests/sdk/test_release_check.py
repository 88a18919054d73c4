"""`make release-check` (tools/release_check.py): one version everywhere, and a clear failure
naming the file and both versions when one place disagrees. The failures are made on a copy of
the repository's version-carrying files in a temporary directory, each with one version changed;
`make version`'s file edits (tools/set_version.py) are checked the same way."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "tools" / "release_check.py"
SET_VERSION = ROOT / "tools" / "set_version.py"
BINARY = ROOT / "bin" / "pulumi-resource-sagemaker-deployment"
PULUMI = ROOT / ".tools" / "bin" / "pulumi"
VERSION = tomllib.loads((ROOT / "Cargo.toml").read_text())["workspace"]["package"]["version"]
OTHER = "9.8.7"
FILES = [
    "Cargo.toml",
    "Cargo.lock",
    "schema.json",
    "CHANGELOG.md",
    "sdk/nodejs/package.json",
    "sdk/python/pyproject.toml",
    "sdk/python/pulumi_sagemaker_deployment/pulumi-plugin.json",
    "sdk/go/sagemakerdeployment/pulumi-plugin.json",
    "sdk/go/sagemakerdeployment/internal/pulumiUtilities.go",
]


def run_check(root: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(CHECK), "--root", str(root), *extra], capture_output=True, text=True, timeout=180
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    for name in FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def test_the_repository_agrees_with_itself():
    result = run_check(ROOT)
    assert result.returncode == 0, result.stderr
    assert f"version {VERSION}" in result.stdout


def test_the_built_binary_reports_the_cargo_version():
    assert BINARY.exists(), "make build first (make sdk-test does)"
    printed = subprocess.run([str(BINARY), "--version"], capture_output=True, text=True, timeout=30)
    assert printed.stdout.strip() == VERSION
    result = run_check(ROOT, "--binary", str(BINARY), "--pulumi", str(PULUMI))
    assert result.returncode == 0, result.stderr
    assert "--version" not in result.stderr and "other places" in result.stdout


@pytest.mark.parametrize(
    "name, old, new",
    [
        ("schema.json", f'"version": "{VERSION}"', f'"version": "{OTHER}"'),
        ("sdk/nodejs/package.json", f'"version": "{VERSION}"', f'"version": "{OTHER}"'),
        ("sdk/python/pyproject.toml", f'version = "{VERSION}"', f'version = "{OTHER}"'),
        ("sdk/go/sagemakerdeployment/internal/pulumiUtilities.go", f'MustParse("{VERSION}")', f'MustParse("{OTHER}")'),
        ("sdk/go/sagemakerdeployment/pulumi-plugin.json", f'"version": "{VERSION}"', f'"version": "{OTHER}"'),
        ("CHANGELOG.md", f"## [{VERSION}]", f"## [{OTHER}]"),
    ],
)
def test_one_place_that_differs_fails_naming_the_file_and_both_versions(copy, name, old, new):
    assert run_check(copy).returncode == 0
    replace_once(copy / name, old, new)
    result = run_check(copy)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("  ")]
    assert len(lines) == 1, result.stderr
    found, cargo = lines[0].split(", Cargo.toml")
    # The Go SDK writes its version twice: one changed shows both.
    assert name in found and " has " in found and OTHER in found.split(" has ")[1], lines[0]
    assert cargo == f" [workspace.package] has {VERSION}", lines[0]


def test_a_changelog_without_an_entry_for_the_version_fails(copy):
    changelog = copy / "CHANGELOG.md"
    changelog.write_text(re.sub(r"^## \[\d[^\]]*\].*$", "", changelog.read_text(), flags=re.MULTILINE))
    result = run_check(copy)
    assert result.returncode == 1
    assert "CHANGELOG.md (top released entry" in result.stderr and "has no version" in result.stderr


def test_a_new_cargo_version_alone_fails_everywhere_else_and_against_the_binary(copy):
    replace_once(copy / "Cargo.toml", f'version = "{VERSION}"', f'version = "{OTHER}"')
    result = run_check(copy, "--binary", str(BINARY), "--pulumi", str(PULUMI))
    assert result.returncode == 1
    wrong = [line for line in result.stderr.splitlines() if line.startswith("  ")]
    assert all(f"has {VERSION}," in line and f"has {OTHER}" in line for line in wrong), wrong
    named = "\n".join(wrong)
    for place in ["schema.json", "package.json", "pyproject.toml", "pulumiUtilities.go", "CHANGELOG.md",
                  "Cargo.lock", "--version", "GetSchema"]:
        assert place in named, (place, named)


def test_set_version_rewrites_cargo_toml_and_releases_the_unreleased_entry(tmp_path):
    for name in ["Cargo.toml", "CHANGELOG.md"]:
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "tools").mkdir()
    shutil.copy(SET_VERSION, tmp_path / "tools" / "set_version.py")
    script = tmp_path / "tools" / "set_version.py"
    done = subprocess.run([sys.executable, str(script), OTHER], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    cargo = tomllib.loads((tmp_path / "Cargo.toml").read_text())
    assert cargo["workspace"]["package"]["version"] == OTHER
    # Only [workspace.package] changed: the dependencies' versions are as they were.
    assert cargo["workspace"]["dependencies"] == tomllib.loads((ROOT / "Cargo.toml").read_text())["workspace"]["dependencies"]
    headings = re.findall(r"^## \[([^\]]+)\]", (tmp_path / "CHANGELOG.md").read_text(), re.MULTILINE)
    assert headings[:3] == ["Unreleased", OTHER, VERSION]
    bad = subprocess.run([sys.executable, str(script), "v1.2"], capture_output=True, text=True, timeout=30)
    assert bad.returncode == 2 and "semantic version" in bad.stderr


def test_the_schema_tells_the_engine_where_to_download_the_plugin():
    schema = json.loads((ROOT / "schema.json").read_text())
    assert schema["pluginDownloadURL"] == "github://api.github.com/sagemaker-deployment/sagemaker-deployment"
    package_json = json.loads((ROOT / "sdk/nodejs/package.json").read_text())
    assert package_json["pulumi"]["server"] == schema["pluginDownloadURL"]
    for plugin_json in ROOT.glob("sdk/*/*/pulumi-plugin.json"):
        assert json.loads(plugin_json.read_text())["server"] == schema["pluginDownloadURL"], plugin_json
