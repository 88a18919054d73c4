"""Endpoint-configuration rules: Serverless Inference exclusions, KMS keys and instance storage,
ExcludeRetainedVariantProperties. Sources: sagemaker_emulator/config_rules.py, instance_storage.py,
endpoint_operations.py; README "Rules"."""

from __future__ import annotations

import json

import pytest

from aws_setup import make_bucket, make_execution_role, put_policy, put_s3_object, read_statement, write_statement
from sagemaker_emulator.instance_storage import TABLE_PATH, derive, has_instance_storage
from sagemaker_emulator.model_rules import VPC_ACTIONS
from test_emulator import IMAGE, ROLE_ARN, wait_status

SERVERLESS = {"MemorySizeInMB": 2048, "MaxConcurrency": 5}
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
MODEL_DATA = "s3://models-bucket/model-a/model.tar.gz"


@pytest.fixture(autouse=True)
def _model_access(request):
    """For tests on the emulator: the model artifact in S3, and ROLE_ARN trusting SageMaker, allowed to read it."""
    if "emulator" not in request.fixturenames:
        return
    put_s3_object(request.getfixturevalue("s3"), MODEL_DATA)
    assert make_execution_role(request.getfixturevalue("iam"), statements=[read_statement(MODEL_DATA)]) == ROLE_ARN
    request.getfixturevalue("emulator").clear_requests()


def model(sm, name="model-a", **extra):
    container = {"Image": IMAGE, "ModelDataUrl": MODEL_DATA}
    sm.create_model(ModelName=name, ExecutionRoleArn=ROLE_ARN, **({"PrimaryContainer": container} | extra))


def serverless_variant(name="primary", model_name="model-a", **extra):
    return {"VariantName": name, "ModelName": model_name, "ServerlessConfig": dict(SERVERLESS), **extra}


def instance_variant(name="primary", instance_type="ml.m5.large", count=1, model_name="model-a"):
    return {"VariantName": name, "ModelName": model_name, "InitialInstanceCount": count, "InstanceType": instance_type}


def config_error(sm, error_of, **params):
    return error_of(sm.create_endpoint_config, EndpointConfigName="config-x", **params)["Error"]


# -- Serverless Inference feature exclusions ----------------------------------------------------------


def test_a_serverless_endpoint_has_one_production_variant(emulator, sagemaker, error_of):
    model(sagemaker)
    error = config_error(sagemaker, error_of, ProductionVariants=[serverless_variant("a"), serverless_variant("b")])
    assert error["Code"] == "ValidationException"
    assert error["Message"] == "Serverless Inference does not support: multiple production variants (2 variants)."
    mixed = config_error(sagemaker, error_of, ProductionVariants=[serverless_variant("a"), instance_variant("b")])
    assert "multiple production variants" in mixed["Message"]
    shadow = config_error(sagemaker, error_of, ProductionVariants=[serverless_variant("a")], ShadowProductionVariants=[serverless_variant("s")])
    assert "multiple production variants" in shadow["Message"]
    sagemaker.create_endpoint_config(EndpointConfigName="config-ok", ProductionVariants=[serverless_variant()])


def test_serverless_excludes_data_capture_vpc_and_network_isolation(emulator, sagemaker, iam, error_of):
    model(sagemaker)
    capture = {"EnableCapture": True, "InitialSamplingPercentage": 50, "DestinationS3Uri": "s3://bucket/capture", "CaptureOptions": [{"CaptureMode": "Input"}]}
    assert "data capture" in config_error(sagemaker, error_of, ProductionVariants=[serverless_variant()], DataCaptureConfig=capture)["Message"]
    disabled = {**capture, "EnableCapture": False}
    sagemaker.create_endpoint_config(EndpointConfigName="config-ok", ProductionVariants=[serverless_variant()], DataCaptureConfig=disabled)
    isolated = config_error(sagemaker, error_of, ProductionVariants=[serverless_variant()], EnableNetworkIsolation=True)
    assert "network isolation" in isolated["Message"]

    vpc = {"SecurityGroupIds": ["sg-12345678"], "Subnets": ["subnet-12345678"]}
    # A model in a VPC needs a role that may manage network interfaces there (CreateModel checks it).
    put_policy(iam, "sagemaker-execution", "vpc", [{"Effect": "Allow", "Action": list(VPC_ACTIONS), "Resource": "*"}])
    model(sagemaker, "model-vpc", VpcConfig=vpc)
    model(sagemaker, "model-isolated", EnableNetworkIsolation=True)
    assert "VPC configuration (the model's VpcConfig) of model model-vpc" in config_error(
        sagemaker, error_of, ProductionVariants=[serverless_variant(model_name="model-vpc")]
    )["Message"]
    assert "network isolation (the model's EnableNetworkIsolation) of model model-isolated" in config_error(
        sagemaker, error_of, ProductionVariants=[serverless_variant(model_name="model-isolated")]
    )["Message"]
    # The same models are fine on instances; and DescribeModel now tells the truth about isolation.
    sagemaker.create_endpoint_config(EndpointConfigName="config-instances", ProductionVariants=[instance_variant(model_name="model-isolated")])
    assert sagemaker.describe_model(ModelName="model-isolated")["EnableNetworkIsolation"] is True


