//! AWS access: the clients built once at Configure, and the one place that
//! classifies AWS errors.

mod clients;
mod error;
mod services;

pub use clients::ProviderConfig;
pub use error::{AwsError, AwsErrorKind, OrGone, ResultExt, classify};
pub use services::{AwsClients, Endpoints, Service, endpoint_url};
