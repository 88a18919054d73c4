"""SageMaker training jobs that take time, end ``Completed`` with metrics and artifacts, or ``Failed``.

moto creates a training job ``Completed`` at once, with a made-up metric
(``train:progress``) and its own ``MetricDefinitions`` in place of the caller's, and
writes no artifact. The emulator, after moto recorded the job:

* keeps the caller's ``AlgorithmSpecification``;
* shows the job ``InProgress`` (``SecondaryStatus`` ``Training``) for
  ``training_job_seconds``, then ``Completed`` (``SecondaryStatus`` ``Completed``) with
  ``TrainingEndTime``, ``FinalMetricDataList`` from the final metrics set through the
  control API (``POST /_emulator/training/final-metric``: ``{"name", "value",
  "training_job_name"?}``; none set: an empty list), and the model artifact written
  where ``ModelArtifacts.S3ModelArtifacts`` says,
  ``<OutputDataConfig.S3OutputPath>/<job>/output/model.tar.gz`` (Developer Guide,
  "How Amazon SageMaker AI Provides Training Information",
  https://docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-training-algo-output.html:
  SageMaker uploads /opt/ml/model "as a single object in compressed tar format to the
  S3 location that you specified in the CreateTrainingJob request");
* ``StopTrainingJob`` (moto lacks it): ``Stopping`` then ``Stopped``;
* or ``Failed`` with ``FailureReason`` when a failure was injected
  (``fail_next_training_job``), or the job's role may not write the artifact
  (``s3:PutObject``) or the output bucket does not exist (reason the emulator's).

``CreateTrainingJob`` is refused, before moto, as SageMaker refuses it (answers quoted
verbatim in public reports of ``CreateTrainingJob`` calls):

* a name already used: ``ResourceInUse``-style duplicate, answered as
  ``ValidationException: Training job names must be unique within an AWS account and
  region, and a training job with this name already exists (<arn>)``;
* a role SageMaker cannot assume (missing, not propagated, not trusting
  ``sagemaker.amazonaws.com``): ``ValidationException: Could not assume role <arn>.
  Please ensure that the role exists and allows principal 'sagemaker.amazonaws.com' to
  assume the role.``;
* an ``S3Prefix`` input channel with no object under it, or whose bucket the role may
  not list (``s3:ListBucket``): ``ValidationException: No S3 objects found under S3 URL
  "<uri>" given in input data source. Please ensure that the bucket exists in the
  selected region (<region>), that objects exist under that S3 prefix, and that the role
  "<arn>" has "s3:ListBucket" permissions on bucket "<bucket>".``
"""

from __future__ import annotations

import copy
import gzip
import io
import tarfile
from typing import Any

from .aws_errors import AwsError, validation_error
from .endpoint_lifecycle import moto_time
from .execution_role import role_at
from .moto_resources import S3Location, partition_of, s3_bucket, s3_keys_under
from .settings import TRAINING_FAILURE_REASON
from .timeline import Phase


def job_arn(ctx: Any, name: str) -> str:
    return ctx.arn("training-job", name)


def timeline_key(ctx: Any, name: str) -> tuple:
    return ("training-job", ctx.account_id, ctx.region, name)


STOPPING_SECONDS = 0.0  # emulator seconds a stopped job stays Stopping


def stop_training_job(ctx: Any, params: dict) -> dict:
    """``StopTrainingJob`` (moto lacks it): ``Stopping``, then ``Stopped`` (API Reference, StopTrainingJob:
    "SageMaker changes the status of the job to Stopping. After SageMaker stops the job, it sets the status
    to Stopped"). A missing job is ``ResourceNotFound`` (the error the API declares; message in moto's
    DescribeTrainingJob wording); a job that is not ``InProgress`` is ``ValidationException`` (message the
    emulator's)."""
    name = str(params.get("TrainingJobName") or "")
    job = ctx.backend.training_jobs.get(name)
    if job is None:
        raise AwsError("ResourceNotFound", f'Could not find training job "{job_arn(ctx, name)}".')
    timeline = ctx.endpoints.get(timeline_key(ctx, name))
    if job.training_job_status != "InProgress" or timeline is None:
        raise validation_error(f'The training job "{job_arn(ctx, name)}" is {job.training_job_status} and cannot be stopped.')
    timeline.redirect([Phase("Stopping", STOPPING_SECONDS), Phase("Stopped")], ctx.endpoints.clock())
    return {}


