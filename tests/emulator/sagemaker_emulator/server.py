"""Serving the emulator over HTTP with werkzeug's threaded server."""

from __future__ import annotations

import logging
import threading

from werkzeug.serving import BaseWSGIServer, make_server

from .middleware import EmulatorMiddleware
from .settings import Settings


def _request_handler() -> type:
    """moto's request handler, answering ``Expect: 100-continue`` once.

    Python's ``http.server`` sends ``100 Continue`` while parsing the request and
    werkzeug sends it again before running the app: a client then reads two interim
    responses where AWS sends one (RFC 9110, section 10.1.1: a server answers the
    expectation with one ``100 (Continue)`` or a final status). Only werkzeug's is
    kept, so that an injected connection drop after it reads as one to the client.
    """
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class EmulatorRequestHandler(MotoRequestHandler):
        def handle_expect_100(self) -> bool:
            return True

    return EmulatorRequestHandler


class EmulatorServer:
    """The emulator bound to ``host:port`` (port 0 picks a free port).

    ``serve_forever()`` blocks; ``start()`` serves from a daemon thread instead;
    ``shutdown()`` stops either.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, defaults: Settings | None = None, quiet: bool = True):
        if quiet:
            logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.app = EmulatorMiddleware(defaults=defaults)
        self._server: BaseWSGIServer = make_server(host, port, self.app, threaded=True, request_handler=_request_handler())
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def start(self) -> EmulatorServer:
        """Serve from a background thread (for in-process use)."""
        self._thread = threading.Thread(target=self.serve_forever, name="sagemaker-emulator", daemon=True)
        self._thread.start()
        return self

    def shutdown(self) -> None:
        """Stop serving (call from another thread than ``serve_forever``) and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
