//! `sagemaker-deployment:index:SageMakerEndpoint`: the seed's
//! SageMakerEndpointStack, a real-time endpoint with autoscaling.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::endpoint_builder::{
    EndpointBuilder, EndpointComponentOutputs, EndpointPlan, VariantAutoscaling,
};
use super::endpoint_checks::{check_autoscaling, check_endpoint};
use super::model_config::ModelSpec;
use crate::Scope;
use crate::resources::Tags;
use crate::resources::autoscaling::TargetTracking;
use crate::resources::sagemaker::endpoint::RolloutPolicy;
use crate::resources::sagemaker::endpoint_config::DataCapture;
use crate::resources::sagemaker::variant_rules::EndpointKind;
use framework::Result;
use framework::{Component, Failures, Output};

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
    /// Name of the models' execution role (BaseInfra's `executionRoleName`).
    /// SageMaker reads a rollout's rollback alarms with it, so it is granted
    /// `cloudwatch:DescribeAlarms` on exactly those alarms. Without it, a
    /// rollout needs that permission on the role already.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_role_name: Option<Output<String>>,
    /// Tags on every resource.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// Target-tracking autoscaling of each variant's instance count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AutoscalingArgs {
    /// Fewest instances per variant.
    #[serde(default = "one")]
    pub min_capacity: u32,
    /// Most instances per variant.
    pub max_capacity: u32,
    /// Invocations per instance per minute to hold (real-time endpoints).
    #[serde(default = "default_invocations")]
    pub target_invocations_per_instance: f64,
    /// Seconds after a scale-in before the next.
    #[serde(default = "default_scale_in")]
    pub scale_in_cooldown_seconds: u32,
    /// Seconds after a scale-out before the next.
    #[serde(default = "default_scale_out")]
    pub scale_out_cooldown_seconds: u32,
}

fn one() -> u32 {
    1
}

fn default_invocations() -> f64 {
    70.0
}

fn default_scale_in() -> u32 {
    300
}

fn default_scale_out() -> u32 {
    60
}

impl AutoscalingArgs {
    /// Each variant tracks SageMaker's invocations per instance.
    fn variant_autoscaling(&self) -> VariantAutoscaling {
        VariantAutoscaling {
            min_capacity: self.min_capacity,
            max_capacity: self.max_capacity,
            policy_suffix: "invocations",
            tracking: TargetTracking {
                target_value: self.target_invocations_per_instance,
                predefined_metric: Some("SageMakerVariantInvocationsPerInstance".to_owned()),
                custom_metric: None,
                scale_in_cooldown: Some(self.scale_in_cooldown_seconds),
                scale_out_cooldown: Some(self.scale_out_cooldown_seconds),
            },
        }
    }
}

impl SageMakerEndpointArgs {
    /// Requests and responses captured under
    /// `s3://<bucket>/data-capture/<endpoint>`, when a bucket is given.
    pub(crate) fn data_capture(&self) -> Option<DataCapture> {
        let bucket = self.data_capture_bucket_name.clone()?;
        let endpoint = self.endpoint_name.clone();
        Some(DataCapture {
            destination_s3_uri: bucket
                .map(move |bucket| format!("s3://{bucket}/data-capture/{endpoint}")),
            initial_sampling_percentage: self.data_capture_sampling_percentage.unwrap_or(100),
            capture_modes: DataCapture::default_modes(),
            kms_key_arn: self.kms_key_arn.clone(),
        })
    }
}

/// The SageMakerEndpoint component.
pub struct SageMakerEndpoint;

#[async_trait]
impl Component for SageMakerEndpoint {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:index:SageMakerEndpoint";

    type Inputs = SageMakerEndpointArgs;
    type Outputs = EndpointComponentOutputs;

    fn check(&self, args: &SageMakerEndpointArgs) -> Failures {
        let mut failures = Failures::new();
        check_endpoint(
            EndpointKind::RealTime,
            &args.endpoint_name,
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
    ) -> Result<EndpointComponentOutputs> {
        let plan = EndpointPlan {
            component: name,
            endpoint_name: &args.endpoint_name,
            kind: EndpointKind::RealTime,
            models: &args.model_list,
            serverless: None,
            model_names: args.model_names.clone(),
            tags: &args.tags,
        };
        let built = EndpointBuilder::new(scope, plan)
            .kms_key(args.kms_key_arn.clone())
            .data_capture(args.data_capture())
            .rollout(args.rollout.clone())
            .execution_role(args.execution_role_name.clone())
            .autoscaling(
                args.autoscaling
                    .as_ref()
                    .map(AutoscalingArgs::variant_autoscaling),
            )
            .build()
            .await?;
        Ok(built.outputs())
    }
}
