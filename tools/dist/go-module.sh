#!/usr/bin/env bash
# The Go SDK as the Go module proxy serves it, and a check that `go get` resolves it.
#
#   tools/dist/go-module.sh VERSION OUTDIR
#
# Go users get the SDK from this repository's tag sdk/go/vVERSION (the module lives in sdk/go,
# so its tags carry that prefix). This writes what a proxy serves for that tag, the .info,
# .mod and .zip of the module, into OUTDIR/goproxy/, then uses it as GOPROXY (ahead of the
# usual one, for pulumi's own modules) from a new module in a temporary directory:
# `go get <import path>@vVERSION`, `go build` of the README's Go program and of every package
# of the module. A
# module path or an import path the Go generator got wrong fails here.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 VERSION OUTDIR" >&2; exit 2; }
version=$1 outdir=$2
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SDK="$ROOT/sdk/go"
module="$(sed -n 's/^module //p' "$SDK/go.mod")"
import_path="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["language"]["go"]["importBasePath"])' "$ROOT/schema.json")"
case "$import_path" in
  "$module"/*) ;;
  *) echo "go-module: importBasePath $import_path is not inside module $module (sdk/go/go.mod)" >&2; exit 1 ;;
esac

proxy="$outdir/goproxy"
dir="$proxy/$module/@v"
mkdir -p "$dir"
cp "$SDK/go.mod" "$dir/v$version.mod"
printf '{"Version":"v%s","Time":"%s"}\n' "$version" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$dir/v$version.info"
echo "v$version" > "$dir/list"
python3 - "$SDK" "$module@v$version" "$dir/v$version.zip" <<'PY'
import sys, zipfile
from pathlib import Path
sdk, prefix, out = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
    for path in sorted(p for p in sdk.rglob("*") if p.is_file()):
        zf.write(path, f"{prefix}/{path.relative_to(sdk).as_posix()}")
PY

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The program is the README's Go example ("Use it from another team's project").
python3 - "$ROOT/README.md" "$import_path" > "$work/main.go" <<'PY'
import re, sys
readme, import_path = open(sys.argv[1]).read(), sys.argv[2]
section = readme[readme.index("## Use it from another team's project"):]
program = re.search(r"```go\n(.*?)```", section, re.DOTALL).group(1)
assert f'"{import_path}"' in program, f"the README's Go example does not import {import_path}"
print(program)
PY
# A copy of this module that an earlier run left in the module cache would be used instead of
# the zip just written: drop it (this module only).
modcache="$(go env GOMODCACHE)"
for cached in "$modcache/$module@v$version" "$modcache/cache/download/$module/@v"; do
  [ ! -e "$cached" ] || { chmod -R u+w "$cached" && rm -rf "$cached"; }
done
# Go keeps an index of each module-cache directory in its build cache, by module and version,
# taking those for immutable: one of an earlier copy of this version would hide the files that
# differ (a resource added since then reads as undefined). Read the directory itself.
export GODEBUG="${GODEBUG:+$GODEBUG,}goindex=0"
export GOPROXY="file://$(cd "$proxy" && pwd),$(go env GOPROXY)" GONOSUMDB="$module" GOFLAGS=-mod=mod
(cd "$work" && go mod init example.com/consumer >/dev/null 2>&1 \
  && go get "$import_path@v$version" && go build -o /dev/null . && go build "$module/...")
echo "go-module: go get $import_path@v$version resolves (module $module, tag sdk/go/v$version); $(stat -c %s "$dir/v$version.zip") bytes zipped"
