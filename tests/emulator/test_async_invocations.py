"""InvokeEndpointAsync (:mod:`sagemaker_emulator.async_invocations`): the call's answer and errors, then
the result or failure the emulated container writes and the notifications SageMaker publishes, each
permission of the execution role checked; through boto3 against the emulator."""

from __future__ import annotations

import hashlib
import json
import time

import pytest
from botocore.config import Config

from aws_setup import ACCOUNT, make_execution_role, put_policy

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/model:1"
ROLE = "sagemaker-execution"
BUCKET = "async-io"
OUTPUT = f"s3://{BUCKET}/async/output"
FAILURE = f"s3://{BUCKET}/async/failure"
INPUT = f"s3://{BUCKET}/async/input/request.json"
BODY = b'{"inputs": "This is a sample text to classify"}'


def statements(topics: dict[str, str], read: bool = True, write: bool = True, publish: bool = True) -> list[dict]:
    """What the execution role needs for async inference, each part switchable."""
    granted = []
    if read:
        granted.append({"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/async/input/*"})
    if write:
        granted.append(
            {
                "Effect": "Allow",
                "Action": "s3:PutObject",
                "Resource": [f"arn:aws:s3:::{BUCKET}/async/output/*", f"arn:aws:s3:::{BUCKET}/async/failure/*"],
            }
        )
    if publish:
        granted.append({"Effect": "Allow", "Action": "sns:Publish", "Resource": sorted(topics.values())})
    return granted


@pytest.fixture
def sns(aws_client):
    return aws_client("sns")


@pytest.fixture
def runtime(aws_client):
    # Server-side checks are under test: botocore's own parameter validation is off.
    return aws_client("sagemaker-runtime", config=Config(parameter_validation=False))


@pytest.fixture
def topics(sns, aws_client):
    """The success and error topics, each with an SQS queue subscribed: what a user listens on."""
    sqs = aws_client("sqs")
    made = {}
    for kind in ("success", "error"):
        arn = sns.create_topic(Name=f"async-{kind}")["TopicArn"]
        url = sqs.create_queue(QueueName=f"async-{kind}-queue")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn)
        made[kind] = arn
        made[f"{kind}-queue"] = url
    return made


def notifications(aws_client, queue_url: str) -> list[dict]:
    """The SageMaker messages delivered to a subscribed queue so far."""
    answer = aws_client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    return [json.loads(json.loads(message["Body"])["Message"]) for message in answer.get("Messages", [])]


@pytest.fixture
def endpoint(sagemaker, s3, iam, topics):
    """An InService async endpoint whose role may read the inputs, write outputs and failures, and publish."""
    s3.create_bucket(Bucket=BUCKET)
    topic_arns = {"success": topics["success"], "error": topics["error"]}
    role = make_execution_role(iam, ROLE, statements(topic_arns))
    sagemaker.create_model(ModelName="classifier", ExecutionRoleArn=role, PrimaryContainer={"Image": IMAGE})
    sagemaker.create_endpoint_config(
        EndpointConfigName="async-config",
        ProductionVariants=[
            {"VariantName": "PrimaryVariant", "ModelName": "classifier", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}
        ],
        AsyncInferenceConfig={
            "OutputConfig": {
                "S3OutputPath": OUTPUT,
                "S3FailurePath": FAILURE,
                "NotificationConfig": {"SuccessTopic": topics["success"], "ErrorTopic": topics["error"]},
            },
            "ClientConfig": {"MaxConcurrentInvocationsPerInstance": 5},
        },
    )
    sagemaker.create_endpoint(EndpointName="async-endpoint", EndpointConfigName="async-config")
    assert sagemaker.describe_endpoint(EndpointName="async-endpoint")["EndpointStatus"] == "InService"
    return "async-endpoint"


def wait_for_object(s3, url: str, timeout: float = 5.0) -> bytes:
    bucket, key = url[len("s3://"):].split("/", 1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except s3.exceptions.NoSuchKey:
            time.sleep(0.05)
    raise AssertionError(f"nothing at {url} after {timeout} s")


def keys_under(s3, prefix: str) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])]


def put_input(s3, body: bytes = BODY) -> None:
    s3.put_object(Bucket=BUCKET, Key=INPUT[len(f"s3://{BUCKET}/"):], Body=body)


def test_the_call_answers_202_with_where_the_result_will_be(runtime, s3, endpoint):
    put_input(s3)
    answer = runtime.invoke_endpoint_async(EndpointName=endpoint, InputLocation=INPUT, ContentType="application/json")
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 202
    inference_id = answer["InferenceId"]
    assert answer["OutputLocation"] == f"{OUTPUT}/{inference_id}.out"
    assert answer["FailureLocation"] == f"{FAILURE}/{inference_id}-error.out"
    # moto's own InvokeEndpointAsync made a bucket per call: the emulator's does not.
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [BUCKET]


