#!/usr/bin/env bash
# Packs a provider binary into the plugin archive Pulumi installs:
#
#   tools/dist/plugin-archive.sh BINARY OS ARCH VERSION OUTDIR
#
# writes OUTDIR/pulumi-resource-sagemaker-deployment-v<VERSION>-<OS>-<ARCH>.tar.gz, with the
# binary at the archive root named pulumi-resource-sagemaker-deployment (.exe for windows),
# and prints the archive's path. That is the name and layout `pulumi plugin install resource
# sagemaker-deployment v<VERSION> [--file <archive>]` and a pluginDownloadURL expect.
#
# Reproducible: the same binary gives the same bytes (fixed mtime, numeric owner 0:0, mode 0755,
# sorted entries, gzip without name or timestamp).
#
# ARCHIVE_GZIP_LEVEL (1-9, default 9) trades size for time: the tests pack the debug binary
# with 1 (about 5 s instead of 40 s for 140 MB).
set -euo pipefail

NAME=pulumi-resource-sagemaker-deployment
usage() { echo "usage: $0 BINARY OS ARCH VERSION OUTDIR" >&2; exit 2; }
[ $# -eq 5 ] || usage
binary=$1 os=$2 arch=$3 version=${4#v} outdir=$5

[ -f "$binary" ] || { echo "plugin-archive: no binary at $binary" >&2; exit 1; }
case "$os" in linux | darwin | windows) ;; *) echo "plugin-archive: unknown OS $os (linux, darwin, windows)" >&2; exit 1 ;; esac
case "$arch" in amd64 | arm64) ;; *) echo "plugin-archive: unknown ARCH $arch (amd64, arm64)" >&2; exit 1 ;; esac
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]] \
  || { echo "plugin-archive: VERSION must be semver (e.g. 0.1.0), got $4" >&2; exit 1; }
level=${ARCHIVE_GZIP_LEVEL:-9}
[[ "$level" =~ ^[1-9]$ ]] || { echo "plugin-archive: ARCHIVE_GZIP_LEVEL must be 1-9, got $level" >&2; exit 1; }

member=$NAME
[ "$os" != windows ] || member=$NAME.exe
mkdir -p "$outdir"
archive="$(cd "$outdir" && pwd)/$NAME-v$version-$os-$arch.tar.gz"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$binary" "$stage/$member"
chmod 0755 "$stage/$member"
# A fixed time: the Unix epoch + 1 day (some tools treat mtime 0 as "unset").
tar --create --format=gnu --sort=name --mtime=@86400 --owner=0 --group=0 --numeric-owner \
  --mode=0755 -C "$stage" "$member" | gzip -"$level" --no-name > "$archive.tmp"
mv -f "$archive.tmp" "$archive"
echo "$archive"
