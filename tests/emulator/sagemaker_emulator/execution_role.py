"""A model's execution role as SageMaker sees it at a given moment: can it be assumed, what may it do.

SageMaker "performs operations on your behalf using other AWS services" with the
execution role (SageMaker Developer Guide, "How to use SageMaker AI execution roles",
https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html): it assumes
the role (its trust policy must allow ``sts:AssumeRole`` for the service principal
``sagemaker.amazonaws.com``) and is then allowed what the role's identity-based
policies allow (:mod:`iam_policy`).

What is seen depends on IAM's eventual consistency (:mod:`iam_hooks`): within
``iam_propagation_seconds`` of its creation a role cannot be found, and a policy
put on or attached to it does not count yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import iam_policy
from .iam_hooks import IAM_CHANGES
from .moto_resources import iam_role_by_arn, managed_policy_document, parse_arn

SAGEMAKER_PRINCIPAL = "sagemaker.amazonaws.com"


@dataclass
class RoleView:
    """The policies of one role as visible at one moment."""

    arn: str
    role: Any | None  # moto's Role, or None when the role cannot be found (missing or not yet propagated)
    documents: list[str]

    @property
    def found(self) -> bool:
        return self.role is not None

    def assumable_by_sagemaker(self) -> bool:
        return self.found and iam_policy.trusts_service(self.role.assume_role_policy_document, SAGEMAKER_PRINCIPAL)

    def allows(self, action: str, resource: str) -> bool:
        """Whether SageMaker, acting with this role, may do ``action`` on ``resource``."""
        return self.assumable_by_sagemaker() and iam_policy.is_allowed(self.documents, action, resource)


def role_at(arn: str, now: float, propagation_seconds: float) -> RoleView:
    """The role ``arn`` as SageMaker sees it at ``now`` (emulator clock)."""
    role = iam_role_by_arn(arn)
    parsed = parse_arn(arn)
    if role is None or parsed is None or not IAM_CHANGES.role_visible(parsed.account, role.name, now, propagation_seconds):
        return RoleView(arn, None, [])
    account = parsed.account
    documents = []
    for name, document in role.policies.items():
        visible = IAM_CHANGES.inline_document(account, role.name, name, document, now, propagation_seconds)
        if visible is not None:
            documents.append(visible)
    for policy_arn, policy in role.managed_policies.items():
        if IAM_CHANGES.attachment_visible(account, role.name, policy_arn, now, propagation_seconds):
            document = managed_policy_document(policy)
            if document:
                documents.append(document)
    return RoleView(arn, role, documents)
