"""Benchmark: provider start-up (exec to port line) and memory after GetSchema.

Runs the provider binary the way the engine does, many times, and prints the
median and spread of the time from exec until the port line is read, then the
resident memory (VmRSS) of one process after it answered GetSchema.

Usage: python tests/bench/startup.py [--binary bin/pulumi-resource-sagemaker-deployment] [--runs 200]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

ROOT = Path(__file__).resolve().parents[2]


def time_to_port(binary: Path) -> float:
    """Seconds from exec until the port line is on stdout."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(binary), "127.0.0.1:1"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    line = process.stdout.readline()
    elapsed = time.perf_counter() - started
    process.kill()
    process.wait()
    if not line.strip().isdigit():
        raise SystemExit(f"the provider printed {line!r} instead of a port")
    return elapsed


def rss_after_get_schema(binary: Path) -> tuple[int, int]:
    """(VmRSS in KiB, schema bytes) of a process that answered GetSchema."""
    process = subprocess.Popen(
        [str(binary), "127.0.0.1:1"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    try:
        port = int(process.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            stub.GetPluginInfo(empty_pb2.Empty(), timeout=10)
            schema = stub.GetSchema(provider_pb2.GetSchemaRequest(version=0), timeout=10).schema
        status = Path(f"/proc/{process.pid}/status").read_text()
        rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
        return rss, len(schema)
    finally:
        process.kill()
        process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", type=Path, default=ROOT / "bin" / "pulumi-resource-sagemaker-deployment")
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    time_to_port(args.binary)  # warm the page cache
    samples = sorted(time_to_port(args.binary) * 1000 for _ in range(args.runs))
    median = statistics.median(samples)
    p90 = samples[int(len(samples) * 0.9) - 1]
    rss_kib, schema_bytes = rss_after_get_schema(args.binary)
    print(f"binary: {args.binary.relative_to(ROOT) if args.binary.is_relative_to(ROOT) else args.binary}")
    print(f"start (exec to port), {args.runs} runs: median {median:.2f} ms, p90 {p90:.2f} ms, min {samples[0]:.2f} ms, max {samples[-1]:.2f} ms")
    print(f"resident memory after GetSchema: {rss_kib / 1024:.1f} MiB (schema {schema_bytes} bytes)")
    targets_met = median < 20 and rss_kib / 1024 < 30
    print(f"targets (median < 20 ms, RSS < 30 MiB): {'met' if targets_met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
