#!/usr/bin/env bash
# Runs every plugin archive in DIST the way the engine runs a plugin, on this machine: the
# archive is unpacked, the binary started, and the pinned CLI asks it for its schema
# (`pulumi package get-schema`: process start, the port on stdout, gRPC GetSchema), which
# must equal schema.json.
#
#   tools/dist/smoke-test.sh DIST PULUMI
#
#   linux-amd64    natively
#   linux-arm64    under qemu-user (qemu-aarch64, Debian's qemu-user), with Debian's arm64
#                  C library (libc6-arm64-cross: /usr/aarch64-linux-gnu)
#   windows-amd64  under wine64 (Debian's), with tools/dist/wine/bcryptprimitives.c built by
#                  mingw beside the binary (wine 8 lacks that DLL; see the file)
#   darwin-*       not run: nothing here runs a Mach-O binary
#
# A platform whose runner is missing is reported and skipped; a binary that runs but serves
# another schema, or none, fails the script.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 DIST PULUMI" >&2; exit 2; }
dist=$1 pulumi=$2
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NAME=pulumi-resource-sagemaker-deployment
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), sort_keys=True))' \
  "$ROOT/schema.json" > "$work/expected.json"

failed=0
shopt -s nullglob
archives=("$dist"/$NAME-v*-*.tar.gz)
[ ${#archives[@]} -gt 0 ] || { echo "smoke-test: no plugin archives in $dist" >&2; exit 1; }
for archive in "${archives[@]}"; do
  platform="$(basename "$archive" .tar.gz)"
  platform="${platform##*-v*[0-9]-}"
  dir="$work/$platform"
  mkdir -p "$dir"
  tar -xzf "$archive" -C "$dir"
  runner="$dir/run-$NAME"
  case "$platform" in
    linux-amd64)
      printf '#!/bin/sh\nexec "%s" "$@"\n' "$dir/$NAME" > "$runner" ;;
    linux-arm64)
      command -v qemu-aarch64 >/dev/null || { echo "smoke-test: $platform skipped (no qemu-aarch64: apt-get install qemu-user)"; continue; }
      printf '#!/bin/sh\nexec qemu-aarch64 -L /usr/aarch64-linux-gnu "%s" "$@"\n' "$dir/$NAME" > "$runner" ;;
    windows-amd64)
      wine=/usr/lib/wine/wine64
      [ -x "$wine" ] || wine="$(command -v wine64 || true)"
      [ -n "$wine" ] || { echo "smoke-test: $platform skipped (no wine64: apt-get install wine64)"; continue; }
      x86_64-w64-mingw32-gcc -shared -O2 -o "$dir/bcryptprimitives.dll" \
        "$ROOT/tools/dist/wine/bcryptprimitives.c" -ladvapi32
      printf '#!/bin/sh\nWINEPREFIX="%s" WINEDEBUG=-all exec "%s" "%s" "$@"\n' \
        "$work/wineprefix" "$wine" "$dir/$NAME.exe" > "$runner" ;;
    *)
      echo "smoke-test: $platform skipped (no way to run it here)"; continue ;;
  esac
  chmod +x "$runner"
  start=$SECONDS
  if ! timeout 600 "$pulumi" package get-schema "$runner" > "$dir/schema.json" 2> "$dir/stderr"; then
    echo "smoke-test: $platform FAILED: $(tail -n 3 "$dir/stderr")" >&2
    failed=1
    continue
  fi
  python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), sort_keys=True))' \
    "$dir/schema.json" > "$dir/served.json"
  if cmp -s "$dir/served.json" "$work/expected.json"; then
    echo "smoke-test: $platform serves schema.json ($(stat -c %s "$dir/schema.json") bytes, $((SECONDS - start)) s from start)"
  else
    echo "smoke-test: $platform FAILED: its schema differs from schema.json" >&2
    failed=1
  fi
done
exit $failed
