//! `sagemaker-deployment:sagemaker:Endpoint`: a SageMaker endpoint with
//! verified rollouts.
//!
//! A change of configuration calls UpdateEndpoint, waits, and checks that
//! the endpoint really runs the new configuration (SageMaker rolls back a
//! failed update silently: that is reported as a failure with its reason).
//! The old configuration is a separate resource, deleted by the engine only
//! after this update succeeded. A change of weights or counts alone uses
//! UpdateEndpointWeightsAndCapacities, with no new configuration.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sagemaker::types::{
    Alarm, AutoRollbackConfig, BlueGreenUpdatePolicy, CapacitySize, CapacitySizeType,
    DeploymentConfig, DesiredWeightAndCapacity, EndpointStatus, TrafficRoutingConfig,
    TrafficRoutingConfigType,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::sagemaker_tags;
use super::status::{describe, is_transitional, status_text};
use crate::aws::ResultExt;
use crate::error::{ProviderError, Result};
use crate::framework::naming::sagemaker_name_problem;
use crate::framework::{
    Context, Created, CustomResource, Failures, Progress, ReadOutcome, encode_typed,
};
use crate::resources::Tags;
use crate::wire::{PropertyMap, PropertyValue};

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

/// A share of capacity: instances or percent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShiftSize {
    /// `INSTANCE_COUNT` or `CAPACITY_PERCENT`.
    pub unit: String,
    /// The amount.
    pub value: u32,
}

/// Blue/green deployment with traffic shifting and alarm-driven rollback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolloutPolicy {
    /// How traffic shifts.
    pub traffic_shift: TrafficShift,
    /// Seconds between shifts (and after the canary).
    #[serde(default = "default_wait")]
    pub wait_interval_in_seconds: u32,
    /// Canary size (for `CANARY`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary_size: Option<ShiftSize>,
    /// Step size (for `LINEAR`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linear_step_size: Option<ShiftSize>,
    /// Seconds the old fleet stays after the shift, for fast rollback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_wait_in_seconds: Option<u32>,
    /// CloudWatch alarms that roll the deployment back when they fire.
    #[serde(default)]
    pub rollback_alarm_names: Vec<String>,
}

fn default_wait() -> u32 {
    300
}

/// A SageMaker endpoint serving one endpoint configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointInputs {
    /// The endpoint name (SageMaker's pattern, at most 63 characters).
    pub endpoint_name: String,
    /// The configuration the endpoint runs.
    pub endpoint_config_name: String,
    /// Desired traffic weight per variant.
    #[serde(default)]
    pub variant_weights: BTreeMap<String, f64>,
    /// Desired instance count per instance-backed variant.
    #[serde(default)]
    pub variant_instance_counts: BTreeMap<String, u32>,
    /// True when autoscaling owns the instance counts: diff ignores them and
    /// configuration updates retain the running counts and weights.
    #[serde(default)]
    pub autoscaling_managed: bool,
    /// Blue/green rollout for configuration updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout: Option<RolloutPolicy>,
    /// Tags on the endpoint.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// The endpoint as deployed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointOutputs {
    #[serde(flatten)]
    pub inputs: EndpointInputs,
    /// The endpoint ARN.
    pub arn: String,
    /// The endpoint status when last seen.
    pub endpoint_status: String,
    /// Why the endpoint last failed, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
}

/// The endpoint resource.
pub struct Endpoint;

/// Longest wait for an endpoint to settle unless a custom timeout is set.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(90 * 60);

