//! Application Auto Scaling for endpoint variants and inference components:
//! `sagemaker-deployment:applicationautoscaling:ScalableTarget` and
//! `sagemaker-deployment:applicationautoscaling:ScalingPolicy`.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_applicationautoscaling::types::{
    AdjustmentType, CustomizedMetricSpecification, MetricAggregationType, MetricDimension,
    MetricStatistic, MetricType, PolicyType, PredefinedMetricSpecification, ScalableDimension,
    ServiceNamespace, StepAdjustment, StepScalingPolicyConfiguration,
    TargetTrackingScalingPolicyConfiguration,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Context;
use crate::aws::{OrGone, ResultExt, Service};
use crate::resources::cloudwatch::Statistic;
use framework::{Created, CustomResource, Failures, Output, ReadOutcome};
use framework::{ProviderError, Result};

const SAGEMAKER: &str = "sagemaker";
const VARIANT_COUNT: &str = "sagemaker:variant:DesiredInstanceCount";

fn default_namespace() -> String {
    SAGEMAKER.to_owned()
}

fn default_dimension() -> String {
    VARIANT_COUNT.to_owned()
}

fn build_error(error: impl std::fmt::Display) -> ProviderError {
    ProviderError::Internal(error.to_string())
}

/// Registers an endpoint variant's instance count with Application Auto
/// Scaling, between a minimum (0 allowed for async endpoints) and a maximum.
///
/// The registration belongs to the endpoint as it exists: deleting the
/// endpoint deregisters its variants ("If you delete an endpoint,
/// Application Auto Scaling ... deregisters those models as scalable
/// targets", Developer Guide, "Delete endpoints configured for auto
/// scaling"). So a `resourceId` that comes from the endpoint resource makes
/// the engine register the target again whenever it replaces the endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScalableTargetInputs {
    /// `endpoint/<endpoint name>/variant/<variant name>`.
    pub resource_id: Output<String>,
    /// The scaled dimension.
    #[serde(default = "default_dimension")]
    pub scalable_dimension: String,
    /// The service namespace.
    #[serde(default = "default_namespace")]
    pub service_namespace: String,
    /// Fewest instances.
    pub min_capacity: u32,
    /// Most instances.
    pub max_capacity: u32,
    /// The instance type of the variant scaled. SageMaker refuses to change
    /// the instance type of a variant registered with Application Auto
    /// Scaling ("If the update would change the instance type for any model
    /// that is a target for auto scaling, the update fails", Developer
    /// Guide, "Update endpoints that use auto scaling"): the endpoint
    /// deregisters the variant before such an update, and a new type
    /// replaces this target, registering it again once the endpoint runs
    /// the new type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
}

/// The registered target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScalableTargetOutputs {
    /// The target's settings.
    #[serde(flatten)]
    pub inputs: ScalableTargetInputs,
    /// The scalable target ARN.
    #[serde(default)]
    pub arn: String,
}

/// The scalable target resource.
pub struct ScalableTarget;

