//! Switching an endpoint to a new configuration: UpdateEndpoint, then a
//! check that the endpoint really runs it.
//!
//! SageMaker rolls back a failed update silently: that is reported as a
//! failure, with SageMaker's reason when it gives one (it may give none)
//! and the rollback alarms the rollout watched. The new configuration
//! brings its own weights, counts and data capture; with autoscaling
//! attached only the running instance counts are retained. An endpoint
//! that already runs the new configuration (a retried update) is not
//! updated again.

use aws_sdk_sagemaker::types::{VariantProperty, VariantPropertyType};

use super::EndpointInputs;
use super::lost_answer::taken_despite;
use super::retyped_variants::{deregister, retyped_variants, still_deregistered};
use super::rollout::deployment_config;
use super::update::Applied;
use crate::Context;
use crate::aws::propagation::{
    ENDPOINT_CONFIG_PROPAGATION_WINDOW, endpoint_config_not_found_yet, retry_within_budget,
};
use crate::aws::{AwsError, AwsErrorKind, ResultExt, Service};
use crate::resources::sagemaker::status::{Budget, Settled, wait_settled};
use framework::{ProviderError, Result};

/// Switches the endpoint, settled as `before`, to the new configuration
/// and verifies that it runs it; an endpoint that already does (a retried
/// update) is left alone. An endpoint the switch leaves Failed is recorded
/// in `applied` as such.
pub(super) async fn switch_configuration(
    ctx: &Context,
    budget: Budget,
    id: &str,
    before: &Settled,
    old: &EndpointInputs,
    news: &EndpointInputs,
    applied: &mut Applied,
) -> Result<()> {
    if before.in_service() && before.config_name == news.endpoint_config_name.as_str() {
        ctx.info(format!(
            "endpoint {id} already runs configuration {}",
            news.endpoint_config_name.as_str()
        ))
        .await;
        return Ok(());
    }
    // SageMaker refuses a new instance type for a registered variant.
    let retyped = retyped_variants(old, news);
    if !retyped.is_empty() {
        deregister(ctx, id, &retyped).await?;
    }
    let switched = send_and_verify(ctx, budget, id, news, applied).await;
    if switched.is_err() && !retyped.is_empty() {
        ctx.warn(still_deregistered(id, &retyped)).await;
    }
    switched
}

/// UpdateEndpoint to the new configuration, and the check that the
/// endpoint runs it.
async fn send_and_verify(
    ctx: &Context,
    budget: Budget,
    id: &str,
    news: &EndpointInputs,
    applied: &mut Applied,
) -> Result<()> {
    let mut request = ctx
        .clients
        .sagemaker
        .update_endpoint()
        .endpoint_name(id)
        .endpoint_config_name(news.endpoint_config_name.as_str())
        .retain_all_variant_properties(news.autoscaling_managed);
    if news.autoscaling_managed {
        // Retain only the instance counts autoscaling set: the weights come
        // from the new configuration. Data capture is not a retained
        // property (VariantProperty `DataCaptureConfig` is "Not currently
        // supported"): it comes with the new configuration anyway.
        request = request.exclude_retained_variant_properties(
            VariantProperty::builder()
                .variant_property_type(VariantPropertyType::DesiredWeight)
                .build(),
        );
    }
    if let Some(rollout) = &news.rollout {
        request =
            request.deployment_config(deployment_config(rollout, &news.variant_instance_counts));
    }
    // A configuration created a moment ago may not be found yet.
    let sent = retry_within_budget(
        ctx,
        "updating endpoint",
        ENDPOINT_CONFIG_PROPAGATION_WINDOW,
        budget.remaining(ctx),
        endpoint_config_not_found_yet,
        || {
            let request = request.clone();
            async move {
                request
                    .send()
                    .await
                    .aws(Service::SageMaker, "UpdateEndpoint")
            }
        },
    )
    .await;
    if let Err(error) = sent {
        let refusal = match &error {
            ProviderError::Service(source) => source.downcast_ref::<AwsError>(),
            _ => None,
        };
        // A lost answer: SageMaker took the change all the same.
        let taken = match refusal {
            Some(refusal) => taken_despite(ctx, id, refusal).await?,
            None => false,
        };
        if !taken {
            if let Some(refusal) = refusal
                && refused_for_autoscaling(refusal)
            {
                return Err(RefusedForAutoscaling {
                    endpoint: id.to_owned(),
                    error: refusal.clone(),
                }
                .into());
            }
            return Err(super::explain_aws_refusal(error, news));
        }
    }
    ctx.info(format!(
        "switching endpoint {id} to configuration {}",
        news.endpoint_config_name.as_str()
    ))
    .await;
    let settled = wait_settled(ctx, budget, id, "updating endpoint").await?;
    if settled.failed() {
        return Err(applied.endpoint_failed(id, news, &settled));
    }
    if !settled.in_service() || settled.config_name != news.endpoint_config_name.as_str() {
        return Err(NotSwitched {
            endpoint: id.to_owned(),
            config: news.endpoint_config_name.as_str().to_owned(),
            settled,
            rollback_alarms: news
                .rollout
                .as_ref()
                .map(|rollout| rollout.rollback_alarm_names.clone())
                .unwrap_or_default(),
        }
        .into());
    }
    Ok(())
}

