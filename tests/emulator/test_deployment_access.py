"""Deployments that fail for want of model data or permissions (:mod:`sagemaker_emulator.deployment_access`):
CreateEndpoint ends Failed, UpdateEndpoint rolls back, with AWS's FailureReason; through boto3 against the emulator."""

from __future__ import annotations

import time

import pytest

from aws_setup import make_execution_role, put_policy

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/model:1"
ROLE = "sagemaker-execution"
DATA = "s3://models/fraud/model.tar.gz"


def download_failure(url: str, container: int = 1) -> str:
    return (
        f'Failed to download model data for container "container_{container}" from URL: "{url}". Please ensure that there '
        "is an object located at the URL and that the role passed to CreateModel has permissions to download the object."
    )


def role_failure(role_arn: str, tail: str) -> str:
    return (
        f"The provided role '{role_arn}' is invalid. Please ensure the role exists, that its trust relationship policy "
        f'allows the action "sts:AssumeRole" for the service principal "sagemaker.amazonaws.com", and has {tail}'
    )


def wait_final(sm, endpoint: str, timeout: float = 10.0) -> list[str]:
    """Poll DescribeEndpoint until InService or Failed; the distinct statuses seen."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = sm.describe_endpoint(EndpointName=endpoint)["EndpointStatus"]
        if not seen or seen[-1] != status:
            seen.append(status)
        if status in ("InService", "Failed"):
            return seen
        time.sleep(0.02)
    raise AssertionError(f"{endpoint} did not settle; saw {seen}")


@pytest.fixture
def bucket(s3):
    s3.create_bucket(Bucket="models")
    return "models"


def put_object(s3, url: str) -> None:
    bucket, key = url[len("s3://"):].split("/", 1)
    s3.put_object(Bucket=bucket, Key=key, Body=b"model")


def model(sm, role: str, name: str = "model-a", **container) -> str:
    sm.create_model(ModelName=name, ExecutionRoleArn=role, PrimaryContainer={"Image": IMAGE, **container})
    return name


def config(sm, name: str, model_name: str = "model-a", **extra) -> str:
    sm.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[{"VariantName": "primary", "ModelName": model_name, "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}],
        **extra,
    )
    return name


def deploy(sm, config_name: str, endpoint: str = "endpoint-a") -> dict:
    sm.create_endpoint(EndpointName=endpoint, EndpointConfigName=config_name)
    wait_final(sm, endpoint)
    return sm.describe_endpoint(EndpointName=endpoint)


# -- model data -----------------------------------------------------------------------------------


def test_missing_model_data_fails_the_endpoint(emulator, sagemaker, iam, s3, bucket):
    emulator.configure(endpoint_creating_seconds=0.2)
    model(sagemaker, make_execution_role(iam), ModelDataUrl=DATA)
    sagemaker.create_endpoint(EndpointName="endpoint-a", EndpointConfigName=config(sagemaker, "config-a"))
    assert wait_final(sagemaker, "endpoint-a") == ["Creating", "Failed"]
    assert sagemaker.describe_endpoint(EndpointName="endpoint-a")["FailureReason"] == download_failure(DATA)

    put_object(s3, DATA)
    sagemaker.create_endpoint(EndpointName="endpoint-b", EndpointConfigName="config-a")
    assert wait_final(sagemaker, "endpoint-b") == ["Creating", "InService"]


def test_a_missing_bucket_or_a_deleted_object_counts_as_missing(emulator, sagemaker, iam, s3, bucket):
    role = make_execution_role(iam)
    model(sagemaker, role, "model-a", ModelDataUrl="s3://no-such-bucket/model.tar.gz")
    assert deploy(sagemaker, config(sagemaker, "config-a"))["FailureReason"] == download_failure("s3://no-such-bucket/model.tar.gz")

    put_object(s3, DATA)
    s3.delete_object(Bucket="models", Key="fraud/model.tar.gz")
    model(sagemaker, role, "model-b", ModelDataUrl=DATA)
    assert deploy(sagemaker, config(sagemaker, "config-b", "model-b"), "endpoint-b")["EndpointStatus"] == "Failed"


def test_model_data_in_another_region_fails(emulator, sagemaker, iam, s3):
    s3.create_bucket(Bucket="west-models", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    s3.put_object(Bucket="west-models", Key="model.tar.gz", Body=b"model")
    model(sagemaker, make_execution_role(iam), ModelDataUrl="s3://west-models/model.tar.gz")
    described = deploy(sagemaker, config(sagemaker, "config-a"))
    assert described["FailureReason"] == download_failure("s3://west-models/model.tar.gz")


def test_each_container_is_numbered(emulator, sagemaker, iam, s3, bucket):
    put_object(s3, DATA)
    sagemaker.create_model(
        ModelName="pipeline",
        ExecutionRoleArn=make_execution_role(iam),
        Containers=[{"Image": IMAGE, "ModelDataUrl": DATA}, {"Image": IMAGE, "ModelDataUrl": "s3://models/post/model.tar.gz"}],
    )
    described = deploy(sagemaker, config(sagemaker, "config-a", "pipeline"))
    assert described["FailureReason"] == download_failure("s3://models/post/model.tar.gz", container=2)


def test_model_data_source_object_and_prefix(emulator, sagemaker, iam, s3, bucket):
    role = make_execution_role(iam)
    prefix = "s3://models/llm/"
    model(sagemaker, role, "by-prefix", ModelDataSource={"S3DataSource": {"S3Uri": prefix, "S3DataType": "S3Prefix", "CompressionType": "None"}})
    assert deploy(sagemaker, config(sagemaker, "config-a", "by-prefix"))["FailureReason"] == download_failure(prefix)

    put_object(s3, "s3://models/llm/weights/part-1.safetensors")
    assert deploy(sagemaker, "config-a", "endpoint-b")["EndpointStatus"] == "InService"

    obj = "s3://models/llm/config.json"
    model(sagemaker, role, "by-object", ModelDataSource={"S3DataSource": {"S3Uri": obj, "S3DataType": "S3Object", "CompressionType": "None"}})
    assert deploy(sagemaker, config(sagemaker, "config-c", "by-object"), "endpoint-c")["FailureReason"] == download_failure(obj)


def test_the_role_must_be_allowed_to_read_the_model_data(emulator, sagemaker, iam, s3, bucket):
    put_object(s3, DATA)
    role = make_execution_role(iam, statements=[{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::models/other/*"}])
    model(sagemaker, role, ModelDataUrl=DATA)
    assert deploy(sagemaker, config(sagemaker, "config-a"))["FailureReason"] == download_failure(DATA)

    put_policy(iam, ROLE, "read", [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::models/fraud/*"}])
    assert deploy(sagemaker, "config-a", "endpoint-b")["EndpointStatus"] == "InService"

    put_policy(iam, ROLE, "deny", [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}])
    assert deploy(sagemaker, "config-a", "endpoint-c")["EndpointStatus"] == "Failed"


def test_a_prefix_also_needs_list_bucket(emulator, sagemaker, iam, s3, bucket):
    put_object(s3, "s3://models/llm/weights.bin")
    role = make_execution_role(iam, statements=[{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::models/*"}])
    model(sagemaker, role, ModelDataSource={"S3DataSource": {"S3Uri": "s3://models/llm/", "S3DataType": "S3Prefix", "CompressionType": "None"}})
    assert deploy(sagemaker, config(sagemaker, "config-a"))["EndpointStatus"] == "Failed"

    put_policy(iam, ROLE, "list", [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::models",
                                    "Condition": {"StringLike": {"s3:prefix": "llm/*"}}}])
    assert deploy(sagemaker, "config-a", "endpoint-b")["EndpointStatus"] == "InService"


def test_an_update_to_missing_model_data_rolls_back(emulator, sagemaker, iam, s3, bucket):
    role = make_execution_role(iam)
    put_object(s3, DATA)
    model(sagemaker, role, "model-a", ModelDataUrl=DATA)
    model(sagemaker, role, "model-b", ModelDataUrl="s3://models/fraud/v2/model.tar.gz")
    assert deploy(sagemaker, config(sagemaker, "config-a"))["EndpointStatus"] == "InService"
    config(sagemaker, "config-b", "model-b")

    emulator.configure(endpoint_updating_seconds=0.2)
    sagemaker.update_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-b")
    assert wait_final(sagemaker, "endpoint-a") == ["Updating", "RollingBack", "InService"]
    described = sagemaker.describe_endpoint(EndpointName="endpoint-a")
    assert described["EndpointConfigName"] == "config-a"
    assert described["FailureReason"] == download_failure("s3://models/fraud/v2/model.tar.gz")


# -- data capture and async outputs ---------------------------------------------------------------


def test_data_capture_needs_put_object_on_the_destination(emulator, sagemaker, iam, s3, bucket):
    s3.create_bucket(Bucket="capture")
    role = make_execution_role(iam, statements=[{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}])
    model(sagemaker, role)
    capture = {"EnableCapture": True, "InitialSamplingPercentage": 100, "DestinationS3Uri": "s3://capture/fraud",
               "CaptureOptions": [{"CaptureMode": "Input"}]}
    described = deploy(sagemaker, config(sagemaker, "config-a", DataCaptureConfig=capture))
    assert described["FailureReason"] == role_failure(role, '"s3:PutObject" permissions for the data capture destination "s3://capture/fraud".')

    put_policy(iam, ROLE, "capture", [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::capture/fraud/endpoint-b/*"}])
    assert deploy(sagemaker, "config-a", "endpoint-b")["EndpointStatus"] == "InService"

    disabled = config(sagemaker, "config-c", DataCaptureConfig={**capture, "EnableCapture": False})
    assert deploy(sagemaker, disabled, "endpoint-c")["EndpointStatus"] == "InService"


def async_config(topics: bool = True) -> dict:
    output = {"S3OutputPath": "s3://outputs/results", "S3FailurePath": "s3://outputs/failures"}
    if topics:
        output["NotificationConfig"] = {
            "SuccessTopic": "arn:aws:sns:us-east-1:123456789012:done",
            "ErrorTopic": "arn:aws:sns:us-east-1:123456789012:failed",
        }
    return {"OutputConfig": output}


def test_async_outputs_need_put_object(emulator, sagemaker, iam, s3):
    s3.create_bucket(Bucket="outputs")
    role = make_execution_role(iam, statements=[{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::outputs/results/*"}])
    model(sagemaker, role)
    described = deploy(sagemaker, config(sagemaker, "config-a", AsyncInferenceConfig=async_config(topics=False)))
    assert described["FailureReason"] == role_failure(role, '"s3:PutObject" permissions for the async failure path "s3://outputs/failures".')

    put_policy(iam, ROLE, "failures", [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::outputs/failures/*"}])
    assert deploy(sagemaker, "config-a", "endpoint-b")["EndpointStatus"] == "InService"


def test_async_topics_need_publish_and_must_exist(emulator, sagemaker, iam, s3, aws_client):
    sns = aws_client("sns")
    s3.create_bucket(Bucket="outputs")
    role = make_execution_role(iam, statements=[{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::outputs/*"}])
    model(sagemaker, role)
    config(sagemaker, "config-a", AsyncInferenceConfig=async_config())
    done = sns.create_topic(Name="done")["TopicArn"]
    failed = sns.create_topic(Name="failed")["TopicArn"]
    assert deploy(sagemaker, "config-a")["FailureReason"] == role_failure(role, f'"sns:Publish" permissions for topic "{done}".')

    put_policy(iam, ROLE, "notify", [{"Effect": "Allow", "Action": "sns:Publish", "Resource": [done, failed]}])
    assert deploy(sagemaker, "config-a", "endpoint-b")["EndpointStatus"] == "InService"

    sns.delete_topic(TopicArn=failed)
    assert deploy(sagemaker, "config-a", "endpoint-c")["FailureReason"] == role_failure(role, f'"sns:Publish" permissions for topic "{failed}".')
