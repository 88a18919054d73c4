//! The arguments of the components an environment of the two documents
//! becomes, in the seed's order: BaseInfra, AppConfig, SageMakerModel, the
//! endpoint its `inferenceType` names, MonitorDashboard (with
//! `enableMonitoring`) and Workflow (with `enableWorkflow`). The Deployment
//! builds them with its children's outputs; the checks build them with
//! values not known yet, so that both see the same arguments and the same
//! rules.

use serde_json::Value;

use super::options::DeploymentOptions;
use super::{Documents, EnvironmentSettings, InferenceType};
use crate::components::app_config::AppConfigArgs;
use crate::components::async_endpoint::SageMakerAsyncEndpointArgs;
use crate::components::base_infra::BaseInfraArgs;
use crate::components::endpoint_builder::{EndpointPlan, planned_configuration};
use crate::components::inference_component_endpoint::SageMakerInferenceComponentEndpointArgs;
use crate::components::monitor_dashboard::{self, MonitorDashboardArgs};
use crate::components::realtime_endpoint::SageMakerEndpointArgs;
use crate::components::sagemaker_model::{AppConfigAccess, SageMakerModelArgs};
use crate::components::serverless_endpoint::SageMakerServerlessEndpointArgs;
use crate::components::workflow::WorkflowArgs;
use crate::naming::sanitize;
use crate::resources::sagemaker::endpoint::RolloutPolicy;
use crate::resources::sagemaker::endpoint_config::EndpointConfigInputs;
use crate::resources::sagemaker::ic_endpoint_config::InferenceComponentEndpointConfigInputs;
use crate::resources::sagemaker::inference_component::RollingUpdate;
use crate::resources::sagemaker::variant_rules::EndpointKind;
use framework::Output;

/// One environment of the documents, with what the deployment adds.
#[derive(Clone, Copy)]
pub struct EnvironmentParts<'a> {
    pub documents: &'a Documents,
    pub environment: &'a EnvironmentSettings,
    /// The Deployment's other inputs.
    pub options: &'a DeploymentOptions,
}

/// What the parts of a deployment are made from once BaseInfra exists.
#[derive(Clone)]
pub struct BaseOutputs {
    pub execution_role_arn: Output<String>,
    pub execution_role_name: Output<String>,
    pub model_artifact_bucket_name: Output<String>,
    pub async_output_bucket_name: Output<String>,
    pub kms_key_arn: Output<String>,
    pub s3_key_prefix: Output<String>,
}

impl BaseOutputs {
    /// Every output not known yet, except the key prefix, which the
    /// document gives.
    pub fn unknown(prefix: &str) -> Self {
        BaseOutputs {
            execution_role_arn: Output::unknown(),
            execution_role_name: Output::unknown(),
            model_artifact_bucket_name: Output::unknown(),
            async_output_bucket_name: Output::unknown(),
            kms_key_arn: Output::unknown(),
            s3_key_prefix: Output::new(prefix.to_owned()),
        }
    }
}

/// The endpoint component an environment's `inferenceType` names, with
/// its arguments.
#[derive(Debug, Clone)]
pub enum EndpointArgs {
    Realtime(SageMakerEndpointArgs),
    Async(SageMakerAsyncEndpointArgs),
    Serverless(SageMakerServerlessEndpointArgs),
    Components(SageMakerInferenceComponentEndpointArgs),
}

/// The endpoint configuration an environment's endpoint runs, as the
/// endpoint component registers it.
#[derive(Debug, Clone, PartialEq)]
pub enum PlannedConfiguration {
    /// A configuration of variants running models (real-time, async,
    /// serverless).
    Variants(Box<EndpointConfigInputs>),
    /// A configuration for inference components: instances, no model.
    Components(Box<InferenceComponentEndpointConfigInputs>),
}

