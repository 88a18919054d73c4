"""A minimal CBOR encoder, enough to answer errors in the smithy-rpc-v2-cbor protocol.

botocore talks to some services (CloudWatch) with CBOR bodies; an injected fault
for such a call must be a CBOR map like ``{"__type": ..., "message": ...}``.
Only text strings, integers, booleans, None and maps/lists of these are supported.
"""

from __future__ import annotations

import struct
from typing import Any


def _head(major: int, length: int) -> bytes:
    """Encode a CBOR initial byte plus its length argument."""
    if length < 24:
        return bytes([(major << 5) | length])
    if length < 0x100:
        return bytes([(major << 5) | 24, length])
    if length < 0x10000:
        return bytes([(major << 5) | 25]) + struct.pack(">H", length)
    if length < 0x100000000:
        return bytes([(major << 5) | 26]) + struct.pack(">I", length)
    return bytes([(major << 5) | 27]) + struct.pack(">Q", length)


def encode(value: Any) -> bytes:
    """Encode ``value`` as CBOR."""
    if value is None:
        return b"\xf6"
    if value is True:
        return b"\xf5"
    if value is False:
        return b"\xf4"
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, str):
        data = value.encode("utf-8")
        return _head(3, len(data)) + data
    if isinstance(value, (list, tuple)):
        return _head(4, len(value)) + b"".join(encode(item) for item in value)
    if isinstance(value, dict):
        parts = [encode(str(key)) + encode(item) for key, item in value.items()]
        return _head(5, len(value)) + b"".join(parts)
    raise TypeError(f"cannot encode {type(value).__name__} as CBOR")
