"""What the secrets and scale tests rely on: the request log keeps what each
call sent, a validation fault can quote what was sent, the state search finds
a text wherever the emulator holds it (naming the AWS object around it), and
AWS calls can be given a latency."""

from __future__ import annotations

import threading
import time

from aws_setup import make_execution_role
from sagemaker_emulator.client import EmulatorError

import pytest

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/model:1"
SECRET = "sk-test-0123456789abcdef"


def create_model(sagemaker, role_arn: str, name: str = "model-a", environment: dict | None = None) -> None:
    sagemaker.create_model(
        ModelName=name,
        ExecutionRoleArn=role_arn,
        PrimaryContainer={"Image": IMAGE, "Environment": environment or {}},
    )


def test_the_request_log_keeps_what_each_call_sent(emulator, sagemaker, s3, iam, cloudwatch_cbor):
    role_arn = make_execution_role(iam)
    emulator.clear_requests()
    create_model(sagemaker, role_arn, environment={"API_KEY": SECRET})
    s3.create_bucket(Bucket="tagged")
    s3.put_object(Bucket="tagged", Key="a/b.txt", Body=b"hello", Tagging="team=ml&note=x y")
    iam.tag_role(RoleName=role_arn.rsplit("/", 1)[1], Tags=[{"Key": "owner", "Value": "a/b c"}])
    cloudwatch_cbor.put_metric_alarm(
        AlarmName="alarm-a", MetricName="Invocations", Namespace="AWS/SageMaker", Statistic="Sum",
        Period=60, EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold",
    )
    entries = {entry["operation"]: entry for entry in emulator.requests()}

    # JSON: the body as sent.
    assert SECRET in entries["CreateModel"]["body"]
    # S3: parameters in the path, the query and x-amz-* headers; the signing headers are left out.
    put = entries["PutObject"]
    assert put["path"] == "/tagged/a/b.txt" and put["headers"]["x-amz-tagging"] == "team=ml&note=x y"
    assert "x-amz-security-token" not in put["headers"] and "x-amz-date" not in put["headers"]
    # Query protocol: the form decoded.
    assert "Tags.member.1.Value=a/b c" in entries["TagRole"]["body"]
    # smithy-rpc-v2-cbor: the body as JSON.
    assert '"AlarmName": "alarm-a"' in entries["PutMetricAlarm"]["body"]


def test_a_validation_fault_fails_the_call_with_the_message_given(emulator, sagemaker, iam, s3, error_of):
    role_arn = make_execution_role(iam)
    quoted = f"Environment variable map cannot be specified both at Model Package {{}} and Model {{API_KEY={SECRET}}}."
    emulator.inject_fault("validation", "sagemaker", "CreateModel", message=quoted)
    error = error_of(
        sagemaker.create_model,
        ModelName="model-a", ExecutionRoleArn=role_arn, PrimaryContainer={"Image": IMAGE, "Environment": {"API_KEY": SECRET}},
    )
    assert error["Error"] == {"Code": "ValidationException", "Message": quoted}
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    # The call was received, with what it sent: logged, with its fault.
    [logged] = emulator.requests(operation="CreateModel")
    assert logged["fault"] == "validation" and SECRET in logged["body"]
    assert sagemaker.list_models()["Models"] == []

    emulator.inject_fault("validation", "iam", "ListRoles")
    emulator.inject_fault("validation", "s3", "ListBuckets")
    assert error_of(iam.list_roles)["Error"]["Code"] == "ValidationError"
    s3_error = error_of(s3.list_buckets)
    assert (s3_error["Error"]["Code"], s3_error["ResponseMetadata"]["HTTPStatusCode"]) == ("InvalidArgument", 400)


def test_the_state_search_finds_a_text_wherever_it_is_held(emulator, sagemaker, s3, iam):
    role_arn = make_execution_role(iam)
    assert emulator.search_state(SECRET)["matches"] == []

    create_model(sagemaker, role_arn, environment={"API_KEY": SECRET})
    create_model(sagemaker, role_arn, name="model-b", environment={"MODE": "fast"})
    found = emulator.search_state(SECRET)
    [match] = found["matches"]
    assert match["owner_arn"] == "arn:aws:sagemaker:us-east-1:123456789012:model/model-a"
    assert "Environment" in match["path"]
    assert found["values_scanned"] > 10

    # Anywhere else too: in a tag, in an object's content, in a bucket policy.
    sagemaker.add_tags(ResourceArn=match["owner_arn"].replace("model-a", "model-b"), Tags=[{"Key": "k", "Value": SECRET}])
    s3.create_bucket(Bucket="holder")
    s3.put_object(Bucket="holder", Key="config.json", Body=f'{{"key": "{SECRET}"}}'.encode())
    owners = {m["owner_arn"] for m in emulator.search_state(SECRET)["matches"]}
    assert "arn:aws:sagemaker:us-east-1:123456789012:model/model-b" in owners
    assert any(owner and owner.startswith("arn:aws:s3:::holder") for owner in owners), owners

    # Gone with the objects that held it.
    sagemaker.delete_model(ModelName="model-a")
    sagemaker.delete_model(ModelName="model-b")
    s3.delete_object(Bucket="holder", Key="config.json")
    assert emulator.search_state(SECRET)["matches"] == []

    with pytest.raises(EmulatorError, match="non-empty text"):
        emulator.search_state("")


def test_calls_wait_the_configured_latency_in_parallel(emulator, sagemaker, aws_client):
    emulator.configure(call_latency_seconds=0.2, call_latency_jitter_seconds=0.1)
    started = time.monotonic()
    sagemaker.list_models()
    single = time.monotonic() - started
    assert 0.2 <= single < 1.0

    def call() -> None:
        aws_client("sagemaker").list_models()

    threads = [threading.Thread(target=call) for _ in range(6)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Six calls waiting one after another would take at least 1.2 s.
    assert time.monotonic() - started < 1.1
    # The control API does not wait.
    started = time.monotonic()
    emulator.requests()
    assert time.monotonic() - started < 0.2
