"""Which SageMaker hosting instance types come with instance storage (local NVMe SSD volumes).

The table is ``data/nvme_instance_types.json`` (plain JSON, so the provider can
read it too). Its sources:

* the instance types: botocore's SageMaker model, shape
  ``ProductionVariantInstanceType`` (the types ``CreateEndpointConfig`` accepts);
* instance storage per type: EC2's ``DescribeInstanceTypes``
  (``InstanceStorageSupported``, ``InstanceStorageInfo.TotalSizeInGB``), as
  shipped in moto's ``ec2/resources/instance_types.json``; this is the data behind
  the EC2 documentation's "Instance store volume limits" / instance store
  specification tables ("Amazon EC2 instance types", https://docs.aws.amazon.com/ec2/latest/instancetypes/
  and "Instance store temporary block storage for EC2 instances",
  https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/InstanceStorage.html);
* types that moto's copy lacks are filled in from those pages by hand
  (``manual`` in the JSON) or left ``unverified``.

Why it matters: "Certain Nitro-based instances include local storage, dependent on
the instance type. Local storage volumes are encrypted using a hardware module on
the instance." (CreateEndpointConfig, ``KmsKeyId``,
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpointConfig.html).
Older revisions of that page added "You can't request a KmsKeyId when using an
instance type with local storage ... the call to CreateEndpointConfig fails"; the
current one says instead that "the KmsKeyId parameter does not encrypt instance
local storage". See :mod:`config_rules`.

``python -m sagemaker_emulator.instance_storage`` prints the table derived afresh
from the installed botocore and moto (to refresh the JSON after an upgrade).
"""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path
from typing import Any

TABLE_PATH = Path(__file__).resolve().parent / "data" / "nvme_instance_types.json"


@functools.cache
def table() -> dict[str, Any]:
    """The JSON table (loaded once)."""
    return json.loads(TABLE_PATH.read_text(encoding="utf-8"))


def has_instance_storage(instance_type: str | None) -> bool | None:
    """True/False for a known SageMaker hosting type, None when the table does not know it."""
    if not instance_type:
        return None
    data = table()
    if instance_type in data["with_instance_storage"]:
        return True
    if instance_type in data["without_instance_storage"]:
        return False
    return None


def derive() -> dict[str, Any]:
    """The table's automatic part, computed from the installed botocore and moto."""
    import botocore
    import moto

    model_path = next((Path(botocore.__file__).parent / "data" / "sagemaker").glob("*/service-2.json*"))
    opener = gzip.open if model_path.suffix == ".gz" else open
    with opener(model_path, "rt", encoding="utf-8") as handle:
        sagemaker_types = json.load(handle)["shapes"]["ProductionVariantInstanceType"]["enum"]
    with gzip.open(Path(moto.__file__).parent / "ec2" / "resources" / "instance_types.json.gz", "rt") as handle:
        ec2_types = json.load(handle)
    with_storage: dict[str, dict[str, Any]] = {}
    without_storage: list[str] = []
    missing: list[str] = []
    for instance_type in sagemaker_types:
        info = ec2_types.get(instance_type.removeprefix("ml."))
        if info is None:
            missing.append(instance_type)
        elif info.get("InstanceStorageSupported"):
            storage = info["InstanceStorageInfo"]
            disks = storage.get("Disks") or [{}]
            with_storage[instance_type] = {
                "total_size_gb": storage.get("TotalSizeInGB"),
                "disk_type": disks[0].get("Type"),
                "nvme": storage.get("NvmeSupport"),
            }
        else:
            without_storage.append(instance_type)
    return {"with_instance_storage": with_storage, "without_instance_storage": without_storage, "not_in_ec2_data": missing}


if __name__ == "__main__":
    print(json.dumps(derive(), indent=2, sort_keys=True))
