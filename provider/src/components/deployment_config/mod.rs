//! The seed's two configuration documents, `deployment-config.json` and
//! `model-config.json`, read exactly as the seed writes them (camelCase in
//! the first, PascalCase in `modelList` entries) and strictly: a key the
//! seed does not have is an error naming its JSON path, so a typo never
//! passes silently. [`validate`] checks an environment of them, with the
//! Deployment's other inputs ([`options`]), by the rules of the components
//! they become; [`parts`] builds those components' arguments.

mod components;
mod environment;
pub mod options;
pub mod parts;
mod rules;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::async_endpoint::AsyncSettings;
use super::base_infra::ModelArtifacts;
use super::model_config::{ModelSpec, ServerlessSettings};
use crate::resources::sagemaker::variant_rules::EndpointKind;
use framework::CheckFailure;
use framework::wire::{PropertyMap, value_from_json};

pub use components::ComponentsSettings;
pub use environment::{
    DEPLOYMENT_ENV, EnvironmentChoice, EnvironmentSource, choose_environment,
    deployment_env_variable,
};
pub use options::{DeploymentOptions, WorkflowSettings, WorkflowTraining};
pub use rules::{WORKFLOW, validate, validate_all};

/// JSON path of the deployment document in problems.
pub const DEPLOYMENT_CONFIG: &str = "deploymentConfig";
/// JSON path of the model document in problems.
pub const MODEL_CONFIG: &str = "modelConfig";

/// The seed's `deployment-config.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeploymentConfigDocument {
    /// The environments by name (`dev`, `test`, `prod`, ...).
    pub environments: BTreeMap<String, EnvironmentSettings>,
    /// The project.
    pub project: ProjectSettings,
    /// Where model artifacts live.
    #[serde(default)]
    pub model_artifacts: ModelArtifacts,
}

/// The seed's `project`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProjectSettings {
    /// The project name: part of every AWS name.
    pub name: String,
    /// What the project is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The kind of endpoint an environment gets (the seed's `inferenceType`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum InferenceType {
    /// A real-time endpoint (the default).
    #[default]
    Realtime,
    /// An asynchronous endpoint: requests and results in S3.
    Async,
    /// A serverless endpoint.
    Serverless,
    /// An endpoint hosting one inference component per `modelList` entry
    /// (each entry's `InferenceComponent` settings), its instances set by
    /// `componentsConfig`.
    Components,
}

impl InferenceType {
    /// The endpoint kind of SageMaker's variant rules.
    pub fn endpoint_kind(self) -> EndpointKind {
        match self {
            InferenceType::Realtime => EndpointKind::RealTime,
            InferenceType::Async => EndpointKind::Async,
            InferenceType::Serverless => EndpointKind::Serverless,
            // The endpoint's one variant has instances, as a real-time one.
            InferenceType::Components => EndpointKind::RealTime,
        }
    }

    /// The name the seed writes.
    pub fn as_str(self) -> &'static str {
        match self {
            InferenceType::Realtime => "realtime",
            InferenceType::Async => "async",
            InferenceType::Serverless => "serverless",
            InferenceType::Components => "components",
        }
    }
}

