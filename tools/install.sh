#!/usr/bin/env bash
# Installs the local toolchain into .tools/ (idempotent; a no-op run takes about a second):
#   .tools/bin/pulumi  the Pulumi CLI at the version pinned in tools/pulumi/go.mod: the `pulumi`
#                      on PATH if it is that version, else built from tools/pulumi (several minutes)
#   .tools/venv        Python venv from tests/requirements.txt, plus the generated Python SDK
#                      (sdk/python) installed editable once it exists
# Go caches live under $HOME/.cache (GOMODCACHE=go-mod, GOCACHE=go-build) unless already set.
# Node: the harness has no npm dependencies of its own (it uses each example's node_modules).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
export GOMODCACHE="${GOMODCACHE:-$HOME/.cache/go-mod}"
export GOCACHE="${GOCACHE:-$HOME/.cache/go-build}"
mkdir -p "$TOOLS/bin"

step() { # step <name> <function>: run a step and print how long it took
  local start=$SECONDS
  "$2"
  echo "tools: $1 done in $((SECONDS - start))s"
}

# The pin: the version of github.com/pulumi/pulumi/pkg/v3 in tools/pulumi/go.mod.
PIN="$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" { print $2 }' "$ROOT/tools/pulumi/go.mod")"
[ -n "$PIN" ] || { echo "tools: no pkg/v3 pin in tools/pulumi/go.mod" >&2; exit 1; }

cli_version() { "$1" version 2>/dev/null | head -n1 || true; }

install_pulumi() {
  local dest="$TOOLS/bin/pulumi" found
  if [ -x "$dest" ] && [ "$(cli_version "$dest")" = "$PIN" ]; then
    echo "tools: pulumi $PIN already in .tools/bin"; return
  fi
  found="$(command -v pulumi || true)"
  if [ -n "$found" ] && [ "$(cli_version "$found")" = "$PIN" ]; then
    echo "tools: using $found ($PIN)"
    # The Automation API wants <root>/bin/pulumi, so link it into .tools/bin.
    ln -sf "$found" "$dest"; return
  fi
  echo "tools: building pulumi $PIN from tools/pulumi (takes minutes)"
  (cd "$ROOT/tools/pulumi" && go build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PIN" \
    -o "$dest.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  mv -f "$dest.tmp" "$dest"
  [ "$(cli_version "$dest")" = "$PIN" ] || { echo "tools: built pulumi reports $(cli_version "$dest")" >&2; exit 1; }
}

# Re-run pip only when the inputs change (a stamp holds their hash).
stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }
# sha256 of the named files that exist (missing ones count as empty).
hash_of() { local f; for f in "$@"; do [ -f "$f" ] && cat "$f"; done | sha256sum | cut -d" " -f1; }

install_venv() {
  local venv="$TOOLS/venv" req="$ROOT/tests/requirements.txt" want
  want="$(python3 --version 2>&1) $(hash_of "$req")"
  if [ -x "$venv/bin/python" ] && stamp_ok "$venv/.requirements.stamp" "$want"; then
    echo "tools: venv up to date"; return
  fi
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
  echo "$want" > "$venv/.requirements.stamp"
}

install_python_sdk() {
  local venv="$TOOLS/venv" sdk="$ROOT/sdk/python" want
  if [ ! -f "$sdk/setup.py" ] && [ ! -f "$sdk/pyproject.toml" ]; then
    echo "tools: no sdk/python yet (run make sdk), skipped"; return
  fi
  # The path is part of the stamp: an editable install points at one checkout's sources.
  want="$(hash_of "$sdk/setup.py" "$sdk/pyproject.toml") $sdk"
  if stamp_ok "$venv/.python-sdk.stamp" "$want"; then echo "tools: python sdk up to date"; return; fi
  # Editable: regenerated sources are picked up without reinstalling (the generated
  # _utilities.py reads the package version from the installed distribution's metadata).
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$sdk"
  echo "$want" > "$venv/.python-sdk.stamp"
}

# Node: the nodejs SDK built into sdk/nodejs/bin and examples/node_modules for the TypeScript
# examples (tools/node-sdk.sh, also `make node-sdk`; hash stamps make a no-op run take ~0.1 s).
install_node_sdk() {
  if ! command -v npm >/dev/null; then echo "tools: no npm on PATH, node sdk skipped"; return; fi
  "$ROOT/tools/node-sdk.sh"
}

step "pulumi CLI" install_pulumi
step "python venv" install_venv
step "python sdk" install_python_sdk
step "node sdk" install_node_sdk