#[async_trait]
impl CustomResource for Endpoint {
    const TOKEN: &'static str = "sagemaker-deployment:sagemaker:Endpoint";
    const UPDATABLE: &'static [&'static str] = &[
        "endpointConfigName",
        "variantWeights",
        "variantInstanceCounts",
        "autoscalingManaged",
        "rollout",
        "tags",
    ];

    type Inputs = EndpointInputs;
    type Outputs = EndpointOutputs;

    fn ignored_in_diff(&self, news: &PropertyMap) -> Vec<&'static str> {
        if news.get("autoscalingManaged") == Some(&PropertyValue::Bool(true)) {
            vec!["variantInstanceCounts"]
        } else {
            Vec::new()
        }
    }

    fn check(&self, inputs: &EndpointInputs) -> Failures {
        let mut failures = Failures::new();
        if let Some(problem) = sagemaker_name_problem(&inputs.endpoint_name) {
            failures.push("endpointName", problem);
        }
        for (variant, weight) in &inputs.variant_weights {
            failures.require(
                *weight >= 0.0,
                format!("variantWeights.{variant}"),
                "must not be negative",
            );
        }
        if !inputs.variant_weights.is_empty() && inputs.variant_weights.values().all(|w| *w == 0.0)
        {
            failures.push(
                "variantWeights",
                "must not all be zero: no variant would receive traffic",
            );
        }
        for (variant, count) in &inputs.variant_instance_counts {
            failures.require(
                *count >= 1,
                format!("variantInstanceCounts.{variant}"),
                "must be at least 1",
            );
        }
        if let Some(rollout) = &inputs.rollout {
            check_rollout(rollout, &mut failures);
        }
        failures
    }

    async fn create(
        &self,
        ctx: &Context,
        inputs: &EndpointInputs,
    ) -> Result<Created<EndpointOutputs>> {
        let mut request = ctx
            .aws
            .sagemaker
            .create_endpoint()
            .endpoint_name(&inputs.endpoint_name)
            .endpoint_config_name(&inputs.endpoint_config_name)
            .set_tags(Some(sagemaker_tags(&ctx.aws.tags_with(&inputs.tags))));
        if let Some(rollout) = &inputs.rollout {
            request = request.deployment_config(deployment_config(rollout));
        }
        let created = request.send().await.aws("sagemaker", "CreateEndpoint")?;
        let arn = created.endpoint_arn().unwrap_or_default().to_owned();
        let mut outputs = EndpointOutputs {
            inputs: inputs.clone(),
            arn,
            endpoint_status: "Creating".to_owned(),
            failure_reason: None,
        };
        // From here on the endpoint exists: every failure returns it with its
        // id so that the engine records it and nothing is orphaned.
        let settled = wait_settled(ctx, &inputs.endpoint_name, "creating endpoint").await;
        let reason = match settled {
            Ok(Settled { status, .. }) if status == EndpointStatus::InService => {
                outputs.endpoint_status = status.as_str().to_owned();
                return Ok(Created {
                    id: inputs.endpoint_name.clone(),
                    outputs,
                });
            }
            Ok(Settled {
                status,
                failure_reason,
                ..
            }) => {
                outputs.endpoint_status = status.as_str().to_owned();
                outputs.failure_reason = failure_reason.clone();
                format!(
                    "endpoint {} is {} instead of InService: {}",
                    inputs.endpoint_name,
                    status.as_str(),
                    failure_reason.unwrap_or_else(|| "SageMaker gave no reason".to_owned())
                )
            }
            Err(error) => format!(
                "endpoint {} was created but did not become InService: {error}",
                inputs.endpoint_name
            ),
        };
        Err(ProviderError::PartialFailure {
            id: inputs.endpoint_name.clone(),
            outputs: Box::new(encode_typed(&outputs)?),
            inputs: Box::new(encode_typed(inputs)?),
            reason,
        })
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &EndpointOutputs,
    ) -> Result<ReadOutcome<EndpointInputs, EndpointOutputs>> {
        let Some(found) = describe(ctx, id).await? else {
            return Ok(ReadOutcome::Gone);
        };
        let mut weights = BTreeMap::new();
        let mut counts = BTreeMap::new();
        for variant in found.production_variants() {
            let Some(name) = variant.variant_name() else {
                continue;
            };
            if let Some(weight) = variant.current_weight() {
                weights.insert(name.to_owned(), round_weight(weight));
            }
            if let Some(count) = variant.current_instance_count()
                && (outputs.inputs.variant_instance_counts.contains_key(name)
                    || !outputs.inputs.autoscaling_managed)
            {
                counts.insert(name.to_owned(), count.max(0) as u32);
            }
        }
        let inputs = EndpointInputs {
            endpoint_name: found.endpoint_name().unwrap_or(id).to_owned(),
            endpoint_config_name: found.endpoint_config_name().unwrap_or_default().to_owned(),
            variant_weights: if weights.is_empty() {
                outputs.inputs.variant_weights.clone()
            } else {
                weights
            },
            variant_instance_counts: if counts.is_empty() {
                outputs.inputs.variant_instance_counts.clone()
            } else {
                counts
            },
            ..outputs.inputs.clone()
        };
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: EndpointOutputs {
                inputs: inputs.clone(),
                arn: found.endpoint_arn().unwrap_or_default().to_owned(),
                endpoint_status: status_text(found.endpoint_status()),
                failure_reason: found.failure_reason().map(str::to_owned),
            },
            inputs,
        })
    }

    async fn update(
        &self,
        ctx: &Context,
        id: &str,
        olds: &EndpointOutputs,
        news: &EndpointInputs,
    ) -> Result<EndpointOutputs> {
        let sagemaker = &ctx.aws.sagemaker;
        let old = &olds.inputs;
        let config_changed = old.endpoint_config_name != news.endpoint_config_name;
        if config_changed {
            let mut request = sagemaker
                .update_endpoint()
                .endpoint_name(id)
                .endpoint_config_name(&news.endpoint_config_name)
                .retain_all_variant_properties(news.autoscaling_managed);
            if let Some(rollout) = &news.rollout {
                request = request.deployment_config(deployment_config(rollout));
            }
            request.send().await.aws("sagemaker", "UpdateEndpoint")?;
            ctx.info(format!(
                "switching endpoint {id} to configuration {}",
                news.endpoint_config_name
            ))
            .await;
            let settled = wait_settled(ctx, id, "updating endpoint").await?;
            if settled.status != EndpointStatus::InService
                || settled.config_name != news.endpoint_config_name
            {
                return Err(ProviderError::failed(format!(
                    "SageMaker did not switch endpoint {id} to configuration {}: it is {} and runs {}. Reason: {}",
                    news.endpoint_config_name,
                    settled.status.as_str(),
                    if settled.config_name.is_empty() {
                        "no configuration"
                    } else {
                        &settled.config_name
                    },
                    settled
                        .failure_reason
                        .unwrap_or_else(|| "SageMaker gave no reason".to_owned())
                )));
            }
        }
        let weights_changed = old.variant_weights != news.variant_weights;
        let counts_changed = !news.autoscaling_managed
            && old.variant_instance_counts != news.variant_instance_counts;
        // A fresh configuration (without retained properties) already brings
        // the new weights and counts.
        if (weights_changed || counts_changed) && (!config_changed || news.autoscaling_managed) {
            let desired: Vec<DesiredWeightAndCapacity> = news
                .variant_weights
                .keys()
                .chain(news.variant_instance_counts.keys())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .filter(|variant| {
                    old.variant_weights.get(*variant) != news.variant_weights.get(*variant)
                        || (counts_changed
                            && old.variant_instance_counts.get(*variant)
                                != news.variant_instance_counts.get(*variant))
                })
                .map(|variant| {
                    DesiredWeightAndCapacity::builder()
                        .variant_name(variant)
                        .set_desired_weight(news.variant_weights.get(variant).map(|w| *w as f32))
                        .set_desired_instance_count(if news.autoscaling_managed {
                            None
                        } else {
                            news.variant_instance_counts.get(variant).map(|c| *c as i32)
                        })
                        .build()
                })
                .collect();
            if !desired.is_empty() {
                sagemaker
                    .update_endpoint_weights_and_capacities()
                    .endpoint_name(id)
                    .set_desired_weights_and_capacities(Some(desired))
                    .send()
                    .await
                    .aws("sagemaker", "UpdateEndpointWeightsAndCapacities")?;
                let settled = wait_settled(ctx, id, "applying weights and capacities").await?;
                if settled.status != EndpointStatus::InService {
                    return Err(ProviderError::failed(format!(
                        "endpoint {id} is {} after changing weights and capacities: {}",
                        settled.status.as_str(),
                        settled
                            .failure_reason
                            .unwrap_or_else(|| "SageMaker gave no reason".to_owned())
                    )));
                }
            }
        }
        if old.tags != news.tags {
            let removed: Vec<String> = old
                .tags
                .keys()
                .filter(|k| !news.tags.contains_key(*k))
                .cloned()
                .collect();
            if !removed.is_empty() {
                sagemaker
                    .delete_tags()
                    .resource_arn(&olds.arn)
                    .set_tag_keys(Some(removed))
                    .send()
                    .await
                    .aws("sagemaker", "DeleteTags")?;
            }
            sagemaker
                .add_tags()
                .resource_arn(&olds.arn)
                .set_tags(Some(sagemaker_tags(&ctx.aws.tags_with(&news.tags))))
                .send()
                .await
                .aws("sagemaker", "AddTags")?;
        }
        Ok(EndpointOutputs {
            inputs: news.clone(),
            arn: olds.arn.clone(),
            endpoint_status: EndpointStatus::InService.as_str().to_owned(),
            failure_reason: None,
        })
    }

    async fn delete(&self, ctx: &Context, id: &str, _outputs: &EndpointOutputs) -> Result<()> {
        // SageMaker refuses to delete an endpoint in the middle of a change.
        if describe(ctx, id).await?.is_none() {
            return Ok(());
        }
        wait_settled(ctx, id, "waiting before deleting endpoint")
            .await
            .ok();
        match ctx
            .aws
            .sagemaker
            .delete_endpoint()
            .endpoint_name(id)
            .send()
            .await
            .aws("sagemaker", "DeleteEndpoint")
        {
            Ok(_) => {}
            Err(error) if error.is_not_found() => return Ok(()),
            Err(error) => return Err(error.into()),
        }
        ctx.wait_for("deleting endpoint", DEFAULT_TIMEOUT, || async {
            Ok(match describe(ctx, id).await? {
                None => Progress::Done(()),
                Some(found) => Progress::Waiting(status_text(found.endpoint_status())),
            })
        })
        .await
    }
}

