//! How an endpoint update is planned and applied.
//!
//! Every update first waits until the endpoint is settled. A Failed
//! endpoint is not updated at all (SageMaker allows only deleting it): it is
//! recorded as Failed, and the next `up` replaces it (`failed_endpoint`).
//! Otherwise a change of configuration switches the endpoint to it
//! (`config_switch`); a change of weights or counts alone uses
//! UpdateEndpointWeightsAndCapacities with no new configuration
//! (`weights_and_counts`); tags come last. The old configuration is a
//! separate resource, deleted by the engine only after this update
//! succeeded.
//!
//! What the endpoint verifiably runs is recorded step by step. Once the
//! switch is verified, a later failure of the same update (tags) is reported
//! as a partial failure that records the new configuration, so that the next
//! `up` does not roll the fleet out again; likewise weights and counts
//! SageMaker rolled back are recorded as the endpoint serves them.

use std::collections::BTreeMap;

use aws_sdk_sagemaker::types::EndpointStatus;

use super::config_switch::switch_configuration;
use super::failed_endpoint::EndpointFailed;
use super::outcome::{Mismatch, Setting};
use super::rollout_duration::{TimeoutFit, custom_timeout_fit, switch_timeout};
use super::weights_and_counts::change_weights_and_counts;
use super::{EndpointInputs, EndpointOutputs};
use crate::Context;
use crate::resources::sagemaker::retag;
use crate::resources::sagemaker::status::{Budget, DEFAULT_TIMEOUT, Settled, wait_settled};
use framework::encode_plain;
use framework::{ProviderError, Result};

/// Brings endpoint `id` from `olds` to `news`, within one time budget for
/// all of its waits: the default covers a configuration switch's rollout;
/// a custom timeout too short for it fails before anything changes.
pub(super) async fn apply_update(
    ctx: &Context,
    id: &str,
    olds: &EndpointOutputs,
    news: &EndpointInputs,
) -> Result<EndpointOutputs> {
    let old = &olds.inputs;
    let switching = old.endpoint_config_name != news.endpoint_config_name;
    let budget = if switching {
        let counts = &news.variant_instance_counts;
        match custom_timeout_fit(id, ctx.timeout, news.rollout.as_ref(), counts) {
            TimeoutFit::Covers => {}
            TimeoutFit::Tight(warning) => ctx.warn(warning).await,
            TimeoutFit::TooShort(error) => return Err(error.into()),
        }
        Budget::starting_now(switch_timeout(news.rollout.as_ref(), counts))
    } else {
        Budget::starting_now(DEFAULT_TIMEOUT)
    };
    // What the endpoint verifiably runs so far. Once anything changed, a
    // failure returns it as a partial failure: the engine records it, and
    // the next update starts from there instead of from the old state.
    let mut applied = Applied::new(olds.clone());
    let before = wait_settled(
        ctx,
        budget,
        id,
        "waiting for the endpoint to settle before updating",
    )
    .await?;
    if before.failed() {
        return Err(applied.endpoint_failed(id, news, &before));
    }
    if switching {
        switch_configuration(ctx, budget, id, &before, old, news, &mut applied)
            .await
            .map_err(|error| applied.fail(id, news, error))?;
        // The new configuration brings its weights and counts (autoscaled
        // counts are retained, and not compared): only tags are left.
        applied.record(news, |inputs| {
            *inputs = EndpointInputs {
                tags: inputs.tags.clone(),
                ..news.clone()
            };
        });
    } else {
        change_weights_and_counts(ctx, budget, id, &before, old, news, &mut applied)
            .await
            .map_err(|error| applied.fail(id, news, error))?;
    }
    if old.tags != news.tags {
        retag(ctx, &olds.arn, &old.tags, &news.tags)
            .await
            .map_err(|error| applied.fail(id, news, error))?;
    }
    Ok(EndpointOutputs {
        inputs: news.clone(),
        arn: olds.arn.clone(),
        endpoint_status: EndpointStatus::InService.as_str().to_owned(),
        failure_reason: None,
        workflow_base_config_name: None,
    })
}

