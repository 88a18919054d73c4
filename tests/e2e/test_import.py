"""Adopting objects made outside Pulumi, through the real engine.

A key, a bucket, a role, a model, an endpoint configuration and an endpoint
are made directly in the emulator with boto3, as a user's existing objects
would have been, carrying the provider's default tags too. The
tests/e2e/programs/py-import program declares them as they are, with the
`import` resource option: the engine reads each one knowing only its id, so
the provider must rebuild its inputs from the live object. The `up` must
adopt all six without changing any, after which a preview has nothing to do;
the adopted objects are then managed like any other (an update, a refused
change, a destroy)."""

from __future__ import annotations

import json
import sys

import pytest

from conftest import ROOT, Stack

PROGRAM = str(ROOT / "tests" / "e2e" / "programs" / "py-import")
sys.path.insert(0, PROGRAM)

from existing import (  # noqa: E402
    BUCKET,
    DEFAULT_TAGS,
    ENDPOINT,
    ENDPOINT_CONFIG,
    IMAGE,
    KEY_ALIAS,
    MODEL,
    MODEL_DATA_KEY,
    ROLE,
    TAGS,
    model_environment,
    role_policy,
    trust_policy,
)

TOKENS = ("kms:Key", "s3:Bucket", "iam:Role", "sagemaker:Model", "sagemaker:EndpointConfig", "sagemaker:Endpoint")


