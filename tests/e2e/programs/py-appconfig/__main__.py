"""The seed's modelParameters served through the AppConfig component.

Stack config: `threshold` (the classification threshold, 0.5 by default) and
`alarmArn` (a CloudWatch alarm that rolls a deployment back, none by default).
The parameters are passed as JSON text, so AppConfig hosts them key order
included.
"""

import json

import pulumi
import pulumi_sagemaker_deployment as sd

config = pulumi.Config()
threshold = float(config.get("threshold") or "0.5")
alarm_arn = config.get("alarmArn")

parameters = {
    "preprocessing": {
        "normalization": True,
        "featureEngineering": {"textTokenization": True, "stopwordRemoval": True},
    },
    "inference": {
        "thresholds": {"classification": threshold, "confidence": 0.7},
        "batchSize": 10,
    },
}

app_config = sd.AppConfig(
    "params",
    project_name="fraud",
    app_config_suffix="dev",
    stage="dev",
    model_parameters=json.dumps(parameters),
    rollback_alarm_arns=[alarm_arn] if alarm_arn else [],
    tags={"team": "ml"},
)

for name in (
    "application_id",
    "environment_id",
    "configuration_profile_id",
    "version_number",
    "deployment_number",
    "configuration_arn",
):
    pulumi.export(
        "".join(part.capitalize() if i else part for i, part in enumerate(name.split("_"))),
        getattr(app_config, name),
    )