/// The state an update has verifiably reached.
pub(super) struct Applied {
    /// The outputs the endpoint verifiably has so far.
    outputs: EndpointOutputs,
    /// The configuration the endpoint ran before the update.
    old_config: String,
    /// True once the endpoint verifiably differs from its old record.
    changed: bool,
}

impl Applied {
    /// Nothing applied yet to an endpoint recorded with `outputs`.
    pub(super) fn new(outputs: EndpointOutputs) -> Self {
        Applied {
            old_config: outputs.inputs.endpoint_config_name.as_str().to_owned(),
            outputs,
            changed: false,
        }
    }

    /// The outputs the endpoint verifiably has.
    pub(super) fn into_outputs(self) -> EndpointOutputs {
        self.outputs
    }

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

    /// Records the weights and counts the endpoint serves after a change
    /// SageMaker did not carry out (`mismatches`), with its reason. Values
    /// it serves as recorded before are no change.
    pub(super) fn record_served(&mut self, mismatches: &[Mismatch], settled: &Settled) {
        let inputs = &mut self.outputs.inputs;
        let mut differs = false;
        for mismatch in mismatches {
            match mismatch.live {
                Some(Setting::Weight(weight)) => {
                    differs |=
                        insert_changed(&mut inputs.variant_weights, &mismatch.variant, weight)
                }
                Some(Setting::InstanceCount(count)) => {
                    differs |= insert_changed(
                        &mut inputs.variant_instance_counts,
                        &mismatch.variant,
                        count,
                    )
                }
                None => {}
            }
        }
        if differs {
            self.outputs.failure_reason = settled.failure_reason.clone();
            self.changed = true;
        }
    }

    /// Records that the endpoint is Failed, and returns the partial failure
    /// that records it so: the next diff replaces the endpoint.
    pub(super) fn endpoint_failed(
        &mut self,
        id: &str,
        news: &EndpointInputs,
        settled: &Settled,
    ) -> ProviderError {
        self.outputs.endpoint_status = EndpointStatus::Failed.as_str().to_owned();
        self.outputs.failure_reason = settled.failure_reason.clone();
        self.changed = true;
        let failed = EndpointFailed {
            endpoint: id.to_owned(),
            reason: settled.failure_reason.clone(),
        };
        self.fail(id, news, failed.into())
    }

