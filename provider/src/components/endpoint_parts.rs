//! What the three endpoint components share: the endpoint configuration,
//! the endpoint and per-variant autoscaling, built from the seed's model list.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::model_config::{EndpointKind, ModelSpec, ServerlessSettings};
use crate::Scope;
use crate::naming::sagemaker_name_problem;
use crate::resources::Tags;
use crate::resources::autoscaling::{
    CustomMetric, ScalableTarget, ScalableTargetInputs, ScalingPolicy, ScalingPolicyInputs,
    TargetTracking,
};
use crate::resources::cloudwatch::{MetricAlarm, MetricAlarmInputs};
use crate::resources::sagemaker::endpoint::{Endpoint, EndpointInputs, RolloutPolicy};
use crate::resources::sagemaker::endpoint_config::{
    AsyncInference, DataCapture, EndpointConfig, EndpointConfigInputs, VariantCapacity, VariantSpec,
};
use framework::Result;
use framework::{Child, ChildOptions, Failures, Output};

/// Target-tracking autoscaling of each variant's instance count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AutoscalingArgs {
    /// Fewest instances per variant.
    #[serde(default = "one")]
    pub min_capacity: u32,
    /// Most instances per variant.
    pub max_capacity: u32,
    /// Invocations per instance per minute to hold (real-time endpoints).
    #[serde(default = "default_invocations")]
    pub target_invocations_per_instance: f64,
    /// Seconds after a scale-in before the next.
    #[serde(default = "default_scale_in")]
    pub scale_in_cooldown_seconds: u32,
    /// Seconds after a scale-out before the next.
    #[serde(default = "default_scale_out")]
    pub scale_out_cooldown_seconds: u32,
}

fn one() -> u32 {
    1
}

fn default_invocations() -> f64 {
    70.0
}

fn default_scale_in() -> u32 {
    300
}

fn default_scale_out() -> u32 {
    60
}

/// Checks an endpoint name.
pub fn check_endpoint_name(name: &str, failures: &mut Failures) {
    if let Some(problem) = sagemaker_name_problem(name) {
        failures.push("endpointName", problem);
    }
}

/// Checks autoscaling bounds (`min_floor` is 0 for async endpoints) and that
/// every variant starts with an instance count inside them.
pub fn check_autoscaling(
    min: u32,
    max: u32,
    min_floor: u32,
    models: &[ModelSpec],
    failures: &mut Failures,
) {
    for (i, model) in models.iter().enumerate() {
        if min <= max && !(min..=max).contains(&model.instance_count) {
            failures.push(
                format!("modelList[{i}].InstanceCount"),
                format!(
                    "{} is outside the autoscaling range {min}..={max}",
                    model.instance_count
                ),
            );
        }
    }
    failures.require(
        min >= min_floor,
        "autoscaling.minCapacity",
        format!("must be at least {min_floor}"),
    );
    failures.require(max >= 1, "autoscaling.maxCapacity", "must be at least 1");
    failures.require(
        min <= max,
        "autoscaling.minCapacity",
        format!("must not exceed maxCapacity ({max}), got {min}"),
    );
}

/// The production variants of a model list, given the SageMaker model names
/// in list order.
fn variants(
    kind: EndpointKind,
    models: &[ModelSpec],
    serverless: Option<&ServerlessSettings>,
    names: &Output<Vec<String>>,
) -> Vec<VariantSpec> {
    models
        .iter()
        .enumerate()
        .map(|(i, model)| {
            let on_instances = kind != EndpointKind::Serverless;
            VariantSpec {
                variant_name: model.variant_name.clone(),
                model_name: names.element(i),
                instance_type: on_instances.then(|| model.instance_type.clone()),
                serverless: if on_instances {
                    None
                } else {
                    model
                        .serverless_config
                        .as_ref()
                        .or(serverless)
                        .map(|s| s.compute())
                },
                container_startup_health_check_timeout_in_seconds: None,
            }
        })
        .collect()
}

