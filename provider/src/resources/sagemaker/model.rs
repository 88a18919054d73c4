//! `sagemaker-deployment:sagemaker:Model`: one SageMaker model.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_sagemaker::types::{ContainerDefinition, VpcConfig as SdkVpcConfig};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::sagemaker_tags;
use crate::aws::{OrGone, ResultExt};
use crate::error::Result;
use crate::framework::naming::{content_hashed, sagemaker_name_problem};
use crate::framework::{Context, Created, CustomResource, Failures, ReadOutcome};
use crate::resources::Tags;

/// Subnets and security groups a model's containers run in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VpcConfig {
    /// Security group ids (1-5).
    pub security_group_ids: Vec<String>,
    /// Subnet ids (1-16).
    pub subnets: Vec<String>,
}

/// A SageMaker model: an inference image, its artifact and its settings.
/// Models are immutable: the name is `namePrefix-<hash of the content>`, so
/// a new version gets a new model, created before the old one is deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModelInputs {
    /// Prefix of the generated model name.
    pub name_prefix: String,
    /// ARN of the role SageMaker assumes to run the model.
    pub execution_role_arn: String,
    /// The inference container image URI.
    pub image: String,
    /// S3 URL of the model artifact (`model.tar.gz`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_data_url: Option<String>,
    /// Environment variables of the container.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub environment: BTreeMap<String, String>,
    /// Run the containers in these subnets and security groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_config: Option<VpcConfig>,
    /// Block all network access from the containers.
    #[serde(default)]
    pub enable_network_isolation: bool,
    /// Tags on the model.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    /// The generated name (computed; any value given is replaced).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_name: Option<String>,
}

impl ModelInputs {
    /// `namePrefix-<hash>` over everything but the name.
    pub fn derived_name(&self) -> String {
        let content = ModelInputs {
            model_name: None,
            ..self.clone()
        };
        content_hashed(
            &self.name_prefix,
            &serde_json::to_vec(&content).unwrap_or_default(),
        )
    }

    fn name(&self) -> String {
        self.model_name
            .clone()
            .unwrap_or_else(|| self.derived_name())
    }
}

/// The model as created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModelOutputs {
    #[serde(flatten)]
    pub inputs: ModelInputs,
    /// The model ARN.
    pub arn: String,
}

/// The SageMaker model resource.
pub struct Model;

#[async_trait]
impl CustomResource for Model {
    const TOKEN: &'static str = "sagemaker-deployment:sagemaker:Model";

    type Inputs = ModelInputs;
    type Outputs = ModelOutputs;

    fn computed_inputs(&self, inputs: &ModelInputs) -> Vec<(&'static str, serde_json::Value)> {
        vec![(
            "modelName",
            serde_json::Value::String(inputs.derived_name()),
        )]
    }

    fn check(&self, inputs: &ModelInputs) -> Failures {
        let mut failures = Failures::new();
        if let Some(problem) = sagemaker_name_problem(&inputs.name_prefix) {
            failures.push("namePrefix", problem);
        }
        failures.require(
            !inputs.image.is_empty(),
            "image",
            "must name a container image",
        );
        if let Some(url) = &inputs.model_data_url {
            failures.require(
                url.starts_with("s3://"),
                "modelDataUrl",
                "must be an s3:// URL",
            );
        }
        if let Some(vpc) = &inputs.vpc_config {
            failures.require(
                (1..=5).contains(&vpc.security_group_ids.len()),
                "vpcConfig.securityGroupIds",
                "must list 1 to 5 security groups",
            );
            failures.require(
                (1..=16).contains(&vpc.subnets.len()),
                "vpcConfig.subnets",
                "must list 1 to 16 subnets",
            );
        }
        failures
    }

    async fn create(&self, ctx: &Context, inputs: &ModelInputs) -> Result<Created<ModelOutputs>> {
        let name = inputs.name();
        let mut container = ContainerDefinition::builder()
            .image(&inputs.image)
            .set_environment(Some(inputs.environment.clone().into_iter().collect()));
        if let Some(url) = &inputs.model_data_url {
            container = container.model_data_url(url);
        }
        let mut request = ctx
            .aws
            .sagemaker
            .create_model()
            .model_name(&name)
            .execution_role_arn(&inputs.execution_role_arn)
            .primary_container(container.build())
            .enable_network_isolation(inputs.enable_network_isolation)
            .set_tags(Some(sagemaker_tags(&ctx.aws.tags_with(&inputs.tags))));
        if let Some(vpc) = &inputs.vpc_config {
            request = request.vpc_config(
                SdkVpcConfig::builder()
                    .set_security_group_ids(Some(vpc.security_group_ids.clone()))
                    .set_subnets(Some(vpc.subnets.clone()))
                    .build(),
            );
        }
        let created = request.send().await.aws("sagemaker", "CreateModel")?;
        Ok(Created {
            id: name.clone(),
            outputs: ModelOutputs {
                inputs: ModelInputs {
                    model_name: Some(name),
                    ..inputs.clone()
                },
                arn: created.model_arn().unwrap_or_default().to_owned(),
            },
        })
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &ModelOutputs,
    ) -> Result<ReadOutcome<ModelInputs, ModelOutputs>> {
        let found = match ctx
            .aws
            .sagemaker
            .describe_model()
            .model_name(id)
            .send()
            .await
            .aws("sagemaker", "DescribeModel")
        {
            Ok(found) => found,
            Err(error) if error.is_not_found() => return Ok(ReadOutcome::Gone),
            Err(error) => return Err(error.into()),
        };
        let container = found.primary_container();
        let inputs = ModelInputs {
            name_prefix: outputs.inputs.name_prefix.clone(),
            model_name: Some(found.model_name().unwrap_or(id).to_owned()),
            execution_role_arn: found.execution_role_arn().unwrap_or_default().to_owned(),
            image: container
                .and_then(|c| c.image())
                .unwrap_or_default()
                .to_owned(),
            model_data_url: container
                .and_then(|c| c.model_data_url())
                .map(str::to_owned),
            environment: container
                .and_then(|c| c.environment())
                .map(|env| env.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
            vpc_config: found
                .vpc_config()
                .filter(|vpc| !vpc.subnets().is_empty() || !vpc.security_group_ids().is_empty())
                .map(|vpc| VpcConfig {
                    security_group_ids: vpc.security_group_ids().to_vec(),
                    subnets: vpc.subnets().to_vec(),
                }),
            enable_network_isolation: found.enable_network_isolation().unwrap_or(false),
            tags: outputs.inputs.tags.clone(),
        };
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: ModelOutputs {
                inputs: inputs.clone(),
                arn: found.model_arn().unwrap_or_default().to_owned(),
            },
            inputs,
        })
    }

    async fn delete(&self, ctx: &Context, id: &str, _outputs: &ModelOutputs) -> Result<()> {
        ctx.aws
            .sagemaker
            .delete_model()
            .model_name(id)
            .send()
            .await
            .aws("sagemaker", "DeleteModel")
            .or_gone()?;
        Ok(())
    }
}
