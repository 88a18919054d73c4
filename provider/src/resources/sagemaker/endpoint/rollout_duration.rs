//! How long a rollout takes, and the time limits that follow from it:
//! SageMaker's `MaximumExecutionTimeoutInSeconds` and the provider's own
//! default timeout for switching an endpoint to a new configuration.
//!
//! A blue/green rollout bakes after each traffic shift (dev guide,
//! "Blue/Green Deployments": all at once, canary, linear): all at once bakes
//! `TerminationWaitInSeconds`; canary bakes `WaitIntervalInSeconds` after
//! the canary, then `TerminationWaitInSeconds`; linear bakes
//! `WaitIntervalInSeconds` after each step, then `TerminationWaitInSeconds`.
//! Provisioning the new fleet comes first and takes what it takes; an hour
//! is allowed for it.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::time::Duration;

use super::rollout::{RolloutPolicy, ShiftSize, ShiftSizeUnit, TrafficShift};
use crate::resources::sagemaker::status::{
    DEFAULT_TIMEOUT, PROVISIONING_ALLOWANCE, SETTLING_ALLOWANCE,
};

/// SageMaker's range for `MaximumExecutionTimeoutInSeconds`, in seconds
/// (API reference, BlueGreenUpdatePolicy).
pub(super) const EXECUTION_TIMEOUT_RANGE: RangeInclusive<u32> = 600..=28800;

/// Most steps a valid linear rollout takes: each step is at least 10% of
/// the fleet.
const MAX_LINEAR_STEPS: u64 = 10;

/// The number of steps of a linear rollout of `size` over variants with
/// `counts` instances; `None` for a step in instances when the counts are
/// not known.
fn linear_steps(size: &ShiftSize, counts: &BTreeMap<String, u32>) -> Option<u64> {
    let step = u64::from(size.value.max(1));
    match size.unit {
        ShiftSizeUnit::CapacityPercent => Some(100_u64.div_ceil(step)),
        ShiftSizeUnit::InstanceCount => counts
            .values()
            .map(|count| u64::from(*count).div_ceil(step))
            .max(),
    }
}

/// The seconds `rollout` spends baking, all of its waits together, for
/// variants with `counts` instances. A linear rollout in instance steps over
/// unknown counts is taken at its most steps.
pub(super) fn baking_seconds(rollout: &RolloutPolicy, counts: &BTreeMap<String, u32>) -> u64 {
    let wait = u64::from(rollout.wait_interval_in_seconds);
    let termination = u64::from(rollout.termination_wait_in_seconds.unwrap_or(0));
    let shifts = match (rollout.traffic_shift, &rollout.linear_step_size) {
        (TrafficShift::AllAtOnce, _) => 0,
        (TrafficShift::Canary, _) => 1,
        (TrafficShift::Linear, Some(size)) => {
            linear_steps(size, counts).unwrap_or(MAX_LINEAR_STEPS)
        }
        (TrafficShift::Linear, None) => MAX_LINEAR_STEPS,
    };
    shifts * wait + termination
}

/// The `MaximumExecutionTimeoutInSeconds` SageMaker gets: the policy's, or
/// the provisioning allowance plus every wait, within SageMaker's range.
pub(super) fn execution_timeout_seconds(
    rollout: &RolloutPolicy,
    counts: &BTreeMap<String, u32>,
) -> u32 {
    rollout
        .maximum_execution_timeout_in_seconds
        .unwrap_or_else(|| {
            let needed = PROVISIONING_ALLOWANCE.as_secs() + baking_seconds(rollout, counts);
            let (min, max) = (
                *EXECUTION_TIMEOUT_RANGE.start(),
                *EXECUTION_TIMEOUT_RANGE.end(),
            );
            needed.clamp(u64::from(min), u64::from(max)) as u32
        })
}

