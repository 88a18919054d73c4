//! The blue/green rollout policy of an endpoint: how traffic shifts to the
//! new fleet (all at once, canary or linear), which alarms roll it back,
//! what check accepts, and SageMaker's DeploymentConfig for it.

use aws_sdk_sagemaker::types::{
    Alarm, AutoRollbackConfig, BlueGreenUpdatePolicy, CapacitySize, CapacitySizeType,
    DeploymentConfig, TrafficRoutingConfig, TrafficRoutingConfigType,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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
    /// A percentage of the new fleet's capacity (1-100).
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
    /// The amount: at least 1 instance, or 1-100 percent.
    pub value: u32,
}

/// Blue/green deployment with traffic shifting and alarm-driven rollback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolloutPolicy {
    /// How traffic shifts.
    pub traffic_shift: TrafficShift,
    /// Seconds between shifts (and after the canary), at most 3600.
    #[serde(default = "default_wait")]
    pub wait_interval_in_seconds: u32,
    /// Canary size (only for `CANARY`, which needs it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary_size: Option<ShiftSize>,
    /// Step size (only for `LINEAR`, which needs it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linear_step_size: Option<ShiftSize>,
    /// Seconds the old fleet stays after the shift, for fast rollback (at
    /// most 3600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_wait_in_seconds: Option<u32>,
    /// CloudWatch alarms (names of 1-255 characters) that roll the
    /// deployment back when they fire. The endpoint components create an
    /// `Invocation5XXErrors` alarm per variant and use it when this is empty.
    #[serde(default)]
    pub rollback_alarm_names: Vec<String>,
}

/// Seconds between shifts when the policy does not say.
fn default_wait() -> u32 {
    300
}

/// Longest alarm name CloudWatch accepts.
const MAX_ALARM_NAME: usize = 255;

/// Adds to `failures` what is wrong with `rollout`: a size missing for its
/// traffic shift or given to the other one, waits over an hour, alarm names
/// CloudWatch refuses.
pub(super) fn check_rollout(rollout: &RolloutPolicy, failures: &mut Failures) {
    let size_ok = |size: &Option<ShiftSize>| {
        size.as_ref().is_some_and(|s| match s.unit {
            ShiftSizeUnit::InstanceCount => s.value >= 1,
            ShiftSizeUnit::CapacityPercent => (1..=100).contains(&s.value),
        })
    };
    let shift = rollout.traffic_shift;
    match shift {
        TrafficShift::Canary => failures.require(
            size_ok(&rollout.canary_size),
            "rollout.canarySize",
            "CANARY needs a canarySize: INSTANCE_COUNT >= 1 or CAPACITY_PERCENT 1-100",
        ),
        TrafficShift::Linear => failures.require(
            size_ok(&rollout.linear_step_size),
            "rollout.linearStepSize",
            "LINEAR needs a linearStepSize: INSTANCE_COUNT >= 1 or CAPACITY_PERCENT 1-100",
        ),
        TrafficShift::AllAtOnce => {}
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
        rollout.wait_interval_in_seconds <= 3600,
        "rollout.waitIntervalInSeconds",
        "must be at most 3600",
    );
    failures.require(
        rollout.termination_wait_in_seconds.unwrap_or(0) <= 3600,
        "rollout.terminationWaitInSeconds",
        "must be at most 3600",
    );
    for (i, name) in rollout.rollback_alarm_names.iter().enumerate() {
        failures.require(
            !name.is_empty() && name.chars().count() <= MAX_ALARM_NAME,
            format!("rollout.rollbackAlarmNames[{i}]"),
            format!("an alarm name has 1 to {MAX_ALARM_NAME} characters"),
        );
    }
}

/// SageMaker's CapacitySize for a shift size.
fn capacity_size(size: &ShiftSize) -> CapacitySize {
    CapacitySize::builder()
        .r#type(size.unit.capacity_size_type())
        .value(size.value as i32)
        .build()
}

/// SageMaker's DeploymentConfig for a rollout policy.
pub(super) fn deployment_config(rollout: &RolloutPolicy) -> DeploymentConfig {
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
    let mut policy =
        BlueGreenUpdatePolicy::builder().traffic_routing_configuration(routing.build());
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

        assert_eq!(with_rollout(canary(101))[0].0, "rollout.canarySize");
        assert!(with_rollout(canary(100)).is_empty());
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
}
