//! The alarms a monitored endpoint gets: one per purpose (per variant where
//! SageMaker publishes the metric per variant, per inference component on
//! an endpoint hosting them), each treating missing data as not breaching
//! so that an idle endpoint stays OK, and the composite "endpoint
//! unhealthy" alarm over all of them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::metrics::{COMPONENTS, INSTANCES, SAGEMAKER};
use crate::resources::cloudwatch::{
    ComparisonOperator, MetricAlarmInputs, Statistic, TreatMissingData,
};
use crate::resources::sagemaker::variant_rules::EndpointKind;
use framework::Failures;

/// Most alarms a blue/green deployment watches (SageMaker API reference,
/// AutoRollbackConfig, `Alarms`: 1-10 items).
pub const MAX_ROLLBACK_ALARMS: usize = 10;

/// The thresholds of the default alarms; every one has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlarmThresholds {
    /// Server errors (`Invocation5XXErrors`) per minute of a variant at or
    /// above which its error alarm fires (default 1). On a serverless
    /// endpoint this is the serverless errors alarm.
    #[serde(default = "default_server_errors")]
    pub server_errors_per_minute: f64,
    /// A variant's 99th-percentile `ModelLatency` over a minute, in
    /// milliseconds, above which its latency alarm fires (default 1000).
    #[serde(default = "default_latency")]
    pub model_latency_p99_milliseconds: f64,
    /// Average memory utilization of a variant's instances (or serverless
    /// containers), in percent, above which its saturation alarm fires
    /// (default 90). Memory rather than CPU: CPUUtilization runs up to 100%
    /// per vCPU, so no one threshold means "saturated" on every instance
    /// type, while MemoryUtilization is 0-100%.
    #[serde(default = "default_memory")]
    pub memory_utilization_percent: f64,
    /// Age of the oldest queued request of an asynchronous endpoint, in
    /// seconds, above which its backlog alarm fires (default 900).
    #[serde(default = "default_backlog_age")]
    pub backlog_age_seconds: f64,
    /// Consecutive minutes a threshold must be broken before an alarm fires
    /// (default 1, so that a rollout is rolled back quickly).
    #[serde(default = "default_minutes")]
    pub evaluation_minutes: u32,
}

fn default_server_errors() -> f64 {
    1.0
}

fn default_latency() -> f64 {
    1000.0
}

fn default_memory() -> f64 {
    90.0
}

fn default_backlog_age() -> f64 {
    900.0
}

fn default_minutes() -> u32 {
    1
}

impl Default for AlarmThresholds {
    fn default() -> Self {
        AlarmThresholds {
            server_errors_per_minute: default_server_errors(),
            model_latency_p99_milliseconds: default_latency(),
            memory_utilization_percent: default_memory(),
            backlog_age_seconds: default_backlog_age(),
            evaluation_minutes: default_minutes(),
        }
    }
}

impl AlarmThresholds {
    /// Adds what is wrong with the thresholds, under `alarms.`.
    pub fn check(&self, failures: &mut Failures) {
        failures.require(
            self.server_errors_per_minute > 0.0,
            "alarms.serverErrorsPerMinute",
            "must be greater than 0",
        );
        failures.require(
            self.model_latency_p99_milliseconds > 0.0,
            "alarms.modelLatencyP99Milliseconds",
            "must be greater than 0",
        );
        failures.require(
            self.memory_utilization_percent > 0.0 && self.memory_utilization_percent < 100.0,
            "alarms.memoryUtilizationPercent",
            "must be between 0 and 100 (exclusive)",
        );
        failures.require(
            self.backlog_age_seconds > 0.0,
            "alarms.backlogAgeSeconds",
            "must be greater than 0",
        );
        // PutMetricAlarm, EvaluationPeriods: the evaluated periods together
        // may span at most a day (86,400 seconds), 1440 one-minute periods.
        failures.require(
            (1..=1440).contains(&self.evaluation_minutes),
            "alarms.evaluationMinutes",
            "must be between 1 and 1440 (a day)",
        );
    }
}

