#!/usr/bin/env bash
# Installs what `make dist` cross-compiles with (idempotent; about a second when all is there):
#   rustup targets    aarch64-unknown-linux-gnu, x86_64-pc-windows-gnu, x86_64-apple-darwin,
#                     aarch64-apple-darwin (rustup, as the user who owns ~/.rustup: no root)
#   Debian packages   gcc-aarch64-linux-gnu (linker and C compiler for linux-arm64: aws-lc-sys
#                     compiles C), gcc-mingw-w64-x86-64 and nasm (windows-amd64: aws-lc-sys
#                     assembles its x86-64 code with nasm there), qemu-user and wine64 (the
#                     smoke test runs the arm64 and Windows binaries). apt-get needs root:
#                     run as root, or the script asks sudo for that one step.
#   .tools/dist-venv  ziglang and cargo-zigbuild from PyPI (pip, no root), the darwin attempt
#                     (the README's "Publishing a release" says why darwin does not link here).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.tools/dist-venv"
TARGETS=(aarch64-unknown-linux-gnu x86_64-pc-windows-gnu x86_64-apple-darwin aarch64-apple-darwin)
DEBIAN_PACKAGES=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-mingw-w64-x86-64 nasm qemu-user wine64)
PYPI_PACKAGES=("ziglang==0.15.2" "cargo-zigbuild==0.24.1")

installed_targets="$(rustup target list --installed)"
for target in "${TARGETS[@]}"; do
  grep -qx "$target" <<<"$installed_targets" || rustup target add "$target"
done
echo "dist-tools: rust targets ${TARGETS[*]}"

missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  echo "dist-tools: apt-get install ${missing[*]} (needs root)"
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "dist-tools: $(aarch64-linux-gnu-gcc --version | head -n1); $(x86_64-w64-mingw32-gcc --version | head -n1)"

want="${PYPI_PACKAGES[*]}"
if ! [ -x "$VENV/bin/cargo-zigbuild" ] || [ "$(cat "$VENV/.stamp" 2>/dev/null)" != "$want" ]; then
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PYPI_PACKAGES[@]}"
  echo "$want" > "$VENV/.stamp"
fi
echo "dist-tools: $("$VENV/bin/cargo-zigbuild" --version), zig $("$VENV/bin/python" -m ziglang version)"
