//! `sagemaker-deployment:index:SageMakerModel`: the seed's
//! SageMakerModelStack. One SageMaker model per `modelList` entry.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::model_config::{ModelSpec, check_models, container_environment};
use crate::Scope;
use crate::naming::sanitize;
use crate::resources::Tags;
use crate::resources::sagemaker::model::{self, VpcConfig};
use framework::Result;
use framework::{ChildOptions, Component, Failures, Output};

/// SageMaker models from the seed's `modelList`: each entry's image, its
/// artifact (`ModelS3Key` in the model-artifact bucket), the execution role
/// and `SAGEMAKER_MODEL_SERVER_WORKERS` from `ModelServerWorkers`. A model's
/// SageMaker name is its `ModelName` plus a hash of its content, so a new
/// version (say, a new `ModelS3Key`) is a new model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SageMakerModelArgs {
    /// The models (the seed's `modelList`).
    pub model_list: Vec<ModelSpec>,
    /// ARN of the SageMaker execution role (BaseInfra's `executionRoleArn`).
    pub execution_role_arn: Output<String>,
    /// Bucket holding the artifacts (BaseInfra's `modelArtifactBucketName`).
    pub model_artifact_bucket_name: Output<String>,
    /// Run the containers in a VPC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_config: Option<VpcConfig>,
    /// Block network access from the containers.
    #[serde(default)]
    pub enable_network_isolation: bool,
    /// Tags on every model.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// What SageMakerModel made.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SageMakerModelOutputs {
    /// SageMaker model names, in `modelList` order.
    pub model_names: Output<Vec<String>>,
    /// SageMaker model ARNs, in `modelList` order.
    pub model_arns: Output<Vec<String>>,
}

/// The SageMakerModel component.
pub struct SageMakerModel;

#[async_trait]
impl Component for SageMakerModel {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:index:SageMakerModel";

    type Inputs = SageMakerModelArgs;
    type Outputs = SageMakerModelOutputs;

    fn check(&self, args: &SageMakerModelArgs) -> Failures {
        let mut failures = Failures::new();
        check_models(&args.model_list, &mut failures);
        failures
    }

    async fn construct(
        &self,
        scope: &Scope,
        name: &str,
        args: SageMakerModelArgs,
    ) -> Result<SageMakerModelOutputs> {
        let registrations = args.model_list.iter().map(|spec| {
            let key = spec.model_s3_key.clone();
            let data_url = args
                .model_artifact_bucket_name
                .clone()
                .map(move |bucket| format!("s3://{bucket}/{key}"));
            let child_name = format!("{name}-{}", sanitize(&spec.model_name, 63));
            let inputs = model::ModelInputs {
                name_prefix: sanitize(&spec.model_name, 52),
                execution_role_arn: args.execution_role_arn.clone(),
                image: spec.model_docker_image.clone(),
                model_data_url: Some(data_url),
                model_data_hash: None,
                environment: container_environment(spec),
                vpc_config: args.vpc_config.clone(),
                enable_network_isolation: args.enable_network_isolation,
                tags: args.tags.clone(),
                model_name: None,
            };
            async move {
                scope
                    .resource::<model::Model>(&child_name, &inputs, ChildOptions::default())
                    .await
            }
        });
        let models = framework::all_children(registrations).await?;
        Ok(SageMakerModelOutputs {
            model_names: Output::all(models.iter().map(|m| m.output("modelName"))),
            model_arns: Output::all(models.iter().map(|m| m.output("arn"))),
        })
    }
}
