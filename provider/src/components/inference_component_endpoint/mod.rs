//! `sagemaker-deployment:index:SageMakerInferenceComponentEndpoint`: many
//! models on one endpoint, each an inference component with its own
//! compute requirements, copies and scaling.
//!
//! The endpoint owns the instances: an inference-component endpoint
//! configuration (one variant, no model, managed instance scaling that may
//! reach zero instances) and the endpoint. Each `modelList` entry becomes
//! an inference component named `<endpoint>-<VariantName>`, with, when it
//! has `Scaling`, a scalable target on its copies, target tracking on
//! concurrent requests per copy and, with `MinCopies` 0, the wake-up.
//! A new model version of one entry updates that component alone.

mod checks;
mod scaling;
mod settings;

pub use settings::{ComputeSettings, CopyScaling, InferenceComponentSettings};

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::model_config::ModelSpec;
use crate::Scope;
use crate::resources::Tags;
use crate::resources::sagemaker::endpoint::{Endpoint, EndpointInputs};
use crate::resources::sagemaker::ic_endpoint_config::{
    InferenceComponentEndpointConfig, InferenceComponentEndpointConfigInputs,
    ManagedInstanceScaling,
};
use crate::resources::sagemaker::inference_component::{
    InferenceComponent, InferenceComponentInputs, RollingUpdate,
};
use framework::{ChildOptions, ProviderError};
use framework::{Component, Failures, Output, Result};

/// The variant every component of the endpoint runs on.
pub const VARIANT_NAME: &str = "AllTraffic";

/// An endpoint hosting one inference component per `modelList` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SageMakerInferenceComponentEndpointArgs {
    /// The endpoint name (the seed's `sageMakerEndpointName`).
    pub endpoint_name: String,
    /// The models, one inference component each; every entry needs its
    /// `InferenceComponent` settings.
    pub model_list: Vec<ModelSpec>,
    /// SageMaker model names in `modelList` order (SageMakerModel's `modelNames`).
    pub model_names: Output<Vec<String>>,
    /// The execution role's ARN (BaseInfra's `executionRoleArn`): SageMaker
    /// requires one on an endpoint hosting inference components.
    pub execution_role_arn: Output<String>,
    /// Instance type of the endpoint; the first model's `InstanceType` when
    /// unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    /// Instances at creation (default 1).
    #[serde(default = "one")]
    pub initial_instance_count: u32,
    /// Fewest instances managed instance scaling keeps (default 0: the
    /// endpoint scales to zero when no component has a copy).
    #[serde(default)]
    pub min_instance_count: u32,
    /// Most instances managed instance scaling may launch (default 1).
    #[serde(default = "one")]
    pub max_instance_count: u32,
    /// `LEAST_OUTSTANDING_REQUESTS` or `RANDOM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_strategy: Option<String>,
    /// How a new model version rolls out to its component.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolling_update: Option<RollingUpdate>,
    /// KMS key for the instances' storage (BaseInfra's `kmsKeyArn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<Output<String>>,
    /// Tags on every resource.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

fn one() -> u32 {
    1
}

/// What the component made.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InferenceComponentEndpointOutputs {
    /// The endpoint name.
    pub endpoint_name: Output<String>,
    /// The endpoint ARN.
    pub endpoint_arn: Output<String>,
    /// The configuration the endpoint runs.
    pub endpoint_config_name: Output<String>,
    /// The inference component names, in `modelList` order.
    pub inference_component_names: Vec<String>,
}

impl SageMakerInferenceComponentEndpointArgs {
    /// The endpoint's instance type.
    pub fn instance_type(&self) -> String {
        self.instance_type.clone().unwrap_or_else(|| {
            self.model_list
                .first()
                .map_or_else(|| "ml.m5.large".to_owned(), |m| m.instance_type.clone())
        })
    }

    /// The endpoint configuration it registers.
    pub fn config_inputs(&self) -> InferenceComponentEndpointConfigInputs {
        InferenceComponentEndpointConfigInputs {
            name_prefix: format!("{}-config", self.endpoint_name),
            variant_name: VARIANT_NAME.to_owned(),
            instance_type: self.instance_type(),
            initial_instance_count: self.initial_instance_count,
            managed_instance_scaling: Some(ManagedInstanceScaling {
                min_instance_count: self.min_instance_count,
                max_instance_count: self.max_instance_count,
            }),
            routing_strategy: self.routing_strategy.clone(),
            execution_role_arn: Some(self.execution_role_arn.clone()),
            kms_key_arn: self.kms_key_arn.clone(),
            tags: self.tags.clone(),
            endpoint_config_name: None,
        }
    }