    /// The error to return: a partial failure with what was reached, once
    /// anything changed; the error itself before.
    fn fail(&self, id: &str, news: &EndpointInputs, error: ProviderError) -> ProviderError {
        if !self.changed || matches!(error, ProviderError::PartialFailure { .. }) {
            return error;
        }
        let encoded = encode_plain(&self.outputs).and_then(|outputs| {
            Ok(ProviderError::PartialFailure {
                id: id.to_owned(),
                outputs: Box::new(outputs),
                inputs: Box::new(encode_plain(news)?),
                reason: if self.outputs.endpoint_status == EndpointStatus::Failed.as_str() {
                    error.to_string()
                } else if self.outputs.inputs.endpoint_config_name != self.old_config {
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

/// Sets `map[key]` to `value`; true when that changed it.
fn insert_changed<V: PartialEq>(map: &mut BTreeMap<String, V>, key: &str, value: V) -> bool {
    if map.get(key) == Some(&value) {
        return false;
    }
    map.insert(key.to_owned(), value);
    true
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use aws_sdk_sagemaker::Client;
    use aws_sdk_sagemaker::operation::add_tags::AddTagsError;
    use aws_smithy_mocks::mock;
    use framework::CustomResource;
    use tokio::time::Instant;

    use super::super::Endpoint;
    use super::super::test_fixtures::{
        canary, described, described_as, error, running, updated, weights_updated,
    };
    use super::*;
    use crate::resources::mock::mock_context;

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

    #[tokio::test]
    async fn a_failed_endpoint_gets_no_update_call_and_is_recorded_failed() {
        let update = mock!(Client::update_endpoint).then_output(updated);
        let weights =
            mock!(Client::update_endpoint_weights_and_capacities).then_output(weights_updated);
        let describe = mock!(Client::describe_endpoint)
            .then_output(|| described_as("config-v1", EndpointStatus::Failed, Some("bad image")));
        let ctx = mock_context::<Endpoint>(&[&update, &weights, &describe]).await;
        let olds = running("config-v1");
        let switch = EndpointInputs {
            endpoint_config_name: "config-v2".into(),
            ..olds.inputs.clone()
        };
        let mut reweigh = olds.inputs.clone();
        reweigh.variant_weights.insert("primary".into(), 2.0);
        for news in [switch, reweigh] {
            let error = Endpoint
                .update(&ctx, "fraud", &olds, &news)
                .await
                .unwrap_err();
            let ProviderError::PartialFailure {
                outputs,
                inputs,
                reason,
                ..
            } = error
            else {
                panic!("expected a partial failure, got {error:?}");
            };
            assert!(
                reason.contains("endpoint fraud is Failed (bad image)"),
                "{reason}"
            );
            assert!(
                reason.contains("the next `pulumi up` deletes and re-creates it"),
                "{reason}"
            );
            let recorded: EndpointOutputs = framework::decode(&outputs).unwrap();
            assert_eq!(recorded.endpoint_status, "Failed");
            assert_eq!(recorded.failure_reason.as_deref(), Some("bad image"));
            // Nothing else changed: the record is the old one, Failed.
            assert_eq!(recorded.inputs, olds.inputs);
            assert_eq!(*inputs, encode_plain(&news).unwrap());
            // The next diff replaces it.
            assert_eq!(
                Endpoint.replacement_forced_by(&recorded),
                ["endpointStatus"]
            );
        }
        assert_eq!(update.num_calls(), 0);
        assert_eq!(weights.num_calls(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn the_default_timeout_covers_a_rollouts_waits() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let update = mock!(Client::update_endpoint).then_output(updated);
        // InService before the update; then Updating through the canary's
        // hour and the hour before the old fleet goes, plus provisioning:
        // longer than the 90 minutes of any other endpoint operation.
        let started = Instant::now();
        let calls = AtomicUsize::new(0);
        let describe = mock!(Client::describe_endpoint).then_output(move || {
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                described("config-v1", None)
            } else if started.elapsed() < Duration::from_secs(150 * 60) {
                described_as("config-v1", EndpointStatus::Updating, None)
            } else {
                described("config-v2", None)
            }
        });
        let ctx = mock_context::<Endpoint>(&[&update, &describe]).await;
        let olds = running("config-v1");
        let mut rollout = canary(10);
        rollout.wait_interval_in_seconds = 3600;
        rollout.termination_wait_in_seconds = Some(3600);
        let news = EndpointInputs {
            endpoint_config_name: "config-v2".into(),
            rollout: Some(rollout),
            ..olds.inputs.clone()
        };
        let outputs = Endpoint.update(&ctx, "fraud", &olds, &news).await.unwrap();
        assert_eq!(outputs.inputs.endpoint_config_name, "config-v2");
        assert!(started.elapsed() >= Duration::from_secs(150 * 60));
    }

    #[tokio::test]
    async fn a_custom_timeout_shorter_than_the_rollouts_waits_fails_before_any_call() {
        let update = mock!(Client::update_endpoint).then_output(updated);
        let describe =
            mock!(Client::describe_endpoint).then_output(|| described("config-v1", None));
        let mut ctx = mock_context::<Endpoint>(&[&update, &describe]).await;
        ctx.timeout = Some(Duration::from_secs(600));
        let olds = running("config-v1");
        let mut rollout = canary(10);
        rollout.wait_interval_in_seconds = 1800;
        let news = EndpointInputs {
            endpoint_config_name: "config-v2".into(),
            rollout: Some(rollout),
            ..olds.inputs.clone()
        };
        let error = Endpoint
            .update(&ctx, "fraud", &olds, &news)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("custom update timeout of endpoint fraud (600 s)"),
            "{error}"
        );
        assert!(
            error.contains("rollout's waits (1800 s together)"),
            "{error}"
        );
        assert!(error.contains("nothing was changed"), "{error}");
        assert_eq!(update.num_calls(), 0);
        assert_eq!(describe.num_calls(), 0);
    }
}
