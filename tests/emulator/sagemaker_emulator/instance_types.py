"""Hosting instance types as AWS has them: the ``ProductionVariantInstanceType`` enum of the API model.

moto 5.2.5 checks ``ProductionVariants[].InstanceType`` of ``CreateEndpointConfig``
against a list of its own (``FakeEndpointConfig.validate_instance_type``) that
lacks current types (``ml.g5.xlarge``, ``ml.g6.xlarge``, ``ml.m7i.large``,
``ml.inf2.xlarge``, ``ml.c7g.large``, ``ml.p4d.24xlarge``, ...). AWS accepts exactly
the values of the ``ProductionVariantInstanceType`` enum (SageMaker API Reference,
"ProductionVariant", InstanceType: "Valid Values: ml.t2.medium | ml.t2.large | ...",
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariant.html)
and refuses others with its generic constraint message::

    1 validation error detected: Value 'ml.x' at 'productionVariants.1.member.instanceType'
    failed to satisfy constraint: Member must satisfy enum value set: [ml.t2.medium, ...]

(several errors: "N validation errors detected: A; B"). The enum is read once, at
start-up, from botocore's installed SageMaker service model (the API model the
SDKs here are generated from): no generated list to keep in step, and the
accepted set follows the pinned SDK; a newer botocore only adds types AWS has.

:func:`let_moto_accept_every_instance_type` bypasses moto's own check (only that
one: moto's serverless and other validations stay) once this module has checked.
"""

from __future__ import annotations

import functools

from .aws_errors import validation_error
from .state_lock import EMULATOR_LOCK

ENUM_SHAPE = "ProductionVariantInstanceType"
# Request member -> its name in AWS's error path.
VARIANT_LISTS = {"ProductionVariants": "productionVariants", "ShadowProductionVariants": "shadowProductionVariants"}


@functools.lru_cache(maxsize=None)
def production_variant_instance_types() -> tuple[str, ...]:
    """The enum values, in the API model's order (the order AWS lists them in)."""
    import botocore.loaders

    with EMULATOR_LOCK:
        model = botocore.loaders.Loader().load_service_model("sagemaker", "service-2")
    return tuple(model["shapes"][ENUM_SHAPE]["enum"])


def validation_message(errors: list[str]) -> str:
    """AWS's wording for one or more constraint violations."""
    count = len(errors)
    return f"{count} validation error{'s' if count > 1 else ''} detected: {'; '.join(errors)}"


def check_endpoint_config(ctx: object, params: dict) -> None:
    """``CreateEndpointConfig``: every variant's ``InstanceType`` is a value of the enum."""
    allowed = production_variant_instance_types()
    errors = []
    for member, path in VARIANT_LISTS.items():
        for index, variant in enumerate(params.get(member) or [], start=1):
            value = (variant or {}).get("InstanceType")
            if value is not None and value not in allowed:
                errors.append(
                    f"Value '{value}' at '{path}.{index}.member.instanceType' failed to satisfy constraint: "
                    f"Member must satisfy enum value set: [{', '.join(allowed)}]"
                )
    if errors:
        raise validation_error(validation_message(errors))


def let_moto_accept_every_instance_type() -> None:
    """Turn off moto's own (outdated) instance-type list for endpoint configs; :func:`check_endpoint_config` replaces it."""
    from moto.sagemaker.models import FakeEndpointConfig

    FakeEndpointConfig.validate_instance_type = lambda self, instance_type: None  # type: ignore[method-assign]