def test_serverless_excludes_pipelines_multi_model_and_private_registries(emulator, sagemaker, error_of):
    sagemaker.create_model(ModelName="pipeline", ExecutionRoleArn=ROLE_ARN, Containers=[{"Image": IMAGE}, {"Image": IMAGE}])
    model(sagemaker, "multi", PrimaryContainer={"Image": IMAGE, "Mode": "MultiModel"})
    model(sagemaker, "private", PrimaryContainer={"Image": "registry.example.com/model:1", "ImageConfig": {"RepositoryAccessMode": "Vpc"}})
    for name, feature in (("pipeline", "inference pipelines"), ("multi", "Multi-Model Endpoints"), ("private", "private Docker registries")):
        assert feature in config_error(sagemaker, error_of, ProductionVariants=[serverless_variant(model_name=name)])["Message"]


def test_provisioned_concurrency_is_at_most_max_concurrency(emulator, sagemaker, error_of):
    model(sagemaker)
    variant = serverless_variant()
    variant["ServerlessConfig"]["ProvisionedConcurrency"] = 6
    assert "ProvisionedConcurrency (6)" in config_error(sagemaker, error_of, ProductionVariants=[variant])["Message"]


def test_an_instance_endpoint_cannot_become_serverless(emulator, sagemaker, error_of):
    model(sagemaker)
    sagemaker.create_endpoint_config(EndpointConfigName="config-instances", ProductionVariants=[instance_variant()])
    sagemaker.create_endpoint_config(EndpointConfigName="config-serverless", ProductionVariants=[serverless_variant()])
    sagemaker.create_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-instances")
    wait_status(sagemaker, "endpoint-a", "InService")
    error = error_of(sagemaker.update_endpoint, EndpointName="endpoint-a", EndpointConfigName="config-serverless")["Error"]
    assert "to a serverless endpoint configuration" in error["Message"]
    # The other way round is allowed.
    sagemaker.create_endpoint(EndpointName="endpoint-b", EndpointConfigName="config-serverless")
    wait_status(sagemaker, "endpoint-b", "InService")
    sagemaker.update_endpoint(EndpointName="endpoint-b", EndpointConfigName="config-instances")
    wait_status(sagemaker, "endpoint-b", "InService")
    assert sagemaker.describe_endpoint(EndpointName="endpoint-b")["EndpointConfigName"] == "config-instances"


# -- KmsKeyId and instance storage ------------------------------------------------------------------------


def test_the_instance_storage_table(emulator):
    table = json.loads(TABLE_PATH.read_text())
    assert has_instance_storage("ml.g5.xlarge") and has_instance_storage("ml.m5d.large") and has_instance_storage("ml.p4d.24xlarge")
    assert has_instance_storage("ml.m5.large") is False and has_instance_storage("ml.inf2.xlarge") is False
    assert has_instance_storage("ml.p6e-gb200.36xlarge") is None and has_instance_storage("ml.nope.large") is None
    # Every hosting instance type of the installed botocore is classified, and the automatic part is current.
    derived = derive()
    assert set(derived["with_instance_storage"]) <= set(table["with_instance_storage"])
    assert set(derived["without_instance_storage"]) <= set(table["without_instance_storage"])
    classified = set(table["with_instance_storage"]) | set(table["without_instance_storage"]) | set(table["unverified"])
    assert classified >= set(derived["with_instance_storage"]) | set(derived["without_instance_storage"]) | set(derived["not_in_ec2_data"])