/// What an alarm is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Purpose {
    /// A variant answers with server errors.
    ServerErrors,
    /// A variant answers slowly.
    LatencyP99,
    /// A variant's memory is nearly full.
    MemorySaturation,
    /// Requests wait long in an asynchronous endpoint's queue.
    BacklogAge,
}

impl Purpose {
    /// The key of the purpose in the component's `alarmArns` output.
    pub fn key(self) -> &'static str {
        match self {
            Purpose::ServerErrors => "serverErrors",
            Purpose::LatencyP99 => "latencyP99",
            Purpose::MemorySaturation => "memorySaturation",
            Purpose::BacklogAge => "backlogAge",
        }
    }

    /// The end of the alarm's name.
    fn suffix(self) -> &'static str {
        match self {
            Purpose::ServerErrors => "server-errors",
            Purpose::LatencyP99 => "latency-p99",
            Purpose::MemorySaturation => "memory-saturation",
            Purpose::BacklogAge => "backlog-age",
        }
    }

    /// True for the alarms a rollout watches: a new model version that
    /// fails or slows down is rolled back; a full memory or a long queue
    /// is a capacity matter, told to people, not a reason to roll back.
    pub fn guards_rollouts(self) -> bool {
        matches!(self, Purpose::ServerErrors | Purpose::LatencyP99)
    }
}

/// What an endpoint's alarms watch.
#[derive(Debug, Clone, PartialEq)]
pub enum Watched {
    /// Its variants, by name.
    Variants(Vec<String>),
    /// Its inference components: `(VariantName, InferenceComponentName)`
    /// of each `modelList` entry.
    Components(Vec<(String, String)>),
}

/// One alarm to create.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedAlarm {
    /// What it is for.
    pub purpose: Purpose,
    /// The variant it watches (an inference component's `modelList`
    /// `VariantName`); `None` for endpoint-wide alarms.
    pub variant: Option<String>,
    /// The alarm itself.
    pub inputs: MetricAlarmInputs,
}

impl PlannedAlarm {
    /// Its key in the `alarmArns` output: `<purpose>` or
    /// `<purpose>/<variant>`.
    pub fn key(&self) -> String {
        match &self.variant {
            Some(variant) => format!("{}/{variant}", self.purpose.key()),
            None => self.purpose.key().to_owned(),
        }
    }
}

/// The name of the composite "endpoint unhealthy" alarm of `endpoint`.
pub fn unhealthy_alarm_name(endpoint: &str) -> String {
    format!("{endpoint}-unhealthy")
}

/// The composite rule: unhealthy when any of `alarms` is in ALARM.
pub fn unhealthy_rule(alarms: &[PlannedAlarm]) -> String {
    alarms
        .iter()
        .map(|alarm| format!("ALARM(\"{}\")", alarm.inputs.alarm_name))
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// An alarm on `metric` of `endpoint` (and `variant`, or the inference
/// component `component` named after it).
struct AlarmSpec<'a> {
    endpoint: &'a str,
    variant: Option<&'a str>,
    component: Option<&'a str>,
    purpose: Purpose,
    namespace: &'static str,
    metric: &'static str,
    statistic: Option<Statistic>,
    percentile: Option<&'static str>,
    threshold: f64,
    comparison: ComparisonOperator,
    description: String,
}

fn alarm(spec: AlarmSpec<'_>, minutes: u32) -> PlannedAlarm {
    let mut dimensions = std::collections::BTreeMap::new();
    let name = match (spec.component, spec.variant) {
        // SageMaker publishes a component's metrics by its name alone.
        (Some(component), _) => {
            dimensions.insert("InferenceComponentName".to_owned(), component.to_owned());
            format!("{component}-{}", spec.purpose.suffix())
        }
        (None, Some(variant)) => {
            dimensions.insert("EndpointName".to_owned(), spec.endpoint.to_owned());
            dimensions.insert("VariantName".to_owned(), variant.to_owned());
            format!("{}-{variant}-{}", spec.endpoint, spec.purpose.suffix())
        }
        (None, None) => {
            dimensions.insert("EndpointName".to_owned(), spec.endpoint.to_owned());
            format!("{}-{}", spec.endpoint, spec.purpose.suffix())
        }
    };
    PlannedAlarm {
        purpose: spec.purpose,
        variant: spec.variant.map(str::to_owned),
        inputs: MetricAlarmInputs {
            alarm_name: name,
            alarm_description: spec.description,
            metric_name: spec.metric.to_owned(),
            namespace: spec.namespace.to_owned(),
            statistic: spec.statistic,
            extended_statistic: spec.percentile.map(str::to_owned),
            dimensions,
            period: 60,
            evaluation_periods: minutes,
            threshold: spec.threshold,
            comparison_operator: spec.comparison,
            // An idle endpoint publishes nothing: that is not a breach.
            treat_missing_data: TreatMissingData::NotBreaching,
            alarm_actions: Vec::new(),
        },
    }
}

