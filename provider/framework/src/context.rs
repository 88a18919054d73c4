//! What a resource operation gets to work with: the provider's clients, the
//! engine's log, cancellation and its time budget.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::engine::EngineLogger;
use crate::error::{ProviderError, Result};
use crate::package::Package;
use crate::proto::LogSeverity;
use crate::redact::SecretTexts;

/// The environment of one resource operation of package `P`.
pub struct Context<P: Package> {
    /// The package's clients, built once at Configure.
    pub clients: Arc<P::Clients>,
    /// The engine's log and status line.
    pub engine: Arc<EngineLogger>,
    /// URN of the resource being operated on.
    pub urn: String,
    /// Cancelled when the engine calls Cancel.
    pub cancel: CancellationToken,
    /// The user's custom timeout for this operation, if any: one budget for
    /// the whole create, update or delete, shared by all of its waits (see
    /// [`Context::wait_for`]).
    pub timeout: Option<Duration>,
    /// The secret values of the operation's inputs: redacted from every
    /// message sent to the engine (set by the framework).
    pub secrets: SecretTexts,
    /// True for the create of a resource the engine holds no state for: its
    /// Check, in this provider process, was given no old inputs (a new
    /// resource, not an update or a replacement). Only such a create may
    /// take over what an earlier, interrupted create of the same resource
    /// left behind (see `CustomResource::left_by_an_interrupted_create`).
    pub first_create: bool,
}

impl<P: Package> Clone for Context<P> {
    fn clone(&self) -> Self {
        Context {
            clients: self.clients.clone(),
            engine: self.engine.clone(),
            urn: self.urn.clone(),
            cancel: self.cancel.clone(),
            timeout: self.timeout,
            secrets: self.secrets.clone(),
            first_create: self.first_create,
        }
    }
}

/// The longest custom timeout kept as given: anything longer (up to an
/// infinity) means "no practical limit" and becomes this.
pub const LONGEST_CUSTOM_TIMEOUT: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// A custom timeout as the engine sends it (seconds, 0 for none) as an
/// operation's budget. No seconds value fails: zero, negative or NaN is no
/// custom timeout, and a huge or infinite one is [`LONGEST_CUSTOM_TIMEOUT`].
pub fn custom_timeout(seconds: f64) -> Option<Duration> {
    if seconds.is_nan() || seconds <= 0.0 {
        return None;
    }
    Some(
        Duration::try_from_secs_f64(seconds).map_or(LONGEST_CUSTOM_TIMEOUT, |budget| {
            budget.min(LONGEST_CUSTOM_TIMEOUT)
        }),
    )
}

/// What a long wait reports on each poll.
pub enum Progress<T> {
    /// Done, with a result.
    Done(T),
    /// Not yet; the text is shown as the resource's status line.
    Waiting(String),
}

impl<P: Package> Context<P> {
    /// The same context, redacting `secrets` from its messages.
    pub fn with_secrets(&self, secrets: SecretTexts) -> Self {
        Context {
            secrets,
            ..self.clone()
        }
    }

    /// Logs an informational message about this resource.
    pub async fn info(&self, message: impl Into<String>) {
        let message = message.into();
        self.engine
            .log(LogSeverity::Info, &self.urn, self.secrets.redact(&message))
            .await;
    }

    /// Logs a warning about this resource.
    pub async fn warn(&self, message: impl Into<String>) {
        let message = message.into();
        self.engine
            .log(
                LogSeverity::Warning,
                &self.urn,
                self.secrets.redact(&message),
            )
            .await;
    }

    /// Shows a transient status line for this resource, e.g. the progress
    /// of an upload.
    pub async fn status(&self, message: impl Into<String>) {
        let message = message.into();
        self.engine
            .status(&self.urn, self.secrets.redact(&message))
            .await;
    }

    /// The operation's time budget: the custom timeout, or
    /// `default_timeout`.
    pub fn budget(&self, default_timeout: Duration) -> Duration {
        self.timeout.unwrap_or(default_timeout)
    }

