//! A framework for Pulumi resource providers written in Rust.
//!
//! A provider is a [`Package`] (its name, version, configuration and the
//! clients Configure builds), a set of [`CustomResource`]s (one cloud object
//! each: typed inputs and outputs, `check`, `create`, `read`, `update`,
//! `delete`) and [`Component`]s (children registered through a [`Scope`]).
//! The framework serves the engine's gRPC protocol ([`serve`]), decodes
//! property values into the typed inputs without losing secrets, unknowns or
//! dependencies ([`Output`]), diffs, previews, reports partial failures, and
//! derives the package schema from the types and their doc comments.
//!
//! Data flows engine -> `server` -> [`wire`] -> [`Registry`] -> a typed
//! resource or component -> the package's clients.
//!
//! ```ignore
//! struct Example;
//!
//! #[async_trait::async_trait]
//! impl Package for Example {
//!     const NAME: &'static str = "example";
//!     const VERSION: &'static str = "0.1.0";
//!     type Config = ExampleConfig;
//!     type Clients = ExampleClient;
//!     async fn configure(config: &ExampleConfig) -> Result<ExampleClient> { ... }
//!     fn schema_metadata() -> serde_json::Map<String, serde_json::Value> { ... }
//! }
//!
//! let registry = Registry::<Example>::builder().resource(Bucket).build();
//! pulumi_provider_framework::serve(registry, listener, engine, shutdown).await
//! ```
//!
//! The crate's tests hold a complete small provider (`testing`).

mod adapter;
mod check;
mod codec;
mod component;
mod construct;
mod context;
mod decode_errors;
mod diff;
mod engine;
mod error;
mod function;
mod output;
mod package;
pub mod proto;
mod redact;
mod registry;
mod resource;
pub mod schema;
mod scope;
mod server;
#[cfg(test)]
mod testing;
pub mod wire;

use std::sync::Arc;

use tokio::net::TcpListener;
use tonic::transport::server::TcpIncoming;

pub use adapter::{DynComponent, DynFunction, DynResource};
pub use check::{CheckFailure, Failures};
pub use codec::{
    decode, decode_all, decode_value, encode, encode_plain, encode_wired, flatten_outputs,
};
pub use component::Component;
pub use context::{Context, Progress};
pub use decode_errors::MAX_VALUE_NESTING;
pub use diff::{DiffOutcome, FieldChange, diff_config, diff_to_proto};
pub use engine::EngineLogger;
pub use error::{ProviderError, ResourceFailure, Result};
pub use function::Function;
pub use output::Output;
pub use package::Package;
pub use redact::{REDACTED, SecretTexts};
pub use registry::{Registry, RegistryBuilder};
pub use resource::{Created, CustomResource, ReadOutcome};
pub use scope::{Child, ChildOptions, Scope, all_children};
pub use server::{ProviderService, decode_config, type_of_urn};

/// Largest gRPC message accepted or sent (the engine allows 400 MiB).
pub const MAX_MESSAGE_BYTES: usize = 400 * 1024 * 1024;

/// Serves `registry` on `listener` until `shutdown` completes. The engine's
/// address (for logs and progress) comes from the command line or, later,
/// the handshake.
///
/// Every accepted connection sends without delay (`TCP_NODELAY`): with
/// Nagle's algorithm, a response larger than one segment waits for the
/// engine's delayed acknowledgement, about 40 ms per call.
pub async fn serve<P: Package>(
    registry: Registry<P>,
    listener: TcpListener,
    engine_address: Option<String>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::result::Result<(), tonic::transport::Error> {
    let service = ProviderService::new(Arc::new(registry), engine_address);
    let service = proto::resource_provider_server::ResourceProviderServer::new(service)
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    tonic::transport::Server::builder()
        .add_service(decode_errors::ClearDecodeErrors::new(service))
        .serve_with_incoming_shutdown(
            TcpIncoming::from(listener).with_nodelay(Some(true)),
            shutdown,
        )
        .await
}