#[async_trait]
impl CustomResource for ScalableTarget {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:applicationautoscaling:ScalableTarget";
    const UPDATABLE: &'static [&'static str] = &["minCapacity", "maxCapacity"];
    /// The resource ID is the target's identity: the old registration goes
    /// before the new one is made.
    const DELETE_BEFORE_REPLACE: bool = true;

    type Inputs = ScalableTargetInputs;
    type Outputs = ScalableTargetOutputs;

    fn check(&self, inputs: &ScalableTargetInputs) -> Failures {
        let mut failures = Failures::new();
        failures.require(
            inputs.min_capacity <= inputs.max_capacity,
            "minCapacity",
            format!(
                "must not exceed maxCapacity ({}), got {}",
                inputs.max_capacity, inputs.min_capacity
            ),
        );
        failures.require(
            inputs.max_capacity >= 1,
            "maxCapacity",
            "must be at least 1",
        );
        failures.require(
            inputs
                .resource_id
                .get()
                .is_none_or(|id| is_sagemaker_resource_id(id)),
            "resourceId",
            "must be endpoint/<endpoint>/variant/<variant> or inference-component/<component>",
        );
        failures
    }

    async fn create(
        &self,
        ctx: &Context,
        inputs: &ScalableTargetInputs,
    ) -> Result<Created<ScalableTargetOutputs>> {
        let arn = register(ctx, inputs).await?;
        Ok(Created {
            id: inputs.resource_id.as_str().to_owned(),
            outputs: ScalableTargetOutputs {
                inputs: inputs.clone(),
                arn,
            },
        })
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &ScalableTargetOutputs,
    ) -> Result<ReadOutcome<ScalableTargetInputs, ScalableTargetOutputs>> {
        let found = ctx
            .clients
            .autoscaling
            .describe_scalable_targets()
            .service_namespace(ServiceNamespace::from(
                outputs.inputs.service_namespace.as_str(),
            ))
            .resource_ids(id)
            .scalable_dimension(ScalableDimension::from(
                outputs.inputs.scalable_dimension.as_str(),
            ))
            .send()
            .await
            .aws(Service::ApplicationAutoScaling, "DescribeScalableTargets")?;
        let Some(target) = found.scalable_targets().first() else {
            return Ok(ReadOutcome::Gone);
        };
        let inputs = ScalableTargetInputs {
            min_capacity: target.min_capacity().max(0) as u32,
            max_capacity: target.max_capacity().max(0) as u32,
            ..outputs.inputs.clone()
        };
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: ScalableTargetOutputs {
                inputs: inputs.clone(),
                arn: target
                    .scalable_target_arn()
                    .map(str::to_owned)
                    .unwrap_or_else(|| outputs.arn.clone()),
            },
            inputs,
        })
    }

    async fn update(
        &self,
        ctx: &Context,
        _id: &str,
        olds: &ScalableTargetOutputs,
        news: &ScalableTargetInputs,
    ) -> Result<ScalableTargetOutputs> {
        let arn = register(ctx, news).await?;
        Ok(ScalableTargetOutputs {
            inputs: news.clone(),
            arn: if arn.is_empty() {
                olds.arn.clone()
            } else {
                arn
            },
        })
    }

    async fn delete(&self, ctx: &Context, id: &str, outputs: &ScalableTargetOutputs) -> Result<()> {
        ctx.clients
            .autoscaling
            .deregister_scalable_target()
            .service_namespace(ServiceNamespace::from(
                outputs.inputs.service_namespace.as_str(),
            ))
            .resource_id(id)
            .scalable_dimension(ScalableDimension::from(
                outputs.inputs.scalable_dimension.as_str(),
            ))
            .send()
            .await
            .aws(Service::ApplicationAutoScaling, "DeregisterScalableTarget")
            .or_gone()?;
        Ok(())
    }
}

/// True for the resource ids Application Auto Scaling takes for SageMaker
/// (API Reference, RegisterScalableTarget, ResourceId): an endpoint
/// variant, `endpoint/<endpoint>/variant/<variant>`, or an inference
/// component, `inference-component/<component>`.
fn is_sagemaker_resource_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('/').collect();
    match parts.as_slice() {
        ["endpoint", endpoint, "variant", variant] => !endpoint.is_empty() && !variant.is_empty(),
        ["inference-component", component] => !component.is_empty(),
        _ => false,
    }
}

async fn register(ctx: &Context, inputs: &ScalableTargetInputs) -> Result<String> {
    let registered = ctx
        .clients
        .autoscaling
        .register_scalable_target()
        .service_namespace(ServiceNamespace::from(inputs.service_namespace.as_str()))
        .resource_id(inputs.resource_id.as_str())
        .scalable_dimension(ScalableDimension::from(inputs.scalable_dimension.as_str()))
        .min_capacity(inputs.min_capacity as i32)
        .max_capacity(inputs.max_capacity as i32)
        .send()
        .await
        .aws(Service::ApplicationAutoScaling, "RegisterScalableTarget")?;
    Ok(registered
        .scalable_target_arn()
        .unwrap_or_default()
        .to_owned())
}

/// A CloudWatch metric chosen by name, namespace, statistic and dimensions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomMetric {
    /// The metric's name.
    pub metric_name: String,
    /// The metric's namespace, e.g. `AWS/SageMaker`.
    pub namespace: String,
    /// The statistic tracked.
    pub statistic: Statistic,
    /// The metric's dimensions, name to value.
    #[serde(default)]
    pub dimensions: BTreeMap<String, String>,
}

