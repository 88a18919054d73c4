//! What a resource operation gets to work with: AWS clients, the engine's
//! log, cancellation and its time budget.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::aws::AwsClients;
use crate::engine::EngineLogger;
use crate::error::{ProviderError, Result};
use crate::proto::LogSeverity;

/// The environment of one resource operation.
#[derive(Clone)]
pub struct Context {
    pub aws: Arc<AwsClients>,
    pub engine: Arc<EngineLogger>,
    /// URN of the resource being operated on.
    pub urn: String,
    /// Cancelled when the engine calls Cancel.
    pub cancel: CancellationToken,
    /// The user's custom timeout for this operation, if any.
    pub timeout: Option<Duration>,
}

/// What a long wait reports on each poll.
pub enum Progress<T> {
    /// Done, with a result.
    Done(T),
    /// Not yet; the text is shown as the resource's status line.
    Waiting(String),
}

impl Context {
    /// Logs an informational message about this resource.
    pub async fn info(&self, message: impl Into<String>) {
        self.engine.log(LogSeverity::Info, &self.urn, message).await;
    }

    /// Logs a warning about this resource.
    pub async fn warn(&self, message: impl Into<String>) {
        self.engine
            .log(LogSeverity::Warning, &self.urn, message)
            .await;
    }

    /// Polls `step` with backoff until it is done, showing its progress in
    /// the CLI, stopping on Cancel and after the custom timeout (or
    /// `default_timeout`).
    pub async fn wait_for<T, F, Fut>(
        &self,
        what: &str,
        default_timeout: Duration,
        mut step: F,
    ) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Progress<T>>>,
    {
        let budget = self.timeout.unwrap_or(default_timeout);
        let started = Instant::now();
        let mut delay = poll_initial_delay();
        loop {
            match step().await? {
                Progress::Done(value) => return Ok(value),
                Progress::Waiting(state) => {
                    let elapsed = started.elapsed();
                    self.engine
                        .status(
                            &self.urn,
                            format!("{what}: {state} ({}s elapsed)", elapsed.as_secs()),
                        )
                        .await;
                    if elapsed >= budget {
                        return Err(ProviderError::Timeout {
                            what: format!("{what} (last state: {state})"),
                            seconds: budget.as_secs(),
                        });
                    }
                }
            }
            tokio::select! {
                _ = self.cancel.cancelled() => return Err(ProviderError::Cancelled),
                _ = tokio::time::sleep(delay) => {}
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
    use crate::aws::{AwsClients, ProviderConfig};
    use std::sync::atomic::{AtomicU32, Ordering};

    async fn context(timeout: Option<Duration>) -> Context {
        let config = ProviderConfig {
            region: Some("us-east-1".into()),
            ..Default::default()
        };
        Context {
            aws: Arc::new(AwsClients::build(&config).await),
            engine: Arc::new(EngineLogger::new(None)),
            urn: "urn:pulumi:dev::p::sagemaker-deployment:sagemaker:Endpoint::e".into(),
            cancel: CancellationToken::new(),
            timeout,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn waits_until_done() {
        let ctx = context(None).await;
        let polls = AtomicU32::new(0);
        let result = ctx
            .wait_for("creating", Duration::from_secs(60), || async {
                let n = polls.fetch_add(1, Ordering::SeqCst);
                Ok(if n < 3 {
                    Progress::Waiting("Creating".into())
                } else {
                    Progress::Done(n)
                })
            })
            .await
            .unwrap();
        assert_eq!(result, 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_custom_timeout_wins_over_the_default() {
        let ctx = context(Some(Duration::from_secs(5))).await;
        let error = ctx
            .wait_for("creating endpoint", Duration::from_secs(3600), || async {
                Ok(Progress::<()>::Waiting("Creating".into()))
            })
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
    async fn cancel_stops_the_wait() {
        let ctx = context(None).await;
        let cancel = ctx.cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(2)).await;
            cancel.cancel();
        });
        let error = ctx
            .wait_for("updating", Duration::from_secs(3600), || async {
                Ok(Progress::<()>::Waiting("Updating".into()))
            })
            .await
            .unwrap_err();
        assert!(matches!(error, ProviderError::Cancelled), "{error:?}");
    }
}
