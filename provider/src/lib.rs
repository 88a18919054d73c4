//! `sagemaker-deployment`: a Pulumi resource provider that deploys
//! machine-learning models on Amazon SageMaker.
//!
//! Data flows engine -> [`server`] -> [`wire`] -> [`framework`] registry ->
//! a resource in [`resources`] or a component in [`components`] -> [`aws`].

pub mod aws;
pub mod components;
pub mod construct;
pub mod engine;
pub mod error;
pub mod framework;
pub mod proto;
pub mod resources;
pub mod server;
pub mod wire;

use std::sync::Arc;

use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;

/// The Pulumi package name.
pub const PACKAGE: &str = "sagemaker-deployment";
/// The provider's version, from Cargo.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Largest gRPC message accepted or sent (the engine allows 400 MiB).
pub const MAX_MESSAGE_BYTES: usize = 400 * 1024 * 1024;

/// Every resource and component this provider serves.
pub fn registry() -> framework::Registry {
    let builder = framework::Registry::builder();
    let builder = resources::register(builder);
    components::register(builder).build()
}

/// Serves the provider on `listener` until `shutdown` completes.
pub async fn run(
    listener: TcpListener,
    engine_address: Option<String>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), tonic::transport::Error> {
    let service = server::ProviderService::new(Arc::new(registry()), engine_address);
    let service = proto::resource_provider_server::ResourceProviderServer::new(service)
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    tonic::transport::Server::builder()
        .add_service(service)
        .serve_with_incoming_shutdown(TcpListenerStream::new(listener), shutdown)
        .await
}
