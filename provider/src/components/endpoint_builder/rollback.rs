//! The alarms a blue/green rollout watches unless the user names their own:
//! server errors of each variant. When one fires while traffic shifts,
//! SageMaker rolls the deployment back. SageMaker reads them with the
//! models' execution role, which is granted `cloudwatch:DescribeAlarms` on
//! exactly those alarms when the component knows the role.

use serde_json::json;

use super::EndpointPlan;
use crate::Scope;
use crate::components::model_config::ModelSpec;
use crate::resources::cloudwatch::{
    ComparisonOperator, MetricAlarm, MetricAlarmInputs, Statistic, TreatMissingData,
};
use crate::resources::iam::{RolePolicy, RolePolicyInputs};
use crate::resources::sagemaker::endpoint::RolloutPolicy;
use framework::{Child, ChildOptions, Output, Result};

/// The names of the alarms `rollout` watches: its own, or the default
/// alarm of each variant of `plan` (see [`with_default_alarms`]).
pub(super) fn watched_alarm_names(plan: &EndpointPlan<'_>, rollout: &RolloutPolicy) -> Vec<String> {
    if rollout.rollback_alarm_names.is_empty() {
        plan.models
            .iter()
            .map(|model| alarm_inputs(plan.endpoint_name, model).alarm_name)
            .collect()
    } else {
        rollout.rollback_alarm_names.clone()
    }
}

/// The execution role's policy that lets SageMaker read the rollback
/// alarms: "Ensure that your IAM execution role has permission to perform
/// the cloudwatch:DescribeAlarms action on the auto-rollback alarms you
/// specify" (Developer Guide, "Auto-Rollback Configuration and
/// Monitoring"). The resources are the alarms' ARNs, nothing wider.
pub(super) fn describe_alarms_policy(region: &str, account: &str, alarms: &[String]) -> String {
    let arns: Vec<String> = alarms
        .iter()
        .map(|name| format!("arn:aws:cloudwatch:{region}:{account}:alarm:{name}"))
        .collect();
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "ReadRollbackAlarms",
            "Effect": "Allow",
            "Action": "cloudwatch:DescribeAlarms",
            "Resource": arns,
        }]
    })
    .to_string()
}

/// Grants the execution role `role` `cloudwatch:DescribeAlarms` on the
/// alarms `rollout` watches, in the provider's account and region.
pub(super) async fn grant_describe_alarms(
    scope: &Scope,
    plan: &EndpointPlan<'_>,
    role: &Output<String>,
    rollout: &RolloutPolicy,
) -> Result<Child<RolePolicy>> {
    let clients = scope.clients()?;
    let account = clients.account_id().await?;
    let alarms = watched_alarm_names(plan, rollout);
    let inputs = RolePolicyInputs {
        role_name: role.clone(),
        policy_name: format!("{}-rollback-alarms", plan.endpoint_name),
        policy_document: Output::new(describe_alarms_policy(&clients.region, &account, &alarms)),
    };
    scope
        .resource::<RolePolicy>(
            &format!("{}-rollback-alarms-policy", plan.component),
            &inputs,
            ChildOptions::default(),
        )
        .await
}

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
        statistic: Some(Statistic::Sum),
        extended_statistic: None,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grant_names_exactly_the_alarms_in_this_account_and_region() {
        let alarms = vec![
            "fraud-Primary-5xx-errors".to_owned(),
            "team-latency".to_owned(),
        ];
        let policy: serde_json::Value = serde_json::from_str(&describe_alarms_policy(
            "eu-west-1",
            "123456789012",
            &alarms,
        ))
        .unwrap();
        let statements = policy["Statement"].as_array().unwrap();
        assert_eq!(statements.len(), 1);
        assert_eq!(statements[0]["Effect"], "Allow");
        assert_eq!(statements[0]["Action"], "cloudwatch:DescribeAlarms");
        assert_eq!(
            statements[0]["Resource"],
            json!([
                "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:fraud-Primary-5xx-errors",
                "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:team-latency",
            ])
        );
    }
}
