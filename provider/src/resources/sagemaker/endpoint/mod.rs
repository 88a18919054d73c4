//! `sagemaker-deployment:sagemaker:Endpoint`: a SageMaker endpoint with
//! verified rollouts.
//!
//! Every change first waits until the endpoint is settled (an autoscaling
//! activity or an interrupted earlier update leaves it Updating, and
//! SageMaker refuses to update an endpoint in progress).
//!
//! A change of configuration calls UpdateEndpoint, waits, and checks that
//! the endpoint really runs the new configuration (SageMaker rolls back a
//! failed update silently: that is reported as a failure with its reason).
//! The new configuration brings its own weights, counts and data capture;
//! with autoscaling attached only the running instance counts are retained.
//! An endpoint that already runs the new configuration (a retried update)
//! is not updated again. The old configuration is a separate resource,
//! deleted by the engine only after this update succeeded. Once the switch
//! is verified, a later failure of the same update (tags) is reported as a
//! partial failure that records the new configuration, so that the next
//! `up` does not roll the fleet out again.
//!
//! A change of weights or counts alone uses UpdateEndpointWeightsAndCapacities,
//! with no new configuration: one call for all weights, then one call per
//! variant whose instance count changes (the API changes the capacity of
//! one variant per call), each followed by a wait for InService.

mod config_switch;
mod rollout;
#[cfg(test)]
mod test_fixtures;

pub use self::rollout::{RolloutPolicy, ShiftSize, ShiftSizeUnit, TrafficShift};

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_sagemaker::types::{DesiredWeightAndCapacity, EndpointStatus};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use self::config_switch::switch_configuration;
use self::rollout::{check_rollout, deployment_config};
use super::sagemaker_tags;
use super::status::{
    DEFAULT_TIMEOUT, Settled, describe, status_text, wait_settled, wait_settled_or_gone,
};
use crate::Context;
use crate::aws::{ResultExt, Service};
use crate::naming::sagemaker_name_problem;
use crate::resources::Tags;
use framework::Output;
use framework::wire::{PropertyMap, PropertyValue};
use framework::{Created, CustomResource, Failures, Progress, ReadOutcome, encode_plain};
use framework::{ProviderError, Result};

/// A SageMaker endpoint serving one endpoint configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointInputs {
    /// The endpoint name (SageMaker's pattern, at most 63 characters).
    pub endpoint_name: String,
    /// The configuration the endpoint runs.
    pub endpoint_config_name: Output<String>,
    /// Desired traffic weight per variant.
    #[serde(default)]
    pub variant_weights: BTreeMap<String, f64>,
    /// Desired instance count per instance-backed variant.
    #[serde(default)]
    pub variant_instance_counts: BTreeMap<String, u32>,
    /// True when autoscaling owns the instance counts: diff ignores them and
    /// configuration updates retain the running instance counts (weights and
    /// data capture come from the new configuration).
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
    /// The inputs the endpoint was last deployed with.
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

