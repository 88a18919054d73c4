//! `sagemaker-deployment:index:dashboardBody`: the seed's MonitoringUtils,
//! the CloudWatch dashboard of an endpoint kind and its variants.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::aws::AwsClients;
use crate::components::model_config::ModelSpec;
use crate::components::monitor_dashboard::{
    AlarmThresholds, InferenceType, MonitorDashboard, MonitorDashboardArgs, planned_dashboard_body,
};
use framework::{CheckFailure, Component, Failures, Function, Output, ProviderError, Result};

/// The CloudWatch dashboard body (PutDashboard's `DashboardBody`) that a
/// MonitorDashboard of this endpoint writes, built by the same code: a
/// heading, the alarms' states, the graphs of the endpoint kind (the queue
/// and notifications of an asynchronous endpoint), then each variant's
/// traffic, latency, errors and utilization. The arguments are the
/// component's and are checked by the same rules. The alarm ARNs it shows
/// are in `region` (else the provider's) of `account` (else the
/// credentials' account, STS GetCallerIdentity).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DashboardBodyArgs {
    /// The endpoint watched (the seed's `sageMakerEndpointName`).
    pub endpoint_name: String,
    /// `realtime`, `async` or `serverless` (the seed's `inferenceType`).
    pub inference_type: InferenceType,
    /// The endpoint's variants (the seed's `modelList`).
    pub model_list: Vec<ModelSpec>,
    /// Alarm thresholds, as MonitorDashboard takes them; each has a default.
    #[serde(default)]
    pub alarms: AlarmThresholds,
    /// Whether the asynchronous endpoint notifies its success and error
    /// topics (default true): the dashboard then graphs their messages.
    #[serde(default = "default_true")]
    pub async_notifications: bool,
    /// With `appConfigEnvironmentId`: the AppConfig application whose
    /// parameter rollouts the dashboard shows (MonitorDashboard's
    /// `appConfigApplicationId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_config_application_id: Option<String>,
    /// The AppConfig environment (MonitorDashboard's `appConfigEnvironmentId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_config_environment_id: Option<String>,
    /// The alarms that roll the environment's rollouts back (MonitorDashboard's
    /// `appConfigRollbackAlarmArns`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub app_config_rollback_alarm_arns: Vec<String>,
    /// The retraining Workflow's state machine, whose executions the
    /// dashboard shows (MonitorDashboard's `stateMachineArn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_machine_arn: Option<String>,
    /// The region of the metrics and alarms (default: the provider's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The account of the alarms (default: the credentials' account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

fn default_true() -> bool {
    true
}

/// The dashboard body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DashboardBodyResult {
    /// The body as JSON text, ready for PutDashboard.
    pub body_json: String,
    /// The body as an object.
    pub body: serde_json::Value,
    /// Each widget's title in order (a text widget's first line).
    pub widget_titles: Vec<String>,
    /// The dashboard name MonitorDashboard gives it by default.
    pub dashboard_name: String,
}

impl DashboardBodyArgs {
    /// The component arguments the body is built from.
    fn dashboard(&self) -> MonitorDashboardArgs {
        MonitorDashboardArgs {
            endpoint_name: self.endpoint_name.clone(),
            inference_type: self.inference_type,
            model_list: self.model_list.clone(),
            dashboard_name: None,
            alarms: self.alarms.clone(),
            alarm_emails: Vec::new(),
            async_notifications: self.async_notifications,
            tags: Default::default(),
            app_config_application_id: self.app_config_application_id.clone().map(Output::new),
            app_config_environment_id: self.app_config_environment_id.clone().map(Output::new),
            app_config_rollback_alarm_arns: self
                .app_config_rollback_alarm_arns
                .iter()
                .cloned()
                .map(Output::new)
                .collect(),
            state_machine_arn: self.state_machine_arn.clone().map(Output::new),
        }
    }