    /// What is left of the operation's budget, counted from
    /// `operation_started` (zero once it is spent).
    pub fn remaining(&self, default_timeout: Duration, operation_started: Instant) -> Duration {
        self.budget(default_timeout)
            .saturating_sub(operation_started.elapsed())
    }

    /// Polls `step` with backoff until it is done, showing its progress in
    /// the CLI, stopping on Cancel and once the operation's time budget is
    /// spent: the custom timeout (or `default_timeout`) counted from
    /// `operation_started`, the start of the whole create, update or delete
    /// (taken once, with `tokio::time::Instant::now()`, and passed to each
    /// of its waits), not from the start of this wait. `step` runs at least
    /// once, even when nothing is left of the budget.
    pub async fn wait_for<T, F, Fut>(
        &self,
        what: &str,
        default_timeout: Duration,
        operation_started: Instant,
        mut step: F,
    ) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Progress<T>>>,
    {
        let wait_started = Instant::now();
        let mut delay = poll_initial_delay();
        loop {
            match step().await? {
                Progress::Done(value) => return Ok(value),
                Progress::Waiting(state) => {
                    self.status(format!(
                        "{what}: {state} ({}s elapsed)",
                        wait_started.elapsed().as_secs()
                    ))
                    .await;
                    let budget = self.budget(default_timeout);
                    if operation_started.elapsed() >= budget {
                        return Err(ProviderError::Timeout {
                            what: self
                                .secrets
                                .redact(&format!("{what} (last state: {state})"))
                                .into_owned(),
                            seconds: budget.as_secs(),
                        });
                    }
                }
            }
            // Never sleep past the end of the budget: the last poll is there.
            tokio::select! {
                _ = self.cancel.cancelled() => return Err(ProviderError::Cancelled),
                _ = tokio::time::sleep(delay.min(self.remaining(default_timeout, operation_started))) => {}
            }
            delay = (delay * 3 / 2).min(Duration::from_secs(15));
        }
    }
}