def test_the_result_arrives_in_the_output_path_and_the_success_topic_is_notified(runtime, s3, aws_client, endpoint, topics):
    put_input(s3)
    answer = runtime.invoke_endpoint_async(EndpointName=endpoint, InputLocation=INPUT, ContentType="application/json")

    result = json.loads(wait_for_object(s3, answer["OutputLocation"]))
    assert result == {
        "model": "classifier",
        "variant": "PrimaryVariant",
        "inputBytes": len(BODY),
        "inputSha256": hashlib.sha256(BODY).hexdigest(),
        "contentType": "application/json",
    }
    time.sleep(0.1)
    (message,) = notifications(aws_client, topics["success-queue"])
    assert message["invocationStatus"] == "Completed"
    assert message["inferenceId"] == answer["InferenceId"]
    assert message["requestParameters"] == {
        "endpointName": endpoint,
        "inputLocation": INPUT,
        "contentType": "application/json",
    }
    assert message["responseParameters"] == {"contentType": "application/json", "outputLocation": answer["OutputLocation"]}
    assert (message["eventSource"], message["eventName"], message["eventVersion"]) == ("aws:sagemaker", "InferenceResult", "1.0")
    assert message["awsRegion"] == "us-east-1"
    assert message["receivedTime"] <= message["eventTime"]
    assert notifications(aws_client, topics["error-queue"]) == []
    assert keys_under(s3, "async/failure/") == []


def test_the_callers_inference_id_extension_and_filename_name_the_result(runtime, s3, endpoint):
    put_input(s3)
    answer = runtime.invoke_endpoint_async(
        EndpointName=endpoint, InputLocation=INPUT, InferenceId="order-42", S3OutputPathExtension="batch/7"
    )
    assert answer["InferenceId"] == "order-42"
    assert answer["OutputLocation"] == f"{OUTPUT}/batch/7/order-42.out"
    wait_for_object(s3, answer["OutputLocation"])

    named = runtime.invoke_endpoint_async(EndpointName=endpoint, InputLocation=INPUT, Filename="result.json")
    assert named["OutputLocation"] == f"{OUTPUT}/result.json"
    assert json.loads(wait_for_object(s3, named["OutputLocation"]))["inputBytes"] == len(BODY)


def test_a_missing_input_is_accepted_then_fails_to_the_failure_path_and_error_topic(runtime, s3, aws_client, endpoint, topics):
    answer = runtime.invoke_endpoint_async(EndpointName=endpoint, InputLocation=INPUT)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 202

    failure = json.loads(wait_for_object(s3, answer["FailureLocation"]))
    assert f'Failed to download the inference input from "{INPUT}"' in failure["failureReason"]
    time.sleep(0.1)
    (message,) = notifications(aws_client, topics["error-queue"])
    assert message["invocationStatus"] == "Failed"
    assert message["failureReason"] == failure["failureReason"]
    assert message["inferenceId"] == answer["InferenceId"]
    assert "responseParameters" not in message
    assert notifications(aws_client, topics["success-queue"]) == []
    assert keys_under(s3, "async/output/") == []


def test_the_role_must_be_allowed_to_read_the_input(runtime, s3, iam, aws_client, endpoint, topics):
    put_input(s3)
    put_policy(iam, ROLE, "access", statements({"success": topics["success"], "error": topics["error"]}, read=False))
    answer = runtime.invoke_endpoint_async(EndpointName=endpoint, InputLocation=INPUT)

    failure = json.loads(wait_for_object(s3, answer["FailureLocation"]))
    assert '"s3:GetObject" permissions' in failure["failureReason"]
    assert f"arn:aws:iam::{ACCOUNT}:role/{ROLE}" in failure["failureReason"]
    assert keys_under(s3, "async/output/") == []


def test_the_role_must_be_allowed_to_write_the_result(runtime, s3, iam, aws_client, endpoint, topics):
    put_input(s3)
    # The policy loses s3:PutObject after the endpoint was created (when SageMaker checked it).
    read_and_publish = statements({"success": topics["success"], "error": topics["error"]}, write=False)
    put_policy(iam, ROLE, "access", read_and_publish)
    answer = runtime.invoke_endpoint_async(EndpointName=endpoint, InputLocation=INPUT)

    deadline = time.monotonic() + 5
    messages: list[dict] = []
    while not messages and time.monotonic() < deadline:
        messages = notifications(aws_client, topics["error-queue"])
        time.sleep(0.05)
    (message,) = messages
    assert message["invocationStatus"] == "Failed"
    assert f'Failed to upload the inference result to "{answer["OutputLocation"]}"' in message["failureReason"]
    assert '"s3:PutObject" permissions' in message["failureReason"]
    # Nothing written anywhere: the role may write neither the result nor the failure.
    assert keys_under(s3, "async/output/") == [] and keys_under(s3, "async/failure/") == []


