"""Bucket policies with conditions (:mod:`sagemaker_emulator.bucket_policy`):
the evaluator alone, and object requests to a TLS-only bucket."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from sagemaker_emulator.bucket_policy import Effect, evaluate

OBJECT = "arn:aws:s3:::artifacts/models/a/model.tar.gz"


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def deny_insecure(bucket: str = "artifacts") -> dict:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def test_a_tls_only_policy_denies_only_insecure_requests():
    tls_only = policy(deny_insecure())
    assert evaluate(tls_only, "s3:PutObject", OBJECT) == Effect.NEUTRAL
    assert evaluate(tls_only, "s3:PutObject", OBJECT, {"aws:SecureTransport": "false"}) == Effect.DENIED


@pytest.mark.parametrize(
    "condition, effect",
    [
        ({"StringEquals": {"aws:SecureTransport": "true"}}, Effect.DENIED),
        ({"StringNotEquals": {"aws:SecureTransport": ["true", "yes"]}}, Effect.NEUTRAL),
        ({"StringLike": {"aws:SecureTransport": "t*"}}, Effect.DENIED),
        # A key the request lacks: false, unless IfExists or Null says otherwise.
        ({"StringEquals": {"aws:SourceVpce": "vpce-1"}}, Effect.NEUTRAL),
        ({"StringNotEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}, Effect.DENIED),
        ({"Null": {"aws:SourceVpce": "true"}}, Effect.DENIED),
        ({"NumericLessThan": {"s3:TlsVersion": "1.2"}}, Effect.NEUTRAL),
    ],
)
def test_a_statement_applies_only_when_its_conditions_hold(condition, effect):
    statement = {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*", "Condition": condition}
    assert evaluate(policy(statement), "s3:GetObject", OBJECT) == effect


def test_an_unconditional_deny_still_denies_and_an_allow_permits():
    deny = {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::artifacts/*"}
    allow = {"Effect": "Allow", "Principal": "*", "Action": "s3:Get*", "Resource": "arn:aws:s3:::artifacts/*"}
    document = policy(deny, allow)
    assert evaluate(document, "s3:DeleteObject", OBJECT) == Effect.DENIED
    assert evaluate(document, "s3:GetObject", OBJECT) == Effect.PERMITTED
    assert evaluate(document, "s3:PutObject", OBJECT) == Effect.NEUTRAL


def test_objects_go_in_and_out_of_a_tls_only_bucket(emulator, s3):
    s3.create_bucket(Bucket="artifacts")
    s3.put_bucket_policy(Bucket="artifacts", Policy=policy(deny_insecure()))
    s3.put_object(Bucket="artifacts", Key="models/a/model.tar.gz", Body=b"weights")
    assert s3.get_object(Bucket="artifacts", Key="models/a/model.tar.gz")["Body"].read() == b"weights"
    s3.delete_object(Bucket="artifacts", Key="models/a/model.tar.gz")
    # An unconditional deny is still applied.
    s3.put_bucket_policy(
        Bucket="artifacts",
        Policy=policy({"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::artifacts/*"}),
    )
    with pytest.raises(ClientError) as denied:
        s3.put_object(Bucket="artifacts", Key="models/a/model.tar.gz", Body=b"weights")
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
