"""Helpers for emulator tests that need AWS objects SageMaker checks: an execution role and its policies.

The emulator refuses, as AWS does, a model whose execution role does not exist or
does not trust ``sagemaker.amazonaws.com``, and fails deployments the role may not
carry out; tests make the role with :func:`make_execution_role`.
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
