//! Changing weights and instance counts without a new configuration:
//! UpdateEndpointWeightsAndCapacities.
//!
//! One call for all weights, then one call per variant whose instance count
//! changes (the API changes the capacity of one variant per call), each
//! followed by a wait for InService and a check that the endpoint serves
//! what was asked (`outcome`): SageMaker reports a change it could not make
//! by rolling it back. Each verified call is recorded, so that a later
//! failure reports the steps already made; a change rolled back is
//! recorded as the endpoint serves it.

use std::collections::BTreeMap;

use aws_sdk_sagemaker::types::DesiredWeightAndCapacity;

use super::lost_answer::taken_despite;
use super::outcome::{NotApplied, Setting, unapplied};
use super::update::Applied;
use super::{EndpointInputs, EndpointOutputs};
use crate::Context;
use crate::aws::{ResultExt, Service};
use crate::resources::sagemaker::status::{Budget, LiveVariant, Settled, wait_settled};
use framework::{ProviderError, Result};

/// Applies changed weights (one call for all variants) and, unless
/// autoscaling owns them, changed instance counts (one call per variant:
/// the API changes the capacity of one variant per call) to the endpoint,
/// settled as `before`, verifying after each call that the endpoint serves
/// them and recording each verified step.
pub(super) async fn change_weights_and_counts(
    ctx: &Context,
    budget: Budget,
    id: &str,
    before: &Settled,
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
    require_in_service(id, before, "before changing weights and capacities")?;
    if !weights.is_empty() {
        let asked = weights
            .iter()
            .map(|(variant, weight)| ((*variant).clone(), Setting::Weight(*weight)))
            .collect();
        let call = WeightsAndCapacities {
            asked,
            what: "changing variant weights".to_owned(),
        };
        call.apply(ctx, budget, id, news, applied).await?;
        applied.record(news, |inputs| {
            for (variant, weight) in &weights {
                inputs.variant_weights.insert((*variant).clone(), *weight);
            }
        });
    }
    for (variant, count) in counts {
        let call = WeightsAndCapacities {
            asked: vec![(variant.clone(), Setting::InstanceCount(count))],
            what: format!("changing the instance count of variant {variant} to {count}"),
        };
        call.apply(ctx, budget, id, news, applied).await?;
        applied.record(news, |inputs| {
            inputs
                .variant_instance_counts
                .insert(variant.clone(), count);
        });
    }
    Ok(())
}

/// `inputs` with the weights and (unless autoscaling owns them) instance
/// counts of an endpoint serving `live` instead.
fn as_served(inputs: &EndpointInputs, live: &BTreeMap<String, LiveVariant>) -> EndpointInputs {
    let mut served = inputs.clone();
    for (variant, serving) in live {
        if let (Some(weight), Some(asked)) =
            (serving.weight, served.variant_weights.get_mut(variant))
        {
            *asked = weight;
        }
        if let (false, Some(count), Some(asked)) = (
            inputs.autoscaling_managed,
            serving.instance_count,
            served.variant_instance_counts.get_mut(variant),
        ) {
            *asked = count;
        }
    }
    served
}

/// Brings a new endpoint, settled InService as `settled`, to the weights
/// and instance counts of `inputs` where its configuration's initial ones
/// differ (an existing configuration made before the weights changed, as
/// when a Failed endpoint is created again); `outputs` records what it
/// verifiably serves, whatever the outcome.
pub(super) async fn serve_as_asked(
    ctx: &Context,
    budget: Budget,
    id: &str,
    settled: &Settled,
    inputs: &EndpointInputs,
    outputs: &mut EndpointOutputs,
) -> Result<()> {
    let served = as_served(inputs, &settled.variants);
    outputs.inputs = served.clone();
    if served == *inputs {
        return Ok(());
    }
    let mut applied = Applied::new(outputs.clone());
    let result =
        change_weights_and_counts(ctx, budget, id, settled, &served, inputs, &mut applied).await;
    *outputs = applied.into_outputs();
    result
}

/// One UpdateEndpointWeightsAndCapacities call.
struct WeightsAndCapacities {
    /// The values asked, by variant.
    asked: Vec<(String, Setting)>,
    /// What the call does, for progress and messages.
    what: String,
}