/// Weights and counts of a model list.
fn capacity(kind: EndpointKind, models: &[ModelSpec]) -> BTreeMap<String, VariantCapacity> {
    models
        .iter()
        .map(|m| {
            let count = (kind != EndpointKind::Serverless).then_some(m.instance_count);
            (
                m.variant_name.clone(),
                VariantCapacity {
                    weight: m.variant_weight,
                    instance_count: count,
                },
            )
        })
        .collect()
}

/// What an endpoint component asks for.
pub struct EndpointPlan<'a> {
    /// The component's name, prefix of the children's names.
    pub component: &'a str,
    pub endpoint_name: &'a str,
    pub kind: EndpointKind,
    pub models: &'a [ModelSpec],
    pub serverless: Option<&'a ServerlessSettings>,
    /// SageMaker model names in list order: unknown while previewing a new
    /// model.
    pub model_names: Output<Vec<String>>,
    pub tags: &'a Tags,
}

/// What only some endpoint kinds put in their configuration.
#[derive(Default)]
pub struct ConfigExtras {
    /// Key for the instances' storage.
    pub kms_key_arn: Option<Output<String>>,
    /// Request and response capture.
    pub data_capture: Option<DataCapture>,
    /// Asynchronous inference settings.
    pub async_inference: Option<AsyncInference>,
}

/// Registers the endpoint configuration.
pub async fn register_config(
    scope: &Scope,
    plan: &EndpointPlan<'_>,
    extras: ConfigExtras,
) -> Result<Child<EndpointConfig>> {
    let inputs = EndpointConfigInputs {
        name_prefix: format!("{}-config", plan.endpoint_name),
        production_variants: variants(plan.kind, plan.models, plan.serverless, &plan.model_names),
        initial_capacity: capacity(plan.kind, plan.models),
        kms_key_arn: extras.kms_key_arn,
        data_capture: extras.data_capture,
        async_inference: extras.async_inference,
        tags: plan.tags.clone(),
        endpoint_config_name: None,
    };
    scope
        .resource::<EndpointConfig>(
            &format!("{}-config", plan.component),
            &inputs,
            ChildOptions::default(),
        )
        .await
}

/// Registers the endpoint running `config`.
pub async fn register_endpoint(
    scope: &Scope,
    plan: &EndpointPlan<'_>,
    config: &Child<EndpointConfig>,
    autoscaling_managed: bool,
    rollout: Option<RolloutPolicy>,
) -> Result<Child<Endpoint>> {
    let (rollout, alarms) = match rollout {
        Some(policy) if policy.rollback_alarm_names.is_empty() => {
            let alarms = register_rollback_alarms(scope, plan).await?;
            let names = alarms
                .iter()
                .filter_map(|alarm| alarm.output::<String>("alarmName").into_value())
                .collect();
            (
                Some(RolloutPolicy {
                    rollback_alarm_names: names,
                    ..policy
                }),
                alarms,
            )
        }
        other => (other, Vec::new()),
    };
    let weights = plan
        .models
        .iter()
        .map(|m| (m.variant_name.clone(), m.variant_weight))
        .collect();
    let counts = match plan.kind {
        EndpointKind::Serverless => BTreeMap::new(),
        _ => plan
            .models
            .iter()
            .map(|m| (m.variant_name.clone(), m.instance_count))
            .collect(),
    };
    let inputs = EndpointInputs {
        endpoint_name: plan.endpoint_name.to_owned(),
        endpoint_config_name: config.output("endpointConfigName"),
        variant_weights: weights,
        variant_instance_counts: counts,
        autoscaling_managed,
        rollout,
        tags: plan.tags.clone(),
    };
    scope
        .resource::<Endpoint>(
            &format!("{}-endpoint", plan.component),
            &inputs,
            ChildOptions {
                depends_on: alarms.iter().map(|alarm| alarm.urn.clone()).collect(),
                ..Default::default()
            },
        )
        .await
}

