//! `sagemaker-deployment:index:SageMakerAsyncEndpoint`: the seed's
//! SageMakerAsyncEndpointStack.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::endpoint_parts::{
    ConfigExtras, EndpointPlan, backlog_metric, check_autoscaling, check_endpoint_name,
    register_config, register_endpoint, register_targets, register_tracking, variant_resource_id,
};
use super::model_config::{EndpointKind, ModelSpec, check_variants};
use crate::Scope;
use crate::resources::Tags;
use crate::resources::autoscaling::ScalableTarget;
use crate::resources::autoscaling::{
    ScalingPolicy, ScalingPolicyInputs, Step, StepScaling, TargetTracking,
};
use crate::resources::cloudwatch::{MetricAlarm, MetricAlarmInputs};
use crate::resources::iam::{RolePolicy, RolePolicyInputs};
use crate::resources::sagemaker::endpoint::RolloutPolicy;
use crate::resources::sagemaker::endpoint_config::AsyncInference;
use crate::resources::sns::{Topic, TopicInputs};
use framework::Result;
use framework::{Child, ChildOptions, Component, Failures, Output};

/// The seed's `asyncConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AsyncSettings {
    /// Requests each instance works on at once (1-1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrent_invocations_per_instance: Option<u32>,
    /// How long a queued request may wait, in seconds (60-21600). SageMaker
    /// has no endpoint-level setting for this: clients pass it per request as
    /// `RequestTTLSeconds` of InvokeEndpointAsync; the component outputs it as
    /// `requestTtlSeconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_seconds: Option<u32>,
}

/// Backlog-driven autoscaling, able to scale to zero.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AsyncAutoscalingArgs {
    /// Fewest instances per variant; 0 lets the endpoint sleep when idle.
    #[serde(default)]
    pub min_capacity: u32,
    /// Most instances per variant.
    pub max_capacity: u32,
    /// Queued requests per instance to hold (ApproximateBacklogSizePerInstance).
    #[serde(default = "default_backlog")]
    pub target_backlog_per_instance: f64,
    /// Seconds after a scale-in before the next.
    #[serde(default = "default_scale_in")]
    pub scale_in_cooldown_seconds: u32,
    /// Seconds after a scale-out before the next.
    #[serde(default = "default_scale_out")]
    pub scale_out_cooldown_seconds: u32,
}

fn default_backlog() -> f64 {
    5.0
}

fn default_scale_in() -> u32 {
    600
}

fn default_scale_out() -> u32 {
    120
}

/// An asynchronous SageMaker endpoint: results and failures written to the
/// output bucket, SNS success and error topics, a per-instance concurrency
/// limit, and backlog-driven autoscaling that may go to zero, with a step
/// policy on HasBacklogWithoutCapacity that wakes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SageMakerAsyncEndpointArgs {
    /// The endpoint name (the seed's `sageMakerEndpointName`).
    pub endpoint_name: String,
    /// The variants (the seed's `modelList`).
    pub model_list: Vec<ModelSpec>,
    /// SageMaker model names in `modelList` order (SageMakerModel's `modelNames`).
    pub model_names: Output<Vec<String>>,
    /// Bucket for results and failures (BaseInfra's `asyncOutputBucketName`).
    pub output_bucket_name: Output<String>,
    /// KMS key for results and the instances' storage (BaseInfra's `kmsKeyArn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<Output<String>>,
    /// The seed's `asyncConfig`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub async_config: Option<AsyncSettings>,
    /// Create SNS success and error topics (default true).
    #[serde(default = "default_true")]
    pub notifications: bool,
    /// Name of the SageMaker execution role (BaseInfra's `executionRoleName`):
    /// SageMaker publishes notifications with it, so it is granted
    /// `sns:Publish` on exactly the two topics. Without it, grant that
    /// yourself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_role_name: Option<Output<String>>,
    /// Backlog-driven autoscaling per variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<AsyncAutoscalingArgs>,
    /// Blue/green rollout of configuration changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout: Option<RolloutPolicy>,
    /// Tags on every resource.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

fn default_true() -> bool {
    true
}

/// What SageMakerAsyncEndpoint made.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AsyncEndpointOutputs {
    /// The endpoint name.
    pub endpoint_name: Output<String>,
    /// The endpoint ARN.
    pub endpoint_arn: Output<String>,
    /// The configuration the endpoint runs.
    pub endpoint_config_name: Output<String>,
    /// Where results are written.
    pub output_s3_path: Output<String>,
    /// Where failures are written.
    pub failure_s3_path: Output<String>,
    /// SNS topic of successes, when notifications are on.
    pub success_topic_arn: Option<Output<String>>,
    /// SNS topic of errors, when notifications are on.
    pub error_topic_arn: Option<Output<String>>,
    /// The seed's `expiresInSeconds`: pass it as `RequestTTLSeconds` on each
    /// InvokeEndpointAsync call.
    pub request_ttl_seconds: Option<u32>,
}