impl WeightsAndCapacities {
    /// Makes the call, waits for the endpoint to settle and checks that it
    /// serves what was asked. A Failed endpoint, or values it does not
    /// serve, are recorded in `applied` as they are.
    async fn apply(
        &self,
        ctx: &Context,
        budget: Budget,
        id: &str,
        news: &EndpointInputs,
        applied: &mut Applied,
    ) -> Result<()> {
        let desired = self
            .asked
            .iter()
            .map(|(variant, setting)| {
                let desired = DesiredWeightAndCapacity::builder().variant_name(variant);
                match setting {
                    Setting::Weight(weight) => desired.desired_weight(*weight as f32),
                    Setting::InstanceCount(count) => desired.desired_instance_count(*count as i32),
                }
                .build()
            })
            .collect();
        let requested = ctx
            .clients
            .sagemaker
            .update_endpoint_weights_and_capacities()
            .endpoint_name(id)
            .set_desired_weights_and_capacities(Some(desired))
            .send()
            .await
            .aws(Service::SageMaker, "UpdateEndpointWeightsAndCapacities");
        if let Err(error) = requested
            && !taken_despite(ctx, id, &error).await?
        {
            return Err(error.into());
        }
        let settled = wait_settled(ctx, budget, id, &self.what).await?;
        if settled.failed() {
            return Err(applied.endpoint_failed(id, news, &settled));
        }
        require_in_service(id, &settled, &format!("after {}", self.what))?;
        let mismatches = unapplied(&self.asked, &settled.variants);
        if mismatches.is_empty() {
            return Ok(());
        }
        applied.record_served(&mismatches, &settled);
        Err(NotApplied {
            endpoint: id.to_owned(),
            mismatches,
            failure_reason: settled.failure_reason.clone(),
        }
        .into())
    }
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

#[cfg(test)]
mod tests {
    use aws_sdk_sagemaker::Client;
    use aws_sdk_sagemaker::operation::update_endpoint_weights_and_capacities::{
        UpdateEndpointWeightsAndCapacitiesError, UpdateEndpointWeightsAndCapacitiesOutput,
    };
    use aws_sdk_sagemaker::types::EndpointStatus;
    use aws_smithy_mocks::mock;
    use framework::CustomResource;

