"""The fault injector: each kind answers what AWS (or the network) does and changes
state only as AWS would; random faults follow their seed; what was injected is
counted by kind. Through HTTP with boto3 (no retries unless asked), plus the
random draws in-process."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ConnectionClosedError, EndpointConnectionError

from aws_setup import make_execution_role
from sagemaker_emulator.client import EmulatorError
from sagemaker_emulator.faults import KINDS, RandomFaults, parse_random

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/model:1"
NO_ANSWER = (ConnectionClosedError, EndpointConnectionError)


@pytest.fixture
def role_arn(emulator, iam) -> str:
    arn = make_execution_role(iam)
    emulator.clear_requests()
    return arn


def make_model(sagemaker, role_arn: str, name: str = "model-a") -> None:
    sagemaker.create_model(ModelName=name, ExecutionRoleArn=role_arn, PrimaryContainer={"Image": IMAGE})


def make_endpoint_config(sagemaker, name: str = "config-a", model: str = "model-a") -> None:
    sagemaker.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[
            {"VariantName": "primary", "ModelName": model, "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}
        ],
    )


def answer(error: dict) -> tuple[str, int]:
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]


# -- error faults: each service's own codes, and no state change ---------------------------------


def test_throttling_is_each_services_own_error(emulator, sagemaker, s3, iam, kms, sts, aws_client, error_of):
    sns = aws_client("sns")
    for service in ("sagemaker", "s3", "iam", "kms", "sts", "sns"):
        emulator.inject_fault("throttle", service)
    assert answer(error_of(sagemaker.list_models)) == ("ThrottlingException", 400)
    assert answer(error_of(s3.list_buckets)) == ("SlowDown", 503)
    assert answer(error_of(iam.list_roles)) == ("Throttling", 400)
    assert answer(error_of(kms.list_keys)) == ("ThrottlingException", 400)
    assert answer(error_of(sts.get_caller_identity)) == ("Throttling", 400)
    assert answer(error_of(sns.list_topics)) == ("ThrottlingException", 400)
    iam.list_roles()  # each fault was used up: the next call passes


def test_server_errors_are_each_services_own_and_unavailable_is_503(emulator, s3, iam, kms, error_of):
    emulator.inject_fault("server_error", "iam")
    emulator.inject_fault("server_error", "s3")
    emulator.inject_fault("server_error", "kms")
    emulator.inject_fault("unavailable", "s3")
    emulator.inject_fault("unavailable", "iam")
    assert answer(error_of(iam.list_roles)) == ("ServiceFailure", 500)
    assert answer(error_of(s3.list_buckets)) == ("InternalError", 500)
    assert answer(error_of(kms.list_keys)) == ("InternalFailure", 500)
    assert answer(error_of(s3.list_buckets)) == ("ServiceUnavailable", 503)
    assert answer(error_of(iam.list_roles)) == ("ServiceUnavailable", 503)


def test_a_throttled_or_failed_mutating_call_changes_nothing(emulator, s3, iam, sagemaker, role_arn, error_of):
    emulator.inject_fault("throttle", "s3", "CreateBucket")
    emulator.inject_fault("server_error", "iam", "CreateRole")
    emulator.inject_fault("unavailable", "sagemaker", "CreateModel")
    error_of(s3.create_bucket, Bucket="models-bucket")
    error_of(iam.create_role, RoleName="role-b", AssumeRolePolicyDocument="{}")
    error_of(sagemaker.create_model, ModelName="model-a", ExecutionRoleArn=role_arn, PrimaryContainer={"Image": IMAGE})
    assert s3.list_buckets()["Buckets"] == []
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["sagemaker-execution"]
    assert sagemaker.list_models()["Models"] == []


# -- connection faults ----------------------------------------------------------------------------


def test_a_reset_before_the_call_gives_no_answer_and_changes_nothing(emulator, sagemaker, role_arn):
    emulator.inject_fault("reset_before", "sagemaker", "CreateModel")
    with pytest.raises(NO_ANSWER):
        make_model(sagemaker, role_arn)
    assert sagemaker.list_models()["Models"] == []
    [entry] = emulator.requests(operation="CreateModel")
    assert (entry["status"], entry["fault"]) == (0, "reset_before")
    make_model(sagemaker, role_arn)  # the next call is answered
    assert [m["ModelName"] for m in sagemaker.list_models()["Models"]] == ["model-a"]


def test_a_reset_after_the_call_gives_no_answer_but_the_call_took_effect(emulator, sagemaker, role_arn, error_of):
    emulator.inject_fault("reset_after", "sagemaker", "CreateModel")
    with pytest.raises(NO_ANSWER):
        make_model(sagemaker, role_arn)
    assert [m["ModelName"] for m in sagemaker.list_models()["Models"]] == ["model-a"]
    [entry] = emulator.requests(operation="CreateModel")
    assert (entry["status"], entry["fault"]) == (200, "reset_after")
    # What a client that retries the create meets: the model exists already.
    error = error_of(sagemaker.create_model, ModelName="model-a", ExecutionRoleArn=role_arn, PrimaryContainer={"Image": IMAGE})
    assert error["Error"]["Code"] == "ValidationException"
    assert "Cannot create already existing model" in error["Error"]["Message"]


def test_connection_faults_apply_to_streamed_s3_calls(emulator, s3):
    s3.create_bucket(Bucket="models-bucket")
    emulator.inject_fault("reset_after", "s3", "PutObject")
    with pytest.raises(NO_ANSWER):
        s3.put_object(Bucket="models-bucket", Key="model.tar.gz", Body=b"weights")
    assert s3.get_object(Bucket="models-bucket", Key="model.tar.gz")["Body"].read() == b"weights"
    emulator.inject_fault("reset_before", "s3", "DeleteObject")
    with pytest.raises(NO_ANSWER):
        s3.delete_object(Bucket="models-bucket", Key="model.tar.gz")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="models-bucket")["Contents"]] == ["model.tar.gz"]


def test_an_sdk_that_retries_recovers_from_a_reset(emulator, aws_client):
    emulator.inject_fault("reset_before", "sagemaker", "ListModels")
    retrying = aws_client("sagemaker", total_max_attempts=3)
    assert retrying.list_models()["Models"] == []
    log = [(e["status"], e.get("fault"), e.get("attempt")) for e in emulator.requests(operation="ListModels")]
    # botocore numbers its attempts in the amz-sdk-request header, as the Rust SDK does.
    assert log == [(0, "reset_before", 1), (200, None, 2)]


# -- slow answers and failing endpoints -----------------------------------------------------------


def test_a_delayed_call_is_slow_and_then_answered(emulator, sagemaker):
    emulator.inject_fault("delay", "sagemaker", "ListModels", seconds=0.6)
    started = time.monotonic()
    assert sagemaker.list_models()["Models"] == []
    assert time.monotonic() - started >= 0.6
    [entry] = emulator.requests(operation="ListModels")
    assert (entry["status"], entry["fault"]) == (200, "delay")


def test_an_endpoint_failure_lets_the_create_succeed_and_the_endpoint_fail(emulator, sagemaker, role_arn):
    make_model(sagemaker, role_arn)
    make_endpoint_config(sagemaker)
    emulator.inject_fault("endpoint_failure", "sagemaker", "CreateEndpoint")
    sagemaker.create_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-a")
    deadline = time.monotonic() + 10
    while (status := sagemaker.describe_endpoint(EndpointName="endpoint-a")["EndpointStatus"]) == "Creating":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    described = sagemaker.describe_endpoint(EndpointName="endpoint-a")
    assert status == "Failed"
    assert described["FailureReason"]


def test_an_endpoint_failure_only_applies_to_endpoint_changes(emulator):
    with pytest.raises(EmulatorError, match="endpoint_failure applies to sagemaker"):
        emulator.inject_fault("endpoint_failure", "s3", "CreateBucket")
    with pytest.raises(EmulatorError, match="endpoint_failure applies to sagemaker"):
        emulator.inject_fault("endpoint_failure", "sagemaker", "CreateModel")


# -- random faults and counts ---------------------------------------------------------------------


def test_random_faults_hit_matching_calls_with_their_probability(emulator, sagemaker, iam):
    emulator.random_faults(seed=3, probability=1.0, kinds=["throttle"], services=["sagemaker"])
    throttled = 0
    for _ in range(4):
        try:
            sagemaker.list_models()
        except Exception:  # noqa: BLE001 - every call is throttled
            throttled += 1
    iam.list_roles()  # another service: never hit
    assert throttled == 4
    emulator.stop_random_faults()
    sagemaker.list_models()
    injected = emulator.injected_faults()
    assert injected["total"] == 4
    assert injected["by_kind"]["throttle"] == 4
    assert set(injected["by_kind"]) == set(KINDS)
    assert injected["by_call"] == [{"kind": "throttle", "service": "sagemaker", "operation": "ListModels", "count": 4}]


def test_injected_counts_add_up_by_kind_and_reset(emulator, sagemaker, s3, error_of):
    emulator.inject_fault("throttle", "sagemaker", count=2)
    emulator.inject_fault("unavailable", "s3")
    emulator.inject_fault("delay", "s3", seconds=0.1)
    for _ in range(2):
        error_of(sagemaker.list_models)
    error_of(s3.list_buckets)
    s3.list_buckets()
    by_kind = emulator.injected_faults()["by_kind"]
    assert (by_kind["throttle"], by_kind["unavailable"], by_kind["delay"], by_kind["reset_after"]) == (2, 1, 1, 0)
    emulator.clear_faults()  # drops pending faults, keeps the counts
    assert emulator.injected_faults()["total"] == 4
    emulator.clear_injected_faults()
    assert emulator.injected_faults()["total"] == 0
    emulator.inject_fault("throttle", "sagemaker")
    error_of(sagemaker.list_models)
    emulator.reset()
    assert emulator.injected_faults()["total"] == 0


def test_bad_random_specs_are_refused_naming_the_key(emulator):
    for spec, message in (
        ({"probability": 0.5}, "seed must be an integer"),
        ({"seed": 1, "probability": 2}, "probability must be a number between 0 and 1"),
        ({"seed": 1, "probability": 0.5, "kinds": ["slow"]}, "unknown fault kind"),
        ({"seed": 1, "probability": 0.5, "delay_seconds": 0}, "delay_seconds must be a number"),
        ({"seed": 1, "probability": 0.5, "colour": "red"}, "unknown random fault keys"),
    ):
        with pytest.raises(EmulatorError, match=message):
            emulator._call("POST", "/_emulator/faults/random", spec)
    assert emulator._call("GET", "/_emulator/faults/random") is None


def test_one_seed_draws_the_same_faults():
    calls = [("sagemaker", "CreateEndpoint"), ("s3", "PutObject"), ("iam", "CreateRole"), ("sagemaker", "DescribeEndpoint")] * 50

    def kinds(seed: int) -> list[str | None]:
        faults = RandomFaults(seed=seed, probability=0.3)
        return [(fault.kind if (fault := faults.draw(*call)) else None) for call in calls]

    assert kinds(11) == kinds(11)
    assert kinds(11) != kinds(12)
    drawn = kinds(11)
    hits = [kind for kind in drawn if kind]
    assert 0.15 * len(calls) < len(hits) < 0.45 * len(calls)
    # An endpoint failure only ever lands on CreateEndpoint among these calls.
    for (service, operation), kind in zip(calls, drawn):
        if kind == "endpoint_failure":
            assert (service, operation) == ("sagemaker", "CreateEndpoint")


def test_random_specs_parse_weights_and_lists():
    faults = parse_random({"seed": 5, "probability": 0.1, "kinds": {"throttle": 3, "reset_after": 1}, "services": ["s3"]})
    assert faults.kinds == {"throttle": 3.0, "reset_after": 1.0}
    assert faults.draw("iam", "CreateRole") is None
    always = RandomFaults(seed=1, probability=1.0, kinds={"delay": 1.0}, delay_seconds=0.25)
    fault = always.draw("s3", "PutObject")
    assert (fault.kind, fault.seconds) == ("delay", 0.25)


def test_random_faults_draw_no_validation_refusal_unless_asked():
    """A validation refusal is not something AWS does to a well-formed call now and then."""
    calls = [("sagemaker", "CreateModel"), ("iam", "CreateRole")] * 200
    default = RandomFaults(seed=4, probability=1.0)
    drawn = {fault.kind for call in calls if (fault := default.draw(*call))}
    assert "validation" not in drawn and {"throttle", "reset_after"} <= drawn
    assert "validation" not in parse_random({"seed": 4, "probability": 0.5}).kinds
    asked = parse_random({"seed": 4, "probability": 1.0, "kinds": ["validation"]})
    assert asked.draw("sagemaker", "CreateModel").kind == "validation"


def test_validation_answers_in_each_protocol_and_is_counted(emulator, sagemaker, iam, s3, error_of):
    emulator.clear_injected_faults()
    emulator.inject_fault("validation", "sagemaker", "ListModels", message="Value 'x' at 'name' failed")
    emulator.inject_fault("validation", "iam", "ListRoles")
    emulator.inject_fault("validation", "s3", "ListBuckets")
    refused = error_of(sagemaker.list_models)
    assert answer(refused) == ("ValidationException", 400)
    assert refused["Error"]["Message"] == "Value 'x' at 'name' failed"
    assert answer(error_of(iam.list_roles)) == ("ValidationError", 400)
    assert answer(error_of(s3.list_buckets)) == ("InvalidArgument", 400)
    assert emulator.injected_faults()["by_kind"]["validation"] == 3


def test_an_expect_100_continue_request_gets_one_interim_answer(emulator, s3):
    """AWS answers ``Expect: 100-continue`` with one ``100 Continue`` (RFC 9110, 10.1.1);
    a client that then loses the connection sees a reset, not a garbled answer."""
    import socket

    s3.create_bucket(Bucket="models-bucket")
    scope = "Credential=testing/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=x"
    head = (
        f"PUT /models-bucket/model.tar.gz HTTP/1.1\r\nHost: 127.0.0.1:{emulator.port}\r\n"
        f"Authorization: AWS4-HMAC-SHA256 {scope}\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=10) as connection:
        connection.sendall(head.encode())
        interim = connection.recv(1024)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        connection.sendall(b"model")
        answer = b""
        while chunk := connection.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert b"100 Continue" not in answer


def test_a_dropped_call_with_a_body_is_no_answer_not_a_garbled_one(emulator, s3):
    """The unread body of a dropped call must not be read as the next request (which
    the server would answer with an HTML error page in place of the dropped answer)."""
    import socket

    s3.create_bucket(Bucket="models-bucket")
    policy = b'{"Version":"2012-10-17","Statement":[]}'
    scope = "Credential=testing/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=x"
    for kind in ("reset_before", "reset_after"):
        emulator.inject_fault(kind, "s3", "PutBucketPolicy")
        head = (
            f"PUT /models-bucket?policy HTTP/1.1\r\nHost: 127.0.0.1:{emulator.port}\r\n"
            f"Authorization: AWS4-HMAC-SHA256 {scope}\r\nContent-Length: {len(policy)}\r\n\r\n"
        )
        answer = b""
        with socket.create_connection(("127.0.0.1", emulator.port), timeout=10) as connection:
            connection.sendall(head.encode() + policy)
            try:
                while chunk := connection.recv(4096):
                    answer += chunk
            except ConnectionResetError:
                pass
        assert answer == b"", (kind, answer[:200])
