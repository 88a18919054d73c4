#!/usr/bin/env bash
# Builds the generated Node.js SDK and installs the TypeScript examples' dependencies
# (`make node-sdk`; also a step of tools/install.sh). Idempotent: a run with nothing changed
# only hashes a few files (well under a second).
#
#   examples/node_modules   ONE node_modules for every examples/ts-* program (npm workspaces, see
#                           examples/package.json), installed with `npm ci` from the committed
#                           examples/package-lock.json: exact versions of @pulumi/pulumi, typescript
#                           and @types/node.
#   sdk/nodejs/bin          the SDK compiled with that typescript (examples/tsconfig.sdk.json: no
#                           npm install inside the generated sdk/), plus its package.json.
#   examples/node_modules/@sagemaker-deployment/sdk
#                           a copy of sdk/nodejs/bin (install-links=true in examples/.npmrc), so
#                           the process loads one @pulumi/pulumi; refreshed when the SDK is rebuilt.
#
# Stamps (hashes of the inputs) live in examples/node_modules/.stamps; delete that directory, or
# node_modules, to force a rebuild. After changing a package.json under examples/, run
# `npm install` in examples/ once to update package-lock.json (npm ci refuses a stale lock).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXAMPLES="$ROOT/examples"
SDK="$ROOT/sdk/nodejs"
MODULES="$EXAMPLES/node_modules"
STAMPS="$MODULES/.stamps"
INSTALLED_SDK="$MODULES/@sagemaker-deployment/sdk"
NPM_FLAGS=(--no-audit --no-fund --loglevel=warn)

log() { echo "node-sdk: $*"; }

if [ ! -f "$SDK/package.json" ]; then log "no sdk/nodejs yet (run make sdk), skipped"; exit 0; fi
command -v node >/dev/null && command -v npm >/dev/null || { log "node and npm are needed" >&2; exit 1; }

# hash_files <file>...: one hash of the names and contents of the given files.
hash_files() {
  local f
  for f in "$@"; do printf '%s\0' "${f#"$ROOT"/}"; [ ! -f "$f" ] || cat "$f"; printf '\0'; done | sha256sum | cut -d' ' -f1
}
stamp_ok() { [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]; }
stamp() { mkdir -p "$STAMPS" && echo "$2" > "$STAMPS/$1"; }

# What npm installs: the manifests, the lock and npm settings, the SDK's package.json (its
# dependencies), and the node version. What the SDK build reads: every generated file (not
# bin/, node_modules/), the build config, and the locked compiler.
hashes() {
  local manifests sources
  mapfile -t manifests < <(cd "$ROOT" && LC_ALL=C ls examples/package.json examples/package-lock.json examples/.npmrc \
    examples/ts-*/package.json sdk/nodejs/package.json 2>/dev/null | sed "s|^|$ROOT/|")
  mapfile -t sources < <(cd "$ROOT" && find sdk/nodejs \( -path sdk/nodejs/bin -o -path sdk/nodejs/node_modules \) -prune \
    -o -type f -print | LC_ALL=C sort | sed "s|^|$ROOT/|")
  deps_hash="$(node --version) $(hash_files "${manifests[@]}")"
  sdk_hash="$(hash_files "${sources[@]}" "$EXAMPLES/tsconfig.sdk.json" "$EXAMPLES"/package-lock.json)"
}
hashes

# 1. node_modules from the lock. npm needs the file: dependency to exist: on a fresh checkout
#    a placeholder (just package.json) stands in until step 2 builds the SDK, and step 3
#    replaces the installed copy.
if [ ! -d "$MODULES" ] || ! stamp_ok deps "$deps_hash"; then
  if [ ! -f "$SDK/bin/package.json" ]; then mkdir -p "$SDK/bin" && cp "$SDK/package.json" "$SDK/bin/package.json"; fi
  start=$SECONDS
  if [ -f "$EXAMPLES/package-lock.json" ]; then
    (cd "$EXAMPLES" && npm ci "${NPM_FLAGS[@]}")
  else
    log "no examples/package-lock.json: resolving with npm install (commit the lock it writes)"
    (cd "$EXAMPLES" && npm install "${NPM_FLAGS[@]}")
    hashes
  fi
  rm -f "$STAMPS/sdk-installed"   # npm installed whatever sdk/nodejs/bin held: check it below
  stamp deps "$deps_hash"
  log "npm install done in $((SECONDS - start))s"
else
  log "examples/node_modules up to date"
fi

# 2. Compile the SDK into sdk/nodejs/bin (from scratch, so deleted sources leave nothing behind).
if ! stamp_ok sdk-built "$sdk_hash" || [ ! -f "$SDK/bin/index.js" ]; then
  start=$SECONDS
  rm -rf "$SDK/bin"
  (cd "$EXAMPLES" && node_modules/.bin/tsc -p tsconfig.sdk.json)
  cp "$SDK/package.json" "$SDK/bin/package.json"   # utilities.getVersion() reads ./package.json
  stamp sdk-built "$sdk_hash"
  rm -f "$STAMPS/sdk-installed"   # a new build: refresh the installed copy below
  log "sdk/nodejs built in $((SECONDS - start))s"
else
  log "sdk/nodejs/bin up to date"
fi

# 3. The examples use a copy of the build (install-links): replace it when the build changed.
if ! stamp_ok sdk-installed "$sdk_hash" || [ ! -f "$INSTALLED_SDK/index.js" ]; then
  start=$SECONDS
  rm -rf "$INSTALLED_SDK"
  # npm reinstalls the missing package from ../sdk/nodejs/bin as the lock says (nothing else changes).
  (cd "$EXAMPLES" && npm install --prefer-offline --no-save "${NPM_FLAGS[@]}")
  [ -f "$INSTALLED_SDK/index.js" ] || { log "npm did not install the SDK into $INSTALLED_SDK" >&2; exit 1; }
  stamp sdk-installed "$sdk_hash"
  log "sdk copy installed in $((SECONDS - start))s"
else
  log "installed sdk copy up to date"
fi
