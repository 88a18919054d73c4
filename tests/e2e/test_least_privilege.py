"""Least privilege, checked: every policy the components create, read back
from the emulator after real `up`s, grants no wildcard where AWS allows a
narrower one.

The examples are deployed through the real engine: BaseInfra alone with its
options on, and the py-endpoint app as a real-time endpoint (autoscaling and
a canary rollout with its alarms, and its scheduled retraining Workflow
that deploys what it approves), an asynchronous one (notifications,
scale-to-zero) and a serverless one. Then every policy in the account is
read: the roles' inline and attached policies, the bucket policies, the KMS
key policies and the SNS topic policies. An `Allow` statement fails when it
grants every action (`*` or `<service>:*`), uses NotAction or NotResource,
grants on `*` an action that has a resource type, names an ARN with a
wildcard region or account (they are known), or names `*` as principal
without a condition. The exceptions are listed below, each with the AWS
documentation that makes it one."""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass

import pytest

from conftest import Stack

REGION = "us-east-1"
ACCOUNT = "123456789012"

# Actions the Service Authorization Reference lists without a resource type:
# "If there is no value for this column, you must specify all resources ("*")
# to which the policy applies in the Resource element".
WITHOUT_RESOURCE_TYPE = {
    "cloudwatch:PutMetricData": (
        "Service Authorization Reference, Actions, resources, and condition keys for Amazon CloudWatch: "
        "PutMetricData has no resource type, only the cloudwatch:namespace condition key "
        "(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html; "
        "CloudWatch User Guide, Using condition keys to limit access to CloudWatch namespaces)"
    ),
    "ecr:GetAuthorizationToken": (
        "Service Authorization Reference, Actions, resources, and condition keys for Amazon Elastic "
        "Container Registry: GetAuthorizationToken has no resource type "
        "(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html)"
    ),
    # The Workflow's state machine delivers its execution logs (Step Functions
    # Developer Guide, "Using CloudWatch Logs to log execution history in Step
    # Functions", IAM policies for logging to CloudWatch Logs).
    **{
        f"logs:{action}": (
            f"Service Authorization Reference, Actions, resources, and condition keys for Amazon CloudWatch Logs: "
            f"{action} has no resource type "
            "(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html)"
        )
        for action in ("CreateLogDelivery", "GetLogDelivery", "UpdateLogDelivery", "DeleteLogDelivery", "ListLogDeliveries")
    },
}

# In a key policy, "*" is the key itself: "In a key policy, the value of the
# Resource element is "*", which means "this KMS key."" (KMS Developer Guide,
# Creating a key policy, Elements in a key policy).
KEY_POLICY_RESOURCE = "*"
# The key policy's statement for the account principal (arn:aws:iam::<account>:root)
# "doesn't give permission to any IAM principal. Instead, it gives the AWS account
# permission to use IAM policies to delegate the permissions specified in the key
# policy" (same page, Principal); the default key policy grants it kms:* (KMS
# Developer Guide, Default key policy, "Allows access to the AWS account and enables
# IAM policies"). What the roles may then do with the key is in their IAM
# policies, which this test checks.
ACCOUNT_PRINCIPAL = f"arn:aws:iam::{ACCOUNT}:root"


@dataclass
class Policy:
    """One policy document and where it was found."""

    where: str
    kind: str  # "identity", "bucket", "key", "topic"
    document: dict


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def decoded(document) -> dict:
    """A policy document as the APIs answer it: a dict (boto3 decodes IAM's) or JSON text."""
    if isinstance(document, dict):
        return document
    return json.loads(urllib.parse.unquote(document))


def principals(statement: dict) -> list[str]:
    principal = statement.get("Principal")
    if principal is None:
        return []
    if principal == "*":
        return ["*"]
    return [value for values in principal.values() for value in as_list(values)]


def arn_problem(resource: str) -> str | None:
    """Why an ARN is wider than it needs to be: a wildcard region or account."""
    parts = resource.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    _, _, service, region, account, _ = parts
    if region == "*" or account == "*":
        return f"{resource}: the region and account are known ({REGION}, {ACCOUNT}), not `*`"
    return None


