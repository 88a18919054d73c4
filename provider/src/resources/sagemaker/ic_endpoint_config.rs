//! `sagemaker-deployment:sagemaker:InferenceComponentEndpointConfig`: the
//! endpoint configuration of an endpoint that hosts inference components.
//!
//! Its one production variant names no model: it owns the instances
//! (instance type, managed instance scaling, routing) and the inference
//! components bring the models. SageMaker requires an execution role on
//! such a configuration ("ExecutionRoleArn ... required if you're deploying
//! inference components", API Reference, CreateEndpointConfig). Like every
//! endpoint configuration it is immutable: the name is
//! `namePrefix-<hash of the content>`, so new content is a new
//! configuration the endpoint switches to.

use async_trait::async_trait;
use aws_sdk_sagemaker::types::{
    ManagedInstanceScalingStatus, ProductionVariant, ProductionVariantInstanceType,
    ProductionVariantManagedInstanceScaling, ProductionVariantRoutingConfig, RoutingStrategy,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::variant_rules::instance_type_problem;
use super::{check_naming, retag, sagemaker_tags};
use crate::Context;
use crate::aws::{AwsError, AwsErrorKind, OrGone, ResultExt, Service};
use crate::naming::{content_hashed, sagemaker_name_problem};
use crate::resources::Tags;
use framework::{Created, CustomResource, Failures, Output, ProviderError, ReadOutcome, Result};

/// How SageMaker routes requests among the instances of the variant.
pub const ROUTING_STRATEGIES: [&str; 2] = ["LEAST_OUTSTANDING_REQUESTS", "RANDOM"];

/// Most instances managed instance scaling may reach (API Reference,
/// ProductionVariantManagedInstanceScaling, MaxInstanceCount: minimum 1).
const MIN_MAX_INSTANCES: u32 = 1;

/// The instance bounds SageMaker keeps the variant within as inference
/// component copies come and go.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManagedInstanceScaling {
    /// Fewest instances; 0 lets the endpoint scale to zero instances when
    /// no component has a copy.
    pub min_instance_count: u32,
    /// Most instances (at least 1).
    pub max_instance_count: u32,
}

/// An endpoint configuration for inference components: one variant with
/// instances and no model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InferenceComponentEndpointConfigInputs {
    /// Prefix of the generated name; set this or `endpointConfigName`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name_prefix: String,
    /// The variant's name: the inference components name it.
    pub variant_name: String,
    /// Instance type (`ml.*`) of the variant.
    pub instance_type: String,
    /// Instances at creation (at least 1).
    #[serde(default = "one")]
    pub initial_instance_count: u32,
    /// Managed instance scaling of the variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_instance_scaling: Option<ManagedInstanceScaling>,
    /// `LEAST_OUTSTANDING_REQUESTS` or `RANDOM` (SageMaker's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_strategy: Option<String>,
    /// The execution role SageMaker uses for the components (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_role_arn: Option<Output<String>>,
    /// KMS key for the storage volumes of the instances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<Output<String>>,
    /// Tags on the configuration.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    /// The configuration name: `namePrefix-<hash of the content>` when
    /// unset (computed), or this name; set this or `namePrefix`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_config_name: Option<String>,
}

fn one() -> u32 {
    1
}

impl InferenceComponentEndpointConfigInputs {
    /// `namePrefix-<hash>` over everything but tags and the name.
    pub fn derived_name(&self) -> String {
        let content = InferenceComponentEndpointConfigInputs {
            tags: Tags::new(),
            endpoint_config_name: None,
            ..self.clone()
        };
        let bytes = serde_json::to_vec(&content).unwrap_or_default();
        content_hashed(&self.name_prefix, &bytes)
    }

    fn name(&self) -> String {
        self.endpoint_config_name
            .clone()
            .unwrap_or_else(|| self.derived_name())
    }

    /// True when managed instance scaling may take the endpoint to zero
    /// instances.
    pub fn scales_to_zero(&self) -> bool {
        self.managed_instance_scaling
            .as_ref()
            .is_some_and(|scaling| scaling.min_instance_count == 0)
    }
}