/// The alarms a blue/green rollout watches unless the user names their own:
/// server errors of each variant. When one fires while traffic shifts,
/// SageMaker rolls the deployment back.
async fn register_rollback_alarms(
    scope: &Scope,
    plan: &EndpointPlan<'_>,
) -> Result<Vec<Child<MetricAlarm>>> {
    let registrations = plan.models.iter().map(|model| {
        let inputs = MetricAlarmInputs {
            alarm_name: format!("{}-{}-5xx-errors", plan.endpoint_name, model.variant_name),
            alarm_description: format!(
                "Rolls back deployments of endpoint {} when variant {} answers with server errors",
                plan.endpoint_name, model.variant_name
            ),
            metric_name: "Invocation5XXErrors".to_owned(),
            namespace: "AWS/SageMaker".to_owned(),
            statistic: "Sum".to_owned(),
            dimensions: [
                ("EndpointName".to_owned(), plan.endpoint_name.to_owned()),
                ("VariantName".to_owned(), model.variant_name.clone()),
            ]
            .into_iter()
            .collect(),
            period: 60,
            evaluation_periods: 1,
            threshold: 1.0,
            comparison_operator: "GreaterThanOrEqualToThreshold".to_owned(),
            treat_missing_data: "notBreaching".to_owned(),
            alarm_actions: Vec::new(),
        };
        let name = format!("{}-{}-rollback-alarm", plan.component, model.variant_name);
        async move {
            scope
                .resource::<MetricAlarm>(&name, &inputs, ChildOptions::default())
                .await
        }
    });
    framework::all_children(registrations).await
}

/// `endpoint/<endpoint>/variant/<variant>`.
pub fn variant_resource_id(endpoint: &str, variant: &str) -> String {
    format!("endpoint/{endpoint}/variant/{variant}")
}

/// Registers a scalable target for every variant, after the endpoint.
pub async fn register_targets(
    scope: &Scope,
    plan: &EndpointPlan<'_>,
    endpoint: &Child<Endpoint>,
    min: u32,
    max: u32,
) -> Result<Vec<Child<ScalableTarget>>> {
    let registrations = plan.models.iter().map(|model| {
        let inputs = ScalableTargetInputs {
            resource_id: variant_resource_id(plan.endpoint_name, &model.variant_name),
            scalable_dimension: "sagemaker:variant:DesiredInstanceCount".to_owned(),
            service_namespace: "sagemaker".to_owned(),
            min_capacity: min,
            max_capacity: max,
        };
        let name = format!("{}-{}-target", plan.component, model.variant_name);
        let options = ChildOptions {
            depends_on: vec![endpoint.urn.clone()],
            ..Default::default()
        };
        async move {
            scope
                .resource::<ScalableTarget>(&name, &inputs, options)
                .await
        }
    });
    framework::all_children(registrations).await
}

/// Registers a target-tracking policy per variant on `targets`.
pub async fn register_tracking(
    scope: &Scope,
    plan: &EndpointPlan<'_>,
    targets: &[Child<ScalableTarget>],
    suffix: &str,
    tracking: impl Fn(&ModelSpec) -> TargetTracking,
) -> Result<Vec<Child<ScalingPolicy>>> {
    let registrations = plan.models.iter().zip(targets).map(|(model, target)| {
        let inputs = ScalingPolicyInputs {
            policy_name: format!("{}-{}-{suffix}", plan.endpoint_name, model.variant_name),
            resource_id: variant_resource_id(plan.endpoint_name, &model.variant_name),
            scalable_dimension: "sagemaker:variant:DesiredInstanceCount".to_owned(),
            service_namespace: "sagemaker".to_owned(),
            target_tracking: Some(tracking(model)),
            step_scaling: None,
        };
        let name = format!("{}-{}-{suffix}", plan.component, model.variant_name);
        let options = ChildOptions {
            depends_on: vec![target.urn.clone()],
            ..Default::default()
        };
        async move {
            scope
                .resource::<ScalingPolicy>(&name, &inputs, options)
                .await
        }
    });
    framework::all_children(registrations).await
}

/// SageMaker's per-endpoint backlog metric for async scaling.
pub fn backlog_metric(endpoint: &str) -> CustomMetric {
    CustomMetric {
        metric_name: "ApproximateBacklogSizePerInstance".to_owned(),
        namespace: "AWS/SageMaker".to_owned(),
        statistic: "Average".to_owned(),
        dimensions: [("EndpointName".to_owned(), endpoint.to_owned())]
            .into_iter()
            .collect(),
    }
}
