"""Rules SageMaker applies to an endpoint configuration and its models: serverless exclusions, KMS keys.

Checked at ``CreateEndpointConfig`` (before moto stores it) and, for the switch
to serverless, at ``UpdateEndpoint``. Each rule names its source; the exact
wording of SageMaker's messages is not documented for these, so the messages are
the emulator's own (``ValidationException``, as SageMaker answers client errors).

Serverless Inference, developer guide "Deploy models with Amazon SageMaker Serverless
Inference", section "Feature exclusions"
(https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints.html#serverless-endpoints-how-it-works-exclusions):

    "Some of the features currently available for SageMaker AI Real-time Inference are not
    supported for Serverless Inference, including GPUs, AWS marketplace model packages,
    private Docker registries, Multi-Model Endpoints, VPC configuration, network isolation,
    data capture, multiple production variants, Model Monitor, and inference pipelines."

    "You cannot convert your instance-based, real-time endpoint to a serverless endpoint.
    If you try to update your real-time endpoint to serverless, you receive a
    ValidationError message."

(Older revisions of the page also listed "KMS keys"; the current one does not, so a
``KmsKeyId`` is accepted with a serverless variant.) GPUs need no rule (a serverless
variant has no instance type); AWS Marketplace model packages and Model Monitor are
not checked (the emulator cannot tell a Marketplace package; monitoring schedules
are not emulated).
"""

from __future__ import annotations

from typing import Any

from .aws_errors import validation_error
from .instance_storage import has_instance_storage


def _serverless(variant: dict) -> bool:
    return bool(variant.get("ServerlessConfig"))


def _capture_enabled(capture: dict | None) -> bool:
    # DataCaptureConfig.EnableCapture: "Whether data capture should be enabled or disabled (defaults to enabled)."
    return bool(capture) and capture.get("EnableCapture", True) is not False


def _model_features(model: Any) -> list[str]:
    """The serverless-excluded features a moto model uses."""
    features = []
    if getattr(model, "vpc_config", None):
        features.append("VPC configuration (the model's VpcConfig)")
    if getattr(model, "enable_network_isolation", False):
        features.append("network isolation (the model's EnableNetworkIsolation)")
    containers = list(getattr(model, "containers", None) or [])
    if len(containers) > 1:
        features.append(f"inference pipelines (the model has {len(containers)} containers)")
    for container in containers or [getattr(model, "primary_container", None) or {}]:
        if (container or {}).get("Mode") == "MultiModel":
            features.append("Multi-Model Endpoints (a container in Mode MultiModel)")
        if ((container or {}).get("ImageConfig") or {}).get("RepositoryAccessMode") == "Vpc":
            features.append("private Docker registries (ImageConfig RepositoryAccessMode Vpc)")
    return features


def check_serverless_config(backend: Any, params: dict) -> None:
    """``CreateEndpointConfig`` with a serverless variant: refuse the features Serverless Inference excludes."""
    variants = params.get("ProductionVariants") or []
    serverless = [variant for variant in variants if _serverless(variant)]
    if not serverless:
        return
    excluded: list[str] = []
    # "multiple production variants" (Feature exclusions); a shadow variant is another production variant.
    if len(variants) > 1 or params.get("ShadowProductionVariants"):
        count = len(variants) + len(params.get("ShadowProductionVariants") or [])
        excluded.append(f"multiple production variants ({count} variants)")
    # "data capture"
    if _capture_enabled(params.get("DataCaptureConfig")):
        excluded.append("data capture (DataCaptureConfig)")
    # "VPC configuration", "network isolation" - on the endpoint configuration itself
    if params.get("VpcConfig"):
        excluded.append("VPC configuration (VpcConfig)")
    if params.get("EnableNetworkIsolation"):
        excluded.append("network isolation (EnableNetworkIsolation)")
    # ... and on the models the variants host, with "Multi-Model Endpoints", "inference pipelines",
    # "private Docker registries"
    for variant in variants:
        model = backend._models.get(variant.get("ModelName"))
        if model is not None:
            excluded.extend(f"{feature} of model {variant['ModelName']}" for feature in _model_features(model))
    # ProductionVariantServerlessConfig.ProvisionedConcurrency: "Should be less than or equal to MaxConcurrency."
    # (API reference, ProductionVariantServerlessConfig)
    for variant in serverless:
        config = variant["ServerlessConfig"]
        provisioned, maximum = config.get("ProvisionedConcurrency"), config.get("MaxConcurrency")
        if provisioned is not None and maximum is not None and provisioned > maximum:
            raise validation_error(
                f"ProvisionedConcurrency ({provisioned}) of variant {variant.get('VariantName')} must be less than or "
                f"equal to MaxConcurrency ({maximum})."
            )
    if excluded:
        raise validation_error(f"Serverless Inference does not support: {'; '.join(excluded)}.")


def check_no_switch_to_serverless(running_variants: list[dict], new_config_variants: list[dict], endpoint_arn: str) -> None:
    """``UpdateEndpoint``: "You cannot convert your instance-based, real-time endpoint to a serverless endpoint."
    (Serverless Inference, Feature exclusions). Serverless to instance-based is allowed ("You can convert a
    serverless endpoint to real-time, but once you make the update, you cannot roll it back to serverless")."""
    instance_based = any(
        variant.get("CurrentInstanceCount") is not None and not variant.get("CurrentServerlessConfig") for variant in running_variants
    )
    if instance_based and any(_serverless(variant) for variant in new_config_variants):
        raise validation_error(f'Cannot update instance-based endpoint "{endpoint_arn}" to a serverless endpoint configuration.')


def check_kms_key_with_instance_storage(params: dict, refuse: bool) -> None:
    """``CreateEndpointConfig`` with a ``KmsKeyId`` and a variant whose instance type has instance storage.

    API reference, CreateEndpointConfig, ``KmsKeyId``
    (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpointConfig.html), today: "Certain
    Nitro-based instances include local storage, dependent on the instance type. Local storage volumes are
    encrypted using a hardware module on the instance. If any of the models that you specify in the
    ProductionVariants parameter use nitro-based instances with local storage, the KmsKeyId parameter does not
    encrypt instance local storage." - accepted. Earlier revisions (still in older SDK docs): "You can't request
    a KmsKeyId when using an instance type with local storage. ... If you specify a value for KmsKeyId when using
    any nitro-based instances with local storage, the call to CreateEndpointConfig fails." - reproduced when the
    setting ``refuse_kms_key_with_instance_storage`` is on. The instance types: :mod:`instance_storage`.
    """
    if not refuse or not params.get("KmsKeyId"):
        return
    for variant in params.get("ProductionVariants") or []:
        instance_type = variant.get("InstanceType")
        if has_instance_storage(instance_type):
            raise validation_error(
                f"KmsKeyId cannot be specified for variant {variant.get('VariantName')}: instance type {instance_type} "
                "has local instance storage, which is encrypted using a hardware module on the instance."
            )


def record_model_network_isolation(backend: Any, params: dict) -> None:
    """After ``CreateModel``: keep ``EnableNetworkIsolation`` on moto's model (moto drops it and answers false)."""
    model = backend._models.get(params.get("ModelName"))
    if model is not None:
        model.enable_network_isolation = bool(params.get("EnableNetworkIsolation"))
