//! `sagemaker-deployment:index:endpointConfigPlan`: the seed's
//! EndpointUtils, the endpoint configuration the documents produce.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::aws::AwsClients;
use crate::components::deployment_config::parts::{BaseOutputs, EnvironmentParts};
use crate::components::deployment_config::{
    DeploymentOptions, Documents, EnvironmentChoice, InferenceType, WORKFLOW, choose_environment,
    deployment_env_variable, validate,
};
use framework::{CheckFailure, Failures, Function, Output, ProviderError, Result};

/// The endpoint configuration a Deployment of the seed's two documents
/// registers for an environment (`environment`, else `DEPLOYMENT_ENV`),
/// with its content-hashed name, built by the same code as the endpoint
/// components' configuration. The name hashes the SageMaker model names,
/// the key and (async) the output bucket and topics (an inference-component
/// environment's: the key and the execution role): give them from a
/// Deployment's outputs and the name is the one that Deployment runs;
/// without them the plan uses each model's `ModelName`, shows the missing
/// ones as `<kmsKeyArn>`-style placeholders, and says it is not `complete`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointConfigPlanArgs {
    /// The seed's `deployment-config.json`, as an object.
    pub deployment_config: serde_json::Value,
    /// The seed's `model-config.json`, as an object.
    pub model_config: serde_json::Value,
    /// The environment, e.g. `dev`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// SageMaker model names in `modelList` order (a Deployment's `modelNames`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_names: Option<Vec<String>>,
    /// The KMS key ARN (a Deployment's `kmsKeyArn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<String>,
    /// The execution role (a Deployment's `executionRoleArn`): part of an
    /// inference-component endpoint's configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_role_arn: Option<String>,
    /// The async output bucket (a Deployment's `asyncOutputBucketName`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub async_output_bucket_name: Option<String>,
    /// The async success topic (a Deployment's `successTopicArn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_topic_arn: Option<String>,
    /// The async error topic (a Deployment's `errorTopicArn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_topic_arn: Option<String>,
    /// The Deployment's `dataCaptureSamplingPercentage` (real-time: the
    /// capture is part of the configuration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_capture_sampling_percentage: Option<u32>,
}

/// The planned endpoint configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointConfigPlanResult {
    /// The environment planned for.
    pub environment: String,
    /// The endpoint kind: `realtime`, `async`, `serverless` or `components`.
    pub inference_type: String,
    /// The endpoint's name.
    pub endpoint_name: String,
    /// The configuration's content-hashed name.
    pub endpoint_config_name: String,
    /// The configuration: its variants, capacity, key and async settings.
    pub endpoint_config: serde_json::Value,
    /// True when every name the configuration hashes was given, so the name
    /// is the one a Deployment with those outputs runs.
    pub complete: bool,
}

/// The endpointConfigPlan function.
pub struct EndpointConfigPlan;

impl EndpointConfigPlanArgs {
    /// The Deployment's inputs this plan takes. The configuration does not
    /// depend on the workflow, so an environment with `enableWorkflow` is
    /// planned as if its settings were given.
    fn options(&self) -> DeploymentOptions {
        DeploymentOptions {
            data_capture_sampling_percentage: self.data_capture_sampling_percentage,
            ..DeploymentOptions::default()
        }
    }

    fn choice(&self) -> Option<EnvironmentChoice> {
        choose_environment(
            self.environment.as_deref(),
            deployment_env_variable().as_deref(),
            None,
        )
    }

    /// The documents and environment, or every problem with them.
    fn read(&self) -> std::result::Result<(Documents, EnvironmentChoice), Vec<CheckFailure>> {
        let documents = Documents::parse(&self.deployment_config, &self.model_config)?;
        let Some(choice) = self.choice() else {
            let known: Vec<&str> = documents
                .deployment
                .environments
                .keys()
                .map(String::as_str)
                .collect();
            return Err(vec![CheckFailure::new(
                "environment",
                format!(
                    "is required (or DEPLOYMENT_ENV): the document has {}",
                    known.join(", ")
                ),
            )]);
        };
        let problems: Vec<CheckFailure> = validate(&documents, &choice, &self.options())
            .into_iter()
            .filter(|problem| problem.property != WORKFLOW)
            .collect();
        if problems.is_empty() {
            Ok((documents, choice))
        } else {
            Err(problems)
        }
    }
}

#[async_trait]
impl Function for EndpointConfigPlan {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:index:endpointConfigPlan";

    type Inputs = EndpointConfigPlanArgs;
    type Outputs = EndpointConfigPlanResult;

    fn check(&self, args: &EndpointConfigPlanArgs) -> Failures {
        let mut failures = Failures(args.read().err().unwrap_or_default());
        if let (Ok(documents), Some(names)) = (
            Documents::parse(&args.deployment_config, &args.model_config),
            &args.model_names,
        ) {
            let models = documents.model.model_list.len();
            failures.require(
                names.len() == models,
                "modelNames",
                format!(
                    "must name {models} models, one per modelList entry, got {}",
                    names.len()
                ),
            );
        }
        failures
    }

    async fn invoke(
        &self,
        _clients: Option<&AwsClients>,
        args: EndpointConfigPlanArgs,
    ) -> Result<EndpointConfigPlanResult> {
        let (documents, choice) = args
            .read()
            .map_err(|problems| ProviderError::InvalidInputs(Failures(problems).summary()))?;
        let environment = documents
            .environment(&choice)
            .map_err(|problem| ProviderError::InvalidInputs(problem.to_string()))?;
        let options = args.options();
        let parts = EnvironmentParts {
            documents: &documents,
            environment,
            options: &options,
        };
        let is_async = environment.inference_type == InferenceType::Async;
        let is_components = environment.inference_type == InferenceType::Components;
        let given = |value: &Option<String>| value.clone().map(Output::new);
        // What is not given shows as a placeholder naming the output to give.
        let or_placeholder = |value: &Option<String>, name: &str| {
            given(value).unwrap_or_else(|| Output::new(format!("<{name}>")))
        };
        let mut base = BaseOutputs::unknown(&documents.deployment.model_artifacts.s3_key_prefix);
        base.kms_key_arn = or_placeholder(&args.kms_key_arn, "kmsKeyArn");
        base.execution_role_arn = or_placeholder(&args.execution_role_arn, "executionRoleArn");
        base.async_output_bucket_name =
            or_placeholder(&args.async_output_bucket_name, "asyncOutputBucketName");
        let model_names = args.model_names.clone().unwrap_or_else(|| {
            documents
                .model
                .model_list
                .iter()
                .map(|model| model.model_name.clone())
                .collect()
        });
        let topics = given(&args.success_topic_arn).zip(given(&args.error_topic_arn));
        let complete = if is_components {
            // The configuration has instances and no model.
            args.kms_key_arn.is_some() && args.execution_role_arn.is_some()
        } else {
            args.model_names.is_some()
                && args.kms_key_arn.is_some()
                && (!is_async || (args.async_output_bucket_name.is_some() && topics.is_some()))
        };
        // Rollouts and their alarms are the endpoint's, not the configuration's.
        let endpoint = parts.endpoint(&base, Output::new(model_names), &[]);
        let config = endpoint.planned_configuration(topics);
        let name = config.name();
        let document = config
            .to_json()
            .map_err(|e| ProviderError::Internal(format!("cannot write the plan: {e}")))?;
        Ok(EndpointConfigPlanResult {
            environment: choice.name,
            inference_type: environment.inference_type.as_str().to_owned(),
            endpoint_name: parts.endpoint_name(),
            endpoint_config_name: name,
            endpoint_config: document,
            complete,
        })
    }
}
