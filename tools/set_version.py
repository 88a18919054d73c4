#!/usr/bin/env python3
"""Set the release version where it is written by hand: Cargo.toml and CHANGELOG.md.

Usage: set_version.py X.Y.Z[-PRE]   (run by `make version VERSION=...`, which then updates
Cargo.lock and regenerates schema.json, sdk/ and the README tables from the new binary)

Cargo.toml: `version` of `[workspace.package]` becomes the new one. CHANGELOG.md: what is under
`## [Unreleased]` becomes the entry `## [X.Y.Z] - <today, UTC>`, under a new empty Unreleased
heading; an entry for X.Y.Z that exists already is left as it is.
"""

from __future__ import annotations

import datetime
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEMVER = re.compile(r"\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?")


def set_cargo_version(text: str, version: str) -> str:
    section = re.search(r"^\[workspace\.package\]\n(?:(?!\[).*\n)*", text, re.MULTILINE)
    if section is None or not re.search(r'^version = ".*"$', section.group(0), re.MULTILINE):
        raise SystemExit("set_version: Cargo.toml has no [workspace.package] version")
    body = re.sub(r'^version = ".*"$', f'version = "{version}"', section.group(0), count=1, flags=re.MULTILINE)
    return text[: section.start()] + body + text[section.end() :]


def set_changelog_entry(text: str, version: str, today: str) -> str:
    if re.search(rf"^## \[{re.escape(version)}\]", text, re.MULTILINE):
        return text
    if "## [Unreleased]" not in text:
        raise SystemExit("set_version: CHANGELOG.md has no '## [Unreleased]' heading to release")
    return text.replace("## [Unreleased]", f"## [Unreleased]\n\n## [{version}] - {today}", 1)


def main() -> int:
    if len(sys.argv) != 2 or not SEMVER.fullmatch(sys.argv[1]):
        print("usage: set_version.py X.Y.Z[-PRE] (a semantic version, no leading v)", file=sys.stderr)
        return 2
    version = sys.argv[1]
    cargo = ROOT / "Cargo.toml"
    cargo.write_text(set_cargo_version(cargo.read_text(), version))
    changelog = ROOT / "CHANGELOG.md"
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    changelog.write_text(set_changelog_entry(changelog.read_text(), version, today))
    print(f"set_version: Cargo.toml and CHANGELOG.md at {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
