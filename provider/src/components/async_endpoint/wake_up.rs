//! Waking an asynchronous endpoint scaled to zero instances.

use super::AsyncAutoscalingArgs;
use crate::Scope;
use crate::components::endpoint_builder::{BuiltEndpoint, PolicyRule};
use crate::resources::autoscaling::{Step, StepScaling};
use crate::resources::cloudwatch::{
    ComparisonOperator, MetricAlarm, MetricAlarmInputs, Statistic, TreatMissingData,
};
use framework::{ChildOptions, Result};

/// A step policy per variant adding one instance, and the alarm on
/// HasBacklogWithoutCapacity that runs them: the way out of zero instances,
/// where target tracking has no per-instance backlog to act on.
pub(super) async fn register_wake_up(
    scope: &Scope,
    component: &str,
    endpoint: &str,
    built: &BuiltEndpoint<'_>,
    scaling: &AsyncAutoscalingArgs,
) -> Result<()> {
    let step = StepScaling {
        adjustment_type: "ChangeInCapacity".to_owned(),
        cooldown: Some(scaling.scale_out_cooldown_seconds),
        metric_aggregation_type: Some("Average".to_owned()),
        steps: vec![Step {
            lower_bound: Some(0.0),
            upper_bound: None,
            scaling_adjustment: 1,
        }],
    };
    let policies = built
        .add_variant_policies("wake-up", PolicyRule::StepScaling(step))
        .await?;
    let alarm = MetricAlarmInputs {
        alarm_name: format!("{endpoint}-has-backlog-without-capacity"),
        alarm_description: format!(
            "Wakes endpoint {endpoint} from zero instances when requests queue up"
        ),
        metric_name: "HasBacklogWithoutCapacity".to_owned(),
        namespace: "AWS/SageMaker".to_owned(),
        statistic: Some(Statistic::Average),
        extended_statistic: None,
        dimensions: [("EndpointName".to_owned(), endpoint.to_owned())]
            .into_iter()
            .collect(),
        period: 60,
        evaluation_periods: 2,
        threshold: 1.0,
        comparison_operator: ComparisonOperator::GreaterThanOrEqualToThreshold,
        treat_missing_data: TreatMissingData::Missing,
        alarm_actions: policies.iter().map(|p| p.output("policyArn")).collect(),
    };
    scope
        .resource::<MetricAlarm>(
            &format!("{component}-wake-up-alarm"),
            &alarm,
            ChildOptions::default(),
        )
        .await?;
    Ok(())
}
