//! The HTTP client every AWS client shares, with its connector built at the
//! first request instead of when the clients are made.
//!
//! Building a TLS connector loads the machine's root certificates (a few
//! hundred files on a Linux host, tens of milliseconds). The SDK's default
//! client does that while `aws_config` loads, so every `Configure` paid it,
//! and the engine holds a provider's first Check and Construct until
//! Configure answers: a preview paid it even though a preview makes no AWS
//! call. Here the connector is made by the first call that needs one.
//!
//! The connector itself is the SDK's default (rustls with aws-lc, the proxy
//! from the environment's `HTTPS_PROXY`/`NO_PROXY`), cached per connector
//! settings by the wrapped client.
//!
//! The root certificates, which the SDK loads once per process, are loaded
//! from the start on a thread of their own ([`load_root_certificates_early`]):
//! a component's first call (STS GetCallerIdentity, for the account its
//! names use) comes right after Configure, and found them still to be read
//! (45 ms in a traced preview, a third of the time before its first child).

use std::sync::OnceLock;

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder, ConnectorBuilder};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::shared::IntoShared;

/// The shared HTTP client: the SDK's default HTTPS client, connecting only
/// when a request is sent.
pub(crate) fn deferred_https_client() -> SharedHttpClient {
    DeferredHttpClient {
        inner: default_https_client(),
    }
    .into_shared()
}

/// What the SDK builds when it is given no client: hyper 1 with rustls on
/// aws-lc, honouring the proxy environment variables.
fn default_https_client() -> SharedHttpClient {
    Builder::new().build_with_connector_fn(|settings, components| {
        let mut connector =
            ConnectorBuilder::default().tls_provider(Provider::Rustls(CryptoMode::AwsLc));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

/// Starts reading the machine's root certificates on a background thread,
/// by building a throwaway HTTPS connector: the SDK keeps what it read for
/// every connector the process makes later. Nothing waits for it; a request
/// sent before it is done waits for the same reading instead of starting
/// another.
pub fn load_root_certificates_early() {
    let started = std::thread::Builder::new()
        .name("root-certificates".into())
        .spawn(|| {
            drop(
                ConnectorBuilder::default()
                    .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
                    .build(),
            )
        });
    // Without the thread the first request reads them, as before.
    drop(started);
}

/// Hands out connectors that ask `inner` for the real one on their first call.
#[derive(Debug)]
struct DeferredHttpClient {
    inner: SharedHttpClient,
}

impl HttpClient for DeferredHttpClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(DeferredConnector {
            client: self.inner.clone(),
            settings: settings.clone(),
            components: components.clone(),
            connector: OnceLock::new(),
        })
    }
}

/// A connector made from `client` when the first request goes out.
#[derive(Debug)]
struct DeferredConnector {
    client: SharedHttpClient,
    settings: HttpConnectorSettings,
    components: RuntimeComponents,
    connector: OnceLock<SharedHttpConnector>,
}

impl HttpConnector for DeferredConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        self.connector
            .get_or_init(|| self.client.http_connector(&self.settings, &self.components))
            .call(request)
    }
}
