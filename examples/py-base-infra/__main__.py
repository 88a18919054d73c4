"""BaseInfra from the seed's deployment-config.json, one Pulumi stack per environment."""

import json
from pathlib import Path

import pulumi
import pulumi_sagemaker_deployment as sagemaker_deployment

deployment = json.loads((Path(__file__).parent / ".." / "config" / "deployment-config.json").read_text())
config = pulumi.Config()
environment = deployment["environments"].get(pulumi.get_stack(), deployment["environments"]["dev"])
artifacts = deployment["modelArtifacts"]

base = sagemaker_deployment.BaseInfra(
    "base",
    project_name=config.get("projectName") or deployment["project"]["name"],
    stage=environment["stage"],
    model_artifacts={
        "s3_key_prefix": artifacts["s3KeyPrefix"],
        "enable_versioning": config.get_bool("enableVersioning", artifacts["enableVersioning"]),
    },
    force_destroy=config.get_bool("forceDestroy", False),
)

pulumi.export("modelArtifactBucketName", base.model_artifact_bucket_name)
pulumi.export("modelArtifactBucketArn", base.model_artifact_bucket_arn)
pulumi.export("asyncOutputBucketName", base.async_output_bucket_name)
pulumi.export("kmsKeyArn", base.kms_key_arn)
pulumi.export("kmsKeyAlias", base.kms_key_alias)
pulumi.export("executionRoleArn", base.execution_role_arn)
pulumi.export("executionRoleName", base.execution_role_name)