def problems(policy: Policy) -> list[str]:
    """What in `policy` grants more than it needs to."""
    found = []
    for index, statement in enumerate(as_list(policy.document.get("Statement"))):
        if statement.get("Effect") != "Allow":
            continue
        at = f"{policy.where} statement {statement.get('Sid') or index}"
        if "NotAction" in statement or "NotResource" in statement:
            found.append(f"{at}: allows with NotAction/NotResource")
        actions = [a.lower() for a in as_list(statement.get("Action"))]
        resources = as_list(statement.get("Resource"))
        who = principals(statement)
        delegated_to_account = policy.kind == "key" and who == [ACCOUNT_PRINCIPAL]
        for action in actions:
            if (action == "*" or action.endswith(":*")) and not (delegated_to_account and action == "kms:*"):
                found.append(f"{at}: allows every action `{action}`")
        if "*" in who and "Condition" not in statement:
            found.append(f"{at}: allows anyone (`*` principal) without a condition")
        for resource in resources:
            if resource == "*":
                if policy.kind == "key" and resource == KEY_POLICY_RESOURCE:
                    continue
                wide = [a for a in actions if a not in {k.lower() for k in WITHOUT_RESOURCE_TYPE}]
                if wide:
                    found.append(f"{at}: allows {wide} on `*`, though they take a resource type")
            elif problem := arn_problem(resource):
                found.append(f"{at}: {problem}")
    return found


def identity_policies(aws) -> list[Policy]:
    """The inline and attached policies of every role the components made
    (service-linked roles are AWS's own)."""
    iam = aws("iam")
    policies = []
    for role in iam.list_roles()["Roles"]:
        if role["Path"].startswith("/aws-service-role/"):
            continue
        name = role["RoleName"]
        for policy_name in iam.list_role_policies(RoleName=name)["PolicyNames"]:
            document = iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]
            policies.append(Policy(f"role {name} inline policy {policy_name}", "identity", decoded(document)))
        for attached in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
            arn = attached["PolicyArn"]
            version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
            document = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
            policies.append(Policy(f"role {name} attached policy {arn}", "identity", decoded(document)))
    return policies


def bucket_policies(aws) -> list[Policy]:
    s3 = aws("s3")
    policies = []
    for bucket in s3.list_buckets()["Buckets"]:
        name = bucket["Name"]
        try:
            text = s3.get_bucket_policy(Bucket=name)["Policy"]
        except s3.exceptions.ClientError as error:
            if error.response["Error"]["Code"] == "NoSuchBucketPolicy":
                continue
            raise
        policies.append(Policy(f"bucket {name} policy", "bucket", decoded(text)))
    return policies


def key_policies(aws) -> list[Policy]:
    kms = aws("kms")
    policies = []
    for key in kms.list_keys()["Keys"]:
        metadata = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
        if metadata.get("KeyManager") == "AWS" or metadata["KeyState"] == "PendingDeletion":
            continue
        text = kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"]
        policies.append(Policy(f"key {key['KeyId']} policy", "key", decoded(text)))
    return policies


def topic_policies(aws) -> list[Policy]:
    sns = aws("sns")
    policies = []
    for topic in sns.list_topics()["Topics"]:
        attributes = sns.get_topic_attributes(TopicArn=topic["TopicArn"])["Attributes"]
        if "Policy" in attributes:
            policies.append(Policy(f"topic {topic['TopicArn']} policy", "topic", decoded(attributes["Policy"])))
    return policies


def every_policy(aws) -> dict[str, list[Policy]]:
    return {
        "identity": identity_policies(aws),
        "bucket": bucket_policies(aws),
        "key": key_policies(aws),
        "topic": topic_policies(aws),
    }


# (example, stack, config): everything the components make, each kind of endpoint.
DEPLOYMENTS = [
    ("py-base-infra", "e2e-privilege", {"forceDestroy": "true", "enableVersioning": "true"}),
    (
        "py-endpoint",
        "e2e-privilege-realtime",
        {
            "inferenceType": "realtime",
            "endpointName": "privilege-realtime",
            "autoscaling": json.dumps({"minCapacity": 1, "maxCapacity": 3, "targetInvocationsPerInstance": 50}),
            "rollout": json.dumps(
                {
                    "trafficShift": "CANARY",
                    "canarySize": {"unit": "CAPACITY_PERCENT", "value": 10},
                    "waitIntervalInSeconds": 60,
                }
            ),
            # The Workflow's state machine role (auto-deploy: the endpoint
            # update grants too) and its schedule role.
            "enableWorkflow": "true",
            "workflowSchedule": "rate(7 days)",
            # The rollout watches a MonitorDashboard's alarms: the execution
            # role's grant names exactly those.
            "monitoring": "{}",
        },
    ),
    (
        "py-endpoint",
        "e2e-privilege-async",
        {
            "inferenceType": "async",
            "endpointName": "privilege-async",
            "autoscaling": json.dumps({"minCapacity": 0, "maxCapacity": 2, "targetBacklogPerInstance": 4}),
        },
    ),
    ("py-endpoint", "e2e-privilege-serverless", {"inferenceType": "serverless", "endpointName": "privilege-serverless"}),
]


