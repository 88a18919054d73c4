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
//! The parts are the seed's, each from the ones before: BaseInfra ->
//! AppConfig (new, or the existing ids the environment names) ->
//! SageMakerModel (reading its parameters from AppConfig) -> the endpoint
//! `inferenceType` names -> MonitorDashboard (with `enableMonitoring`) ->
//! Workflow (with `enableWorkflow`). `builtParts` lists them in that order.
//!
//! Alarms: the dashboard knows the endpoint by its name, which the
//! documents give, so it is registered first, right after BaseInfra; its
//! rollback alarms then exist before anything watches them. They guard
//! the endpoint's blue/green rollouts (all at once unless `rollout` says
//! otherwise; the endpoint then makes no alarm of its own) and are the
//! monitor of a new AppConfig environment through the dashboard's
//! composite "unhealthy" alarm (its `appConfigMonitorArns`: one of the 5
//! monitors AppConfig allows, and `OK` while the endpoint is idle, where
//! its metric alarms lack data and AppConfig would roll back on
//! `INSUFFICIENT_DATA`). An existing AppConfig environment is never
//! changed, so it keeps its own monitors; the dashboard shows its rollouts
//! (a new environment's ids come after the dashboard), and the workflow's
//! executions by the state machine's planned ARN.

use std::collections::BTreeMap;

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::app_config::{AppConfig, AppConfigOutputs};
use super::async_endpoint::{AsyncAutoscalingArgs, SageMakerAsyncEndpoint};
use super::base_infra::{BaseInfra, BaseInfraNames, BaseInfraOutputs, NamingScope};
use super::deployment_config::parts::{
    BaseOutputs, EndpointArgs, EnvironmentParts, TrainingLocations,
};
use super::deployment_config::{
    self, DeploymentOptions, Documents, EnvironmentChoice, EnvironmentSettings, WorkflowSettings,
    choose_environment, deployment_env_variable,
};
use super::inference_component_endpoint::SageMakerInferenceComponentEndpoint;
use super::monitor_dashboard::{AlarmThresholds, MonitorDashboard, MonitorDashboardOutputs};
use super::realtime_endpoint::{AutoscalingArgs, SageMakerEndpoint};
use super::sagemaker_model::{AppConfigAccess, SageMakerModel, SageMakerModelOutputs};
use super::serverless_endpoint::SageMakerServerlessEndpoint;
use super::workflow::{Workflow, planned_state_machine_arn};
use crate::Scope;
use crate::aws::{AwsClients, ProviderConfig};
use crate::resources::Tags;
use crate::resources::sagemaker::endpoint::RolloutPolicy;
use framework::{ChildOptions, Component, Failures, Output, ProviderError, Result};

