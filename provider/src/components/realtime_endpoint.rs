//! `sagemaker-deployment:index:SageMakerEndpoint`: the seed's
//! SageMakerEndpointStack, a real-time endpoint with autoscaling.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::endpoint_parts::{
    AutoscalingArgs, ConfigExtras, EndpointPlan, check_autoscaling, check_endpoint_name,
    register_config, register_endpoint, register_targets, register_tracking,
};
use super::model_config::{EndpointKind, ModelSpec, check_variants};
use crate::Scope;
use crate::resources::Tags;
use crate::resources::autoscaling::TargetTracking;
use crate::resources::sagemaker::endpoint::{Endpoint, RolloutPolicy};
use crate::resources::sagemaker::endpoint_config::{DataCapture, EndpointConfig};
use framework::Result;
use framework::{Child, Component, Failures, Output};

/// A real-time SageMaker endpoint: one endpoint configuration with a
/// variant per `modelList` entry (up to 10), encrypted with the given key,
/// optional data capture, and target-tracking autoscaling per variant. New
/// model versions roll out in place, verified; weight or count changes alone
/// apply without a new configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SageMakerEndpointArgs {
    /// The endpoint name (the seed's `sageMakerEndpointName`).
    pub endpoint_name: String,
    /// The variants (the seed's `modelList`).
    pub model_list: Vec<ModelSpec>,
    /// SageMaker model names in `modelList` order (SageMakerModel's `modelNames`).
    pub model_names: Output<Vec<String>>,
    /// KMS key for the instances' storage (BaseInfra's `kmsKeyArn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<Output<String>>,
    /// Bucket for captured requests and responses; no capture when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_capture_bucket_name: Option<Output<String>>,
    /// Percentage of requests captured (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_capture_sampling_percentage: Option<u32>,
    /// Target-tracking autoscaling per variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<AutoscalingArgs>,
    /// Blue/green rollout of configuration changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout: Option<RolloutPolicy>,
    /// Tags on every resource.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// What SageMakerEndpoint made.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointOutputs {
    /// The endpoint name.
    pub endpoint_name: Output<String>,
    /// The endpoint ARN.
    pub endpoint_arn: Output<String>,
    /// The configuration the endpoint runs.
    pub endpoint_config_name: Output<String>,
}

impl EndpointOutputs {
    /// The outputs of `endpoint`, which runs `config`.
    pub fn of(endpoint: &Child<Endpoint>, config: &Child<EndpointConfig>) -> Self {
        EndpointOutputs {
            endpoint_name: endpoint.output("endpointName"),
            endpoint_arn: endpoint.output("arn"),
            endpoint_config_name: config.output("endpointConfigName"),
        }
    }
}

/// The SageMakerEndpoint component.
pub struct SageMakerEndpoint;

#[async_trait]
impl Component for SageMakerEndpoint {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:index:SageMakerEndpoint";

    type Inputs = SageMakerEndpointArgs;
    type Outputs = EndpointOutputs;

    fn check(&self, args: &SageMakerEndpointArgs) -> Failures {
        let mut failures = Failures::new();
        check_endpoint_name(&args.endpoint_name, &mut failures);
        check_variants(
            EndpointKind::RealTime,
            &args.model_list,
            None,
            &mut failures,
        );
        if let Some(scaling) = &args.autoscaling {
            check_autoscaling(
                scaling.min_capacity,
                scaling.max_capacity,
                1,
                &args.model_list,
                &mut failures,
            );
            failures.require(
                scaling.target_invocations_per_instance > 0.0,
                "autoscaling.targetInvocationsPerInstance",
                "must be greater than 0",
            );
        }
        if let Some(percent) = args.data_capture_sampling_percentage {
            failures.require(
                percent <= 100,
                "dataCaptureSamplingPercentage",
                "must be between 0 and 100",
            );
        }
        failures
    }

    async fn construct(
        &self,
        scope: &Scope,
        name: &str,
        args: SageMakerEndpointArgs,
    ) -> Result<EndpointOutputs> {
        let plan = EndpointPlan {
            component: name,
            endpoint_name: &args.endpoint_name,
            kind: EndpointKind::RealTime,
            models: &args.model_list,
            serverless: None,
            model_names: args.model_names.clone(),
            tags: &args.tags,
        };
        let data_capture = args.data_capture_bucket_name.clone().map(|bucket| {
            let endpoint = args.endpoint_name.clone();
            DataCapture {
                destination_s3_uri: bucket
                    .map(move |bucket| format!("s3://{bucket}/data-capture/{endpoint}")),
                initial_sampling_percentage: args.data_capture_sampling_percentage.unwrap_or(100),
                capture_modes: DataCapture::default_modes(),
                kms_key_arn: args.kms_key_arn.clone(),
            }
        });
        let extras = ConfigExtras {
            kms_key_arn: args.kms_key_arn.clone(),
            data_capture,
            async_inference: None,
        };
        let config = register_config(scope, &plan, extras).await?;
        let endpoint = register_endpoint(
            scope,
            &plan,
            &config,
            args.autoscaling.is_some(),
            args.rollout.clone(),
        )
        .await?;
        if let Some(scaling) = &args.autoscaling {
            let targets = register_targets(
                scope,
                &plan,
                &endpoint,
                scaling.min_capacity,
                scaling.max_capacity,
            )
            .await?;
            register_tracking(scope, &plan, &targets, "invocations", |_| TargetTracking {
                target_value: scaling.target_invocations_per_instance,
                predefined_metric: Some("SageMakerVariantInvocationsPerInstance".to_owned()),
                custom_metric: None,
                scale_in_cooldown: Some(scaling.scale_in_cooldown_seconds),
                scale_out_cooldown: Some(scaling.scale_out_cooldown_seconds),
            })
            .await?;
        }
        Ok(EndpointOutputs::of(&endpoint, &config))
    }
}
