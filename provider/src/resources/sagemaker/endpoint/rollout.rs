//! The blue/green rollout policy of an endpoint: how traffic shifts to the
//! new fleet (all at once, canary or linear), which alarms roll it back,
//! what check accepts (SageMaker's deployment guardrail limits, at preview),
//! and SageMaker's DeploymentConfig for it. How long a rollout takes is
//! `rollout_duration`'s.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_sagemaker::types::{
    Alarm, AutoRollbackConfig, BlueGreenUpdatePolicy, CapacitySize, CapacitySizeType,
    DeploymentConfig, TrafficRoutingConfig, TrafficRoutingConfigType,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::EndpointInputs;
use super::rollout_duration::{EXECUTION_TIMEOUT_RANGE, baking_seconds, execution_timeout_seconds};
use framework::Failures;

/// How traffic moves to the new fleet in a blue/green deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TrafficShift {
    /// All traffic at once, after the new fleet is healthy.
    AllAtOnce,
    /// A canary share first, then the rest.
    Canary,
    /// Equal steps at fixed intervals.
    Linear,
}

/// The unit of a traffic-shift size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ShiftSizeUnit {
    /// A number of instances (at least 1).
    InstanceCount,
    /// A percentage of the new fleet's capacity.
    CapacityPercent,
}

impl ShiftSizeUnit {
    fn capacity_size_type(self) -> CapacitySizeType {
        match self {
            ShiftSizeUnit::InstanceCount => CapacitySizeType::InstanceCount,
            ShiftSizeUnit::CapacityPercent => CapacitySizeType::CapacityPercent,
        }
    }
}

/// A share of capacity: instances or percent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShiftSize {
    /// `INSTANCE_COUNT` or `CAPACITY_PERCENT`.
    pub unit: ShiftSizeUnit,
    /// The amount. A canary is at most 50% of each variant's instances
    /// (1-50 percent, or at most half of the smallest variant's instance
    /// count); a linear step is 10-50% of them (10-50 percent, or the
    /// instance count that is).
    pub value: u32,
}

/// Blue/green deployment with traffic shifting and alarm-driven rollback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolloutPolicy {
    /// How traffic shifts.
    pub traffic_shift: TrafficShift,
    /// Seconds between shifts (and after the canary), 0-3600.
    #[serde(default = "default_wait")]
    pub wait_interval_in_seconds: u32,
    /// Canary size (only for `CANARY`, which needs it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary_size: Option<ShiftSize>,
    /// Step size (only for `LINEAR`, which needs it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linear_step_size: Option<ShiftSize>,
    /// Seconds the old fleet stays after the shift, for fast rollback
    /// (0-3600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_wait_in_seconds: Option<u32>,
    /// Longest SageMaker may take for the whole deployment before it rolls
    /// it back (600-28800 seconds), longer than all of the rollout's waits
    /// together. Unset, it is an hour for provisioning plus those waits,
    /// and the provider's own timeout for the update covers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_execution_timeout_in_seconds: Option<u32>,
    /// CloudWatch alarms (1-10 names of 1-255 characters) that roll the
    /// deployment back when they fire. The endpoint components create an
    /// `Invocation5XXErrors` alarm per variant and use it when this is empty;
    /// pass a MonitorDashboard's `rollbackAlarmNames` to have its alarms
    /// guard the rollout instead (then no alarm of the endpoint's own).
    #[serde(default)]
    pub rollback_alarm_names: Vec<String>,
}

/// Seconds between shifts when the policy does not say.
fn default_wait() -> u32 {
    300
}

/// Longest alarm name CloudWatch accepts.
const MAX_ALARM_NAME: usize = 255;

/// Most alarms a deployment watches (API reference, AutoRollbackConfig).
const MAX_ALARMS: usize = 10;

/// Longest wait between shifts, and longest termination wait, in seconds
/// (API reference, TrafficRoutingConfig and BlueGreenUpdatePolicy).
const MAX_WAIT: u32 = 3600;

/// The share of each variant's instances a shift size may take, in percent:
/// a canary at most 50% ("Value must be less than or equal to 50% of the
/// variant's total instance count"), a linear step 10-50% ("Value must be
/// 10-50% of the variant's total instance count"), per the API reference,
/// TrafficRoutingConfig.
struct ShareLimits {
    /// The property path, for messages.
    property: &'static str,
    /// What the size is, for messages.
    what: &'static str,
    /// Least `CAPACITY_PERCENT`.
    min_percent: u32,
    /// Least share of a variant's instances an `INSTANCE_COUNT` may be, in
    /// percent (it is at least 1 instance anyway).
    min_instance_percent: u32,
    /// Largest share, in percent, either way.
    max_percent: u32,
}

