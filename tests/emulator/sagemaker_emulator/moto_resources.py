"""Read-only lookups in moto's IAM, S3 and SNS state, for the checks SageMaker makes on a role's behalf.

Like :mod:`moto_access`, these read moto's module-level backends directly (the
emulator runs moto in-process); call them holding :data:`~state_lock.EMULATOR_LOCK`
(every hooked call does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_S3_URL = re.compile(r"^s3://([^/]+)/?(.*)$")
_ARN = re.compile(r"^arn:([^:]+):([^:]*):([^:]*):([^:]*):(.*)$")


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str


def parse_arn(text: str) -> Arn | None:
    match = _ARN.match(text or "")
    return Arn(*match.groups()) if match else None


@dataclass(frozen=True)
class S3Location:
    bucket: str
    key: str

    @classmethod
    def parse(cls, url: str) -> S3Location | None:
        """``s3://bucket/key`` (the form SageMaker documents); ``None`` for anything else."""
        match = _S3_URL.match(url or "")
        return cls(match.group(1), match.group(2)) if match else None

    def object_arn(self, key: str | None = None, partition: str = "aws") -> str:
        return f"arn:{partition}:s3:::{self.bucket}/{self.key if key is None else key}"

    def bucket_arn(self, partition: str = "aws") -> str:
        return f"arn:{partition}:s3:::{self.bucket}"


# -- IAM ------------------------------------------------------------------------------------


def _iam_backend(account: str, partition: str = "aws") -> Any:
    from moto.iam.models import iam_backends

    return iam_backends[account][partition]


def iam_role_by_arn(arn: str) -> Any | None:
    """moto's ``Role`` whose ARN (path included) is ``arn``, in the ARN's account; ``None`` if there is none."""
    parsed = parse_arn(arn)
    if parsed is None or parsed.service != "iam" or not parsed.resource.startswith("role/"):
        return None
    backend = _iam_backend(parsed.account, parsed.partition)
    return next((role for role in backend.get_roles() if role.arn == arn), None)


def iam_role_by_name(account: str, name: str) -> Any | None:
    backend = _iam_backend(account)
    return next((role for role in backend.get_roles() if role.name == name), None)


def managed_policy_document(policy: Any) -> str | None:
    """The default version's document of a moto ``ManagedPolicy``."""
    for version in getattr(policy, "versions", []) or []:
        if getattr(version, "is_default", False):
            return version.document
    return getattr(policy, "document", None)


# -- S3 -------------------------------------------------------------------------------------


def s3_bucket(account: str, name: str, partition: str = "aws") -> Any | None:
    """The bucket ``name`` if this account owns it in moto (buckets of other accounts are not looked at)."""
    from moto.s3.models import s3_backends

    return s3_backends[account][partition].buckets.get(name)


def _live(bucket: Any, key: str) -> bool:
    from moto.s3.models import FakeDeleteMarker

    latest = bucket.keys.get(key)
    return latest is not None and not isinstance(latest, FakeDeleteMarker)


def s3_object_exists(bucket: Any, key: str) -> bool:
    return bool(key) and _live(bucket, key)


def s3_keys_under(bucket: Any, prefix: str) -> list[str]:
    """Keys of the live objects whose key starts with ``prefix``, sorted."""
    return sorted(key for key in list(bucket.keys.keys()) if key.startswith(prefix) and _live(bucket, key))


# -- SNS ------------------------------------------------------------------------------------


def sns_topic_exists(topic_arn: str) -> bool:
    parsed = parse_arn(topic_arn)
    if parsed is None or parsed.service != "sns":
        return False
    from moto.sns.models import sns_backends

    return topic_arn in sns_backends[parsed.account][parsed.region].topics
