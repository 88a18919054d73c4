//! A `Failed` endpoint is replaced, never updated.
//!
//! SageMaker allows only DeleteEndpoint on a failed endpoint ("Failed:
//! Endpoint could not be created, updated, or re-scaled. Use the
//! FailureReason value returned by DescribeEndpoint for information about
//! the failure. DeleteEndpoint is the only operation that can be performed
//! on a failed endpoint", API reference, DescribeEndpoint). So a failed
//! endpoint is recorded with status `Failed`, whoever finds it (create,
//! read or update), and a recorded `Failed` makes diff replace the
//! endpoint: the engine deletes it and creates it again (deleting first:
//! the name is the endpoint's identity).

use aws_sdk_sagemaker::types::EndpointStatus;

use super::EndpointOutputs;
use framework::{ProviderError, encode_plain};

/// The output field whose recorded value `Failed` forces a replacement.
const STATUS_FIELD: &str = "endpointStatus";

/// An endpoint found `Failed`: nothing but deleting it is possible.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "endpoint {endpoint} is Failed ({}). SageMaker allows only deleting a failed endpoint: \
     it is recorded as Failed, and the next `pulumi up` deletes and re-creates it",
    reason.as_deref().unwrap_or("SageMaker gave no reason")
)]
pub struct EndpointFailed {
    /// The endpoint.
    pub endpoint: String,
    /// SageMaker's `FailureReason`, when it gives one.
    pub reason: Option<String>,
}

impl From<EndpointFailed> for ProviderError {
    fn from(error: EndpointFailed) -> Self {
        ProviderError::failed(error.to_string())
    }
}

/// True when `outputs` record the endpoint as Failed.
pub(super) fn recorded_failed(outputs: &EndpointOutputs) -> bool {
    outputs.endpoint_status == EndpointStatus::Failed.as_str()
}

/// The output fields that force a replacement of an endpoint recorded with
/// `outputs`: its status, when it is Failed.
pub(super) fn replacement_forced_by(outputs: &EndpointOutputs) -> Vec<&'static str> {
    if recorded_failed(outputs) {
        vec![STATUS_FIELD]
    } else {
        Vec::new()
    }
}

/// What read answers for an endpoint it found Failed: a partial failure
/// that records it (the engine warns that it is unhealthy and keeps it in
/// the state, status and all), so that the next `up` replaces it.
pub(super) fn found_failed(id: &str, outputs: &EndpointOutputs) -> ProviderError {
    let reason = EndpointFailed {
        endpoint: id.to_owned(),
        reason: outputs.failure_reason.clone(),
    }
    .to_string();
    let encoded = encode_plain(outputs).and_then(|encoded| {
        Ok(ProviderError::PartialFailure {
            id: id.to_owned(),
            outputs: Box::new(encoded),
            inputs: Box::new(encode_plain(&outputs.inputs)?),
            reason,
        })
    });
    encoded.unwrap_or_else(|error| error)
}

#[cfg(test)]
mod tests {
    use super::super::test_fixtures::running;
    use super::*;

    #[test]
    fn only_a_recorded_failed_status_forces_a_replacement() {
        let mut outputs = running("config-v1");
        assert!(replacement_forced_by(&outputs).is_empty());
        for status in ["Creating", "Updating", "OutOfService", "RollingBack"] {
            outputs.endpoint_status = status.into();
            assert!(replacement_forced_by(&outputs).is_empty(), "{status}");
        }
        outputs.endpoint_status = "Failed".into();
        assert_eq!(replacement_forced_by(&outputs), ["endpointStatus"]);
    }

    #[test]
    fn a_failed_endpoint_found_by_read_is_recorded_with_its_reason() {
        let mut outputs = running("config-v1");
        outputs.endpoint_status = "Failed".into();
        outputs.failure_reason = Some("bad image".into());
        let ProviderError::PartialFailure {
            id,
            outputs: recorded,
            inputs,
            reason,
        } = found_failed("fraud", &outputs)
        else {
            panic!("expected a partial failure");
        };
        assert_eq!(id, "fraud");
        assert_eq!(*recorded, encode_plain(&outputs).unwrap());
        assert_eq!(*inputs, encode_plain(&outputs.inputs).unwrap());
        assert!(
            reason.contains("endpoint fraud is Failed (bad image)"),
            "{reason}"
        );
        assert!(
            reason.contains("the next `pulumi up` deletes and re-creates it"),
            "{reason}"
        );
    }
}
