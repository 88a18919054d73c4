"""The seed app for one environment: BaseInfra, the models and an endpoint.

The stack name picks the environment in deployment-config.json (as
DEPLOYMENT_ENV did in the seed); its `inferenceType` picks the endpoint kind:
`realtime` (the default), `async` or `serverless`. Stack config overrides:

- inferenceType: realtime | async | serverless
- modelList: a JSON model list replacing model-config.json's
- modelS3Key: a new artifact key for the first model (a new model version)
- modelArtifact: the local artifact of the first model, a directory or a file
  (default: ../model, next to this example); `none` uses the object
  already at its ModelS3Key
- variantWeights: JSON object, variant name -> weight
- endpointName: replaces sageMakerEndpointName
- autoscaling: JSON autoscaling settings for the endpoint
- rollout: JSON blue/green rollout policy (real-time and async endpoints)
- dataCapture: true captures the real-time endpoint's requests and answers
  into the async output bucket
- secretEnvironment: a secret JSON object of container environment variables
  (API keys and the like: `pulumi config set --secret secretEnvironment
  '{"API_KEY": "..."}'`), given to every model's container; the values stay
  secret in the state, the outputs and the engine's messages
- monitoring: JSON settings of a MonitorDashboard of the endpoint (e.g.
  `{"alarmEmails": ["ops@example.com"]}`, `{}` for the defaults); its alarms
  then guard the rollout (instead of the endpoint's own 5xx alarm)
- executionRoleArn: an execution role of your own for the models, instead of
  BaseInfra's; it must already allow what SageMaker does with it (read the
  artifacts, and `cloudwatch:DescribeAlarms` on the rollback alarms of a
  rollout): the real-time endpoint grants it nothing
- enableWorkflow: true | false, overrides the environment's `enableWorkflow`:
  a retraining Workflow (training data under the artifact prefix, outputs
  to the async output bucket, threshold from model-config.json's
  `modelParameters.inference.thresholds.classification`)
- workflowAutoDeploy: true | false (default true): approved versions are
  rolled out to the endpoint
- workflowSchedule: a schedule expression, e.g. `rate(7 days)`
- workflowPollSeconds: seconds between two looks at the updating endpoint
"""

import json
from pathlib import Path

import pulumi
import pulumi_sagemaker_deployment as sagemaker_deployment

configs = Path(__file__).parent / ".." / "config"
deployment = json.loads((configs / "deployment-config.json").read_text())
model_config = json.loads((configs / "model-config.json").read_text())
config = pulumi.Config()

environment = deployment["environments"].get(pulumi.get_stack(), deployment["environments"]["dev"])
inference_type = config.get("inferenceType") or environment.get("inferenceType", "realtime")
model_list = json.loads(config.get("modelList") or json.dumps(model_config["modelList"]))
if config.get("modelS3Key"):
    model_list[0]["ModelS3Key"] = config.get("modelS3Key")
for variant, weight in json.loads(config.get("variantWeights") or "{}").items():
    for model in model_list:
        if model["VariantName"] == variant:
            model["VariantWeight"] = weight
artifact = config.get("modelArtifact") or str(Path(__file__).resolve().parent.parent / "model")
local_artifacts = {} if artifact == "none" else {model_list[0]["ModelName"]: artifact}
endpoint_name = config.get("endpointName") or f"{model_config['sageMakerEndpointName']}-{environment['stage']}"
autoscaling = json.loads(config.get("autoscaling") or "null")
rollout = json.loads(config.get("rollout") or "null")
secret_environment = config.get_secret_object("secretEnvironment")
if secret_environment is not None:
    for model in model_list:
        own = model.get("Environment", {})
        model["Environment"] = secret_environment.apply(lambda extra, own=own: {**own, **extra})
own_role_arn = config.get("executionRoleArn")
monitoring = json.loads(config.get("monitoring") or "null")
model_parameters = model_config["modelParameters"]
if config.get("classificationThreshold"):
    model_parameters["inference"]["thresholds"]["classification"] = float(config.get("classificationThreshold"))
create_new_app_config = config.get_bool("createNewAppConfig")
if create_new_app_config is None:
    create_new_app_config = environment.get("createNewAppConfig", True)

base = sagemaker_deployment.BaseInfra(
    "base",
    project_name=deployment["project"]["name"],
    stage=environment["stage"],
    model_artifacts={
        "s3_key_prefix": deployment["modelArtifacts"]["s3KeyPrefix"],
        "enable_versioning": deployment["modelArtifacts"]["enableVersioning"],
    },
    force_destroy=True,
)

# The parameters as JSON text, so that AppConfig hosts them in the document's key order.
parameters = sagemaker_deployment.AppConfig(
    "parameters",
    project_name=deployment["project"]["name"],
    app_config_suffix=environment["appConfigSuffix"],
    stage=environment["stage"],
    model_parameters=json.dumps(model_parameters),
    create_new_app_config=create_new_app_config,
    existing_app_config_app_id=config.get("existingAppConfigAppId") or environment.get("existingAppConfigAppId"),
    existing_app_config_env_id=config.get("existingAppConfigEnvId") or environment.get("existingAppConfigEnvId"),
    existing_app_config_profile_id=config.get("existingAppConfigProfileId") or environment.get("existingAppConfigProfileId"),
    deployment_strategy=config.get("appConfigDeploymentStrategy"),
    custom_deployment_strategy=json.loads(config.get("appConfigCustomStrategy") or "null"),
)

