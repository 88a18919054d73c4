//! `sagemaker-deployment:index:SageMakerAsyncEndpoint`: the seed's
//! SageMakerAsyncEndpointStack.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod notifications;
mod wake_up;

use super::endpoint_builder::{EndpointBuilder, EndpointPlan, VariantAutoscaling};
use super::endpoint_checks::{check_autoscaling, check_endpoint};
use super::model_config::ModelSpec;
use crate::Scope;
use crate::resources::Tags;
use crate::resources::autoscaling::{CustomMetric, TargetTracking};
use crate::resources::cloudwatch::Statistic;
use crate::resources::sagemaker::endpoint::RolloutPolicy;
use crate::resources::sagemaker::endpoint_config::AsyncInference;
use crate::resources::sagemaker::variant_rules::EndpointKind;
use framework::Result;
use framework::{Component, Failures, Output};
use notifications::NotificationTopics;
use wake_up::register_wake_up;

/// The seed's `asyncConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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

impl AsyncAutoscalingArgs {
    /// Each variant tracks the endpoint's backlog per instance.
    fn variant_autoscaling(&self, endpoint: &str) -> VariantAutoscaling {
        VariantAutoscaling {
            min_capacity: self.min_capacity,
            max_capacity: self.max_capacity,
            policy_suffix: "backlog",
            tracking: TargetTracking {
                target_value: self.target_backlog_per_instance,
                predefined_metric: None,
                custom_metric: Some(backlog_metric(endpoint)),
                scale_in_cooldown: Some(self.scale_in_cooldown_seconds),
                scale_out_cooldown: Some(self.scale_out_cooldown_seconds),
            },
        }
    }
}

/// SageMaker's per-endpoint backlog metric for async scaling.
fn backlog_metric(endpoint: &str) -> CustomMetric {
    CustomMetric {
        metric_name: "ApproximateBacklogSizePerInstance".to_owned(),
        namespace: "AWS/SageMaker".to_owned(),
        statistic: Statistic::Average,
        dimensions: [("EndpointName".to_owned(), endpoint.to_owned())]
            .into_iter()
            .collect(),
    }
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
    /// `sns:Publish` on exactly the two topics, and reads a rollout's
    /// rollback alarms with it, so it is granted `cloudwatch:DescribeAlarms`
    /// on exactly those alarms. Without it, grant that yourself.
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

impl SageMakerAsyncEndpointArgs {
    /// `s3://<output bucket>/<kind>/<endpoint>/`.
    fn result_path(&self, kind: &'static str) -> Output<String> {
        let endpoint = self.endpoint_name.clone();
        self.output_bucket_name
            .clone()
            .map(move |bucket| format!("s3://{bucket}/{kind}/{endpoint}/"))
    }

    /// Results and failures in the output bucket, encrypted with the key,
    /// notified to `topics`.
    fn async_inference(&self, topics: Option<&NotificationTopics>) -> AsyncInference {
        self.async_inference_notifying(
            topics.map(|topics| (topics.success_arn(), topics.error_arn())),
        )
    }

    /// Results and failures in the output bucket, encrypted with the key,
    /// notified to the (success, error) topics by ARN.
    pub(crate) fn async_inference_notifying(
        &self,
        topics: Option<(Output<String>, Output<String>)>,
    ) -> AsyncInference {
        let (success_topic_arn, error_topic_arn) = topics.unzip();
        AsyncInference {
            s3_output_path: self.result_path("async-output"),
            s3_failure_path: Some(self.result_path("async-failures")),
            kms_key_arn: self.kms_key_arn.clone(),
            max_concurrent_invocations_per_instance: self
                .async_config
                .as_ref()
                .and_then(|c| c.max_concurrent_invocations_per_instance),
            success_topic_arn,
            error_topic_arn,
        }
    }
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
        check_endpoint(
            EndpointKind::Async,
            &args.endpoint_name,
            &args.model_list,
            None,
            &mut failures,
        );
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
        failures.require(
            !args.notifications || args.execution_role_name.is_some(),
            "executionRoleName",
            "is required when notifications is true: SageMaker publishes the results with the \
             execution role, which needs sns:Publish on the topics before the endpoint is created \
             (pass BaseInfra's executionRoleName)",
        );
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
        let topics = NotificationTopics::register(scope, name, &args).await?;
        let autoscaling = args
            .autoscaling
            .as_ref()
            .map(|scaling| scaling.variant_autoscaling(&args.endpoint_name));
        let built = EndpointBuilder::new(scope, plan)
            .kms_key(args.kms_key_arn.clone())
            .async_inference(args.async_inference(topics.as_ref()))
            .rollout(args.rollout.clone())
            .execution_role(args.execution_role_name.clone())
            .autoscaling(autoscaling)
            .after(topics.iter().flat_map(|topics| topics.endpoint_waits_for()))
            .build()
            .await?;
        if let Some(scaling) = args.autoscaling.as_ref().filter(|s| s.min_capacity == 0) {
            register_wake_up(scope, name, &args.endpoint_name, &built, scaling).await?;
        }
        let outputs = built.outputs();
        Ok(AsyncEndpointOutputs {
            endpoint_name: outputs.endpoint_name,
            endpoint_arn: outputs.endpoint_arn,
            endpoint_config_name: outputs.endpoint_config_name,
            output_s3_path: args.result_path("async-output"),
            failure_s3_path: args.result_path("async-failures"),
            success_topic_arn: topics.as_ref().map(NotificationTopics::success_arn),
            error_topic_arn: topics.as_ref().map(NotificationTopics::error_arn),
            request_ttl_seconds: args
                .async_config
                .as_ref()
                .and_then(|c| c.expires_in_seconds),
        })
    }
}