/// The SageMakerAsyncEndpoint component.
pub struct SageMakerAsyncEndpoint;

#[async_trait]
impl Component for SageMakerAsyncEndpoint {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:index:SageMakerAsyncEndpoint";

    type Inputs = SageMakerAsyncEndpointArgs;
    type Outputs = AsyncEndpointOutputs;

    fn check(&self, args: &SageMakerAsyncEndpointArgs) -> Failures {
        let mut failures = Failures::new();
        check_endpoint_name(&args.endpoint_name, &mut failures);
        check_variants(EndpointKind::Async, &args.model_list, None, &mut failures);
        if let Some(settings) = &args.async_config {
            if let Some(n) = settings.max_concurrent_invocations_per_instance {
                failures.require(
                    (1..=1000).contains(&n),
                    "asyncConfig.maxConcurrentInvocationsPerInstance",
                    format!("must be between 1 and 1000, got {n}"),
                );
            }
            if let Some(seconds) = settings.expires_in_seconds {
                failures.require(
                    (60..=21600).contains(&seconds),
                    "asyncConfig.expiresInSeconds",
                    format!("must be between 60 and 21600 (SageMaker's RequestTTLSeconds range), got {seconds}"),
                );
            }
        }
        if let Some(scaling) = &args.autoscaling {
            check_autoscaling(
                scaling.min_capacity,
                scaling.max_capacity,
                0,
                &args.model_list,
                &mut failures,
            );
            failures.require(
                scaling.target_backlog_per_instance > 0.0,
                "autoscaling.targetBacklogPerInstance",
                "must be greater than 0",
            );
        }
        failures
    }

    async fn construct(
        &self,
        scope: &Scope,
        name: &str,
        args: SageMakerAsyncEndpointArgs,
    ) -> Result<AsyncEndpointOutputs> {
        let plan = EndpointPlan {
            component: name,
            endpoint_name: &args.endpoint_name,
            kind: EndpointKind::Async,
            models: &args.model_list,
            serverless: None,
            model_names: args.model_names.clone(),
            tags: &args.tags,
        };
        let topics = if args.notifications {
            let topic = |suffix: &str| TopicInputs {
                topic_name: format!("{}-{suffix}", args.endpoint_name),
                kms_key_arn: args.kms_key_arn.clone(),
                tags: args.tags.clone(),
            };
            let (success, error) = (topic("success"), topic("error"));
            let (success_name, error_name) = (
                format!("{name}-success-topic"),
                format!("{name}-error-topic"),
            );
            let mut pair = framework::all_children([
                scope.resource::<Topic>(&success_name, &success, ChildOptions::default()),
                scope.resource::<Topic>(&error_name, &error, ChildOptions::default()),
            ])
            .await?;
            let error_topic = pair.pop().expect("two topics");
            let success_topic = pair.pop().expect("two topics");
            Some((success_topic, error_topic))
        } else {
            None
        };
        if let (Some((success, error)), Some(role)) = (&topics, &args.execution_role_name) {
            grant_publish(scope, name, &args.endpoint_name, role, success, error).await?;
        }
        let success_arn = topics.as_ref().map(|(s, _)| s.output::<String>("arn"));
        let error_arn = topics.as_ref().map(|(_, e)| e.output::<String>("arn"));
        let paths = |kind: &'static str| {
            let endpoint = args.endpoint_name.clone();
            args.output_bucket_name
                .clone()
                .map(move |bucket| format!("s3://{bucket}/{kind}/{endpoint}/"))
        };
        let (output_path, failure_path) = (paths("async-output"), paths("async-failures"));
        let extras = ConfigExtras {
            kms_key_arn: args.kms_key_arn.clone(),
            data_capture: None,
            async_inference: Some(AsyncInference {
                s3_output_path: output_path.clone(),
                s3_failure_path: Some(failure_path.clone()),
                kms_key_arn: args.kms_key_arn.clone(),
                max_concurrent_invocations_per_instance: args
                    .async_config
                    .as_ref()
                    .and_then(|c| c.max_concurrent_invocations_per_instance),
                success_topic_arn: success_arn.clone(),
                error_topic_arn: error_arn.clone(),
            }),
        };
        let config = register_config(scope, &plan, extras).await?;
        let endpoint = register_endpoint(
            scope,
            &plan,
            &config,
            args.autoscaling.is_some(),
            args.rollout.clone(),
        )
        .await?;