@pytest.fixture(scope="module")
def deployed(engine, emulator):
    emulator.reset()
    emulator.configure(endpoint_creating_seconds=0.5, endpoint_updating_seconds=0.5)
    stacks = []
    try:
        for example, name, config in DEPLOYMENTS:
            stack = Stack(engine, "python", example, name)
            stack.remove()
            stacks.append(stack)
            stack.run("up", config=config)
        yield stacks
    finally:
        for stack in reversed(stacks):
            stack.run("destroy", expect_ok=False)
            stack.remove()


def test_every_policy_the_components_create_is_least_privilege(deployed, aws):
    policies = every_policy(aws)
    for kind, found in policies.items():
        print(f"\n{kind} policies: {len(found)}")
        for policy in found:
            print(f"  {policy.where}")
    # Every kind is there to check: the examples make each.
    assert all(policies.values()), {kind: len(found) for kind, found in policies.items()}
    # The Workflow's two roles are among them.
    inline = {policy.where.rsplit(" ", 1)[1] for policy in policies["identity"]}
    assert {"workflow", "start-workflow"} <= inline, sorted(inline)
    findings = [problem for found in policies.values() for policy in found for problem in problems(policy)]
    assert findings == [], "\n".join(findings)


def test_the_images_are_pulled_from_their_own_repositories_only(deployed, aws):
    """The grant that replaced ECR pulls on `*`: the model's repository."""
    iam = aws("iam")
    pulls = [
        decoded(iam.get_role_policy(RoleName=role["RoleName"], PolicyName=name)["PolicyDocument"])
        for role in iam.list_roles()["Roles"]
        for name in iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"]
        if name.endswith("-pull-images")
    ]
    # One per endpoint deployment (each has its SageMakerModel component).
    assert len(pulls) == 3, pulls
    for document in pulls:
        (statement,) = document["Statement"]
        assert statement["Resource"] == ["arn:aws:ecr:us-east-1:763104351884:repository/pytorch-inference"]
        assert sorted(statement["Action"]) == [
            "ecr:BatchCheckLayerAvailability",
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
        ]


@pytest.mark.parametrize(
    ("statement", "kind", "expected"),
    [
        ({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}, "identity", "every action `s3:*`"),
        ({"Effect": "Allow", "Action": "*", "Resource": "*"}, "identity", "every action `*`"),
        ({"Effect": "Allow", "Action": "ecr:BatchGetImage", "Resource": "*"}, "identity", "take a resource type"),
        (
            {"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "arn:aws:logs:*:*:log-group:/aws/sagemaker/*"},
            "identity",
            "region and account are known",
        ),
        ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, "identity", "NotAction"),
        ({"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": "arn:aws:sns:us-east-1:123456789012:t"}, "topic", "anyone"),
        ({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/r"}, "Action": "kms:*", "Resource": "*"}, "key", "every action `kms:*`"),
    ],
)
def test_the_check_fails_what_it_should(statement, kind, expected):
    """The rules themselves: each statement here is wider than it needs to be."""
    found = problems(Policy("example", kind, {"Statement": [statement]}))
    assert any(expected in problem for problem in found), found


def test_the_check_lets_the_documented_exceptions_through():
    allowed = [
        ("identity", {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*", "Condition": {}}),
        ("identity", {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}),
        ("key", {"Effect": "Allow", "Principal": {"AWS": ACCOUNT_PRINCIPAL}, "Action": "kms:*", "Resource": "*"}),
        ("bucket", {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}),
        ("identity", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/models/*"}),
    ]
    for kind, statement in allowed:
        assert problems(Policy("example", kind, {"Statement": [statement]})) == [], statement
