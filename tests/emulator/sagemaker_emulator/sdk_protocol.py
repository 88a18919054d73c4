"""boto3 sessions whose clients speak a chosen wire protocol.

botocore picks a service's protocol from ``metadata.protocols`` in its own order
of preference: for CloudWatch (``smithy-rpc-v2-cbor``, ``json``, ``query``) it
speaks ``json``, while the AWS SDK for Rust speaks ``smithy-rpc-v2-cbor``. To test
the emulator the way the Rust SDK calls it, :func:`session_speaking` gives a
session whose model of one service lists only the wanted protocol (in memory,
through a data loader that edits the loaded model).
"""

from __future__ import annotations

from typing import Any

from botocore.loaders import Loader


class _ProtocolLoader(Loader):
    """botocore's data loader, with one service's ``metadata.protocols`` replaced."""

    def __init__(self, service: str, protocol: str) -> None:
        super().__init__()
        self._service = service
        self._protocol = protocol

    def load_service_model(self, service_name: str, type_name: str, api_version: str | None = None) -> Any:
        model = super().load_service_model(service_name, type_name, api_version)
        if service_name != self._service or type_name != "service-2":
            return model
        protocols = model["metadata"].get("protocols") or [model["metadata"].get("protocol")]
        if self._protocol not in protocols:
            raise ValueError(f"{service_name} does not support {self._protocol}; it lists {protocols}")
        metadata = {**model["metadata"], "protocols": [self._protocol], "protocol": self._protocol}
        return {**model, "metadata": metadata}


def session_speaking(service: str, protocol: str) -> Any:
    """A ``boto3.Session`` whose ``service`` clients use ``protocol`` (e.g. ``smithy-rpc-v2-cbor``)."""
    import boto3
    import botocore.session

    core = botocore.session.Session()
    core.register_component("data_loader", _ProtocolLoader(service, protocol))
    return boto3.session.Session(botocore_session=core)
