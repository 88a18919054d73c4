"""BaseInfra through the real engine, from TypeScript and from Python:
preview, up, a no-op up, an in-place update, refresh, drift, destroy."""

from __future__ import annotations

import json

import pytest

from conftest import Stack, mutating, resource_calls

EXAMPLES = {"python": "py-base-infra", "typescript": "ts-base-infra"}


@pytest.fixture(params=sorted(EXAMPLES))
def stack(request, engine, fresh_emulator):
    language = request.param
    stack = Stack(engine, language, EXAMPLES[language], "dev")
    stack.remove()
    yield stack
    stack.remove()


def bucket_policy(s3, bucket: str) -> dict:
    return json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])


def test_base_infra_lifecycle(stack: Stack, fresh_emulator, aws):
    # Preview plans everything and touches no AWS resource (it only asks
    # STS whose account this is).
    preview = stack.run("preview")
    assert preview.changes["create"] == 6, preview.result
    assert resource_calls(fresh_emulator.requests()) == []

    up = stack.run("up")
    assert up.changes["create"] == 6
    out = up.outputs
    artifacts, results = out["modelArtifactBucketName"], out["asyncOutputBucketName"]

    kms, s3, iam = aws("kms"), aws("s3"), aws("iam")
    key_id = out["kmsKeyArn"].rsplit("/", 1)[1]
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    aliases = [a["AliasName"] for a in kms.list_aliases(KeyId=key_id)["Aliases"]]
    assert out["kmsKeyAlias"] in aliases

    assert s3.get_bucket_versioning(Bucket=artifacts)["Status"] == "Enabled"
    for bucket in (artifacts, results):
        rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
        assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == out["kmsKeyArn"]
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert all(block.values()), block
        deny = bucket_policy(s3, bucket)["Statement"][0]
        assert deny["Effect"] == "Deny"
        assert deny["Condition"]["Bool"]["aws:SecureTransport"] == "false"

    role = iam.get_role(RoleName=out["executionRoleName"])["Role"]
    trust = role["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"]["Service"] == "sagemaker.amazonaws.com"
    assert iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"] == []
    names = iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"]
    document = iam.get_role_policy(RoleName=role["RoleName"], PolicyName=names[0])["PolicyDocument"]
    resources = json.dumps(document)
    assert f"arn:aws:s3:::{artifacts}/models/*" in resources
    assert out["kmsKeyArn"] in resources
    assert '"s3:*"' not in resources and "AmazonSageMakerFullAccess" not in resources

    # A second up changes nothing.
    again = stack.run("up", "--expect-no-changes")
    assert again.changes["create"] == again.changes["update"] == again.changes["replace"] == 0

    # A changed input updates in place: no replacement, same bucket.
    versioning_off = stack.run("up", config={"enableVersioning": "false"})
    assert versioning_off.changes["update"] == 1 and versioning_off.changes["replace"] == 0
    assert s3.get_bucket_versioning(Bucket=artifacts)["Status"] == "Suspended"
    assert versioning_off.outputs["modelArtifactBucketName"] == artifacts

    # Refresh finds no drift...
    refresh = stack.run("refresh")
    assert refresh.changes["update"] == 0 and refresh.changes["delete"] == 0

    # ...until someone turns key rotation off behind Pulumi's back.
    kms.disable_key_rotation(KeyId=key_id)
    drift = stack.run("refresh")
    assert drift.changes["update"] == 1, drift.result
    assert "enableKeyRotation" in drift.log
    repaired = stack.run("up")
    assert repaired.changes["update"] == 1
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True

    # Destroy leaves only what is kept on purpose: the model-artifact bucket
    # (forceDestroy is off) and the key, which KMS holds pending deletion.
    destroy = stack.run("destroy")
    assert destroy.changes["delete"] == 6
    buckets = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert buckets == [artifacts]
    assert iam.list_roles()["Roles"] == []
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    assert kms.list_aliases(KeyId=key_id)["Aliases"] == []
    assert "kept in AWS" in destroy.log


def test_preview_rejects_invalid_base_infra_before_any_aws_call(stack: Stack, fresh_emulator):
    preview = stack.run("preview", config={"projectName": "Not A Valid Name"}, expect_ok=False)
    assert not preview.ok
    assert "projectName" in preview.error and "lowercase" in preview.error
    assert mutating([r["operation"] for r in fresh_emulator.requests()]) == []
