"""Shared fixtures of the emulator's tests.

* ``emulator``: one emulator process on a free loopback port for the whole
  session (:class:`sagemaker_emulator.client.EmulatorProcess`);
* a reset before every test that uses it (moto, request log, faults, settings,
  timelines), so tests do not see each other's state; tests that do not use the
  emulator (the timeline unit tests) do not start it;
* boto3 clients pointed at it, one fixture per service (``sagemaker``, ``s3``,
  ``iam``, ``kms``, ``sts``, ``cloudwatch``, ``appconfig``, ``appconfigdata``, and ``cloudwatch_cbor`` for CloudWatch
  over smithy-rpc-v2-cbor as the Rust SDK calls it), without retries so every
  injected fault shows; ``aws_client(service, **options)`` for anything else;
* ``error_of(call, ...)``: the error response of a call expected to fail.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sagemaker_emulator.client import EmulatorProcess
from sagemaker_emulator.rpc_v2_services import CBOR


@pytest.fixture(scope="session")
def emulator():
    """The emulator, started once for the session on a free loopback port."""
    with EmulatorProcess() as running:
        yield running


@pytest.fixture(autouse=True)
def _reset_emulator(request: pytest.FixtureRequest) -> None:
    """Reset the emulator before each test that uses it."""
    if "emulator" in request.fixturenames:
        request.getfixturevalue("emulator").reset()


@pytest.fixture
def aws_client(emulator) -> Callable[..., Any]:
    """``aws_client(service, **options)``: a boto3 client on the emulator, no retries unless asked."""

    def make(service: str, **options: Any) -> Any:
        options.setdefault("total_max_attempts", 1)
        return emulator.client(service, **options)

    return make


def _client_fixture(service: str, **options: Any) -> Any:
    """A fixture named ``service`` giving that service's client (see :func:`aws_client`)."""

    def client(aws_client: Callable[..., Any]) -> Any:
        return aws_client(service, **options)

    client.__doc__ = f"A boto3 {service} client on the emulator, without retries."
    return pytest.fixture(name=service)(client)


sagemaker = _client_fixture("sagemaker")
s3 = _client_fixture("s3")
iam = _client_fixture("iam")
kms = _client_fixture("kms")
sts = _client_fixture("sts")
cloudwatch = _client_fixture("cloudwatch")
appconfig = _client_fixture("appconfig")
appconfigdata = _client_fixture("appconfigdata")


@pytest.fixture
def cloudwatch_cbor(aws_client: Callable[..., Any]) -> Any:
    """A CloudWatch client speaking smithy-rpc-v2-cbor (botocore by itself speaks ``json`` to CloudWatch)."""
    client = aws_client("cloudwatch", protocol=CBOR)
    assert client.meta.service_model.resolved_protocol == CBOR
    return client


@pytest.fixture
def error_of() -> Callable[..., dict]:
    """``error_of(call, *args, **kwargs)``: the error response of a call that must raise ``ClientError``."""

    def failing(call: Callable[..., Any], *args: Any, **kwargs: Any) -> dict:
        with pytest.raises(ClientError) as caught:
            call(*args, **kwargs)
        return caught.value.response

    return failing