        if let Some(scaling) = &args.autoscaling {
            let targets = register_targets(
                scope,
                &plan,
                &endpoint,
                scaling.min_capacity,
                scaling.max_capacity,
            )
            .await?;
            register_tracking(scope, &plan, &targets, "backlog", |_| TargetTracking {
                target_value: scaling.target_backlog_per_instance,
                predefined_metric: None,
                custom_metric: Some(backlog_metric(&args.endpoint_name)),
                scale_in_cooldown: Some(scaling.scale_in_cooldown_seconds),
                scale_out_cooldown: Some(scaling.scale_out_cooldown_seconds),
            })
            .await?;
            if scaling.min_capacity == 0 {
                register_wake_up(scope, &plan, &targets, scaling).await?;
            }
        }

        Ok(AsyncEndpointOutputs {
            endpoint_name: endpoint.output("endpointName"),
            endpoint_arn: endpoint.output("arn"),
            endpoint_config_name: config.output("endpointConfigName"),
            output_s3_path: output_path,
            failure_s3_path: failure_path,
            success_topic_arn: success_arn,
            error_topic_arn: error_arn,
            request_ttl_seconds: args
                .async_config
                .as_ref()
                .and_then(|c| c.expires_in_seconds),
        })
    }
}

/// Lets the execution role publish to the notification topics (and nothing
/// else over SNS).
async fn grant_publish(
    scope: &Scope,
    component: &str,
    endpoint: &str,
    role: &Output<String>,
    success: &Child<Topic>,
    error: &Child<Topic>,
) -> Result<()> {
    let arns = success
        .output::<String>("arn")
        .zip(error.output::<String>("arn"));
    let document = arns.map(|(success, error)| {
        serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "NotifyAsyncResults",
                "Effect": "Allow",
                "Action": "sns:Publish",
                "Resource": [success, error],
            }]
        })
        .to_string()
    });
    let inputs = RolePolicyInputs {
        role_name: role.clone(),
        policy_name: format!("{endpoint}-async-notifications"),
        policy_document: document,
    };
    scope
        .resource::<RolePolicy>(
            &format!("{component}-notifications-policy"),
            &inputs,
            ChildOptions::default(),
        )
        .await?;
    Ok(())
}

/// A step policy per variant adding one instance, and the alarm on
/// HasBacklogWithoutCapacity that runs them: the way out of zero instances,
/// where target tracking has no per-instance backlog to act on.
async fn register_wake_up(
    scope: &Scope,
    plan: &EndpointPlan<'_>,
    targets: &[Child<ScalableTarget>],
    scaling: &AsyncAutoscalingArgs,
) -> Result<()> {
    let registrations = plan.models.iter().zip(targets).map(|(model, target)| {
        let inputs = ScalingPolicyInputs {
            policy_name: format!("{}-{}-wake-up", plan.endpoint_name, model.variant_name),
            resource_id: variant_resource_id(plan.endpoint_name, &model.variant_name),
            scalable_dimension: "sagemaker:variant:DesiredInstanceCount".to_owned(),
            service_namespace: "sagemaker".to_owned(),
            target_tracking: None,
            step_scaling: Some(StepScaling {
                adjustment_type: "ChangeInCapacity".to_owned(),
                cooldown: Some(scaling.scale_out_cooldown_seconds),
                metric_aggregation_type: Some("Average".to_owned()),
                steps: vec![Step {
                    lower_bound: Some(0.0),
                    upper_bound: None,
                    scaling_adjustment: 1,
                }],
            }),
        };
        let name = format!("{}-{}-wake-up", plan.component, model.variant_name);
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
    let policies = framework::all_children(registrations).await?;
    let alarm = MetricAlarmInputs {
        alarm_name: format!("{}-has-backlog-without-capacity", plan.endpoint_name),
        alarm_description: format!(
            "Wakes endpoint {} from zero instances when requests queue up",
            plan.endpoint_name
        ),
        metric_name: "HasBacklogWithoutCapacity".to_owned(),
        namespace: "AWS/SageMaker".to_owned(),
        statistic: "Average".to_owned(),
        dimensions: [("EndpointName".to_owned(), plan.endpoint_name.to_owned())]
            .into_iter()
            .collect(),
        period: 60,
        evaluation_periods: 2,
        threshold: 1.0,
        comparison_operator: "GreaterThanOrEqualToThreshold".to_owned(),
        treat_missing_data: "missing".to_owned(),
        alarm_actions: policies.iter().map(|p| p.output("policyArn")).collect(),
    };
    scope
        .resource::<MetricAlarm>(
            &format!("{}-wake-up-alarm", plan.component),
            &alarm,
            ChildOptions::default(),
        )
        .await?;
    Ok(())
}
