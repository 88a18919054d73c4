#!/usr/bin/env python3
"""Fail when the places that carry the release version disagree.

The version has one source, `[workspace.package] version` in Cargo.toml; every other place
is derived from it (Cargo.lock by cargo, schema.json by the binary's GetSchema, sdk/ by
`make sdk`) or written by hand for it (CHANGELOG.md's top released entry). This compares them
all and names each file that differs, with both versions.

Usage: release_check.py [--root DIR] [--binary PATH --pulumi PATH]

With --binary, the built provider is asked too: `--version`, and its GetSchema through
`pulumi package get-schema` (--pulumi is the CLI to use).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

CRATES = ("sagemaker-deployment-provider", "pulumi-provider-framework")
CHANGELOG_ENTRY = re.compile(r"^## \[(?P<version>[^\]]+)\]", re.MULTILINE)
GO_SDK_VERSION = re.compile(r'semver\.MustParse\("(?P<version>[^"]*)"\)')


@dataclass(frozen=True)
class Found:
    """One place that carries a version: where, and what it says."""

    place: str
    version: str | None


def pep440(version: str) -> str:
    """The Python packaging form of a semantic version, as Pulumi's Python codegen writes it
    (1.2.3-alpha.4 -> 1.2.3a4, -beta.N -> bN, -rc.N -> rcN)."""
    match = re.fullmatch(r"(\d+\.\d+\.\d+)(?:-(alpha|beta|rc)\.?(\d+))?", version)
    if not match:
        return version
    base, tag, number = match.groups()
    if tag is None:
        return base
    return base + {"alpha": "a", "beta": "b", "rc": "rc"}[tag] + number


def cargo_version(root: Path) -> str:
    manifest = tomllib.loads((root / "Cargo.toml").read_text())
    return manifest["workspace"]["package"]["version"]


def json_at(path: Path, *keys: str) -> str | None:
    value = json.loads(path.read_text())
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value if isinstance(value, str) else None


def file_places(root: Path) -> list[Found]:
    """Every version written in the repository, besides Cargo.toml's."""
    found: list[Found] = []
    lock = tomllib.loads((root / "Cargo.lock").read_text())
    for crate in CRATES:
        versions = [p["version"] for p in lock.get("package", []) if p.get("name") == crate]
        found.append(Found(f"Cargo.lock (package {crate})", versions[0] if versions else None))
    found.append(Found("schema.json (version)", json_at(root / "schema.json", "version")))
    package_json = root / "sdk/nodejs/package.json"
    found.append(Found("sdk/nodejs/package.json (version)", json_at(package_json, "version")))
    found.append(Found("sdk/nodejs/package.json (pulumi.version)", json_at(package_json, "pulumi", "version")))
    pyproject = tomllib.loads((root / "sdk/python/pyproject.toml").read_text())
    found.append(Found("sdk/python/pyproject.toml (project.version)", pyproject.get("project", {}).get("version")))
    for plugin_json in sorted(root.glob("sdk/*/*/pulumi-plugin.json")):
        found.append(Found(f"{plugin_json.relative_to(root)} (version)", json_at(plugin_json, "version")))
    utilities = root / "sdk/go/sagemakerdeployment/internal/pulumiUtilities.go"
    go_versions = sorted(set(GO_SDK_VERSION.findall(utilities.read_text())))
    found.append(Found(f"{utilities.relative_to(root)} (semver.MustParse)", ", ".join(go_versions) or None))
    changelog = root / "CHANGELOG.md"
    released = [m["version"] for m in CHANGELOG_ENTRY.finditer(changelog.read_text()) if m["version"] != "Unreleased"]
    found.append(Found("CHANGELOG.md (top released entry, '## [x.y.z] - date')", released[0] if released else None))
    return found


def binary_places(binary: Path, pulumi: Path) -> list[Found]:
    """What the built provider says about itself."""
    binary = binary.resolve()  # `pulumi package get-schema` reads a bare name as a registry package
    printed = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30)
    found = [Found(f"{binary.name} --version", printed.stdout.strip() if printed.returncode == 0 else None)]
    schema = subprocess.run(
        [str(pulumi), "package", "get-schema", str(binary)], capture_output=True, text=True, timeout=120
    )
    if schema.returncode != 0:
        print(f"release-check: pulumi package get-schema {binary} failed:\n{schema.stderr}", file=sys.stderr)
    version = json.loads(schema.stdout).get("version") if schema.returncode == 0 else None
    found.append(Found(f"{binary.name} GetSchema (version)", version))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--binary", type=Path, help="the built provider to ask as well")
    parser.add_argument("--pulumi", type=Path, default=Path("pulumi"), help="the Pulumi CLI (for GetSchema)")
    args = parser.parse_args()

    expected = cargo_version(args.root)
    places = file_places(args.root)
    if args.binary:
        places += binary_places(args.binary, args.pulumi)
    wrong = []
    for found in places:
        python_file = found.place.startswith("sdk/python/")
        want = pep440(expected) if python_file else expected
        if found.version != want:
            wrong.append(f"  {found.place} has {found.version or 'no version'}, Cargo.toml [workspace.package] has {want}")
    if wrong:
        print("release-check: versions disagree:", *wrong, sep="\n", file=sys.stderr)
        print(
            "Set the version with `make version VERSION=x.y.z` (it rewrites Cargo.toml and regenerates the rest)"
            " and give CHANGELOG.md an entry '## [x.y.z] - YYYY-MM-DD'.",
            file=sys.stderr,
        )
        return 1
    print(f"release-check: version {expected} in Cargo.toml and all {len(places)} other places")
    return 0


if __name__ == "__main__":
    sys.exit(main())