/// The configuration as created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InferenceComponentEndpointConfigOutputs {
    /// The inputs the configuration was created with (tags as last updated).
    #[serde(flatten)]
    pub inputs: InferenceComponentEndpointConfigInputs,
    /// The configuration ARN.
    pub arn: String,
}

/// The inference-component endpoint configuration resource.
pub struct InferenceComponentEndpointConfig;

/// Checks the variant's settings; `at` makes the path of a field.
pub fn check_variant_settings(
    inputs: &InferenceComponentEndpointConfigInputs,
    at: impl Fn(&str) -> String,
    failures: &mut Failures,
) {
    if let Some(problem) = sagemaker_name_problem(&inputs.variant_name) {
        failures.push(at("variantName"), problem);
    }
    if let Some(problem) = instance_type_problem(&inputs.instance_type) {
        failures.push(at("instanceType"), problem);
    }
    failures.require(
        inputs.initial_instance_count >= 1,
        at("initialInstanceCount"),
        "must be at least 1: SageMaker creates the endpoint with instances (managed instance \
         scaling may take it to zero later)",
    );
    if let Some(scaling) = &inputs.managed_instance_scaling {
        failures.require(
            scaling.max_instance_count >= MIN_MAX_INSTANCES,
            at("managedInstanceScaling.maxInstanceCount"),
            "must be at least 1",
        );
        failures.require(
            scaling.min_instance_count <= scaling.max_instance_count,
            at("managedInstanceScaling.minInstanceCount"),
            format!(
                "must not exceed maxInstanceCount ({}), got {}",
                scaling.max_instance_count, scaling.min_instance_count
            ),
        );
        failures.require(
            (scaling.min_instance_count..=scaling.max_instance_count.max(1))
                .contains(&inputs.initial_instance_count),
            at("initialInstanceCount"),
            format!(
                "must be within managedInstanceScaling {}..={}, got {}",
                scaling.min_instance_count.max(1),
                scaling.max_instance_count,
                inputs.initial_instance_count
            ),
        );
    }
    if let Some(strategy) = &inputs.routing_strategy {
        failures.require(
            ROUTING_STRATEGIES.contains(&strategy.as_str()),
            at("routingStrategy"),
            format!(
                "`{strategy}` is not one of {}",
                ROUTING_STRATEGIES.join(", ")
            ),
        );
    }
    failures.require(
        inputs.execution_role_arn.is_some(),
        at("executionRoleArn"),
        "is required: SageMaker needs an execution role on an endpoint configuration that \
         hosts inference components",
    );
}

/// Explains SageMaker refusing the configuration: a region that does not
/// allow managed instance scaling down to zero instances is named.
fn explain_refusal(
    error: AwsError,
    inputs: &InferenceComponentEndpointConfigInputs,
    region: &str,
) -> ProviderError {
    let refuses_zero = inputs.scales_to_zero()
        && error.kind == AwsErrorKind::Validation
        && error
            .message
            .to_ascii_lowercase()
            .contains("mininstancecount");
    if refuses_zero {
        return ProviderError::failed(format!(
            "region {region} refuses managedInstanceScaling.minInstanceCount 0 (scaling the \
             endpoint to zero instances): {}. Set minInstanceCount to 1 or more, or deploy in a \
             region where SageMaker scales inference-component endpoints to zero",
            error.message
        ));
    }
    error.into()
}