const CANARY_LIMITS: ShareLimits = ShareLimits {
    property: "rollout.canarySize",
    what: "a canary",
    min_percent: 1,
    min_instance_percent: 0,
    max_percent: 50,
};

const LINEAR_LIMITS: ShareLimits = ShareLimits {
    property: "rollout.linearStepSize",
    what: "a linear step",
    min_percent: 10,
    min_instance_percent: 10,
    max_percent: 50,
};

/// Adds to `failures` what is wrong with `size` against `limits`, given the
/// instance counts of the variants (empty when unknown).
fn check_share(
    size: &ShiftSize,
    limits: &ShareLimits,
    counts: &BTreeMap<String, u32>,
    failures: &mut Failures,
) {
    let ShareLimits {
        property,
        what,
        min_percent,
        min_instance_percent,
        max_percent,
    } = *limits;
    match size.unit {
        ShiftSizeUnit::CapacityPercent => failures.require(
            (min_percent..=max_percent).contains(&size.value),
            format!("{property}.value"),
            format!(
                "{what} is {min_percent}-{max_percent}% of each variant's instances: \
                 CAPACITY_PERCENT {} is out of range",
                size.value
            ),
        ),
        ShiftSizeUnit::InstanceCount => {
            if size.value == 0 {
                failures.push(
                    format!("{property}.value"),
                    "INSTANCE_COUNT must be at least 1",
                );
                return;
            }
            // Known counts bound the size: the smallest variant first.
            let mut by_count: Vec<(&String, u32)> = counts.iter().map(|(v, n)| (v, *n)).collect();
            by_count.sort_by_key(|(_, count)| *count);
            let outside = by_count.into_iter().find(|(_, count)| {
                let share = u64::from(size.value) * 100;
                share < u64::from(min_instance_percent) * u64::from(*count)
                    || share > u64::from(max_percent) * u64::from(*count)
            });
            if let Some((variant, count)) = outside {
                failures.push(
                    format!("{property}.value"),
                    format!(
                        "{what} is {} of each variant's instances: \
                         INSTANCE_COUNT {} is {}% of the {count} of variant {variant}",
                        if min_instance_percent == 0 {
                            format!("at most {max_percent}%")
                        } else {
                            format!("{min_instance_percent}-{max_percent}%")
                        },
                        size.value,
                        u64::from(size.value) * 100 / u64::from(count.max(1))
                    ),
                );
            }
        }
    }
}

/// Adds to `failures` what is wrong with `rollout` at preview: a size
/// missing for its traffic shift or given to the other one, a canary or
/// linear step out of SageMaker's share of the variants' instances (counts
/// in `counts`, by variant, when known), waits and timeouts out of
/// SageMaker's ranges, alarm names CloudWatch refuses.
pub(super) fn check_rollout(
    rollout: &RolloutPolicy,
    counts: &BTreeMap<String, u32>,
    failures: &mut Failures,
) {
    let shift = rollout.traffic_shift;
    match (shift, &rollout.canary_size, &rollout.linear_step_size) {
        (TrafficShift::Canary, None, _) => failures.push(
            "rollout.canarySize",
            "CANARY needs a canarySize: at most 50% of each variant's instances",
        ),
        (TrafficShift::Canary, Some(size), _) => {
            check_share(size, &CANARY_LIMITS, counts, failures)
        }
        (TrafficShift::Linear, _, None) => failures.push(
            "rollout.linearStepSize",
            "LINEAR needs a linearStepSize: 10-50% of each variant's instances",
        ),
        (TrafficShift::Linear, _, Some(size)) => {
            check_share(size, &LINEAR_LIMITS, counts, failures)
        }
        (TrafficShift::AllAtOnce, _, _) => {}
    }
    failures.require(
        shift == TrafficShift::Canary || rollout.canary_size.is_none(),
        "rollout.canarySize",
        "only CANARY traffic shifts take a canarySize",
    );
    failures.require(
        shift == TrafficShift::Linear || rollout.linear_step_size.is_none(),
        "rollout.linearStepSize",
        "only LINEAR traffic shifts take a linearStepSize",
    );
    failures.require(
        rollout.wait_interval_in_seconds <= MAX_WAIT,
        "rollout.waitIntervalInSeconds",
        format!("must be 0-{MAX_WAIT} seconds"),
    );
    failures.require(
        rollout.termination_wait_in_seconds.unwrap_or(0) <= MAX_WAIT,
        "rollout.terminationWaitInSeconds",
        format!("must be 0-{MAX_WAIT} seconds"),
    );
    check_execution_timeout(rollout, counts, failures);
    failures.require(
        rollout.rollback_alarm_names.len() <= MAX_ALARMS,
        "rollout.rollbackAlarmNames",
        format!("a deployment watches at most {MAX_ALARMS} alarms"),
    );
    for (i, name) in rollout.rollback_alarm_names.iter().enumerate() {
        failures.require(
            !name.is_empty() && name.chars().count() <= MAX_ALARM_NAME,
            format!("rollout.rollbackAlarmNames[{i}]"),
            format!("an alarm name has 1 to {MAX_ALARM_NAME} characters"),
        );
    }
}