impl PlannedConfiguration {
    /// The configuration's name.
    pub fn name(&self) -> String {
        match self {
            PlannedConfiguration::Variants(config) => {
                config.endpoint_config_name.clone().unwrap_or_default()
            }
            PlannedConfiguration::Components(config) => config
                .endpoint_config_name
                .clone()
                .unwrap_or_else(|| config.derived_name()),
        }
    }

    /// The configuration as a JSON document (the resource's inputs).
    pub fn to_json(&self) -> serde_json::Result<Value> {
        match self {
            PlannedConfiguration::Variants(config) => serde_json::to_value(config),
            PlannedConfiguration::Components(config) => serde_json::to_value(config),
        }
    }
}

/// Where the workflow's training job reads and writes, when its settings
/// do not say: S3 URIs in the Deployment's buckets.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingLocations {
    /// `s3://<modelArtifactBucketName>/<s3KeyPrefix>training-data/`.
    pub input: String,
    /// `s3://<asyncOutputBucketName>/training/`.
    pub output: String,
}

impl TrainingLocations {
    /// The locations in the buckets named `artifacts` and `outputs`.
    pub fn new(artifacts: &str, outputs: &str, prefix: &str) -> Self {
        TrainingLocations {
            input: format!("s3://{artifacts}/{prefix}training-data/"),
            output: format!("s3://{outputs}/training/"),
        }
    }
}

/// Longest `workflowName` (Workflow's rule).
const WORKFLOW_NAME_MAX: usize = crate::naming::WORKFLOW_PREFIX_MAX;

