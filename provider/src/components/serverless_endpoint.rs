//! `sagemaker-deployment:index:SageMakerServerlessEndpoint`: the seed's
//! SageMakerServerlessEndpointStack.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::endpoint_builder::{EndpointBuilder, EndpointComponentOutputs, EndpointPlan};
use super::endpoint_checks::check_endpoint;
use super::model_config::{ModelSpec, ServerlessSettings};
use crate::Scope;
use crate::resources::Tags;
use crate::resources::sagemaker::variant_rules::EndpointKind;
use framework::Result;
use framework::{Component, Failures, Output};

/// A serverless SageMaker endpoint: up to 5 variants on serverless compute.
/// A model's own `ServerlessConfig` overrides the environment's
/// `serverlessConfig`. Memory is 1024-6144 MB in 1024 MB steps, concurrency
/// 1-200, provisioned concurrency at most the max concurrency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SageMakerServerlessEndpointArgs {
    /// The endpoint name (the seed's `sageMakerEndpointName`).
    pub endpoint_name: String,
    /// The variants (the seed's `modelList`).
    pub model_list: Vec<ModelSpec>,
    /// SageMaker model names in `modelList` order (SageMakerModel's `modelNames`).
    pub model_names: Output<Vec<String>>,
    /// The environment's serverless settings (the seed's `serverlessConfig`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serverless_config: Option<ServerlessSettings>,
    /// Tags on every resource.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// The SageMakerServerlessEndpoint component.
pub struct SageMakerServerlessEndpoint;

#[async_trait]
impl Component for SageMakerServerlessEndpoint {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:index:SageMakerServerlessEndpoint";

    type Inputs = SageMakerServerlessEndpointArgs;
    type Outputs = EndpointComponentOutputs;

    fn check(&self, args: &SageMakerServerlessEndpointArgs) -> Failures {
        let mut failures = Failures::new();
        check_endpoint(
            EndpointKind::Serverless,
            &args.endpoint_name,
            &args.model_list,
            args.serverless_config.as_ref(),
            &mut failures,
        );
        failures
    }

    async fn construct(
        &self,
        scope: &Scope,
        name: &str,
        args: SageMakerServerlessEndpointArgs,
    ) -> Result<EndpointComponentOutputs> {
        let plan = EndpointPlan {
            component: name,
            endpoint_name: &args.endpoint_name,
            kind: EndpointKind::Serverless,
            models: &args.model_list,
            serverless: args.serverless_config.as_ref(),
            model_names: args.model_names.clone(),
            tags: &args.tags,
        };
        let built = EndpointBuilder::new(scope, plan).build().await?;
        Ok(built.outputs())
    }
}