#[async_trait]
impl CustomResource for Endpoint {
    type Provider = crate::SageMakerDeployment;
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
        let started = Instant::now();
        let mut request = ctx
            .clients
            .sagemaker
            .create_endpoint()
            .endpoint_name(&inputs.endpoint_name)
            .endpoint_config_name(&inputs.endpoint_config_name)
            .set_tags(Some(sagemaker_tags(&ctx.clients.tags_with(&inputs.tags))));
        if let Some(rollout) = &inputs.rollout {
            request = request.deployment_config(deployment_config(rollout));
        }
        let created = request
            .send()
            .await
            .aws(Service::SageMaker, "CreateEndpoint")?;
        let arn = created.endpoint_arn().unwrap_or_default().to_owned();
        let mut outputs = EndpointOutputs {
            inputs: inputs.clone(),
            arn,
            endpoint_status: "Creating".to_owned(),
            failure_reason: None,
        };
        // From here on the endpoint exists: every failure returns it with its
        // id so that the engine records it and nothing is orphaned.
        let settled = wait_settled(ctx, started, &inputs.endpoint_name, "creating endpoint").await;
        let reason = match settled {
            Ok(settled) if settled.in_service() => {
                outputs.endpoint_status = settled.status.as_str().to_owned();
                return Ok(Created {
                    id: inputs.endpoint_name.clone(),
                    outputs,
                });
            }
            Ok(settled) => {
                outputs.endpoint_status = settled.status.as_str().to_owned();
                outputs.failure_reason = settled.failure_reason.clone();
                format!(
                    "endpoint {} is {} instead of InService: {}",
                    inputs.endpoint_name,
                    settled.status.as_str(),
                    settled.reason()
                )
            }
            Err(error) => format!(
                "endpoint {} was created but did not become InService: {error}",
                inputs.endpoint_name
            ),
        };
        Err(ProviderError::PartialFailure {
            id: inputs.endpoint_name.clone(),
            outputs: Box::new(encode_plain(&outputs)?),
            inputs: Box::new(encode_plain(inputs)?),
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
            endpoint_config_name: Output::new(
                found.endpoint_config_name().unwrap_or_default().to_owned(),
            ),
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
        let started = Instant::now();
        let old = &olds.inputs;
        // What the endpoint verifiably runs so far. Once anything changed, a
        // failure returns it as a partial failure: the engine records it, and
        // the next update starts from there instead of from the old state.
        let mut applied = Applied {
            outputs: olds.clone(),
            old_config: old.endpoint_config_name.as_str().to_owned(),
            changed: false,
        };
        if old.endpoint_config_name != news.endpoint_config_name {
            switch_configuration(ctx, started, id, news).await?;
            // The new configuration brings its weights and counts (autoscaled
            // counts are retained, and not compared): only tags are left.
            applied.record(news, |inputs| {
                *inputs = EndpointInputs {
                    tags: inputs.tags.clone(),
                    ..news.clone()
                };
            });
        } else {
            change_weights_and_counts(ctx, started, id, old, news, &mut applied)
                .await
                .map_err(|error| applied.fail(id, news, error))?;
        }
        if old.tags != news.tags {
            super::retag(ctx, &olds.arn, &old.tags, &news.tags)
                .await
                .map_err(|error| applied.fail(id, news, error))?;
        }
        Ok(EndpointOutputs {
            inputs: news.clone(),
            arn: olds.arn.clone(),
            endpoint_status: EndpointStatus::InService.as_str().to_owned(),
            failure_reason: None,
        })
    }

    async fn delete(&self, ctx: &Context, id: &str, _outputs: &EndpointOutputs) -> Result<()> {
        let started = Instant::now();
        // SageMaker refuses to delete an endpoint in the middle of a change.
        // Whatever state it settles in (InService, Failed, OutOfService) can
        // be deleted; Cancel, the timeout and AWS errors stop here.
        if wait_settled_or_gone(ctx, started, id, "waiting before deleting endpoint")
            .await?
            .is_none()
        {
            return Ok(());
        }
        match ctx
            .clients
            .sagemaker
            .delete_endpoint()
            .endpoint_name(id)
            .send()
            .await
            .aws(Service::SageMaker, "DeleteEndpoint")
        {
            Ok(_) => {}
            Err(error) if error.is_not_found() => return Ok(()),
            Err(error) => return Err(error.into()),
        }
        ctx.wait_for("deleting endpoint", DEFAULT_TIMEOUT, started, || async {
            Ok(match describe(ctx, id).await? {
                None => Progress::Done(()),
                Some(found) => Progress::Waiting(status_text(found.endpoint_status())),
            })
        })
        .await
    }
}

/// The state an update has verifiably reached.
struct Applied {
    outputs: EndpointOutputs,
    /// The configuration the endpoint ran before the update.
    old_config: String,
    changed: bool,
}

impl Applied {
    /// Records a verified change to the endpoint.
    fn record(&mut self, news: &EndpointInputs, change: impl FnOnce(&mut EndpointInputs)) {
        change(&mut self.outputs.inputs);
        // Settings without an AWS object of their own take effect with the
        // first change.
        self.outputs.inputs.autoscaling_managed = news.autoscaling_managed;
        self.outputs.inputs.rollout = news.rollout.clone();
        self.outputs.endpoint_status = EndpointStatus::InService.as_str().to_owned();
        self.outputs.failure_reason = None;
        self.changed = true;
    }

