"""The seed's ConfigUtils and MonitoringUtils read sides, as a user calls them.

An AppConfig component serves the seed's modelParameters for dev, named as a
Deployment names them; `getModelParameters` reads them back through AppConfigData,
once by the component's ids and once by the seed's two documents. A
MonitorDashboard watches the seed's dev endpoint; `dashboardBody` returns the
body of the same endpoint kind and variants.

Stack config:
- readIds: `APP,ENV,PROFILE`, read those AppConfig objects instead (nothing
  else is made)
- badCall: `parameters` calls getModelParameters with one identifier only;
  `dashboard` calls dashboardBody with a malformed account
"""

import json
from pathlib import Path

import pulumi
import pulumi_sagemaker_deployment as sd

ROOT = Path(__file__).resolve().parents[4]
deployment_config = json.loads((ROOT / "examples" / "config" / "deployment-config.json").read_text())
model_config = json.loads((ROOT / "examples" / "config" / "model-config.json").read_text())
dev = deployment_config["environments"]["dev"]
config = pulumi.Config()
endpoint_name = f"{model_config['sageMakerEndpointName']}-{dev['stage']}"


def served(result) -> dict:
    return {
        "parameters": result.parameters,
        "parametersJson": result.parameters_json,
        "versionLabel": result.version_label,
        "applicationIdentifier": result.application_identifier,
        "environmentIdentifier": result.environment_identifier,
        "configurationProfileIdentifier": result.configuration_profile_identifier,
        "region": result.region,
    }


bad_call = config.get("badCall")
read_ids = config.get("readIds")
if bad_call == "parameters":
    sd.get_model_parameters(application_identifier="sagemaker-deployment-dev")
elif bad_call == "dashboard":
    sd.dashboard_body(
        endpoint_name=endpoint_name, inference_type="async", model_list=model_config["modelList"], account="1234"
    )
elif read_ids:
    application, environment, profile = read_ids.split(",")
    pulumi.export("served", served(sd.get_model_parameters(
        application_identifier=application, environment_identifier=environment,
        configuration_profile_identifier=profile,
    )))
else:
    app_config = sd.AppConfig(
        "params",
        project_name=deployment_config["project"]["name"],
        app_config_suffix=dev["appConfigSuffix"],
        stage=dev["stage"],
        model_parameters=json.dumps(model_config["modelParameters"]),
    )
    pulumi.export("applicationId", app_config.application_id)
    by_ids = sd.get_model_parameters_output(
        application_identifier=app_config.application_id,
        environment_identifier=app_config.environment_id,
        configuration_profile_identifier=app_config.configuration_profile_id,
    )
    pulumi.export("byIds", by_ids.apply(served))
    # By the documents: read once the component has deployed (an input from its outputs).
    by_documents = sd.get_model_parameters_output(
        deployment_config=deployment_config,
        model_config=model_config,
        environment=app_config.version_number.apply(lambda _: "dev"),
    )
    pulumi.export("byDocuments", by_documents.apply(served))

    dashboard = sd.MonitorDashboard(
        "monitor",
        endpoint_name=endpoint_name,
        inference_type="async",
        model_list=model_config["modelList"],
    )
    pulumi.export("dashboardName", dashboard.dashboard_name)
    body = sd.dashboard_body(endpoint_name=endpoint_name, inference_type="async", model_list=model_config["modelList"])
    pulumi.export("dashboardBody", {
        "body": body.body, "bodyJson": body.body_json, "widgetTitles": body.widget_titles,
        "dashboardName": body.dashboard_name,
    })