models = sagemaker_deployment.SageMakerModel(
    "models",
    model_list=model_list,
    execution_role_arn=own_role_arn or base.execution_role_arn,
    model_artifact_bucket_name=base.model_artifact_bucket_name,
    s3_key_prefix=base.s3_key_prefix,
    local_artifacts=local_artifacts,
    app_config={
        "application_id": parameters.application_id,
        "environment_id": parameters.environment_id,
        "configuration_profile_id": parameters.configuration_profile_id,
        "configuration_arn": parameters.configuration_arn,
    },
)

if monitoring is not None:
    # Registered before the endpoint: its alarms must exist when a rollout starts.
    monitor = sagemaker_deployment.MonitorDashboard(
        "monitor",
        endpoint_name=endpoint_name,
        inference_type=inference_type,
        model_list=model_list,
        alarm_emails=monitoring.get("alarmEmails"),
        alarms=monitoring.get("alarms"),
    )
    if rollout is not None:
        rollout = {**rollout, "rollbackAlarmNames": monitor.rollback_alarm_names}
    pulumi.export("dashboardName", monitor.dashboard_name)
    pulumi.export("dashboardUrl", monitor.dashboard_url)
    pulumi.export("alarmTopicArn", monitor.alarm_topic_arn)

if inference_type == "serverless":
    endpoint = sagemaker_deployment.SageMakerServerlessEndpoint(
        "endpoint",
        endpoint_name=endpoint_name,
        model_list=model_list,
        model_names=models.model_names,
        serverless_config=environment.get("serverlessConfig"),
    )
elif inference_type == "async":
    endpoint = sagemaker_deployment.SageMakerAsyncEndpoint(
        "endpoint",
        endpoint_name=endpoint_name,
        model_list=model_list,
        model_names=models.model_names,
        output_bucket_name=base.async_output_bucket_name,
        kms_key_arn=base.kms_key_arn,
        execution_role_name=base.execution_role_name,
        async_config=environment.get("asyncConfig"),
        autoscaling=autoscaling,
        rollout=rollout,
    )
    pulumi.export("outputS3Path", endpoint.output_s3_path)
    pulumi.export("successTopicArn", endpoint.success_topic_arn)
    pulumi.export("errorTopicArn", endpoint.error_topic_arn)
    pulumi.export("requestTtlSeconds", endpoint.request_ttl_seconds)
else:
    endpoint = sagemaker_deployment.SageMakerEndpoint(
        "endpoint",
        endpoint_name=endpoint_name,
        model_list=model_list,
        model_names=models.model_names,
        kms_key_arn=base.kms_key_arn,
        autoscaling=autoscaling,
        rollout=rollout,
        data_capture_bucket_name=base.async_output_bucket_name if config.get_bool("dataCapture") else None,
        # BaseInfra's role is granted what the rollout needs; a role of your own is left alone.
        execution_role_name=None if own_role_arn else base.execution_role_name,
    )

enable_workflow = config.get_bool("enableWorkflow")
if enable_workflow is None:
    enable_workflow = bool(environment.get("enableWorkflow", False))
if enable_workflow:
    auto_deploy = config.get_bool("workflowAutoDeploy")
    if auto_deploy is None:
        auto_deploy = True
    workflow = sagemaker_deployment.Workflow(
        "workflow",
        workflow_name=f"{deployment['project']['name'][:12]}-{environment['stage']}",
        execution_role_arn=own_role_arn or base.execution_role_arn,
        training={
            "image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.0.0-cpu-py310",
            "input_s3_uri": pulumi.Output.concat(
                "s3://", base.model_artifact_bucket_name, "/", deployment["modelArtifacts"]["s3KeyPrefix"]
            ),
            "output_s3_uri": pulumi.Output.concat("s3://", base.async_output_bucket_name, "/training/"),
            "instance_type": "ml.m5.xlarge",
            "hyperparameters": {"epochs": "3"},
        },
        evaluation={"metric_name": "validation:accuracy"},
        model_parameters=model_config["modelParameters"],
        auto_deploy=auto_deploy,
        endpoint_name=endpoint.endpoint_name,
        model_list=model_list,
        model_names=models.model_names,
        inference_type=inference_type,
        serverless_config=environment.get("serverlessConfig"),
        kms_key_arn=None if inference_type == "serverless" else base.kms_key_arn,
        poll_seconds=int(config.get("workflowPollSeconds") or "30"),
        schedule_expression=config.get("workflowSchedule"),
    )
    pulumi.export("stateMachineArn", workflow.state_machine_arn)
    pulumi.export("modelPackageGroupName", workflow.model_package_group_name)
    pulumi.export("workflowNamePrefix", workflow.name_prefix)
    pulumi.export("workflowThreshold", workflow.threshold)

pulumi.export("inferenceType", inference_type)
pulumi.export("modelArtifactBucketName", base.model_artifact_bucket_name)
pulumi.export("asyncOutputBucketName", base.async_output_bucket_name)
pulumi.export("kmsKeyArn", base.kms_key_arn)
pulumi.export("executionRoleArn", own_role_arn or base.execution_role_arn)
pulumi.export("modelNames", models.model_names)
pulumi.export("endpointName", endpoint.endpoint_name)
pulumi.export("endpointArn", endpoint.endpoint_arn)
pulumi.export("endpointConfigName", endpoint.endpoint_config_name)
pulumi.export("appConfigApplicationId", parameters.application_id)
pulumi.export("appConfigEnvironmentId", parameters.environment_id)
pulumi.export("appConfigProfileId", parameters.configuration_profile_id)
pulumi.export("appConfigVersionNumber", parameters.version_number)
pulumi.export("appConfigDeploymentNumber", parameters.deployment_number)
