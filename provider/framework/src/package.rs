//! What a provider built on this framework supplies: its package identity,
//! its configuration, and the state that Configure builds from it.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;

use crate::check::Failures;
use crate::error::Result;

/// A Pulumi package served by this framework. Every custom resource and
/// component names its package, so the compiler keeps one provider's
/// resources from being registered in another's registry.
#[async_trait]
pub trait Package: Send + Sync + 'static {
    /// The Pulumi package name, the first part of every type token.
    const NAME: &'static str;
    /// The package version (semver), reported to the engine and stamped on
    /// every child a component registers.
    const VERSION: &'static str;
    /// Where the engine downloads the plugin on a machine that lacks it (the
    /// schema's `pluginDownloadURL`), stamped with [`Package::VERSION`] on
    /// every child a component registers, so that the children use the
    /// program's default provider; empty for none.
    const PLUGIN_DOWNLOAD_URL: &'static str = "";
    /// Configuration keys whose change replaces every resource of the
    /// provider (for example the region the resources live in).
    const REPLACE_ON_CHANGE: &'static [&'static str] = &[];

    /// The provider configuration (`<package>:<key>` settings), described in
    /// the schema. Object-valued settings may arrive as JSON text.
    type Config: DeserializeOwned + JsonSchema + Send + Sync;
    /// What Configure builds from the configuration (API clients, say); every
    /// resource operation receives it as [`crate::Context::clients`].
    type Clients: Send + Sync + 'static;

    /// The rules a well-formed configuration must also follow (ranges, say),
    /// each failure naming its key. CheckConfig reports them at preview and
    /// Configure refuses a configuration that breaks one. None by default.
    fn check_config(_config: &Self::Config) -> Failures {
        Failures::new()
    }

    /// Builds the clients once the engine has sent the configuration.
    async fn configure(config: &Self::Config) -> Result<Self::Clients>;

    /// Package-level schema fields besides resources, types and
    /// configuration: `displayName`, `description`, `keywords`, `language`,
    /// and so on.
    fn schema_metadata() -> serde_json::Map<String, serde_json::Value>;
}
