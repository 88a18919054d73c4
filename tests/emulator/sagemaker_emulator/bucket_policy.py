"""Bucket policies as S3 applies them to object requests, conditions included.

moto 5.2.5 consults a bucket's policy on every object request (``PutObject``,
``GetObject``, ``HeadObject``, ``DeleteObject``) but evaluates only
``StringEquals`` conditions and takes any other condition as met, so the
common TLS-only policy::

    {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [...],
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}}

denies every object request, and a bucket with it can hold no object.

S3 applies a statement only when all of its conditions hold ("Condition":
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html);
a key missing from the request makes a condition false, unless its operator
ends in ``IfExists`` or is ``Null`` (".../reference_policies_elements_condition_operators.html").
Requests reach AWS over HTTPS whenever an SDK is not pointed elsewhere, and the
emulator stands in for those endpoints: ``aws:SecureTransport`` is ``true``.

:func:`evaluate` implements ``Bool``, ``StringEquals``, ``StringNotEquals``,
``StringLike``, ``StringNotLike`` (each also with ``IfExists``) and ``Null``;
a statement with any other operator does not apply. Principals other than
``*`` (``{"AWS": "*"}``) are not checked, as in moto: such statements do not
apply. :func:`let_moto_apply_bucket_policy_conditions` puts this evaluator in
moto's place.
"""

from __future__ import annotations

from enum import Enum

from .iam_policy import action_matches, parse_document, resource_matches

# What every request to the emulator carries, as AWS would see it.
REQUEST_CONTEXT = {"aws:securetransport": "true"}


def _as_list(value: object) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


class Effect(Enum):
    PERMITTED = "permitted"
    DENIED = "denied"
    NEUTRAL = "neutral"


def _string_like(pattern: str, value: str) -> bool:
    return resource_matches(pattern, value)


_OPERATORS = {
    "Bool": lambda expected, value: expected.lower() == value.lower(),
    "StringEquals": lambda expected, value: expected == value,
    "StringNotEquals": lambda expected, value: expected != value,
    "StringLike": _string_like,
    "StringNotLike": lambda expected, value: not _string_like(expected, value),
}


def _condition_holds(operator: str, key: str, expected: object, context: dict[str, str]) -> bool:
    value = context.get(key.lower())
    if operator == "Null":
        # "true": the key must be absent; "false": present.
        return any((value is None) == (str(e).lower() == "true") for e in _as_list(expected))
    if_exists = operator.endswith("IfExists")
    base = operator[: -len("IfExists")] if if_exists else operator
    compare = _OPERATORS.get(base)
    if compare is None:
        return False
    if value is None:
        return if_exists
    expected_values = [str(e) for e in _as_list(expected)]
    if base.startswith("StringNot"):
        return all(compare(e, value) for e in expected_values)
    return any(compare(e, value) for e in expected_values)


def _conditions_hold(conditions: object, context: dict[str, str]) -> bool:
    if not isinstance(conditions, dict):
        return not conditions
    for operator, tests in conditions.items():
        if not isinstance(tests, dict):
            return False
        for key, expected in tests.items():
            if not _condition_holds(str(operator), str(key), expected, context):
                return False
    return True


def _everyone(principal: object) -> bool:
    if principal == "*":
        return True
    return isinstance(principal, dict) and _as_list(principal.get("AWS")) == ["*"]


def _covers(statement: dict, action: str, resource: str) -> bool:
    if "NotAction" in statement:
        if any(action_matches(str(p), action) for p in _as_list(statement["NotAction"])):
            return False
    elif not any(action_matches(str(p), action) for p in _as_list(statement.get("Action"))):
        return False
    if "NotResource" in statement:
        return not any(resource_matches(str(p), resource) for p in _as_list(statement["NotResource"]))
    return any(resource_matches(str(p), resource) for p in _as_list(statement.get("Resource")))


def evaluate(policy: str | bytes | dict | None, action: str, resource: str, context: dict[str, str] | None = None) -> Effect:
    """What ``policy`` says about ``action`` on ``resource``: an explicit deny wins, then an allow."""
    if isinstance(policy, bytes):
        policy = policy.decode()
    context = {k.lower(): v for k, v in (REQUEST_CONTEXT if context is None else context).items()}
    allowed = False
    for statement in _as_list(parse_document(policy).get("Statement")):
        if not isinstance(statement, dict) or not _everyone(statement.get("Principal")):
            continue
        if not _covers(statement, action, resource) or not _conditions_hold(statement.get("Condition"), context):
            continue
        if statement.get("Effect") == "Deny":
            return Effect.DENIED
        if statement.get("Effect") == "Allow":
            allowed = True
    return Effect.PERMITTED if allowed else Effect.NEUTRAL


def let_moto_apply_bucket_policy_conditions() -> None:
    """Replace moto's bucket-policy check of object requests with :func:`evaluate`."""
    from moto.iam.access_control import PermissionResult
    from moto.s3.models import FakeBucket

    results = {
        Effect.PERMITTED: PermissionResult.PERMITTED,
        Effect.DENIED: PermissionResult.DENIED,
        Effect.NEUTRAL: PermissionResult.NEUTRAL,
    }

    def get_permission(self, action: str, resource: str):  # type: ignore[no-untyped-def]
        if self.policy is None:
            return PermissionResult.NEUTRAL
        return results[evaluate(self.policy, action, resource)]

    FakeBucket.get_permission = get_permission  # type: ignore[method-assign]
