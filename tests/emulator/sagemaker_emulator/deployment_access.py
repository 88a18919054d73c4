"""Why a deployment (CreateEndpoint, UpdateEndpoint) fails for want of data or permissions, if it does.

When an endpoint is created or updated, SageMaker downloads each model's data
and sets up data capture and asynchronous outputs with the model's execution
role; what it cannot do ends the deployment: ``CreateEndpoint`` goes
``Creating`` -> ``Failed``, ``UpdateEndpoint`` ``Updating`` -> ``RollingBack`` ->
``InService`` on the old config, both with a ``FailureReason``
(:mod:`endpoint_operations` calls :func:`failure_reason` as the phase ends). The
role is looked at as IAM shows it at that moment (:mod:`execution_role`), i.e.
within ``iam_propagation_seconds`` of a change, without it.

1. **Model data.** For every model of the config, each container's
   ``ModelDataUrl`` (an S3 object), or ``ModelDataSource.S3DataSource.S3Uri``
   (``S3Object``: an object; ``S3Prefix``: at least one object under the prefix),
   must exist in this account's S3, in the endpoint's region ("The S3 path where
   the model artifacts ... are stored ... The model artifacts must be in an S3
   bucket that is in the same region as the model or endpoint
   you are creating", API Reference, "ContainerDefinition", ModelDataUrl,
   https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ContainerDefinition.html),
   and the role must be allowed ``s3:GetObject`` on it (and ``s3:ListBucket`` on
   the bucket for a prefix) ("CreateModel API: Execution Role Permissions",
   https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html#sagemaker-roles-createmodel-perms).
   The reason is AWS's, as reported verbatim in public issues
   (aws-solutions-library-samples/fraud-detection-using-machine-learning#9)::

       Failed to download model data for container "container_1" from URL: "s3://bucket/model.tar.gz".
       Please ensure that there is an object located at the URL and that the role passed to
       CreateModel has permissions to download the object.

   Containers are numbered from 1 in ``PrimaryContainer``, ``Containers`` order.
   Only ``s3://`` URLs are checked; objects encrypted with KMS keys (which also
   need ``kms:Decrypt``) and bucket policies are not looked at.

2. **Data capture** (``DataCaptureConfig`` with ``EnableCapture`` not false): the role
   writes captured data as ``<DestinationS3Uri>/<endpoint>/<variant>/yyyy/mm/dd/hh/<file>.jsonl``
   (Developer Guide, "Capture data from real-time endpoint",
   https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-data-capture-endpoint.html),
   so it needs ``s3:PutObject`` there and the bucket must exist. AWS's exact
   reason was not found; :func:`write_message` follows the wording AWS uses for
   SNS below.

3. **Async inference** (``AsyncInferenceConfig``): ``s3:PutObject`` under
   ``S3OutputPath`` and ``S3FailurePath`` (reason as for data capture, not found
   verbatim), and ``sns:Publish`` on ``SuccessTopic`` / ``ErrorTopic``, which must
   exist: "In order to receive Amazon SNS notifications, your IAM role must have
   sns:Publish permissions" (Developer Guide, "Check prediction results",
   https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-check-predictions.html).
   AWS checks it while creating the endpoint, which ends ``Failed`` with (as
   reported in aws/amazon-sagemaker-examples#4461 and a public deployment guide;
   the quotes around the role are reconstructed from a garbled copy)::

       The provided role 'arn:aws:iam::...:role/...' is invalid. Please ensure the role exists,
       that its trust relationship policy allows the action "sts:AssumeRole" for the service
       principal "sagemaker.amazonaws.com", and has "sns:Publish" permissions for topic "arn:aws:sns:...".

   Reading inputs is checked when an ``InvokeEndpointAsync`` request is processed,
   not here: AWS accepts the request and reports a failed read asynchronously
   (failure path, error topic), as :mod:`async_invocations` does.
"""

from __future__ import annotations

import time
from typing import Any

from .execution_role import RoleView, role_at
from .moto_resources import S3Location, partition_of, s3_bucket, s3_keys_under, s3_object_exists, sns_topic_exists

ASYNC_OUTPUT_FILE = "00000000-0000-4000-8000-000000000000.out"  # results are <inference id>.out


def download_message(container: int, url: str) -> str:
    return (
        f'Failed to download model data for container "container_{container}" from URL: "{url}". Please ensure that '
        "there is an object located at the URL and that the role passed to CreateModel has permissions to download the object."
    )


def role_prefix(role_arn: str) -> str:
    return (
        f"The provided role '{role_arn}' is invalid. Please ensure the role exists, that its trust relationship policy "
        'allows the action "sts:AssumeRole" for the service principal "sagemaker.amazonaws.com", and has '
    )


def publish_message(role_arn: str, topic_arn: str) -> str:
    return role_prefix(role_arn) + f'"sns:Publish" permissions for topic "{topic_arn}".'


def write_message(role_arn: str, what: str, uri: str) -> str:
    """Not AWS's verbatim text (not found): the SNS wording, for an S3 location SageMaker writes to."""
    return role_prefix(role_arn) + f'"s3:PutObject" permissions for the {what} "{uri}".'


def _model_data(container: dict[str, Any]) -> tuple[str, str] | None:
    """``(url, "S3Object" | "S3Prefix")`` of a container's model data, if any."""
    if container.get("ModelDataUrl"):
        return container["ModelDataUrl"], "S3Object"
    source = ((container.get("ModelDataSource") or {}).get("S3DataSource")) or {}
    if source.get("S3Uri"):
        return source["S3Uri"], source.get("S3DataType") or "S3Object"
    return None


