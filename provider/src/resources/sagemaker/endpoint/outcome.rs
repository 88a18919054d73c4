//! What UpdateEndpointWeightsAndCapacities really did: once the endpoint is
//! InService again, each weight and instance count asked for is compared
//! with what the endpoint serves (`CurrentWeight`, `CurrentInstanceCount`).
//!
//! SageMaker reports a change it could not make only by rolling it back
//! ("Endpoint fails to scale up or down or change its variant weight and is
//! in the process of rolling back to its previous configuration. Once the
//! rollback completes, endpoint returns to an InService status", API
//! reference, DescribeEndpoint `RollingBack`), so InService alone proves
//! nothing. `FailureReason` may say why, or be empty.

use std::collections::BTreeMap;
use std::fmt;

use crate::resources::sagemaker::status::LiveVariant;

/// One value asked of a variant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Setting {
    /// A traffic weight.
    Weight(f64),
    /// A number of instances.
    InstanceCount(u32),
}

impl Setting {
    /// The same kind of value, as the endpoint serves it now.
    fn live(&self, variant: Option<&LiveVariant>) -> Option<Setting> {
        let variant = variant?;
        match self {
            Setting::Weight(_) => variant.weight.map(Setting::Weight),
            Setting::InstanceCount(_) => variant.instance_count.map(Setting::InstanceCount),
        }
    }

    /// True when `live` is this value (weights come back as f32).
    fn matches(&self, live: Option<Setting>) -> bool {
        match (self, live) {
            (Setting::Weight(asked), Some(Setting::Weight(live))) => {
                (asked - live).abs() <= 1e-6 * asked.abs().max(1.0)
            }
            (Setting::InstanceCount(asked), Some(Setting::InstanceCount(live))) => *asked == live,
            _ => false,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Setting::Weight(_) => "weight",
            Setting::InstanceCount(_) => "instance count",
        }
    }
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Setting::Weight(weight) => write!(f, "{weight}"),
            Setting::InstanceCount(count) => write!(f, "{count}"),
        }
    }
}

/// A value asked of a variant that the endpoint does not serve.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// The variant.
    pub variant: String,
    /// What was asked.
    pub(super) asked: Setting,
    /// What the endpoint serves instead; `None` when it shows no such value
    /// (or no such variant).
    pub(super) live: Option<Setting>,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "variant {} {} asked {}, live ",
            self.variant,
            self.asked.name(),
            self.asked
        )?;
        match &self.live {
            Some(live) => write!(f, "{live}"),
            None => write!(f, "not shown"),
        }
    }
}

/// A weights-and-capacities change that SageMaker did not carry out: it
/// rolled it back, or applied something else.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "SageMaker did not apply the change to endpoint {endpoint}: {}. {}",
    mismatches.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "),
    match failure_reason {
        Some(reason) => format!("SageMaker's reason: {reason}"),
        None => "SageMaker gave no reason".to_owned(),
    }
)]
pub struct NotApplied {
    /// The endpoint.
    pub endpoint: String,
    /// Each value asked that the endpoint does not serve.
    pub mismatches: Vec<Mismatch>,
    /// The endpoint's `FailureReason`, when it gives one.
    pub failure_reason: Option<String>,
}

impl From<NotApplied> for framework::ProviderError {
    fn from(error: NotApplied) -> Self {
        framework::ProviderError::failed(error.to_string())
    }
}

/// The values in `asked` (by variant) that the endpoint, serving with
/// `live`, does not serve.
pub(super) fn unapplied(
    asked: &[(String, Setting)],
    live: &BTreeMap<String, LiveVariant>,
) -> Vec<Mismatch> {
    asked
        .iter()
        .filter_map(|(variant, setting)| {
            let served = setting.live(live.get(variant));
            (!setting.matches(served)).then(|| Mismatch {
                variant: variant.clone(),
                asked: *setting,
                live: served,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live(entries: &[(&str, Option<f64>, Option<u32>)]) -> BTreeMap<String, LiveVariant> {
        entries
            .iter()
            .map(|(name, weight, instance_count)| {
                (
                    (*name).to_owned(),
                    LiveVariant {
                        weight: *weight,
                        instance_count: *instance_count,
                    },
                )
            })
            .collect()
    }

    #[test]
    fn values_served_as_asked_are_applied() {
        let serving = live(&[("a", Some(0.3), Some(2)), ("b", Some(1.0), None)]);
        let asked = [
            ("a".to_owned(), Setting::Weight(0.3)),
            ("a".to_owned(), Setting::InstanceCount(2)),
            ("b".to_owned(), Setting::Weight(1.0)),
        ];
        assert!(unapplied(&asked, &serving).is_empty());
        // f32 weights read back close enough.
        let serving = live(&[("a", Some(f64::from(1234.567_f32)), None)]);
        assert!(unapplied(&[("a".to_owned(), Setting::Weight(1234.567))], &serving).is_empty());
    }

    #[test]
    fn a_rolled_back_or_missing_value_is_named_with_what_is_served() {
        let serving = live(&[("a", Some(1.0), Some(1)), ("b", None, None)]);
        let asked = [
            ("a".to_owned(), Setting::Weight(3.0)),
            ("a".to_owned(), Setting::InstanceCount(4)),
            ("b".to_owned(), Setting::Weight(2.0)),
            ("c".to_owned(), Setting::InstanceCount(1)),
        ];
        let mismatches = unapplied(&asked, &serving);
        let lines: Vec<String> = mismatches.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "variant a weight asked 3, live 1",
                "variant a instance count asked 4, live 1",
                "variant b weight asked 2, live not shown",
                "variant c instance count asked 1, live not shown",
            ]
        );
        let error = NotApplied {
            endpoint: "fraud".into(),
            mismatches: mismatches[..1].to_vec(),
            failure_reason: None,
        };
        assert_eq!(
            error.to_string(),
            "SageMaker did not apply the change to endpoint fraud: variant a weight asked 3, \
             live 1. SageMaker gave no reason"
        );
        let error = NotApplied {
            failure_reason: Some("capacity".into()),
            ..error
        };
        assert!(error.to_string().ends_with("SageMaker's reason: capacity"));
    }
}
