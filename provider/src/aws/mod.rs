//! AWS access: the clients built once at Configure, and the one place that
//! classifies AWS errors.

mod clients;
mod error;

pub use clients::{AwsClients, Endpoints, ProviderConfig};
pub use error::{AwsError, AwsErrorKind, OrGone, ResultExt, classify};
