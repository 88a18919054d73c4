"""Helpers for Step Functions tests: a state machine role, a SageMaker retraining workflow and its inputs.

The role trusts ``states.amazonaws.com`` and, unless told otherwise, has the policy Step
Functions' developer guide lists for SageMaker tasks ("IAM policies for Amazon
SageMaker"): the sagemaker actions, ``iam:PassRole`` on the execution role and the
EventBridge managed-rule actions a ``.sync`` training task needs.
"""

from __future__ import annotations

import json
import time
from typing import Any

from aws_setup import ACCOUNT, make_execution_role, put_policy, put_s3_object

STATES_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
MANAGED_RULE = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule"
IMAGE = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/model:latest"
TRAINING_DATA = "s3://training-data/train/part-0.csv"
OUTPUT_PATH = "s3://training-output/jobs"


def workflow_statements(execution_role_arn: str, sagemaker_actions: list[str] | None = None) -> list[dict]:
    return [
        {"Effect": "Allow", "Action": sagemaker_actions or ["sagemaker:*"], "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": execution_role_arn},
        {"Effect": "Allow", "Action": ["events:PutTargets", "events:PutRule", "events:DescribeRule"], "Resource": MANAGED_RULE},
    ]


def make_states_role(iam: Any, name: str = "workflow", statements: list[dict] | None = None) -> str:
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(STATES_TRUST))["Role"]["Arn"]
    if statements:
        put_policy(iam, name, "workflow", statements)
    return arn


def training_parameters(execution_role_arn: str) -> dict:
    return {
        "TrainingJobName.$": "$.job",
        "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
        "RoleArn": execution_role_arn,
        "InputDataConfig": [
            {
                "ChannelName": "train",
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://training-data/train/"}},
            }
        ],
        "OutputDataConfig": {"S3OutputPath": OUTPUT_PATH},
        "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 10},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    }


def retraining_workflow(execution_role_arn: str, threshold: float = 0.9) -> dict:
    """Train (.sync) -> evaluate -> register (approved or rejected) -> deploy with a verified rollout."""
    container = {"Image": IMAGE, "ModelDataUrl.$": "$.training.artifact"}
    return {
        "StartAt": "Train",
        "States": {
            "Train": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync",
                "Parameters": training_parameters(execution_role_arn),
                "ResultSelector": {
                    "metric.$": "$.FinalMetricDataList[0].Value",
                    "artifact.$": "$.ModelArtifacts.S3ModelArtifacts",
                },
                "ResultPath": "$.training",
                "Next": "Evaluate",
            },
            "Evaluate": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.training.metric", "NumericGreaterThanEquals": threshold, "Next": "RegisterApproved"}],
                "Default": "RegisterRejected",
            },
            "RegisterApproved": _register("Approved", container, "CreateModel"),
            "RegisterRejected": _register("Rejected", container, "NotDeployed"),
            "NotDeployed": {"Type": "Succeed"},
            "CreateModel": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sagemaker:createModel",
                "Parameters": {
                    "ModelName.$": "$.model",
                    "ExecutionRoleArn": execution_role_arn,
                    "PrimaryContainer": container,
                },
                "ResultPath": None,
                "Next": "CreateConfig",
            },
            "CreateConfig": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sagemaker:createEndpointConfig",
                "Parameters": {
                    "EndpointConfigName.$": "$.config",
                    "ProductionVariants": [
                        {"VariantName": "primary", "ModelName.$": "$.model", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}
                    ],
                },
                "ResultPath": None,
                "Next": "UpdateEndpoint",
            },
            "UpdateEndpoint": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sagemaker:updateEndpoint",
                "Parameters": {"EndpointName.$": "$.endpoint", "EndpointConfigName.$": "$.config", "RetainAllVariantProperties": True},
                "ResultPath": None,
                "Next": "WaitForRollout",
            },
            "WaitForRollout": {"Type": "Wait", "Seconds": 30, "Next": "DescribeEndpoint"},
            "DescribeEndpoint": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sagemaker:describeEndpoint",
                "Parameters": {"EndpointName.$": "$.endpoint"},
                "ResultSelector": {"status.$": "$.EndpointStatus", "config.$": "$.EndpointConfigName"},
                "ResultPath": "$.deployed",
                "Next": "CheckRollout",
            },
            "CheckRollout": {
                "Type": "Choice",
                "Choices": [
                    {
                        "And": [
                            {"Variable": "$.deployed.status", "StringEquals": "InService"},
                            {"Variable": "$.deployed.config", "StringEqualsPath": "$.config"},
                        ],
                        "Next": "Deployed",
                    },
                    {
                        "Or": [
                            {"Variable": "$.deployed.status", "StringEquals": "Updating"},
                            {"Variable": "$.deployed.status", "StringEquals": "SystemUpdating"},
                            {"Variable": "$.deployed.status", "StringEquals": "RollingBack"},
                        ],
                        "Next": "WaitForRollout",
                    },
                ],
                "Default": "RolloutFailed",
            },
            "Deployed": {"Type": "Succeed"},
            "RolloutFailed": {"Type": "Fail", "Error": "RolloutFailed", "Cause": "The endpoint does not run the new configuration."},
        },
    }


def _register(status: str, container: dict, following: str) -> dict:
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:sagemaker:createModelPackage",
        "Parameters": {
            "ModelPackageGroupName.$": "$.group",
            "ModelApprovalStatus": status,
            "InferenceSpecification": {
                "Containers": [container],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
            },
            "CustomerMetadataProperties": {"metric.$": "States.Format('{}', $.training.metric)"},
        },
        "ResultPath": "$.package",
        "Next": following,
    }


def prepare_training(s3: Any) -> None:
    put_s3_object(s3, TRAINING_DATA, b"1,2,3\n")
    s3.create_bucket(Bucket="training-output")


def deployed_endpoint(sagemaker: Any, s3: Any, execution_role_arn: str, name: str = "serving") -> None:
    """An InService endpoint on a first model (version 0)."""
    url = put_s3_object(s3, "s3://models/v0/model.tar.gz")
    sagemaker.create_model(ModelName=f"{name}-v0", ExecutionRoleArn=execution_role_arn, PrimaryContainer={"Image": IMAGE, "ModelDataUrl": url})
    sagemaker.create_endpoint_config(
        EndpointConfigName=f"{name}-v0",
        ProductionVariants=[{"VariantName": "primary", "ModelName": f"{name}-v0", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}],
    )
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-v0")
    wait_until(lambda: sagemaker.describe_endpoint(EndpointName=name)["EndpointStatus"] == "InService")


def execution_role(iam: Any) -> str:
    return make_execution_role(iam)


def wait_until(condition: Any, timeout: float = 30.0, step: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(step)


def finished(stepfunctions: Any, execution_arn: str, timeout: float = 30.0) -> dict:
    """The execution's description once it is no longer RUNNING."""
    wait_until(lambda: stepfunctions.describe_execution(executionArn=execution_arn)["status"] != "RUNNING", timeout)
    return stepfunctions.describe_execution(executionArn=execution_arn)


def history(stepfunctions: Any, execution_arn: str) -> list[dict]:
    return stepfunctions.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
