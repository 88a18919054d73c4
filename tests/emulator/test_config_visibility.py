"""SageMaker's eventual consistency for endpoint configurations (``endpoint_config_propagation_seconds``,
:mod:`sagemaker_emulator.config_visibility`) on a clock driven by hand: the emulator's middleware served in this
process with a fake clock, boto3 pointed at it."""

from __future__ import annotations

import threading

import boto3
import pytest
from botocore.config import Config
from werkzeug.serving import make_server

from aws_setup import make_execution_role
from sagemaker_emulator.middleware import EmulatorMiddleware
from sagemaker_emulator.settings import Settings

WINDOW = 5.0
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/model:1"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="module")
def served():
    """(middleware, url, clock): an in-process emulator whose hooks and timelines run on a fake clock."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    clock = FakeClock()
    app = EmulatorMiddleware(clock=clock, defaults=Settings(endpoint_config_propagation_seconds=WINDOW))
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_address[1]}", clock
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def clock(served) -> FakeClock:
    app, _, clock = served
    app.reset()
    return clock


@pytest.fixture
def sm(served, clock):
    _, url, _ = served
    return boto3.client(
        "sagemaker", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
        aws_secret_access_key="testing", config=Config(retries={"total_max_attempts": 1}),
    )


@pytest.fixture
def role(served, clock):
    _, url, _ = served
    iam = boto3.client(
        "iam", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    return make_execution_role(iam)


def make_config(sm, role: str, name: str) -> str:
    if name == "config-a":
        sm.create_model(ModelName="model-a", ExecutionRoleArn=role, PrimaryContainer={"Image": IMAGE})
    return sm.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[{"VariantName": "primary", "ModelName": "model-a", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}],
    )["EndpointConfigArn"]


def error_of(call, **params) -> dict:
    with pytest.raises(Exception) as raised:
        call(**params)
    return raised.value.response["Error"]


def test_create_endpoint_cannot_find_a_configuration_made_a_moment_ago(clock, sm, role):
    arn = make_config(sm, role, "config-a")
    clock.advance(WINDOW - 1)
    error = error_of(sm.create_endpoint, EndpointName="endpoint-a", EndpointConfigName="config-a")
    assert error["Code"] == "ValidationException"
    assert error["Message"] == f'Could not find endpoint configuration "{arn}".'
    # Nothing was created by the refused call, and DescribeEndpointConfig already sees the configuration.
    assert sm.list_endpoints()["Endpoints"] == []
    assert sm.describe_endpoint_config(EndpointConfigName="config-a")["EndpointConfigArn"] == arn
    clock.advance(1)
    sm.create_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-a")
    assert sm.describe_endpoint(EndpointName="endpoint-a")["EndpointStatus"] == "InService"


def test_update_endpoint_cannot_find_a_configuration_made_a_moment_ago(clock, sm, role):
    make_config(sm, role, "config-a")
    clock.advance(WINDOW)
    sm.create_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-a")
    arn = make_config(sm, role, "config-b")
    error = error_of(sm.update_endpoint, EndpointName="endpoint-a", EndpointConfigName="config-b")
    assert error["Code"] == "ValidationException"
    assert error["Message"] == f'Could not find endpoint configuration "{arn}".'
    described = sm.describe_endpoint(EndpointName="endpoint-a")
    assert (described["EndpointStatus"], described["EndpointConfigName"]) == ("InService", "config-a")
    clock.advance(WINDOW)
    sm.update_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-b")
    assert sm.describe_endpoint(EndpointName="endpoint-a")["EndpointConfigName"] == "config-b"


def test_without_the_setting_a_configuration_is_found_at_once(served, clock, sm, role):
    app, _, _ = served
    app.settings.update({"endpoint_config_propagation_seconds": 0})
    make_config(sm, role, "config-a")
    sm.create_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-a")
    assert sm.describe_endpoint(EndpointName="endpoint-a")["EndpointStatus"] == "InService"


def test_a_configuration_that_does_not_exist_is_not_found_either(clock, sm):
    error = error_of(sm.create_endpoint, EndpointName="endpoint-a", EndpointConfigName="missing")
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith("Could not find endpoint configuration")
