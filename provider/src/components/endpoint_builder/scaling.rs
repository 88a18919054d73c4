//! Per-variant autoscaling: a scalable target for each variant's instance
//! count, and scaling policies on those targets.

use super::EndpointPlan;
use crate::Scope;
use crate::resources::autoscaling::{
    ScalableTarget, ScalableTargetInputs, ScalingPolicy, ScalingPolicyInputs, StepScaling,
    TargetTracking,
};
use crate::resources::sagemaker::endpoint::Endpoint;
use crate::resources::sagemaker::variant_rules::EndpointKind;
use framework::{Child, ChildOptions, Output, Result};

/// What Application Auto Scaling scales: a variant's instance count.
const SCALABLE_DIMENSION: &str = "sagemaker:variant:DesiredInstanceCount";
const SERVICE_NAMESPACE: &str = "sagemaker";

/// Autoscaling of every variant: the bounds of its instance count and the
/// target-tracking policy that moves it.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantAutoscaling {
    /// Fewest instances per variant.
    pub min_capacity: u32,
    /// Most instances per variant.
    pub max_capacity: u32,
    /// Ends the policy names: `<endpoint>-<variant>-<suffix>`.
    pub policy_suffix: &'static str,
    /// The metric held near a target.
    pub tracking: TargetTracking,
}

/// How a scaling policy scales.
#[derive(Debug, Clone, PartialEq)]
pub enum PolicyRule {
    /// Keep a metric near a target value.
    TargetTracking(TargetTracking),
    /// Scale by steps when an alarm fires.
    StepScaling(StepScaling),
}

/// `endpoint/<endpoint>/variant/<variant>`.
fn variant_resource_id(endpoint: &str, variant: &str) -> String {
    format!("endpoint/{endpoint}/variant/{variant}")
}

/// Registers a scalable target for every variant, after the endpoint and
/// depending on it: when the endpoint is replaced (which deregisters its
/// variants), the engine registers the targets again.
pub(super) async fn register_targets(
    scope: &Scope,
    plan: &EndpointPlan<'_>,
    endpoint: &Child<Endpoint>,
    min: u32,
    max: u32,
) -> Result<Vec<Child<ScalableTarget>>> {
    let registrations = plan.models.iter().map(|model| {
        let inputs = ScalableTargetInputs {
            resource_id: Output::new(variant_resource_id(plan.endpoint_name, &model.variant_name))
                .depending_on(endpoint.urn.clone()),
            scalable_dimension: SCALABLE_DIMENSION.to_owned(),
            service_namespace: SERVICE_NAMESPACE.to_owned(),
            min_capacity: min,
            max_capacity: max,
            instance_type: (plan.kind != EndpointKind::Serverless)
                .then(|| model.instance_type.clone()),
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

/// Registers a policy following `rule` on each variant's target in
/// `targets` (model-list order), depending on the target: when the target
/// is registered again (its policies went with the old registration), the
/// engine puts the policy again.
pub(super) async fn register_policies(
    scope: &Scope,
    plan: &EndpointPlan<'_>,
    targets: &[Child<ScalableTarget>],
    suffix: &str,
    rule: &PolicyRule,
) -> Result<Vec<Child<ScalingPolicy>>> {
    let registrations = plan.models.iter().zip(targets).map(|(model, target)| {
        let (target_tracking, step_scaling) = match rule {
            PolicyRule::TargetTracking(tracking) => (Some(tracking.clone()), None),
            PolicyRule::StepScaling(steps) => (None, Some(steps.clone())),
        };
        let inputs = ScalingPolicyInputs {
            policy_name: format!("{}-{}-{suffix}", plan.endpoint_name, model.variant_name),
            resource_id: Output::new(variant_resource_id(plan.endpoint_name, &model.variant_name))
                .depending_on(target.urn.clone()),
            scalable_dimension: SCALABLE_DIMENSION.to_owned(),
            service_namespace: SERVICE_NAMESPACE.to_owned(),
            target_tracking,
            step_scaling,
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
