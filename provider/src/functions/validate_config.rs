//! `sagemaker-deployment:index:validateConfig`: the seed's ConfigUtils
//! validation, for CI before a deploy.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::aws::AwsClients;
use crate::components::async_endpoint::AsyncAutoscalingArgs;
use crate::components::deployment_config::{
    DeploymentOptions, Documents, EnvironmentChoice, WorkflowSettings, choose_environment,
    deployment_env_variable, validate, validate_all,
};
use crate::components::monitor_dashboard::AlarmThresholds;
use crate::components::realtime_endpoint::AutoscalingArgs;
use crate::resources::sagemaker::endpoint::RolloutPolicy;
use framework::{CheckFailure, Function, Result};

/// Checks the seed's two documents, `deployment-config.json` and
/// `model-config.json`, as a Deployment would at preview, without
/// deploying: unknown keys, types, every rule of the parts they become and
/// the rules across the two documents. Every problem is returned with its
/// JSON path, not just the first (the keys and types first: the rules are
/// checked once both documents read). The environment checked is `environment`,
/// else `DEPLOYMENT_ENV`; with neither, every environment is checked. The
/// Deployment's other inputs, when given here too, are checked as the
/// Deployment checks them (an environment with `enableWorkflow` needs
/// `workflow`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ValidateConfigArgs {
    /// The seed's `deployment-config.json`, as an object.
    pub deployment_config: serde_json::Value,
    /// The seed's `model-config.json`, as an object.
    pub model_config: serde_json::Value,
    /// The environment to check, e.g. `dev`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The Deployment's `autoscaling`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<AutoscalingArgs>,
    /// The Deployment's `asyncAutoscaling`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub async_autoscaling: Option<AsyncAutoscalingArgs>,
    /// The Deployment's `rollout`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout: Option<RolloutPolicy>,
    /// The Deployment's `dataCaptureSamplingPercentage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_capture_sampling_percentage: Option<u32>,
    /// The Deployment's `alarms`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarms: Option<AlarmThresholds>,
    /// The Deployment's `alarmEmails`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alarm_emails: Vec<String>,
    /// The Deployment's `workflow`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow: Option<WorkflowSettings>,
}

/// One problem of the documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigProblem {
    /// JSON path of the setting, e.g. `modelConfig.modelList[0].InstanceType`.
    pub path: String,
    /// The rule it breaks.
    pub message: String,
}

/// What validateConfig found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ValidateConfigResult {
    /// True when there is no problem.
    pub valid: bool,
    /// Every problem, each with its JSON path.
    pub problems: Vec<ConfigProblem>,
    /// The environments checked.
    pub environments: Vec<String>,
}

/// The validateConfig function.
pub struct ValidateConfig;

impl ValidateConfigArgs {
    /// The Deployment's other inputs, as given.
    fn options(&self) -> DeploymentOptions {
        DeploymentOptions {
            autoscaling: self.autoscaling.clone(),
            async_autoscaling: self.async_autoscaling.clone(),
            rollout: self.rollout.clone(),
            data_capture_sampling_percentage: self.data_capture_sampling_percentage,
            alarms: self.alarms.clone(),
            alarm_emails: self.alarm_emails.clone(),
            workflow: self.workflow.clone(),
            ..DeploymentOptions::default()
        }
    }

    /// The environment to check: the argument, else `DEPLOYMENT_ENV`.
    fn choice(&self) -> Option<EnvironmentChoice> {
        choose_environment(
            self.environment.as_deref(),
            deployment_env_variable().as_deref(),
            None,
        )
    }
}

/// Every problem of the documents for `choice` (every environment when
/// none), and the environments checked.
pub fn check_documents(
    args: &ValidateConfigArgs,
    choice: Option<&EnvironmentChoice>,
) -> (Vec<CheckFailure>, Vec<String>) {
    let documents = match Documents::parse(&args.deployment_config, &args.model_config) {
        Ok(documents) => documents,
        Err(problems) => {
            let checked = match choice {
                Some(choice) => vec![choice.name.clone()],
                None => environment_names(&args.deployment_config),
            };
            return (problems, checked);
        }
    };
    match choice {
        Some(choice) => (
            validate(&documents, choice, &args.options()),
            vec![choice.name.clone()],
        ),
        None => (
            validate_all(&documents, &args.options()),
            documents.deployment.environments.keys().cloned().collect(),
        ),
    }
}

/// The environments a deployment document names, even one that does not
/// read.
fn environment_names(document: &serde_json::Value) -> Vec<String> {
    document
        .get("environments")
        .and_then(serde_json::Value::as_object)
        .map(|environments| environments.keys().cloned().collect())
        .unwrap_or_default()
}

#[async_trait]
impl Function for ValidateConfig {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:index:validateConfig";

    type Inputs = ValidateConfigArgs;
    type Outputs = ValidateConfigResult;

    async fn invoke(
        &self,
        _clients: Option<&AwsClients>,
        args: ValidateConfigArgs,
    ) -> Result<ValidateConfigResult> {
        let (problems, environments) = check_documents(&args, args.choice().as_ref());
        Ok(ValidateConfigResult {
            valid: problems.is_empty(),
            problems: problems
                .into_iter()
                .map(|f| ConfigProblem {
                    path: f.property,
                    message: f.reason,
                })
                .collect(),
            environments,
        })
    }
}
