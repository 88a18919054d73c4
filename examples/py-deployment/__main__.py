"""The seed app for one environment with one Deployment, in Python.

The two documents are the seed's, as they are: ../config/deployment-config.json and
../config/model-config.json. The environment is stack config `environment` when set, else
DEPLOYMENT_ENV, else the stack name (the Deployment picks it, as the seed's `cdk deploy` did).
The model's artifact is uploaded from ../model.
"""

import json
from pathlib import Path

import pulumi
import pulumi_sagemaker_deployment as sagemaker_deployment

here = Path(__file__).resolve().parent
documents = here.parent / "config"
deployment_config = json.loads((documents / "deployment-config.json").read_text())
model_config = json.loads((documents / "model-config.json").read_text())
config = pulumi.Config()

first_model = model_config["modelList"][0]["ModelName"]
app = sagemaker_deployment.Deployment(
    "app",
    deployment_config=deployment_config,
    model_config=model_config,
    environment=config.get("environment"),
    local_artifacts={first_model: str(here.parent / "model")},
    # An example: destroy removes the buckets with their objects.
    force_destroy=True,
    # The retraining workflow of the environments with enableWorkflow (test and prod): what the
    # documents do not say about it. The others ignore it.
    workflow=sagemaker_deployment.WorkflowSettingsArgs(
        training=sagemaker_deployment.WorkflowTrainingArgs(
            image="763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.0.0-cpu-py310",
            hyperparameters={"epochs": "3"},
        ),
        evaluation=sagemaker_deployment.EvaluationArgsArgs(metric_name="validation:accuracy"),
    ),
)

# What a user needs next: where the endpoint is, what kind it is, how to call it.
pulumi.export("environment", app.environment)
pulumi.export("region", app.region)
pulumi.export("inferenceType", app.inference_type)
pulumi.export("builtParts", app.built_parts)
pulumi.export("endpointName", app.endpoint_name)
pulumi.export("endpointArn", app.endpoint_arn)
pulumi.export("endpointConfigName", app.endpoint_config_name)
pulumi.export("modelNames", app.model_names)
pulumi.export("modelArtifactBucketName", app.model_artifact_bucket_name)
pulumi.export("kmsKeyArn", app.kms_key_arn)
pulumi.export("executionRoleArn", app.execution_role_arn)
# Asynchronous endpoints: where requests go (InputLocation), where results and failures land,
# the topics that announce them, and the request TTL.
pulumi.export("asyncInputS3Path", app.async_input_s3_path)
pulumi.export("asyncOutputBucketName", app.async_output_bucket_name)
pulumi.export("asyncOutputS3Path", app.async_output_s3_path)
pulumi.export("asyncFailureS3Path", app.async_failure_s3_path)
pulumi.export("successTopicArn", app.success_topic_arn)
pulumi.export("errorTopicArn", app.error_topic_arn)
pulumi.export("requestTtlSeconds", app.request_ttl_seconds)
