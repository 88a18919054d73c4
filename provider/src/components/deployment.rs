//! `sagemaker-deployment:index:Deployment`: the whole seed app from its two
//! configuration documents, for one environment.
//!
//! The environment is the `environment` input, else `DEPLOYMENT_ENV`, else
//! the stack name. Before any AWS call, at preview as at `up`, the documents
//! are checked ([`deployment_config::validate`], the same checks as the
//! `validateConfig` function); then the credentials' account (STS
//! GetCallerIdentity) must be the environment's `account`.
//!
//! Region: the children are managed by an explicit provider of this package
//! for the environment's `region` (a child of the Deployment, configured as
//! the default provider is, region aside), so they land in that region
//! whatever the default provider's region is.
//!
//! The parts are built in the seed's order, each from the one before:
//! BaseInfra -> SageMakerModel -> the endpoint `inferenceType` names. The
//! seed's AppConfig (between BaseInfra and the models), MonitorDashboard
//! (after the endpoint, when `enableMonitoring`) and Workflow (after it,
//! when `enableWorkflow`) are separate components; each plugs in as one
//! more step of [`DeploymentBuild`] with its arguments from
//! [`deployment_config::parts`], its outputs added to [`DeploymentOutputs`].
//! Until they are part of it, `builtParts` lists what a Deployment made.

use std::collections::BTreeMap;

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::async_endpoint::SageMakerAsyncEndpoint;
use super::base_infra::{BaseInfra, BaseInfraOutputs};
use super::deployment_config::parts::{BaseOutputs, EndpointArgs, EnvironmentParts};
use super::deployment_config::{
    self, Documents, EnvironmentChoice, EnvironmentSettings, choose_environment,
    deployment_env_variable,
};
use super::realtime_endpoint::SageMakerEndpoint;
use super::sagemaker_model::{SageMakerModel, SageMakerModelOutputs};
use super::serverless_endpoint::SageMakerServerlessEndpoint;
use crate::Scope;
use crate::aws::{AwsClients, ProviderConfig};
use crate::resources::Tags;
use framework::{ChildOptions, Component, Failures, Output, ProviderError, Result};

/// The seed app for one environment from its two documents, exactly as the
/// seed writes them: BaseInfra (key, buckets, execution role), the models,
/// and the endpoint the environment's `inferenceType` names (real-time by
/// default, async with `asyncConfig`, serverless with `serverlessConfig`, a
/// model's own `ServerlessConfig` winning). The environment is
/// `environment`, else `DEPLOYMENT_ENV`, else the stack name. The documents
/// are checked at preview, every problem named by its JSON path; the
/// credentials must be for the environment's `account`, and the children are
/// made in its `region`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentArgs {
    /// The seed's `deployment-config.json`, as an object.
    pub deployment_config: serde_json::Value,
    /// The seed's `model-config.json`, as an object.
    pub model_config: serde_json::Value,
    /// The environment of `deploymentConfig` to deploy, e.g. `dev`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// Local artifacts to upload, by `ModelName`: a file, or a directory
    /// packed as a gzipped tar, relative to the program's directory.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub local_artifacts: BTreeMap<String, String>,
    /// Delete the buckets and their objects on destroy (the model-artifact
    /// bucket is kept otherwise).
    #[serde(default)]
    pub force_destroy: bool,
    /// Tags on every AWS object.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// What a Deployment made, and what a user needs next.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentOutputs {
    /// The environment deployed.
    pub environment: String,
    /// The AWS account deployed to.
    pub account: String,
    /// The AWS region deployed to.
    pub region: String,
    /// The endpoint kind: `realtime`, `async` or `serverless`.
    pub inference_type: String,
    /// The parts built, in order (e.g. `BaseInfra`, `SageMakerModel`,
    /// `SageMakerAsyncEndpoint`).
    pub built_parts: Vec<String>,
    /// The endpoint name.
    pub endpoint_name: Output<String>,
    /// The endpoint ARN.
    pub endpoint_arn: Output<String>,
    /// The endpoint configuration the endpoint runs.
    pub endpoint_config_name: Output<String>,
    /// SageMaker model names, in `modelList` order.
    pub model_names: Output<Vec<String>>,
    /// SageMaker model ARNs, in `modelList` order.
    pub model_arns: Output<Vec<String>>,
    /// The model-artifact bucket.
    pub model_artifact_bucket_name: Output<String>,
    /// The async-inference output bucket.
    pub async_output_bucket_name: Output<String>,
    /// The KMS key ARN.
    pub kms_key_arn: Output<String>,
    /// The SageMaker execution role ARN.
    pub execution_role_arn: Output<String>,
    /// Async: where results are written (`OutputLocation` of
    /// InvokeEndpointAsync falls under it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub async_output_s3_path: Option<Output<String>>,
    /// Async: where failures are written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub async_failure_s3_path: Option<Output<String>>,
    /// Async: where to put request inputs (`InputLocation`), in the output
    /// bucket, which the execution role may read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub async_input_s3_path: Option<Output<String>>,
    /// Async: the SNS topic of successes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success_topic_arn: Option<Output<String>>,
    /// Async: the SNS topic of errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_topic_arn: Option<Output<String>>,
    /// Async: the seed's `expiresInSeconds`, to pass as `RequestTTLSeconds`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_ttl_seconds: Option<u32>,
}

