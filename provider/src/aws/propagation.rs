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

/// Runs `call` again while `pending` says its failure is one that goes away
/// by itself, for at most `window` (or the operation's custom timeout, if
/// shorter), with backoff and Cancel honoured. Any other error, or the
/// pending one once the window is spent, is returned as it is.
pub async fn retry_while_pending<T, F, Fut>(
    ctx: &Context,
    what: &str,
    window: Duration,
    pending: impl Fn(&AwsError) -> bool,
    mut call: F,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = std::result::Result<T, AwsError>>,
{
    let mut bounded = ctx.clone();
    bounded.timeout = Some(ctx.timeout.map_or(window, |custom| custom.min(window)));
    let last = std::sync::Mutex::new(None::<AwsError>);
    let (pending, last_seen) = (&pending, &last);
    let outcome = bounded
        .wait_for(what, window, Instant::now(), || {
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