def test_a_kms_key_with_instance_storage_is_accepted_as_today(emulator, sagemaker):
    model(sagemaker)
    sagemaker.create_endpoint_config(EndpointConfigName="config-g5", ProductionVariants=[instance_variant(instance_type="ml.g4dn.xlarge")], KmsKeyId=KEY_ARN)
    assert sagemaker.describe_endpoint_config(EndpointConfigName="config-g5")["KmsKeyId"] == KEY_ARN


def test_a_kms_key_with_instance_storage_can_be_refused_as_before(emulator, sagemaker, error_of):
    model(sagemaker)
    emulator.configure(refuse_kms_key_with_instance_storage=True)
    error = config_error(sagemaker, error_of, ProductionVariants=[instance_variant(instance_type="ml.g4dn.xlarge")], KmsKeyId=KEY_ARN)
    assert error["Code"] == "ValidationException" and "ml.g4dn.xlarge has local instance storage" in error["Message"]
    sagemaker.create_endpoint_config(EndpointConfigName="config-m5", ProductionVariants=[instance_variant()], KmsKeyId=KEY_ARN)
    sagemaker.create_endpoint_config(EndpointConfigName="config-g5", ProductionVariants=[instance_variant(instance_type="ml.g4dn.xlarge")])


# -- ExcludeRetainedVariantProperties ------------------------------------------------------------------------


def test_data_capture_is_not_a_retained_property(emulator, sagemaker, iam, s3, error_of):
    model(sagemaker)
    # SageMaker writes captured data with the model's role: the bucket exists and the role may write there.
    make_bucket(s3, "bucket")
    put_policy(iam, "sagemaker-execution", "capture", [write_statement("s3://bucket/a"), write_statement("s3://bucket/b")])
    capture = {"EnableCapture": True, "InitialSamplingPercentage": 10, "DestinationS3Uri": "s3://bucket/a", "CaptureOptions": [{"CaptureMode": "Input"}]}
    sagemaker.create_endpoint_config(EndpointConfigName="config-a", ProductionVariants=[instance_variant(count=2)], DataCaptureConfig=capture)
    sagemaker.create_endpoint_config(
        EndpointConfigName="config-b", ProductionVariants=[instance_variant(count=1)],
        DataCaptureConfig={**capture, "DestinationS3Uri": "s3://bucket/b"},
    )
    sagemaker.create_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-a")
    wait_status(sagemaker, "endpoint-a", "InService")
    # All three documented values are accepted (DataCaptureConfig: "Not currently supported"); a fourth is not.
    bad = error_of(
        sagemaker.update_endpoint, EndpointName="endpoint-a", EndpointConfigName="config-b", RetainAllVariantProperties=True,
        ExcludeRetainedVariantProperties=[{"VariantPropertyType": "InstanceType"}],
    )["Error"]
    assert "Member must satisfy enum value set: [DesiredInstanceCount, DesiredWeight, DataCaptureConfig]" in bad["Message"]
    sagemaker.update_endpoint(EndpointName="endpoint-a", EndpointConfigName="config-b", RetainAllVariantProperties=True)
    wait_status(sagemaker, "endpoint-a", "InService")
    endpoint = sagemaker.describe_endpoint(EndpointName="endpoint-a")
    assert endpoint["ProductionVariants"][0]["CurrentInstanceCount"] == 2  # retained
    assert endpoint["DataCaptureConfig"]["DestinationS3Uri"] == "s3://bucket/b"  # from the new config all the same


# -- DescribeEndpointConfig -----------------------------------------------------------------------------------


def test_a_configuration_without_data_capture_describes_none(emulator, sagemaker, iam, s3):
    model(sagemaker)
    sagemaker.create_endpoint_config(EndpointConfigName="config-plain", ProductionVariants=[instance_variant()])
    assert "DataCaptureConfig" not in sagemaker.describe_endpoint_config(EndpointConfigName="config-plain")
    make_bucket(s3, "bucket")
    put_policy(iam, "sagemaker-execution", "capture", [write_statement("s3://bucket/a")])
    capture = {"EnableCapture": True, "InitialSamplingPercentage": 10, "DestinationS3Uri": "s3://bucket/a", "CaptureOptions": [{"CaptureMode": "Input"}]}
    sagemaker.create_endpoint_config(EndpointConfigName="config-capture", ProductionVariants=[instance_variant()], DataCaptureConfig=capture)
    described = sagemaker.describe_endpoint_config(EndpointConfigName="config-capture")["DataCaptureConfig"]
    assert described["DestinationS3Uri"] == "s3://bucket/a" and described["InitialSamplingPercentage"] == 10