/// Where an endpoint ended up after a change.
struct Settled {
    status: EndpointStatus,
    config_name: String,
    failure_reason: Option<String>,
}

/// Waits until the endpoint leaves every transitional state.
async fn wait_settled(ctx: &Context, name: &str, what: &str) -> Result<Settled> {
    ctx.wait_for(what, DEFAULT_TIMEOUT, || async {
        let Some(found) = describe(ctx, name).await? else {
            return Err(ProviderError::failed(format!(
                "endpoint {name} disappeared while {what}"
            )));
        };
        let status = found.endpoint_status().cloned();
        if is_transitional(status.as_ref()) {
            return Ok(Progress::Waiting(status_text(status.as_ref())));
        }
        Ok(Progress::Done(Settled {
            status: status.unwrap_or(EndpointStatus::Failed),
            config_name: found.endpoint_config_name().unwrap_or_default().to_owned(),
            failure_reason: found.failure_reason().map(str::to_owned),
        }))
    })
    .await
}

/// Weights read back as f32: keep them tidy.
fn round_weight(weight: f32) -> f64 {
    (f64::from(weight) * 1_000_000.0).round() / 1_000_000.0
}

fn check_rollout(rollout: &RolloutPolicy, failures: &mut Failures) {
    let size_ok = |size: &Option<ShiftSize>| {
        size.as_ref().is_some_and(|s| {
            (s.unit == "INSTANCE_COUNT" && s.value >= 1)
                || (s.unit == "CAPACITY_PERCENT" && (1..=100).contains(&s.value))
        })
    };
    match rollout.traffic_shift {
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
        rollout.wait_interval_in_seconds <= 3600,
        "rollout.waitIntervalInSeconds",
        "must be at most 3600",
    );
}