/// The provider's default time limit for switching an endpoint to a new
/// configuration with `rollout`: SageMaker's execution timeout for the
/// deployment, and the time to settle before it and to roll back after it;
/// never less than the default for any endpoint operation.
pub(super) fn switch_timeout(
    rollout: Option<&RolloutPolicy>,
    counts: &BTreeMap<String, u32>,
) -> Duration {
    let Some(rollout) = rollout else {
        return DEFAULT_TIMEOUT;
    };
    let execution = Duration::from_secs(u64::from(execution_timeout_seconds(rollout, counts)));
    DEFAULT_TIMEOUT.max(SETTLING_ALLOWANCE + execution)
}

/// A custom timeout too short for the rollout's waits: the provider would
/// give up while SageMaker is still rolling out.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "the custom update timeout of endpoint {endpoint} ({timeout} s) is shorter than its \
     rollout's waits ({waits} s together), so it would run out while SageMaker is still \
     shifting traffic; nothing was changed. Raise customTimeouts.update (the provider's \
     default for this rollout is {default} s), or shorten the rollout's waits"
)]
pub struct TimeoutTooShort {
    /// The endpoint.
    pub endpoint: String,
    /// The custom timeout, in seconds.
    pub timeout: u64,
    /// The rollout's waits together, in seconds.
    pub waits: u64,
    /// The provider's default timeout for this rollout, in seconds.
    pub default: u64,
}

impl From<TimeoutTooShort> for framework::ProviderError {
    fn from(error: TimeoutTooShort) -> Self {
        framework::ProviderError::failed(error.to_string())
    }
}

/// How a custom timeout compares with what a configuration switch with a
/// rollout needs.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum TimeoutFit {
    /// No custom timeout, or one that covers the default.
    Covers,
    /// It covers the rollout's waits but not SageMaker's execution timeout:
    /// a slow provisioning may outlast it. The text says so.
    Tight(String),
    /// It does not even cover the waits.
    TooShort(TimeoutTooShort),
}