#[async_trait]
impl CustomResource for InferenceComponentEndpointConfig {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:sagemaker:InferenceComponentEndpointConfig";
    const UPDATABLE: &'static [&'static str] = &["tags"];
    const NOT_IN_COMPUTED_INPUTS: &'static [&'static str] = &["tags", "endpointConfigName"];

    type Inputs = InferenceComponentEndpointConfigInputs;
    type Outputs = InferenceComponentEndpointConfigOutputs;

    fn computed_inputs(
        &self,
        inputs: &InferenceComponentEndpointConfigInputs,
    ) -> Vec<(&'static str, serde_json::Value)> {
        if inputs.endpoint_config_name.is_some() {
            return Vec::new();
        }
        vec![(
            "endpointConfigName",
            serde_json::Value::String(inputs.derived_name()),
        )]
    }

    fn check(&self, inputs: &InferenceComponentEndpointConfigInputs) -> Failures {
        let mut failures = Failures::new();
        check_naming(
            &inputs.name_prefix,
            inputs.endpoint_config_name.as_deref(),
            ["namePrefix", "endpointConfigName"],
            &mut failures,
        );
        check_variant_settings(inputs, str::to_owned, &mut failures);
        failures
    }

    async fn create(
        &self,
        ctx: &Context,
        inputs: &InferenceComponentEndpointConfigInputs,
    ) -> Result<Created<InferenceComponentEndpointConfigOutputs>> {
        let name = inputs.name();
        let mut variant = ProductionVariant::builder()
            .variant_name(&inputs.variant_name)
            .instance_type(ProductionVariantInstanceType::from(
                inputs.instance_type.as_str(),
            ))
            .initial_instance_count(inputs.initial_instance_count as i32);
        if let Some(scaling) = &inputs.managed_instance_scaling {
            variant = variant.managed_instance_scaling(
                ProductionVariantManagedInstanceScaling::builder()
                    .status(ManagedInstanceScalingStatus::Enabled)
                    .min_instance_count(scaling.min_instance_count as i32)
                    .max_instance_count(scaling.max_instance_count as i32)
                    .build(),
            );
        }
        if let Some(strategy) = &inputs.routing_strategy {
            variant = variant.routing_config(
                ProductionVariantRoutingConfig::builder()
                    .routing_strategy(RoutingStrategy::from(strategy.as_str()))
                    .build(),
            );
        }
        let created = ctx
            .clients
            .sagemaker
            .create_endpoint_config()
            .endpoint_config_name(&name)
            .production_variants(variant.build())
            .set_execution_role_arn(inputs.execution_role_arn.as_ref().map(String::from))
            .set_kms_key_id(inputs.kms_key_arn.as_ref().map(String::from))
            .set_tags(Some(sagemaker_tags(&ctx.clients.tags_with(&inputs.tags))))
            .send()
            .await
            .aws(Service::SageMaker, "CreateEndpointConfig")
            .map_err(|error| {
                let region = ctx
                    .clients
                    .sagemaker
                    .config()
                    .region()
                    .map_or_else(|| "(unknown)".to_owned(), |r| r.to_string());
                explain_refusal(error, inputs, &region)
            })?;
        Ok(Created {
            id: name.clone(),
            outputs: InferenceComponentEndpointConfigOutputs {
                inputs: InferenceComponentEndpointConfigInputs {
                    endpoint_config_name: Some(name),
                    ..inputs.clone()
                },
                arn: created.endpoint_config_arn().unwrap_or_default().to_owned(),
            },
        })
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &InferenceComponentEndpointConfigOutputs,
    ) -> Result<
        ReadOutcome<
            InferenceComponentEndpointConfigInputs,
            InferenceComponentEndpointConfigOutputs,
        >,
    > {
        // Configurations are immutable: existence is all that can drift.
        let found = ctx
            .clients
            .sagemaker
            .describe_endpoint_config()
            .endpoint_config_name(id)
            .send()
            .await
            .aws(Service::SageMaker, "DescribeEndpointConfig")
            .or_gone()?;
        Ok(match found {
            None => ReadOutcome::Gone,
            Some(_) => ReadOutcome::Found {
                id: id.to_owned(),
                inputs: outputs.inputs.clone(),
                outputs: outputs.clone(),
            },
        })
    }

    async fn update(
        &self,
        ctx: &Context,
        _id: &str,
        olds: &InferenceComponentEndpointConfigOutputs,
        news: &InferenceComponentEndpointConfigInputs,
    ) -> Result<InferenceComponentEndpointConfigOutputs> {
        retag(ctx, &olds.arn, &olds.inputs.tags, &news.tags).await?;
        let mut outputs = olds.clone();
        outputs.inputs.tags = news.tags.clone();
        Ok(outputs)
    }

    async fn delete(
        &self,
        ctx: &Context,
        id: &str,
        _outputs: &InferenceComponentEndpointConfigOutputs,
    ) -> Result<()> {
        ctx.clients
            .sagemaker
            .delete_endpoint_config()
            .endpoint_config_name(id)
            .send()
            .await
            .aws(Service::SageMaker, "DeleteEndpointConfig")
            .or_gone()?;
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use aws_sdk_sagemaker::Client;
    use aws_sdk_sagemaker::operation::create_endpoint_config::{
        CreateEndpointConfigError, CreateEndpointConfigOutput,
    };
    use aws_smithy_mocks::mock;

    use super::super::model::tests::context;
    use super::*;

    pub(crate) fn config() -> InferenceComponentEndpointConfigInputs {
        InferenceComponentEndpointConfigInputs {
            name_prefix: "chat-config".into(),
            variant_name: "AllTraffic".into(),
            instance_type: "ml.g5.12xlarge".into(),
            initial_instance_count: 1,
            managed_instance_scaling: Some(ManagedInstanceScaling {
                min_instance_count: 0,
                max_instance_count: 2,
            }),
            routing_strategy: Some("LEAST_OUTSTANDING_REQUESTS".into()),
            execution_role_arn: Some("arn:aws:iam::123456789012:role/exec".into()),
            kms_key_arn: None,
            tags: Tags::new(),
            endpoint_config_name: None,
        }
    }

    fn properties(failures: &Failures) -> Vec<String> {
        failures.0.iter().map(|f| f.property.clone()).collect()
    }

    #[test]
    fn a_valid_configuration_passes_and_its_name_hashes_its_content() {
        let inputs = config();
        assert!(InferenceComponentEndpointConfig.check(&inputs).is_empty());
        let mut bigger = inputs.clone();
        bigger
            .managed_instance_scaling
            .as_mut()
            .unwrap()
            .max_instance_count = 4;
        assert_ne!(inputs.derived_name(), bigger.derived_name());
        let mut retagged = inputs.clone();
        retagged.tags.insert("env".into(), "dev".into());
        assert_eq!(inputs.derived_name(), retagged.derived_name());
    }

    #[test]
    fn the_execution_role_bounds_and_routing_are_checked() {
        let mut inputs = config();
        inputs.execution_role_arn = None;
        inputs.routing_strategy = Some("ROUND_ROBIN".into());
        inputs.managed_instance_scaling = Some(ManagedInstanceScaling {
            min_instance_count: 3,
            max_instance_count: 2,
        });
        inputs.initial_instance_count = 0;
        let failures = InferenceComponentEndpointConfig.check(&inputs);
        assert_eq!(
            properties(&failures),
            [
                "initialInstanceCount",
                "managedInstanceScaling.minInstanceCount",
                "initialInstanceCount",
                "routingStrategy",
                "executionRoleArn"
            ]
        );
        assert!(failures.0[4].reason.contains("is required"));
    }

    #[tokio::test]
    async fn a_region_refusing_zero_instances_is_named() {
        let refused = mock!(Client::create_endpoint_config).then_error(|| {
            CreateEndpointConfigError::generic(
                aws_smithy_types::error::ErrorMetadata::builder()
                    .code("ValidationException")
                    .message("MinInstanceCount 0 is not supported in this region")
                    .build(),
            )
        });
        let ctx = context(&[&refused]).await;
        let error = InferenceComponentEndpointConfig
            .create(&ctx, &config())
            .await
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("region ")
                && error.contains("refuses managedInstanceScaling.minInstanceCount 0"),
            "{error}"
        );
        let created = mock!(Client::create_endpoint_config)
            .match_requests(|req| {
                req.execution_role_arn() == Some("arn:aws:iam::123456789012:role/exec")
                    && req.production_variants()[0].model_name().is_none()
                    && req.production_variants()[0]
                        .managed_instance_scaling()
                        .and_then(|s| s.min_instance_count())
                        == Some(0)
            })
            .then_output(|| {
                CreateEndpointConfigOutput::builder()
                    .endpoint_config_arn(
                        "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/x",
                    )
                    .build()
            });
        let ctx = context(&[&created]).await;
        let made = InferenceComponentEndpointConfig
            .create(&ctx, &config())
            .await
            .unwrap();
        assert_eq!(created.num_calls(), 1);
        assert!(made.id.starts_with("chat-config-"));
    }
}
