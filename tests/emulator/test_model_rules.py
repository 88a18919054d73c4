"""What CreateModel refuses (:mod:`sagemaker_emulator.model_rules`): cross-region images, roles SageMaker
cannot assume, VpcConfig the role may not use; through boto3 against the emulator process."""

from __future__ import annotations

import json

import pytest
from botocore.config import Config

from aws_setup import make_execution_role, put_policy
from sagemaker_emulator.model_rules import VPC_ACTIONS

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/model:1"
VPC = {"SecurityGroupIds": ["sg-0123456789abcdef0"], "Subnets": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]}


def role_refusal(arn: str) -> str:
    return (
        f'The execution role ARN "{arn}" is invalid. Please ensure that the role exists and that its trust relationship '
        'policy allows the action "sts:AssumeRole" for the service principal "sagemaker.amazonaws.com".'
    )


# -- images -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "image",
    [
        "123456789012.dkr.ecr.us-west-2.amazonaws.com/model:1",
        "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.1.0-gpu-py310",  # a Deep Learning Container
        "123456789012.dkr.ecr-fips.us-west-2.amazonaws.com/model@sha256:abc",
    ],
)
def test_images_of_another_region_are_refused(emulator, sagemaker, iam, error_of, image):
    role = make_execution_role(iam)
    error = error_of(sagemaker.create_model, ModelName="model-a", ExecutionRoleArn=role, PrimaryContainer={"Image": image})
    assert error["Error"] == {
        "Code": "ValidationException",
        "Message": f'Region of "{image}" does not match expected region of us-east-1. Cross region ECR image pulls are not allowed.',
    }
    assert sagemaker.list_models()["Models"] == []


def test_every_container_is_checked_and_the_region_is_the_requests(emulator, aws_client, iam, error_of):
    role = make_execution_role(iam)
    west = aws_client("sagemaker", region="us-west-2")
    west.create_model(ModelName="model-a", ExecutionRoleArn=role, PrimaryContainer={"Image": "763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-inference:2"})
    error = error_of(
        west.create_model,
        ModelName="pipeline",
        ExecutionRoleArn=role,
        Containers=[{"Image": "763104351884.dkr.ecr.us-west-2.amazonaws.com/a:1"}, {"Image": IMAGE}],
    )
    assert "does not match expected region of us-west-2" in error["Error"]["Message"]


def test_images_outside_private_ecr_are_not_region_checked(emulator, sagemaker, iam):
    role = make_execution_role(iam)
    sagemaker.create_model(ModelName="model-a", ExecutionRoleArn=role, PrimaryContainer={"Image": "public.ecr.aws/acme/model:1"})
    sagemaker.create_model(ModelName="model-b", ExecutionRoleArn=role, PrimaryContainer={"Image": IMAGE})


# -- the execution role -------------------------------------------------------------------------


def test_a_missing_role_is_refused(emulator, sagemaker, error_of):
    arn = "arn:aws:iam::123456789012:role/nobody"
    error = error_of(sagemaker.create_model, ModelName="model-a", ExecutionRoleArn=arn, PrimaryContainer={"Image": IMAGE})
    assert error["Error"] == {"Code": "ValidationException", "Message": role_refusal(arn)}


