"""An inference component among the endpoint's other components: room for its copies, the instance count managed
instance scaling keeps, and why a deployment fails when provisioning ends (see :mod:`component_placement`)."""

from __future__ import annotations

from typing import Any

from . import deployment_access
from .component_placement import Need, managed_instance_count, max_instances, unplaced
from .component_store import FAILED, Component, ComponentStore


def placement_reason(ctx: Any, store: ComponentStore, component: Component, spec: dict, copies: int) -> str | None:
    """Why ``copies`` copies of ``component`` (with ``spec``) do not fit the variant's instances, if they do not."""
    endpoint = ctx.backend.endpoints.get(component.endpoint_name)
    config = ctx.backend.endpoint_configs.get(endpoint.endpoint_config_name) if endpoint is not None else None
    if config is None:
        return f'Could not find endpoint "{component.endpoint_arn}".'
    variant = next((v for v in config.production_variants if v["VariantName"] == component.variant_name), None)
    if variant is None:
        return None
    # Other components' copies first: those running, and those an earlier component is provisioning (first come,
    # first placed: two creations do not share the same room).
    def held(other: Component) -> int:
        provisioning = (other.desired_copies or 0) if other.created <= component.created else 0
        return max(other.current_copies or 0, provisioning)

    others = [
        (Need.of(other.specification.get("ComputeResourceRequirements")), held(other))
        for other in store.of(ctx.account_id, ctx.region).values()
        if other is not component and other.endpoint_name == component.endpoint_name
        and other.variant_name == component.variant_name and other.status != FAILED
    ]
    need = Need.of(spec.get("ComputeResourceRequirements"))
    instances = max_instances(variant)
    left = unplaced([*others, (need, copies)], variant["InstanceType"], instances)
    if left:
        return (
            f"Unable to place {left} of {copies} copies of inference component {component.name}: the variant "
            f"{component.variant_name} can have at most {instances} {variant['InstanceType']} instance(s) and they "
            "lack the compute resources (CPU cores, memory, accelerators) the copies require."
        )
    return None


def rescale(ctx: Any, store: ComponentStore, endpoint_name: str, variant_name: str) -> None:
    """After the variant's copies changed: DescribeEndpoint's instance count as managed instance scaling keeps it
    (:func:`component_placement.managed_instance_count`; down to 0 with no copy and ``MinInstanceCount`` 0)."""
    endpoint = ctx.backend.endpoints.get(endpoint_name)
    config = ctx.backend.endpoint_configs.get(endpoint.endpoint_config_name) if endpoint is not None else None
    variant = next((v for v in (config.production_variants if config else []) if v["VariantName"] == variant_name), None)
    if variant is None:
        return
    copies = [
        (Need.of(c.specification.get("ComputeResourceRequirements")), c.current_copies or 0)
        for c in store.of(ctx.account_id, ctx.region).values()
        if c.endpoint_name == endpoint_name and c.variant_name == variant_name and c.status != FAILED
    ]
    count = managed_instance_count(variant, copies)
    if count is None:
        return
    for summary in endpoint.production_variants:
        if summary.get("VariantName") == variant_name:
            summary["CurrentInstanceCount"] = summary["DesiredInstanceCount"] = count


def model_gone(ctx: Any, spec: dict) -> str | None:
    model = spec.get("ModelName")
    if model and model not in ctx.backend._models:
        return f'Could not find model "{ctx.arn("model", model)}".'
    return None


def deployment_reason(ctx: Any, store: ComponentStore, component: Component, spec: dict, copies: int, at: float) -> str | None:
    """Why deploying ``copies`` copies with ``spec`` fails when provisioning ends at ``at``: the model deleted
    meanwhile, its data out of the role's reach (:func:`deployment_access.component_data_reason`), or no room."""
    endpoint = ctx.backend.endpoints.get(component.endpoint_name)
    config = ctx.backend.endpoint_configs.get(endpoint.endpoint_config_name) if endpoint is not None else None
    return (
        model_gone(ctx, spec)
        or deployment_access.component_data_reason(ctx, spec, config, at)
        or placement_reason(ctx, store, component, spec, copies)
    )

