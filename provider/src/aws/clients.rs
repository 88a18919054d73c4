//! Provider configuration, and the AWS clients built from it.

use std::collections::BTreeMap;

use aws_config::{BehaviorVersion, ConfigLoader, Region};
use framework::Failures;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::retries::{RetryMode, RetrySettings, check_max_attempts};
use super::services::{AwsClients, Endpoints, endpoint_url};

/// Configuration of the `sagemaker-deployment` provider. Anything left unset
/// comes from the standard AWS chain: environment variables, shared config
/// and credentials files, SSO, container and instance roles, and
/// `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProviderConfig {
    /// The AWS region to deploy to, e.g. `us-east-1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The named profile of the shared AWS config to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Endpoint URL overrides per AWS service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Endpoints>,
    /// Tags added to every AWS object this provider creates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_tags: Option<BTreeMap<String, String>>,
    /// How AWS requests are retried when AWS throttles them, answers with a
    /// server error (HTTP 5xx) or does not answer (connection reset,
    /// timeout): `standard` (the default) or `adaptive`, as the AWS SDKs'
    /// `retry_mode` setting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_mode: Option<RetryMode>,
    /// The most attempts of one AWS request, the first included, as the AWS
    /// SDKs' `max_attempts` setting: 1 to 20, 6 when unset; 1 turns retries
    /// off. A request that still fails after them fails the operation with
    /// one error naming the AWS operation, the resource and the attempts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u32>,
}

impl ProviderConfig {
    /// The rules a configuration must follow beyond its types, each failure
    /// naming its key.
    pub fn check(&self) -> Failures {
        let mut failures = Failures::new();
        check_max_attempts(self.max_attempts, &mut failures);
        failures
    }

    /// The retry behaviour this configuration asks for.
    pub fn retry_settings(&self) -> RetrySettings {
        RetrySettings::configured(self.retry_mode, self.max_attempts)
    }

    /// The AWS configuration chain with this configuration's region,
    /// profile and retry settings on top.
    pub(crate) fn loader(&self) -> ConfigLoader {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(super::deferred_http::deferred_https_client())
            .retry_config(self.retry_settings().retry_config());
        if let Some(region) = &self.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(profile) = &self.profile {
            loader = loader.profile_name(profile);
        }
        loader
    }
}

impl AwsClients {
    /// Loads the AWS configuration chain and builds the clients.
    pub async fn build(config: &ProviderConfig) -> Self {
        let shared = config.loader().load().await;
        let configured = config.endpoints.clone().unwrap_or_default();
        let mut clients = AwsClients::from_shared(
            &shared,
            |service| endpoint_url(service, &configured, |name| std::env::var(name).ok()),
            config.default_tags.clone().unwrap_or_default(),
        );
        clients.settings = config.clone();
        clients
    }

    /// The default tags merged with a resource's own (its own win).
    pub fn tags_with(&self, own: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        let mut merged = self.default_tags.clone();
        merged.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
        merged
    }

    /// A live object's tags without the ones the default tags account for
    /// (same key, same value) and without the provider's creation token:
    /// the tags a program declares for it, the inverse of
    /// [`AwsClients::tags_with`].
    pub fn own_tags(
        &self,
        live: impl IntoIterator<Item = (String, String)>,
    ) -> BTreeMap<String, String> {
        live.into_iter()
            .filter(|(key, value)| self.default_tags.get(key) != Some(value))
            .filter(|(key, _)| key != crate::resources::creation_token::TOKEN_TAG)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_tags_leave_out_the_defaults_the_object_carries_unchanged() {
        let mut clients = AwsClients::mocked(&[]);
        clients.default_tags = [("team".to_owned(), "ml".to_owned())].into();
        let live = [
            ("team".to_owned(), "ml".to_owned()),
            ("env".to_owned(), "dev".to_owned()),
        ];
        assert_eq!(
            clients.own_tags(live),
            [("env".to_owned(), "dev".to_owned())].into()
        );
        // A default tag the object overrides is its own.
        let overridden = [("team".to_owned(), "fraud".to_owned())];
        assert_eq!(
            clients.own_tags(overridden.clone()),
            overridden.into_iter().collect()
        );
    }
}
