"""The seed app on inference components: one Deployment of the seed's two
documents in examples/config, environment `dev` turned into an
inference-component endpoint with monitoring. The seed's model is joined by
a second one of the same shape, and each `modelList` entry gets its
`InferenceComponent` settings: one CPU core and 1 GiB per copy, one copy;
the first may scale to zero copies and back to two, so the endpoint may
grow to two instances.

The environment is stack config `environment` (default `dev`). Stack config
breaks the documents the way a user might:

- missingComponent: `true` leaves the second model without its
  `InferenceComponent` (preview fails naming it)
- workflow: `true` turns the environment's retraining workflow on, with
  settings that deploy approved versions (preview fails: the workflow cannot
  deploy to inference components)
"""

import json
from pathlib import Path

import pulumi
import pulumi_sagemaker_deployment as sagemaker_deployment

examples = Path(__file__).resolve().parents[4] / "examples"
deployment_config = json.loads((examples / "config" / "deployment-config.json").read_text())
model_config = json.loads((examples / "config" / "model-config.json").read_text())
config = pulumi.Config()
environment = config.get("environment") or "dev"

settings = deployment_config["environments"][environment]
settings["inferenceType"] = "components"
settings["enableMonitoring"] = True
settings["enableWorkflow"] = config.get_bool("workflow") or False
# Three copies at most of one core each: two ml.m5.large instances (2 vCPUs each).
settings["componentsConfig"] = {"maxInstanceCount": 2}

seed_model = model_config["modelList"][0]
second = {
    **seed_model,
    "ModelName": "sentiment-model",
    "ModelS3Key": "models/sentiment/v1/model.tar.gz",
    "VariantName": "SentimentVariant",
}
model_config["modelList"].append(second)
for entry in model_config["modelList"]:
    entry["InferenceComponent"] = {
        "ComputeRequirements": {"NumberOfCpuCoresRequired": 1, "MinMemoryRequiredInMb": 1024},
        "CopyCount": 1,
    }
seed_model["InferenceComponent"]["Scaling"] = {"MinCopies": 0, "MaxCopies": 2, "TargetConcurrentRequestsPerCopy": 4}
if config.get_bool("missingComponent"):
    del second["InferenceComponent"]

workflow = {
    "training": {"image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.0.0-cpu-py310"},
    "evaluation": {"metric_name": "validation:accuracy"},
} if settings["enableWorkflow"] else None

deployment = sagemaker_deployment.Deployment(
    "app",
    deployment_config=deployment_config,
    model_config=model_config,
    environment=environment,
    local_artifacts={entry["ModelName"]: str(examples / "model") for entry in model_config["modelList"]},
    force_destroy=True,
    workflow=workflow,
)

for key in (
    "environment", "inference_type", "built_parts", "endpoint_name", "endpoint_config_name", "model_names",
    "inference_component_names", "execution_role_arn", "dashboard_name", "alarm_arns", "rollback_alarm_names",
):
    head, *rest = key.split("_")
    pulumi.export(head + "".join(part.title() for part in rest), getattr(deployment, key))
