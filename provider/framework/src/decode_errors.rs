//! Requests the gRPC service cannot decode, answered with a short, clear
//! status. prost's own message names every level of nesting it passed
//! (over a kilobyte for a deeply nested value), and the engine shows it to
//! the user as it is.

use std::future::Future;
use std::pin::Pin;

use tonic::codegen::http::{self, HeaderMap};
use tonic::codegen::{Context, Poll, Service};
use tonic::server::NamedService;
use tonic::{Code, Status};

/// Levels of nested objects a property value of a request may have: prost
/// stops decoding at 100 nested messages, and each level of an object is
/// three of them (a `Value`, its `Struct` and the map entry), below the
/// request itself. Lists cost two messages a level: 48 of them pass.
pub const MAX_VALUE_NESTING: usize = 32;

/// What prost's decode errors start with.
const DECODE_ERROR_PREFIX: &str = "failed to decode Protobuf message";

/// Longest decode error kept whole; a longer one keeps its end, where
/// prost says what was wrong.
const MAX_DECODE_ERROR_CHARS: usize = 200;

/// The generated service, its decode errors made clear.
#[derive(Debug, Clone)]
pub struct ClearDecodeErrors<S> {
    inner: S,
}

impl<S> ClearDecodeErrors<S> {
    pub fn new(inner: S) -> Self {
        ClearDecodeErrors { inner }
    }
}

impl<S: NamedService> NamedService for ClearDecodeErrors<S> {
    const NAME: &'static str = S::NAME;
}

impl<S, B, R> Service<http::Request<B>> for ClearDecodeErrors<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    R: Send + 'static,
{
    type Response = http::Response<R>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let answered = self.inner.call(request);
        Box::pin(async move {
            let mut response = answered.await?;
            clear_decode_error(response.headers_mut());
            Ok(response)
        })
    }
}

/// Rewrites a decode error status (sent in the response headers: nothing
/// else was answered) as [`clear_status`] says it.
fn clear_decode_error(headers: &mut HeaderMap) {
    let Some(status) = Status::from_header_map(headers) else {
        return;
    };
    if let Some(clear) = clear_status(&status) {
        // Replaces the code and message headers; nothing else was set.
        let _ = clear.add_header(headers);
    }
}

/// The clear form of a decode error status; `None` for any other status,
/// and for a decode error that is already short.
pub fn clear_status(status: &Status) -> Option<Status> {
    let message = status.message();
    if status.code() != Code::Internal || !message.starts_with(DECODE_ERROR_PREFIX) {
        return None;
    }
    if message.ends_with("recursion limit reached") {
        return Some(Status::invalid_argument(format!(
            "a property value is nested too deeply: the provider reads at most \
             {MAX_VALUE_NESTING} levels of nested objects (48 of lists)"
        )));
    }
    let length = message.chars().count();
    if length <= MAX_DECODE_ERROR_CHARS {
        return None;
    }
    let tail: String = message
        .chars()
        .skip(length - MAX_DECODE_ERROR_CHARS)
        .collect();
    Some(Status::new(
        status.code(),
        format!("{DECODE_ERROR_PREFIX}: …{tail}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_deep_a_value_is_named_in_one_short_sentence() {
        let stack = "Struct.fields: Value.kind: ".repeat(49);
        let prost = Status::internal(format!(
            "{DECODE_ERROR_PREFIX}: {stack}CheckRequest.news: recursion limit reached"
        ));
        let clear = clear_status(&prost).expect("rewritten");
        assert_eq!(clear.code(), Code::InvalidArgument);
        assert!(clear.message().len() < 150, "{}", clear.message());
        assert!(clear.message().contains("nested too deeply"));
    }

    #[test]
    fn other_statuses_are_left_alone_and_long_decode_errors_cut() {
        assert!(clear_status(&Status::internal("boom")).is_none());
        let short = Status::internal(format!("{DECODE_ERROR_PREFIX}: invalid varint"));
        assert!(clear_status(&short).is_none());
        let long = Status::internal(format!(
            "{DECODE_ERROR_PREFIX}: {}buffer underflow",
            "Value.kind: ".repeat(40)
        ));
        let clear = clear_status(&long).expect("cut");
        assert!(clear.message().ends_with("buffer underflow"));
        assert!(clear.message().chars().count() < MAX_DECODE_ERROR_CHARS + 40);
    }

    #[test]
    fn the_rewritten_status_replaces_the_headers() {
        let mut headers = HeaderMap::new();
        let prost = Status::internal(format!(
            "{DECODE_ERROR_PREFIX}: Value.kind: recursion limit reached"
        ));
        prost.add_header(&mut headers).unwrap();
        clear_decode_error(&mut headers);
        let status = Status::from_header_map(&headers).expect("a status");
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(status.message().contains("nested too deeply"));
    }
}