impl EnvironmentParts<'_> {
    /// BaseInfra's arguments: the project, the stage and the artifacts.
    pub fn base_infra(&self) -> BaseInfraArgs {
        BaseInfraArgs {
            project_name: self.documents.deployment.project.name.clone(),
            stage: self.environment.stage.clone(),
            model_artifacts: self.documents.deployment.model_artifacts.clone(),
            force_destroy: self.options.force_destroy,
            kms_key_deletion_window_in_days: None,
            tags: self.options.tags.clone(),
        }
    }

    /// AppConfig's arguments: the model document's `modelParameters` in a
    /// new application (`<project>-<appConfigSuffix>`) or the existing one
    /// the environment names, rolled back by `rollback_alarm_arns`.
    pub fn app_config(&self, rollback_alarm_arns: Vec<Output<String>>) -> AppConfigArgs {
        let environment = self.environment;
        AppConfigArgs {
            project_name: self.documents.deployment.project.name.clone(),
            app_config_suffix: environment
                .app_config_suffix
                .clone()
                .unwrap_or_else(|| environment.stage.clone()),
            stage: environment.stage.clone(),
            model_parameters: Value::Object(
                self.documents
                    .model
                    .model_parameters
                    .clone()
                    .unwrap_or_default(),
            ),
            parameters_schema: None,
            create_new_app_config: environment.create_new_app_config,
            existing_app_config_app_id: environment.existing_app_config_app_id.clone(),
            existing_app_config_env_id: environment.existing_app_config_env_id.clone(),
            existing_app_config_profile_id: environment.existing_app_config_profile_id.clone(),
            deployment_strategy: None,
            custom_deployment_strategy: None,
            rollback_alarm_arns,
            tags: self.options.tags.clone(),
        }
    }

    /// SageMakerModel's arguments: the model list, in BaseInfra's bucket,
    /// run by its role, reading its parameters from `app_config`.
    pub fn models(
        &self,
        base: &BaseOutputs,
        app_config: Option<AppConfigAccess>,
    ) -> SageMakerModelArgs {
        SageMakerModelArgs {
            model_list: self.documents.model.model_list.clone(),
            execution_role_arn: base.execution_role_arn.clone(),
            model_artifact_bucket_name: base.model_artifact_bucket_name.clone(),
            local_artifacts: self.options.local_artifacts.clone(),
            s3_key_prefix: Some(base.s3_key_prefix.clone()),
            app_config,
            vpc_config: None,
            enable_network_isolation: false,
            tags: self.options.tags.clone(),
        }
    }

    /// The endpoint's name: the document's `sageMakerEndpointName` and the
    /// stage, so that the environments of one account never share one.
    pub fn endpoint_name(&self) -> String {
        format!(
            "{}-{}",
            self.documents.model.sage_maker_endpoint_name, self.environment.stage
        )
    }

    /// MonitorDashboard's arguments, when the environment has
    /// `enableMonitoring`: the endpoint by its name (known before the
    /// endpoint exists), its kind and variants, the thresholds and e-mails;
    /// the workflow's executions by its state machine's planned ARN; an
    /// existing AppConfig environment's rollouts by the document's ids (a
    /// new one is made after the dashboard, whose alarms it watches, so its
    /// ids come too late).
    pub fn monitor_dashboard(
        &self,
        state_machine_arn: Option<Output<String>>,
    ) -> Option<MonitorDashboardArgs> {
        if !self.environment.enable_monitoring {
            return None;
        }
        let existing_app_config = !self.environment.create_new_app_config;
        Some(MonitorDashboardArgs {
            endpoint_name: self.endpoint_name(),
            inference_type: match self.environment.inference_type {
                InferenceType::Realtime => monitor_dashboard::InferenceType::Realtime,
                InferenceType::Async => monitor_dashboard::InferenceType::Async,
                InferenceType::Serverless => monitor_dashboard::InferenceType::Serverless,
                InferenceType::Components => monitor_dashboard::InferenceType::Components,
            },
            model_list: self.documents.model.model_list.clone(),
            dashboard_name: None,
            alarms: self.options.alarms.clone().unwrap_or_default(),
            alarm_emails: self.options.alarm_emails.clone(),
            async_notifications: true,
            tags: self.options.tags.clone(),
            app_config_application_id: self
                .environment
                .existing_app_config_app_id
                .clone()
                .filter(|_| existing_app_config)
                .map(Output::new),
            app_config_environment_id: self
                .environment
                .existing_app_config_env_id
                .clone()
                .filter(|_| existing_app_config)
                .map(Output::new),
            app_config_rollback_alarm_arns: Vec::new(),
            state_machine_arn,
        })
    }

    /// The `workflowName` of the environment's Workflow, when it has one.
    pub fn workflow_base_name(&self) -> Option<String> {
        if !self.environment.enable_workflow {
            return None;
        }
        let settings = self.options.workflow.as_ref()?;
        Some(
            settings
                .workflow_name
                .clone()
                .unwrap_or_else(|| self.workflow_name()),
        )
    }

    /// The rollout of the endpoint: the one given, else, when alarms guard
    /// it, an all-at-once blue/green deployment; alarms the rollout does
    /// not name are `guards` (the dashboard's rollback alarms).
    fn rollout(&self, guards: &[String]) -> Option<RolloutPolicy> {
        let rollout = self
            .options
            .rollout
            .clone()
            .or_else(|| (!guards.is_empty()).then(default_rollout))?;
        if rollout.rollback_alarm_names.is_empty() {
            Some(RolloutPolicy {
                rollback_alarm_names: guards.to_vec(),
                ..rollout
            })
        } else {
            Some(rollout)
        }
    }

    /// The endpoint component's arguments, serving `model_names`, its
    /// rollouts guarded by the alarms named `guards` (none without
    /// monitoring; the endpoint then makes its own when given a rollout).
    pub fn endpoint(
        &self,
        base: &BaseOutputs,
        model_names: Output<Vec<String>>,
        guards: &[String],
    ) -> EndpointArgs {
        let endpoint_name = self.endpoint_name();
        let model_list = self.documents.model.model_list.clone();
        let tags = self.options.tags.clone();
        let options = self.options;
        match self.environment.inference_type {
            InferenceType::Realtime => EndpointArgs::Realtime(SageMakerEndpointArgs {
                endpoint_name,
                model_list,
                model_names,
                kms_key_arn: Some(base.kms_key_arn.clone()),
                // Captured into the output bucket, which the execution
                // role may write.
                data_capture_bucket_name: options
                    .data_capture_sampling_percentage
                    .map(|_| base.async_output_bucket_name.clone()),
                data_capture_sampling_percentage: options.data_capture_sampling_percentage,
                autoscaling: options.autoscaling.clone(),
                rollout: self.rollout(guards),
                execution_role_name: Some(base.execution_role_name.clone()),
                tags,
            }),
            InferenceType::Async => EndpointArgs::Async(SageMakerAsyncEndpointArgs {
                endpoint_name,
                model_list,
                model_names,
                output_bucket_name: base.async_output_bucket_name.clone(),
                kms_key_arn: Some(base.kms_key_arn.clone()),
                async_config: self.environment.async_config.clone(),
                notifications: true,
                execution_role_name: Some(base.execution_role_name.clone()),
                autoscaling: options.async_autoscaling.clone(),
                rollout: self.rollout(guards),
                tags,
            }),
            InferenceType::Serverless => {
                EndpointArgs::Serverless(SageMakerServerlessEndpointArgs {
                    endpoint_name,
                    model_list,
                    model_names,
                    serverless_config: self.environment.serverless_config.clone(),
                    tags,
                })
            }
            InferenceType::Components => {
                let settings = self
                    .environment
                    .components_config
                    .clone()
                    .unwrap_or_default();
                EndpointArgs::Components(SageMakerInferenceComponentEndpointArgs {
                    endpoint_name,
                    model_list,
                    model_names,
                    execution_role_arn: base.execution_role_arn.clone(),
                    instance_type: settings.instance_type,
                    initial_instance_count: settings.initial_instance_count.unwrap_or(1),
                    min_instance_count: settings.min_instance_count.unwrap_or(0),
                    max_instance_count: settings.max_instance_count.unwrap_or(1),
                    routing_strategy: settings.routing_strategy,
                    rolling_update: settings
                        .rolling_update
                        .map(|update| guarded_update(update, guards)),
                    kms_key_arn: Some(base.kms_key_arn.clone()),
                    tags,
                })
            }
        }
    }

    /// The default `workflowName`: the project name, shortened to leave
    /// room for the stage.
    pub fn workflow_name(&self) -> String {
        let stage = sanitize(&self.environment.stage.to_lowercase(), WORKFLOW_NAME_MAX);
        let room = WORKFLOW_NAME_MAX.saturating_sub(stage.len() + 1);
        let project = sanitize(&self.documents.deployment.project.name.to_lowercase(), 64);
        let project = project[..project.len().min(room)].trim_end_matches('-');
        if project.is_empty() {
            stage
        } else {
            format!("{project}-{stage}")
        }
    }

    /// Workflow's arguments, when the environment has `enableWorkflow` and
    /// the workflow's settings are given: it retrains with the execution
    /// role, judges by `modelParameters.inference.thresholds` unless told
    /// otherwise, and rolls approved versions out to `endpoint_name`.
    pub fn workflow(
        &self,
        base: &BaseOutputs,
        locations: &TrainingLocations,
        endpoint_name: Output<String>,
        model_names: Output<Vec<String>>,
    ) -> Option<WorkflowArgs> {
        if !self.environment.enable_workflow {
            return None;
        }
        let settings = self.options.workflow.as_ref()?;
        let serverless = self.environment.inference_type == InferenceType::Serverless;
        let auto_deploy = settings.auto_deploy;
        Some(WorkflowArgs {
            workflow_name: self.workflow_base_name()?,
            execution_role_arn: base.execution_role_arn.clone(),
            training: settings
                .training
                .training_args(&locations.input, &locations.output),
            evaluation: settings.evaluation.clone(),
            // The part the workflow reads (its thresholds); the rest of the
            // document is AppConfig's.
            model_parameters: self
                .documents
                .model
                .model_parameters
                .clone()
                .and_then(|parameters| serde_json::from_value(Value::Object(parameters)).ok()),
            model_package_group_name: settings.model_package_group_name.clone(),
            auto_deploy,
            endpoint_name: auto_deploy.then_some(endpoint_name),
            model_list: if auto_deploy {
                self.documents.model.model_list.clone()
            } else {
                Vec::new()
            },
            model_names: auto_deploy.then_some(model_names),
            variant_name: settings.variant_name.clone(),
            inference_type: self.environment.inference_type.as_str().to_owned(),
            serverless_config: self.environment.serverless_config.clone(),
            kms_key_arn: (!serverless).then(|| base.kms_key_arn.clone()),
            poll_seconds: settings.poll_seconds.unwrap_or(30),
            schedule_expression: settings.schedule_expression.clone(),
            log_retention_in_days: settings.log_retention_in_days.unwrap_or(30),
            tags: self.options.tags.clone(),
        })
    }
}

