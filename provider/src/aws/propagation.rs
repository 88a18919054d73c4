//! Retries for AWS's eventual consistency: a change made a moment ago (a new
//! IAM role, a policy just put on it, an endpoint configuration just created)
//! is not yet visible to the service that needs it, and the call fails with
//! an error that goes away by itself within seconds.
//!
//! Sources: IAM User Guide, "Troubleshooting IAM: Changes that I make are not
//! always immediately visible" (changes propagate "typically within a few
//! seconds", and a new role may not be usable at once); terraform-provider-aws
//! retries SageMaker CreateModel for two minutes on the same errors
//! (`propagationTimeout` around `CreateModel`).

use std::future::Future;
use std::time::Duration;

use framework::{Progress, ProviderError, Result};
use tokio::time::Instant;

use super::{AwsError, AwsErrorKind, Service};
use crate::Context;

/// How long a new IAM role or policy may take to be usable.
pub const IAM_PROPAGATION_WINDOW: Duration = Duration::from_secs(120);

/// How long a new endpoint configuration may take to be found by
/// CreateEndpoint and UpdateEndpoint ("If you repeat your read request after
/// a short time, the response should return the latest data", API
/// reference, CreateEndpoint).
pub const ENDPOINT_CONFIG_PROPAGATION_WINDOW: Duration = Duration::from_secs(60);

/// True when SageMaker refuses an execution role it cannot assume yet:
/// CreateModel answers `ValidationException` "The execution role ARN ... is
/// invalid. Please ensure that the role exists and that its trust
/// relationship policy allows the action "sts:AssumeRole" ..." (or "Could
/// not assume role" from other SageMaker calls) while a new role propagates.
pub fn role_not_assumable_yet(error: &AwsError) -> bool {
    error.service == Service::SageMaker
        && error.kind == AwsErrorKind::Validation
        && (error.message.contains("Could not assume role")
            || (error.message.contains("execution role") && error.message.contains("invalid")))
}

/// True when SageMaker cannot find the endpoint configuration that
/// CreateEndpoint or UpdateEndpoint names: `ValidationException` "Could not
/// find endpoint configuration "<arn>"." CreateEndpoint reads the
/// configuration with an eventually consistent read: "If the dependent
/// entities are not yet in DynamoDB, this causes a validation error. If you
/// repeat your read request after a short time, the response should return
/// the latest data. So retry logic is recommended" (API reference,
/// CreateEndpoint); UpdateEndpoint looks its new configuration up the same
/// way. Nothing else SageMaker refuses counts.
pub fn endpoint_config_not_found_yet(error: &AwsError) -> bool {
    error.service == Service::SageMaker
        && matches!(error.operation, "CreateEndpoint" | "UpdateEndpoint")
        && error.code.as_deref() == Some("ValidationException")
        && error
            .message
            .starts_with("Could not find endpoint configuration")
}

