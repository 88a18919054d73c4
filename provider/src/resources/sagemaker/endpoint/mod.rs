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
mod weights_and_counts;

pub use self::rollout::{RolloutPolicy, ShiftSize, ShiftSizeUnit, TrafficShift};

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_sagemaker::types::EndpointStatus;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use self::config_switch::switch_configuration;
use self::rollout::{check_rollout, deployment_config};
use self::weights_and_counts::change_weights_and_counts;
use super::sagemaker_tags;
use super::status::{DEFAULT_TIMEOUT, describe, status_text, wait_settled, wait_settled_or_gone};
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
pub(super) struct Applied {
    outputs: EndpointOutputs,
    /// The configuration the endpoint ran before the update.
    old_config: String,
    changed: bool,
}

impl Applied {
    /// Records a verified change to the endpoint.
    pub(super) fn record(
        &mut self,
        news: &EndpointInputs,
        change: impl FnOnce(&mut EndpointInputs),
    ) {
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
    use aws_smithy_mocks::mock;

    use super::test_fixtures::{canary, described, described_as, error, running, updated};
    use super::*;
    use crate::resources::mock::mock_context;

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
