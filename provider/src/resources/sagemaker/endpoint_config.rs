//! `sagemaker-deployment:sagemaker:EndpointConfig`: an immutable endpoint
//! configuration whose name is derived from a hash of its content.

use std::collections::BTreeMap;
use std::time::SystemTime;

use async_trait::async_trait;
use aws_sdk_sagemaker::types::{
    AsyncInferenceClientConfig, AsyncInferenceConfig, AsyncInferenceNotificationConfig,
    AsyncInferenceOutputConfig, CaptureMode, CaptureOption, DataCaptureConfig, ProductionVariant,
    ProductionVariantInstanceType, ProductionVariantServerlessConfig,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::variant_rules::{
    CapacityFields, Compute, EndpointKind, Field, ServerlessField, VariantFields, VariantList,
    check_variants,
};
use super::{check_naming, live_tags, retag, sagemaker_tags};
use crate::Context;
use crate::aws::lost_answers::{RequestClock, create_or_find, system_time};
use crate::aws::{AwsError, OrGone, ResultExt, Service};
use crate::naming::content_hashed;
use crate::resources::Tags;
use framework::Output;
use framework::Result;
use framework::{Created, CustomResource, Failures, ReadOutcome};

/// Serverless compute of a variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServerlessCompute {
    /// Memory in MB: 1024 to 6144 in steps of 1024.
    pub memory_size_in_mb: u32,
    /// Concurrent invocations: 1 to 200.
    pub max_concurrency: u32,
    /// Pre-warmed concurrency, at most `maxConcurrency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned_concurrency: Option<u32>,
}

/// One production variant: a model on instances or on serverless compute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VariantSpec {
    /// The variant name, unique in the endpoint.
    pub variant_name: String,
    /// The SageMaker model the variant serves.
    pub model_name: Output<String>,
    /// Instance type (`ml.*`) for instance-backed variants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    /// Serverless compute, for serverless variants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serverless: Option<ServerlessCompute>,
    /// Seconds SageMaker waits for the container's health check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_startup_health_check_timeout_in_seconds: Option<u32>,
}

/// A variant's share of traffic and instance count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VariantCapacity {
    /// Relative traffic weight (not negative).
    pub weight: f64,
    /// Instances, for instance-backed variants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_count: Option<u32>,
}

/// Capturing requests and responses to S3.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DataCapture {
    /// `s3://bucket/prefix` to write captures to.
    pub destination_s3_uri: Output<String>,
    /// Percentage of requests captured (0-100).
    pub initial_sampling_percentage: u32,
    /// What is captured: `Input`, `Output` or both.
    #[serde(default = "both_modes")]
    pub capture_modes: Vec<String>,
    /// KMS key for the captured data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<Output<String>>,
}

fn both_modes() -> Vec<String> {
    DataCapture::default_modes()
}

impl DataCapture {
    /// Requests and responses both.
    pub fn default_modes() -> Vec<String> {
        vec!["Input".into(), "Output".into()]
    }
}

/// Asynchronous inference settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AsyncInference {
    /// `s3://bucket/prefix` for results.
    pub s3_output_path: Output<String>,
    /// `s3://bucket/prefix` for failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_failure_path: Option<Output<String>>,
    /// KMS key for the results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<Output<String>>,
    /// Concurrent requests each instance processes (1-1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrent_invocations_per_instance: Option<u32>,
    /// SNS topic notified of successes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_topic_arn: Option<Output<String>>,
    /// SNS topic notified of errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_topic_arn: Option<Output<String>>,
}

/// A SageMaker endpoint configuration. Endpoint configurations are
/// immutable, so the name is `namePrefix-<hash of the content>`: new content
/// gets a new configuration, created before the endpoint switches to it and
/// deleted only after. Initial weights and counts are not part of the
/// content: changing them alone updates the endpoint in place. Tags are not
/// part of it either: changing them retags the configuration in place.
/// A configuration named with `endpointConfigName` instead (say, one
/// imported) keeps its content: new content needs a new name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointConfigInputs {
    /// Prefix of the generated name; set this or `endpointConfigName`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name_prefix: String,
    /// The production variants (1-10; serverless 1-5).
    pub production_variants: Vec<VariantSpec>,
    /// Initial weight and instance count per variant name.
    #[serde(default)]
    pub initial_capacity: BTreeMap<String, VariantCapacity>,
    /// KMS key for the storage volumes of the instances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<Output<String>>,
    /// Request and response capture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_capture: Option<DataCapture>,
    /// Asynchronous inference settings; makes this an async endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub async_inference: Option<AsyncInference>,
    /// Tags on the configuration.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    /// The configuration name: `namePrefix-<hash of the content>` when
    /// unset (computed), or this name, e.g. of a configuration to import;
    /// set this or `namePrefix`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_config_name: Option<String>,
}

