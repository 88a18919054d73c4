#!/usr/bin/env bash
# Records the upgrade fixture of the workspace version (tests/upgrade/fixtures/v<version>/): the
# endpoint and Deployment example programs deployed with bin/ against the emulator, their config
# and `pulumi stack export`. Run it once per release, before the version is bumped, and commit
# the result: tests/upgrade (make upgrade-test) then checks that later binaries change nothing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
make --no-print-directory build tools >&2
exec .tools/venv/bin/python tests/upgrade/upgrade.py record