/// SageMaker's MaximumExecutionTimeoutInSeconds: 600-28800, and "larger
/// than the total waiting time specified in TerminationWaitInSeconds and
/// WaitIntervalInSeconds" (API reference, BlueGreenUpdatePolicy).
fn check_execution_timeout(
    rollout: &RolloutPolicy,
    counts: &BTreeMap<String, u32>,
    failures: &mut Failures,
) {
    let (min, max) = (
        *EXECUTION_TIMEOUT_RANGE.start(),
        *EXECUTION_TIMEOUT_RANGE.end(),
    );
    let waits = baking_seconds(rollout, counts);
    match rollout.maximum_execution_timeout_in_seconds {
        Some(timeout) if !EXECUTION_TIMEOUT_RANGE.contains(&timeout) => failures.push(
            "rollout.maximumExecutionTimeoutInSeconds",
            format!("must be {min}-{max} seconds"),
        ),
        Some(timeout) => failures.require(
            u64::from(timeout) > waits,
            "rollout.maximumExecutionTimeoutInSeconds",
            format!(
                "must be longer than the rollout's waits, {waits} seconds together, \
                 or SageMaker stops the deployment before it can finish"
            ),
        ),
        None => failures.require(
            waits < u64::from(max),
            "rollout",
            format!(
                "the rollout's waits take {waits} seconds together, longer than SageMaker's \
                 longest deployment ({max} seconds): wait less, or shift in fewer steps"
            ),
        ),
    }
}

/// The variant names `inputs` know of (from their weights and counts).
fn variant_names(inputs: &EndpointInputs) -> BTreeSet<&str> {
    inputs
        .variant_weights
        .keys()
        .chain(inputs.variant_instance_counts.keys())
        .map(String::as_str)
        .collect()
}

/// Adds to `failures` a rollout that cannot apply to the update from
/// `olds` to `news`: SageMaker's blue/green deployments need the new
/// configuration to have the running configuration's variant names ("When
/// doing a blue/green or rolling deployment, your new endpoint
/// configuration must have the same variant name as the old endpoint
/// configuration", dev guide, deployment guardrails "Exclusions").
///
/// Preview fails rather than the update falling back to a deployment
/// without the rollout: the rollout's alarms are a promise that a bad
/// version is rolled back, and the update that changes the variants is
/// the one that needs it most. Deploying once without `rollout` is the
/// explicit way through.
pub(super) fn check_variant_names_kept(
    olds: &EndpointInputs,
    news: &EndpointInputs,
    failures: &mut Failures,
) {
    if news.rollout.is_none() {
        return;
    }
    let (running, new) = (variant_names(olds), variant_names(news));
    if running.is_empty() || new.is_empty() || running == new {
        return;
    }
    let list = |names: &BTreeSet<&str>| names.iter().copied().collect::<Vec<_>>().join(", ");
    failures.push(
        "rollout",
        format!(
            "a blue/green rollout needs the new configuration to keep the running variant \
             names ({}), not {}: SageMaker refuses it. Deploy this change once without \
             `rollout` (traffic then shifts all at once, with no rollback alarms), then set \
             `rollout` again; or keep the variant names",
            list(&running),
            list(&new)
        ),
    );
}