impl EndpointConfigInputs {
    /// `namePrefix-<hash>` over everything but capacity, tags and the name.
    pub fn derived_name(&self) -> String {
        let content = EndpointConfigInputs {
            initial_capacity: BTreeMap::new(),
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

    /// What SageMaker cannot change in a configuration and what its
    /// endpoint runs by: all but the name, the initial capacity and tags.
    fn content(&self) -> EndpointConfigInputs {
        EndpointConfigInputs {
            name_prefix: String::new(),
            initial_capacity: BTreeMap::new(),
            tags: Tags::new(),
            endpoint_config_name: None,
            ..self.clone()
        }
    }
}

/// The configuration as created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointConfigOutputs {
    /// The inputs the configuration was created with (tags as last updated).
    #[serde(flatten)]
    pub inputs: EndpointConfigInputs,
    /// The configuration ARN.
    pub arn: String,
}

/// The endpoint-configuration resource.
pub struct EndpointConfig;

/// The configuration's variants and initial capacity as SageMaker's
/// variant rules see them.
fn variant_list(inputs: &EndpointConfigInputs) -> VariantList<'_> {
    let variants = &inputs.production_variants;
    let kind = if variants.iter().any(|v| v.serverless.is_some()) {
        EndpointKind::Serverless
    } else if inputs.async_inference.is_some() {
        EndpointKind::Async
    } else {
        EndpointKind::RealTime
    };
    VariantList {
        kind,
        path: "productionVariants",
        variants: variants
            .iter()
            .enumerate()
            .map(|(i, variant)| {
                let at = |field: &str| format!("productionVariants[{i}].{field}");
                let compute = match (&variant.instance_type, &variant.serverless) {
                    (Some(instance_type), None) => {
                        Compute::Instances(Field::new(at("instanceType"), instance_type.as_str()))
                    }
                    (None, Some(compute)) => Compute::Serverless(ServerlessField {
                        path: at("serverless"),
                        compute: compute.clone(),
                        names: ["memorySizeInMb", "maxConcurrency", "provisionedConcurrency"],
                    }),
                    (None, None) => Compute::Missing(Field::new(
                        at("instanceType"),
                        "an instance type or serverless compute",
                    )),
                    (Some(_), Some(_)) => Compute::Both(at("serverless")),
                };
                VariantFields {
                    name: Field::new(at("variantName"), variant.variant_name.as_str()),
                    compute,
                }
            })
            .collect(),
        capacity_path: "initialCapacity",
        capacity: inputs
            .initial_capacity
            .iter()
            .map(|(variant, capacity)| CapacityFields {
                weight: Field::new(format!("initialCapacity.{variant}.weight"), capacity.weight),
                instance_count: capacity.instance_count.map(|count| {
                    Field::new(format!("initialCapacity.{variant}.instanceCount"), count)
                }),
            })
            .collect(),
        shared_serverless: None,
    }
}

/// What only an endpoint configuration can get wrong besides its variants:
/// capacity for a variant it does not have, serverless variants with
/// asynchronous inference or data capture, and those settings themselves.
fn check_settings(inputs: &EndpointConfigInputs, failures: &mut Failures) {
    let variants = &inputs.production_variants;
    for variant in inputs.initial_capacity.keys() {
        if !variants.iter().any(|v| &v.variant_name == variant) {
            failures.push(
                format!("initialCapacity.{variant}"),
                "names no variant of this endpoint",
            );
        }
    }
    let serverless = variants.iter().any(|v| v.serverless.is_some());
    if serverless && inputs.async_inference.is_some() {
        failures.push(
            "asyncInference",
            "serverless variants cannot serve asynchronous inference",
        );
    }
    if serverless && inputs.data_capture.is_some() {
        failures.push(
            "dataCapture",
            "serverless endpoints do not support data capture",
        );
    }
    if let Some(capture) = &inputs.data_capture {
        failures.require(
            capture.initial_sampling_percentage <= 100,
            "dataCapture.initialSamplingPercentage",
            "must be between 0 and 100",
        );
        failures.require(
            capture
                .destination_s3_uri
                .get()
                .is_none_or(|uri| uri.starts_with("s3://")),
            "dataCapture.destinationS3Uri",
            "must be an s3:// URI",
        );
        for mode in &capture.capture_modes {
            failures.require(
                mode == "Input" || mode == "Output",
                "dataCapture.captureModes",
                format!("`{mode}` is not Input or Output"),
            );
        }
    }
    if let Some(config) = &inputs.async_inference {
        failures.require(
            config
                .s3_output_path
                .get()
                .is_none_or(|path| path.starts_with("s3://")),
            "asyncInference.s3OutputPath",
            "must be an s3:// URI",
        );
        if let Some(n) = config.max_concurrent_invocations_per_instance {
            failures.require(
                (1..=1000).contains(&n),
                "asyncInference.maxConcurrentInvocationsPerInstance",
                format!("must be between 1 and 1000, got {n}"),
            );
        }
    }
}

