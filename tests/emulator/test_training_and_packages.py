"""SageMaker training jobs (duration, metrics, artifact, failures, create-time checks) and model packages."""

from __future__ import annotations

import time

from aws_setup import make_execution_role
from sfn_setup import IMAGE, OUTPUT_PATH, prepare_training, wait_until


def training_job(sagemaker, role: str, name: str = "job-1", data: str = "s3://training-data/train/") -> dict:
    return sagemaker.create_training_job(
        TrainingJobName=name,
        AlgorithmSpecification={
            "TrainingImage": IMAGE,
            "TrainingInputMode": "File",
            "MetricDefinitions": [{"Name": "validation:accuracy", "Regex": "accuracy=([0-9.]+)"}],
        },
        RoleArn=role,
        InputDataConfig=[{"ChannelName": "train", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": data}}}],
        OutputDataConfig={"S3OutputPath": OUTPUT_PATH},
        ResourceConfig={"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 10},
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
    )


def test_training_job_runs_then_completes_with_metric_and_artifact(emulator, iam, s3, sagemaker):
    emulator.configure(training_job_seconds=0.5)
    emulator.set_training_final_metric("validation:accuracy", 0.87, training_job_name="job-1")
    role = make_execution_role(iam)
    prepare_training(s3)

    training_job(sagemaker, role)
    first = sagemaker.describe_training_job(TrainingJobName="job-1")
    assert (first["TrainingJobStatus"], first["SecondaryStatus"]) == ("InProgress", "Training")
    assert first.get("FinalMetricDataList", []) == []
    assert first["AlgorithmSpecification"]["MetricDefinitions"] == [{"Name": "validation:accuracy", "Regex": "accuracy=([0-9.]+)"}]

    wait_until(lambda: sagemaker.describe_training_job(TrainingJobName="job-1")["TrainingJobStatus"] != "InProgress")
    done = sagemaker.describe_training_job(TrainingJobName="job-1")
    assert done["TrainingJobStatus"] == "Completed"
    assert [(m["MetricName"], m["Value"]) for m in done["FinalMetricDataList"]] == [("validation:accuracy", 0.87)]
    artifact = done["ModelArtifacts"]["S3ModelArtifacts"]
    assert artifact == f"{OUTPUT_PATH}/job-1/output/model.tar.gz"
    sagemaker.create_model(ModelName="trained", ExecutionRoleArn=role, PrimaryContainer={"Image": IMAGE, "ModelDataUrl": artifact})


def test_injected_failure_ends_the_job_failed_with_a_reason(emulator, iam, s3, sagemaker):
    emulator.configure(training_job_seconds=0.1, fail_next_training_job="job-1")
    role = make_execution_role(iam)
    prepare_training(s3)
    training_job(sagemaker, role)

    wait_until(lambda: sagemaker.describe_training_job(TrainingJobName="job-1")["TrainingJobStatus"] != "InProgress")
    job = sagemaker.describe_training_job(TrainingJobName="job-1")
    assert job["TrainingJobStatus"] == "Failed"
    assert job["FailureReason"].startswith("AlgorithmError: Injected failure")
    assert "Contents" not in s3.list_objects_v2(Bucket="training-output")


def test_job_whose_role_cannot_write_the_output_fails(emulator, iam, s3, sagemaker):
    emulator.configure(training_job_seconds=0.1)
    role = make_execution_role(iam, statements=[{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}])
    prepare_training(s3)
    training_job(sagemaker, role)

    wait_until(lambda: sagemaker.describe_training_job(TrainingJobName="job-1")["TrainingJobStatus"] != "InProgress")
    job = sagemaker.describe_training_job(TrainingJobName="job-1")
    assert job["TrainingJobStatus"] == "Failed"
    assert '"s3:PutObject"' in job["FailureReason"]


def test_create_training_job_refusals(iam, s3, sagemaker, error_of):
    role = make_execution_role(iam)
    prepare_training(s3)

    empty = error_of(training_job, sagemaker, role, "job-1", "s3://training-data/nothing-here/")
    assert empty["Error"]["Code"] == "ValidationException"
    assert empty["Error"]["Message"].startswith('No S3 objects found under S3 URL "s3://training-data/nothing-here/"')

    untrusted = iam.create_role(RoleName="plain", AssumeRolePolicyDocument='{"Statement": []}')["Role"]["Arn"]
    assume = error_of(training_job, sagemaker, untrusted, "job-1")
    assert assume["Error"]["Message"].startswith(f"Could not assume role {untrusted}.")

    training_job(sagemaker, role, "job-1")
    duplicate = error_of(training_job, sagemaker, role, "job-1")
    assert "a training job with this name already exists" in duplicate["Error"]["Message"]


def _package(sagemaker, status: str | None = None) -> str:
    extra = {"ModelApprovalStatus": status} if status else {}
    return sagemaker.create_model_package(
        ModelPackageGroupName="models",
        InferenceSpecification={
            "Containers": [{"Image": IMAGE, "ModelDataUrl": "s3://models/v1/model.tar.gz"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        CustomerMetadataProperties={"metric": "0.9"},
        **extra,
    )["ModelPackageArn"]


def test_model_packages_list_update_and_delete(sagemaker, error_of):
    sagemaker.create_model_package_group(ModelPackageGroupName="models")
    pending = _package(sagemaker)
    time.sleep(0.01)
    approved = _package(sagemaker, "Approved")
    assert sagemaker.describe_model_package(ModelPackageName=pending)["ModelApprovalStatus"] == "PendingManualApproval"

    newest = sagemaker.list_model_packages(
        ModelPackageGroupName="models", ModelApprovalStatus="Approved", SortBy="CreationTime", SortOrder="Descending"
    )["ModelPackageSummaryList"]
    assert [p["ModelPackageArn"] for p in newest] == [approved]

    sagemaker.update_model_package(ModelPackageArn=pending, ModelApprovalStatus="Rejected", ApprovalDescription="too slow")
    sagemaker.update_model_package(ModelPackageArn=pending, CustomerMetadataProperties={"latency": "40"})
    described = sagemaker.describe_model_package(ModelPackageName=pending)
    assert described["ModelApprovalStatus"] == "Rejected"
    assert described["ApprovalDescription"] == "too slow"
    assert described["CustomerMetadataProperties"] == {"metric": "0.9", "latency": "40"}

    refused = error_of(sagemaker.delete_model_package_group, ModelPackageGroupName="models")
    assert refused["Error"]["Code"] == "ConflictException"
    sagemaker.delete_model_package(ModelPackageName=pending)
    sagemaker.delete_model_package(ModelPackageName=approved)
    sagemaker.delete_model_package_group(ModelPackageGroupName="models")
    assert error_of(sagemaker.describe_model_package_group, ModelPackageGroupName="models")["Error"]["Code"] == "ValidationException"