def test_the_role_must_be_allowed_to_publish_to_the_topic(runtime, s3, iam, aws_client, endpoint, topics):
    put_input(s3)
    put_policy(iam, ROLE, "access", statements({}, publish=False))
    answer = runtime.invoke_endpoint_async(EndpointName=endpoint, InputLocation=INPUT)

    wait_for_object(s3, answer["OutputLocation"])
    time.sleep(0.1)
    assert notifications(aws_client, topics["success-queue"]) == []


def test_an_endpoint_that_does_not_exist_is_a_validation_error(runtime, error_of):
    error = error_of(runtime.invoke_endpoint_async, EndpointName="nowhere", InputLocation=INPUT)
    assert error["Error"]["Code"] == "ValidationError"
    assert error["Error"]["Message"] == f"Endpoint nowhere of account {ACCOUNT} not found."
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_a_real_time_endpoint_takes_no_async_invocation(runtime, sagemaker, iam, error_of):
    role = make_execution_role(iam, ROLE)
    sagemaker.create_model(ModelName="realtime", ExecutionRoleArn=role, PrimaryContainer={"Image": IMAGE})
    sagemaker.create_endpoint_config(
        EndpointConfigName="realtime-config",
        ProductionVariants=[{"VariantName": "A", "ModelName": "realtime", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}],
    )
    sagemaker.create_endpoint(EndpointName="realtime", EndpointConfigName="realtime-config")
    error = error_of(runtime.invoke_endpoint_async, EndpointName="realtime", InputLocation=INPUT)
    assert error["Error"]["Code"] == "ValidationError"
    assert "is not an asynchronous inference endpoint" in error["Error"]["Message"]


def test_an_endpoint_that_is_not_serving_yet_is_a_validation_error(runtime, emulator, sagemaker, s3, iam, topics, error_of):
    emulator.configure(endpoint_creating_seconds=30)
    s3.create_bucket(Bucket=BUCKET)
    role = make_execution_role(iam, ROLE)
    sagemaker.create_model(ModelName="classifier", ExecutionRoleArn=role, PrimaryContainer={"Image": IMAGE})
    sagemaker.create_endpoint_config(
        EndpointConfigName="async-config",
        ProductionVariants=[{"VariantName": "A", "ModelName": "classifier", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}],
        AsyncInferenceConfig={"OutputConfig": {"S3OutputPath": OUTPUT}},
    )
    sagemaker.create_endpoint(EndpointName="async-endpoint", EndpointConfigName="async-config")
    error = error_of(runtime.invoke_endpoint_async, EndpointName="async-endpoint", InputLocation=INPUT)
    assert error["Error"]["Code"] == "ValidationError"
    assert "is Creating" in error["Error"]["Message"]


@pytest.mark.parametrize(
    ("arguments", "member", "rule"),
    [
        ({"RequestTTLSeconds": 59}, "requestTTLSeconds", "greater than or equal to 60"),
        ({"RequestTTLSeconds": 21601}, "requestTTLSeconds", "less than or equal to 21600"),
        ({"InvocationTimeoutSeconds": 0}, "invocationTimeoutSeconds", "greater than or equal to 1"),
        ({"InvocationTimeoutSeconds": 3601}, "invocationTimeoutSeconds", "less than or equal to 3600"),
        ({"InputLocation": "ftp://bucket/key"}, "inputLocation", "regular expression pattern"),
        ({"InferenceId": "x" * 65}, "inferenceId", "length less than or equal to 64"),
        ({"S3OutputPathExtension": "s3://elsewhere"}, "s3OutputPathExtension", "regular expression pattern"),
        ({"Filename": "a.b.c"}, "filename", "regular expression pattern"),
    ],
)
def test_parameters_outside_the_api_limits_are_validation_errors(runtime, s3, endpoint, error_of, arguments, member, rule):
    put_input(s3)
    error = error_of(runtime.invoke_endpoint_async, **{"EndpointName": endpoint, "InputLocation": INPUT, **arguments})
    assert error["Error"]["Code"] == "ValidationError"
    assert error["Error"]["Message"].startswith("1 validation error detected: Value ")
    assert f"at '{member}'" in error["Error"]["Message"] and rule in error["Error"]["Message"]
    assert keys_under(s3, "async/output/") == []

