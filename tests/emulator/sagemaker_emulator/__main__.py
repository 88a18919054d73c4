"""Command line: ``python -m sagemaker_emulator [--host H] [--port P] [--port-file PATH]``.

Runs the emulator in the foreground, prints
``sagemaker-emulator listening on http://HOST:PORT`` once it accepts
connections, and stops cleanly on SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from .server import EmulatorServer
from .settings import Settings


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sagemaker_emulator", description="Local AWS emulator: moto plus SageMaker endpoint lifecycles, a request log and fault injection.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default)")
    parser.add_argument("--port-file", help="write the bound port to this file once listening")
    parser.add_argument("--endpoint-creating-seconds", type=float, default=0.0, help="default Creating delay")
    parser.add_argument("--endpoint-updating-seconds", type=float, default=0.0, help="default Updating delay")
    parser.add_argument("--verbose", action="store_true", help="log every HTTP request to stderr")
    return parser.parse_args(argv)


def write_port_file(path: str, port: int) -> None:
    """Write the port atomically, so a reader never sees a partial file."""
    temporary = f"{path}.tmp{os.getpid()}"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(f"{port}\n")
    os.replace(temporary, path)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    defaults = Settings(
        endpoint_creating_seconds=args.endpoint_creating_seconds,
        endpoint_updating_seconds=args.endpoint_updating_seconds,
    )
    server = EmulatorServer(args.host, args.port, defaults=defaults, quiet=not args.verbose)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())

    server.start()
    if args.port_file:
        write_port_file(args.port_file, server.port)
    print(f"sagemaker-emulator listening on {server.url}", flush=True)
    while not stop.wait(0.5):
        pass
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