/// SageMaker's CapacitySize for a shift size.
fn capacity_size(size: &ShiftSize) -> CapacitySize {
    CapacitySize::builder()
        .r#type(size.unit.capacity_size_type())
        .value(size.value as i32)
        .build()
}

/// SageMaker's DeploymentConfig for a rollout policy, for variants with
/// `counts` instances (by variant, when known): with the policy's maximum
/// execution timeout, or one that covers provisioning and every wait.
pub(super) fn deployment_config(
    rollout: &RolloutPolicy,
    counts: &BTreeMap<String, u32>,
) -> DeploymentConfig {
    let kind = match rollout.traffic_shift {
        TrafficShift::AllAtOnce => TrafficRoutingConfigType::AllAtOnce,
        TrafficShift::Canary => TrafficRoutingConfigType::Canary,
        TrafficShift::Linear => TrafficRoutingConfigType::Linear,
    };
    let mut routing = TrafficRoutingConfig::builder()
        .r#type(kind)
        .wait_interval_in_seconds(rollout.wait_interval_in_seconds as i32);
    if let Some(size) = &rollout.canary_size {
        routing = routing.canary_size(capacity_size(size));
    }
    if let Some(size) = &rollout.linear_step_size {
        routing = routing.linear_step_size(capacity_size(size));
    }
    let mut policy = BlueGreenUpdatePolicy::builder()
        .traffic_routing_configuration(routing.build())
        .maximum_execution_timeout_in_seconds(execution_timeout_seconds(rollout, counts) as i32);
    if let Some(seconds) = rollout.termination_wait_in_seconds {
        policy = policy.termination_wait_in_seconds(seconds as i32);
    }
    let mut config = DeploymentConfig::builder().blue_green_update_policy(policy.build());
    if !rollout.rollback_alarm_names.is_empty() {
        config = config.auto_rollback_configuration(
            AutoRollbackConfig::builder()
                .set_alarms(Some(
                    rollout
                        .rollback_alarm_names
                        .iter()
                        .map(|name| Alarm::builder().alarm_name(name).build())
                        .collect(),
                ))
                .build(),
        );
    }
    config.build()
}

#[cfg(test)]
mod tests {
    use framework::CustomResource;

    use super::super::test_fixtures::{canary, running};
    use super::super::{Endpoint, EndpointInputs};
    use super::*;

    #[test]
    fn canary_rollouts_need_a_size() {
        let rollout = RolloutPolicy {
            traffic_shift: TrafficShift::Canary,
            wait_interval_in_seconds: 60,
            canary_size: None,
            linear_step_size: None,
            termination_wait_in_seconds: None,
            maximum_execution_timeout_in_seconds: None,
            rollback_alarm_names: Vec::new(),
        };
        let inputs = EndpointInputs {
            rollout: Some(rollout),
            ..running("c").inputs
        };
        let failures = Endpoint.check(&inputs);
        assert_eq!(failures.0[0].property, "rollout.canarySize");
    }

    fn with_rollout(rollout: RolloutPolicy) -> Vec<(String, String)> {
        let inputs = EndpointInputs {
            rollout: Some(rollout),
            ..running("c").inputs
        };
        Endpoint
            .check(&inputs)
            .0
            .into_iter()
            .map(|f| (f.property, f.reason))
            .collect()
    }

    #[test]
    fn sizes_belong_to_their_traffic_shift() {
        let mut linear = canary(10);
        linear.traffic_shift = TrafficShift::Linear;
        let failures = with_rollout(linear.clone());
        let properties: Vec<&str> = failures.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(properties, ["rollout.linearStepSize", "rollout.canarySize"]);
        assert!(failures[1].1.contains("only CANARY"), "{failures:?}");

        linear.linear_step_size = linear.canary_size.take();
        assert!(with_rollout(linear.clone()).is_empty());

        let mut canary_with_step = canary(10);
        canary_with_step.linear_step_size = canary_with_step.canary_size.clone();
        let failures = with_rollout(canary_with_step);
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert_eq!(failures[0].0, "rollout.linearStepSize");

        let mut all_at_once = canary(10);
        all_at_once.traffic_shift = TrafficShift::AllAtOnce;
        let failures = with_rollout(all_at_once);
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert_eq!(failures[0].0, "rollout.canarySize");

        assert_eq!(with_rollout(canary(51))[0].0, "rollout.canarySize.value");
        assert!(with_rollout(canary(50)).is_empty());
    }

