"""A real-time, an asynchronous and a serverless endpoint of the seed's model,
each watched by a MonitorDashboard registered before it. The real-time
endpoint rolls out canary and its rollback alarms are the dashboard's.

Stack config:
- modelVersion: the version in each model's S3 key (default v1); a new one
  rolls a new model out to every endpoint
- alarms: JSON thresholds for the real-time endpoint's alarms
- alarmEmails: JSON list of addresses subscribed to the real-time alarm topic
- withWorkflow: true adds a retraining Workflow (no autoDeploy) whose
  executions the real-time dashboard shows
- withAppConfig: true adds the model's parameters in AppConfig, its rollouts
  guarded by the real-time dashboard's AppConfig monitor; the asynchronous
  dashboard shows the environment's rollouts
- threshold: the classification threshold in those parameters (default 0.5)
"""

import json
from pathlib import Path

import pulumi
import pulumi_sagemaker_deployment as sagemaker_deployment

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[3]
model_config = json.loads((ROOT / "examples" / "config" / "model-config.json").read_text())
config = pulumi.Config()
version = config.get("modelVersion") or "v1"
alarms = json.loads(config.get("alarms") or "null")
alarm_emails = json.loads(config.get("alarmEmails") or "[]")
with_workflow = config.get_bool("withWorkflow") or False
with_app_config = config.get_bool("withAppConfig") or False
threshold = float(config.get("threshold") or "0.5")
artifact = str(ROOT / "examples" / "model")

base = sagemaker_deployment.BaseInfra(
    "base",
    project_name="monitored",
    stage="e2e",
    model_artifacts={"s3_key_prefix": "models/", "enable_versioning": False},
    force_destroy=True,
)


workflow = None
if with_workflow:
    workflow = sagemaker_deployment.Workflow(
        "workflow",
        workflow_name="monitored",
        execution_role_arn=base.execution_role_arn,
        training={
            "image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.0.0-cpu-py310",
            "input_s3_uri": pulumi.Output.concat("s3://", base.model_artifact_bucket_name, "/training/"),
            "output_s3_uri": pulumi.Output.concat("s3://", base.model_artifact_bucket_name, "/trained/"),
        },
        evaluation={"metric_name": "validation:accuracy", "threshold": 0.8},
    )
    pulumi.export("stateMachineArn", workflow.state_machine_arn)
app_config = None


def models_for(kind: str) -> list[dict]:
    """The seed's model list, its model and artifact named for `kind`."""
    return [
        {**model, "ModelName": f"{model['ModelName']}-{kind}", "ModelS3Key": f"models/{kind}/{version}/model.tar.gz"}
        for model in model_config["modelList"]
    ]


for kind in ("realtime", "async", "serverless"):
    model_list = models_for(kind)
    endpoint_name = f"monitored-{kind}"
    models = sagemaker_deployment.SageMakerModel(
        f"{kind}-models",
        model_list=model_list,
        execution_role_arn=base.execution_role_arn,
        model_artifact_bucket_name=base.model_artifact_bucket_name,
        s3_key_prefix=base.s3_key_prefix,
        local_artifacts={model_list[0]["ModelName"]: artifact},
    )
    monitor = sagemaker_deployment.MonitorDashboard(
        f"{kind}-monitor",
        endpoint_name=endpoint_name,
        inference_type=kind,
        model_list=model_list,
        alarms=alarms if kind == "realtime" else None,
        alarm_emails=alarm_emails if kind == "realtime" else None,
        state_machine_arn=workflow.state_machine_arn if workflow and kind == "realtime" else None,
        app_config_application_id=app_config.application_id if app_config and kind == "async" else None,
        app_config_environment_id=app_config.environment_id if app_config and kind == "async" else None,
        app_config_rollback_alarm_arns=app_config_monitors if app_config and kind == "async" else None,
    )
    if with_app_config and kind == "realtime":
        # The parameters' rollouts are guarded by the real-time endpoint's
        # health (the stage is not dev: a slow canary strategy).
        parameters = {**model_config["modelParameters"]}
        parameters["inference"] = {
            **parameters["inference"],
            "thresholds": {**parameters["inference"]["thresholds"], "classification": threshold},
        }
        app_config = sagemaker_deployment.AppConfig(
            "params",
            project_name="monitored",
            app_config_suffix="params",
            stage="e2e",
            model_parameters=json.dumps(parameters),
            rollback_alarm_arns=monitor.app_config_monitor_arns,
        )
        pulumi.export("appConfigApplicationId", app_config.application_id)
        pulumi.export("appConfigEnvironmentId", app_config.environment_id)
        app_config_monitors = monitor.app_config_monitor_arns
        pulumi.export("appConfigMonitorArns", app_config_monitors)
    if kind == "realtime":
        endpoint = sagemaker_deployment.SageMakerEndpoint(
            "realtime-endpoint",
            endpoint_name=endpoint_name,
            model_list=model_list,
            model_names=models.model_names,
            kms_key_arn=base.kms_key_arn,
            execution_role_name=base.execution_role_name,
            rollout={
                "traffic_shift": "CANARY",
                "canary_size": {"unit": "CAPACITY_PERCENT", "value": 10},
                "wait_interval_in_seconds": 60,
                "rollback_alarm_names": monitor.rollback_alarm_names,
            },
        )
    elif kind == "async":
        endpoint = sagemaker_deployment.SageMakerAsyncEndpoint(
            "async-endpoint",
            endpoint_name=endpoint_name,
            model_list=model_list,
            model_names=models.model_names,
            output_bucket_name=base.async_output_bucket_name,
            kms_key_arn=base.kms_key_arn,
            execution_role_name=base.execution_role_name,
        )
    else:
        endpoint = sagemaker_deployment.SageMakerServerlessEndpoint(
            "serverless-endpoint",
            endpoint_name=endpoint_name,
            model_list=model_list,
            model_names=models.model_names,
            serverless_config={"memory_size": 2048, "max_concurrency": 5},
        )
    pulumi.export(f"{kind}EndpointName", endpoint.endpoint_name)
    pulumi.export(f"{kind}EndpointConfigName", endpoint.endpoint_config_name)
    pulumi.export(f"{kind}DashboardName", monitor.dashboard_name)
    pulumi.export(f"{kind}DashboardUrl", monitor.dashboard_url)
    pulumi.export(f"{kind}AlarmArns", monitor.alarm_arns)
    pulumi.export(f"{kind}AlarmTopicArn", monitor.alarm_topic_arn)
    pulumi.export(f"{kind}RollbackAlarmNames", monitor.rollback_alarm_names)

pulumi.export("executionRoleArn", base.execution_role_arn)
