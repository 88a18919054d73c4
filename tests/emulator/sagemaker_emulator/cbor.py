"""CBOR in and out for the smithy-rpc-v2-cbor protocol, on top of ``cbor2``.

SDKs talk to some services (CloudWatch, from the AWS SDK for Rust) with CBOR
bodies. Requests are decoded here; answers and errors are encoded here, with
timestamps as CBOR tag 1 (epoch seconds), as the smithy RPCv2 protocol requires.
"""

from __future__ import annotations

import datetime
from typing import Any

import cbor2

CBORDecodeError = cbor2.CBORDecodeError


def encode(value: Any) -> bytes:
    """Encode ``value`` as CBOR; datetimes (naive ones taken as UTC) become tag 1 epoch seconds."""
    return cbor2.dumps(value, datetime_as_timestamp=True, timezone=datetime.timezone.utc)


def decode(data: bytes) -> Any:
    """Decode one CBOR data item (tag 1 timestamps become aware datetimes). Raises ``CBORDecodeError``."""
    return cbor2.loads(data)
