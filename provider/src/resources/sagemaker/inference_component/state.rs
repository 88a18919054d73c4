//! Reading an inference component's state while waiting on it.

use std::time::Duration;

use aws_sdk_sagemaker::operation::describe_inference_component::DescribeInferenceComponentOutput;
use aws_sdk_sagemaker::types::InferenceComponentStatus;
use tokio::time::Instant;

use crate::Context;
use crate::aws::{OrGone, ResultExt, Service};
use framework::{Progress, Result};

/// Longest a create, update or delete of a component may take unless a
/// custom timeout is set: downloading a large model and starting its copies,
/// on instances managed instance scaling may have to launch first.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(90 * 60);

/// DescribeInferenceComponent, or `None` when the component does not exist.
pub async fn describe(
    ctx: &Context,
    name: &str,
) -> Result<Option<DescribeInferenceComponentOutput>> {
    Ok(ctx
        .clients
        .sagemaker
        .describe_inference_component()
        .inference_component_name(name)
        .send()
        .await
        .aws(Service::SageMaker, "DescribeInferenceComponent")
        .or_gone()?)
}

/// True while SageMaker is still working on the component.
pub fn is_transitional(status: Option<&InferenceComponentStatus>) -> bool {
    matches!(
        status,
        Some(
            InferenceComponentStatus::Creating
                | InferenceComponentStatus::Updating
                | InferenceComponentStatus::Deleting
        )
    )
}

/// The status as text, for messages and state.
pub fn status_text(status: Option<&InferenceComponentStatus>) -> String {
    status.map_or_else(|| "Unknown".to_owned(), |s| s.as_str().to_owned())
}

/// A component once SageMaker stopped working on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Settled {
    /// InService or Failed.
    pub status: String,
    /// Why it last failed, when SageMaker says.
    pub failure_reason: Option<String>,
    /// The model its specification runs.
    pub model_name: Option<String>,
    /// The copies it runs now.
    pub current_copy_count: Option<u32>,
}

impl Settled {
    fn of(found: &DescribeInferenceComponentOutput) -> Self {
        Settled {
            status: status_text(found.inference_component_status()),
            failure_reason: found
                .failure_reason()
                .filter(|reason| !reason.is_empty())
                .map(str::to_owned),
            model_name: found
                .specification()
                .and_then(|spec| spec.model_name())
                .map(str::to_owned),
            current_copy_count: found
                .runtime_config()
                .and_then(|config| config.current_copy_count())
                .map(|count| count.max(0) as u32),
        }
    }

    /// True when the component serves.
    pub fn in_service(&self) -> bool {
        self.status == InferenceComponentStatus::InService.as_str()
    }

    /// SageMaker's reason, or a placeholder.
    pub fn reason(&self) -> &str {
        self.failure_reason
            .as_deref()
            .unwrap_or("SageMaker gave no reason")
    }
}

/// Waits until the component leaves Creating, Updating and Deleting, within
/// the operation's budget (`started`); `None` when it does not exist (any
/// more).
pub async fn wait_settled_or_gone(
    ctx: &Context,
    started: Instant,
    name: &str,
    what: &str,
) -> Result<Option<Settled>> {
    ctx.wait_for(what, DEFAULT_TIMEOUT, started, || async {
        let Some(found) = describe(ctx, name).await? else {
            return Ok(Progress::Done(None));
        };
        let status = found.inference_component_status();
        if is_transitional(status) {
            let copies = found
                .runtime_config()
                .and_then(|c| c.current_copy_count().zip(c.desired_copy_count()))
                .map(|(current, desired)| format!(", {current}/{desired} copies"))
                .unwrap_or_default();
            return Ok(Progress::Waiting(format!(
                "{}{copies}",
                status_text(status)
            )));
        }
        Ok(Progress::Done(Some(Settled::of(&found))))
    })
    .await
}
