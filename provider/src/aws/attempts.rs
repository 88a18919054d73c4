//! How many attempts the AWS SDK made of a request before it answered, and
//! how many of them got no answer.
//!
//! The SDK retries throttling, 5xx answers, connection failures and
//! timeouts on its own and hands back only the last outcome. An interceptor
//! on every client counts the attempts, and those that got no answer (an
//! attempt that got none may still have taken effect: the connection broke
//! after AWS applied it), and records them on that outcome: on the HTTP
//! answer (an [`Attempts`] extension) when AWS answered, or as an
//! [`Unanswered`] error in place of the connection failure or timeout when
//! it did not. [`super::classify`] reads them back, so that an error can say
//! how hard the SDK tried and whether it may hide a change that happened.
//! A call site that must know this of a successful request too (a create
//! AWS does not make idempotent) adds an [`AttemptLog`] to it.

use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    FinalizerInterceptorContextMut, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::OrchestratorError;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

/// The attempts behind an outcome (also the extension on an HTTP answer).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attempts {
    /// Attempts made, the first included.
    pub made: u32,
    /// Attempts that got no answer (connection failure or timeout): each
    /// may have taken effect.
    pub unanswered: u32,
}

/// The unanswered attempts so far of the request in flight.
#[derive(Debug, Clone, Copy, Default)]
struct UnansweredSoFar(u32);

impl Storable for UnansweredSoFar {
    type Storer = StoreReplace<Self>;
}

/// True when the outcome of an attempt is a connection failure or timeout.
fn got_no_answer<O, E>(outcome: Option<Result<&O, &OrchestratorError<E>>>) -> bool {
    matches!(outcome, Some(Err(error)) if error.is_connector_error() || error.is_timeout_error())
}

/// The attempts of the request in flight, as counted so far.
fn attempts_of(cfg: &ConfigBag) -> Attempts {
    Attempts {
        made: cfg
            .load::<RequestAttempts>()
            .map(RequestAttempts::attempts)
            .unwrap_or(1),
        unanswered: cfg.load::<UnansweredSoFar>().map_or(0, |u| u.0),
    }
}

/// A request that got no answer from AWS: every attempt ended in a
/// connection failure or a timeout. It may or may not have taken effect.
#[derive(Debug, Clone, thiserror::Error)]
#[error("no answer after {attempts} attempt{}: {cause}", if *attempts == 1 { "" } else { "s" })]
pub struct Unanswered {
    /// Attempts made, the first included.
    pub attempts: u32,
    /// Why the last one got no answer, e.g. `connection closed before
    /// message completed`.
    pub cause: String,
}

/// The interceptor that records the attempts (see the module docs).
#[derive(Debug, Default)]
pub(crate) struct RecordAttempts;

impl Intercept for RecordAttempts {
    fn name(&self) -> &'static str {
        "RecordAttempts"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if got_no_answer(context.output_or_error()) {
            let so_far = cfg.load::<UnansweredSoFar>().map_or(0, |u| u.0);
            cfg.interceptor_state()
                .store_put(UnansweredSoFar(so_far + 1));
        }
        Ok(())
    }

    fn modify_before_completion(
        &self,
        context: &mut FinalizerInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let counted = attempts_of(cfg);
        let attempts = counted.made;
        if let Some(response) = context.response_mut() {
            response.add_extension(counted);
        }
        if let Some(Err(error)) = context.output_or_error_mut() {
            let timed_out = error.is_timeout_error();
            if timed_out || error.is_connector_error() {
                let unanswered = Box::new(Unanswered {
                    attempts,
                    cause: cause_of(&*error),
                });
                *error = if timed_out {
                    OrchestratorError::timeout(unanswered)
                } else {
                    OrchestratorError::connector(ConnectorError::io(unanswered))
                };
            }
        }
        Ok(())
    }
}

/// The attempts of one request, for a call site that must know them even
/// when the request succeeded: add it with
/// `.customize().interceptor(log.clone())` and read it after `send`.
#[derive(Debug, Clone, Default)]
pub struct AttemptLog(Arc<Mutex<Attempts>>);

impl AttemptLog {
    /// The attempts of the request, once it completed.
    pub fn attempts(&self) -> Attempts {
        self.0.lock().map(|attempts| *attempts).unwrap_or_default()
    }
}

impl Intercept for AttemptLog {
    fn name(&self) -> &'static str {
        "AttemptLog"
    }

    fn read_after_execution(
        &self,
        _context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Ok(mut attempts) = self.0.lock() {
            *attempts = attempts_of(cfg);
        }
        Ok(())
    }
}

/// Layers of the SDK's error chain that say nothing about the cause.
const GENERIC_LAYERS: &[&str] = &[
    "connector error",
    "dispatch failure",
    "io error",
    "timeout error",
    "other",
];

/// The error and its sources in one line, generic layers and repeats left
/// out: `client error (SendRequest): connection closed before message
/// completed`.
pub fn cause_of(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(error);
    while let Some(current) = next {
        let text = current.to_string();
        let known = parts.iter().any(|part| part.contains(&text));
        if !text.is_empty() && !known && !GENERIC_LAYERS.contains(&text.as_str()) {
            parts.push(text);
        }
        next = current.source();
    }
    if parts.is_empty() {
        error.to_string()
    } else {
        parts.join(": ")
    }
}

/// The [`Unanswered`] in `error`'s source chain, if there is one.
pub fn unanswered_in<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a Unanswered> {
    let mut next = Some(error);
    while let Some(current) = next {
        if let Some(found) = current.downcast_ref::<Unanswered>() {
            return Some(found);
        }
        next = current.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("{text}")]
    struct Layer {
        text: &'static str,
        #[source]
        source: Option<Box<Layer>>,
    }

    fn chain(texts: &[&'static str]) -> Layer {
        texts
            .iter()
            .rev()
            .fold(None, |source, text| {
                Some(Layer {
                    text,
                    source: source.map(Box::new),
                })
            })
            .expect("at least one layer")
    }

    #[test]
    fn the_cause_leaves_out_generic_layers_and_repeats() {
        let error = chain(&[
            "dispatch failure",
            "io error",
            "client error (SendRequest)",
            "connection closed before message completed",
            "connection closed before message completed",
        ]);
        assert_eq!(
            cause_of(&error),
            "client error (SendRequest): connection closed before message completed"
        );
        assert_eq!(cause_of(&chain(&["io error"])), "io error");
    }

    #[test]
    fn an_unanswered_request_is_found_anywhere_in_the_chain() {
        let unanswered = Unanswered {
            attempts: 3,
            cause: "connection reset by peer".into(),
        };
        let wrapped = ConnectorError::io(Box::new(unanswered.clone()));
        let found = unanswered_in(&wrapped).expect("found");
        assert_eq!(found.attempts, 3);
        assert_eq!(
            found.to_string(),
            "no answer after 3 attempts: connection reset by peer"
        );
        assert!(unanswered_in(&chain(&["io error"])).is_none());
    }
}
