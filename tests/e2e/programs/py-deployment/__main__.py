"""The seed app for one environment with one Deployment, from the seed's two
documents in examples/config, and the provider's functions called as a user
would call them.

The environment is the stack name unless stack config `environment` names
one. Stack config changes the documents the way a user might get them wrong:

- account: replaces the environment's account (a deploy with credentials
  for another account fails preview)
- region: replaces the environment's region, and the region of the model
  images' registry (the children are made there, whatever the provider's
  default region)
- typos: `true` misspells two keys and breaks a rule (a bad document fails
  preview, every problem named by its JSON path)
- existingAppConfigAppId, existingAppConfigEnvId, existingAppConfigProfileId:
  fill in the environment's ids of an existing AppConfig (prod's are empty
  in the seed's document)
- noWorkflow: `true` leaves out the workflow's settings (an environment with
  enableWorkflow then fails preview naming them)

The workflow's settings are given for every environment, as a program that
deploys them all would; the environments without enableWorkflow ignore them.
"""

import json
from pathlib import Path

import pulumi
import pulumi_sagemaker_deployment as sagemaker_deployment

examples = Path(__file__).resolve().parents[4] / "examples"
deployment_config = json.loads((examples / "config" / "deployment-config.json").read_text())
model_config = json.loads((examples / "config" / "model-config.json").read_text())
config = pulumi.Config()
environment = config.get("environment") or pulumi.get_stack()

if config.get("account"):
    deployment_config["environments"][environment]["account"] = config.get("account")
if config.get("region"):
    region = config.get("region")
    home = deployment_config["environments"][environment]["region"]
    deployment_config["environments"][environment]["region"] = region
    for entry in model_config["modelList"]:
        entry["ModelDockerImage"] = entry["ModelDockerImage"].replace(f".{home}.", f".{region}.")
if config.get_bool("typos"):
    deployment_config["environments"][environment]["inferenceTyp"] = "serverless"
    model_config["modelList"][0]["ModelNme"] = model_config["modelList"][0]["ModelName"]
    model_config["modelList"][0]["InstanceType"] = "m5.large"

for key in ("existingAppConfigAppId", "existingAppConfigEnvId", "existingAppConfigProfileId"):
    if config.get(key):
        deployment_config["environments"][environment][key] = config.get(key)

workflow = None if config.get_bool("noWorkflow") else {
    "training": {
        "image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.0.0-cpu-py310",
        "hyperparameters": {"epochs": "3"},
    },
    "evaluation": {"metric_name": "validation:accuracy"},
    "poll_seconds": 1,
}

model = model_config["modelList"][0]["ModelName"]
deployment = sagemaker_deployment.Deployment(
    "app",
    deployment_config=deployment_config,
    model_config=model_config,
    environment=config.get("environment"),
    local_artifacts={model: str(examples / "model")},
    force_destroy=True,
    workflow=workflow,
)

for key in (
    "environment", "account", "region", "inference_type", "built_parts", "endpoint_name", "endpoint_arn",
    "endpoint_config_name", "model_names", "model_artifact_bucket_name", "async_output_bucket_name",
    "kms_key_arn", "execution_role_arn", "async_output_s3_path", "async_failure_s3_path",
    "async_input_s3_path", "success_topic_arn", "error_topic_arn", "request_ttl_seconds",
    "app_config_application_id", "app_config_environment_id", "app_config_profile_id", "dashboard_name",
    "dashboard_url", "alarm_topic_arn", "alarm_arns", "rollback_alarm_names", "app_config_monitor_alarm_arns",
    "state_machine_arn", "model_package_group_name",
):
    head, *rest = key.split("_")
    pulumi.export(head + "".join(part.title() for part in rest), getattr(deployment, key))

# ConfigUtils: the documents as they are, and with two typos and a broken rule.
checked = sagemaker_deployment.validate_config(
    deployment_config=deployment_config, model_config=model_config, environment=environment
)
pulumi.export("validate", {"valid": checked.valid, "problems": checked.problems, "environments": checked.environments})
# The Deployment's rules: test retrains, so it needs the workflow's settings
# (an invoke takes them typed: its dicts are not renamed to the wire's names).
typed_workflow = sagemaker_deployment.WorkflowSettings(
    training=sagemaker_deployment.WorkflowTraining(image=workflow["training"]["image"]) if workflow else None,
    evaluation=sagemaker_deployment.EvaluationArgs(metric_name="validation:accuracy"),
)
for name, given in (("validateTestWithout", None), ("validateTestWith", typed_workflow)):
    test = sagemaker_deployment.validate_config(
        deployment_config=deployment_config, model_config=model_config, environment="test", workflow=given
    )
    pulumi.export(name, {"valid": test.valid, "problems": test.problems})
broken_deployment = json.loads(json.dumps(deployment_config))
broken_deployment["environments"]["dev"]["asyncConfig"]["expiresInSecond"] = 60
broken_model = json.loads(json.dumps(model_config))
broken_model["modelList"][0]["VariantNme"] = "Typo"
every = sagemaker_deployment.validate_config(deployment_config=broken_deployment, model_config=broken_model)
pulumi.export("validateBroken", {"valid": every.valid, "problems": every.problems, "environments": every.environments})

# SecurityUtils: the policy the deploying identity needs.
policy = sagemaker_deployment.deployer_policy()
pulumi.export("deployerPolicy", {"policyJson": policy.policy_json, "actionCount": policy.action_count})

# EndpointUtils: the configuration the documents produce, named as the one
# the Deployment runs once given the Deployment's outputs.
plan = sagemaker_deployment.endpoint_config_plan_output(
    deployment_config=deployment_config,
    model_config=model_config,
    environment=environment,
    model_names=deployment.model_names,
    kms_key_arn=deployment.kms_key_arn,
    async_output_bucket_name=deployment.async_output_bucket_name,
    success_topic_arn=deployment.success_topic_arn,
    error_topic_arn=deployment.error_topic_arn,
)
pulumi.export("plan", plan.apply(lambda p: {
    "endpointConfigName": p.endpoint_config_name, "endpointName": p.endpoint_name,
    "inferenceType": p.inference_type, "complete": p.complete, "endpointConfig": p.endpoint_config,
}))
