"""Closing a caller's connection without an answer, as a network failure does.

werkzeug gives the WSGI app the connection's socket (``environ["werkzeug.socket"]``).
:func:`drop_connection` first reads what is left of the request body (else the
server's keep-alive loop would parse those bytes as the next request and answer
them with an HTML error page: a garbled answer, not a dropped connection), then
makes the close abortive (``SO_LINGER`` 0: the kernel sends a TCP RST instead of
a FIN once it is closed), stops reading from the socket, and raises
:class:`ConnectionDropped` - a ``ConnectionResetError``, which werkzeug treats as a
dropped connection: it writes nothing, ends the keep-alive loop (the next read is
end-of-file) and closes the socket. The caller sees its request go unanswered.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterator
from typing import Any


class ConnectionDropped(ConnectionResetError):
    """Raised out of the WSGI app to end a call without an answer."""


class TrackedInput:
    """``wsgi.input`` counting the bytes read from it (by moto or the hooks), so that
    the rest of the body can be read without waiting for bytes already read."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.consumed = 0

    def _count(self, data: bytes) -> bytes:
        self.consumed += len(data)
        return data

    def read(self, size: int | None = -1) -> bytes:
        return self._count(self.stream.read() if size is None or size < 0 else self.stream.read(size))

    def readline(self, size: int | None = -1) -> bytes:
        return self._count(self.stream.readline() if size is None or size < 0 else self.stream.readline(size))

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readlines(self, hint: int = -1) -> list[bytes]:
        return [self._count(line) for line in self.stream.readlines(hint)]

    def __iter__(self) -> Iterator[bytes]:
        return (self._count(line) for line in self.stream)


def track_body(environ: dict) -> None:
    """Count what is read of the request body from now on (see :func:`discard_body`)."""
    stream = environ.get("wsgi.input")
    if stream is not None and not isinstance(stream, TrackedInput):
        environ["wsgi.input"] = TrackedInput(stream)


def discard_body(environ: dict) -> None:
    """Read and drop what is left of the request body (``CONTENT_LENGTH`` less what
    was read of it since :func:`track_body`, or to the end of a chunked body), never
    waiting for bytes that were read already."""
    stream = environ.get("wsgi.input")
    if stream is None:
        return
    try:
        if environ.get("wsgi.input_terminated"):
            while stream.read(65536):
                pass
            return
        consumed = stream.consumed if isinstance(stream, TrackedInput) else 0
        remaining = int(environ.get("CONTENT_LENGTH") or 0) - consumed
        while remaining > 0:
            chunk = stream.read(min(remaining, 65536))
            if not chunk:
                return
            remaining -= len(chunk)
    except (OSError, ValueError):
        pass  # the caller is gone already


def drop_connection(environ: dict) -> None:
    """Close the call's connection without an answer; always raises :class:`ConnectionDropped`."""
    discard_body(environ)
    connection = environ.get("werkzeug.socket")
    if isinstance(connection, socket.socket):
        try:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            connection.shutdown(socket.SHUT_RD)
        except OSError:
            pass  # already gone: the caller gets no answer either way
    raise ConnectionDropped("the emulator dropped the connection without an answer (injected fault)")