    #[test]
    fn termination_wait_and_alarm_names_are_bounded() {
        let mut rollout = canary(10);
        rollout.termination_wait_in_seconds = Some(3600);
        assert!(with_rollout(rollout.clone()).is_empty());
        rollout.termination_wait_in_seconds = Some(3601);
        rollout.rollback_alarm_names = vec![
            "fraud-5xx".into(),
            String::new(),
            "a".repeat(255),
            "b".repeat(256),
        ];
        let properties: Vec<String> = with_rollout(rollout).into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            properties,
            [
                "rollout.terminationWaitInSeconds",
                "rollout.rollbackAlarmNames[1]",
                "rollout.rollbackAlarmNames[3]",
            ]
        );
    }

    #[test]
    fn shift_size_units_use_sagemakers_names() {
        for (unit, name) in [
            (ShiftSizeUnit::InstanceCount, "INSTANCE_COUNT"),
            (ShiftSizeUnit::CapacityPercent, "CAPACITY_PERCENT"),
        ] {
            assert_eq!(serde_json::to_value(unit).unwrap(), name);
            assert_eq!(
                serde_json::from_value::<ShiftSizeUnit>(name.into()).unwrap(),
                unit
            );
            assert_eq!(unit.capacity_size_type().as_str(), name);
        }
        assert!(serde_json::from_value::<ShiftSizeUnit>("PERCENT".into()).is_err());
    }

    fn shift(traffic_shift: TrafficShift, unit: ShiftSizeUnit, value: u32) -> RolloutPolicy {
        let size = Some(ShiftSize { unit, value });
        RolloutPolicy {
            traffic_shift,
            canary_size: size
                .clone()
                .filter(|_| traffic_shift == TrafficShift::Canary),
            linear_step_size: size.filter(|_| traffic_shift == TrafficShift::Linear),
            ..canary(10)
        }
    }

    /// The failures of `rollout` on an endpoint whose variants have
    /// `counts` instances.
    fn with_counts(rollout: RolloutPolicy, counts: &[(&str, u32)]) -> Vec<(String, String)> {
        let inputs = EndpointInputs {
            rollout: Some(rollout),
            variant_instance_counts: counts.iter().map(|(v, n)| ((*v).to_owned(), *n)).collect(),
            ..running("c").inputs
        };
        Endpoint
            .check(&inputs)
            .0
            .into_iter()
            .map(|f| (f.property, f.reason))
            .collect()
    }

    #[test]
    fn a_canary_is_at_most_half_of_each_variants_instances() {
        use ShiftSizeUnit::{CapacityPercent, InstanceCount};
        let canary_of = |unit, value| shift(TrafficShift::Canary, unit, value);
        let four_and_two = [("primary", 4), ("shadow", 2)];
        assert!(with_counts(canary_of(CapacityPercent, 50), &four_and_two).is_empty());
        let failures = with_counts(canary_of(CapacityPercent, 60), &four_and_two);
        assert_eq!(failures[0].0, "rollout.canarySize.value");
        assert!(failures[0].1.contains("1-50%"), "{failures:?}");
        assert!(with_counts(canary_of(InstanceCount, 1), &four_and_two).is_empty());
        // Two instances are half of primary's four but all of shadow's two.
        let failures = with_counts(canary_of(InstanceCount, 2), &four_and_two);
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert_eq!(failures[0].0, "rollout.canarySize.value");
        assert!(
            failures[0]
                .1
                .contains("at most 50% of each variant's instances: INSTANCE_COUNT 2 is 100% of the 2 of variant shadow"),
            "{failures:?}"
        );
        // Unknown counts bound nothing but the least of 1 instance.
        assert!(with_counts(canary_of(InstanceCount, 7), &[]).is_empty());
        assert_eq!(
            with_counts(canary_of(InstanceCount, 0), &[])[0].1,
            "INSTANCE_COUNT must be at least 1"
        );
    }

    #[test]
    fn a_linear_step_is_ten_to_fifty_percent_of_each_variants_instances() {
        use ShiftSizeUnit::{CapacityPercent, InstanceCount};
        let step = |unit, value| shift(TrafficShift::Linear, unit, value);
        let twenty = [("primary", 20)];
        for percent in [10, 25, 50] {
            assert!(with_counts(step(CapacityPercent, percent), &twenty).is_empty());
        }
        for percent in [5, 9, 51] {
            let failures = with_counts(step(CapacityPercent, percent), &twenty);
            assert_eq!(failures[0].0, "rollout.linearStepSize.value", "{percent}");
            assert!(failures[0].1.contains("10-50%"), "{failures:?}");
        }
        assert!(with_counts(step(InstanceCount, 2), &twenty).is_empty());
        assert!(with_counts(step(InstanceCount, 10), &twenty).is_empty());
        let failures = with_counts(step(InstanceCount, 1), &twenty);
        assert!(
            failures[0]
                .1
                .contains("INSTANCE_COUNT 1 is 5% of the 20 of variant primary"),
            "{failures:?}"
        );
        assert!(!with_counts(step(InstanceCount, 11), &twenty).is_empty());
    }

    #[test]
    fn waits_and_the_execution_timeout_are_within_sagemakers_ranges() {
        let properties = |rollout| -> Vec<String> {
            with_rollout(rollout).into_iter().map(|(p, _)| p).collect()
        };
        let mut rollout = canary(10);
        rollout.wait_interval_in_seconds = 3600;
        rollout.termination_wait_in_seconds = Some(3600);
        assert!(properties(rollout.clone()).is_empty());
        rollout.wait_interval_in_seconds = 3601;
        assert_eq!(
            properties(rollout.clone()),
            ["rollout.waitIntervalInSeconds"]
        );
        rollout.wait_interval_in_seconds = 60;
        for (timeout, ok) in [(599, false), (600, true), (28800, true), (28801, false)] {
            rollout.termination_wait_in_seconds = None;
            rollout.maximum_execution_timeout_in_seconds = Some(timeout);
            assert_eq!(properties(rollout.clone()).is_empty(), ok, "{timeout}");
        }
        // Longer than the waits it must cover: 60 + 3600 here.
        rollout.termination_wait_in_seconds = Some(3600);
        rollout.maximum_execution_timeout_in_seconds = Some(3660);
        let failures = with_rollout(rollout.clone());
        assert_eq!(failures[0].0, "rollout.maximumExecutionTimeoutInSeconds");
        assert!(
            failures[0].1.contains("3660 seconds together"),
            "{failures:?}"
        );
        rollout.maximum_execution_timeout_in_seconds = Some(3661);
        assert!(properties(rollout).is_empty());
        // Ten linear steps of an hour: more than SageMaker's 8 hours.
        let mut linear = shift(TrafficShift::Linear, ShiftSizeUnit::CapacityPercent, 10);
        linear.wait_interval_in_seconds = 3600;
        let failures = with_rollout(linear);
        assert_eq!(failures[0].0, "rollout");
        assert!(
            failures[0].1.contains("36000 seconds together"),
            "{failures:?}"
        );
    }

    #[test]
    fn a_deployment_watches_at_most_ten_alarms() {
        let mut rollout = canary(10);
        rollout.rollback_alarm_names = (0..10).map(|i| format!("alarm-{i}")).collect();
        assert!(with_rollout(rollout.clone()).is_empty());
        rollout.rollback_alarm_names.push("alarm-10".into());
        assert_eq!(with_rollout(rollout)[0].0, "rollout.rollbackAlarmNames");
    }

    #[test]
    fn a_rollout_cannot_rename_the_running_variants() {
        let olds = running("c").inputs;
        let mut renamed = olds.clone();
        renamed.variant_weights = [("canary".to_owned(), 1.0)].into_iter().collect();
        renamed.variant_instance_counts = [("canary".to_owned(), 2)].into_iter().collect();
        // Without a rollout SageMaker takes it (all at once).
        assert!(Endpoint.check_change(&olds, &renamed).is_empty());
        renamed.rollout = Some(canary(10));
        let failures = Endpoint.check_change(&olds, &renamed).0;
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].property, "rollout");
        assert!(
            failures[0]
                .reason
                .contains("keep the running variant names (primary), not canary"),
            "{failures:?}"
        );
        assert!(
            failures[0].reason.contains("once without `rollout`"),
            "{failures:?}"
        );
        // The same names with the rollout are fine, and another endpoint
        // name is another endpoint.
        let mut same = olds.clone();
        same.rollout = Some(canary(10));
        assert!(Endpoint.check_change(&olds, &same).is_empty());
        renamed.endpoint_name = "fraud-2".into();
        assert!(Endpoint.check_change(&olds, &renamed).is_empty());
    }
}