def check_create_training_job(ctx: Any, params: dict) -> None:
    name = params.get("TrainingJobName")
    if name and name in ctx.backend.training_jobs:
        raise validation_error(
            "Training job names must be unique within an AWS account and region, and a training job with this name "
            f"already exists ({job_arn(ctx, name)})"
        )
    role_arn = params.get("RoleArn")
    if not role_arn:
        return
    role = role_at(role_arn, ctx.endpoints.clock(), ctx.settings.iam_propagation_seconds())
    if not role.assumable_by_sagemaker():
        raise validation_error(
            f"Could not assume role {role_arn}. Please ensure that the role exists and allows principal "
            "'sagemaker.amazonaws.com' to assume the role."
        )
    for channel in params.get("InputDataConfig") or []:
        source = ((channel or {}).get("DataSource") or {}).get("S3DataSource") or {}
        uri = source.get("S3Uri")
        location = S3Location.parse(uri) if uri else None
        if location is None or (source.get("S3DataType") or "S3Prefix") != "S3Prefix":
            continue
        partition = partition_of(ctx.region)
        bucket = s3_bucket(ctx.account_id, location.bucket, partition)
        listed = (
            bucket is not None
            and bucket.region_name == ctx.region
            and bool(s3_keys_under(bucket, location.key))
            and role.allows("s3:ListBucket", location.bucket_arn(partition))
        )
        if not listed:
            raise validation_error(
                f'No S3 objects found under S3 URL "{uri}" given in input data source. Please ensure that the bucket '
                f"exists in the selected region ({ctx.region}), that objects exist under that S3 prefix, and that the "
                f'role "{role_arn}" has "s3:ListBucket" permissions on bucket "{location.bucket}".'
            )


def model_artifact() -> bytes:
    """A small gzipped tar holding one file, as a trained model's ``model.tar.gz`` is."""
    payload = b"emulated model weights\n"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("model.bin")
        info.size = len(payload)
        archive.addfile(info, io.BytesIO(payload))
    return gzip.compress(buffer.getvalue(), mtime=0)


def _write_artifact(ctx: Any, job: Any) -> str | None:
    """Write the artifact; the failure reason when the job cannot."""
    url = (job.model_artifacts or {}).get("S3ModelArtifacts") or ""
    location = S3Location.parse(url)
    if location is None:
        return None
    partition = partition_of(ctx.region)
    bucket = s3_bucket(ctx.account_id, location.bucket, partition)
    role = role_at(job.role_arn, ctx.endpoints.clock(), ctx.settings.iam_propagation_seconds())
    if bucket is None or not role.allows("s3:PutObject", location.object_arn(partition=partition)):
        return (
            f'ClientError: Failed to upload the model artifacts to "{url}". Please ensure that the bucket exists in '
            f'the selected region ({ctx.region}) and that the role "{job.role_arn}" has "s3:PutObject" permissions on it.'
        )
    from moto.s3.models import s3_backends

    s3_backends[ctx.account_id][partition].put_object(location.bucket, location.key, model_artifact())
    return None


def start_training(ctx: Any, params: dict, final_metrics: list[dict]) -> None:
    """After moto created the job: the caller's spec back, then ``InProgress`` -> ``Completed`` / ``Failed``."""
    name = params["TrainingJobName"]
    job = ctx.backend.training_jobs[name]
    job.algorithm_specification = copy.deepcopy(params.get("AlgorithmSpecification") or {})
    injected = ctx.settings.consume_training_failure(name)

    def on_enter(state: str, at: float) -> None:
        job.training_job_status = state
        job.last_modified_time = moto_time(at)
        if state == "Stopping":
            job.secondary_status = "Stopping"
            return
        if state == "InProgress":
            job.secondary_status = "Training"
            job.training_start_time = moto_time(at)
            job.training_end_time = None
            job.final_metric_data_list = []
            job.secondary_status_transitions = [
                {"Status": "Starting", "StartTime": moto_time(at), "StatusMessage": "Preparing the instances for training"},
            ]
            return
        job.training_end_time = moto_time(at)
        job.secondary_status = state
        job.secondary_status_transitions[-1]["EndTime"] = moto_time(at)
        job.secondary_status_transitions.append({"Status": state, "StartTime": moto_time(at), "EndTime": moto_time(at)})
        if state == "Completed":
            job.final_metric_data_list = [
                {"MetricName": metric["name"], "Value": float(metric["value"]), "Timestamp": moto_time(at)} for metric in final_metrics
            ]

    def finish(at: float) -> list[Phase] | None:
        reason = TRAINING_FAILURE_REASON if injected else _write_artifact(ctx, job)
        if reason is None:
            return None
        job.failure_reason = reason
        return [Phase("Failed")]

    ctx.endpoints.start(
        timeline_key(ctx, name),
        [Phase("InProgress", ctx.settings.training_job_seconds(), then=finish), Phase("Completed")],
        on_enter=on_enter,
        alive=lambda: ctx.backend.training_jobs.get(name) is job,
    )


class FinalMetrics:
    """The final metric values training jobs report (control API), per job name or for every job (``None``)."""

    def __init__(self) -> None:
        self._metrics: dict[str | None, dict[str, float]] = {}

    def set(self, name: str, value: float, job_name: str | None = None) -> dict:
        self._metrics.setdefault(job_name, {})[name] = value
        return self.snapshot()

    def for_job(self, job_name: str) -> list[dict]:
        merged = {**self._metrics.get(None, {}), **self._metrics.get(job_name, {})}
        return [{"name": name, "value": value} for name, value in merged.items()]

    def snapshot(self) -> dict:
        return {("*" if job is None else job): dict(values) for job, values in self._metrics.items()}

    def clear(self) -> None:
        self._metrics.clear()
