"""N serverless endpoints in one stack, for tests/bench/scale.py.

One BaseInfra, then for each endpoint a SageMakerModel (its artifact packed
from examples/model and uploaded to its own key) and a
SageMakerServerlessEndpoint. Config: `endpoints` (N) and `prefix`, which
names this stack's objects: stacks deployed side by side into one account
need their own.
"""

from pathlib import Path

import pulumi
import pulumi_sagemaker_deployment as sagemaker_deployment

IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.0.0-cpu-py310"
ARTIFACT = str(Path(__file__).resolve().parents[4] / "examples" / "model")

config = pulumi.Config()
count = config.require_int("endpoints")
prefix = config.require("prefix")

base = sagemaker_deployment.BaseInfra(
    "base",
    project_name=prefix,
    stage="bench",
    model_artifacts={"s3_key_prefix": "models/", "enable_versioning": False},
    force_destroy=True,
)

names, arns = [], []
for index in range(count):
    model = {
        "ModelName": f"{prefix}-model-{index}",
        "ModelS3Key": f"models/{index}/model.tar.gz",
        "ModelDockerImage": IMAGE,
        "VariantName": "Primary",
        "ServerlessConfig": {"memorySize": 1024, "maxConcurrency": 2},
    }
    models = sagemaker_deployment.SageMakerModel(
        f"models-{index}",
        model_list=[model],
        execution_role_arn=base.execution_role_arn,
        model_artifact_bucket_name=base.model_artifact_bucket_name,
        s3_key_prefix=base.s3_key_prefix,
        local_artifacts={model["ModelName"]: ARTIFACT},
    )
    endpoint = sagemaker_deployment.SageMakerServerlessEndpoint(
        f"endpoint-{index}",
        endpoint_name=f"{prefix}-endpoint-{index}",
        model_list=[model],
        model_names=models.model_names,
    )
    names.append(endpoint.endpoint_name)
    arns.append(endpoint.endpoint_arn)

pulumi.export("endpointNames", names)
pulumi.export("endpointArns", arns)
pulumi.export("modelArtifactBucketName", base.model_artifact_bucket_name)