/// One environment of the seed's `environments`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnvironmentSettings {
    /// The AWS account (12 digits) deployed to; credentials for another
    /// account fail preview.
    pub account: String,
    /// The AWS region deployed to.
    pub region: String,
    /// The stage: part of every AWS name.
    pub stage: String,
    /// Suffix of the AppConfig names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_config_suffix: Option<String>,
    /// Whether to build the monitoring dashboard and alarms.
    #[serde(default)]
    pub enable_monitoring: bool,
    /// Whether to build the retraining workflow.
    #[serde(default)]
    pub enable_workflow: bool,
    /// Create AppConfig resources (true) or use the existing ones named by
    /// the three `existingAppConfig*Id` settings (false).
    #[serde(default = "yes")]
    pub create_new_app_config: bool,
    /// Existing AppConfig application id (when `createNewAppConfig` is false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing_app_config_app_id: Option<String>,
    /// Existing AppConfig environment id (when `createNewAppConfig` is false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing_app_config_env_id: Option<String>,
    /// Existing AppConfig configuration profile id (when `createNewAppConfig`
    /// is false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing_app_config_profile_id: Option<String>,
    /// The endpoint kind: `realtime` (default), `async`, `serverless` or
    /// `components` (inference components).
    #[serde(default)]
    pub inference_type: InferenceType,
    /// Asynchronous endpoint settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub async_config: Option<AsyncSettings>,
    /// Serverless settings for variants without their own `ServerlessConfig`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serverless_config: Option<ServerlessSettings>,
    /// Inference-component endpoint settings (`inferenceType` `components`):
    /// its instances and how a new model version rolls out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components_config: Option<ComponentsSettings>,
}

fn yes() -> bool {
    true
}

/// The seed's `model-config.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ModelConfigDocument {
    /// Parameters the models read at run time (served by AppConfig); any JSON object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_parameters: Option<serde_json::Map<String, serde_json::Value>>,
    /// The endpoint's name; the stage is appended.
    pub sage_maker_endpoint_name: String,
    /// The models, one endpoint variant each.
    pub model_list: Vec<ModelSpec>,
}

/// Both documents, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Documents {
    pub deployment: DeploymentConfigDocument,
    pub model: ModelConfigDocument,
}

impl Documents {
    /// Reads both documents; every problem of either, each with its JSON
    /// path (`deploymentConfig.environments.dev.inferenceType`,
    /// `modelConfig.modelList[0].ModelNme`).
    pub fn parse(
        deployment: &serde_json::Value,
        model: &serde_json::Value,
    ) -> Result<Self, Vec<CheckFailure>> {
        let deployment = read_document::<DeploymentConfigDocument>(DEPLOYMENT_CONFIG, deployment);
        let model = read_document::<ModelConfigDocument>(MODEL_CONFIG, model);
        match (deployment, model) {
            (Ok(deployment), Ok(model)) => Ok(Documents { deployment, model }),
            (deployment, model) => Err(deployment
                .err()
                .into_iter()
                .chain(model.err())
                .flatten()
                .collect()),
        }
    }

    /// The environment `name`, or a problem listing the ones there are.
    pub fn environment(
        &self,
        choice: &EnvironmentChoice,
    ) -> Result<&EnvironmentSettings, CheckFailure> {
        self.deployment
            .environments
            .get(&choice.name)
            .ok_or_else(|| {
                let known: Vec<&str> = self
                    .deployment
                    .environments
                    .keys()
                    .map(String::as_str)
                    .collect();
                CheckFailure::new(
                    format!("{DEPLOYMENT_CONFIG}.environments"),
                    format!(
                        "has no environment `{}` ({}); it has: {}",
                        choice.name,
                        choice.source.describe(),
                        if known.is_empty() {
                            "none".to_owned()
                        } else {
                            known.join(", ")
                        }
                    ),
                )
            })
    }
}

/// Reads one document as `T`, with every problem under `root`.
fn read_document<T: DeserializeOwned>(
    root: &str,
    value: &serde_json::Value,
) -> Result<T, Vec<CheckFailure>> {
    let Some(object) = value.as_object() else {
        return Err(vec![CheckFailure::new(
            root,
            "must be a JSON object (the seed's document, as it is written)",
        )]);
    };
    let map: PropertyMap = object
        .iter()
        .map(|(key, value)| (key.clone(), value_from_json(value)))
        .collect();
    framework::decode_all::<T>(&map).map_err(|failures| {
        failures
            .into_iter()
            .map(|f| CheckFailure::new(format!("{root}.{}", f.property), f.reason))
            .collect()
    })
}

#[cfg(test)]
mod tests;
