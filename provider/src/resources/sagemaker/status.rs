//! Reading an endpoint's state while waiting on it.

use aws_sdk_sagemaker::operation::describe_endpoint::DescribeEndpointOutput;
use aws_sdk_sagemaker::types::EndpointStatus;

use crate::aws::ResultExt;
use crate::error::Result;
use crate::framework::Context;

/// DescribeEndpoint, or `None` when the endpoint does not exist.
pub async fn describe(ctx: &Context, name: &str) -> Result<Option<DescribeEndpointOutput>> {
    match ctx
        .aws
        .sagemaker
        .describe_endpoint()
        .endpoint_name(name)
        .send()
        .await
        .aws("sagemaker", "DescribeEndpoint")
    {
        Ok(found) => Ok(Some(found)),
        Err(error) if error.is_not_found() => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// True while SageMaker is still working on the endpoint.
pub fn is_transitional(status: Option<&EndpointStatus>) -> bool {
    matches!(
        status,
        Some(
            EndpointStatus::Creating
                | EndpointStatus::Updating
                | EndpointStatus::SystemUpdating
                | EndpointStatus::RollingBack
                | EndpointStatus::Deleting
        )
    )
}

/// The status as text, for messages.
pub fn status_text(status: Option<&EndpointStatus>) -> String {
    status.map_or_else(|| "Unknown".to_owned(), |s| s.as_str().to_owned())
}