impl From<Statistic> for MetricStatistic {
    fn from(statistic: Statistic) -> Self {
        match statistic {
            Statistic::SampleCount => MetricStatistic::SampleCount,
            Statistic::Average => MetricStatistic::Average,
            Statistic::Sum => MetricStatistic::Sum,
            Statistic::Minimum => MetricStatistic::Minimum,
            Statistic::Maximum => MetricStatistic::Maximum,
        }
    }
}

/// Keep a metric near a target value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TargetTracking {
    /// The value to hold the metric at.
    pub target_value: f64,
    /// A predefined metric, e.g. `SageMakerVariantInvocationsPerInstance`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predefined_metric: Option<String>,
    /// A custom metric, e.g. `ApproximateBacklogSizePerInstance`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_metric: Option<CustomMetric>,
    /// Seconds after a scale-in before the next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_in_cooldown: Option<u32>,
    /// Seconds after a scale-out before the next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_out_cooldown: Option<u32>,
}

/// One step of a step-scaling policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// Lower bound of the step, as a difference from the alarm threshold
    /// (inclusive); unbounded when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lower_bound: Option<f64>,
    /// Upper bound of the step, as a difference from the alarm threshold
    /// (exclusive); unbounded when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upper_bound: Option<f64>,
    /// Instances to add (or remove, when negative).
    pub scaling_adjustment: i32,
}

/// Scale by steps when an alarm fires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StepScaling {
    /// `ChangeInCapacity`, `ExactCapacity` or `PercentChangeInCapacity`.
    pub adjustment_type: String,
    /// Seconds after a scaling activity before the next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cooldown: Option<u32>,
    /// `Average`, `Minimum` or `Maximum`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_aggregation_type: Option<String>,
    /// The steps, by distance from the alarm threshold.
    pub steps: Vec<Step>,
}

/// A scaling policy on a registered scalable target. Deregistering the
/// target deletes its policies ("Deregistering a scalable target deletes
/// the scaling policies ... associated with it", API Reference,
/// DeregisterScalableTarget): a `resourceId` that comes from the target
/// resource makes the engine put the policy again whenever it registers
/// the target again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScalingPolicyInputs {
    /// The policy name.
    pub policy_name: String,
    /// The scalable target's resource id.
    pub resource_id: Output<String>,
    /// The scaled dimension.
    #[serde(default = "default_dimension")]
    pub scalable_dimension: String,
    /// The service namespace.
    #[serde(default = "default_namespace")]
    pub service_namespace: String,
    /// Target tracking (set this or `stepScaling`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_tracking: Option<TargetTracking>,
    /// Step scaling (set this or `targetTracking`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_scaling: Option<StepScaling>,
}

/// The policy as created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScalingPolicyOutputs {
    /// The policy's settings.
    #[serde(flatten)]
    pub inputs: ScalingPolicyInputs,
    /// The policy ARN (an alarm action for step policies).
    pub policy_arn: String,
}

/// The scaling policy resource.
pub struct ScalingPolicy;

