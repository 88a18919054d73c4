//! AWS access: the clients built once at Configure, the one place that
//! classifies AWS errors, and the IAM permissions the calls need.

mod clients;
mod error;
pub mod permissions;
pub mod propagation;
mod services;

pub use clients::ProviderConfig;
pub use error::{AwsError, AwsErrorKind, OrGone, ResultExt, classify};
pub use services::{AwsClients, Endpoints, Service, endpoint_url};