/// The Deployment component.
pub struct Deployment;

/// Why a Deployment refuses to start.
#[derive(Debug, thiserror::Error)]
pub enum DeploymentError {
    #[error("the deployment documents have problems:\n{0}")]
    Invalid(String),
    #[error(
        "environment `{environment}` of deploymentConfig is for account {expected}, but the \
         credentials are for account {actual} (STS GetCallerIdentity): use credentials for \
         {expected}, or deploy another environment"
    )]
    WrongAccount {
        environment: String,
        expected: String,
        actual: String,
    },
}

impl From<DeploymentError> for ProviderError {
    fn from(error: DeploymentError) -> Self {
        ProviderError::InvalidInputs(error.to_string())
    }
}

impl DeploymentArgs {
    fn documents(&self) -> std::result::Result<Documents, Failures> {
        Documents::parse(&self.deployment_config, &self.model_config).map_err(Failures)
    }

    fn choice(&self, stack: Option<&str>) -> Option<EnvironmentChoice> {
        choose_environment(
            self.environment.as_deref(),
            deployment_env_variable().as_deref(),
            stack,
        )
    }

    /// Every problem of the documents for `choice`.
    fn problems(&self, choice: &EnvironmentChoice) -> Failures {
        match self.documents() {
            Ok(documents) => Failures(deployment_config::validate(
                &documents,
                choice,
                &self.local_artifacts,
            )),
            Err(problems) => problems,
        }
    }
}

#[async_trait]
impl Component for Deployment {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:index:Deployment";

    type Inputs = DeploymentArgs;
    type Outputs = DeploymentOutputs;

    /// The documents, and the environment when the inputs or DEPLOYMENT_ENV
    /// name it (the stack name is known only at construction).
    fn check(&self, args: &DeploymentArgs) -> Failures {
        match args.choice(None) {
            Some(choice) => args.problems(&choice),
            None => args.documents().err().unwrap_or_default(),
        }
    }

    async fn construct(
        &self,
        scope: &Scope,
        name: &str,
        args: DeploymentArgs,
    ) -> Result<DeploymentOutputs> {
        let choice = args
            .choice(Some(&scope.stack))
            .ok_or_else(|| DeploymentError::Invalid("environment: no environment given".into()))?;
        let problems = args.problems(&choice);
        if !problems.is_empty() {
            return Err(DeploymentError::Invalid(problems.summary()).into());
        }
        let documents = args
            .documents()
            .map_err(|problems| DeploymentError::Invalid(problems.summary()))?;
        let environment = documents
            .environment(&choice)
            .map_err(|problem| DeploymentError::Invalid(problem.to_string()))?;
        check_account(scope.clients()?, &choice.name, environment).await?;
        let regional = in_region(scope, name, &environment.region).await?;
        let parts = EnvironmentParts {
            documents: &documents,
            environment,
            local_artifacts: &args.local_artifacts,
            force_destroy: args.force_destroy,
            tags: &args.tags,
        };
        DeploymentBuild {
            scope: &regional,
            name,
            parts,
            choice: &choice,
        }
        .build()
        .await
    }
}

/// The account of the credentials must be the environment's.
async fn check_account(
    clients: &AwsClients,
    environment: &str,
    settings: &EnvironmentSettings,
) -> Result<()> {
    let actual = clients.account_id().await?;
    if actual != settings.account {
        return Err(DeploymentError::WrongAccount {
            environment: environment.to_owned(),
            expected: settings.account.clone(),
            actual,
        }
        .into());
    }
    Ok(())
}

/// A scope whose children live in `region`: an explicit provider
/// configured as the default one, region aside.
async fn in_region(scope: &Scope, name: &str, region: &str) -> Result<Scope> {
    let config = ProviderConfig {
        region: Some(region.to_owned()),
        ..scope.clients()?.settings.clone()
    };
    let clients = AwsClients::build(&config).await;
    scope
        .with_provider(&format!("{name}-{region}"), &config, clients)
        .await
}