/// A rolling update rolled back by `guards` (the dashboard's rollback
/// alarms) unless it names alarms of its own.
fn guarded_update(update: RollingUpdate, guards: &[String]) -> RollingUpdate {
    if update.rollback_alarms.is_empty() {
        RollingUpdate {
            rollback_alarms: guards.to_vec(),
            ..update
        }
    } else {
        update
    }
}

/// RolloutPolicy's own defaults, all at once.
fn default_rollout() -> RolloutPolicy {
    serde_json::from_value(serde_json::json!({ "trafficShift": "ALL_AT_ONCE" }))
        .expect("an all-at-once rollout needs nothing else")
}

impl EndpointArgs {
    /// The endpoint kind of SageMaker's variant rules.
    pub fn kind(&self) -> EndpointKind {
        match self {
            EndpointArgs::Realtime(_) | EndpointArgs::Components(_) => EndpointKind::RealTime,
            EndpointArgs::Async(_) => EndpointKind::Async,
            EndpointArgs::Serverless(_) => EndpointKind::Serverless,
        }
    }

    /// The endpoint configuration the endpoint component registers for
    /// these arguments (an async endpoint's notified through `topics`,
    /// success and error ARNs), with its content-hashed name.
    pub fn planned_configuration(
        &self,
        topics: Option<(Output<String>, Output<String>)>,
    ) -> PlannedConfiguration {
        let plan = |endpoint_name, models, model_names: &Output<Vec<String>>, serverless, tags| {
            EndpointPlan {
                component: "plan",
                endpoint_name,
                kind: self.kind(),
                models,
                serverless,
                model_names: model_names.clone(),
                tags,
            }
        };
        let mut config = match self {
            EndpointArgs::Realtime(args) => planned_configuration(
                &plan(
                    &args.endpoint_name,
                    &args.model_list,
                    &args.model_names,
                    None,
                    &args.tags,
                ),
                args.kms_key_arn.clone(),
                args.data_capture(),
                None,
            ),
            EndpointArgs::Async(args) => planned_configuration(
                &plan(
                    &args.endpoint_name,
                    &args.model_list,
                    &args.model_names,
                    None,
                    &args.tags,
                ),
                args.kms_key_arn.clone(),
                None,
                Some(args.async_inference_notifying(topics.filter(|_| args.notifications))),
            ),
            EndpointArgs::Serverless(args) => planned_configuration(
                &plan(
                    &args.endpoint_name,
                    &args.model_list,
                    &args.model_names,
                    args.serverless_config.as_ref(),
                    &args.tags,
                ),
                None,
                None,
                None,
            ),
            EndpointArgs::Components(args) => {
                let mut config = args.config_inputs();
                config.endpoint_config_name = Some(config.derived_name());
                return PlannedConfiguration::Components(Box::new(config));
            }
        };
        config.endpoint_config_name = Some(config.derived_name());
        PlannedConfiguration::Variants(Box::new(config))
    }
}