#[async_trait]
impl CustomResource for EndpointConfig {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:sagemaker:EndpointConfig";
    const UPDATABLE: &'static [&'static str] = &["tags"];
    const IGNORED_IN_DIFF: &'static [&'static str] = &["initialCapacity"];
    /// The name hashes neither the tags nor the initial capacity (nor itself).
    const NOT_IN_COMPUTED_INPUTS: &'static [&'static str] =
        &["tags", "initialCapacity", "endpointConfigName"];

    type Inputs = EndpointConfigInputs;
    type Outputs = EndpointConfigOutputs;

    fn computed_inputs(
        &self,
        inputs: &EndpointConfigInputs,
    ) -> Vec<(&'static str, serde_json::Value)> {
        if inputs.endpoint_config_name.is_some() {
            return Vec::new();
        }
        vec![(
            "endpointConfigName",
            serde_json::Value::String(inputs.derived_name()),
        )]
    }

    fn check(&self, inputs: &EndpointConfigInputs) -> Failures {
        let mut failures = Failures::new();
        check_naming(
            &inputs.name_prefix,
            inputs.endpoint_config_name.as_deref(),
            ["namePrefix", "endpointConfigName"],
            &mut failures,
        );
        check_variants(&variant_list(inputs), &mut failures);
        check_settings(inputs, &mut failures);
        failures
    }

    fn check_change(&self, olds: &EndpointConfigInputs, news: &EndpointConfigInputs) -> Failures {
        let mut failures = Failures::new();
        // A generated name changes with the content; a set one does not.
        if olds.name() == news.name() {
            let changed = super::changed_fields(&olds.content(), &news.content());
            failures.require(
                changed.is_empty(),
                "endpointConfigName",
                format!(
                    "SageMaker endpoint configurations cannot change, and configuration {} would keep its name \
                     while its {} changed: give the new content a new endpointConfigName, or leave \
                     endpointConfigName unset (with a namePrefix) to name it by its content",
                    news.name(),
                    changed.join(", ")
                ),
            );
        }
        failures
    }

    async fn create(
        &self,
        ctx: &Context,
        inputs: &EndpointConfigInputs,
    ) -> Result<Created<EndpointConfigOutputs>> {
        let name = inputs.name();
        let mut request = ctx
            .clients
            .sagemaker
            .create_endpoint_config()
            .endpoint_config_name(&name)
            .set_tags(Some(sagemaker_tags(&ctx.clients.tags_with(&inputs.tags))));
        for variant in &inputs.production_variants {
            let capacity = inputs.initial_capacity.get(&variant.variant_name);
            let mut builder = ProductionVariant::builder()
                .variant_name(&variant.variant_name)
                .model_name(&variant.model_name)
                .initial_variant_weight(capacity.map_or(1.0, |c| c.weight) as f32);
            if let Some(instance_type) = &variant.instance_type {
                builder = builder
                    .instance_type(ProductionVariantInstanceType::from(instance_type.as_str()))
                    .initial_instance_count(
                        capacity.and_then(|c| c.instance_count).unwrap_or(1) as i32
                    );
            }
            if let Some(compute) = &variant.serverless {
                builder = builder.serverless_config(
                    ProductionVariantServerlessConfig::builder()
                        .memory_size_in_mb(compute.memory_size_in_mb as i32)
                        .max_concurrency(compute.max_concurrency as i32)
                        .set_provisioned_concurrency(
                            compute.provisioned_concurrency.map(|p| p as i32),
                        )
                        .build(),
                );
            }
            if let Some(seconds) = variant.container_startup_health_check_timeout_in_seconds {
                builder = builder.container_startup_health_check_timeout_in_seconds(seconds as i32);
            }
            request = request.production_variants(builder.build());
        }
        if let Some(key) = &inputs.kms_key_arn {
            request = request.kms_key_id(key);
        }
        if let Some(capture) = &inputs.data_capture {
            let mut builder = DataCaptureConfig::builder()
                .enable_capture(true)
                .initial_sampling_percentage(capture.initial_sampling_percentage as i32)
                .destination_s3_uri(&capture.destination_s3_uri);
            for mode in &capture.capture_modes {
                builder = builder.capture_options(
                    CaptureOption::builder()
                        .capture_mode(CaptureMode::from(mode.as_str()))
                        .build(),
                );
            }
            if let Some(key) = &capture.kms_key_arn {
                builder = builder.kms_key_id(key);
            }
            request = request.data_capture_config(builder.build());
        }
        if let Some(config) = &inputs.async_inference {
            let mut output = AsyncInferenceOutputConfig::builder()
                .s3_output_path(&config.s3_output_path)
                .set_s3_failure_path(config.s3_failure_path.as_ref().map(String::from))
                .set_kms_key_id(config.kms_key_arn.as_ref().map(String::from));
            if config.success_topic_arn.is_some() || config.error_topic_arn.is_some() {
                output = output.notification_config(
                    AsyncInferenceNotificationConfig::builder()
                        .set_success_topic(config.success_topic_arn.as_ref().map(String::from))
                        .set_error_topic(config.error_topic_arn.as_ref().map(String::from))
                        .build(),
                );
            }
            let mut builder = AsyncInferenceConfig::builder().output_config(output.build());
            if let Some(n) = config.max_concurrent_invocations_per_instance {
                builder = builder.client_config(
                    AsyncInferenceClientConfig::builder()
                        .max_concurrent_invocations_per_instance(n as i32)
                        .build(),
                );
            }
            request = request.async_inference_config(builder.build());
        }
        let clock = RequestClock::start();
        let created = request
            .send()
            .await
            .aws(Service::SageMaker, "CreateEndpointConfig")
            .map(|created| created.endpoint_config_arn().unwrap_or_default().to_owned());
        let arn = create_or_find(clock, created, || find_endpoint_config(ctx, &name)).await?;
        Ok(Created {
            id: name.clone(),
            outputs: EndpointConfigOutputs {
                inputs: EndpointConfigInputs {
                    endpoint_config_name: Some(name),
                    ..inputs.clone()
                },
                arn,
            },
        })
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &EndpointConfigOutputs,
    ) -> Result<ReadOutcome<EndpointConfigInputs, EndpointConfigOutputs>> {
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

    /// Rebuilds the configuration from DescribeEndpointConfig, named by its
    /// name, with its tags (the provider's default tags left out).
    async fn import(
        &self,
        ctx: &Context,
        id: &str,
    ) -> Result<ReadOutcome<EndpointConfigInputs, EndpointConfigOutputs>> {
        let Some(found) = ctx
            .clients
            .sagemaker
            .describe_endpoint_config()
            .endpoint_config_name(id)
            .send()
            .await
            .aws(Service::SageMaker, "DescribeEndpointConfig")
            .or_gone()?
        else {
            return Ok(ReadOutcome::Gone);
        };
        let arn = found.endpoint_config_arn().unwrap_or_default().to_owned();
        let variants = found.production_variants();
        let inputs = EndpointConfigInputs {
            name_prefix: String::new(),
            production_variants: variants.iter().map(imported_variant).collect(),
            initial_capacity: variants
                .iter()
                .map(|variant| {
                    let capacity = VariantCapacity {
                        weight: variant.initial_variant_weight().map_or(1.0, f64::from),
                        instance_count: variant
                            .initial_instance_count()
                            .map(|count| count.max(0) as u32),
                    };
                    (
                        variant.variant_name().unwrap_or_default().to_owned(),
                        capacity,
                    )
                })
                .collect(),
            kms_key_arn: found.kms_key_id().map(|key| Output::new(key.to_owned())),
            // A DataCaptureConfig names its destination and an
            // AsyncInferenceConfig its OutputConfig (API Reference, both
            // required): an empty one stands for none.
            data_capture: found
                .data_capture_config()
                .filter(|capture| capture.enable_capture().unwrap_or(true))
                .filter(|capture| {
                    capture
                        .destination_s3_uri()
                        .is_some_and(|uri| !uri.is_empty())
                })
                .map(imported_capture),
            async_inference: found
                .async_inference_config()
                .filter(|config| config.output_config().is_some())
                .map(imported_async),
            tags: ctx.clients.own_tags(live_tags(ctx, &arn).await?),
            endpoint_config_name: Some(found.endpoint_config_name().unwrap_or(id).to_owned()),
        };
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: EndpointConfigOutputs {
                inputs: inputs.clone(),
                arn,
            },
            inputs,
        })
    }

    async fn update(
        &self,
        ctx: &Context,
        _id: &str,
        olds: &EndpointConfigOutputs,
        news: &EndpointConfigInputs,
    ) -> Result<EndpointConfigOutputs> {
        // Only the tags are updatable; everything else (the initial
        // capacity too) stays as created.
        retag(ctx, &olds.arn, &olds.inputs.tags, &news.tags).await?;
        let mut outputs = olds.clone();
        outputs.inputs.tags = news.tags.clone();
        Ok(outputs)
    }

    async fn delete(
        &self,
        ctx: &Context,
        id: &str,
        _outputs: &EndpointConfigOutputs,
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

/// The endpoint configuration named `name` and when it was created, if it
/// exists.
async fn find_endpoint_config(
    ctx: &Context,
    name: &str,
) -> std::result::Result<Option<(String, SystemTime)>, AwsError> {
    let found = ctx
        .clients
        .sagemaker
        .describe_endpoint_config()
        .endpoint_config_name(name)
        .send()
        .await
        .aws(Service::SageMaker, "DescribeEndpointConfig")
        .or_gone()?;
    Ok(found.map(|config| {
        (
            config.endpoint_config_arn().unwrap_or_default().to_owned(),
            system_time(config.creation_time()),
        )
    }))
}

/// A count or size SageMaker reports (never negative, absent as 0).
fn whole(number: Option<i32>) -> u32 {
    number.unwrap_or(0).max(0) as u32
}

/// A variant as DescribeEndpointConfig shows it.
fn imported_variant(variant: &ProductionVariant) -> VariantSpec {
    VariantSpec {
        variant_name: variant.variant_name().unwrap_or_default().to_owned(),
        model_name: Output::new(variant.model_name().unwrap_or_default().to_owned()),
        instance_type: variant.instance_type().map(|t| t.as_str().to_owned()),
        serverless: variant
            .serverless_config()
            .map(|compute| ServerlessCompute {
                memory_size_in_mb: whole(compute.memory_size_in_mb()),
                max_concurrency: whole(compute.max_concurrency()),
                provisioned_concurrency: compute.provisioned_concurrency().map(|p| whole(Some(p))),
            }),
        container_startup_health_check_timeout_in_seconds: variant
            .container_startup_health_check_timeout_in_seconds()
            .map(|seconds| seconds.max(0) as u32),
    }
}

/// Data capture as DescribeEndpointConfig shows it.
fn imported_capture(capture: &DataCaptureConfig) -> DataCapture {
    DataCapture {
        destination_s3_uri: Output::new(
            capture.destination_s3_uri().unwrap_or_default().to_owned(),
        ),
        initial_sampling_percentage: whole(capture.initial_sampling_percentage()),
        capture_modes: capture
            .capture_options()
            .iter()
            .filter_map(|option| option.capture_mode())
            .map(|mode| mode.as_str().to_owned())
            .collect(),
        kms_key_arn: capture.kms_key_id().map(|key| Output::new(key.to_owned())),
    }
}

/// Asynchronous inference as DescribeEndpointConfig shows it.
fn imported_async(config: &AsyncInferenceConfig) -> AsyncInference {
    let output = config.output_config();
    let notification = output.and_then(|o| o.notification_config());
    let owned = |text: Option<&str>| text.map(|t| Output::new(t.to_owned()));
    AsyncInference {
        s3_output_path: Output::new(
            output
                .and_then(|o| o.s3_output_path())
                .unwrap_or_default()
                .to_owned(),
        ),
        s3_failure_path: owned(output.and_then(|o| o.s3_failure_path())),
        kms_key_arn: owned(output.and_then(|o| o.kms_key_id())),
        max_concurrent_invocations_per_instance: config
            .client_config()
            .and_then(|c| c.max_concurrent_invocations_per_instance())
            .map(|n| n.max(0) as u32),
        success_topic_arn: owned(notification.and_then(|n| n.success_topic())),
        error_topic_arn: owned(notification.and_then(|n| n.error_topic())),
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_sagemaker::Client;
    use aws_sdk_sagemaker::operation::add_tags::AddTagsOutput;
    use aws_sdk_sagemaker::operation::describe_endpoint_config::{
        DescribeEndpointConfigError, DescribeEndpointConfigOutput,
    };
    use aws_smithy_mocks::mock;

    use super::super::model::tests::{
        checked_diff, context, could_not_find, tags_updated_in_place,
    };
    use super::*;

    pub(crate) fn variant(name: &str) -> VariantSpec {
        VariantSpec {
            variant_name: name.into(),
            model_name: format!("{name}-model").into(),
            instance_type: Some("ml.m5.large".into()),
            serverless: None,
            container_startup_health_check_timeout_in_seconds: None,
        }
    }

    fn config(variants: Vec<VariantSpec>) -> EndpointConfigInputs {
        EndpointConfigInputs {
            name_prefix: "fraud-endpoint".into(),
            initial_capacity: variants
                .iter()
                .map(|v| {
                    (
                        v.variant_name.clone(),
                        VariantCapacity {
                            weight: 1.0,
                            instance_count: Some(1),
                        },
                    )
                })
                .collect(),
            production_variants: variants,
            kms_key_arn: None,
            data_capture: None,
            async_inference: None,
            tags: Tags::new(),
            endpoint_config_name: None,
        }
    }

    fn properties(failures: &Failures) -> Vec<String> {
        failures.0.iter().map(|f| f.property.clone()).collect()
    }

    #[test]
    fn the_name_hashes_content_but_not_capacity() {
        let a = config(vec![variant("a")]);
        let mut weights_only = a.clone();
        weights_only.initial_capacity.get_mut("a").unwrap().weight = 5.0;
        let mut new_model = a.clone();
        new_model.production_variants[0].model_name = "a-model-v2".into();
        assert_eq!(a.derived_name(), weights_only.derived_name());
        assert_ne!(a.derived_name(), new_model.derived_name());
        assert!(a.derived_name().len() <= 63);
    }

    #[test]
    fn the_name_ignores_tags() {
        let a = config(vec![variant("a")]);
        let mut retagged = a.clone();
        retagged.tags.insert("env".into(), "prod".into());
        assert_eq!(a.derived_name(), retagged.derived_name());
    }

    #[test]
    fn tags_update_in_place_and_variants_replace() {
        let a = config(vec![variant("a")]);
        let mut retagged = a.clone();
        retagged.tags.insert("env".into(), "prod".into());
        retagged.initial_capacity.get_mut("a").unwrap().weight = 3.0;
        assert_eq!(
            checked_diff(EndpointConfig, &a, &retagged).changes,
            tags_updated_in_place()
        );
        let mut new_model = a.clone();
        new_model.production_variants[0].model_name = "a-model-v2".into();
        let changes = checked_diff(EndpointConfig, &a, &new_model).changes;
        assert!(
            changes
                .iter()
                .any(|c| c.field == "productionVariants" && c.replace)
        );
        assert!(
            changes
                .iter()
                .any(|c| c.field == "endpointConfigName" && c.replace)
        );
    }

    #[test]
    fn a_configuration_named_by_hand_keeps_its_content_but_not_its_capacity() {
        let named = EndpointConfigInputs {
            name_prefix: String::new(),
            endpoint_config_name: Some("fraud-config-v1".into()),
            ..config(vec![variant("a")])
        };
        assert!(EndpointConfig.check(&named).is_empty());
        let mut rescaled = named.clone();
        rescaled.initial_capacity.get_mut("a").unwrap().weight = 4.0;
        assert!(EndpointConfig.check_change(&named, &rescaled).is_empty());
        let mut new_model = named.clone();
        new_model.production_variants[0].model_name = "a-model-v2".into();
        let failures = EndpointConfig.check_change(&named, &new_model).0;
        assert_eq!(
            properties(&Failures(failures.clone())),
            ["endpointConfigName"]
        );
        assert!(
            failures[0].reason.contains(
                "configuration fraud-config-v1 would keep its name while its productionVariants changed"
            ),
            "{}",
            failures[0].reason
        );
    }

    #[tokio::test]
    async fn import_rebuilds_variants_capture_and_async_settings() {
        use aws_sdk_sagemaker::operation::list_tags::ListTagsOutput;
        use aws_sdk_sagemaker::types::{
            AsyncInferenceNotificationConfig, CaptureOption, DataCaptureConfig, Tag,
        };
        let arn = "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/fraud-config-v1";
        let describe = mock!(Client::describe_endpoint_config).then_output(move || {
            DescribeEndpointConfigOutput::builder()
                .endpoint_config_name("fraud-config-v1")
                .endpoint_config_arn(arn)
                .production_variants(
                    ProductionVariant::builder()
                        .variant_name("a")
                        .model_name("a-model")
                        .instance_type(ProductionVariantInstanceType::MlM5Large)
                        .initial_instance_count(2)
                        .initial_variant_weight(3.0)
                        .build(),
                )
                .kms_key_id("arn:aws:kms:us-east-1:123456789012:key/k")
                .data_capture_config(
                    DataCaptureConfig::builder()
                        .enable_capture(true)
                        .initial_sampling_percentage(20)
                        .destination_s3_uri("s3://capture/fraud")
                        .capture_options(
                            CaptureOption::builder()
                                .capture_mode(CaptureMode::Input)
                                .build(),
                        )
                        .build(),
                )
                .async_inference_config(
                    AsyncInferenceConfig::builder()
                        .output_config(
                            AsyncInferenceOutputConfig::builder()
                                .s3_output_path("s3://out/fraud")
                                .notification_config(
                                    AsyncInferenceNotificationConfig::builder()
                                        .success_topic("arn:aws:sns:us-east-1:123456789012:ok")
                                        .build(),
                                )
                                .build(),
                        )
                        .client_config(
                            AsyncInferenceClientConfig::builder()
                                .max_concurrent_invocations_per_instance(5)
                                .build(),
                        )
                        .build(),
                )
                .build()
        });
        let tags = mock!(Client::list_tags).then_output(|| {
            ListTagsOutput::builder()
                .tags(Tag::builder().key("team").value("ml").build())
                .build()
        });
        let ctx = context(&[&describe, &tags]).await;
        let ReadOutcome::Found {
            inputs, outputs, ..
        } = EndpointConfig
            .import(&ctx, "fraud-config-v1")
            .await
            .unwrap()
        else {
            panic!("the configuration exists");
        };
        let expected = EndpointConfigInputs {
            name_prefix: String::new(),
            production_variants: vec![variant("a")],
            initial_capacity: [(
                "a".to_owned(),
                VariantCapacity {
                    weight: 3.0,
                    instance_count: Some(2),
                },
            )]
            .into(),
            kms_key_arn: Some("arn:aws:kms:us-east-1:123456789012:key/k".into()),
            data_capture: Some(DataCapture {
                destination_s3_uri: "s3://capture/fraud".into(),
                initial_sampling_percentage: 20,
                capture_modes: vec!["Input".into()],
                kms_key_arn: None,
            }),
            async_inference: Some(AsyncInference {
                s3_output_path: "s3://out/fraud".into(),
                s3_failure_path: None,
                kms_key_arn: None,
                max_concurrent_invocations_per_instance: Some(5),
                success_topic_arn: Some("arn:aws:sns:us-east-1:123456789012:ok".into()),
                error_topic_arn: None,
            }),
            // team=ml is the provider's default tag.
            tags: Tags::new(),
            endpoint_config_name: Some("fraud-config-v1".into()),
        };
        assert_eq!(inputs, expected);
        assert_eq!(outputs.arn, arn);
        // What a program declaring the same would check to.
        assert!(EndpointConfig.check(&expected).is_empty());
    }

    fn created() -> EndpointConfigOutputs {
        let inputs = config(vec![variant("a")]);
        EndpointConfigOutputs {
            inputs: EndpointConfigInputs {
                endpoint_config_name: Some(inputs.derived_name()),
                ..inputs
            },
            arn: "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/fraud-endpoint-x".into(),
        }
    }

    #[tokio::test]
    async fn read_reports_existence_only() {
        let found = mock!(Client::describe_endpoint_config).then_output(|| {
            DescribeEndpointConfigOutput::builder()
                .endpoint_config_name("fraud-endpoint-x")
                .build()
        });
        let ctx = context(&[&found]).await;
        let recorded = created();
        match EndpointConfig
            .read(&ctx, "fraud-endpoint-x", &recorded)
            .await
            .unwrap()
        {
            ReadOutcome::Found {
                inputs, outputs, ..
            } => {
                assert_eq!(inputs, recorded.inputs);
                assert_eq!(outputs, recorded);
            }
            ReadOutcome::Gone => panic!("the configuration exists"),
        }
        let gone = mock!(Client::describe_endpoint_config).then_error(|| {
            DescribeEndpointConfigError::generic(could_not_find(
                "endpoint configuration \"fraud-endpoint-x\"",
            ))
        });
        let ctx = context(&[&gone]).await;
        let outcome = EndpointConfig
            .read(&ctx, "fraud-endpoint-x", &recorded)
            .await
            .unwrap();
        assert!(matches!(outcome, ReadOutcome::Gone));
    }

    #[tokio::test]
    async fn update_retags_and_keeps_everything_else() {
        let add = mock!(Client::add_tags)
            .match_requests(|req| {
                req.resource_arn()
                    .is_some_and(|arn| arn.contains("endpoint-config/"))
                    && req.tags().len() == 2
            })
            .then_output(|| AddTagsOutput::builder().build());
        let ctx = context(&[&add]).await;
        let olds = created();
        let mut news = olds.inputs.clone();
        news.tags.insert("env".into(), "prod".into());
        news.initial_capacity.get_mut("a").unwrap().weight = 3.0;
        let outputs = EndpointConfig
            .update(&ctx, "fraud-endpoint-x", &olds, &news)
            .await
            .unwrap();
        assert_eq!(add.num_calls(), 1);
        assert_eq!(outputs.inputs.tags, news.tags);
        assert_eq!(
            outputs.inputs.initial_capacity,
            olds.inputs.initial_capacity
        );
        assert_eq!(
            outputs.inputs.endpoint_config_name,
            olds.inputs.endpoint_config_name
        );
    }

    #[test]
    fn eleven_variants_fail_and_ten_pass() {
        let ten = config((0..10).map(|i| variant(&format!("v{i}"))).collect());
        assert!(EndpointConfig.check(&ten).is_empty());
        let eleven = config((0..11).map(|i| variant(&format!("v{i}"))).collect());
        assert_eq!(
            properties(&EndpointConfig.check(&eleven)),
            ["productionVariants"]
        );
    }

    #[test]
    fn serverless_rules_are_enforced() {
        let serverless = |memory, concurrency, provisioned| VariantSpec {
            instance_type: None,
            serverless: Some(ServerlessCompute {
                memory_size_in_mb: memory,
                max_concurrency: concurrency,
                provisioned_concurrency: provisioned,
            }),
            ..variant("s")
        };
        let mut inputs = config(vec![serverless(1500, 201, Some(300))]);
        inputs.initial_capacity.clear();
        assert_eq!(
            properties(&EndpointConfig.check(&inputs)),
            [
                "productionVariants[0].serverless.memorySizeInMb",
                "productionVariants[0].serverless.maxConcurrency",
                "productionVariants[0].serverless.provisionedConcurrency"
            ]
        );
        let mut six = config(
            (0..6)
                .map(|i| VariantSpec {
                    variant_name: format!("s{i}"),
                    ..serverless(2048, 5, None)
                })
                .collect(),
        );
        six.initial_capacity.clear();
        assert_eq!(
            properties(&EndpointConfig.check(&six)),
            ["productionVariants"]
        );
        let mut mixed = config(vec![variant("a"), serverless(2048, 5, None)]);
        mixed.initial_capacity.remove("s");
        assert!(
            properties(&EndpointConfig.check(&mixed)).contains(&"productionVariants".to_string())
        );
    }

    #[test]
    fn weights_duplicates_and_instance_types_are_checked() {
        let mut inputs = config(vec![variant("a"), variant("a")]);
        inputs.production_variants[1].instance_type = Some("m5.large".into());
        inputs.initial_capacity.get_mut("a").unwrap().weight = 0.0;
        let found = properties(&EndpointConfig.check(&inputs));
        assert!(found.contains(&"productionVariants[1].variantName".to_string()));
        assert!(found.contains(&"productionVariants[1].instanceType".to_string()));
        assert!(found.contains(&"initialCapacity".to_string()));
        let mut negative = config(vec![variant("a")]);
        negative.initial_capacity.get_mut("a").unwrap().weight = -1.0;
        assert_eq!(
            properties(&EndpointConfig.check(&negative)),
            ["initialCapacity.a.weight"]
        );
    }

    #[test]
    fn each_variant_runs_on_instances_or_serverless_compute() {
        let mut inputs = config(vec![variant("a"), variant("b")]);
        inputs.production_variants[0].instance_type = None;
        inputs.production_variants[1].serverless = Some(ServerlessCompute {
            memory_size_in_mb: 2048,
            max_concurrency: 5,
            provisioned_concurrency: None,
        });
        assert_eq!(
            properties(&EndpointConfig.check(&inputs)),
            [
                // With a serverless variant, one variant is all AWS allows.
                "productionVariants",
                "productionVariants[0].instanceType",
                "productionVariants[1].serverless"
            ]
        );
    }
}