/// The seed app for one environment from its two documents, exactly as the
/// seed writes them: BaseInfra (key, buckets, execution role), AppConfig
/// serving `modelParameters` (new, or the existing application, environment
/// and profile the environment names), the models reading it, the endpoint
/// the environment's `inferenceType` names (real-time by default, async
/// with `asyncConfig`, serverless with `serverlessConfig`, a model's own
/// `ServerlessConfig` winning, inference components with each model's
/// `InferenceComponent` and `componentsConfig`), with `enableMonitoring` a
/// dashboard whose
/// alarms roll back the endpoint's rollouts and AppConfig's deployments,
/// and with `enableWorkflow` the retraining workflow. The environment is
/// `environment`, else `DEPLOYMENT_ENV`, else the stack name. The documents
/// and the other inputs are checked at preview, every problem named by its
/// JSON path or input; the credentials must be for the environment's
/// `account`, and the children are made in its `region`. Inputs for a part
/// the environment does not have (e.g. `alarms` without
/// `enableMonitoring`) are ignored, so that one program can deploy every
/// environment.
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
    /// Real-time endpoints: target-tracking autoscaling of each variant
    /// (SageMakerEndpoint's `autoscaling`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<AutoscalingArgs>,
    /// Asynchronous endpoints: backlog-driven autoscaling of each variant,
    /// able to scale to zero (SageMakerAsyncEndpoint's `autoscaling`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub async_autoscaling: Option<AsyncAutoscalingArgs>,
    /// Real-time and asynchronous endpoints: the blue/green rollout of
    /// configuration changes. With `enableMonitoring` the default is all at
    /// once, and the rollout's alarms, unless it names its own, are the
    /// dashboard's rollback alarms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout: Option<RolloutPolicy>,
    /// Real-time endpoints: capture this percentage of requests and
    /// responses (0-100) under `s3://<asyncOutputBucketName>/data-capture/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_capture_sampling_percentage: Option<u32>,
    /// With `enableMonitoring`: the alarms' thresholds (MonitorDashboard's
    /// `alarms`), each with a default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarms: Option<AlarmThresholds>,
    /// With `enableMonitoring`: e-mail addresses subscribed to the alarm
    /// topic.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alarm_emails: Vec<String>,
    /// With `enableWorkflow` (required then): the retraining workflow's
    /// training job and evaluation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow: Option<WorkflowSettings>,
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
    /// The endpoint kind: `realtime`, `async`, `serverless` or `components`.
    pub inference_type: String,
    /// The parts built, in the seed's order (e.g. `BaseInfra`, `AppConfig`,
    /// `SageMakerModel`, `SageMakerEndpoint`, `MonitorDashboard`,
    /// `Workflow`).
    pub built_parts: Vec<String>,
    /// The endpoint name.
    pub endpoint_name: Output<String>,
    /// The endpoint ARN.
    pub endpoint_arn: Output<String>,
    /// The endpoint configuration the endpoint runs.
    pub endpoint_config_name: Output<String>,
    /// SageMaker model names, in `modelList` order.
    pub model_names: Output<Vec<String>>,
    /// Inference components: their names (`<endpointName>-<VariantName>`),
    /// in `modelList` order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inference_component_names: Option<Vec<String>>,
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
    /// Id of the AppConfig application serving `modelParameters`.
    pub app_config_application_id: Output<String>,
    /// Id of the AppConfig environment.
    pub app_config_environment_id: Output<String>,
    /// Id of the AppConfig configuration profile.
    pub app_config_profile_id: Output<String>,
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
    /// Monitoring: the dashboard's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dashboard_name: Option<Output<String>>,
    /// Monitoring: the dashboard in the CloudWatch console.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dashboard_url: Option<Output<String>>,
    /// Monitoring: the SNS topic the alarms notify.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alarm_topic_arn: Option<Output<String>>,
    /// Monitoring: the alarms' ARNs by purpose (MonitorDashboard's
    /// `alarmArns`: `serverErrors/<variant>`, `latencyP99/<variant>`, ...,
    /// `unhealthy`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alarm_arns: Option<BTreeMap<String, Output<String>>>,
    /// Monitoring: the alarms that roll the endpoint's rollouts back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollback_alarm_names: Option<Output<Vec<String>>>,
    /// Monitoring: the alarms that roll a new AppConfig environment's
    /// deployments back (its monitors; none for an existing environment).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_config_monitor_alarm_arns: Option<Vec<Output<String>>>,
    /// Workflow: ARN of the retraining state machine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_machine_arn: Option<Output<String>>,
    /// Workflow: the model package group trained versions are registered in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_package_group_name: Option<Output<String>>,
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

    /// The inputs besides the documents and the environment.
    pub fn options(&self) -> DeploymentOptions {
        DeploymentOptions {
            local_artifacts: self.local_artifacts.clone(),
            force_destroy: self.force_destroy,
            tags: self.tags.clone(),
            autoscaling: self.autoscaling.clone(),
            async_autoscaling: self.async_autoscaling.clone(),
            rollout: self.rollout.clone(),
            data_capture_sampling_percentage: self.data_capture_sampling_percentage,
            alarms: self.alarms.clone(),
            alarm_emails: self.alarm_emails.clone(),
            workflow: self.workflow.clone(),
        }
    }

    /// Every problem of the documents and the other inputs for `choice`.
    fn problems(&self, choice: &EnvironmentChoice) -> Failures {
        match self.documents() {
            Ok(documents) => Failures(deployment_config::validate(
                &documents,
                choice,
                &self.options(),
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
        let options = args.options();
        let parts = EnvironmentParts {
            documents: &documents,
            environment,
            options: &options,
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

/// The parts of one Deployment, built in the seed's order (the dashboard
/// first, see the module's docs).
struct DeploymentBuild<'a> {
    scope: &'a Scope,
    name: &'a str,
    parts: EnvironmentParts<'a>,
    choice: &'a EnvironmentChoice,
}

impl DeploymentBuild<'_> {
    async fn build(self) -> Result<DeploymentOutputs> {
        let environment = self.parts.environment;
        let base = self.base_infra().await?;
        let base_outputs = BaseOutputs {
            execution_role_arn: base.execution_role_arn.clone(),
            execution_role_name: base.execution_role_name.clone(),
            model_artifact_bucket_name: base.model_artifact_bucket_name.clone(),
            async_output_bucket_name: base.async_output_bucket_name.clone(),
            kms_key_arn: base.kms_key_arn.clone(),
            s3_key_prefix: base.s3_key_prefix.clone(),
        };
        let monitor = self.monitor_dashboard().await?;
        let guards: Vec<String> = monitor
            .as_ref()
            .and_then(|m| m.rollback_alarm_names.clone().into_value())
            .unwrap_or_default();
        let monitors = match &monitor {
            Some(monitor) if environment.create_new_app_config => {
                monitor.app_config_monitor_arns.clone()
            }
            _ => Vec::new(),
        };
        let app_config = self.app_config(monitors.clone()).await?;
        let access = AppConfigAccess {
            application_id: app_config.application_id.clone(),
            environment_id: app_config.environment_id.clone(),
            configuration_profile_id: app_config.configuration_profile_id.clone(),
            configuration_arn: app_config.configuration_arn.clone(),
        };
        let models = self.models(&base_outputs, access).await?;
        let mut outputs = DeploymentOutputs {
            environment: self.choice.name.clone(),
            account: environment.account.clone(),
            region: environment.region.clone(),
            inference_type: environment.inference_type.as_str().to_owned(),
            built_parts: vec![
                "BaseInfra".to_owned(),
                "AppConfig".to_owned(),
                "SageMakerModel".to_owned(),
            ],
            endpoint_name: Output::unknown(),
            endpoint_arn: Output::unknown(),
            endpoint_config_name: Output::unknown(),
            model_names: models.model_names.clone(),
            inference_component_names: None,
            model_arns: models.model_arns,
            model_artifact_bucket_name: base.model_artifact_bucket_name,
            async_output_bucket_name: base.async_output_bucket_name.clone(),
            kms_key_arn: base.kms_key_arn,
            execution_role_arn: base.execution_role_arn,
            app_config_application_id: app_config.application_id,
            app_config_environment_id: app_config.environment_id,
            app_config_profile_id: app_config.configuration_profile_id,
            async_output_s3_path: None,
            async_failure_s3_path: None,
            async_input_s3_path: None,
            success_topic_arn: None,
            error_topic_arn: None,
            request_ttl_seconds: None,
            dashboard_name: None,
            dashboard_url: None,
            alarm_topic_arn: None,
            alarm_arns: None,
            rollback_alarm_names: None,
            app_config_monitor_alarm_arns: None,
            state_machine_arn: None,
            model_package_group_name: None,
        };
        let endpoint_args = self
            .parts
            .endpoint(&base_outputs, models.model_names.clone(), &guards);
        self.endpoint(endpoint_args, &mut outputs).await?;

        if let Some(monitor) = monitor {
            outputs.built_parts.push("MonitorDashboard".into());
            outputs.dashboard_name = Some(monitor.dashboard_name);
            outputs.dashboard_url = Some(monitor.dashboard_url);
            outputs.alarm_topic_arn = Some(monitor.alarm_topic_arn);
            outputs.alarm_arns = Some(monitor.alarm_arns);
            outputs.rollback_alarm_names = Some(monitor.rollback_alarm_names);
            outputs.app_config_monitor_alarm_arns = Some(monitors);
        }

        let locations = self.training_locations().await?;
        if let Some(args) = self.parts.workflow(
            &base_outputs,
            &locations,
            outputs.endpoint_name.clone(),
            models.model_names,
        ) {
            let workflow = self
                .scope
                .component(
                    &Workflow,
                    &self.workflow_child(),
                    args,
                    ChildOptions::default(),
                )
                .await?;
            outputs.built_parts.push("Workflow".into());
            outputs.state_machine_arn = Some(workflow.state_machine_arn);
            outputs.model_package_group_name = Some(workflow.model_package_group_name);
        }
        Ok(outputs)
    }

    /// The endpoint component `args` names, its outputs into `outputs`.
    async fn endpoint(&self, args: EndpointArgs, outputs: &mut DeploymentOutputs) -> Result<()> {
        let endpoint_name = format!("{}-endpoint", self.name);
        let scope = self.scope;
        match args {
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
                    outputs
                        .async_output_bucket_name
                        .clone()
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
            EndpointArgs::Components(args) => {
                let built = scope
                    .component(
                        &SageMakerInferenceComponentEndpoint,
                        &endpoint_name,
                        args,
                        ChildOptions::default(),
                    )
                    .await?;
                outputs
                    .built_parts
                    .push("SageMakerInferenceComponentEndpoint".into());
                outputs.endpoint_name = built.endpoint_name;
                outputs.endpoint_arn = built.endpoint_arn;
                outputs.endpoint_config_name = built.endpoint_config_name;
                outputs.inference_component_names = Some(built.inference_component_names);
            }
        }
        Ok(())
    }

    fn base_infra_name(&self) -> String {
        format!("{}-base", self.name)
    }

    async fn base_infra(&self) -> Result<BaseInfraOutputs> {
        self.scope
            .component(
                &BaseInfra,
                &self.base_infra_name(),
                self.parts.base_infra(),
                ChildOptions::default(),
            )
            .await
    }

    /// The workflow's default S3 locations, in BaseInfra's buckets, named
    /// as BaseInfra names them (known before the buckets are).
    async fn training_locations(&self) -> Result<TrainingLocations> {
        let clients = self.scope.clients()?;
        let account = clients.account_id().await?;
        let component = self.base_infra_name();
        let names = BaseInfraNames::new(
            NamingScope {
                account: &account,
                region: &clients.region,
                program: &self.scope.project,
                stack: &self.scope.stack,
                component: &component,
            },
            &self.parts.base_infra(),
        );
        Ok(TrainingLocations::new(
            &names.artifact_bucket,
            &names.output_bucket,
            &self
                .parts
                .documents
                .deployment
                .model_artifacts
                .s3_key_prefix,
        ))
    }

    /// The name of the Workflow child.
    fn workflow_child(&self) -> String {
        format!("{}-workflow", self.name)
    }

    async fn monitor_dashboard(&self) -> Result<Option<MonitorDashboardOutputs>> {
        let state_machine_arn = self.parts.workflow_base_name().map(|base| {
            Output::new(planned_state_machine_arn(
                self.scope,
                &self.parts.environment.account,
                &self.parts.environment.region,
                &self.workflow_child(),
                &base,
            ))
        });
        match self.parts.monitor_dashboard(state_machine_arn) {
            None => Ok(None),
            Some(args) => self
                .scope
                .component(
                    &MonitorDashboard,
                    &format!("{}-monitor", self.name),
                    args,
                    ChildOptions::default(),
                )
                .await
                .map(Some),
        }
    }

    async fn app_config(&self, monitors: Vec<Output<String>>) -> Result<AppConfigOutputs> {
        self.scope
            .component(
                &AppConfig,
                &format!("{}-appconfig", self.name),
                self.parts.app_config(monitors),
                ChildOptions::default(),
            )
            .await
    }

    async fn models(
        &self,
        base: &BaseOutputs,
        access: AppConfigAccess,
    ) -> Result<SageMakerModelOutputs> {
        self.scope
            .component(
                &SageMakerModel,
                &format!("{}-models", self.name),
                self.parts.models(base, Some(access)),
                ChildOptions::default(),
            )
            .await
    }
}