/// Runs `call` again while `pending` says its failure is one that goes away
/// by itself, for at most `window` (or the operation's custom timeout, if
/// shorter), with backoff and Cancel honoured. Any other error, or the
/// pending one once the window is spent, is returned as it is.
pub async fn retry_while_pending<T, F, Fut>(
    ctx: &Context,
    what: &str,
    window: Duration,
    pending: impl Fn(&AwsError) -> bool,
    call: F,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = std::result::Result<T, AwsError>>,
{
    let limit = ctx.timeout.map_or(window, |custom| custom.min(window));
    retry_for(ctx, what, limit, pending, call).await
}

/// [`retry_while_pending`] for a step of an operation that has `remaining`
/// of its time budget left (its custom timeout or default, counted from its
/// start): the retries stop after `window` or at the end of the budget,
/// whichever comes first.
pub async fn retry_within_budget<T, F, Fut>(
    ctx: &Context,
    what: &str,
    window: Duration,
    remaining: Duration,
    pending: impl Fn(&AwsError) -> bool,
    call: F,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = std::result::Result<T, AwsError>>,
{
    retry_for(ctx, what, window.min(remaining), pending, call).await
}

/// Retries `call` while `pending`, for at most `limit` from now; the call
/// runs at least once.
async fn retry_for<T, F, Fut>(
    ctx: &Context,
    what: &str,
    limit: Duration,
    pending: impl Fn(&AwsError) -> bool,
    mut call: F,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = std::result::Result<T, AwsError>>,
{
    let mut bounded = ctx.clone();
    bounded.timeout = Some(limit);
    let last = std::sync::Mutex::new(None::<AwsError>);
    let (pending, last_seen) = (&pending, &last);
    let outcome = bounded
        .wait_for(what, limit, Instant::now(), || {
            let attempt = call();
            async move {
                match attempt.await {
                    Ok(value) => Ok(Progress::Done(value)),
                    Err(error) if pending(&error) => {
                        let state = format!("not visible yet: {}", error.message);
                        *last_seen.lock().expect("last error") = Some(error);
                        Ok(Progress::Waiting(state))
                    }
                    Err(error) => Err(error.into()),
                }
            }
        })
        .await;
    let last = last.into_inner().expect("last error");
    match outcome {
        Err(ProviderError::Timeout { .. }) => Err(last
            .map(ProviderError::from)
            .unwrap_or_else(|| ProviderError::failed(format!("{what}: timed out")))),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::resources::mock::mock_context;
    use crate::resources::sagemaker::model::Model;

    fn error(message: &str) -> AwsError {
        AwsError {
            service: Service::SageMaker,
            operation: "CreateModel",
            kind: AwsErrorKind::Validation,
            code: Some("ValidationException".into()),
            message: message.into(),
            attempts: None,
            unanswered: 0,
        }
    }

    const NOT_YET: &str = "The execution role ARN \"arn:aws:iam::123456789012:role/r\" is invalid. \
        Please ensure that the role exists and that its trust relationship policy allows the \
        action \"sts:AssumeRole\" for the service principal \"sagemaker.amazonaws.com\".";

    #[test]
    fn only_role_errors_count_as_propagation() {
        assert!(role_not_assumable_yet(&error(NOT_YET)));
        assert!(role_not_assumable_yet(&error(
            "Could not assume role arn:aws:iam::1:role/r"
        )));
        assert!(!role_not_assumable_yet(&error("Invalid image URI")));
        let denied = AwsError {
            kind: AwsErrorKind::AccessDenied,
            ..error(NOT_YET)
        };
        assert!(!role_not_assumable_yet(&denied));
    }

    const CONFIG_NOT_FOUND: &str = "Could not find endpoint configuration \
        \"arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/fraud-config-1a2b\".";

    #[test]
    fn only_a_missing_configuration_at_create_or_update_endpoint_counts() {
        for operation in ["CreateEndpoint", "UpdateEndpoint"] {
            let missing = AwsError {
                operation,
                kind: AwsErrorKind::NotFound,
                ..error(CONFIG_NOT_FOUND)
            };
            assert!(endpoint_config_not_found_yet(&missing), "{operation}");
        }
        // Another operation, another missing object, another refusal.
        let describe = AwsError {
            operation: "DescribeEndpointConfig",
            ..error(CONFIG_NOT_FOUND)
        };
        assert!(!endpoint_config_not_found_yet(&describe));
        let endpoint = AwsError {
            operation: "UpdateEndpoint",
            ..error("Could not find endpoint \"arn:aws:sagemaker:us-east-1:1:endpoint/fraud\".")
        };
        assert!(!endpoint_config_not_found_yet(&endpoint));
        let in_progress = AwsError {
            operation: "UpdateEndpoint",
            ..error("Cannot update in-progress endpoint \"arn\".")
        };
        assert!(!endpoint_config_not_found_yet(&in_progress));
        let throttled = AwsError {
            operation: "CreateEndpoint",
            code: Some("ThrottlingException".into()),
            ..error(CONFIG_NOT_FOUND)
        };
        assert!(!endpoint_config_not_found_yet(&throttled));
    }

    #[tokio::test(start_paused = true)]
    async fn retries_within_a_budget_stop_at_its_end() {
        let ctx = mock_context::<Model>(&[]).await;
        let started = Instant::now();
        let calls = AtomicUsize::new(0);
        let failure = retry_within_budget(
            &ctx,
            "creating endpoint",
            ENDPOINT_CONFIG_PROPAGATION_WINDOW,
            Duration::from_secs(20),
            endpoint_config_not_found_yet,
            || {
                calls.fetch_add(1, Ordering::SeqCst);
                async {
                    Err::<(), _>(AwsError {
                        operation: "CreateEndpoint",
                        ..error(CONFIG_NOT_FOUND)
                    })
                }
            },
        )
        .await
        .unwrap_err();
        assert!(
            failure
                .to_string()
                .contains("Could not find endpoint configuration"),
            "{failure}"
        );
        assert!(calls.load(Ordering::SeqCst) > 1);
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_secs(20) && waited < Duration::from_secs(21),
            "{waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_spent_budget_still_makes_the_call_once() {
        let ctx = mock_context::<Model>(&[]).await;
        let calls = AtomicUsize::new(0);
        let value = retry_within_budget(
            &ctx,
            "creating endpoint",
            ENDPOINT_CONFIG_PROPAGATION_WINDOW,
            Duration::ZERO,
            endpoint_config_not_found_yet,
            || {
                calls.fetch_add(1, Ordering::SeqCst);
                async { Ok::<_, AwsError>(7) }
            },
        )
        .await
        .unwrap();
        assert_eq!((value, calls.load(Ordering::SeqCst)), (7, 1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_pending_error_is_retried_until_the_call_succeeds() {
        let ctx = mock_context::<Model>(&[]).await;
        let calls = AtomicUsize::new(0);
        let value = retry_while_pending(
            &ctx,
            "creating model",
            IAM_PROPAGATION_WINDOW,
            role_not_assumable_yet,
            || {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                async move { if n < 3 { Err(error(NOT_YET)) } else { Ok(n) } }
            },
        )
        .await
        .unwrap();
        assert_eq!(value, 3);
    }

    #[tokio::test(start_paused = true)]
    async fn another_error_fails_at_once() {
        let ctx = mock_context::<Model>(&[]).await;
        let calls = AtomicUsize::new(0);
        let failure = retry_while_pending(
            &ctx,
            "creating model",
            IAM_PROPAGATION_WINDOW,
            role_not_assumable_yet,
            || {
                calls.fetch_add(1, Ordering::SeqCst);
                async { Err::<(), _>(error("Invalid image URI")) }
            },
        )
        .await
        .unwrap_err();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(
            failure.to_string().contains("Invalid image URI"),
            "{failure}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn after_the_window_the_last_aws_error_is_returned() {
        let ctx = mock_context::<Model>(&[]).await;
        let started = Instant::now();
        let failure = retry_while_pending(
            &ctx,
            "creating model",
            Duration::from_secs(30),
            role_not_assumable_yet,
            || async { Err::<(), _>(error(NOT_YET)) },
        )
        .await
        .unwrap_err();
        assert!(failure.to_string().contains("is invalid"), "{failure}");
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_secs(30) && waited < Duration::from_secs(31),
            "{waited:?}"
        );
    }
}
