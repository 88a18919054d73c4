"""Endpoint production variants, derived from an endpoint config the way SageMaker does.

Also implements ``RetainAllVariantProperties`` / ``ExcludeRetainedVariantProperties``
of ``UpdateEndpoint``: keep the running variants' instance counts and weights
(for variants whose names match) instead of the new config's initial values, and
the ``PendingDeploymentSummary`` DescribeEndpoint shows while an update runs.
"""

from __future__ import annotations

import copy
from typing import Any

# VariantPropertyType (API reference, VariantProperty): "DesiredInstanceCount", "DesiredWeight",
# "DataCaptureConfig: (Not currently supported.)" - all three are valid values of ExcludeRetainedVariantProperties.
VARIANT_PROPERTY_TYPES = ("DesiredInstanceCount", "DesiredWeight", "DataCaptureConfig")
# The ones RetainAllVariantProperties actually retains ("the retention of variant properties, such as the
# instance count or the variant weight", UpdateEndpoint): DataCaptureConfig is "Not currently supported".
RETAINED_PROPERTIES = ("DesiredInstanceCount", "DesiredWeight")


def variants_from_config(config_variants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """DescribeEndpoint ``ProductionVariants`` for a freshly deployed config."""
    variants = []
    for source in config_variants:
        variant: dict[str, Any] = {"VariantName": source["VariantName"]}
        if "ServerlessConfig" in source:
            variant["CurrentServerlessConfig"] = copy.deepcopy(source["ServerlessConfig"])
            variant["DesiredServerlessConfig"] = copy.deepcopy(source["ServerlessConfig"])
        if source.get("InitialInstanceCount") is not None:
            variant["CurrentInstanceCount"] = variant["DesiredInstanceCount"] = source["InitialInstanceCount"]
        weight = source.get("InitialVariantWeight")
        variant["CurrentWeight"] = variant["DesiredWeight"] = 1.0 if weight is None else weight
        # ProductionVariantSummary (API reference, DescribeEndpoint) echoes these two settings of the config.
        for field in ("ManagedInstanceScaling", "RoutingConfig"):
            if source.get(field):
                variant[field] = copy.deepcopy(source[field])
        variants.append(variant)
    return variants


def retain_properties(
    new_variants: list[dict[str, Any]],
    running_variants: list[dict[str, Any]],
    excluded: set[str],
) -> list[dict[str, Any]]:
    """Copy instance counts / weights of same-named running variants into ``new_variants`` (unless excluded)."""
    running = {variant["VariantName"]: variant for variant in running_variants}
    for variant in new_variants:
        old = running.get(variant["VariantName"])
        if old is None:
            continue
        if "DesiredInstanceCount" not in excluded and "DesiredInstanceCount" in old:
            variant["DesiredInstanceCount"] = old["DesiredInstanceCount"]
            variant["CurrentInstanceCount"] = old.get("CurrentInstanceCount", old["DesiredInstanceCount"])
        if "DesiredWeight" not in excluded and "DesiredWeight" in old:
            variant["DesiredWeight"] = old["DesiredWeight"]
            variant["CurrentWeight"] = old.get("CurrentWeight", old["DesiredWeight"])
    return new_variants


def pending_summary(config_name: str, config_variants: list[dict[str, Any]], new_variants: list[dict[str, Any]], start: Any) -> dict[str, Any]:
    """``PendingDeploymentSummary`` shown by DescribeEndpoint while an update runs."""
    instance_types = {v["VariantName"]: v.get("InstanceType") for v in config_variants}
    pending = []
    for variant in new_variants:
        entry = {
            "VariantName": variant["VariantName"],
            # VariantStatus (ProductionVariantStatus): "Creating: Creating inference resources for the production variant."
            "VariantStatus": [{"Status": "Creating", "StartTime": start}],
        }
        for key in ("DesiredWeight", "DesiredInstanceCount", "DesiredServerlessConfig"):
            if key in variant:
                entry[key] = variant[key]
        if instance_types.get(variant["VariantName"]):
            entry["InstanceType"] = instance_types[variant["VariantName"]]
        pending.append(entry)
    return {"EndpointConfigName": config_name, "ProductionVariants": pending, "StartTime": start}


def show_bake(summary: dict[str, Any] | None, percent: float, label: str, start: Any) -> None:
    """Mark a pending deployment as baking with ``percent`` of the traffic on the new fleet.

    ProductionVariantStatus (API reference): "ActivatingTraffic: Turning on traffic for the production variant.
    Baking: Waiting period to monitor the CloudWatch alarms in the automatic rollback configuration." The
    ``StatusMessage`` wording is the emulator's.
    """
    if not summary:
        return
    for entry in summary.get("ProductionVariants", []):
        entry["VariantStatus"] = [
            {"Status": "Baking", "StatusMessage": f"{label}: {percent:g}% of traffic on the new fleet", "StartTime": start}
        ]
