//! The arguments of the components an environment of the two documents
//! becomes: BaseInfra, SageMakerModel and the endpoint its `inferenceType`
//! names. The Deployment builds them with its children's outputs; the
//! checks build them with values not known yet, so that both see the same
//! arguments and the same rules.

use std::collections::BTreeMap;

use super::{Documents, EnvironmentSettings, InferenceType};
use crate::components::async_endpoint::SageMakerAsyncEndpointArgs;
use crate::components::base_infra::BaseInfraArgs;
use crate::components::endpoint_builder::{EndpointPlan, planned_configuration};
use crate::components::realtime_endpoint::SageMakerEndpointArgs;
use crate::components::sagemaker_model::SageMakerModelArgs;
use crate::components::serverless_endpoint::SageMakerServerlessEndpointArgs;
use crate::resources::Tags;
use crate::resources::sagemaker::endpoint_config::EndpointConfigInputs;
use crate::resources::sagemaker::variant_rules::EndpointKind;
use framework::Output;

/// One environment of the documents, with what the deployment adds.
#[derive(Clone, Copy)]
pub struct EnvironmentParts<'a> {
    pub documents: &'a Documents,
    pub environment: &'a EnvironmentSettings,
    /// Local artifacts to upload, by `ModelName`.
    pub local_artifacts: &'a BTreeMap<String, String>,
    /// Delete the buckets and their objects on destroy.
    pub force_destroy: bool,
    /// Tags on every AWS object.
    pub tags: &'a Tags,
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
}

impl EnvironmentParts<'_> {
    /// BaseInfra's arguments: the project, the stage and the artifacts.
    pub fn base_infra(&self) -> BaseInfraArgs {
        BaseInfraArgs {
            project_name: self.documents.deployment.project.name.clone(),
            stage: self.environment.stage.clone(),
            model_artifacts: self.documents.deployment.model_artifacts.clone(),
            force_destroy: self.force_destroy,
            kms_key_deletion_window_in_days: None,
            tags: self.tags.clone(),
        }
    }

    /// SageMakerModel's arguments: the model list, in BaseInfra's bucket,
    /// run by its role.
    pub fn models(&self, base: &BaseOutputs) -> SageMakerModelArgs {
        SageMakerModelArgs {
            model_list: self.documents.model.model_list.clone(),
            execution_role_arn: base.execution_role_arn.clone(),
            model_artifact_bucket_name: base.model_artifact_bucket_name.clone(),
            local_artifacts: self.local_artifacts.clone(),
            s3_key_prefix: Some(base.s3_key_prefix.clone()),
            // The Deployment does not build AppConfig yet: its step goes
            // between BaseInfra and the models (see the Deployment's docs).
            app_config: None,
            vpc_config: None,
            enable_network_isolation: false,
            tags: self.tags.clone(),
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

    /// The endpoint component's arguments, serving `model_names`.
    pub fn endpoint(&self, base: &BaseOutputs, model_names: Output<Vec<String>>) -> EndpointArgs {
        let endpoint_name = self.endpoint_name();
        let model_list = self.documents.model.model_list.clone();
        let tags = self.tags.clone();
        match self.environment.inference_type {
            InferenceType::Realtime => EndpointArgs::Realtime(SageMakerEndpointArgs {
                endpoint_name,
                model_list,
                model_names,
                kms_key_arn: Some(base.kms_key_arn.clone()),
                data_capture_bucket_name: None,
                data_capture_sampling_percentage: None,
                autoscaling: None,
                rollout: None,
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
                autoscaling: None,
                rollout: None,
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
        }
    }
}

impl EndpointArgs {
    /// The endpoint kind of SageMaker's variant rules.
    pub fn kind(&self) -> EndpointKind {
        match self {
            EndpointArgs::Realtime(_) => EndpointKind::RealTime,
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
    ) -> EndpointConfigInputs {
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
        };
        config.endpoint_config_name = Some(config.derived_name());
        config
    }
}