    use super::super::test_fixtures::{
        described_as, error, manual, running, serving, weights_updated,
    };
    use super::super::{Endpoint, EndpointOutputs};
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
        // The autoscaler keeps its own count.
        let describe = mock!(Client::describe_endpoint)
            .then_output(|| serving("config-v1", &[("primary", 3.0, Some(4))]));
        let ctx = mock_context::<Endpoint>(&[&weights, &describe]).await;
        let olds = running("config-v1");
        let mut news = olds.inputs.clone();
        news.variant_weights.insert("primary".into(), 3.0);
        news.variant_instance_counts.insert("primary".into(), 5);
        let outputs = Endpoint.update(&ctx, "fraud", &olds, &news).await.unwrap();
        assert_eq!(outputs.inputs.variant_weights["primary"], 3.0);
        assert_eq!(weights.num_calls(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn an_endpoint_still_updating_is_waited_for_before_changing_weights() {
        let weights =
            mock!(Client::update_endpoint_weights_and_capacities).then_output(weights_updated);
        let describe = mock!(Client::describe_endpoint)
            .sequence()
            .output(|| described_as("config-v1", EndpointStatus::Updating, None))
            .times(3)
            .output(|| serving("config-v1", &[("primary", 3.0, Some(2))]))
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
        let describe = mock!(Client::describe_endpoint).then_output(|| {
            serving(
                "config-v1",
                &[("primary", 2.0, Some(3)), ("shadow", 0.5, Some(4))],
            )
        });
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
        let describe = mock!(Client::describe_endpoint).then_output(|| {
            serving(
                "config-v1",
                &[("primary", 2.0, Some(3)), ("shadow", 1.0, Some(1))],
            )
        });
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

    /// DescribeEndpoint serving `variants` after a rollback, with `reason`.
    fn rolled_back(
        variants: &[(&str, f32, Option<i32>)],
        reason: Option<&str>,
    ) -> aws_sdk_sagemaker::operation::describe_endpoint::DescribeEndpointOutput {
        let mut described = serving("config-v1", variants);
        described.failure_reason = reason.map(str::to_owned);
        described
    }

    #[tokio::test]
    async fn a_rolled_back_weight_change_fails_naming_the_variant_asked_and_live() {
        let weights =
            mock!(Client::update_endpoint_weights_and_capacities).then_output(weights_updated);
        // InService before and after: only the weights tell the rollback.
        let describe = mock!(Client::describe_endpoint).then_output(|| {
            rolled_back(
                &[("primary", 1.0, Some(2)), ("shadow", 1.0, Some(1))],
                Some("Insufficient capacity"),
            )
        });
        let ctx = mock_context::<Endpoint>(&[&weights, &describe]).await;
        let olds = manual("config-v1");
        let mut news = olds.inputs.clone();
        news.variant_weights.insert("primary".into(), 3.0);
        let error = Endpoint
            .update(&ctx, "fraud", &olds, &news)
            .await
            .unwrap_err();
        // What the endpoint serves is what was recorded: nothing to record.
        let ProviderError::Failed { reason } = error else {
            panic!("expected a plain failure, got {error:?}");
        };
        assert!(
            reason.contains("SageMaker did not apply the change to endpoint fraud"),
            "{reason}"
        );
        assert!(
            reason.contains("variant primary weight asked 3, live 1"),
            "{reason}"
        );
        assert!(
            reason.contains("SageMaker's reason: Insufficient capacity"),
            "{reason}"
        );
        assert_eq!(weights.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_count_rolled_back_after_verified_weights_records_what_is_served() {
        let weights =
            mock!(Client::update_endpoint_weights_and_capacities).then_output(weights_updated);
        let describe = mock!(Client::describe_endpoint)
            .sequence()
            .output(|| serving("config-v1", &[("primary", 1.0, Some(2))]))
            .output(|| serving("config-v1", &[("primary", 2.0, Some(2))]))
            // The count change rolled back, with no reason given.
            .output(|| rolled_back(&[("primary", 2.0, Some(2))], None))
            .repeatedly()
            .build();
        let ctx = mock_context::<Endpoint>(&[&weights, &describe]).await;
        let mut olds = manual("config-v1");
        olds.inputs.variant_weights.remove("shadow");
        olds.inputs.variant_instance_counts.remove("shadow");
        let mut news = olds.inputs.clone();
        news.variant_weights.insert("primary".into(), 2.0);
        news.variant_instance_counts.insert("primary".into(), 3);
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
        assert!(
            reason.contains("variant primary instance count asked 3, live 2"),
            "{reason}"
        );
        assert!(reason.contains("SageMaker gave no reason"), "{reason}");
        let recorded: EndpointOutputs = framework::decode(&outputs).unwrap();
        assert_eq!(recorded.inputs.variant_weights["primary"], 2.0);
        assert_eq!(recorded.inputs.variant_instance_counts["primary"], 2);
        assert_eq!(weights.num_calls(), 2);
    }

    #[tokio::test]
    async fn a_count_served_otherwise_than_asked_is_recorded_as_served() {
        let weights =
            mock!(Client::update_endpoint_weights_and_capacities).then_output(weights_updated);
        let describe = mock!(Client::describe_endpoint)
            .sequence()
            .output(|| serving("config-v1", &[("primary", 1.0, Some(2))]))
            .output(|| rolled_back(&[("primary", 1.0, Some(3))], Some("instance limit")))
            .repeatedly()
            .build();
        let ctx = mock_context::<Endpoint>(&[&weights, &describe]).await;
        let mut olds = manual("config-v1");
        olds.inputs.variant_weights.remove("shadow");
        olds.inputs.variant_instance_counts.remove("shadow");
        let mut news = olds.inputs.clone();
        news.variant_instance_counts.insert("primary".into(), 5);
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
        assert!(
            reason.contains("variant primary instance count asked 5, live 3"),
            "{reason}"
        );
        let recorded: EndpointOutputs = framework::decode(&outputs).unwrap();
        assert_eq!(recorded.inputs.variant_instance_counts["primary"], 3);
        assert_eq!(recorded.failure_reason.as_deref(), Some("instance limit"));
        assert_eq!(recorded.endpoint_status, "InService");
    }
}
