#!/usr/bin/env bash
# Packs the generated SDKs the way other teams install them:
#
#   tools/dist/sdk-packages.sh OUTDIR
#
# writes into OUTDIR and prints the path of each, one a line:
#   sagemaker-deployment-sdk-<version>.tgz                  the Node.js SDK (`npm pack` of the
#                                                           compiled SDK, sdk/nodejs/bin, which
#                                                           tools/node-sdk.sh builds)
#   pulumi_sagemaker_deployment-<version>-py3-none-any.whl  the Python wheel and
#   pulumi_sagemaker_deployment-<version>.tar.gz            sdist, from sdk/python (python -m build
#                                                           in .tools/venv, without isolation: the
#                                                           pinned setuptools of tests/requirements.txt)
# Both are built from a copy in a temporary directory, so the repository is left as it was.
# The Go SDK needs no package: `go get` fetches the module from its tag.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
mkdir -p "$1"
OUT="$(cd "$1" && pwd)"
PYTHON="${PYTHON:-$ROOT/.tools/venv/bin/python}"
[ -x "$PYTHON" ] || { echo "sdk-packages: no $PYTHON (run make tools)" >&2; exit 1; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# Node.js: the compiled SDK with its package.json (and the generated README).
"$ROOT/tools/node-sdk.sh" >&2
[ -f "$ROOT/sdk/nodejs/bin/index.js" ] || { echo "sdk-packages: sdk/nodejs/bin was not built" >&2; exit 1; }
cp -R "$ROOT/sdk/nodejs/bin" "$stage/nodejs"
cp "$ROOT/sdk/nodejs/README.md" "$stage/nodejs/README.md"
tarball=$(cd "$stage/nodejs" && npm pack --silent --pack-destination "$OUT" | tail -n1)
echo "$OUT/$tarball"

# Python: the generated project; its README sits in the package directory, and pyproject.toml
# names one at the project root.
cp -R "$ROOT/sdk/python" "$stage/python"
rm -rf "$stage/python/build" "$stage/python/dist" "$stage/python"/*.egg-info
[ -f "$stage/python/README.md" ] || cp "$stage/python/pulumi_sagemaker_deployment/README.md" "$stage/python/README.md"
# A fixed timestamp for the archives' members (reproducible builds).
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-86400} "$PYTHON" -m build --no-isolation --sdist --wheel \
  --outdir "$stage/python-dist" "$stage/python" >&2
for f in "$stage/python-dist"/*.whl "$stage/python-dist"/*.tar.gz; do
  [ -f "$f" ] || { echo "sdk-packages: python -m build made no wheel or sdist" >&2; exit 1; }
  mv -f "$f" "$OUT/"
  echo "$OUT/$(basename "$f")"
done
