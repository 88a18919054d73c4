"""CreateEndpointConfig accepts exactly the API model's hosting instance types (:mod:`sagemaker_emulator.instance_types`)."""

from __future__ import annotations

import pytest

from aws_setup import make_execution_role
from sagemaker_emulator.instance_types import production_variant_instance_types

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/model:1"


@pytest.fixture
def model(sagemaker, iam):
    sagemaker.create_model(ModelName="model-a", ExecutionRoleArn=make_execution_role(iam), PrimaryContainer={"Image": IMAGE})
    return "model-a"


def variant(instance_type, name="primary", model="model-a"):
    return {"VariantName": name, "ModelName": model, "InitialInstanceCount": 1, "InstanceType": instance_type}


@pytest.mark.parametrize(
    "instance_type", ["ml.g5.xlarge", "ml.g6.xlarge", "ml.m7i.large", "ml.inf2.xlarge", "ml.c7g.large", "ml.p4d.24xlarge", "ml.m5.large"]
)
def test_current_instance_types_are_accepted(emulator, sagemaker, model, instance_type):
    sagemaker.create_endpoint_config(EndpointConfigName="config-a", ProductionVariants=[variant(instance_type)])
    described = sagemaker.describe_endpoint_config(EndpointConfigName="config-a")
    assert described["ProductionVariants"][0]["InstanceType"] == instance_type


def test_the_accepted_set_is_the_api_model_enum():
    import botocore.session

    shape = botocore.session.get_session().get_service_model("sagemaker").shape_for("ProductionVariantInstanceType")
    assert production_variant_instance_types() == tuple(shape.enum)
    assert "ml.g5.xlarge" in shape.enum


def test_other_values_are_refused_with_the_enum_constraint(emulator, sagemaker, model, error_of):
    error = error_of(sagemaker.create_endpoint_config, EndpointConfigName="config-a", ProductionVariants=[variant("ml.m5.large"), variant("ml.bogus.large", "second")])
    allowed = ", ".join(production_variant_instance_types())
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == (
        "1 validation error detected: Value 'ml.bogus.large' at 'productionVariants.2.member.instanceType' "
        f"failed to satisfy constraint: Member must satisfy enum value set: [{allowed}]"
    )
    assert sagemaker.list_endpoint_configs()["EndpointConfigs"] == []


def test_several_bad_values_are_all_reported(emulator, sagemaker, model, error_of):
    error = error_of(
        sagemaker.create_endpoint_config,
        EndpointConfigName="config-a",
        ProductionVariants=[variant("m5.large")],
        ShadowProductionVariants=[variant("ml.nope", "shadow")],
    )
    message = error["Error"]["Message"]
    assert message.startswith("2 validation errors detected: Value 'm5.large' at 'productionVariants.1.member.instanceType'")
    assert "; Value 'ml.nope' at 'shadowProductionVariants.1.member.instanceType' failed to satisfy constraint" in message


def test_serverless_variants_still_go_through_moto_checks(emulator, sagemaker, model, error_of):
    sagemaker.create_endpoint_config(
        EndpointConfigName="config-a",
        ProductionVariants=[{"VariantName": "primary", "ModelName": "model-a", "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5}}],
    )
    error = error_of(
        sagemaker.create_endpoint_config,
        EndpointConfigName="config-b",
        ProductionVariants=[{"VariantName": "primary", "ModelName": "model-a", "ServerlessConfig": {"MemorySizeInMB": 1536, "MaxConcurrency": 5}}],
    )
    assert error["Error"]["Code"] == "ValidationException"