#[async_trait]
impl CustomResource for ScalingPolicy {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:applicationautoscaling:ScalingPolicy";
    const UPDATABLE: &'static [&'static str] = &["targetTracking", "stepScaling"];
    /// The name and resource ID are the policy's identity: the old policy
    /// goes before the new one is put.
    const DELETE_BEFORE_REPLACE: bool = true;

    type Inputs = ScalingPolicyInputs;
    type Outputs = ScalingPolicyOutputs;

    fn check(&self, inputs: &ScalingPolicyInputs) -> Failures {
        let mut failures = Failures::new();
        failures.require(
            inputs.target_tracking.is_some() != inputs.step_scaling.is_some(),
            "targetTracking",
            "set exactly one of targetTracking and stepScaling",
        );
        if let Some(tracking) = &inputs.target_tracking {
            failures.require(
                tracking.predefined_metric.is_some() != tracking.custom_metric.is_some(),
                "targetTracking.predefinedMetric",
                "set exactly one of predefinedMetric and customMetric",
            );
            failures.require(
                tracking.target_value > 0.0,
                "targetTracking.targetValue",
                "must be greater than 0",
            );
        }
        if let Some(step) = &inputs.step_scaling {
            failures.require(
                !step.steps.is_empty(),
                "stepScaling.steps",
                "must have at least one step",
            );
        }
        failures
    }

    async fn create(
        &self,
        ctx: &Context,
        inputs: &ScalingPolicyInputs,
    ) -> Result<Created<ScalingPolicyOutputs>> {
        let policy_arn = put_policy(ctx, inputs).await?;
        Ok(Created {
            id: inputs.policy_name.clone(),
            outputs: ScalingPolicyOutputs {
                inputs: inputs.clone(),
                policy_arn,
            },
        })
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &ScalingPolicyOutputs,
    ) -> Result<ReadOutcome<ScalingPolicyInputs, ScalingPolicyOutputs>> {
        let found = ctx
            .clients
            .autoscaling
            .describe_scaling_policies()
            .service_namespace(ServiceNamespace::from(
                outputs.inputs.service_namespace.as_str(),
            ))
            .resource_id(outputs.inputs.resource_id.as_str())
            .scalable_dimension(ScalableDimension::from(
                outputs.inputs.scalable_dimension.as_str(),
            ))
            .policy_names(id)
            .send()
            .await
            .aws(Service::ApplicationAutoScaling, "DescribeScalingPolicies")?;
        if found.scaling_policies().is_empty() {
            return Ok(ReadOutcome::Gone);
        }
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            inputs: outputs.inputs.clone(),
            outputs: outputs.clone(),
        })
    }

    async fn update(
        &self,
        ctx: &Context,
        _id: &str,
        _olds: &ScalingPolicyOutputs,
        news: &ScalingPolicyInputs,
    ) -> Result<ScalingPolicyOutputs> {
        let policy_arn = put_policy(ctx, news).await?;
        Ok(ScalingPolicyOutputs {
            inputs: news.clone(),
            policy_arn,
        })
    }

    async fn delete(&self, ctx: &Context, id: &str, outputs: &ScalingPolicyOutputs) -> Result<()> {
        ctx.clients
            .autoscaling
            .delete_scaling_policy()
            .policy_name(id)
            .service_namespace(ServiceNamespace::from(
                outputs.inputs.service_namespace.as_str(),
            ))
            .resource_id(outputs.inputs.resource_id.as_str())
            .scalable_dimension(ScalableDimension::from(
                outputs.inputs.scalable_dimension.as_str(),
            ))
            .send()
            .await
            .aws(Service::ApplicationAutoScaling, "DeleteScalingPolicy")
            .or_gone()?;
        Ok(())
    }
}

