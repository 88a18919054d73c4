//! AWS access: the clients made from the configuration at Configure (each
//! built at its first use, with the provider's retry settings), the one place that classifies AWS errors, and the IAM
//! permissions the calls need.

mod attempts;
mod clients;
mod deferred_http;
pub use deferred_http::load_root_certificates_early;
mod error;
pub mod lost_answers;
pub mod permissions;
pub mod propagation;
mod retries;
#[cfg(test)]
mod retry_tests;
#[cfg(test)]
pub(crate) mod scripted_aws;
mod services;

pub use attempts::{AttemptLog, Attempts, Unanswered};
pub use clients::ProviderConfig;
pub use error::{AwsError, AwsErrorKind, OrGone, ResultExt, classify};
pub use retries::{DEFAULT_MAX_ATTEMPTS, MAX_ATTEMPTS_LIMIT, RetryMode, RetrySettings};
pub use services::{AwsClients, Endpoints, LazyClient, Service, endpoint_url};
