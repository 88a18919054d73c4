#!/usr/bin/env bash
# Renders the package's logo, docs/logo.svg (drawn by hand), to docs/logo.png, the 100x100 PNG
# the schema's logoUrl points at (the Pulumi Registry shows it beside the package's name).
#
#   tools/logo.sh
#
# Needs rsvg-convert (Debian's librsvg2-bin).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v rsvg-convert >/dev/null || { echo "logo: no rsvg-convert (apt-get install librsvg2-bin)" >&2; exit 1; }
rsvg-convert --width 100 --height 100 --format png "$ROOT/docs/logo.svg" --output "$ROOT/docs/logo.png.new"
mv -f "$ROOT/docs/logo.png.new" "$ROOT/docs/logo.png"
echo "logo: docs/logo.png $(stat -c %s "$ROOT/docs/logo.png") bytes"