/// First poll interval: short, so quick operations finish quickly; it grows
/// by half each poll up to 15 s. `SAGEMAKER_DEPLOYMENT_POLL_MS` overrides it.
fn poll_initial_delay() -> Duration {
    std::env::var("SAGEMAKER_DEPLOYMENT_POLL_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map(Duration::from_millis)
        .unwrap_or(Duration::from_millis(250))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestPackage;
    use std::sync::atomic::{AtomicU32, Ordering};

    async fn context(timeout: Option<Duration>) -> Context<TestPackage> {
        Context {
            clients: Arc::new(Default::default()),
            engine: Arc::new(EngineLogger::new(None)),
            urn: "urn:pulumi:dev::p::sagemaker-deployment:sagemaker:Endpoint::e".into(),
            cancel: CancellationToken::new(),
            timeout,
            secrets: SecretTexts::default(),
            first_create: false,
        }
    }

    #[test]
    fn any_custom_timeout_becomes_a_budget_without_failing() {
        assert_eq!(custom_timeout(0.0), None);
        assert_eq!(custom_timeout(-5.0), None);
        assert_eq!(custom_timeout(f64::NAN), None);
        assert_eq!(custom_timeout(90.5), Some(Duration::from_secs_f64(90.5)));
        for huge in [1e20, f64::INFINITY, f64::MAX, 1e9] {
            assert_eq!(custom_timeout(huge), Some(LONGEST_CUSTOM_TIMEOUT), "{huge}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn waits_until_done() {
        let ctx = context(None).await;
        let polls = AtomicU32::new(0);
        let result = ctx
            .wait_for(
                "creating",
                Duration::from_secs(60),
                Instant::now(),
                || async {
                    let n = polls.fetch_add(1, Ordering::SeqCst);
                    Ok(if n < 3 {
                        Progress::Waiting("Creating".into())
                    } else {
                        Progress::Done(n)
                    })
                },
            )
            .await
            .unwrap();
        assert_eq!(result, 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_custom_timeout_wins_over_the_default() {
        let ctx = context(Some(Duration::from_secs(5))).await;
        let error = ctx
            .wait_for(
                "creating endpoint",
                Duration::from_secs(3600),
                Instant::now(),
                || async { Ok(Progress::<()>::Waiting("Creating".into())) },
            )
            .await
            .unwrap_err();
        match error {
            ProviderError::Timeout { seconds, what } => {
                assert_eq!(seconds, 5);
                assert!(what.contains("Creating"), "{what}");
            }
            other => panic!("expected a timeout, got {other:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn waits_of_one_operation_share_its_budget() {
        let ctx = context(Some(Duration::from_secs(10))).await;
        let default = Duration::from_secs(3600);
        assert_eq!(ctx.budget(default), Duration::from_secs(10));
        let started = Instant::now();
        // The first wait takes 7 of the 10 seconds.
        ctx.wait_for("creating", default, started, || async {
            Ok(if started.elapsed() >= Duration::from_secs(7) {
                Progress::Done(())
            } else {
                Progress::Waiting("Creating".into())
            })
        })
        .await
        .unwrap();
        // Polls back off: it noticed at about 8 s.
        let left = ctx.remaining(default, started);
        assert!(
            left > Duration::ZERO && left <= Duration::from_secs(3),
            "{left:?}"
        );
        let second = Instant::now();
        let polls = AtomicU32::new(0);
        let error = ctx
            .wait_for("updating", default, started, || async {
                polls.fetch_add(1, Ordering::SeqCst);
                Ok(Progress::<()>::Waiting("Updating".into()))
            })
            .await
            .unwrap_err();
        assert!(
            matches!(error, ProviderError::Timeout { seconds: 10, .. }),
            "{error:?}"
        );
        // What was left, not another 10 s; and no sleep past the end.
        assert_eq!(second.elapsed(), left);
        assert_eq!(started.elapsed(), Duration::from_secs(10));
        assert!(polls.load(Ordering::SeqCst) >= 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_spent_budget_still_polls_once() {
        let ctx = context(Some(Duration::from_secs(5))).await;
        let default = Duration::from_secs(3600);
        let started = Instant::now();
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert!(ctx.remaining(default, started).is_zero());
        let polls = AtomicU32::new(0);
        let error = ctx
            .wait_for("deleting", default, started, || async {
                polls.fetch_add(1, Ordering::SeqCst);
                Ok(Progress::<()>::Waiting("Deleting".into()))
            })
            .await
            .unwrap_err();
        assert!(matches!(error, ProviderError::Timeout { .. }), "{error:?}");
        assert_eq!(polls.load(Ordering::SeqCst), 1);
        let done = ctx
            .wait_for("deleting", default, started, || async {
                Ok(Progress::Done(7))
            })
            .await
            .unwrap();
        assert_eq!(done, 7);
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_that_times_out_does_not_quote_a_secret_input() {
        let inputs: crate::wire::PropertyMap = [(
            "apiKey".to_owned(),
            crate::wire::PropertyValue::Secret(Box::new("sk-live-1234".into())),
        )]
        .into();
        let ctx = context(Some(Duration::from_secs(5)))
            .await
            .with_secrets(SecretTexts::of([&inputs]));
        let error = ctx
            .wait_for(
                "creating",
                Duration::from_secs(60),
                Instant::now(),
                || async {
                    Ok(Progress::<()>::Waiting(
                        "refused: Value 'sk-live-1234' at 'apiKey'".into(),
                    ))
                },
            )
            .await
            .unwrap_err();
        let ProviderError::Timeout { what, .. } = error else {
            panic!("expected a timeout, got {error:?}");
        };
        assert_eq!(
            what,
            "creating (last state: refused: Value '[secret]' at 'apiKey')"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn cancel_stops_the_wait() {
        let ctx = context(None).await;
        let cancel = ctx.cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(2)).await;
            cancel.cancel();
        });
        let error = ctx
            .wait_for(
                "updating",
                Duration::from_secs(3600),
                Instant::now(),
                || async { Ok(Progress::<()>::Waiting("Updating".into())) },
            )
            .await
            .unwrap_err();
        assert!(matches!(error, ProviderError::Cancelled), "{error:?}");
    }
}
