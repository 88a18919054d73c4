"""A local AWS emulator for the provider's tests.

It runs moto's server application in-process and wraps it in a WSGI middleware
that adds what moto lacks for this project: SageMaker ``UpdateEndpoint``,
endpoint state timelines (``Creating``, ``Updating``, ``RollingBack``), a request
log, fault injection, a smithy-rpc-v2-cbor bridge (CloudWatch as the Rust SDK
calls it) and a small control API under ``/_emulator/``.

Start it with ``python -m sagemaker_emulator`` or, from tests, with
:class:`sagemaker_emulator.client.EmulatorProcess`.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
