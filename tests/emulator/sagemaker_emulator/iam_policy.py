"""A small evaluator of IAM identity-based policies: may a role do ``action`` on ``resource``?

SageMaker acts with the model's execution role (reads model data, writes data
capture and async results, publishes to SNS, creates network interfaces); the
emulator decides those calls with this evaluator, on the role's inline policies
and attached managed policies as moto's IAM backend holds them.

The rules implemented, from the IAM User Guide:

* Policy evaluation logic (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
  an explicit ``Deny`` in any statement wins; otherwise an ``Allow`` that
  matches allows; otherwise the request is implicitly denied.
* IAM JSON policy elements: Action / NotAction
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html,
  .../reference_policies_elements_notaction.html): ``service:Action``, with
  ``*`` and ``?`` wildcards; "The prefix and the action name are case
  insensitive". ``NotAction`` matches every action except those listed.
* IAM JSON policy elements: Resource / NotResource
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html):
  ARNs with ``*`` / ``?`` wildcards in any segment, compared case-sensitively.
* ``Statement`` may be one object or a list; ``Action`` / ``Resource`` a string or a list.

Not implemented (say so when it matters): ``Condition`` blocks are ignored (a
statement with a condition applies as if its condition held), policy variables
(``${aws:username}``) are compared literally, permissions boundaries, session
policies, SCPs and resource-based policies (bucket, key and topic policies) are
not consulted.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote

ALLOW = "Allow"
DENY = "Deny"
IMPLICIT_DENY = "ImplicitDeny"


def parse_document(document: str | dict | None) -> dict:
    """A policy document as a dict; moto may keep it URL-encoded. Unreadable documents are empty."""
    if isinstance(document, dict):
        return document
    if not document:
        return {}
    text = document.strip()
    if not text.startswith("{"):
        text = unquote(text)
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _as_list(value: object) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


@functools.lru_cache(maxsize=4096)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """``*`` matches any run of characters, ``?`` any one character; everything else is literal."""
    parts = ("." if char == "?" else ".*" if char == "*" else re.escape(char) for char in pattern)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def action_matches(pattern: str, action: str) -> bool:
    """Whether an ``Action`` entry (``s3:Get*``, ``*``) covers ``action``; case-insensitive."""
    return bool(_wildcard(pattern, True).fullmatch(action))


def resource_matches(pattern: str, resource: str) -> bool:
    """Whether a ``Resource`` entry (``arn:aws:s3:::bucket/prefix/*``, ``*``) covers ``resource``; case-sensitive."""
    return bool(_wildcard(pattern, False).fullmatch(resource))


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...]
    not_resources: tuple[str, ...] | None

    @classmethod
    def parse(cls, raw: dict) -> Statement:
        not_actions = raw.get("NotAction")
        not_resources = raw.get("NotResource")
        return cls(
            effect=str(raw.get("Effect", "")),
            actions=tuple(str(a) for a in _as_list(raw.get("Action"))),
            not_actions=None if not_actions is None else tuple(str(a) for a in _as_list(not_actions)),
            resources=tuple(str(r) for r in _as_list(raw.get("Resource"))),
            not_resources=None if not_resources is None else tuple(str(r) for r in _as_list(not_resources)),
        )

    def applies_to(self, action: str, resource: str) -> bool:
        """Whether this statement covers the request (its ``Condition``, if any, taken as met)."""
        if self.not_actions is not None:
            if any(action_matches(pattern, action) for pattern in self.not_actions):
                return False
        elif not any(action_matches(pattern, action) for pattern in self.actions):
            return False
        if self.not_resources is not None:
            return not any(resource_matches(pattern, resource) for pattern in self.not_resources)
        return any(resource_matches(pattern, resource) for pattern in self.resources)


def statements(documents: Iterable[str | dict | None]) -> list[Statement]:
    """Every statement of ``documents`` (each a policy document, JSON text or dict)."""
    found = []
    for document in documents:
        for raw in _as_list(parse_document(document).get("Statement")):
            if isinstance(raw, dict):
                found.append(Statement.parse(raw))
    return found


def decide(documents: Iterable[str | dict | None], action: str, resource: str) -> str:
    """``Allow``, ``Deny`` (explicit) or ``ImplicitDeny`` for ``action`` on ``resource``."""
    allowed = False
    for statement in statements(documents):
        if not statement.applies_to(action, resource):
            continue
        if statement.effect == DENY:
            return DENY
        if statement.effect == ALLOW:
            allowed = True
    return ALLOW if allowed else IMPLICIT_DENY


def is_allowed(documents: Iterable[str | dict | None], action: str, resource: str) -> bool:
    return decide(documents, action, resource) == ALLOW


def trusts_service(trust_policy: str | dict | None, service: str, action: str = "sts:AssumeRole") -> bool:
    """Whether a role's trust policy lets the AWS service principal ``service`` assume it.

    A statement applies when its ``Action`` covers ``sts:AssumeRole`` and its
    ``Principal`` is ``"*"``, or names ``service`` (or ``*``) under ``Service``;
    an applying ``Deny`` wins (IAM User Guide, "AWS JSON policy elements: Principal",
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
    Conditions are ignored, as in :func:`decide`.
    """
    allowed = False
    for raw in _as_list(parse_document(trust_policy).get("Statement")):
        if not isinstance(raw, dict) or not any(action_matches(str(a), action) for a in _as_list(raw.get("Action"))):
            continue
        principal = raw.get("Principal")
        if principal == "*":
            named = True
        elif isinstance(principal, dict):
            named = any(str(entry) in ("*", service) for entry in _as_list(principal.get("Service")))
        else:
            named = False
        if not named:
            continue
        if raw.get("Effect") == DENY:
            return False
        if raw.get("Effect") == ALLOW:
            allowed = True
    return allowed