    fn problems(&self) -> Failures {
        let mut failures = Component::check(&MonitorDashboard, &self.dashboard());
        if let Some(account) = &self.account {
            failures.require(
                account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()),
                "account",
                format!("must be an AWS account id, 12 digits, got `{account}`"),
            );
        }
        if let Some(region) = &self.region {
            failures.require(
                is_region_name(region),
                "region",
                format!("must be an AWS region name such as `us-east-1`, got `{region}`"),
            );
        }
        failures
    }
}

/// True for names shaped like AWS regions: lowercase words and a number,
/// dash-separated (`us-east-1`, `us-gov-west-1`, `ap-southeast-5`).
fn is_region_name(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1]
            .parse::<u8>()
            .is_ok_and(|number| number > 0)
}

/// Each widget's title: a graph's `title`, a text widget's first line
/// without its Markdown heading marks.
pub fn widget_titles(body: &serde_json::Value) -> Vec<String> {
    body["widgets"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|widget| {
            let properties = &widget["properties"];
            match properties["title"].as_str() {
                Some(title) => title.to_owned(),
                None => properties["markdown"]
                    .as_str()
                    .and_then(|text| text.lines().next())
                    .unwrap_or_default()
                    .trim_start_matches('#')
                    .trim()
                    .to_owned(),
            }
        })
        .collect()
}

/// The dashboardBody function.
pub struct DashboardBody;

#[async_trait]
impl Function for DashboardBody {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:index:dashboardBody";

    type Inputs = DashboardBodyArgs;
    type Outputs = DashboardBodyResult;

    fn check(&self, args: &DashboardBodyArgs) -> Failures {
        args.problems()
    }