    /// The inference component of `modelList[i]`, running `model_name`,
    /// when the entry has its settings.
    pub fn component_inputs(
        &self,
        i: usize,
        endpoint_name: Output<String>,
        model_name: Output<String>,
    ) -> Option<InferenceComponentInputs> {
        let model = self.model_list.get(i)?;
        let settings = model.inference_component.as_ref()?;
        Some(InferenceComponentInputs {
            inference_component_name: component_name(&self.endpoint_name, model),
            endpoint_name,
            variant_name: VARIANT_NAME.to_owned(),
            model_name,
            compute: settings.compute_requirements.requirements(),
            copy_count: settings.copy_count,
            instance_type: Some(self.instance_type()),
            container_startup_health_check_timeout_in_seconds: settings
                .container_startup_health_check_timeout_in_seconds,
            model_data_download_timeout_in_seconds: settings.model_data_download_timeout_in_seconds,
            rolling_update: self.rolling_update.clone(),
            autoscaling_managed: settings.scaling.is_some(),
            tags: self.tags.clone(),
        })
    }
}

/// `<endpoint>-<VariantName>`: the component's stable name, whatever model
/// version it runs.
pub fn component_name(endpoint: &str, model: &ModelSpec) -> String {
    format!("{endpoint}-{}", model.variant_name)
}

/// The SageMakerInferenceComponentEndpoint component.
pub struct SageMakerInferenceComponentEndpoint;

#[async_trait]
impl Component for SageMakerInferenceComponentEndpoint {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:index:SageMakerInferenceComponentEndpoint";

    type Inputs = SageMakerInferenceComponentEndpointArgs;
    type Outputs = InferenceComponentEndpointOutputs;

    fn check(&self, args: &SageMakerInferenceComponentEndpointArgs) -> Failures {
        let mut failures = Failures::new();
        checks::check_args(args, &mut failures);
        failures
    }

    async fn construct(
        &self,
        scope: &Scope,
        name: &str,
        args: SageMakerInferenceComponentEndpointArgs,
    ) -> Result<InferenceComponentEndpointOutputs> {
        let config = scope
            .resource::<InferenceComponentEndpointConfig>(
                &format!("{name}-config"),
                &args.config_inputs(),
                ChildOptions::default(),
            )
            .await?;
        let endpoint = scope
            .resource::<Endpoint>(
                &format!("{name}-endpoint"),
                &EndpointInputs {
                    endpoint_name: args.endpoint_name.clone(),
                    endpoint_config_name: config.output("endpointConfigName"),
                    // The one variant takes all traffic, as SageMaker
                    // reports it (a refresh then finds no drift).
                    variant_weights: [(VARIANT_NAME.to_owned(), 1.0)].into(),
                    variant_instance_counts: Default::default(),
                    variant_instance_types: Default::default(),
                    // Managed instance scaling owns the instance count.
                    autoscaling_managed: true,
                    rollout: None,
                    tags: args.tags.clone(),
                },
                ChildOptions::default(),
            )
            .await?;
        let endpoint_name: Output<String> = endpoint.output("endpointName");
        let registrations = args.model_list.iter().enumerate().map(|(i, model)| {
            let inputs = args.component_inputs(
                i,
                endpoint_name.clone(),
                args.model_names.element(i),
            );
            let child = format!("{name}-{}", model.variant_name);
            let endpoint_urn = endpoint.urn.clone();
            let scaling = model
                .inference_component
                .as_ref()
                .and_then(|settings| settings.scaling.clone());
            async move {
                let inputs = inputs.ok_or_else(|| {
                    ProviderError::failed(format!(
                        "modelList[{i}].InferenceComponent is required for an inference-component endpoint"
                    ))
                })?;
                let component = scope
                    .resource::<InferenceComponent>(
                        &format!("{child}-component"),
                        &inputs,
                        ChildOptions {
                            depends_on: vec![endpoint_urn],
                            ..Default::default()
                        },
                    )
                    .await?;
                if let Some(scaling) = scaling {
                    scaling::register_scaling(
                        scope,
                        &child,
                        &inputs.inference_component_name,
                        &component,
                        &scaling,
                    )
                    .await?;
                }
                Ok(inputs.inference_component_name)
            }
        });
        let names = framework::all_children(registrations).await?;
        Ok(InferenceComponentEndpointOutputs {
            endpoint_name,
            endpoint_arn: endpoint.output("arn"),
            endpoint_config_name: config.output("endpointConfigName"),
            inference_component_names: names,
        })
    }
}
