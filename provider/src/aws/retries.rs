//! How the AWS SDK retries a request: the provider's `retryMode` and
//! `maxAttempts` settings, their limits, and the SDK retry configuration
//! they become.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use framework::Failures;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How the AWS SDK retries a request that AWS throttled, answered with a
/// server error (HTTP 5xx), or that got no answer (connection reset,
/// timeout).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RetryMode {
    /// Exponential backoff with jitter between attempts, the AWS SDKs'
    /// `standard` mode (the default).
    #[default]
    Standard,
    /// As `standard`, and while AWS throttles, the client also slows its
    /// own request rate down: the AWS SDKs' `adaptive` mode, for accounts
    /// where many deployments share the API rate limits.
    Adaptive,
}

/// Attempts of one AWS request when `maxAttempts` is not set.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 6;
/// The most attempts `maxAttempts` allows: with the SDK's 20 s cap on one
/// backoff, a request gives up within minutes, not hours.
pub const MAX_ATTEMPTS_LIMIT: u32 = 20;
/// The first backoff; the SDK doubles it on each retry, with jitter.
const INITIAL_BACKOFF: Duration = Duration::from_millis(200);

/// The retry behaviour every AWS client of the provider shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrySettings {
    /// Standard or adaptive.
    pub mode: RetryMode,
    /// Attempts of one request, the first included.
    pub max_attempts: u32,
}

impl Default for RetrySettings {
    fn default() -> Self {
        RetrySettings {
            mode: RetryMode::Standard,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }
}

impl RetrySettings {
    /// The settings the provider's configuration asks for, defaults filled
    /// in (the values are checked by [`check_max_attempts`]).
    pub fn configured(mode: Option<RetryMode>, max_attempts: Option<u32>) -> Self {
        RetrySettings {
            mode: mode.unwrap_or_default(),
            max_attempts: max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS),
        }
    }

    /// The SDK's retry configuration for these settings.
    pub fn retry_config(&self) -> RetryConfig {
        let config = match self.mode {
            RetryMode::Standard => RetryConfig::standard(),
            RetryMode::Adaptive => RetryConfig::adaptive(),
        };
        config
            .with_max_attempts(self.max_attempts)
            .with_initial_backoff(INITIAL_BACKOFF)
    }
}

/// Records a failure at `maxAttempts` when `max_attempts` is out of range.
pub fn check_max_attempts(max_attempts: Option<u32>, failures: &mut Failures) {
    if let Some(attempts) = max_attempts {
        failures.require(
            (1..=MAX_ATTEMPTS_LIMIT).contains(&attempts),
            "maxAttempts",
            format!(
                "must be between 1 and {MAX_ATTEMPTS_LIMIT} (the attempts of one AWS request, \
                 the first included; 1 turns retries off), got {attempts}"
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use aws_config::retry::RetryMode as SdkRetryMode;

    use super::*;

    #[test]
    fn unset_settings_are_standard_with_six_attempts() {
        let config = RetrySettings::configured(None, None).retry_config();
        assert_eq!(config.mode(), SdkRetryMode::Standard);
        assert_eq!(config.max_attempts(), DEFAULT_MAX_ATTEMPTS);
        assert_eq!(config.initial_backoff(), INITIAL_BACKOFF);
    }

    #[test]
    fn the_configured_mode_and_attempts_reach_the_sdk() {
        let config = RetrySettings::configured(Some(RetryMode::Adaptive), Some(3)).retry_config();
        assert_eq!(config.mode(), SdkRetryMode::Adaptive);
        assert_eq!(config.max_attempts(), 3);
    }

    #[test]
    fn max_attempts_is_bounded_and_the_failure_names_the_key_and_the_range() {
        for attempts in [1, 6, MAX_ATTEMPTS_LIMIT] {
            let mut failures = Failures::new();
            check_max_attempts(Some(attempts), &mut failures);
            assert!(failures.is_empty(), "{attempts}: {failures:?}");
        }
        for attempts in [0, MAX_ATTEMPTS_LIMIT + 1, 1000] {
            let mut failures = Failures::new();
            check_max_attempts(Some(attempts), &mut failures);
            let failures = failures.into_vec();
            assert_eq!(failures.len(), 1, "{attempts}");
            assert_eq!(failures[0].property, "maxAttempts");
            assert!(
                failures[0]
                    .reason
                    .starts_with(&format!("must be between 1 and {MAX_ATTEMPTS_LIMIT}")),
                "{}",
                failures[0].reason
            );
            assert!(failures[0].reason.ends_with(&format!("got {attempts}")));
        }
    }

    #[test]
    fn the_mode_is_spelled_as_in_the_aws_config_file() {
        let mode: RetryMode = serde_json::from_str(r#""adaptive""#).unwrap();
        assert_eq!(mode, RetryMode::Adaptive);
        let error = serde_json::from_str::<RetryMode>(r#""legacy""#).unwrap_err();
        assert!(error.to_string().contains("standard"), "{error}");
        assert!(error.to_string().contains("adaptive"), "{error}");
    }
}
