"""The objects made outside Pulumi, as their owner knows them: names, tags
and documents that tests/e2e/test_import.py creates them with (boto3) and
that the program declares."""

import json

BUCKET = "imported-model-artifacts-e2e"
MODEL_DATA_KEY = "models/imported/model.tar.gz"
KEY_ALIAS = "alias/imported-model-artifacts"
ROLE = "imported-sagemaker-execution"
MODEL = "imported-model"
ENDPOINT_CONFIG = "imported-endpoint-config"
ENDPOINT = "imported-endpoint"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.0.0-cpu-py310"
TAGS = {"team": "ml"}
# The provider's default tags (stack config `sagemaker-deployment:defaultTags`),
# which the objects carry too, as if Pulumi had made them.
DEFAULT_TAGS = {"managed-by": "platform"}


def model_environment() -> dict:
    return {"SAGEMAKER_MODEL_SERVER_WORKERS": "2"}


def trust_policy() -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    )


def role_policy() -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/{MODEL_DATA_KEY}"}
            ],
        }
    )
