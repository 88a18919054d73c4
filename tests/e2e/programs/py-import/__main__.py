"""A key, a bucket, a role, a model, an endpoint configuration and an
endpoint that were made outside Pulumi (tests/e2e/test_import.py makes them
with boto3, as a user's existing objects), declared as they are and adopted
with the `import` resource option.

Stack config: `keyId`, the id KMS gave the key (the one id not chosen by
hand); `primaryWeight` (default 1) and `modelEnvironment` (a JSON object,
default the model's own) to change the objects once adopted.
"""

import json

import pulumi
from pulumi_sagemaker_deployment import iam, kms, s3, sagemaker

from existing import BUCKET, ENDPOINT, ENDPOINT_CONFIG, IMAGE, KEY_ALIAS, MODEL, MODEL_DATA_KEY, ROLE, TAGS
from existing import model_environment, role_policy, trust_policy

config = pulumi.Config()
weight = float(config.get("primaryWeight") or 1)
environment = json.loads(config.get("modelEnvironment") or json.dumps(model_environment()))


def adopt(name: str) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(import_=name)


key = kms.Key(
    "key",
    description="Model artifacts key",
    alias_name=KEY_ALIAS,
    enable_key_rotation=True,
    tags=TAGS,
    opts=adopt(config.require("keyId")),
)
bucket = s3.Bucket(
    "bucket",
    bucket_name=BUCKET,
    kms_key_arn=key.arn,
    versioning=True,
    enforce_tls=True,
    tags=TAGS,
    opts=adopt(BUCKET),
)
role = iam.Role(
    "role",
    role_name=ROLE,
    assume_role_policy=trust_policy(),
    description="Runs the imported model",
    inline_policies={"read-model": role_policy()},
    tags=TAGS,
    opts=adopt(ROLE),
)
model = sagemaker.Model(
    "model",
    model_name=MODEL,
    execution_role_arn=role.arn,
    image=IMAGE,
    model_data_url=f"s3://{BUCKET}/{MODEL_DATA_KEY}",
    environment=environment,
    tags=TAGS,
    opts=adopt(MODEL),
)
endpoint_config = sagemaker.EndpointConfig(
    "endpoint-config",
    endpoint_config_name=ENDPOINT_CONFIG,
    production_variants=[
        {"variant_name": "primary", "model_name": model.model_name, "instance_type": "ml.m5.large"}
    ],
    initial_capacity={"primary": {"weight": 1, "instance_count": 1}},
    kms_key_arn=key.arn,
    tags=TAGS,
    opts=adopt(ENDPOINT_CONFIG),
)
endpoint = sagemaker.Endpoint(
    "endpoint",
    endpoint_name=ENDPOINT,
    endpoint_config_name=endpoint_config.endpoint_config_name,
    variant_weights={"primary": weight},
    variant_instance_counts={"primary": 1},
    tags=TAGS,
    opts=adopt(ENDPOINT),
)

pulumi.export("keyArn", key.arn)
pulumi.export("bucketArn", bucket.arn)
pulumi.export("roleArn", role.arn)
pulumi.export("modelArn", model.arn)
pulumi.export("endpointConfigArn", endpoint_config.arn)
pulumi.export("endpointArn", endpoint.arn)