    async fn invoke(
        &self,
        clients: Option<&AwsClients>,
        args: DashboardBodyArgs,
    ) -> Result<DashboardBodyResult> {
        let problems = args.problems();
        if !problems.is_empty() {
            return Err(ProviderError::InvalidInputs(problems.summary()));
        }
        let needs_clients = || {
            ProviderError::InvalidInputs(
                CheckFailure::new(
                    "account",
                    "is required when the provider is not configured (region too)",
                )
                .to_string(),
            )
        };
        let region = match (&args.region, clients) {
            (Some(region), _) => region.clone(),
            (None, Some(clients)) => clients.region.clone(),
            (None, None) => return Err(needs_clients()),
        };
        let account = match (&args.account, clients) {
            (Some(account), _) => account.clone(),
            (None, Some(clients)) => clients.account_id().await?,
            (None, None) => return Err(needs_clients()),
        };
        let dashboard = args.dashboard();
        let body = planned_dashboard_body(&dashboard, &region, &account);
        Ok(DashboardBodyResult {
            body_json: body.to_string(),
            widget_titles: widget_titles(&body),
            body,
            dashboard_name: format!("{}-dashboard", args.endpoint_name),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn args(kind: &str, variants: &[(&str, &str)]) -> DashboardBodyArgs {
        let model_list: Vec<serde_json::Value> = variants
            .iter()
            .map(|(variant, instance_type)| {
                json!({
                    "ModelName": format!("{variant}-model"),
                    "ModelS3Key": "models/m/model.tar.gz",
                    "ModelDockerImage": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.0.0-cpu-py310",
                    "VariantName": variant,
                    "VariantWeight": 1,
                    "InstanceCount": 1,
                    "InstanceType": instance_type,
                })
            })
            .collect();
        serde_json::from_value(json!({
            "endpointName": "fraud",
            "inferenceType": kind,
            "modelList": model_list,
            "region": "eu-west-1",
            "account": "123456789012",
        }))
        .unwrap()
    }

    async fn run(args: DashboardBodyArgs) -> DashboardBodyResult {
        DashboardBody.invoke(None, args).await.unwrap()
    }

    #[tokio::test]
    async fn the_body_is_the_one_the_component_writes() {
        let given = args(
            "realtime",
            &[("Primary", "ml.m5.large"), ("Gpu", "ml.g5.xlarge")],
        );
        let result = run(given.clone()).await;
        let component = planned_dashboard_body(&given.dashboard(), "eu-west-1", "123456789012");
        assert_eq!(result.body, component);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&result.body_json).unwrap(),
            component
        );
        assert_eq!(result.dashboard_name, "fraud-dashboard");
        assert_eq!(
            result.widget_titles.len(),
            component["widgets"].as_array().unwrap().len()
        );
        assert_eq!(result.widget_titles[0], "real-time endpoint `fraud`");
        assert!(
            result
                .widget_titles
                .contains(&"Gpu: GPU utilization % (compute, memory)".to_owned())
        );
        // The alarms shown are in the given region and account.
        assert!(
            result
                .body_json
                .contains("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:")
        );
    }

    #[tokio::test]
    async fn each_kind_has_its_own_graphs() {
        let queue = run(args("async", &[("Primary", "ml.m5.large")])).await;
        assert!(queue.body_json.contains("ApproximateBacklogSize"));
        assert!(
            queue
                .widget_titles
                .contains(&"Results notified per minute (success and error topics)".to_owned())
        );
        let mut quiet = args("async", &[("Primary", "ml.m5.large")]);
        quiet.async_notifications = false;
        assert!(
            !run(quiet)
                .await
                .body_json
                .contains("NumberOfMessagesPublished")
        );
        let serverless = run(args("serverless", &[("Primary", "ml.m5.large")])).await;
        assert!(serverless.body_json.contains("ModelSetupTime"));
        assert!(!serverless.body_json.contains("CPUUtilization"));
    }

    #[tokio::test]
    async fn the_workflow_and_app_config_panels_come_with_their_ids() {
        let plain = run(args("realtime", &[("Primary", "ml.m5.large")])).await;
        assert!(!plain.body_json.contains("AWS/States"));
        let mut given = args("realtime", &[("Primary", "ml.m5.large")]);
        let machine = "arn:aws:states:eu-west-1:123456789012:stateMachine:fraud-retrain-1a2b3c4d";
        given.state_machine_arn = Some(machine.into());
        given.app_config_application_id = Some("abc1234".into());
        given.app_config_environment_id = Some("env5678".into());
        let result = run(given.clone()).await;
        assert_eq!(
            result.body,
            planned_dashboard_body(&given.dashboard(), "eu-west-1", "123456789012")
        );
        assert!(result.body_json.contains("AWS/States") && result.body_json.contains(machine));
        assert!(result.body_json.contains("abc1234") && result.body_json.contains("env5678"));
        assert!(
            result
                .widget_titles
                .contains(&"Model parameters (AppConfig)".to_owned()),
            "{:?}",
            result.widget_titles
        );
    }

    #[test]
    fn bad_arguments_are_named_with_their_rule() {
        let mut bad = args(
            "serverless",
            &[("Primary", "ml.m5.large"), ("Primary", "ml.m5.large")],
        );
        bad.account = Some("1234".into());
        bad.region = Some("Europe".into());
        bad.endpoint_name = String::new();
        let failures = DashboardBody.check(&bad).into_vec();
        let properties: Vec<&str> = failures.iter().map(|f| f.property.as_str()).collect();
        for property in ["account", "region", "endpointName"] {
            assert!(properties.contains(&property), "{property}: {failures:?}");
        }
        assert!(
            properties.iter().any(|p| p.starts_with("modelList")),
            "{failures:?}"
        );
        let account = failures.iter().find(|f| f.property == "account").unwrap();
        assert!(account.reason.contains("12 digits"), "{}", account.reason);
        assert!(is_region_name("us-gov-west-1") && !is_region_name("us-east"));
    }

    #[tokio::test]
    async fn without_a_provider_the_region_and_account_are_required() {
        let mut given = args("realtime", &[("Primary", "ml.m5.large")]);
        given.account = None;
        let error = DashboardBody.invoke(None, given).await.unwrap_err();
        assert!(error.to_string().contains("account"), "{error}");
    }
}
