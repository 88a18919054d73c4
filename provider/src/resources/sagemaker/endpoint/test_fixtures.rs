//! Endpoints, SageMaker answers and rollout policies that the endpoint's
//! unit tests share.

use aws_sdk_sagemaker::error::ErrorMetadata;
use aws_sdk_sagemaker::operation::describe_endpoint::DescribeEndpointOutput;
use aws_sdk_sagemaker::operation::update_endpoint::UpdateEndpointOutput;
use aws_sdk_sagemaker::operation::update_endpoint_weights_and_capacities::UpdateEndpointWeightsAndCapacitiesOutput;
use aws_sdk_sagemaker::types::{EndpointStatus, ProductionVariantSummary};

use super::{
    EndpointInputs, EndpointOutputs, RolloutPolicy, ShiftSize, ShiftSizeUnit, TrafficShift,
};
use crate::resources::Tags;

/// Endpoint `fraud` running `config` with one autoscaled variant,
/// `primary`: weight 1, 2 instances.
pub(super) fn running(config: &str) -> EndpointOutputs {
    EndpointOutputs {
        inputs: EndpointInputs {
            endpoint_name: "fraud".into(),
            endpoint_config_name: config.into(),
            variant_weights: [("primary".to_owned(), 1.0)].into_iter().collect(),
            variant_instance_counts: [("primary".to_owned(), 2)].into_iter().collect(),
            variant_instance_types: [("primary".to_owned(), "ml.m5.large".to_owned())]
                .into_iter()
                .collect(),
            autoscaling_managed: true,
            rollout: None,
            tags: Tags::new(),
        },
        arn: "arn:aws:sagemaker:us-east-1:1:endpoint/fraud".into(),
        endpoint_status: "InService".into(),
        failure_reason: None,
        workflow_base_config_name: None,
    }
}

/// Endpoint `fraud` running `config` without autoscaling: `primary`
/// (weight 1, 2 instances) and `shadow` (weight 1, 1 instance).
pub(super) fn manual(config: &str) -> EndpointOutputs {
    let mut outputs = running(config);
    outputs.inputs.autoscaling_managed = false;
    outputs
        .inputs
        .variant_weights
        .insert("shadow".to_owned(), 1.0);
    outputs
        .inputs
        .variant_instance_counts
        .insert("shadow".to_owned(), 1);
    outputs
}

/// DescribeEndpoint's answer for `fraud` InService with `config`.
pub(super) fn described(config: &str, reason: Option<&str>) -> DescribeEndpointOutput {
    described_as(config, EndpointStatus::InService, reason)
}

/// DescribeEndpoint's answer for `fraud` in `status` with `config`.
pub(super) fn described_as(
    config: &str,
    status: EndpointStatus,
    reason: Option<&str>,
) -> DescribeEndpointOutput {
    DescribeEndpointOutput::builder()
        .endpoint_name("fraud")
        .endpoint_config_name(config)
        .endpoint_status(status)
        .set_failure_reason(reason.map(str::to_owned))
        .build()
}

/// DescribeEndpoint's answer for `fraud` InService with `config`, serving
/// `variants`: (name, current weight, current instance count).
pub(super) fn serving(
    config: &str,
    variants: &[(&str, f32, Option<i32>)],
) -> DescribeEndpointOutput {
    let mut described = described(config, None);
    described.production_variants = Some(
        variants
            .iter()
            .map(|(name, weight, count)| {
                ProductionVariantSummary::builder()
                    .variant_name(*name)
                    .current_weight(*weight)
                    .set_current_instance_count(*count)
                    .build()
            })
            .collect(),
    );
    described
}

/// An AWS error with `code` and `message`.
pub(super) fn error(code: &str, message: &str) -> ErrorMetadata {
    ErrorMetadata::builder().code(code).message(message).build()
}

/// UpdateEndpoint's answer.
pub(super) fn updated() -> UpdateEndpointOutput {
    UpdateEndpointOutput::builder().endpoint_arn("arn").build()
}

/// UpdateEndpointWeightsAndCapacities's answer.
pub(super) fn weights_updated() -> UpdateEndpointWeightsAndCapacitiesOutput {
    UpdateEndpointWeightsAndCapacitiesOutput::builder()
        .endpoint_arn("arn")
        .build()
}

/// A canary rollout of `percent` percent, rolled back by alarm
/// `fraud-5xx`.
pub(super) fn canary(percent: u32) -> RolloutPolicy {
    RolloutPolicy {
        traffic_shift: TrafficShift::Canary,
        wait_interval_in_seconds: 60,
        canary_size: Some(ShiftSize {
            unit: ShiftSizeUnit::CapacityPercent,
            value: percent,
        }),
        linear_step_size: None,
        termination_wait_in_seconds: None,
        maximum_execution_timeout_in_seconds: None,
        rollback_alarm_names: vec!["fraud-5xx".into()],
    }
}