fn capacity_size(size: &ShiftSize) -> CapacitySize {
    CapacitySize::builder()
        .r#type(CapacitySizeType::from(size.unit.as_str()))
        .value(size.value as i32)
        .build()
}

/// SageMaker's DeploymentConfig for a rollout policy.
fn deployment_config(rollout: &RolloutPolicy) -> DeploymentConfig {
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
    use std::sync::Arc;

    use aws_credential_types::Credentials;
    use aws_sdk_sagemaker::Client;
    use aws_sdk_sagemaker::operation::describe_endpoint::DescribeEndpointOutput;
    use aws_sdk_sagemaker::operation::update_endpoint::UpdateEndpointOutput;
    use aws_sdk_sagemaker::operation::update_endpoint_weights_and_capacities::UpdateEndpointWeightsAndCapacitiesOutput;
    use aws_smithy_mocks::{
        MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock,
    };
    use tokio_util::sync::CancellationToken;

    use super::*;
    use crate::aws::{AwsClients, ProviderConfig};
    use crate::engine::EngineLogger;

    async fn context(rules: &[&Rule]) -> Context {
        let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
        for rule in rules {
            interceptor = interceptor.with_rule(rule);
        }
        let config = aws_sdk_sagemaker::Config::builder()
            .behavior_version(aws_sdk_sagemaker::config::BehaviorVersion::latest())
            .region(aws_sdk_sagemaker::config::Region::new("us-east-1"))
            .credentials_provider(Credentials::new("key", "secret", None, None, "unit-test"))
            .http_client(create_mock_http_client())
            .interceptor(interceptor)
            .build();
        let mut clients = AwsClients::build(&ProviderConfig::default()).await;
        clients.sagemaker = Client::from_conf(config);
        Context {
            aws: Arc::new(clients),
            engine: Arc::new(EngineLogger::new(None)),
            urn: "urn:pulumi:dev::p::sagemaker-deployment:sagemaker:Endpoint::e".into(),
            cancel: CancellationToken::new(),
            timeout: None,
        }
    }

    fn running(config: &str) -> EndpointOutputs {
        EndpointOutputs {
            inputs: EndpointInputs {
                endpoint_name: "fraud".into(),
                endpoint_config_name: config.into(),
                variant_weights: [("primary".to_owned(), 1.0)].into_iter().collect(),
                variant_instance_counts: [("primary".to_owned(), 2)].into_iter().collect(),
                autoscaling_managed: true,
                rollout: None,
                tags: Tags::new(),
            },
            arn: "arn:aws:sagemaker:us-east-1:1:endpoint/fraud".into(),
            endpoint_status: "InService".into(),
            failure_reason: None,
        }
    }

    fn described(config: &str, reason: Option<&str>) -> DescribeEndpointOutput {
        DescribeEndpointOutput::builder()
            .endpoint_name("fraud")
            .endpoint_config_name(config)
            .endpoint_status(EndpointStatus::InService)
            .set_failure_reason(reason.map(str::to_owned))
            .build()
    }

    #[tokio::test]
    async fn a_rolled_back_update_fails_with_sagemakers_reason() {
        let update = mock!(Client::update_endpoint)
            .match_requests(|req| {
                req.endpoint_config_name() == Some("config-v2")
                    && req.retain_all_variant_properties() == Some(true)
                    && req.deployment_config().is_some()
            })
            .then_output(|| UpdateEndpointOutput::builder().endpoint_arn("arn").build());
        let describe = mock!(Client::describe_endpoint)
            .then_output(|| described("config-v1", Some("health check failed")));
        let ctx = context(&[&update, &describe]).await;
        let olds = running("config-v1");
        let news = EndpointInputs {
            endpoint_config_name: "config-v2".into(),
            rollout: Some(RolloutPolicy {
                traffic_shift: TrafficShift::Canary,
                wait_interval_in_seconds: 60,
                canary_size: Some(ShiftSize {
                    unit: "CAPACITY_PERCENT".into(),
                    value: 10,
                }),
                linear_step_size: None,
                termination_wait_in_seconds: None,
                rollback_alarm_names: vec!["fraud-5xx".into()],
            }),
            ..olds.inputs.clone()
        };
        let error = Endpoint
            .update(&ctx, "fraud", &olds, &news)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("did not switch endpoint fraud to configuration config-v2"),
            "{error}"
        );
        assert!(
            error.contains("runs config-v1") && error.contains("health check failed"),
            "{error}"
        );
        assert_eq!(update.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_weights_only_change_keeps_the_configuration_and_autoscaled_counts() {
        let weights = mock!(Client::update_endpoint_weights_and_capacities)
            .match_requests(|req| {
                let desired = req.desired_weights_and_capacities();
                desired.len() == 1
                    && desired[0].variant_name() == Some("primary")
                    && desired[0].desired_weight() == Some(3.0)
                    && desired[0].desired_instance_count().is_none()
            })
            .then_output(|| {
                UpdateEndpointWeightsAndCapacitiesOutput::builder()
                    .endpoint_arn("arn")
                    .build()
            });
        let describe =
            mock!(Client::describe_endpoint).then_output(|| described("config-v1", None));
        let ctx = context(&[&weights, &describe]).await;
        let olds = running("config-v1");
        let mut news = olds.inputs.clone();
        news.variant_weights.insert("primary".into(), 3.0);
        news.variant_instance_counts.insert("primary".into(), 5);
        let outputs = Endpoint.update(&ctx, "fraud", &olds, &news).await.unwrap();
        assert_eq!(outputs.inputs.variant_weights["primary"], 3.0);
        assert_eq!(weights.num_calls(), 1);
    }

    #[test]
    fn autoscaled_counts_are_ignored_by_diff() {
        let autoscaled = crate::framework::encode_typed(&running("c").inputs).unwrap();
        assert_eq!(
            Endpoint.ignored_in_diff(&autoscaled),
            vec!["variantInstanceCounts"]
        );
        let manual = EndpointInputs {
            autoscaling_managed: false,
            ..running("c").inputs
        };
        let manual = crate::framework::encode_typed(&manual).unwrap();
        assert!(Endpoint.ignored_in_diff(&manual).is_empty());
    }

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
}