/// How the `custom` timeout of endpoint `endpoint` fits a switch with
/// `rollout` over variants with `counts` instances.
pub(super) fn custom_timeout_fit(
    endpoint: &str,
    custom: Option<Duration>,
    rollout: Option<&RolloutPolicy>,
    counts: &BTreeMap<String, u32>,
) -> TimeoutFit {
    let (Some(custom), Some(rollout)) = (custom, rollout) else {
        return TimeoutFit::Covers;
    };
    let waits = baking_seconds(rollout, counts);
    let execution = u64::from(execution_timeout_seconds(rollout, counts));
    let default = switch_timeout(Some(rollout), counts).as_secs();
    let timeout = custom.as_secs();
    if timeout < waits {
        TimeoutFit::TooShort(TimeoutTooShort {
            endpoint: endpoint.to_owned(),
            timeout,
            waits,
            default,
        })
    } else if timeout < execution {
        TimeoutFit::Tight(format!(
            "the custom update timeout of endpoint {endpoint} ({timeout} s) covers its rollout's \
             waits ({waits} s) but not SageMaker's deployment timeout ({execution} s): if \
             provisioning is slow, the update stops waiting while SageMaker is still deploying"
        ))
    } else {
        TimeoutFit::Covers
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_fixtures::canary;
    use super::*;

    fn counts(entries: &[(&str, u32)]) -> BTreeMap<String, u32> {
        entries.iter().map(|(v, n)| ((*v).to_owned(), *n)).collect()
    }

    fn linear(unit: ShiftSizeUnit, value: u32) -> RolloutPolicy {
        RolloutPolicy {
            traffic_shift: TrafficShift::Linear,
            canary_size: None,
            linear_step_size: Some(ShiftSize { unit, value }),
            ..canary(10)
        }
    }

    #[test]
    fn each_traffic_shift_bakes_as_sagemaker_documents() {
        let none = BTreeMap::new();
        let mut rollout = canary(10);
        rollout.wait_interval_in_seconds = 600;
        rollout.termination_wait_in_seconds = Some(300);
        assert_eq!(baking_seconds(&rollout, &none), 900);
        rollout.traffic_shift = TrafficShift::AllAtOnce;
        assert_eq!(baking_seconds(&rollout, &none), 300);
        let mut by_percent = linear(ShiftSizeUnit::CapacityPercent, 30);
        by_percent.wait_interval_in_seconds = 100;
        // 30%, 60%, 90%, 100%: four steps.
        assert_eq!(baking_seconds(&by_percent, &none), 400);
        let mut by_instances = linear(ShiftSizeUnit::InstanceCount, 2);
        by_instances.wait_interval_in_seconds = 100;
        assert_eq!(
            baking_seconds(&by_instances, &counts(&[("a", 4), ("b", 7)])),
            400
        );
        // Unknown counts: as many steps as a valid linear rollout takes.
        assert_eq!(baking_seconds(&by_instances, &none), 1000);
    }

    #[test]
    fn sagemakers_execution_timeout_covers_provisioning_and_every_wait() {
        let none = BTreeMap::new();
        let mut rollout = canary(10);
        rollout.wait_interval_in_seconds = 3600;
        rollout.termination_wait_in_seconds = Some(1800);
        assert_eq!(execution_timeout_seconds(&rollout, &none), 3600 + 5400);
        rollout.maximum_execution_timeout_in_seconds = Some(20000);
        assert_eq!(execution_timeout_seconds(&rollout, &none), 20000);
        // Within SageMaker's range whatever the waits.
        let mut long = linear(ShiftSizeUnit::CapacityPercent, 10);
        long.wait_interval_in_seconds = 3600;
        assert_eq!(execution_timeout_seconds(&long, &none), 28800);
    }

    #[test]
    fn the_default_switch_timeout_covers_the_rollout() {
        let none = BTreeMap::new();
        assert_eq!(DEFAULT_TIMEOUT, PROVISIONING_ALLOWANCE + SETTLING_ALLOWANCE);
        assert_eq!(switch_timeout(None, &none), DEFAULT_TIMEOUT);
        // No waits: the default is enough.
        let mut all_at_once = canary(10);
        all_at_once.traffic_shift = TrafficShift::AllAtOnce;
        all_at_once.canary_size = None;
        assert_eq!(switch_timeout(Some(&all_at_once), &none), DEFAULT_TIMEOUT);
        let mut rollout = canary(10);
        rollout.wait_interval_in_seconds = 3600;
        rollout.termination_wait_in_seconds = Some(3600);
        let timeout = switch_timeout(Some(&rollout), &none);
        assert_eq!(timeout, Duration::from_secs(30 * 60 + 3600 + 7200));
        assert!(timeout.as_secs() > baking_seconds(&rollout, &none));
    }

    #[test]
    fn a_custom_timeout_is_measured_against_the_rollout() {
        let none = BTreeMap::new();
        let mut rollout = canary(10);
        rollout.wait_interval_in_seconds = 600;
        let fit = |seconds| {
            custom_timeout_fit(
                "fraud",
                Some(Duration::from_secs(seconds)),
                Some(&rollout),
                &none,
            )
        };
        let TimeoutFit::TooShort(error) = fit(300) else {
            panic!("expected too short");
        };
        assert_eq!((error.timeout, error.waits), (300, 600));
        let message = error.to_string();
        assert!(message.contains("endpoint fraud"), "{message}");
        assert!(message.contains("customTimeouts.update"), "{message}");
        assert!(matches!(fit(1200), TimeoutFit::Tight(text) if text.contains("4200 s")));
        assert_eq!(fit(4200), TimeoutFit::Covers);
        assert_eq!(
            custom_timeout_fit("fraud", None, Some(&rollout), &none),
            TimeoutFit::Covers
        );
        assert_eq!(
            custom_timeout_fit("fraud", Some(Duration::from_secs(1)), None, &none),
            TimeoutFit::Covers
        );
    }
}
