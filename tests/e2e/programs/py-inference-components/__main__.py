"""Two models of the seed's shape as inference components on one endpoint:
BaseInfra, SageMakerModel and SageMakerInferenceComponentEndpoint. Each
component has two GPU copies that autoscaling may take to zero; the endpoint's
managed instance scaling may reach zero instances.

Stack config:
- chatVersion: the version in the first model's S3 key (default v1); a new
  one rolls a new model out to its component alone
- acceleratorsPerCopy: GPUs per copy of the second model (default 1)
"""

from pathlib import Path

import pulumi
import pulumi_sagemaker_deployment as sagemaker_deployment

ROOT = Path(__file__).resolve().parents[4]
ARTIFACT = str(ROOT / "examples" / "model")
IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.0.0-gpu-py310"
config = pulumi.Config()
chat_version = config.get("chatVersion") or "v1"
accelerators = float(config.get("acceleratorsPerCopy") or "1")


def component(gpus: float) -> dict:
    return {
        "ComputeRequirements": {
            "NumberOfCpuCoresRequired": 4,
            "MinMemoryRequiredInMb": 16384,
            "NumberOfAcceleratorDevicesRequired": gpus,
        },
        "CopyCount": 2,
        "Scaling": {"MinCopies": 0, "MaxCopies": 2, "TargetConcurrentRequestsPerCopy": 4},
        "ContainerStartupHealthCheckTimeoutInSeconds": 600,
    }


model_list = [
    {
        "ModelName": f"chat-{chat_version}",
        "ModelS3Key": f"models/chat/{chat_version}/model.tar.gz",
        "ModelDockerImage": IMAGE,
        "VariantName": "chat",
        "InstanceType": "ml.g5.12xlarge",
        "InferenceComponent": component(1),
    },
    {
        "ModelName": "summarize-v1",
        "ModelS3Key": "models/summarize/v1/model.tar.gz",
        "ModelDockerImage": IMAGE,
        "VariantName": "summarize",
        "InstanceType": "ml.g5.12xlarge",
        "InferenceComponent": component(accelerators),
    },
]

base = sagemaker_deployment.BaseInfra(
    "base",
    project_name="components",
    stage="e2e",
    model_artifacts={"s3_key_prefix": "models/", "enable_versioning": False},
    force_destroy=True,
)
models = sagemaker_deployment.SageMakerModel(
    "models",
    model_list=model_list,
    execution_role_arn=base.execution_role_arn,
    model_artifact_bucket_name=base.model_artifact_bucket_name,
    s3_key_prefix=base.s3_key_prefix,
    local_artifacts={model["ModelName"]: ARTIFACT for model in model_list},
)
endpoint = sagemaker_deployment.SageMakerInferenceComponentEndpoint(
    "llm",
    endpoint_name="components-e2e",
    model_list=model_list,
    model_names=models.model_names,
    execution_role_arn=base.execution_role_arn,
    instance_type="ml.g5.12xlarge",
    min_instance_count=0,
    max_instance_count=1,
    rolling_update={
        "maximum_batch_size": {"type": "COPY_COUNT", "value": 1},
        "wait_interval_in_seconds": 0,
    },
)
pulumi.export("endpointName", endpoint.endpoint_name)
pulumi.export("endpointConfigName", endpoint.endpoint_config_name)
pulumi.export("componentNames", endpoint.inference_component_names)
