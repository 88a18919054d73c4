"""Where inference component copies go: does one copy fit an instance, do all copies fit the endpoint.

A copy of a component takes, on one instance of its variant, ``NumberOfCpuCoresRequired`` vCPUs,
``MinMemoryRequiredInMb`` MiB and ``NumberOfAcceleratorDevicesRequired`` accelerator devices
(API Reference, InferenceComponentComputeResourceRequirements: "Defines the compute resources to
allocate to run a model ... These resources include CPU cores, accelerators, and memory",
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_InferenceComponentComputeResourceRequirements.html;
instance figures from :mod:`instance_hardware`). The variant has at most ``MaxInstanceCount``
instances with managed instance scaling enabled (ProductionVariantManagedInstanceScaling: "The
maximum number of instances that the endpoint can provision when it scales up"), else its
``InitialInstanceCount``. Copies are placed first-fit, the endpoint's other components' copies first.

* A copy that does not fit one instance is refused at the call (``ValidationException``);
* copies that do not all fit the variant's instances make the create (or update) fail when
  provisioning ends: ``Failed`` (create), or back to the running specification (update), with the
  reason (Developer Guide, "Deploy models for real-time inference": SageMaker places the copies on
  the endpoint's instances and scales the instances out up to the maximum). Messages are the
  emulator's: AWS's wording is not documented.
"""

from __future__ import annotations

from dataclasses import dataclass

from .instance_hardware import Hardware, hardware


@dataclass(frozen=True)
class Need:
    """What one copy asks for."""

    vcpus: float
    memory_mib: int
    accelerators: float

    @staticmethod
    def of(requirements: dict | None) -> "Need":
        requirements = requirements or {}
        return Need(
            float(requirements.get("NumberOfCpuCoresRequired") or 0),
            int(requirements.get("MinMemoryRequiredInMb") or 0),
            float(requirements.get("NumberOfAcceleratorDevicesRequired") or 0),
        )


def misfit(need: Need, instance_type: str) -> list[str]:
    """What a copy asks for beyond one ``instance_type`` instance (empty when it fits or the type is unknown)."""
    offer = hardware(instance_type)
    if offer is None:
        return []
    reasons = []
    if need.vcpus > offer.vcpus:
        reasons.append(f"NumberOfCpuCoresRequired {need.vcpus:g} > {offer.vcpus} vCPUs")
    if need.memory_mib > offer.memory_mib:
        reasons.append(f"MinMemoryRequiredInMb {need.memory_mib} > {offer.memory_mib} MiB")
    if need.accelerators > offer.accelerators:
        reasons.append(f"NumberOfAcceleratorDevicesRequired {need.accelerators:g} > {offer.accelerators} accelerator devices")
    return reasons


def max_instances(variant: dict) -> int:
    """How many instances the variant can have: MaxInstanceCount with managed scaling enabled, else its initial count."""
    scaling = variant.get("ManagedInstanceScaling") or {}
    if scaling.get("Status") == "ENABLED" and scaling.get("MaxInstanceCount") is not None:
        return int(scaling["MaxInstanceCount"])
    return int(variant.get("InitialInstanceCount") or 0)


def _place(copies: list[tuple[Need, int]], offer: Hardware, instances: int) -> tuple[int, int]:
    """First-fit of the copies (``(need, count)`` in placing order) on ``instances`` instances:
    (copies left over, instances used)."""
    free = [[float(offer.vcpus), float(offer.memory_mib), float(offer.accelerators)] for _ in range(instances)]
    used: set[int] = set()
    left = 0
    for need, count in copies:
        for _ in range(count):
            for index, slot in enumerate(free):
                if slot[0] >= need.vcpus and slot[1] >= need.memory_mib and slot[2] >= need.accelerators:
                    slot[0] -= need.vcpus
                    slot[1] -= need.memory_mib
                    slot[2] -= need.accelerators
                    used.add(index)
                    break
            else:
                left += 1
    return left, len(used)


def unplaced(copies: list[tuple[Need, int]], instance_type: str, instances: int) -> int:
    """How many of the copies do not fit ``instances`` instances of ``instance_type``, first-fit."""
    offer = hardware(instance_type)
    if offer is None:
        return 0
    return _place(copies, offer, instances)[0]


def managed_instance_count(variant: dict, copies: list[tuple[Need, int]]) -> int | None:
    """The instance count managed instance scaling keeps for the variant's copies: the instances first-fit uses,
    within ``MinInstanceCount``-``MaxInstanceCount`` ("the range in the number of instances that the endpoint
    provisions as it scales up or down to accommodate traffic", ProductionVariantManagedInstanceScaling); with no
    copies and a minimum of 0, no instance (Developer Guide, "Scale an endpoint to zero instances"). ``None`` when
    managed scaling is not enabled or the instance type is unknown (the count stays as it is)."""
    scaling = variant.get("ManagedInstanceScaling") or {}
    offer = hardware(variant.get("InstanceType"))
    if scaling.get("Status") != "ENABLED" or offer is None:
        return None
    high = max_instances(variant)
    used = _place(copies, offer, high)[1]
    low = int(scaling.get("MinInstanceCount") or 0)
    return min(high, max(low, used))


def describe(offer: Hardware | None) -> str:
    if offer is None:
        return "unknown"
    return f"{offer.vcpus} vCPUs, {offer.memory_mib} MiB, {offer.accelerators} accelerator devices"
