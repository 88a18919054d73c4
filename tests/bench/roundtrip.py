"""Benchmark: round trip of Check calls through the provider binary, small and large.

Starts the provider the way the engine does and times Check calls whose
response is small (one segment) and large (several segments). Without
TCP_NODELAY on the provider's side, a response larger than one segment waits
for the client's delayed ACK: about 40 ms per call on Linux. Prints the median
and p90 for each size and whether large calls stay well under 40 ms.

Usage: python tests/bench/roundtrip.py [--binary bin/pulumi-resource-sagemaker-deployment] [--calls 200]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import grpc
from google.protobuf import struct_pb2
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "sagemaker-deployment:s3:Bucket"
# The largest calls must stay well under the ~40 ms of a delayed ACK.
TARGET_MS = 10.0


def check_request(tag_bytes: int) -> provider_pb2.CheckRequest:
    news = struct_pb2.Struct()
    news.update({"bucketName": "bench-bucket", "tags": {"payload": "x" * tag_bytes}})
    return provider_pb2.CheckRequest(
        urn=f"urn:pulumi:bench::bench::{TOKEN}::bucket",
        type=TOKEN,
        olds=struct_pb2.Struct(),
        news=news,
    )


def time_calls(stub, request, calls: int) -> list[float]:
    """Milliseconds per Check call, sorted."""
    stub.Check(request, timeout=10)  # warm the connection
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        stub.Check(request, timeout=10)
        samples.append((time.perf_counter() - started) * 1000)
    return sorted(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", type=Path, default=ROOT / "bin" / "pulumi-resource-sagemaker-deployment")
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()

    process = subprocess.Popen(
        [str(args.binary), "127.0.0.1:1"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    try:
        port = int(process.stdout.readline())
        worst_large = 0.0
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            for label, size in [("small (100 B)", 100), ("large (4 KiB)", 4096), ("large (64 KiB)", 65536)]:
                samples = time_calls(stub, check_request(size), args.calls)
                median = statistics.median(samples)
                p90 = samples[int(len(samples) * 0.9) - 1]
                print(f"Check round trip, {label} response, {args.calls} calls: median {median:.2f} ms, p90 {p90:.2f} ms, max {samples[-1]:.2f} ms")
                if size > 1000:
                    worst_large = max(worst_large, median)
        met = worst_large < TARGET_MS
        print(f"target (large responses: median < {TARGET_MS:.0f} ms, no delayed-ACK wait): {'met' if met else 'NOT met'}")
        return 0
    finally:
        process.kill()
        process.wait()


if __name__ == "__main__":
    sys.exit(main())
