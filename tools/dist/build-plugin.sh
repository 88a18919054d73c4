#!/usr/bin/env bash
# Builds the provider for one platform (release profile: optimised, stripped) and packs it as
# the plugin archive the engine downloads, with tools/dist/plugin-archive.sh.
#
#   tools/dist/build-plugin.sh OS ARCH VERSION OUTDIR
#
# OS-ARCH is linux-amd64 (this machine's), linux-arm64 (Debian's aarch64 cross gcc links it),
# windows-amd64 (mingw-w64), darwin-amd64 or darwin-arm64 (cargo-zigbuild with zig as the
# linker; it needs the macOS SDK's frameworks, which no package registry carries: see the
# README's "Publishing a release"). tools/dist/install-cross.sh installs the cross tools.
# The build runs at the lowest CPU priority; its output goes to OUTDIR/build-OS-ARCH.log, and
# the time it took and the archive's size are printed.
set -euo pipefail

[ $# -eq 4 ] || { echo "usage: $0 OS ARCH VERSION OUTDIR" >&2; exit 2; }
os=$1 arch=$2 version=$3 outdir=$4
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PROVIDER=pulumi-resource-sagemaker-deployment
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

cargo=(cargo build)
exe=
case "$os-$arch" in
  linux-amd64)   triple=x86_64-unknown-linux-gnu ;;
  linux-arm64)   triple=aarch64-unknown-linux-gnu
                 export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
                 export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar ;;
  windows-amd64) triple=x86_64-pc-windows-gnu exe=.exe
                 export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
                 export CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc AR_x86_64_pc_windows_gnu=x86_64-w64-mingw32-ar ;;
  darwin-amd64)  triple=x86_64-apple-darwin cargo=(cargo-zigbuild zigbuild) ;;
  darwin-arm64)  triple=aarch64-apple-darwin cargo=(cargo-zigbuild zigbuild) ;;
  *) echo "build-plugin: unknown platform $os-$arch (linux-amd64, linux-arm64, windows-amd64, darwin-amd64, darwin-arm64)" >&2; exit 2 ;;
esac
if [ "${cargo[0]}" = cargo-zigbuild ]; then
  # cargo-zigbuild and zig come from PyPI into .tools/dist-venv (install-cross.sh).
  export PATH="$ROOT/.tools/dist-venv/bin:$PATH"
fi

# The host's own target builds where `cargo build --release` does (shared with make bench).
# Every other platform builds in a target directory of its own, CARGO_TARGET_DIR/cross/OS-ARCH:
# a --target build also holds the lock of the host's release directory (its build scripts and
# proc macros build there), so in one directory the platforms could only build one at a time,
# and a cross build would stop make bench's release build and the others.
host="$(rustc -vV | sed -n 's/^host: //p')"
if [ "$triple" = "$host" ] && [ "${cargo[0]}" = cargo ]; then
  target_args=() built="$CARGO_TARGET_DIR/release/$PROVIDER$exe"
else
  export CARGO_TARGET_DIR="$CARGO_TARGET_DIR/cross/$os-$arch"
  target_args=(--target "$triple") built="$CARGO_TARGET_DIR/$triple/release/$PROVIDER$exe"
fi

mkdir -p "$outdir"
log="$outdir/build-$os-$arch.log"
echo "build-plugin: $os-$arch ($triple), log in $log"
start=$SECONDS
if ! (cd "$ROOT" && nice -n 19 "${cargo[@]}" --release --locked -p sagemaker-deployment-provider "${target_args[@]}") >"$log" 2>&1; then
  echo "build-plugin: $os-$arch failed after $((SECONDS - start)) s; the end of $log:" >&2
  grep -E "^(error|warning: unused)|error:|ld: |cannot find|unable to" "$log" | tail -n 15 >&2 || tail -n 15 "$log" >&2
  exit 1
fi
echo "build-plugin: $os-$arch built in $((SECONDS - start)) s: $(file -b "$built" | cut -d, -f1-2)"
archive="$("$ROOT/tools/dist/plugin-archive.sh" "$built" "$os" "$arch" "$version" "$outdir" | tail -n1)"
echo "build-plugin: $(basename "$archive") $(stat -c %s "$archive") bytes (binary $(stat -c %s "$built") bytes)"