    /// The error to return: a partial failure with what was reached, once
    /// anything changed; the error itself before.
    fn fail(&self, id: &str, news: &EndpointInputs, error: ProviderError) -> ProviderError {
        if !self.changed {
            return error;
        }
        let encoded = encode_plain(&self.outputs).and_then(|outputs| {
            Ok(ProviderError::PartialFailure {
                id: id.to_owned(),
                outputs: Box::new(outputs),
                inputs: Box::new(encode_plain(news)?),
                reason: if self.outputs.inputs.endpoint_config_name != self.old_config {
                    format!(
                        "endpoint {id} now runs configuration {}, but the rest of the update failed: {error}",
                        self.outputs.inputs.endpoint_config_name
                    )
                } else {
                    format!("endpoint {id} was updated in part (recorded as such): {error}")
                },
            })
        });
        encoded.unwrap_or_else(|encoding| encoding)
    }
}

/// Applies changed weights (one call for all variants) and, unless
/// autoscaling owns them, changed instance counts (one call per variant:
/// the API changes the capacity of one variant per call), waiting for
/// InService after each call and recording each verified step.
async fn change_weights_and_counts(
    ctx: &Context,
    started: Instant,
    id: &str,
    old: &EndpointInputs,
    news: &EndpointInputs,
    applied: &mut Applied,
) -> Result<()> {
    let weights: BTreeMap<&String, f64> = news
        .variant_weights
        .iter()
        .filter(|(variant, weight)| old.variant_weights.get(*variant) != Some(*weight))
        .map(|(variant, weight)| (variant, *weight))
        .collect();
    let counts: Vec<(&String, u32)> = if news.autoscaling_managed {
        Vec::new()
    } else {
        news.variant_instance_counts
            .iter()
            .filter(|(variant, count)| old.variant_instance_counts.get(*variant) != Some(*count))
            .map(|(variant, count)| (variant, *count))
            .collect()
    };
    if weights.is_empty() && counts.is_empty() {
        return Ok(());
    }
    let before = wait_settled(
        ctx,
        started,
        id,
        "waiting for the endpoint to settle before changing weights and capacities",
    )
    .await?;
    require_in_service(id, &before, "before changing weights and capacities")?;
    if !weights.is_empty() {
        let desired = weights
            .iter()
            .map(|(variant, weight)| {
                DesiredWeightAndCapacity::builder()
                    .variant_name(*variant)
                    .desired_weight(*weight as f32)
                    .build()
            })
            .collect();
        weights_and_capacities(ctx, started, id, desired, "changing variant weights").await?;
        applied.record(news, |inputs| {
            for (variant, weight) in &weights {
                inputs.variant_weights.insert((*variant).clone(), *weight);
            }
        });
    }
    for (variant, count) in counts {
        let desired = DesiredWeightAndCapacity::builder()
            .variant_name(variant)
            .desired_instance_count(count as i32)
            .build();
        weights_and_capacities(
            ctx,
            started,
            id,
            vec![desired],
            &format!("changing the instance count of variant {variant} to {count}"),
        )
        .await?;
        applied.record(news, |inputs| {
            inputs
                .variant_instance_counts
                .insert(variant.clone(), count);
        });
    }
    Ok(())
}

/// One UpdateEndpointWeightsAndCapacities call, then a wait for InService.
async fn weights_and_capacities(
    ctx: &Context,
    started: Instant,
    id: &str,
    desired: Vec<DesiredWeightAndCapacity>,
    what: &str,
) -> Result<()> {
    ctx.clients
        .sagemaker
        .update_endpoint_weights_and_capacities()
        .endpoint_name(id)
        .set_desired_weights_and_capacities(Some(desired))
        .send()
        .await
        .aws(Service::SageMaker, "UpdateEndpointWeightsAndCapacities")?;
    let settled = wait_settled(ctx, started, id, what).await?;
    require_in_service(id, &settled, &format!("after {what}"))
}

/// An error unless the endpoint is InService.
fn require_in_service(id: &str, settled: &Settled, when: &str) -> Result<()> {
    if settled.in_service() {
        return Ok(());
    }
    Err(ProviderError::failed(format!(
        "endpoint {id} is {} {when}: {}",
        settled.status.as_str(),
        settled.reason()
    )))
}

/// Weights read back as f32: keep them tidy.
fn round_weight(weight: f32) -> f64 {
    (f64::from(weight) * 1_000_000.0).round() / 1_000_000.0
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use aws_sdk_sagemaker::Client;
    use aws_sdk_sagemaker::operation::add_tags::AddTagsError;
    use aws_sdk_sagemaker::operation::delete_endpoint::DeleteEndpointOutput;
    use aws_sdk_sagemaker::operation::describe_endpoint::DescribeEndpointError;
    use aws_sdk_sagemaker::operation::update_endpoint_weights_and_capacities::{
        UpdateEndpointWeightsAndCapacitiesError, UpdateEndpointWeightsAndCapacitiesOutput,
    };
    use aws_smithy_mocks::mock;

    use super::test_fixtures::{
        canary, described, described_as, error, manual, running, updated, weights_updated,
    };
    use super::*;
    use crate::resources::mock::mock_context;

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
        let ctx = mock_context::<Endpoint>(&[&weights, &describe]).await;
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
        let autoscaled = framework::encode_plain(&running("c").inputs).unwrap();
        assert_eq!(
            Endpoint.ignored_in_diff(&autoscaled),
            vec!["variantInstanceCounts"]
        );
        let manual = EndpointInputs {
            autoscaling_managed: false,
            ..running("c").inputs
        };
        let manual = framework::encode_plain(&manual).unwrap();
        assert!(Endpoint.ignored_in_diff(&manual).is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn an_endpoint_still_updating_is_waited_for_before_changing_weights() {
        let weights =
            mock!(Client::update_endpoint_weights_and_capacities).then_output(weights_updated);
        let describe = mock!(Client::describe_endpoint)
            .sequence()
            .output(|| described_as("config-v1", EndpointStatus::Updating, None))
            .times(3)
            .output(|| described("config-v1", None))
            .repeatedly()
            .build();
        let ctx = mock_context::<Endpoint>(&[&weights, &describe]).await;
        let olds = running("config-v1");
        let mut news = olds.inputs.clone();
        news.variant_weights.insert("primary".into(), 3.0);
        Endpoint.update(&ctx, "fraud", &olds, &news).await.unwrap();
        assert_eq!(weights.num_calls(), 1);
        // Three while Updating, one InService before the call, one after.
        assert_eq!(describe.num_calls(), 5);
    }

    #[tokio::test]
    async fn a_tag_failure_after_a_verified_switch_records_the_new_configuration() {
        let update = mock!(Client::update_endpoint).then_output(updated);
        let describe = mock!(Client::describe_endpoint)
            .sequence()
            .output(|| described("config-v1", None))
            .output(|| described("config-v2", None))
            .repeatedly()
            .build();
        let tags = mock!(Client::add_tags)
            .then_error(|| AddTagsError::generic(error("AccessDeniedException", "no AddTags")));
        let ctx = mock_context::<Endpoint>(&[&update, &describe, &tags]).await;
        let olds = running("config-v1");
        let mut news = olds.inputs.clone();
        news.endpoint_config_name = "config-v2".into();
        news.rollout = Some(canary(20));
        news.tags.insert("team".into(), "fraud".into());
        let error = Endpoint
            .update(&ctx, "fraud", &olds, &news)
            .await
            .unwrap_err();
        let ProviderError::PartialFailure {
            id,
            outputs,
            inputs,
            reason,
        } = error
        else {
            panic!("expected a partial failure, got {error:?}");
        };
        assert_eq!(id, "fraud");
        assert!(
            reason.contains("now runs configuration config-v2"),
            "{reason}"
        );
        assert!(reason.contains("AddTags"), "{reason}");
        let recorded: EndpointOutputs = framework::decode(&outputs).unwrap();
        assert_eq!(recorded.inputs.endpoint_config_name, "config-v2");
        assert_eq!(recorded.inputs.rollout, news.rollout);
        assert_eq!(recorded.endpoint_status, "InService");
        assert_eq!(recorded.arn, olds.arn);
        // The tags are not on the endpoint: the next update sets them again.
        assert!(recorded.inputs.tags.is_empty());
        assert_eq!(*inputs, encode_plain(&news).unwrap());
        assert_eq!(update.num_calls(), 1);
    }

    #[tokio::test]
    async fn weights_go_in_one_call_and_counts_in_one_call_per_variant() {
        let all_weights = mock!(Client::update_endpoint_weights_and_capacities)
            .match_requests(|req| {
                let desired = req.desired_weights_and_capacities();
                desired.len() == 2
                    && desired.iter().all(|d| d.desired_instance_count().is_none())
                    && desired[0].variant_name() == Some("primary")
                    && desired[0].desired_weight() == Some(2.0)
                    && desired[1].variant_name() == Some("shadow")
                    && desired[1].desired_weight() == Some(0.5)
            })
            .then_output(weights_updated);
        let primary_count = mock!(Client::update_endpoint_weights_and_capacities)
            .match_requests(|req| {
                let desired = req.desired_weights_and_capacities();
                desired.len() == 1
                    && desired[0].variant_name() == Some("primary")
                    && desired[0].desired_instance_count() == Some(3)
                    && desired[0].desired_weight().is_none()
            })
            .then_output(weights_updated);
        let shadow_count = mock!(Client::update_endpoint_weights_and_capacities)
            .match_requests(|req| {
                let desired = req.desired_weights_and_capacities();
                desired.len() == 1
                    && desired[0].variant_name() == Some("shadow")
                    && desired[0].desired_instance_count() == Some(4)
                    && desired[0].desired_weight().is_none()
            })
            .then_output(weights_updated);
        let describe =
            mock!(Client::describe_endpoint).then_output(|| described("config-v1", None));
        let ctx =
            mock_context::<Endpoint>(&[&all_weights, &primary_count, &shadow_count, &describe])
                .await;
        let olds = manual("config-v1");
        let mut news = olds.inputs.clone();
        news.variant_weights.insert("primary".into(), 2.0);
        news.variant_weights.insert("shadow".into(), 0.5);
        news.variant_instance_counts.insert("primary".into(), 3);
        news.variant_instance_counts.insert("shadow".into(), 4);
        let outputs = Endpoint.update(&ctx, "fraud", &olds, &news).await.unwrap();
        assert_eq!(outputs.inputs, news);
        assert_eq!(all_weights.num_calls(), 1);
        assert_eq!(primary_count.num_calls(), 1);
        assert_eq!(shadow_count.num_calls(), 1);
        // Settled before the first call, InService after each of the three.
        assert_eq!(describe.num_calls(), 4);
    }

    #[tokio::test]
    async fn a_failed_count_change_records_the_steps_already_made() {
        let weights = mock!(Client::update_endpoint_weights_and_capacities)
            .match_requests(|req| {
                req.desired_weights_and_capacities()[0]
                    .desired_weight()
                    .is_some()
            })
            .then_output(weights_updated);
        let primary_count = mock!(Client::update_endpoint_weights_and_capacities)
            .match_requests(|req| {
                req.desired_weights_and_capacities()[0].variant_name() == Some("primary")
            })
            .then_output(weights_updated);
        let shadow_count = mock!(Client::update_endpoint_weights_and_capacities)
            .match_requests(|req| {
                req.desired_weights_and_capacities()[0].variant_name() == Some("shadow")
            })
            .then_error(|| {
                UpdateEndpointWeightsAndCapacitiesError::generic(error(
                    "ResourceLimitExceeded",
                    "instance limit",
                ))
            });
        let describe =
            mock!(Client::describe_endpoint).then_output(|| described("config-v1", None));
        let ctx =
            mock_context::<Endpoint>(&[&weights, &primary_count, &shadow_count, &describe]).await;
        let olds = manual("config-v1");
        let mut news = olds.inputs.clone();
        news.variant_weights.insert("primary".into(), 2.0);
        news.variant_instance_counts.insert("primary".into(), 3);
        news.variant_instance_counts.insert("shadow".into(), 4);
        let error = Endpoint
            .update(&ctx, "fraud", &olds, &news)
            .await
            .unwrap_err();
        let ProviderError::PartialFailure {
            outputs, reason, ..
        } = error
        else {
            panic!("expected a partial failure, got {error:?}");
        };
        assert!(reason.contains("updated in part"), "{reason}");
        assert!(reason.contains("instance limit"), "{reason}");
        let recorded: EndpointOutputs = framework::decode(&outputs).unwrap();
        assert_eq!(recorded.inputs.endpoint_config_name, "config-v1");
        assert_eq!(recorded.inputs.variant_weights["primary"], 2.0);
        assert_eq!(recorded.inputs.variant_instance_counts["primary"], 3);
        assert_eq!(recorded.inputs.variant_instance_counts["shadow"], 1);
        assert_eq!(shadow_count.num_calls(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn cancel_during_the_pre_delete_wait_is_not_swallowed() {
        let describe = mock!(Client::describe_endpoint)
            .then_output(|| described_as("config-v1", EndpointStatus::Updating, None));
        let delete =
            mock!(Client::delete_endpoint).then_output(|| DeleteEndpointOutput::builder().build());
        let ctx = mock_context::<Endpoint>(&[&describe, &delete]).await;
        let cancel = ctx.cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(30)).await;
            cancel.cancel();
        });
        let error = Endpoint
            .delete(&ctx, "fraud", &running("config-v1"))
            .await
            .unwrap_err();
        assert!(matches!(error, ProviderError::Cancelled), "{error:?}");
        assert_eq!(delete.num_calls(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_timeout_of_the_pre_delete_wait_is_not_swallowed() {
        let describe = mock!(Client::describe_endpoint)
            .then_output(|| described_as("config-v1", EndpointStatus::Updating, None));
        let delete =
            mock!(Client::delete_endpoint).then_output(|| DeleteEndpointOutput::builder().build());
        let mut ctx = mock_context::<Endpoint>(&[&describe, &delete]).await;
        ctx.timeout = Some(Duration::from_secs(60));
        let error = Endpoint
            .delete(&ctx, "fraud", &running("config-v1"))
            .await
            .unwrap_err();
        assert!(
            matches!(error, ProviderError::Timeout { seconds: 60, .. }),
            "{error:?}"
        );
        assert_eq!(delete.num_calls(), 0);
    }

    #[tokio::test]
    async fn a_failed_endpoint_is_deleted() {
        let describe = mock!(Client::describe_endpoint)
            .sequence()
            .output(|| described_as("config-v1", EndpointStatus::Failed, Some("bad image")))
            .error(|| {
                DescribeEndpointError::generic(error(
                    "ValidationException",
                    "Could not find endpoint \"fraud\".",
                ))
            })
            .repeatedly()
            .build();
        let delete =
            mock!(Client::delete_endpoint).then_output(|| DeleteEndpointOutput::builder().build());
        let ctx = mock_context::<Endpoint>(&[&describe, &delete]).await;
        Endpoint
            .delete(&ctx, "fraud", &running("config-v1"))
            .await
            .unwrap();
        assert_eq!(delete.num_calls(), 1);
    }

    #[tokio::test]
    async fn deleting_an_endpoint_that_is_gone_succeeds() {
        let describe = mock!(Client::describe_endpoint).then_error(|| {
            DescribeEndpointError::generic(error(
                "ValidationException",
                "Could not find endpoint \"fraud\".",
            ))
        });
        let delete =
            mock!(Client::delete_endpoint).then_output(|| DeleteEndpointOutput::builder().build());
        let ctx = mock_context::<Endpoint>(&[&describe, &delete]).await;
        Endpoint
            .delete(&ctx, "fraud", &running("config-v1"))
            .await
            .unwrap();
        assert_eq!(delete.num_calls(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn one_custom_timeout_bounds_the_whole_update() {
        let update = mock!(Client::update_endpoint).then_output(updated);
        // Busy for a while before the update, and stuck after it.
        let describe = mock!(Client::describe_endpoint)
            .sequence()
            .output(|| described_as("config-v1", EndpointStatus::Updating, None))
            .times(8)
            .output(|| described("config-v1", None))
            .output(|| described_as("config-v2", EndpointStatus::Updating, None))
            .repeatedly()
            .build();
        let mut ctx = mock_context::<Endpoint>(&[&update, &describe]).await;
        ctx.timeout = Some(Duration::from_secs(120));
        let olds = running("config-v1");
        let news = EndpointInputs {
            endpoint_config_name: "config-v2".into(),
            ..olds.inputs.clone()
        };
        let started = Instant::now();
        let error = Endpoint
            .update(&ctx, "fraud", &olds, &news)
            .await
            .unwrap_err();
        assert!(
            matches!(error, ProviderError::Timeout { seconds: 120, .. }),
            "{error:?}"
        );
        assert_eq!(update.num_calls(), 1);
        // The wait before the update used part of the budget: the wait
        // after it got only the rest.
        assert_eq!(started.elapsed(), Duration::from_secs(120));
    }
}
