//! The provider's one error type, and its single conversion to gRPC status.

use prost::Message;

use crate::proto;
use crate::wire::{PropertyMap, properties_to_struct};

/// Everything that can go wrong while serving an engine request.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// (A long token is cut in the message: the engine may send anything.)
    #[error("unknown resource type `{}`: this provider does not manage it", shortened(.0, MAX_TOKEN_CHARS))]
    UnknownType(String),
    /// An invoke of a function the provider does not have.
    #[error("unknown function `{}`: this provider has no such function", shortened(.0, MAX_TOKEN_CHARS))]
    UnknownFunction(String),
    #[error("invalid inputs: {0}")]
    InvalidInputs(String),
    #[error("invalid provider configuration: {0}")]
    InvalidConfig(String),
    #[error("the provider was used before Configure was called")]
    NotConfigured,
    /// A cloud API call failed (the provider's own error type, kept for
    /// callers that inspect it).
    #[error(transparent)]
    Service(Box<dyn std::error::Error + Send + Sync>),
    #[error("the operation was cancelled")]
    Cancelled,
    #[error("timed out after {seconds} s waiting for {what}")]
    Timeout { what: String, seconds: u64 },
    #[error("{reason}")]
    Failed { reason: String },
    /// The AWS object exists but did not reach a usable state; the engine must
    /// record it (with `id`) so that nothing is orphaned.
    #[error("{reason}")]
    PartialFailure {
        id: String,
        outputs: Box<PropertyMap>,
        inputs: Box<PropertyMap>,
        reason: String,
    },
    #[error("the engine's resource monitor failed: {0}")]
    Monitor(String),
    /// The engine could not create (or update) a component's child.
    #[error("child {token} `{name}` failed: {message}")]
    ChildFailed {
        token: String,
        name: String,
        message: String,
    },
    #[error("{0}")]
    Internal(String),
}

impl ProviderError {
    /// A plain failure with a message for the user.
    pub fn failed(reason: impl Into<String>) -> Self {
        ProviderError::Failed {
            reason: reason.into(),
        }
    }
}

impl ProviderError {
    /// This error as the failure of `action` (`creating`, `updating`, ...)
    /// on the resource `urn` (with `id`, when known): a cloud API call's
    /// error then names the resource it was made for. Other errors already
    /// say what they are about and are returned unchanged.
    pub fn on_resource(self, action: &str, urn: &str, id: &str) -> Self {
        match self {
            ProviderError::Service(source) => ProviderError::Service(Box::new(ResourceFailure {
                operation: resource_operation(action, urn, id),
                source,
            })),
            other => other,
        }
    }
}

/// A cloud API call's error, with the resource operation it failed.
#[derive(Debug, thiserror::Error)]
#[error("{operation}: {source}")]
pub struct ResourceFailure {
    /// E.g. `creating example:index:Note "n"`.
    pub operation: String,
    /// The cloud API call's error.
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

/// `<action> <type> "<name>"`, with ` (id <id>)` when the id is known.
fn resource_operation(action: &str, urn: &str, id: &str) -> String {
    let name = urn.rsplit("::").next().unwrap_or(urn);
    let mut text = format!("{action} {} \"{name}\"", crate::server::type_of_urn(urn));
    if !id.is_empty() && id != name {
        text.push_str(&format!(" (id {id})"));
    }
    text
}

/// Longest type token an error repeats whole.
const MAX_TOKEN_CHARS: usize = 200;

/// Longest message a status carries: it travels in an HTTP/2 header, and
/// clients refuse headers beyond 16 KiB (and users read no further).
const MAX_STATUS_CHARS: usize = 8 * 1024;

/// `text`, cut after `limit` characters with a note of how much was left out.
fn shortened(text: &str, limit: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(limit) {
        None => std::borrow::Cow::Borrowed(text),
        Some((cut, _)) => std::borrow::Cow::Owned(format!(
            "{}… ({} more characters)",
            &text[..cut],
            text[cut..].chars().count()
        )),
    }
}

/// `google.rpc.Status`, the container of gRPC error details.
#[derive(Clone, PartialEq, Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
    #[prost(message, repeated, tag = "3")]
    details: Vec<prost_types::Any>,
}

impl From<ProviderError> for tonic::Status {
    fn from(error: ProviderError) -> Self {
        let message = shortened(&error.to_string(), MAX_STATUS_CHARS).into_owned();
        match error {
            ProviderError::UnknownType(_) | ProviderError::UnknownFunction(_) => {
                tonic::Status::not_found(message)
            }
            ProviderError::InvalidInputs(_) | ProviderError::InvalidConfig(_) => {
                tonic::Status::invalid_argument(message)
            }
            ProviderError::NotConfigured => tonic::Status::failed_precondition(message),
            ProviderError::Cancelled => tonic::Status::cancelled(message),
            ProviderError::Timeout { .. } => tonic::Status::deadline_exceeded(message),
            ProviderError::PartialFailure {
                id,
                outputs,
                inputs,
                reason,
            } => {
                let detail = proto::ErrorResourceInitFailed {
                    id,
                    properties: Some(properties_to_struct(&outputs)),
                    reasons: vec![reason],
                    inputs: Some(properties_to_struct(&inputs)),
                };
                let status = RpcStatus {
                    code: tonic::Code::Unknown as i32,
                    message: message.clone(),
                    details: vec![prost_types::Any {
                        type_url: "type.googleapis.com/pulumirpc.ErrorResourceInitFailed"
                            .to_owned(),
                        value: detail.encode_to_vec(),
                    }],
                };
                tonic::Status::with_details(
                    tonic::Code::Unknown,
                    message,
                    status.encode_to_vec().into(),
                )
            }
            _ => tonic::Status::unknown(message),
        }
    }
}

/// Result alias used across the framework and the providers built on it.
pub type Result<T, E = ProviderError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_unknown_token_is_cut_in_the_message() {
        let token = "x".repeat(100_000);
        let status = tonic::Status::from(ProviderError::UnknownType(token));
        assert_eq!(status.code(), tonic::Code::NotFound);
        assert!(status.message().len() < 400, "{}", status.message().len());
        assert!(
            status.message().contains("(99800 more characters)"),
            "{}",
            status.message()
        );
    }

    #[test]
    fn no_status_message_exceeds_the_limit() {
        let status = tonic::Status::from(ProviderError::failed("é".repeat(50_000)));
        assert!(status.message().chars().count() < MAX_STATUS_CHARS + 40);
    }
}