/// True when SageMaker refused the update because of Application Auto
/// Scaling: a request error whose message is about autoscaling or a
/// scalable target ("If the update would change the instance type for any
/// model that is a target for auto scaling, the update fails", dev guide,
/// "Update endpoints that use auto scaling"; the exact wording of the
/// refusal is not documented).
fn refused_for_autoscaling(error: &AwsError) -> bool {
    let squeezed: String = error
        .message
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    error.kind == AwsErrorKind::Validation
        && (squeezed.contains("autoscaling") || squeezed.contains("scalabletarget"))
}

/// SageMaker refused to update an endpoint with a variant registered with
/// Application Auto Scaling.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "{error}. Endpoint {endpoint} has a variant registered with Application Auto Scaling, and \
     SageMaker refuses some changes to it (e.g. removing the variant) while it is. \
     Deregister autoscaling first: remove the component's autoscaling settings and deploy; \
     then deploy this change; then add the autoscaling settings back and deploy again."
)]
pub struct RefusedForAutoscaling {
    /// The endpoint.
    pub endpoint: String,
    /// SageMaker's refusal.
    pub error: AwsError,
}

impl From<RefusedForAutoscaling> for ProviderError {
    fn from(error: RefusedForAutoscaling) -> Self {
        ProviderError::failed(error.to_string())
    }
}

/// An update SageMaker accepted but did not carry out: the endpoint settled
/// on another configuration (a rollback) or out of service.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "SageMaker did not switch endpoint {endpoint} to configuration {config}: it is {} and runs {}. {}",
    settled.status.as_str(),
    if settled.config_name.is_empty() { "no configuration" } else { &settled.config_name },
    explanation(settled, rollback_alarms)
)]
pub struct NotSwitched {
    /// The endpoint.
    pub endpoint: String,
    /// The configuration asked for.
    pub config: String,
    /// Where the endpoint settled.
    pub settled: Settled,
    /// The alarms the rollout watched.
    pub rollback_alarms: Vec<String>,
}

impl From<NotSwitched> for ProviderError {
    fn from(error: NotSwitched) -> Self {
        ProviderError::failed(error.to_string())
    }
}

