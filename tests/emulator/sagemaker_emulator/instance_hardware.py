"""What one SageMaker hosting instance offers an inference component: vCPUs, memory, accelerator devices.

The one table of the emulator for these figures. Source: EC2's ``DescribeInstanceTypes``
data as shipped with moto (``ec2/resources/instance_types.json.gz``; the data behind
"Amazon EC2 instance types", https://docs.aws.amazon.com/ec2/latest/instancetypes/),
read for ``ml.<type>`` as ``<type>`` - a SageMaker hosting instance is the EC2 instance of
that name:

* ``vcpus``: ``VCpuInfo.DefaultVCpus``;
* ``memory_mib``: ``MemoryInfo.SizeInMiB``;
* ``accelerators``: GPUs (``GpuInfo.Gpus[].Count``), else AWS Neuron devices
  (``NeuronInfo.NeuronDevices[].Count``: Inferentia, Trainium), else the older
  ``InferenceAcceleratorInfo`` count; 0 for a CPU instance.

They bound an inference component's ``ComputeResourceRequirements``
(``NumberOfCpuCoresRequired``, ``MinMemoryRequiredInMb``, ``NumberOfAcceleratorDevicesRequired``:
"Accelerators include GPUs and AWS Inferentia", API Reference,
InferenceComponentComputeResourceRequirements,
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_InferenceComponentComputeResourceRequirements.html).
Not modelled: the memory SageMaker keeps for itself on each instance (undocumented), so a
component asking for exactly the instance's memory fits here. A type missing from the data
(none of botocore's hosting types at the time of writing but ``ml.p6e-gb200.36xlarge``) is
unknown: no fit check.

``python -m sagemaker_emulator.instance_hardware ml.g5.xlarge`` prints a type's row.
"""

from __future__ import annotations

import functools
import gzip
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Hardware:
    """One instance's resources."""

    vcpus: int
    memory_mib: int
    accelerators: int


@functools.cache
def _ec2_types() -> dict:
    import moto

    with gzip.open(Path(moto.__file__).parent / "ec2" / "resources" / "instance_types.json.gz", "rt") as handle:
        return json.load(handle)


def _accelerators(info: dict) -> int:
    for key, items in (("GpuInfo", "Gpus"), ("NeuronInfo", "NeuronDevices"), ("InferenceAcceleratorInfo", "Accelerators")):
        devices = (info.get(key) or {}).get(items) or []
        if devices:
            return sum(int(device.get("Count") or 0) for device in devices)
    return 0


@functools.cache
def hardware(instance_type: str | None) -> Hardware | None:
    """The resources of a hosting instance type (``ml.g5.xlarge``), or ``None`` if the data lacks it."""
    if not instance_type:
        return None
    info = _ec2_types().get(instance_type.removeprefix("ml."))
    if info is None:
        return None
    return Hardware(
        vcpus=int(info["VCpuInfo"]["DefaultVCpus"]),
        memory_mib=int(info["MemoryInfo"]["SizeInMiB"]),
        accelerators=_accelerators(info),
    )


if __name__ == "__main__":
    for name in sys.argv[1:]:
        row = hardware(name)
        print(name, json.dumps(asdict(row)) if row else "unknown")
