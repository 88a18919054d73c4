"""IAM eventual consistency (``iam_propagation_seconds``, :mod:`sagemaker_emulator.iam_hooks`) on a clock driven by hand:
the emulator's middleware served in this process with a fake clock, boto3 pointed at it."""

from __future__ import annotations

import threading

import boto3
import pytest
from botocore.config import Config
from werkzeug.serving import make_server

from aws_setup import make_execution_role, put_policy
from sagemaker_emulator.middleware import EmulatorMiddleware
from sagemaker_emulator.settings import Settings

WINDOW = 30.0
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/model:1"
ROLE = "sagemaker-execution"
DATA = "s3://models/fraud/model.tar.gz"
READ_ALL = [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]


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
    app = EmulatorMiddleware(clock=clock, defaults=Settings(iam_propagation_seconds=WINDOW))
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
def client(served, clock):
    _, url, _ = served

    def make(service: str):
        return boto3.client(
            service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
            aws_secret_access_key="testing", config=Config(retries={"total_max_attempts": 1}),
        )

    return make


@pytest.fixture
def sm(client):
    return client("sagemaker")


@pytest.fixture
def iam(client):
    return client("iam")


@pytest.fixture
def model_data(client):
    s3 = client("s3")
    s3.create_bucket(Bucket="models")
    s3.put_object(Bucket="models", Key="fraud/model.tar.gz", Body=b"model")


def create_model(sm, role: str) -> None:
    sm.create_model(ModelName="model-a", ExecutionRoleArn=role, PrimaryContainer={"Image": IMAGE, "ModelDataUrl": DATA})
    sm.create_endpoint_config(
        EndpointConfigName="config-a",
        ProductionVariants=[{"VariantName": "primary", "ModelName": "model-a", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}],
    )


def deploy(sm, clock: FakeClock, endpoint: str, creating: float = 0.0) -> dict:
    sm.create_endpoint(EndpointName=endpoint, EndpointConfigName="config-a")
    clock.advance(creating)
    return sm.describe_endpoint(EndpointName=endpoint)


def test_a_new_role_cannot_be_assumed_until_it_propagated(clock, sm, iam):
    role = make_execution_role(iam)
    clock.advance(WINDOW - 1)
    with pytest.raises(sm.exceptions.ClientError, match="The execution role ARN .* is invalid"):
        sm.create_model(ModelName="model-a", ExecutionRoleArn=role, PrimaryContainer={"Image": IMAGE})
    clock.advance(1)
    sm.create_model(ModelName="model-a", ExecutionRoleArn=role, PrimaryContainer={"Image": IMAGE})


def test_a_policy_put_just_before_a_deployment_is_not_seen_yet(clock, sm, iam, model_data):
    role = make_execution_role(iam, statements=None)
    clock.advance(WINDOW)
    create_model(sm, role)
    put_policy(iam, ROLE, "read", READ_ALL)
    failed = deploy(sm, clock, "endpoint-a")
    assert failed["EndpointStatus"] == "Failed"
    assert failed["FailureReason"].startswith('Failed to download model data for container "container_1"')

    clock.advance(WINDOW)
    assert deploy(sm, clock, "endpoint-b")["EndpointStatus"] == "InService"


def test_the_role_is_looked_at_when_creating_ends(clock, sm, iam, model_data):
    role = make_execution_role(iam, statements=None)
    clock.advance(WINDOW)
    create_model(sm, role)
    put_policy(iam, ROLE, "read", READ_ALL)
    sm.create_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-a")
    # Creating lasts 0 s here, but nobody looked before the policy propagated: the decision is at the end of Creating.
    clock.advance(WINDOW + 1)
    assert sm.describe_endpoint(EndpointName="endpoint-a")["EndpointStatus"] == "Failed"


def test_a_slow_creation_sees_a_policy_that_propagated_meanwhile(served, clock, sm, iam, model_data):
    app, _, _ = served
    app.settings.update({"endpoint_creating_seconds": WINDOW})
    role = make_execution_role(iam, statements=None)
    clock.advance(WINDOW)
    create_model(sm, role)
    put_policy(iam, ROLE, "read", READ_ALL)
    assert deploy(sm, clock, "endpoint-a")["EndpointStatus"] == "Creating"
    clock.advance(WINDOW)
    assert sm.describe_endpoint(EndpointName="endpoint-a")["EndpointStatus"] == "InService"


def test_a_replaced_inline_policy_stays_in_force_until_the_new_one_propagated(clock, sm, iam, model_data):
    role = make_execution_role(iam, statements=READ_ALL)  # inline policy "access"
    clock.advance(WINDOW)
    create_model(sm, role)
    put_policy(iam, ROLE, "access", [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}])
    put_policy(iam, ROLE, "access", [{"Effect": "Allow", "Action": "sns:*", "Resource": "*"}])
    assert deploy(sm, clock, "endpoint-a")["EndpointStatus"] == "InService"  # still the first document
    clock.advance(WINDOW)
    assert deploy(sm, clock, "endpoint-b")["EndpointStatus"] == "Failed"


def test_an_attached_managed_policy_counts_once_propagated(clock, sm, iam, model_data):
    role = make_execution_role(iam, statements=None)
    document = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'
    policy_arn = iam.create_policy(PolicyName="read-models", PolicyDocument=document)["Policy"]["Arn"]
    clock.advance(WINDOW)
    create_model(sm, role)
    iam.attach_role_policy(RoleName=ROLE, PolicyArn=policy_arn)
    assert deploy(sm, clock, "endpoint-a")["EndpointStatus"] == "Failed"
    clock.advance(WINDOW)
    assert deploy(sm, clock, "endpoint-b")["EndpointStatus"] == "InService"


def test_a_role_made_again_under_the_same_name_propagates_again(clock, sm, iam):
    make_execution_role(iam, statements=None)
    clock.advance(WINDOW)
    iam.delete_role(RoleName=ROLE)
    role = make_execution_role(iam, statements=None)
    with pytest.raises(sm.exceptions.ClientError, match="is invalid"):
        sm.create_model(ModelName="model-a", ExecutionRoleArn=role, PrimaryContainer={"Image": IMAGE})


def test_failed_iam_calls_change_nothing(served, clock, iam):
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        put_policy(iam, "missing", "read", READ_ALL)
    from sagemaker_emulator.iam_hooks import IAM_CHANGES

    assert IAM_CHANGES.inline == {}
