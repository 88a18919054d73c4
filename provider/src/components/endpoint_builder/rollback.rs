//! The alarms a blue/green rollout watches unless the user names their own:
//! server errors of each variant. When one fires while traffic shifts,
//! SageMaker rolls the deployment back.

use super::EndpointPlan;
use crate::Scope;
use crate::components::model_config::ModelSpec;
use crate::resources::cloudwatch::{
    ComparisonOperator, MetricAlarm, MetricAlarmInputs, Statistic, TreatMissingData,
};
use crate::resources::sagemaker::endpoint::RolloutPolicy;
use framework::{Child, ChildOptions, Result};

/// `rollout` with its alarm names filled in: a policy that names none gets
/// an alarm per variant, registered here. Returns the policy and the
/// alarms registered (the endpoint waits for them).
pub(super) async fn with_default_alarms(
    scope: &Scope,
    plan: &EndpointPlan<'_>,
    rollout: Option<RolloutPolicy>,
) -> Result<(Option<RolloutPolicy>, Vec<Child<MetricAlarm>>)> {
    let policy = match rollout {
        Some(policy) if policy.rollback_alarm_names.is_empty() => policy,
        other => return Ok((other, Vec::new())),
    };
    let registrations = plan.models.iter().map(|model| {
        let inputs = alarm_inputs(plan.endpoint_name, model);
        let name = format!("{}-{}-rollback-alarm", plan.component, model.variant_name);
        async move {
            scope
                .resource::<MetricAlarm>(&name, &inputs, ChildOptions::default())
                .await
        }
    });
    let alarms = framework::all_children(registrations).await?;
    let names = alarms
        .iter()
        .filter_map(|alarm| alarm.output::<String>("alarmName").into_value())
        .collect();
    let policy = RolloutPolicy {
        rollback_alarm_names: names,
        ..policy
    };
    Ok((Some(policy), alarms))
}

/// The alarm on server errors of `model`'s variant.
fn alarm_inputs(endpoint: &str, model: &ModelSpec) -> MetricAlarmInputs {
    MetricAlarmInputs {
        alarm_name: format!("{endpoint}-{}-5xx-errors", model.variant_name),
        alarm_description: format!(
            "Rolls back deployments of endpoint {endpoint} when variant {} answers with server errors",
            model.variant_name
        ),
        metric_name: "Invocation5XXErrors".to_owned(),
        namespace: "AWS/SageMaker".to_owned(),
        statistic: Statistic::Sum,
        dimensions: [
            ("EndpointName".to_owned(), endpoint.to_owned()),
            ("VariantName".to_owned(), model.variant_name.clone()),
        ]
        .into_iter()
        .collect(),
        period: 60,
        evaluation_periods: 1,
        threshold: 1.0,
        comparison_operator: ComparisonOperator::GreaterThanOrEqualToThreshold,
        treat_missing_data: TreatMissingData::NotBreaching,
        alarm_actions: Vec::new(),
    }
}
