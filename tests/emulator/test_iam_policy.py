"""Unit tests of the IAM policy evaluator (:mod:`sagemaker_emulator.iam_policy`), no emulator needed."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from sagemaker_emulator.iam_policy import ALLOW, DENY, IMPLICIT_DENY, decide, is_allowed, trusts_service

OBJECT = "arn:aws:s3:::models/fraud/model.tar.gz"


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource="*", **extra) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def test_nothing_is_allowed_without_a_matching_allow():
    assert decide([], "s3:GetObject", OBJECT) == IMPLICIT_DENY
    assert decide([policy(allow("s3:PutObject"))], "s3:GetObject", OBJECT) == IMPLICIT_DENY


def test_an_explicit_deny_wins_over_any_allow_in_any_policy():
    documents = [policy(allow("s3:*")), policy(deny("s3:GetObject", "arn:aws:s3:::models/*"))]
    assert decide(documents, "s3:GetObject", OBJECT) == DENY
    assert decide(documents, "s3:PutObject", OBJECT) == ALLOW


@pytest.mark.parametrize(
    "pattern, allowed",
    [
        ("s3:GetObject", True),
        ("S3:getobject", True),  # prefix and action name are case-insensitive
        ("s3:Get*", True),
        ("s3:GetObjec?", True),
        ("s3:GetObject?", False),
        ("s3:*", True),
        ("*", True),
        ("s3:List*", False),
        ("ec2:GetObject", False),
    ],
)
def test_action_wildcards(pattern, allowed):
    assert is_allowed([policy(allow(pattern, OBJECT))], "s3:GetObject", OBJECT) is allowed


def test_action_lists_and_a_single_statement_object():
    single = json.dumps({"Version": "2012-10-17", "Statement": allow(["s3:PutObject", "s3:GetObject"], [OBJECT])})
    assert is_allowed([single], "s3:GetObject", OBJECT)


@pytest.mark.parametrize(
    "pattern, allowed",
    [
        (OBJECT, True),
        ("arn:aws:s3:::models/*", True),
        ("arn:aws:s3:::models/fraud/*.tar.gz", True),
        ("arn:aws:s3:::models/fraud/model.tar.g?", True),
        ("arn:aws:s3:::MODELS/*", False),  # ARNs are case-sensitive
        ("arn:aws:s3:::models", False),  # the bucket is not its objects
        ("arn:aws:s3:::other/*", False),
        ("*", True),
    ],
)
def test_resource_wildcards(pattern, allowed):
    assert is_allowed([policy(allow("s3:GetObject", pattern))], "s3:GetObject", OBJECT) is allowed


def test_not_action_allows_everything_else():
    documents = [policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})]
    assert is_allowed(documents, "s3:GetObject", OBJECT)
    assert not is_allowed(documents, "iam:PassRole", "*")


def test_not_action_in_a_deny_denies_everything_else():
    documents = [policy(allow("*")), policy({"Effect": "Deny", "NotAction": ["s3:Get*"], "Resource": "*"})]
    assert is_allowed(documents, "s3:GetObject", OBJECT)
    assert decide(documents, "s3:PutObject", OBJECT) == DENY


def test_not_resource():
    documents = [policy({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"})]
    assert is_allowed(documents, "s3:GetObject", OBJECT)
    assert not is_allowed(documents, "s3:GetObject", "arn:aws:s3:::secret/key")


def test_conditions_are_ignored():
    documents = [policy(allow("s3:ListBucket", "arn:aws:s3:::models", Condition={"StringLike": {"s3:prefix": "fraud/*"}}))]
    assert is_allowed(documents, "s3:ListBucket", "arn:aws:s3:::models")


def test_documents_may_be_url_encoded_or_unreadable():
    assert is_allowed([quote(policy(allow("s3:GetObject")))], "s3:GetObject", OBJECT)
    assert not is_allowed(["not json", None, ""], "s3:GetObject", OBJECT)


def test_trust_policy_for_the_sagemaker_service_principal():
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com", "sagemaker.amazonaws.com"]}, "Action": "sts:AssumeRole"}]}
    assert trusts_service(json.dumps(trust), "sagemaker.amazonaws.com")
    assert not trusts_service(json.dumps(trust), "lambda.amazonaws.com")
    assert not trusts_service("{}", "sagemaker.amazonaws.com")
    wrong_action = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:TagSession"}]}
    assert not trusts_service(wrong_action, "sagemaker.amazonaws.com")
    denied = {"Statement": trust["Statement"] + [{"Effect": "Deny", "Principal": "*", "Action": "sts:*"}]}
    assert not trusts_service(denied, "sagemaker.amazonaws.com")
