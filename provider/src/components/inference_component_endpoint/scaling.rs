//! Scaling a component's copies: a scalable target, target tracking on
//! concurrent requests per copy and, when the copies may reach zero, the
//! wake-up (a step policy run by a `NoCapacityInvocationFailures` alarm).
//!
//! Source: SageMaker Developer Guide, "Scale an endpoint to zero
//! instances": register `inference-component/<name>` on
//! `sagemaker:inference-component:DesiredCopyCount` with minimum 0, track
//! `SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution`,
//! and add one copy through a step policy when the
//! `NoCapacityInvocationFailures` alarm (dimension InferenceComponentName)
//! is at or above 1.

use super::settings::CopyScaling;
use crate::Scope;
use crate::resources::autoscaling::{
    ScalableTarget, ScalableTargetInputs, ScalingPolicy, ScalingPolicyInputs, Step, StepScaling,
    TargetTracking,
};
use crate::resources::cloudwatch::{
    ComparisonOperator, MetricAlarm, MetricAlarmInputs, Statistic, TreatMissingData,
};
use crate::resources::sagemaker::inference_component::InferenceComponent;
use framework::{Child, ChildOptions, Output, Result};

/// What Application Auto Scaling scales: a component's copies.
pub const COPY_DIMENSION: &str = "sagemaker:inference-component:DesiredCopyCount";
/// The predefined metric of concurrent requests per copy.
pub const CONCURRENCY_METRIC: &str =
    "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution";
/// The metric of requests refused for want of a copy.
pub const NO_CAPACITY_METRIC: &str = "NoCapacityInvocationFailures";

/// `inference-component/<name>`.
pub fn component_resource_id(component: &str) -> String {
    format!("inference-component/{component}")
}

/// Registers the scaling of component `name` (child names start with
/// `child`), after the component.
pub async fn register_scaling(
    scope: &Scope,
    child: &str,
    name: &str,
    component: &Child<InferenceComponent>,
    scaling: &CopyScaling,
) -> Result<()> {
    let resource_id = || Output::new(component_resource_id(name));
    let target = scope
        .resource::<ScalableTarget>(
            &format!("{child}-target"),
            &ScalableTargetInputs {
                resource_id: resource_id().depending_on(component.urn.clone()),
                scalable_dimension: COPY_DIMENSION.to_owned(),
                service_namespace: "sagemaker".to_owned(),
                min_capacity: scaling.min_copies,
                max_capacity: scaling.max_copies,
                instance_type: None,
            },
            ChildOptions {
                depends_on: vec![component.urn.clone()],
                ..Default::default()
            },
        )
        .await?;
    let policy = |policy_name: String,
                  target_tracking: Option<TargetTracking>,
                  step_scaling: Option<StepScaling>| ScalingPolicyInputs {
        policy_name,
        resource_id: resource_id().depending_on(target.urn.clone()),
        scalable_dimension: COPY_DIMENSION.to_owned(),
        service_namespace: "sagemaker".to_owned(),
        target_tracking,
        step_scaling,
    };
    let after_target = || ChildOptions {
        depends_on: vec![target.urn.clone()],
        ..Default::default()
    };
    scope
        .resource::<ScalingPolicy>(
            &format!("{child}-concurrency"),
            &policy(
                format!("{name}-concurrency"),
                Some(TargetTracking {
                    target_value: scaling.target_concurrent_requests_per_copy,
                    predefined_metric: Some(CONCURRENCY_METRIC.to_owned()),
                    custom_metric: None,
                    scale_in_cooldown: Some(scaling.scale_in_cooldown),
                    scale_out_cooldown: Some(scaling.scale_out_cooldown),
                }),
                None,
            ),
            after_target(),
        )
        .await?;
    if scaling.min_copies > 0 {
        return Ok(());
    }
    let wake_up = scope
        .resource::<ScalingPolicy>(
            &format!("{child}-wake-up"),
            &policy(
                format!("{name}-wake-up"),
                None,
                Some(StepScaling {
                    adjustment_type: "ChangeInCapacity".to_owned(),
                    cooldown: Some(scaling.scale_out_cooldown),
                    metric_aggregation_type: Some("Maximum".to_owned()),
                    steps: vec![Step {
                        lower_bound: Some(0.0),
                        upper_bound: None,
                        scaling_adjustment: 1,
                    }],
                }),
            ),
            after_target(),
        )
        .await?;
    let alarm = MetricAlarmInputs {
        alarm_name: format!("{name}-no-capacity"),
        alarm_description: format!(
            "Wakes inference component {name} from zero copies when requests find no copy"
        ),
        metric_name: NO_CAPACITY_METRIC.to_owned(),
        namespace: "AWS/SageMaker".to_owned(),
        statistic: Some(Statistic::Maximum),
        extended_statistic: None,
        dimensions: [("InferenceComponentName".to_owned(), name.to_owned())]
            .into_iter()
            .collect(),
        period: 30,
        evaluation_periods: 1,
        threshold: 1.0,
        comparison_operator: ComparisonOperator::GreaterThanOrEqualToThreshold,
        treat_missing_data: TreatMissingData::Missing,
        alarm_actions: vec![wake_up.output("policyArn")],
    };
    scope
        .resource::<MetricAlarm>(
            &format!("{child}-wake-up-alarm"),
            &alarm,
            ChildOptions::default(),
        )
        .await?;
    Ok(())
}