/// The metric alarms of a `kind` endpoint `endpoint` with the variants or
/// inference components `watched`: per variant (component) server errors,
/// p99 model latency and memory saturation (a component's: of its copies'
/// reservation), and for an asynchronous endpoint the age of its oldest
/// queued request.
pub fn plan_alarms(
    endpoint: &str,
    kind: EndpointKind,
    watched: &Watched,
    thresholds: &AlarmThresholds,
) -> Vec<PlannedAlarm> {
    let minutes = thresholds.evaluation_minutes;
    let mut alarms = Vec::new();
    let subjects: Vec<(&str, Option<&str>)> = match watched {
        Watched::Variants(variants) => variants.iter().map(|v| (v.as_str(), None)).collect(),
        Watched::Components(components) => components
            .iter()
            .map(|(variant, component)| (variant.as_str(), Some(component.as_str())))
            .collect(),
    };
    for (variant, component) in subjects {
        let what = match component {
            Some(component) => format!("Inference component {component}"),
            None => format!("Variant {variant} of endpoint {endpoint}"),
        };
        let (memory_namespace, memory_metric) = match component {
            Some(_) => (COMPONENTS, "MemoryUtilizationNormalized"),
            None => (INSTANCES, "MemoryUtilization"),
        };
        let spec = |purpose, namespace, metric, threshold, description: String| AlarmSpec {
            endpoint,
            variant: Some(variant),
            component,
            purpose,
            namespace,
            metric,
            statistic: None,
            percentile: None,
            threshold,
            comparison: ComparisonOperator::GreaterThanThreshold,
            description,
        };
        alarms.push(alarm(
            AlarmSpec {
                statistic: Some(Statistic::Sum),
                comparison: ComparisonOperator::GreaterThanOrEqualToThreshold,
                ..spec(
                    Purpose::ServerErrors,
                    SAGEMAKER,
                    "Invocation5XXErrors",
                    thresholds.server_errors_per_minute,
                    format!(
                        "{what} answers with {} or more server errors a minute",
                        thresholds.server_errors_per_minute
                    ),
                )
            },
            minutes,
        ));
        alarms.push(alarm(
            AlarmSpec {
                percentile: Some("p99"),
                ..spec(
                    Purpose::LatencyP99,
                    SAGEMAKER,
                    "ModelLatency",
                    // ModelLatency is in microseconds.
                    thresholds.model_latency_p99_milliseconds * 1000.0,
                    format!(
                        "{what}: 1 request in 100 takes the model over {} ms",
                        thresholds.model_latency_p99_milliseconds
                    ),
                )
            },
            minutes,
        ));
        alarms.push(alarm(
            AlarmSpec {
                statistic: Some(Statistic::Average),
                ..spec(
                    Purpose::MemorySaturation,
                    memory_namespace,
                    memory_metric,
                    thresholds.memory_utilization_percent,
                    format!(
                        "{what} uses over {}% of its memory",
                        thresholds.memory_utilization_percent
                    ),
                )
            },
            minutes,
        ));
    }
    if kind == EndpointKind::Async {
        alarms.push(alarm(
            AlarmSpec {
                endpoint,
                variant: None,
                component: None,
                purpose: Purpose::BacklogAge,
                namespace: SAGEMAKER,
                metric: "ApproximateAgeOfOldestRequest",
                statistic: Some(Statistic::Maximum),
                percentile: None,
                threshold: thresholds.backlog_age_seconds,
                comparison: ComparisonOperator::GreaterThanThreshold,
                description: format!(
                    "A request has waited over {} seconds in the queue of endpoint {endpoint}",
                    thresholds.backlog_age_seconds
                ),
            },
            minutes,
        ));
    }
    alarms
}

