"""The seed app with one Deployment, from the seed's two documents as they are.

The stack name picks the environment of `deployment-config.json` (as
`DEPLOYMENT_ENV` did in the seed, which still wins when set): `dev` is the
seed's async endpoint. The model's artifact is packed from examples/model and
uploaded to its `ModelS3Key`.
"""

import json
from pathlib import Path

import pulumi
import pulumi_sagemaker_deployment as sagemaker_deployment

examples = Path(__file__).resolve().parent.parent
deployment_config = json.loads((examples / "config" / "deployment-config.json").read_text())
model_config = json.loads((examples / "config" / "model-config.json").read_text())

app = sagemaker_deployment.Deployment(
    "app",
    deployment_config=deployment_config,
    model_config=model_config,
    local_artifacts={entry["ModelName"]: str(examples / "model") for entry in model_config["modelList"]},
    force_destroy=True,  # the demo's buckets go with `make demo-destroy`
)

pulumi.export("environment", app.environment)
pulumi.export("inferenceType", app.inference_type)
pulumi.export("builtParts", app.built_parts)
pulumi.export("endpointName", app.endpoint_name)
pulumi.export("endpointConfigName", app.endpoint_config_name)
pulumi.export("asyncInputS3Path", app.async_input_s3_path)
pulumi.export("asyncOutputS3Path", app.async_output_s3_path)
pulumi.export("asyncFailureS3Path", app.async_failure_s3_path)
pulumi.export("successTopicArn", app.success_topic_arn)
pulumi.export("errorTopicArn", app.error_topic_arn)
pulumi.export("requestTtlSeconds", app.request_ttl_seconds)
pulumi.export("modelArtifactBucketName", app.model_artifact_bucket_name)
pulumi.export("asyncOutputBucketName", app.async_output_bucket_name)
pulumi.export("kmsKeyArn", app.kms_key_arn)
