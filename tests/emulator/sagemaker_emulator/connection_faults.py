"""Closing a caller's connection without an answer, as a network failure does.

werkzeug gives the WSGI app the connection's socket (``environ["werkzeug.socket"]``).
:func:`drop_connection` makes its close abortive (``SO_LINGER`` 0: the kernel sends
a TCP RST instead of a FIN once it is closed), stops reading from it, and raises
:class:`ConnectionDropped` - a ``ConnectionResetError``, which werkzeug treats as a
dropped connection: it writes nothing, ends the keep-alive loop (the next read is
end-of-file) and closes the socket. The caller sees its request go unanswered.
"""

from __future__ import annotations

import socket
import struct


class ConnectionDropped(ConnectionResetError):
    """Raised out of the WSGI app to end a call without an answer."""


def drop_connection(environ: dict) -> None:
    """Close the call's connection without an answer; always raises :class:`ConnectionDropped`."""
    connection = environ.get("werkzeug.socket")
    if isinstance(connection, socket.socket):
        try:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            connection.shutdown(socket.SHUT_RD)
        except OSError:
            pass  # already gone: the caller gets no answer either way
    raise ConnectionDropped("the emulator dropped the connection without an answer (injected fault)")
