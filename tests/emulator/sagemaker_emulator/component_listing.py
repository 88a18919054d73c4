"""ListInferenceComponents, tags on inference components, and the endpoint deletion they block
(see :mod:`inference_components` for the sources)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from .aws_errors import validation_error
from .component_rules import checked
from .component_store import Component, ComponentStore, existing

TAG_OPERATIONS = ("AddTags", "ListTags", "DeleteTags")


SORT_KEYS: dict[str, Callable[[Component], Any]] = {
    "Name": lambda c: c.name,
    "CreationTime": lambda c: c.created,
    "Status": lambda c: c.status,
}


def list_components(ctx: Any, store: ComponentStore, params: dict) -> dict:
    """ListInferenceComponents: filters, sort (default ``CreationTime``, ``Descending``) and pagination (``MaxResults``
    1-100, default 10; the token is the position, opaque to callers)."""
    checked("ListInferenceComponents", params)
    found = list(store.of(ctx.account_id, ctx.region).values())
    filters: list[Callable[[Component], bool]] = []
    if params.get("NameContains"):
        filters.append(lambda c: params["NameContains"] in c.name)
    if params.get("StatusEquals"):
        filters.append(lambda c: c.status == params["StatusEquals"])
    if params.get("EndpointNameEquals"):
        filters.append(lambda c: c.endpoint_name == params["EndpointNameEquals"])
    if params.get("VariantNameEquals"):
        filters.append(lambda c: c.variant_name == params["VariantNameEquals"])
    for bound, compare in (
        ("CreationTimeBefore", lambda c, t: c.created < t),
        ("CreationTimeAfter", lambda c, t: c.created > t),
        ("LastModifiedTimeBefore", lambda c, t: (c.modified or c.created) < t),
        ("LastModifiedTimeAfter", lambda c, t: (c.modified or c.created) > t),
    ):
        if params.get(bound) is not None:
            when = float(params[bound])
            filters.append(lambda c, when=when, compare=compare: compare(c, when))
    found = [c for c in found if all(keep(c) for keep in filters)]
    found.sort(key=SORT_KEYS[params.get("SortBy") or "CreationTime"], reverse=(params.get("SortOrder") or "Descending") == "Descending")
    start = 0
    if params.get("NextToken"):
        try:
            start = int(params["NextToken"])
        except ValueError:
            raise validation_error("Invalid pagination token.") from None
    size = params.get("MaxResults") or 10
    page = found[start:start + size]
    answer: dict[str, Any] = {"InferenceComponents": [c.summary() for c in page]}
    if start + size < len(found):
        answer["NextToken"] = str(start + size)
    return answer


# --------------------------------------------------------------------------- tags and the endpoint


def is_component_arn(params: dict) -> bool:
    return ":inference-component/" in str(params.get("ResourceArn") or "")


def tags(ctx: Any, store: ComponentStore, operation: str, params: dict) -> dict:
    """AddTags / ListTags / DeleteTags on an inference component's ARN (API Reference, AddTags: "Adds or overwrites
    one or more tags for the specified SageMaker resource")."""
    name = params["ResourceArn"].rsplit("/", 1)[-1]
    component = existing(ctx, store, name)
    if operation == "AddTags":
        new = params.get("Tags") or []
        keys = {tag["Key"] for tag in new}
        component.tags = [tag for tag in component.tags if tag["Key"] not in keys] + copy.deepcopy(new)
        return {"Tags": component.tags}
    if operation == "DeleteTags":
        keys = set(params.get("TagKeys") or [])
        component.tags = [tag for tag in component.tags if tag["Key"] not in keys]
        return {}
    return {"Tags": component.tags}


def refuse_endpoint_deletion(ctx: Any, store: ComponentStore, params: dict) -> None:
    """DeleteEndpoint while components remain on the endpoint (emulator's message; see the module docstring)."""
    name = params.get("EndpointName")
    left = sorted(c.name for c in store.of(ctx.account_id, ctx.region).values() if c.endpoint_name == name)
    if name and left and name in ctx.backend.endpoints:
        raise validation_error(
            f'Cannot delete endpoint "{ctx.arn("endpoint", name)}": it still hosts inference components '
            f"({', '.join(left)}). Delete them first (DeleteInferenceComponent)."
        )

