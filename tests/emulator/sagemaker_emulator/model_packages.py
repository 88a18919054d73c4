"""Model package groups and model packages: what moto lacks or does differently from SageMaker.

* ``DeleteModelPackage`` and ``DeleteModelPackageGroup`` (moto: not implemented) are
  answered here (API Reference, DeleteModelPackage / DeleteModelPackageGroup). A
  group that still holds model packages is not deleted: ``ConflictException`` (the
  only error DeleteModelPackageGroup declares: "There was a conflict when you attempted
  to modify a SageMaker entity"; the message is the emulator's). A missing group or
  package: ``ValidationException`` in moto's DescribeModelPackage(Group) wording.
* ``CreateModelPackage`` in a group without ``ModelApprovalStatus``: the version is
  ``PendingManualApproval``; moto leaves it empty. The API reference (CreateModelPackage,
  ``ModelApprovalStatus``: "optional for versioned models ... must be set to Approved to
  deploy the model") does not state the default; ``PendingManualApproval`` is the value
  the SageMaker Python SDK registers with and public guides describe new versions in
  (not confirmed by an AWS document).
* ``UpdateModelPackage`` changes only what it is given (API Reference,
  UpdateModelPackage): moto blanks ``ModelApprovalStatus``, ``ApprovalDescription`` and
  ``CustomerMetadataProperties`` when they are not sent and replaces the properties
  instead of adding to them.
"""

from __future__ import annotations

from typing import Any

from .aws_errors import AwsError, validation_error


def _package(backend: Any, name_or_arn: str) -> Any | None:
    key = backend.model_package_name_mapping.get(name_or_arn, name_or_arn)
    return backend.model_packages.get(key)


def delete_model_package(ctx: Any, params: dict) -> dict:
    name = str(params.get("ModelPackageName") or "")
    package = _package(ctx.backend, name)
    if package is None:
        raise validation_error(f"Model package {name} not found")
    ctx.backend.model_packages.pop(package.arn, None)
    for key, value in list(ctx.backend.model_package_name_mapping.items()):
        if value == package.arn:
            del ctx.backend.model_package_name_mapping[key]
    return {}


def delete_model_package_group(ctx: Any, params: dict) -> dict:
    name = str(params.get("ModelPackageGroupName") or "").rsplit("/", 1)[-1]
    group = ctx.backend.model_package_groups.get(name)
    if group is None:
        raise validation_error(f"ModelPackageGroup {ctx.arn('model-package-group', name)} does not exist.")
    if any(package.model_package_group_name == name for package in ctx.backend.model_packages.values()):
        raise AwsError(
            "ConflictException",
            f"Model package group {group.arn} cannot be deleted because it contains model packages; delete them first.",
        )
    del ctx.backend.model_package_groups[name]
    return {}


def after_create(ctx: Any, params: dict, answer: dict) -> None:
    package = _package(ctx.backend, str(answer.get("ModelPackageArn") or ""))
    if package is not None and params.get("ModelPackageGroupName") and not params.get("ModelApprovalStatus"):
        package.model_approval_status = "PendingManualApproval"


def before_update(ctx: Any, params: dict) -> dict | None:
    """What UpdateModelPackage must keep: the package's description and properties before moto runs."""
    package = _package(ctx.backend, str(params.get("ModelPackageArn") or ""))
    if package is None:
        return None
    return {
        "model_approval_status": package.model_approval_status,
        "approval_description": package.approval_description,
        "customer_metadata_properties": dict(package.customer_metadata_properties or {}),
    }


def after_update(ctx: Any, params: dict, kept: dict | None) -> None:
    if kept is None:
        return
    package = _package(ctx.backend, str(params.get("ModelPackageArn") or ""))
    if package is None:
        return
    if "ModelApprovalStatus" not in params:
        package.model_approval_status = kept["model_approval_status"]
    if "ApprovalDescription" not in params:
        package.approval_description = kept["approval_description"]
    properties = dict(kept["customer_metadata_properties"])
    properties.update(params.get("CustomerMetadataProperties") or {})
    for key in params.get("CustomerMetadataPropertiesToRemove") or []:
        properties.pop(key, None)
    package.customer_metadata_properties = properties