/// The alarms a rollout of the endpoint watches: each variant's server
/// errors and p99 latency; with more than 5 variants only the server
/// errors, as SageMaker watches at most 10 alarms.
pub fn rollback_alarms(alarms: &[PlannedAlarm]) -> Vec<&PlannedAlarm> {
    let guarding: Vec<&PlannedAlarm> = alarms
        .iter()
        .filter(|a| a.purpose.guards_rollouts())
        .collect();
    if guarding.len() <= MAX_ROLLBACK_ALARMS {
        return guarding;
    }
    guarding
        .into_iter()
        .filter(|a| a.purpose == Purpose::ServerErrors)
        .take(MAX_ROLLBACK_ALARMS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::cloudwatch::MetricAlarm;
    use framework::CustomResource;

    fn variants(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("v{i}")).collect()
    }

    #[test]
    fn each_variant_gets_one_alarm_per_purpose_that_an_idle_endpoint_does_not_trip() {
        let alarms = plan_alarms(
            "fraud",
            EndpointKind::RealTime,
            &Watched::Variants(variants(2)),
            &AlarmThresholds::default(),
        );
        let keys: Vec<String> = alarms.iter().map(PlannedAlarm::key).collect();
        assert_eq!(
            keys,
            [
                "serverErrors/v0",
                "latencyP99/v0",
                "memorySaturation/v0",
                "serverErrors/v1",
                "latencyP99/v1",
                "memorySaturation/v1"
            ]
        );
        let mut names: Vec<&str> = alarms
            .iter()
            .map(|a| a.inputs.alarm_name.as_str())
            .collect();
        names.dedup();
        assert_eq!(names.len(), 6, "no two alarms share a name");
        for alarm in &alarms {
            assert_eq!(
                alarm.inputs.treat_missing_data,
                TreatMissingData::NotBreaching
            );
            assert!(
                MetricAlarm.check(&alarm.inputs).is_empty(),
                "{:?}",
                alarm.inputs
            );
            assert_eq!(alarm.inputs.dimensions["EndpointName"], "fraud");
        }
        let latency = &alarms[1].inputs;
        assert_eq!(latency.alarm_name, "fraud-v0-latency-p99");
        assert_eq!(
            (latency.namespace.as_str(), latency.metric_name.as_str()),
            ("AWS/SageMaker", "ModelLatency")
        );
        assert_eq!(latency.extended_statistic.as_deref(), Some("p99"));
        assert_eq!(latency.threshold, 1_000_000.0, "1000 ms in microseconds");
        let memory = &alarms[2].inputs;
        assert_eq!(memory.namespace, "/aws/sagemaker/Endpoints");
        assert_eq!(memory.dimensions["VariantName"], "v0");
    }

    #[test]
    fn thresholds_the_user_sets_are_the_alarms_thresholds() {
        let thresholds = AlarmThresholds {
            server_errors_per_minute: 5.0,
            model_latency_p99_milliseconds: 250.0,
            memory_utilization_percent: 80.0,
            backlog_age_seconds: 120.0,
            evaluation_minutes: 3,
        };
        let alarms = plan_alarms(
            "fraud",
            EndpointKind::Async,
            &Watched::Variants(variants(1)),
            &thresholds,
        );
        let by_key = |key: &str| {
            alarms
                .iter()
                .find(|a| a.key() == key)
                .unwrap()
                .inputs
                .clone()
        };
        assert_eq!(by_key("serverErrors/v0").threshold, 5.0);
        assert_eq!(by_key("latencyP99/v0").threshold, 250_000.0);
        assert_eq!(by_key("memorySaturation/v0").threshold, 80.0);
        let backlog = by_key("backlogAge");
        assert_eq!(
            (backlog.metric_name.as_str(), backlog.threshold),
            ("ApproximateAgeOfOldestRequest", 120.0)
        );
        assert!(!backlog.dimensions.contains_key("VariantName"));
        assert!(alarms.iter().all(|a| a.inputs.evaluation_periods == 3));
    }

    #[test]
    fn rollouts_watch_errors_and_latency_within_sagemakers_ten() {
        let thresholds = AlarmThresholds::default();
        let two = plan_alarms(
            "fraud",
            EndpointKind::RealTime,
            &Watched::Variants(variants(2)),
            &thresholds,
        );
        let watched: Vec<String> = rollback_alarms(&two).iter().map(|a| a.key()).collect();
        assert_eq!(
            watched,
            [
                "serverErrors/v0",
                "latencyP99/v0",
                "serverErrors/v1",
                "latencyP99/v1"
            ]
        );
        let eight = plan_alarms(
            "fraud",
            EndpointKind::RealTime,
            &Watched::Variants(variants(8)),
            &thresholds,
        );
        let watched = rollback_alarms(&eight);
        assert_eq!(watched.len(), 8);
        assert!(watched.iter().all(|a| a.purpose == Purpose::ServerErrors));
    }

    #[test]
    fn the_unhealthy_rule_names_every_alarm() {
        let alarms = plan_alarms(
            "fraud",
            EndpointKind::Serverless,
            &Watched::Variants(variants(1)),
            &AlarmThresholds::default(),
        );
        assert_eq!(
            unhealthy_rule(&alarms),
            "ALARM(\"fraud-v0-server-errors\") OR ALARM(\"fraud-v0-latency-p99\") OR ALARM(\"fraud-v0-memory-saturation\")"
        );
    }

    #[test]
    fn an_inference_component_s_alarms_watch_it_by_its_name() {
        let components = Watched::Components(vec![
            ("Chat".into(), "fraud-Chat".into()),
            ("Score".into(), "fraud-Score".into()),
        ]);
        let alarms = plan_alarms(
            "fraud",
            EndpointKind::RealTime,
            &components,
            &AlarmThresholds::default(),
        );
        let keys: Vec<String> = alarms.iter().map(PlannedAlarm::key).collect();
        assert_eq!(
            keys,
            [
                "serverErrors/Chat",
                "latencyP99/Chat",
                "memorySaturation/Chat",
                "serverErrors/Score",
                "latencyP99/Score",
                "memorySaturation/Score"
            ]
        );
        for alarm in &alarms {
            let inputs = &alarm.inputs;
            assert!(MetricAlarm.check(inputs).is_empty(), "{inputs:?}");
            let component = format!("fraud-{}", alarm.variant.as_deref().unwrap());
            assert_eq!(
                inputs.dimensions.iter().collect::<Vec<_>>(),
                [(&"InferenceComponentName".to_owned(), &component)]
            );
            assert!(inputs.alarm_name.starts_with(&component));
            assert!(inputs.alarm_description.contains(&component));
        }
        let memory = &alarms[2].inputs;
        assert_eq!(
            (memory.namespace.as_str(), memory.metric_name.as_str()),
            (
                "/aws/sagemaker/InferenceComponents",
                "MemoryUtilizationNormalized"
            )
        );
        assert_eq!(alarms[0].inputs.alarm_name, "fraud-Chat-server-errors");
        assert_eq!(rollback_alarms(&alarms).len(), 4);
    }

    #[test]
    fn thresholds_outside_their_ranges_are_named() {
        let mut failures = Failures::new();
        AlarmThresholds {
            memory_utilization_percent: 120.0,
            evaluation_minutes: 0,
            ..AlarmThresholds::default()
        }
        .check(&mut failures);
        let paths: Vec<String> = failures
            .into_vec()
            .into_iter()
            .map(|f| f.property)
            .collect();
        assert_eq!(
            paths,
            [
                "alarms.memoryUtilizationPercent",
                "alarms.evaluationMinutes"
            ]
        );
    }
}
