"""Endpoint variants registered with Application Auto Scaling, as SageMaker and Application Auto Scaling treat them.

A variant is a scalable target of namespace ``sagemaker`` with the resource ID
``endpoint/<endpoint>/variant/<variant>`` (Developer Guide, "Register a model":
"--resource-id ... endpoint/my-endpoint/variant/my-variant"), in moto's Application
Auto Scaling backend.

* **Deregistering a target deletes its policies**: "Deregistering a scalable target
  deletes the scaling policies and the scheduled actions that are associated with
  it." (Application Auto Scaling API Reference, "DeregisterScalableTarget"; moto
  leaves them) - :func:`deregister`, used by :mod:`autoscaling_hooks` and below.
* **Deleting an endpoint deregisters its variants**: "If you delete an endpoint,
  Application Auto Scaling checks to see whether any of the models on that endpoint
  are targets for auto scaling. If any are and you have permission to deregister the
  model, Application Auto Scaling deregisters those models as scalable targets
  without notifying you." (Developer Guide, "Delete endpoints configured for auto
  scaling") - :func:`deregister_endpoint`, at ``DeleteEndpoint``. The caller's
  permission is not checked (the emulator does not evaluate callers' policies).
* **No instance-type change under autoscaling**: "When you update an endpoint,
  Application Auto Scaling checks to see whether any of the models on that endpoint
  are targets for auto scaling. If the update would change the instance type for any
  model that is a target for auto scaling, the update fails. ... If you are trying to
  update the endpoint by calling the UpdateEndpoint API, the call fails."
  (Developer Guide, "Update endpoints that use auto scaling") -
  :func:`check_instance_types_kept`, at ``UpdateEndpoint``. The wording of the
  refusal is not documented: the message is the emulator's. (The same page's note
  also names removing an autoscaled variant among the changes that need the
  deregistration; that case is not refused here.)
"""

from __future__ import annotations

from typing import Any

from .aws_errors import validation_error
from .moto_access import autoscaling_backend

NAMESPACE = "sagemaker"


def variant_resource_id(endpoint: str, variant: str) -> str:
    return f"endpoint/{endpoint}/variant/{variant}"


def registered(backend: Any, resource_id: str) -> list[str]:
    """The scalable dimensions under which ``resource_id`` is registered."""
    return [dimension for dimension, targets in backend.targets.items() if resource_id in targets]


def deregister(backend: Any, resource_id: str, dimension: str) -> None:
    """Remove the target, the scaling policies attached to it (with the alarms target tracking made) and its
    scheduled actions."""
    targets = backend.targets.get(dimension) or {}
    targets.pop(resource_id, None)
    for key, policy in list(backend.policies.items()):
        if policy.resource_id == resource_id and policy.scalable_dimension == dimension:
            policy.delete_alarms(backend.account_id, backend.region_name)
            del backend.policies[key]
    backend.scheduled_actions = [
        action
        for action in backend.scheduled_actions
        if (action.resource_id, action.scalable_dimension) != (resource_id, dimension)
    ]


def deregister_endpoint(account_id: str, region: str, endpoint: str) -> None:
    """``DeleteEndpoint``: every variant of ``endpoint`` stops being a scalable target."""
    backend = autoscaling_backend(account_id, region)
    prefix = variant_resource_id(endpoint, "")
    for dimension, targets in list(backend.targets.items()):
        for resource_id in [rid for rid in targets if rid.startswith(prefix)]:
            deregister(backend, resource_id, dimension)


def check_instance_types_kept(
    account_id: str, region: str, endpoint_name: str, endpoint_arn: str, running: list[dict], new: list[dict]
) -> None:
    """``UpdateEndpoint``: refuse a new instance type for a variant registered as a scalable target."""
    backend = autoscaling_backend(account_id, region)
    running_types = {variant.get("VariantName"): variant.get("InstanceType") for variant in running}
    changed = []
    for variant in new:
        name = variant.get("VariantName")
        old_type = running_types.get(name)
        if old_type is None or variant.get("InstanceType") in (None, old_type):
            continue
        if registered(backend, variant_resource_id(endpoint_name, name)):
            changed.append(f"{name} ({old_type} to {variant.get('InstanceType')})")
    if changed:
        raise validation_error(
            f'Cannot update endpoint "{endpoint_arn}": the instance type of variant(s) {", ".join(changed)} would change, '
            "and they are registered as scalable targets with Application Auto Scaling. Deregister them "
            "(DeregisterScalableTarget) before the update and register them again after it."
        )
