"""A small serverless inference endpoint: the base infrastructure, one model
uploaded from ./model, and a serverless endpoint serving it."""

import pulumi
import pulumi_sagemaker_deployment as sagemaker

stage = pulumi.get_stack()
serverless = {"memorySize": 2048, "maxConcurrency": 2}
model_list = [
    {
        "ModelName": f"team-model-{stage}",
        "ModelS3Key": "models/team-model/v1/model.tar.gz",
        "ModelDockerImage": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.0.0-cpu-py310",
        "VariantName": "AllTraffic",
        "ServerlessConfig": serverless,
    }
]

base = sagemaker.BaseInfra("base", project_name="team-inference", stage=stage, force_destroy=True)
models = sagemaker.SageMakerModel(
    "models",
    model_list=model_list,
    execution_role_arn=base.execution_role_arn,
    model_artifact_bucket_name=base.model_artifact_bucket_name,
    s3_key_prefix=base.s3_key_prefix,
    local_artifacts={model_list[0]["ModelName"]: "model"},
)
endpoint = sagemaker.SageMakerServerlessEndpoint(
    "endpoint",
    endpoint_name=f"team-inference-{stage}",
    model_list=model_list,
    model_names=models.model_names,
    serverless_config=serverless,
)

pulumi.export("endpointName", endpoint.endpoint_name)
pulumi.export("endpointArn", endpoint.endpoint_arn)
pulumi.export("modelNames", models.model_names)
pulumi.export("modelArtifactBucketName", base.model_artifact_bucket_name)
