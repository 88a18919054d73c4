"""A state machine's role as Step Functions sees it: may Step Functions assume it, what may it do.

Step Functions runs every task with the state machine's role (Developer Guide,
"How Step Functions generates IAM policies for integrated services",
https://docs.aws.amazon.com/step-functions/latest/dg/service-integration-iam-templates.html):
the role's trust policy must let the service principal ``states.amazonaws.com`` (or
the regional ``states.<region>.amazonaws.com``) ``sts:AssumeRole``, and its
identity-based policies must allow each action a task performs
(:mod:`iam_policy`, the same evaluator SageMaker's execution roles go through). The
role is seen as IAM shows it at that moment (:mod:`execution_role`: within
``iam_propagation_seconds`` of a change, without it).

``CreateStateMachine`` / ``UpdateStateMachine`` refuse a role Step Functions cannot
assume with ``AccessDeniedException: Neither the global service principal
states.amazonaws.com, nor the regional one is authorized to assume the provided role.``
(AWS's message, as the AWS CloudFormation resource provider for
``AWS::StepFunctions::StateMachine`` matches it, and as public deployment logs quote it).
"""

from __future__ import annotations

from . import iam_policy
from .execution_role import RoleView, role_at

GLOBAL_PRINCIPAL = "states.amazonaws.com"
TRUST_MESSAGE = (
    "Neither the global service principal states.amazonaws.com, nor the regional one is authorized to assume the provided role."
)


def role_for_states(arn: str, now: float, propagation_seconds: float) -> RoleView:
    return role_at(arn, now, propagation_seconds)


def assumable_by_states(role: RoleView, region: str) -> bool:
    if not role.found:
        return False
    trust = role.role.assume_role_policy_document
    return iam_policy.trusts_service(trust, GLOBAL_PRINCIPAL) or iam_policy.trusts_service(trust, f"states.{region}.amazonaws.com")


def states_may(role: RoleView, region: str, action: str, resource: str) -> bool:
    """Whether Step Functions, acting with ``role``, may do ``action`` on ``resource``."""
    return assumable_by_states(role, region) and iam_policy.is_allowed(role.documents, action, resource)