def test_the_role_path_is_part_of_its_arn(emulator, sagemaker, iam, error_of):
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    created = iam.create_role(RoleName="exec", Path="/service-role/", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    assert created == "arn:aws:iam::123456789012:role/service-role/exec"
    without_path = "arn:aws:iam::123456789012:role/exec"
    error = error_of(sagemaker.create_model, ModelName="model-a", ExecutionRoleArn=without_path, PrimaryContainer={"Image": IMAGE})
    assert error["Error"]["Message"] == role_refusal(without_path)
    sagemaker.create_model(ModelName="model-a", ExecutionRoleArn=created, PrimaryContainer={"Image": IMAGE})


def test_a_role_that_does_not_trust_sagemaker_is_refused(emulator, sagemaker, iam, error_of):
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    arn = iam.create_role(RoleName="lambda-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    error = error_of(sagemaker.create_model, ModelName="model-a", ExecutionRoleArn=arn, PrimaryContainer={"Image": IMAGE})
    assert error["Error"]["Message"] == role_refusal(arn)


def test_a_new_role_is_invisible_for_the_propagation_time(emulator, sagemaker, iam, error_of):
    emulator.configure(iam_propagation_seconds=60)
    assert emulator.config()["iam_propagation_seconds"] == 60.0
    arn = make_execution_role(iam)
    error = error_of(sagemaker.create_model, ModelName="model-a", ExecutionRoleArn=arn, PrimaryContainer={"Image": IMAGE})
    assert error["Error"]["Message"] == role_refusal(arn)

    emulator.configure(iam_propagation_seconds=0)
    sagemaker.create_model(ModelName="model-a", ExecutionRoleArn=arn, PrimaryContainer={"Image": IMAGE})


# -- VpcConfig ------------------------------------------------------------------------------------


def test_vpc_config_needs_the_network_interface_permissions(emulator, sagemaker, iam, error_of):
    arn = make_execution_role(iam, statements=[{"Effect": "Allow", "Action": ["s3:GetObject", "ec2:Describe*"], "Resource": "*"}])
    error = error_of(sagemaker.create_model, ModelName="model-a", ExecutionRoleArn=arn, PrimaryContainer={"Image": IMAGE}, VpcConfig=VPC)
    message = error["Error"]["Message"]
    assert error["Error"]["Code"] == "ValidationException"
    assert message.startswith(f'The execution role ARN "{arn}" does not have the permissions needed for the model\'s VpcConfig: ')
    assert ("ec2:CreateNetworkInterface, ec2:CreateNetworkInterfacePermission, ec2:DeleteNetworkInterface, "
            "ec2:DeleteNetworkInterfacePermission.") in message
    assert "DescribeSubnets" not in message

    put_policy(iam, "sagemaker-execution", "vpc", [{"Effect": "Allow", "Action": list(VPC_ACTIONS), "Resource": "*"}])
    sagemaker.create_model(ModelName="model-a", ExecutionRoleArn=arn, PrimaryContainer={"Image": IMAGE}, VpcConfig=VPC)
    sagemaker.create_model(ModelName="model-b", ExecutionRoleArn=arn, PrimaryContainer={"Image": IMAGE})  # no VPC: no check


def test_vpc_permissions_scoped_to_resources_are_not_enough(emulator, sagemaker, iam, error_of):
    scoped = [{"Effect": "Allow", "Action": list(VPC_ACTIONS), "Resource": "arn:aws:ec2:us-east-1:123456789012:*"}]
    arn = make_execution_role(iam, statements=scoped)
    error = error_of(sagemaker.create_model, ModelName="model-a", ExecutionRoleArn=arn, PrimaryContainer={"Image": IMAGE}, VpcConfig=VPC)
    assert "ec2:DescribeSecurityGroups" in error["Error"]["Message"]


def test_vpc_config_item_counts(emulator, aws_client, iam, error_of):
    arn = make_execution_role(iam)
    raw = aws_client("sagemaker", config=Config(parameter_validation=False))
    subnets = [f"subnet-{index:017x}" for index in range(17)]
    error = error_of(raw.create_model, ModelName="model-a", ExecutionRoleArn=arn, PrimaryContainer={"Image": IMAGE},
                     VpcConfig={"SecurityGroupIds": [], "Subnets": subnets})
    assert error["Error"]["Message"] == (
        "2 validation errors detected: Value '[]' at 'vpcConfig.securityGroupIds' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; "
        f"Value '[{', '.join(subnets)}]' at 'vpcConfig.subnets' failed to satisfy constraint: "
        "Member must have length less than or equal to 16"
    )
    raw.create_model(ModelName="model-a", ExecutionRoleArn=arn, PrimaryContainer={"Image": IMAGE},
                     VpcConfig={"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-1"]})  # one subnet: accepted