def _can_download(account: str, region: str, role: RoleView, url: str, data_type: str) -> bool:
    location = S3Location.parse(url)
    if location is None:
        return True  # not an s3:// URL: not checked
    partition = partition_of(region)
    bucket = s3_bucket(account, location.bucket, partition)
    if bucket is None or bucket.region_name != region:
        return False
    if data_type == "S3Prefix":
        keys = s3_keys_under(bucket, location.key)
        return (
            bool(keys)
            and role.allows("s3:ListBucket", location.bucket_arn(partition))
            and all(role.allows("s3:GetObject", location.object_arn(key, partition)) for key in keys)
        )
    return s3_object_exists(bucket, location.key) and role.allows("s3:GetObject", location.object_arn(partition=partition))


def _can_write(account: str, region: str, role: RoleView, uri: str, key_below: str) -> bool:
    location = S3Location.parse(uri)
    if location is None:
        return True
    partition = partition_of(region)
    if s3_bucket(account, location.bucket, partition) is None:
        return False
    key = "/".join(part for part in (location.key.strip("/"), key_below) if part)
    return role.allows("s3:PutObject", location.object_arn(key, partition))


def model_data_reason(backend: Any, account: str, region: str, config: Any, at: float, window: float) -> str | None:
    for variant in list(config.production_variants or []) + list(getattr(config, "shadow_production_variants", None) or []):
        model = backend._models.get(variant.get("ModelName"))
        if model is None:
            continue  # a missing model has its own reason (endpoint_operations)
        role = role_at(model.execution_role_arn, at, window)
        containers = ([model.primary_container] if model.primary_container else []) + list(model.containers or [])
        for number, container in enumerate(containers, start=1):
            data = _model_data(container or {})
            if data and not _can_download(account, region, role, *data):
                return download_message(number, data[0])
    return None


def config_role(backend: Any, config: Any, at: float, window: float) -> RoleView | None:
    """The role SageMaker writes outputs with: the (first) model's execution role, or for a configuration of
    inference components (no model) its own ``ExecutionRoleArn`` (API Reference, CreateEndpointConfig)."""
    for variant in config.production_variants or []:
        model = backend._models.get(variant.get("ModelName"))
        if model is not None:
            return role_at(model.execution_role_arn, at, window)
    role_arn = getattr(config, "execution_role_arn", None)
    return role_at(role_arn, at, window) if role_arn else None


def outputs_reason(backend: Any, account: str, region: str, config: Any, endpoint_name: str, at: float, window: float) -> str | None:
    role = config_role(backend, config, at, window)
    if role is None:
        return None
    capture = config.data_capture_config or {}
    if capture.get("DestinationS3Uri") and capture.get("EnableCapture", True) is not False:
        hour = time.strftime("%Y/%m/%d/%H", time.gmtime(at))
        for variant in config.production_variants or []:
            below = f"{endpoint_name}/{variant.get('VariantName')}/{hour}/capture.jsonl"
            if not _can_write(account, region, role, capture["DestinationS3Uri"], below):
                return write_message(role.arn, "data capture destination", capture["DestinationS3Uri"])
    output = (config.async_inference_config or {}).get("OutputConfig") or {}
    for field, what in (("S3OutputPath", "async output path"), ("S3FailurePath", "async failure path")):
        if output.get(field) and not _can_write(account, region, role, output[field], ASYNC_OUTPUT_FILE):
            return write_message(role.arn, what, output[field])
    notifications = output.get("NotificationConfig") or {}
    for field in ("SuccessTopic", "ErrorTopic"):
        topic = notifications.get(field)
        if topic and not (sns_topic_exists(topic) and role.allows("sns:Publish", topic)):
            return publish_message(role.arn, topic)
    return None


def failure_reason(ctx: Any, config_name: str, endpoint_name: str, at: float) -> str | None:
    """Why deploying ``config_name`` on ``endpoint_name`` fails at ``at`` (emulator clock), or ``None``."""
    config = ctx.backend.endpoint_configs.get(config_name)
    if config is None:
        return None  # a missing config has its own reason (endpoint_operations)
    window = ctx.settings.iam_propagation_seconds()
    return model_data_reason(ctx.backend, ctx.account_id, ctx.region, config, at, window) or outputs_reason(
        ctx.backend, ctx.account_id, ctx.region, config, endpoint_name, at, window
    )


def component_data_reason(ctx: Any, spec: dict, config: Any, at: float) -> str | None:
    """Why an inference component with ``spec`` cannot load its model data at ``at``, or ``None``.

    A component naming a model loads that model's data with the model's role, as an endpoint does
    (above); a component given a ``Container`` with an ``ArtifactUrl`` (API Reference,
    InferenceComponentContainerSpecification: "The Amazon S3 path where the model artifacts ... are
    stored") loads it with the endpoint configuration's ``ExecutionRoleArn``, the role SageMaker assumes
    for the endpoint's components (CreateEndpointConfig). Same rules and message as for an endpoint."""
    window = ctx.settings.iam_propagation_seconds()
    model = ctx.backend._models.get(spec.get("ModelName"))
    if model is not None:
        role = role_at(model.execution_role_arn, at, window)
        containers = ([model.primary_container] if model.primary_container else []) + list(model.containers or [])
        for number, container in enumerate(containers, start=1):
            data = _model_data(container or {})
            if data and not _can_download(ctx.account_id, ctx.region, role, *data):
                return download_message(number, data[0])
    url = (spec.get("Container") or {}).get("ArtifactUrl")
    role_arn = getattr(config, "execution_role_arn", None) if config is not None else None
    if url and role_arn and not _can_download(ctx.account_id, ctx.region, role_at(role_arn, at, window), url, "S3Object"):
        return download_message(1, url)
    return None