async fn put_policy(ctx: &Context, inputs: &ScalingPolicyInputs) -> Result<String> {
    let mut request = ctx
        .clients
        .autoscaling
        .put_scaling_policy()
        .policy_name(&inputs.policy_name)
        .service_namespace(ServiceNamespace::from(inputs.service_namespace.as_str()))
        .resource_id(inputs.resource_id.as_str())
        .scalable_dimension(ScalableDimension::from(inputs.scalable_dimension.as_str()));
    if let Some(tracking) = &inputs.target_tracking {
        let mut config = TargetTrackingScalingPolicyConfiguration::builder()
            .target_value(tracking.target_value)
            .set_scale_in_cooldown(tracking.scale_in_cooldown.map(|s| s as i32))
            .set_scale_out_cooldown(tracking.scale_out_cooldown.map(|s| s as i32));
        if let Some(metric) = &tracking.predefined_metric {
            config = config.predefined_metric_specification(
                PredefinedMetricSpecification::builder()
                    .predefined_metric_type(MetricType::from(metric.as_str()))
                    .build()
                    .map_err(build_error)?,
            );
        }
        if let Some(metric) = &tracking.custom_metric {
            let mut spec = CustomizedMetricSpecification::builder()
                .metric_name(&metric.metric_name)
                .namespace(&metric.namespace)
                .statistic(metric.statistic.into());
            for (name, value) in &metric.dimensions {
                spec = spec.dimensions(
                    MetricDimension::builder()
                        .name(name)
                        .value(value)
                        .build()
                        .map_err(build_error)?,
                );
            }
            config = config.customized_metric_specification(spec.build());
        }
        request = request
            .policy_type(PolicyType::TargetTrackingScaling)
            .target_tracking_scaling_policy_configuration(config.build().map_err(build_error)?);
    }
    if let Some(step) = &inputs.step_scaling {
        let mut config = StepScalingPolicyConfiguration::builder()
            .adjustment_type(AdjustmentType::from(step.adjustment_type.as_str()))
            .set_cooldown(step.cooldown.map(|c| c as i32))
            .set_metric_aggregation_type(
                step.metric_aggregation_type
                    .as_deref()
                    .map(MetricAggregationType::from),
            );
        for adjustment in &step.steps {
            config = config.step_adjustments(
                StepAdjustment::builder()
                    .set_metric_interval_lower_bound(adjustment.lower_bound)
                    .set_metric_interval_upper_bound(adjustment.upper_bound)
                    .scaling_adjustment(adjustment.scaling_adjustment)
                    .build()
                    .map_err(build_error)?,
            );
        }
        request = request
            .policy_type(PolicyType::StepScaling)
            .step_scaling_policy_configuration(config.build());
    }
    let put = request
        .send()
        .await
        .aws(Service::ApplicationAutoScaling, "PutScalingPolicy")?;
    Ok(put.policy_arn().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use framework::wire::{PropertyValue, UnknownKind};
    use framework::{Registry, encode_plain};

    fn target() -> ScalableTargetInputs {
        ScalableTargetInputs {
            resource_id: Output::new("endpoint/fraud/variant/primary".to_owned()),
            scalable_dimension: default_dimension(),
            service_namespace: default_namespace(),
            min_capacity: 1,
            max_capacity: 3,
            instance_type: Some("ml.m5.large".into()),
        }
    }

    fn policy() -> ScalingPolicyInputs {
        ScalingPolicyInputs {
            policy_name: "fraud-primary-invocations".into(),
            resource_id: Output::new("endpoint/fraud/variant/primary".to_owned()),
            scalable_dimension: default_dimension(),
            service_namespace: default_namespace(),
            target_tracking: Some(TargetTracking {
                target_value: 70.0,
                predefined_metric: Some("SageMakerVariantInvocationsPerInstance".into()),
                custom_metric: None,
                scale_in_cooldown: None,
                scale_out_cooldown: None,
            }),
            step_scaling: None,
        }
    }

    /// What the engine asks when it replaces the resource `resourceId`
    /// comes from: the diff with `resourceId` not known.
    fn diff_with_unknown_resource_id<R: CustomResource>(
        resource: R,
        inputs: &R::Inputs,
    ) -> framework::DiffOutcome {
        let registry = Registry::builder().resource(resource).build();
        let erased = registry.resource(R::TOKEN).unwrap();
        let olds = encode_plain(inputs).unwrap();
        let mut news = olds.clone();
        news.insert(
            "resourceId".into(),
            PropertyValue::Unknown(UnknownKind::Generic),
        );
        erased.diff_with_state(&olds, &olds, &news)
    }

    #[test]
    fn targets_and_policies_are_registered_again_when_what_they_scale_is_replaced() {
        for outcome in [
            diff_with_unknown_resource_id(ScalableTarget, &target()),
            diff_with_unknown_resource_id(ScalingPolicy, &policy()),
        ] {
            assert!(outcome.replaces(), "{outcome:?}");
            // Same resource ID, same registration: the old one goes first.
            assert!(outcome.delete_before_replace, "{outcome:?}");
        }
    }

    #[test]
    fn inference_components_are_scalable_targets_too() {
        let component = ScalableTargetInputs {
            resource_id: Output::new("inference-component/chat-llama".to_owned()),
            scalable_dimension: "sagemaker:inference-component:DesiredCopyCount".into(),
            min_capacity: 0,
            max_capacity: 4,
            instance_type: None,
            ..target()
        };
        assert!(ScalableTarget.check(&component).is_empty());
        for bad in ["inference-component/", "endpoint/fraud", "component/x"] {
            let inputs = ScalableTargetInputs {
                resource_id: Output::new(bad.to_owned()),
                ..target()
            };
            assert_eq!(
                ScalableTarget.check(&inputs).0[0].property,
                "resourceId",
                "{bad}"
            );
        }
    }

    #[test]
    fn capacity_changes_update_the_target_in_place() {
        let registry = Registry::builder().resource(ScalableTarget).build();
        let erased = registry.resource(ScalableTarget::TOKEN).unwrap();
        let olds = encode_plain(&target()).unwrap();
        let news = encode_plain(&ScalableTargetInputs {
            max_capacity: 5,
            ..target()
        })
        .unwrap();
        let outcome = erased.diff_with_state(&olds, &olds, &news);
        assert!(outcome.has_changes() && !outcome.replaces(), "{outcome:?}");
    }
}