def tagged(shape: str) -> list[dict]:
    """The default and the objects' own tags, in a service's shape."""
    tags = {**DEFAULT_TAGS, **TAGS}
    if shape == "kms":
        return [{"TagKey": k, "TagValue": v} for k, v in tags.items()]
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def make_existing_objects(aws) -> str:
    """What a user made before Pulumi, by hand; the key's id."""
    kms = aws("kms")
    key = kms.create_key(Description="Model artifacts key", Tags=tagged("kms"))["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    kms.create_alias(AliasName=KEY_ALIAS, TargetKeyId=key["KeyId"])

    s3 = aws("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(
        Bucket=BUCKET,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]},
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    s3.put_bucket_policy(
        Bucket=BUCKET,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ],
            }
        ),
    )
    s3.put_bucket_tagging(Bucket=BUCKET, Tagging={"TagSet": tagged("s3")})
    s3.put_object(Bucket=BUCKET, Key=MODEL_DATA_KEY, Body=b"model")

    iam = aws("iam")
    role = iam.create_role(
        RoleName=ROLE,
        AssumeRolePolicyDocument=trust_policy(),
        Description="Runs the imported model",
        Tags=tagged("iam"),
    )["Role"]
    iam.put_role_policy(RoleName=ROLE, PolicyName="read-model", PolicyDocument=role_policy())

    sagemaker = aws("sagemaker")
    sagemaker.create_model(
        ModelName=MODEL,
        ExecutionRoleArn=role["Arn"],
        PrimaryContainer={
            "Image": IMAGE,
            "ModelDataUrl": f"s3://{BUCKET}/{MODEL_DATA_KEY}",
            "Environment": model_environment(),
        },
        Tags=tagged("sagemaker"),
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName=ENDPOINT_CONFIG,
        ProductionVariants=[
            {
                "VariantName": "primary",
                "ModelName": MODEL,
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
                "InitialVariantWeight": 1.0,
            }
        ],
        KmsKeyId=key["Arn"],
        Tags=tagged("sagemaker"),
    )
    sagemaker.create_endpoint(EndpointName=ENDPOINT, EndpointConfigName=ENDPOINT_CONFIG, Tags=tagged("sagemaker"))
    sagemaker.get_waiter("endpoint_in_service").wait(EndpointName=ENDPOINT, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    return key["KeyId"]


@pytest.fixture
def stack(engine, fresh_emulator):
    stack = Stack(engine, "python", "../tests/e2e/programs/py-import", "e2e-import")
    stack.remove()
    yield stack
    stack.run("destroy", expect_ok=False)
    stack.remove()


def test_existing_objects_are_adopted_as_they_are(stack: Stack, aws):
    key_id = make_existing_objects(aws)
    config = {"keyId": key_id, "sagemaker-deployment:defaultTags": json.dumps(DEFAULT_TAGS)}

    # All six adopted, none changed: the inputs rebuilt from the live
    # objects are the ones the program declares.
    adopted = stack.run("up", config=config)
    print(f"\nimport up: {adopted.changes}")
    assert adopted.changes["import"] == len(TOKENS), adopted.changes
    # Created: the stack itself, nothing else.
    assert adopted.changes["create"] == 1, adopted.changes
    assert adopted.changes["update"] == adopted.changes["replace"] == 0, adopted.changes
    sagemaker = aws("sagemaker")
    assert adopted.outputs["keyArn"] == aws("kms").describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    assert adopted.outputs["bucketArn"] == f"arn:aws:s3:::{BUCKET}"
    assert adopted.outputs["roleArn"] == aws("iam").get_role(RoleName=ROLE)["Role"]["Arn"]
    assert adopted.outputs["modelArn"] == sagemaker.describe_model(ModelName=MODEL)["ModelArn"]
    config_arn = sagemaker.describe_endpoint_config(EndpointConfigName=ENDPOINT_CONFIG)["EndpointConfigArn"]
    assert adopted.outputs["endpointConfigArn"] == config_arn
    assert adopted.outputs["endpointArn"] == sagemaker.describe_endpoint(EndpointName=ENDPOINT)["EndpointArn"]

    # Nothing left to do, for the preview and for a refresh.
    stack.run("preview", "--expect-no-changes", config=config)
    stack.run("refresh", "--expect-no-changes")

    # Adopted objects are managed: a change goes through the provider...
    weighted = stack.run("up", config={**config, "primaryWeight": "3"})
    assert weighted.changes["update"] == 1 and weighted.changes["replace"] == 0, weighted.changes
    live = sagemaker.describe_endpoint(EndpointName=ENDPOINT)
    assert live["ProductionVariants"][0]["CurrentWeight"] == 3
    assert live["EndpointConfigName"] == ENDPOINT_CONFIG

    # ...and a change SageMaker cannot make to a model named by hand is
    # refused at preview, naming the property and the way out.
    refused = stack.run(
        "preview",
        config={**config, "primaryWeight": "3", "modelEnvironment": json.dumps({"SAGEMAKER_MODEL_SERVER_WORKERS": "4"})},
        expect_ok=False,
    )
    assert not refused.ok
    assert "modelName" in refused.error and f"model {MODEL} would keep its name" in refused.error, refused.error[-2000:]

    # Destroy deletes what was adopted, but not a bucket that still holds
    # objects (forceDestroy is off), as for any bucket.
    kept = stack.run("destroy", expect_ok=False)
    assert f"bucket {BUCKET} is not empty; set forceDestroy" in kept.error, kept.error[-2000:]
    s3 = aws("s3")
    listed = s3.list_object_versions(Bucket=BUCKET)
    for entry in listed.get("Versions", []) + listed.get("DeleteMarkers", []):
        s3.delete_object(Bucket=BUCKET, Key=entry["Key"], VersionId=entry["VersionId"])
    stack.run("destroy")
    assert s3.list_buckets()["Buckets"] == []
    assert sagemaker.list_endpoints()["Endpoints"] == []
    assert sagemaker.list_endpoint_configs()["EndpointConfigs"] == []
    assert sagemaker.list_models()["Models"] == []
    assert aws("iam").list_roles()["Roles"] == []
    assert aws("kms").describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"


def test_importing_an_object_that_does_not_exist_fails_naming_it(stack: Stack, aws):
    key_id = make_existing_objects(aws)
    aws("sagemaker").delete_endpoint(EndpointName=ENDPOINT)
    aws("sagemaker").get_waiter("endpoint_deleted").wait(EndpointName=ENDPOINT, WaiterConfig={"Delay": 1})
    config = {"keyId": key_id, "sagemaker-deployment:defaultTags": json.dumps(DEFAULT_TAGS)}
    missing = stack.run("preview", config=config, expect_ok=False)
    assert not missing.ok
    assert f"resource '{ENDPOINT}' does not exist" in missing.error, missing.error[-2000:]