/// SageMaker's reason (it may give none), and the alarms that could have
/// rolled the update back.
fn explanation(settled: &Settled, rollback_alarms: &[String]) -> String {
    let reason = match &settled.failure_reason {
        Some(reason) => format!("Reason: {}", reason.trim_end_matches('.')),
        None => "SageMaker gave no reason".to_owned(),
    };
    if rollback_alarms.is_empty() {
        reason
    } else {
        format!(
            "{reason}. The rollout watched the rollback alarms {}",
            rollback_alarms.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_sagemaker::Client;
    use aws_sdk_sagemaker::operation::update_endpoint::UpdateEndpointError;
    use aws_sdk_sagemaker::types::EndpointStatus;
    use aws_smithy_mocks::mock;
    use framework::CustomResource;

    use super::super::test_fixtures::{
        canary, described, described_as, error, manual, running, updated, weights_updated,
    };
    use super::super::{Endpoint, EndpointOutputs};
    use super::*;
    use crate::resources::mock::mock_context;

    fn excluded(
        req: &aws_sdk_sagemaker::operation::update_endpoint::UpdateEndpointInput,
    ) -> Vec<&str> {
        req.exclude_retained_variant_properties()
            .iter()
            .filter_map(|p| p.variant_property_type().map(VariantPropertyType::as_str))
            .collect()
    }

    #[tokio::test(start_paused = true)]
    async fn an_update_waits_for_a_configuration_sagemaker_cannot_find_yet() {
        let update = mock!(Client::update_endpoint)
            .sequence()
            .error(|| {
                UpdateEndpointError::generic(error(
                    "ValidationException",
                    "Could not find endpoint configuration \"arn:aws:sagemaker:us-east-1:1:endpoint-config/config-v2\".",
                ))
            })
            .output(updated)
            .build();
        let describe = mock!(Client::describe_endpoint)
            .sequence()
            .output(|| described("config-v1", None))
            .output(|| described("config-v2", None))
            .repeatedly()
            .build();
        let ctx = mock_context::<Endpoint>(&[&update, &describe]).await;
        let olds = running("config-v1");
        let news = EndpointInputs {
            endpoint_config_name: "config-v2".into(),
            ..olds.inputs.clone()
        };
        let outputs = Endpoint.update(&ctx, "fraud", &olds, &news).await.unwrap();
        assert_eq!(outputs.inputs.endpoint_config_name, "config-v2");
        assert_eq!(update.num_calls(), 2);
    }

    #[tokio::test]
    async fn a_rolled_back_update_fails_with_sagemakers_reason() {
        let update = mock!(Client::update_endpoint)
            .match_requests(|req| {
                req.endpoint_config_name() == Some("config-v2")
                    && req.retain_all_variant_properties() == Some(true)
                    && req.deployment_config().is_some()
            })
            .then_output(updated);
        let describe = mock!(Client::describe_endpoint)
            .then_output(|| described("config-v1", Some("health check failed")));
        let ctx = mock_context::<Endpoint>(&[&update, &describe]).await;
        let olds = running("config-v1");
        let news = EndpointInputs {
            endpoint_config_name: "config-v2".into(),
            rollout: Some(canary(10)),
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
    async fn an_autoscaled_switch_retains_only_instance_counts_and_needs_no_weights_call() {
        let update = mock!(Client::update_endpoint)
            .match_requests(|req| {
                req.endpoint_config_name() == Some("config-v2")
                    && req.retain_all_variant_properties() == Some(true)
                    && excluded(req) == ["DesiredWeight"]
            })
            .then_output(updated);
        let describe = mock!(Client::describe_endpoint)
            .sequence()
            .output(|| described("config-v1", None))
            .output(|| described("config-v2", None))
            .repeatedly()
            .build();
        let weights =
            mock!(Client::update_endpoint_weights_and_capacities).then_output(weights_updated);
        let ctx = mock_context::<Endpoint>(&[&update, &describe, &weights]).await;
        let olds = running("config-v1");
        let mut news = olds.inputs.clone();
        news.endpoint_config_name = "config-v2".into();
        news.variant_weights.insert("primary".into(), 2.0);
        let outputs = Endpoint.update(&ctx, "fraud", &olds, &news).await.unwrap();
        assert_eq!(outputs.inputs, news);
        assert_eq!(update.num_calls(), 1);
        assert_eq!(
            weights.num_calls(),
            0,
            "the new configuration brings the weights"
        );
    }

    #[tokio::test]
    async fn a_new_instance_type_deregisters_the_autoscaled_variant_before_the_update() {
        use aws_sdk_applicationautoscaling::operation::deregister_scalable_target::DeregisterScalableTargetOutput;
        use std::sync::{Arc, Mutex};
        let calls = Arc::new(Mutex::new(Vec::<&str>::new()));
        let (logged, log_update) = (calls.clone(), calls.clone());
        let deregister = mock!(aws_sdk_applicationautoscaling::Client::deregister_scalable_target)
            .match_requests(|req| {
                req.resource_id() == Some("endpoint/fraud/variant/primary")
                    && req.scalable_dimension().map(|d| d.as_str())
                        == Some("sagemaker:variant:DesiredInstanceCount")
            })
            .then_output(move || {
                logged.lock().unwrap().push("DeregisterScalableTarget");
                DeregisterScalableTargetOutput::builder().build()
            });
        let update = mock!(Client::update_endpoint).then_output(move || {
            log_update.lock().unwrap().push("UpdateEndpoint");
            updated()
        });
        let describe = mock!(Client::describe_endpoint)
            .sequence()
            .output(|| described("config-v1", None))
            .output(|| described("config-v2", None))
            .repeatedly()
            .build();
        let ctx = mock_context::<Endpoint>(&[&deregister, &update, &describe]).await;
        let olds = running("config-v1");
        let mut news = olds.inputs.clone();
        news.endpoint_config_name = "config-v2".into();
        news.variant_instance_types
            .insert("primary".into(), "ml.m5.xlarge".into());
        let outputs = Endpoint.update(&ctx, "fraud", &olds, &news).await.unwrap();
        assert_eq!(outputs.inputs, news);
        assert_eq!(
            *calls.lock().unwrap(),
            ["DeregisterScalableTarget", "UpdateEndpoint"]
        );

        // The same type (a new model only): nothing is deregistered.
        let describe = mock!(Client::describe_endpoint)
            .sequence()
            .output(|| described("config-v1", None))
            .output(|| described("config-v3", None))
            .repeatedly()
            .build();
        let ctx = mock_context::<Endpoint>(&[&deregister, &update, &describe]).await;
        let same_type = EndpointInputs {
            endpoint_config_name: "config-v3".into(),
            ..olds.inputs.clone()
        };
        Endpoint
            .update(&ctx, "fraud", &olds, &same_type)
            .await
            .unwrap();
        assert_eq!(deregister.num_calls(), 1);
        assert_eq!(update.num_calls(), 2);
    }

    #[tokio::test]
    async fn a_manual_switch_retains_nothing_and_needs_no_weights_call() {
        let update = mock!(Client::update_endpoint)
            .match_requests(|req| {
                req.retain_all_variant_properties() == Some(false)
                    && req.exclude_retained_variant_properties().is_empty()
                    && req.deployment_config().is_none()
            })
            .then_output(updated);
        let describe = mock!(Client::describe_endpoint)
            .sequence()
            .output(|| described("config-v1", None))
            .output(|| described("config-v2", None))
            .repeatedly()
            .build();
        let weights =
            mock!(Client::update_endpoint_weights_and_capacities).then_output(weights_updated);
        let ctx = mock_context::<Endpoint>(&[&update, &describe, &weights]).await;
        let olds = manual("config-v1");
        let mut news = olds.inputs.clone();
        news.endpoint_config_name = "config-v2".into();
        news.variant_weights.insert("primary".into(), 2.0);
        news.variant_instance_counts.insert("primary".into(), 4);
        Endpoint.update(&ctx, "fraud", &olds, &news).await.unwrap();
        assert_eq!(update.num_calls(), 1);
        assert_eq!(weights.num_calls(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn an_endpoint_still_updating_is_waited_for_before_update_endpoint() {
        let update = mock!(Client::update_endpoint).then_output(updated);
        // Autoscaling is busy with the endpoint: Updating twice, then
        // InService. Calling UpdateEndpoint before that would consume these
        // answers in the verification and fail it.
        let describe = mock!(Client::describe_endpoint)
            .sequence()
            .output(|| described_as("config-v1", EndpointStatus::Updating, None))
            .times(2)
            .output(|| described("config-v1", None))
            .output(|| described("config-v2", None))
            .repeatedly()
            .build();
        let ctx = mock_context::<Endpoint>(&[&update, &describe]).await;
        let olds = running("config-v1");
        let news = EndpointInputs {
            endpoint_config_name: "config-v2".into(),
            ..olds.inputs.clone()
        };
        Endpoint.update(&ctx, "fraud", &olds, &news).await.unwrap();
        assert_eq!(update.num_calls(), 1);
        assert_eq!(describe.num_calls(), 4);
    }

    #[tokio::test]
    async fn a_retried_update_that_already_switched_is_not_sent_again() {
        let update = mock!(Client::update_endpoint).then_output(updated);
        let describe =
            mock!(Client::describe_endpoint).then_output(|| described("config-v2", None));
        let ctx = mock_context::<Endpoint>(&[&update, &describe]).await;
        let olds = running("config-v1");
        let news = EndpointInputs {
            endpoint_config_name: "config-v2".into(),
            ..olds.inputs.clone()
        };
        let outputs = Endpoint.update(&ctx, "fraud", &olds, &news).await.unwrap();
        assert_eq!(update.num_calls(), 0);
        assert_eq!(outputs.inputs.endpoint_config_name, "config-v2");
        assert_eq!(outputs.endpoint_status, "InService");
    }

    #[tokio::test]
    async fn a_failed_switch_is_a_plain_error() {
        let update = mock!(Client::update_endpoint).then_error(|| {
            UpdateEndpointError::generic(error("ResourceLimitExceeded", "too many instances"))
        });
        let describe =
            mock!(Client::describe_endpoint).then_output(|| described("config-v1", None));
        let ctx = mock_context::<Endpoint>(&[&update, &describe]).await;
        let olds = running("config-v1");
        let mut news = olds.inputs.clone();
        news.endpoint_config_name = "config-v2".into();
        let error = Endpoint
            .update(&ctx, "fraud", &olds, &news)
            .await
            .unwrap_err();
        assert!(matches!(error, ProviderError::Service(_)), "{error:?}");
        assert!(!error.to_string().contains("autoscaling"), "{error}");
    }

    #[tokio::test]
    async fn a_refused_update_of_an_autoscaled_variant_explains_what_to_do() {
        let update = mock!(Client::update_endpoint).then_error(|| {
            UpdateEndpointError::generic(error(
                "ValidationException",
                "The variant primary is registered with Application Auto Scaling",
            ))
        });
        let describe =
            mock!(Client::describe_endpoint).then_output(|| described("config-v1", None));
        let ctx = mock_context::<Endpoint>(&[&update, &describe]).await;
        let olds = running("config-v1");
        let mut news = olds.inputs.clone();
        news.endpoint_config_name = "config-v2".into();
        let error = Endpoint
            .update(&ctx, "fraud", &olds, &news)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("registered with Application Auto Scaling"),
            "{error}"
        );
        assert!(
            error.contains("remove the component's autoscaling settings"),
            "{error}"
        );
        assert!(
            error.contains("add the autoscaling settings back"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn a_refusal_not_about_autoscaling_gets_no_autoscaling_hint() {
        for message in [
            "CanarySize must be less than or equal to 50% of the variant's total instance count",
            "Cannot update in-progress endpoint \"arn:aws:sagemaker:us-east-1:1:endpoint/fraud\".",
        ] {
            let update = mock!(Client::update_endpoint).then_error(move || {
                UpdateEndpointError::generic(error("ValidationException", message))
            });
            let describe =
                mock!(Client::describe_endpoint).then_output(|| described("config-v1", None));
            let ctx = mock_context::<Endpoint>(&[&update, &describe]).await;
            // Autoscaling is attached, but the refusal is about something else.
            let olds = running("config-v1");
            assert!(olds.inputs.autoscaling_managed);
            let mut news = olds.inputs.clone();
            news.endpoint_config_name = "config-v2".into();
            let error = Endpoint
                .update(&ctx, "fraud", &olds, &news)
                .await
                .unwrap_err()
                .to_string();
            assert!(error.contains(message), "{error}");
            assert!(!error.contains("Deregister autoscaling"), "{error}");
            assert!(!error.contains("Application Auto Scaling"), "{error}");
        }
    }

    #[test]
    fn only_request_errors_about_autoscaling_are_refusals_for_autoscaling() {
        let refusal = |kind, message: &str| AwsError {
            service: Service::SageMaker,
            operation: "UpdateEndpoint",
            kind,
            code: None,
            message: message.to_owned(),
            attempts: None,
            unanswered: 0,
        };
        for message in [
            "The variant primary is registered with Application Auto Scaling",
            "An Application AutoScaling scalable target exists for a variant",
            "deregister the scalable target first",
            "auto-scaling is attached",
        ] {
            assert!(
                refused_for_autoscaling(&refusal(AwsErrorKind::Validation, message)),
                "{message}"
            );
            assert!(
                !refused_for_autoscaling(&refusal(AwsErrorKind::Other, message)),
                "{message}"
            );
        }
        for message in [
            "Cannot update failed endpoint",
            "LinearStepSize must be between 10% and 50%",
            "Scaling the fleet failed",
        ] {
            assert!(
                !refused_for_autoscaling(&refusal(AwsErrorKind::Validation, message)),
                "{message}"
            );
        }
    }

    #[tokio::test]
    async fn a_rollback_without_a_reason_names_the_alarms_the_rollout_watched() {
        let update = mock!(Client::update_endpoint).then_output(updated);
        let describe =
            mock!(Client::describe_endpoint).then_output(|| described("config-v1", Some("")));
        let ctx = mock_context::<Endpoint>(&[&update, &describe]).await;
        let olds = running("config-v1");
        let news = EndpointInputs {
            endpoint_config_name: "config-v2".into(),
            rollout: Some(canary(10)),
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
        assert!(error.contains("SageMaker gave no reason"), "{error}");
        assert!(
            error.contains("The rollout watched the rollback alarms fraud-5xx"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn a_switch_that_leaves_the_endpoint_failed_records_it_failed() {
        let update = mock!(Client::update_endpoint).then_output(updated);
        let describe = mock!(Client::describe_endpoint)
            .sequence()
            .output(|| described("config-v1", None))
            .output(|| described_as("config-v2", EndpointStatus::Failed, Some("rollback failed")))
            .repeatedly()
            .build();
        let ctx = mock_context::<Endpoint>(&[&update, &describe]).await;
        let olds = running("config-v1");
        let news = EndpointInputs {
            endpoint_config_name: "config-v2".into(),
            ..olds.inputs.clone()
        };
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
            reason.contains("endpoint fraud is Failed (rollback failed)"),
            "{reason}"
        );
        let recorded: EndpointOutputs = framework::decode(&outputs).unwrap();
        assert_eq!(recorded.endpoint_status, "Failed");
        assert_eq!(recorded.failure_reason.as_deref(), Some("rollback failed"));
        assert_eq!(
            Endpoint.replacement_forced_by(&recorded),
            ["endpointStatus"]
        );
    }

    #[tokio::test]
    async fn the_deployment_config_gives_sagemaker_a_timeout_covering_the_rollout() {
        let update = mock!(Client::update_endpoint)
            .match_requests(|req| {
                let policy = req
                    .deployment_config()
                    .and_then(|config| config.blue_green_update_policy());
                // An hour for provisioning, the canary's 600 s bake, 300 s
                // before the old fleet goes.
                policy.and_then(|p| p.maximum_execution_timeout_in_seconds()) == Some(4500)
                    && policy.and_then(|p| p.termination_wait_in_seconds()) == Some(300)
            })
            .then_output(updated);
        let describe = mock!(Client::describe_endpoint)
            .sequence()
            .output(|| described("config-v1", None))
            .output(|| described("config-v2", None))
            .repeatedly()
            .build();
        let ctx = mock_context::<Endpoint>(&[&update, &describe]).await;
        let olds = running("config-v1");
        let mut rollout = canary(10);
        rollout.wait_interval_in_seconds = 600;
        rollout.termination_wait_in_seconds = Some(300);
        let news = EndpointInputs {
            endpoint_config_name: "config-v2".into(),
            rollout: Some(rollout),
            ..olds.inputs.clone()
        };
        Endpoint.update(&ctx, "fraud", &olds, &news).await.unwrap();
        assert_eq!(update.num_calls(), 1);
    }
}