/// The parts of one Deployment, built in the seed's order.
struct DeploymentBuild<'a> {
    scope: &'a Scope,
    name: &'a str,
    parts: EnvironmentParts<'a>,
    choice: &'a EnvironmentChoice,
}

impl DeploymentBuild<'_> {
    async fn build(self) -> Result<DeploymentOutputs> {
        let base = self.base_infra().await?;
        let base_outputs = BaseOutputs {
            execution_role_arn: base.execution_role_arn.clone(),
            execution_role_name: base.execution_role_name.clone(),
            model_artifact_bucket_name: base.model_artifact_bucket_name.clone(),
            async_output_bucket_name: base.async_output_bucket_name.clone(),
            kms_key_arn: base.kms_key_arn.clone(),
            s3_key_prefix: base.s3_key_prefix.clone(),
        };
        let models = self.models(&base_outputs).await?;
        let endpoint_args = self
            .parts
            .endpoint(&base_outputs, models.model_names.clone());
        let mut outputs = DeploymentOutputs {
            environment: self.choice.name.clone(),
            account: self.parts.environment.account.clone(),
            region: self.parts.environment.region.clone(),
            inference_type: self.parts.environment.inference_type.as_str().to_owned(),
            built_parts: vec!["BaseInfra".to_owned(), "SageMakerModel".to_owned()],
            endpoint_name: Output::unknown(),
            endpoint_arn: Output::unknown(),
            endpoint_config_name: Output::unknown(),
            model_names: models.model_names,
            model_arns: models.model_arns,
            model_artifact_bucket_name: base.model_artifact_bucket_name,
            async_output_bucket_name: base.async_output_bucket_name.clone(),
            kms_key_arn: base.kms_key_arn,
            execution_role_arn: base.execution_role_arn,
            async_output_s3_path: None,
            async_failure_s3_path: None,
            async_input_s3_path: None,
            success_topic_arn: None,
            error_topic_arn: None,
            request_ttl_seconds: None,
        };
        let endpoint_name = format!("{}-endpoint", self.name);
        let scope = self.scope;
        match endpoint_args {
            EndpointArgs::Realtime(args) => {
                let built = scope
                    .component(
                        &SageMakerEndpoint,
                        &endpoint_name,
                        args,
                        ChildOptions::default(),
                    )
                    .await?;
                outputs.built_parts.push("SageMakerEndpoint".into());
                outputs.endpoint_name = built.endpoint_name;
                outputs.endpoint_arn = built.endpoint_arn;
                outputs.endpoint_config_name = built.endpoint_config_name;
            }
            EndpointArgs::Async(args) => {
                let endpoint = args.endpoint_name.clone();
                let built = scope
                    .component(
                        &SageMakerAsyncEndpoint,
                        &endpoint_name,
                        args,
                        ChildOptions::default(),
                    )
                    .await?;
                outputs.built_parts.push("SageMakerAsyncEndpoint".into());
                outputs.endpoint_name = built.endpoint_name;
                outputs.endpoint_arn = built.endpoint_arn;
                outputs.endpoint_config_name = built.endpoint_config_name;
                outputs.async_output_s3_path = Some(built.output_s3_path);
                outputs.async_failure_s3_path = Some(built.failure_s3_path);
                outputs.async_input_s3_path = Some(
                    base.async_output_bucket_name
                        .map(move |bucket| format!("s3://{bucket}/async-input/{endpoint}/")),
                );
                outputs.success_topic_arn = built.success_topic_arn;
                outputs.error_topic_arn = built.error_topic_arn;
                outputs.request_ttl_seconds = built.request_ttl_seconds;
            }
            EndpointArgs::Serverless(args) => {
                let built = scope
                    .component(
                        &SageMakerServerlessEndpoint,
                        &endpoint_name,
                        args,
                        ChildOptions::default(),
                    )
                    .await?;
                outputs
                    .built_parts
                    .push("SageMakerServerlessEndpoint".into());
                outputs.endpoint_name = built.endpoint_name;
                outputs.endpoint_arn = built.endpoint_arn;
                outputs.endpoint_config_name = built.endpoint_config_name;
            }
        }
        Ok(outputs)
    }

    async fn base_infra(&self) -> Result<BaseInfraOutputs> {
        self.scope
            .component(
                &BaseInfra,
                &format!("{}-base", self.name),
                self.parts.base_infra(),
                ChildOptions::default(),
            )
            .await
    }

    async fn models(&self, base: &BaseOutputs) -> Result<SageMakerModelOutputs> {
        self.scope
            .component(
                &SageMakerModel,
                &format!("{}-models", self.name),
                self.parts.models(base),
                ChildOptions::default(),
            )
            .await
    }
}
