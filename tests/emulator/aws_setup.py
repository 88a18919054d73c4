"""Helpers for emulator tests that need AWS objects SageMaker checks: an execution role and its policies,
model data in S3.

The emulator refuses, as AWS does, a model whose execution role does not exist or
does not trust ``sagemaker.amazonaws.com``, and fails deployments the role may not
carry out (download the model data, write captured data); tests make the role with
:func:`make_execution_role`, the model artifact with :func:`put_s3_object`, and grant
the role what it needs with :func:`read_statement` / :func:`write_statement` /
:func:`describe_alarms_statement`.
"""

from __future__ import annotations

import json
from typing import Any

ACCOUNT = "123456789012"
SAGEMAKER_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
ALLOW_EVERYTHING = [{"Effect": "Allow", "Action": "*", "Resource": "*"}]


def make_execution_role(iam: Any, name: str = "sagemaker-execution", statements: list[dict] | None = ALLOW_EVERYTHING) -> str:
    """A role SageMaker can assume, with one inline policy of ``statements`` (none if ``None``); its ARN."""
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(SAGEMAKER_TRUST))["Role"]["Arn"]
    if statements is not None:
        put_policy(iam, name, "access", statements)
    return arn


def put_policy(iam: Any, role: str, policy: str, statements: list[dict]) -> None:
    iam.put_role_policy(
        RoleName=role, PolicyName=policy, PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements})
    )


def s3_object_arn(url: str) -> str:
    """``arn:aws:s3:::bucket/key`` of ``s3://bucket/key`` (``key`` may end in ``*``)."""
    return "arn:aws:s3:::" + url[len("s3://"):]


def read_statement(url: str) -> dict:
    """Allows ``s3:GetObject`` on the object at ``url``: what SageMaker needs to download model data."""
    return {"Effect": "Allow", "Action": "s3:GetObject", "Resource": s3_object_arn(url)}


def describe_alarms_statement(*names: str, region: str = "us-east-1") -> dict:
    """Allows ``cloudwatch:DescribeAlarms`` on the alarms ``names`` (``*`` for all): what rollback alarms need."""
    arns = [f"arn:aws:cloudwatch:{region}:{ACCOUNT}:alarm:{name}" for name in names or ("*",)]
    return {"Effect": "Allow", "Action": "cloudwatch:DescribeAlarms", "Resource": arns}


def write_statement(prefix: str) -> dict:
    """Allows ``s3:PutObject`` under ``prefix`` (``s3://bucket/prefix``): what data capture needs."""
    return {"Effect": "Allow", "Action": "s3:PutObject", "Resource": s3_object_arn(prefix.rstrip("/") + "/*")}


def put_s3_object(s3: Any, url: str, body: bytes = b"model") -> str:
    """The object at ``url`` (``s3://bucket/key``), its bucket created first if missing; ``url``."""
    bucket, key = url[len("s3://"):].split("/", 1)
    make_bucket(s3, bucket)
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    return url


def make_bucket(s3: Any, bucket: str) -> str:
    """The bucket ``bucket`` in the client's region, unless it exists already; its name."""
    existing = {entry["Name"] for entry in s3.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        region = s3.meta.region_name
        location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=bucket, **location)
    return bucket
