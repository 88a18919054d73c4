"""Benchmark: builds of the provider side by side (debug and release, as `make bench` runs it).

For each binary: the time from exec to the port line (the engine waits for it before anything
else; median and p90 of --runs starts, the builds taken in turn so that the machine's load
falls on both alike), resident memory (VmRSS) after GetPluginInfo and GetSchema, the binary's
size, and the size of the plugin archive it would ship as (a gzipped tar with the binary at its
root, the layout of `make dist`'s archives, packed here in a temporary directory).

Usage: python tests/bench/binaries.py --binary debug=bin/pulumi-resource-sagemaker-deployment \
           --binary release=target/release/pulumi-resource-sagemaker-deployment [--runs 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tarfile
import tempfile
from pathlib import Path

from startup import rss_after_get_schema, time_to_port

MIB = 1024 * 1024


def archive_size(binary: Path) -> int:
    """Bytes of a .tar.gz holding the binary at its root."""
    with tempfile.TemporaryDirectory() as scratch:
        archive = Path(scratch) / "plugin.tar.gz"
        with tarfile.open(archive, "w:gz", compresslevel=9) as tar:
            tar.add(binary, arcname=binary.name)
        return archive.stat().st_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", action="append", required=True, metavar="NAME=PATH",
                        help="a build to measure, named for the table (repeat for each)")
    parser.add_argument("--runs", type=int, default=200, help="starts per binary")
    args = parser.parse_args()

    builds: dict[str, Path] = {}
    for given in args.binary:
        name, _, path = given.partition("=")
        if not path or not Path(path).is_file():
            parser.error(f"--binary {given}: want NAME=PATH of a built provider")
        builds[name] = Path(path)

    for binary in builds.values():
        time_to_port(binary)  # warm the page cache
    samples: dict[str, list[float]] = {name: [] for name in builds}
    for _ in range(args.runs):
        for name, binary in builds.items():
            samples[name].append(time_to_port(binary) * 1000)

    rows: dict[str, list[str]] = {
        "start, exec to port: median ms": [],
        "start: p90 ms": [],
        "resident after GetSchema MiB": [],
        "binary MiB": [],
        "plugin archive (.tar.gz) MiB": [],
    }
    for name, binary in builds.items():
        ordered = sorted(samples[name])
        rss_kib, _ = rss_after_get_schema(binary)
        rows["start, exec to port: median ms"].append(f"{statistics.median(ordered):.2f}")
        rows["start: p90 ms"].append(f"{ordered[int(len(ordered) * 0.9) - 1]:.2f}")
        rows["resident after GetSchema MiB"].append(f"{rss_kib / 1024:.1f}")
        rows["binary MiB"].append(f"{binary.stat().st_size / MIB:.1f}")
        rows["plugin archive (.tar.gz) MiB"].append(f"{archive_size(binary) / MIB:.1f}")

    print(f"provider builds side by side ({args.runs} starts each, alternating):")
    print("| | " + " | ".join(builds) + " |")
    print("|---|" + "---|" * len(builds))
    for label, values in rows.items():
        print(f"| {label} | " + " | ".join(values) + " |")
    for name, binary in builds.items():
        print(f"  {name}: {binary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
