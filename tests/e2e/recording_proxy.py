"""A recording HTTP proxy for one AWS service's calls: the provider is pointed at
it (``AWS_ENDPOINT_URL_<SERVICE>``), it forwards every request to the emulator
unchanged and keeps the JSON bodies, so that a test can check what the provider
sent (the emulator's request log has operations, not parameters)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Hop-by-hop headers, and the ones urllib sets itself.
_NOT_FORWARDED = {"host", "connection", "keep-alive", "transfer-encoding", "content-length", "accept-encoding"}


class RecordingProxy:
    """Forwards to ``upstream`` on a free loopback port; ``bodies(operation)`` gives
    the JSON bodies of the calls with ``X-Amz-Target: <Service>.<operation>``."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self._calls: list[tuple[str, dict]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "RecordingProxy":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()

    def bodies(self, operation: str) -> list[dict]:
        with self._lock:
            return [body for name, body in self._calls if name == operation]

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()

    def _record(self, target: str, body: bytes) -> None:
        operation = target.rsplit(".", 1)[-1]
        try:
            parsed = json.loads(body or b"{}")
        except ValueError:
            parsed = {}
        with self._lock:
            self._calls.append((operation, parsed))

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                self._forward()

            def do_GET(self) -> None:  # noqa: N802
                self._forward()

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                target = self.headers.get("X-Amz-Target")
                if target:
                    proxy._record(target, body)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _NOT_FORWARDED}
                request = urllib.request.Request(
                    proxy.upstream + self.path, data=body if self.command != "GET" else None, headers=headers, method=self.command
                )
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:
                        status, reply_headers, reply = response.status, response.headers, response.read()
                except urllib.error.HTTPError as error:
                    status, reply_headers, reply = error.code, error.headers, error.read()
                self.send_response(status)
                for key, value in reply_headers.items():
                    # send_response wrote its own Server and Date.
                    if key.lower() not in _NOT_FORWARDED | {"server", "date"}:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args) -> None:
                pass

        return Handler
