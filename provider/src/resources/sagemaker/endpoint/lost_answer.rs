//! A change of the endpoint whose answer was lost.
//!
//! When the connection breaks after SageMaker took an UpdateEndpoint or
//! UpdateEndpointWeightsAndCapacities, the SDK sends it again and SageMaker
//! refuses the copy: `Cannot update in-progress endpoint "..."` (the
//! endpoint is Updating with the change already). Or every attempt breaks
//! and no answer comes at all. Failing there would leave the change running
//! unwatched; [`taken_despite`] tells the caller to wait for it and check
//! its outcome as for any change.

use aws_sdk_sagemaker::types::EndpointStatus;

use crate::Context;
use crate::aws::{AwsError, AwsErrorKind};
use crate::resources::sagemaker::status::describe;
use framework::Result;

/// SageMaker's refusal of a change while another is in progress.
const IN_PROGRESS: &str = "Cannot update in-progress endpoint";

/// Whether the change of endpoint `id` that failed with `error` was taken
/// by SageMaker all the same: an attempt got no answer, and then SageMaker
/// said the endpoint is changing, or no answer came at all and the endpoint
/// is now Updating.
pub async fn taken_despite(ctx: &Context, id: &str, error: &AwsError) -> Result<bool> {
    taken_as(ctx, id, error, EndpointStatus::Updating).await
}

/// As [`taken_despite`], for a DeleteEndpoint: the endpoint is Deleting.
pub async fn deletion_taken_despite(ctx: &Context, id: &str, error: &AwsError) -> Result<bool> {
    taken_as(ctx, id, error, EndpointStatus::Deleting).await
}

/// Whether the request that failed with `error` was taken all the same, the
/// endpoint showing `taken` when no answer came at all.
async fn taken_as(
    ctx: &Context,
    id: &str,
    error: &AwsError,
    taken: EndpointStatus,
) -> Result<bool> {
    if !error.may_have_taken_effect() {
        return Ok(false);
    }
    if error.message.contains(IN_PROGRESS) {
        return Ok(true);
    }
    if error.kind != AwsErrorKind::Unanswered {
        return Ok(false);
    }
    let found = describe(ctx, id).await?;
    Ok(found.is_some_and(|endpoint| endpoint.endpoint_status() == Some(&taken)))
}

#[cfg(test)]
mod tests {
    use aws_sdk_sagemaker::Client;
    use aws_smithy_mocks::mock;

    use super::super::Endpoint;
    use super::super::test_fixtures::described_as;
    use super::*;
    use crate::aws::Service;
    use crate::resources::mock::mock_context;

    fn failed(kind: AwsErrorKind, message: &str, unanswered: u32) -> AwsError {
        AwsError {
            service: Service::SageMaker,
            operation: "UpdateEndpointWeightsAndCapacities",
            kind,
            code: Some("ValidationException".into()),
            message: message.into(),
            attempts: Some(2),
            unanswered,
        }
    }

    const IN_PROGRESS_MESSAGE: &str = "Cannot update in-progress endpoint \"arn:aws:sagemaker:us-east-1:123456789012:endpoint/fraud\".";

    #[tokio::test]
    async fn a_retry_refused_as_in_progress_after_a_lost_answer_was_taken() {
        let ctx = mock_context::<Endpoint>(&[]).await;
        let refused = failed(AwsErrorKind::Validation, IN_PROGRESS_MESSAGE, 1);
        assert!(taken_despite(&ctx, "fraud", &refused).await.unwrap());
        // Every attempt answered: another change is in progress, not ours.
        let answered = failed(AwsErrorKind::Validation, IN_PROGRESS_MESSAGE, 0);
        assert!(!taken_despite(&ctx, "fraud", &answered).await.unwrap());
    }

    #[tokio::test]
    async fn a_change_with_no_answer_was_taken_when_the_endpoint_is_updating() {
        for (status, taken) in [
            (EndpointStatus::Updating, true),
            (EndpointStatus::InService, false),
        ] {
            let describe = mock!(Client::describe_endpoint)
                .then_output(move || described_as("config-v2", status.clone(), None));
            let ctx = mock_context::<Endpoint>(&[&describe]).await;
            let unanswered = failed(
                AwsErrorKind::Unanswered,
                "no answer from AWS: connection reset",
                3,
            );
            assert_eq!(
                taken_despite(&ctx, "fraud", &unanswered).await.unwrap(),
                taken
            );
        }
    }

    #[tokio::test]
    async fn a_delete_with_no_answer_was_taken_when_the_endpoint_is_deleting() {
        let describe = mock!(Client::describe_endpoint)
            .then_output(|| described_as("config-v2", EndpointStatus::Deleting, None));
        let ctx = mock_context::<Endpoint>(&[&describe]).await;
        let unanswered = failed(AwsErrorKind::Unanswered, "no answer from AWS", 2);
        assert!(
            deletion_taken_despite(&ctx, "fraud", &unanswered)
                .await
                .unwrap()
        );
        assert!(!taken_despite(&ctx, "fraud", &unanswered).await.unwrap());
    }

    #[tokio::test]
    async fn other_failures_are_failures() {
        let ctx = mock_context::<Endpoint>(&[]).await;
        let throttled = failed(AwsErrorKind::Throttled, "Rate exceeded", 1);
        assert!(!taken_despite(&ctx, "fraud", &throttled).await.unwrap());
    }
}
