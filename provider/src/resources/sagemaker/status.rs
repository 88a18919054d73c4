//! Reading an endpoint's state while waiting on it.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_sagemaker::operation::describe_endpoint::DescribeEndpointOutput;
use aws_sdk_sagemaker::types::EndpointStatus;
use tokio::time::Instant;

use crate::Context;
use crate::aws::{ResultExt, Service};
use framework::Progress;
use framework::{ProviderError, Result};

/// Time SageMaker may take to provision an endpoint's fleet.
pub const PROVISIONING_ALLOWANCE: Duration = Duration::from_secs(60 * 60);

/// Time an endpoint may take to settle around an operation: a change
/// already in progress before it (autoscaling, an interrupted update) and a
/// rollback after it.
pub const SETTLING_ALLOWANCE: Duration = Duration::from_secs(30 * 60);

/// Longest an endpoint operation (all of its waits together) may take
/// unless a custom timeout is set: provisioning and settling. A rollout's
/// baking periods add to it (see the endpoint's `rollout_duration`).
pub const DEFAULT_TIMEOUT: Duration =
    Duration::from_secs(PROVISIONING_ALLOWANCE.as_secs() + SETTLING_ALLOWANCE.as_secs());

/// The time budget of one endpoint operation: when it began, and how long
/// all of its waits together may take unless the user set a custom timeout
/// (which wins).
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// When the operation began.
    pub started: Instant,
    /// Its time limit when no custom timeout is set.
    pub default_timeout: Duration,
}

impl Budget {
    /// A budget of `default_timeout` for an operation beginning now.
    pub fn starting_now(default_timeout: Duration) -> Self {
        Budget {
            started: Instant::now(),
            default_timeout,
        }
    }

    /// What is left of the budget for `ctx`'s operation (its custom
    /// timeout, when set, instead of the default).
    pub fn remaining(&self, ctx: &Context) -> Duration {
        ctx.remaining(self.default_timeout, self.started)
    }
}

/// DescribeEndpoint, or `None` when the endpoint does not exist.
pub async fn describe(ctx: &Context, name: &str) -> Result<Option<DescribeEndpointOutput>> {
    match ctx
        .clients
        .sagemaker
        .describe_endpoint()
        .endpoint_name(name)
        .send()
        .await
        .aws(Service::SageMaker, "DescribeEndpoint")
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

/// Weights read back as f32: keep them tidy.
pub fn round_weight(weight: f32) -> f64 {
    (f64::from(weight) * 1_000_000.0).round() / 1_000_000.0
}

/// A production variant as the endpoint serves it now.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveVariant {
    /// The traffic weight it serves with (`CurrentWeight`).
    pub weight: Option<f64>,
    /// The instances it serves with (`CurrentInstanceCount`); none for a
    /// serverless variant.
    pub instance_count: Option<u32>,
}

/// The endpoint's production variants by name, as DescribeEndpoint shows
/// them.
pub fn live_variants(found: &DescribeEndpointOutput) -> BTreeMap<String, LiveVariant> {
    found
        .production_variants()
        .iter()
        .filter_map(|variant| {
            let name = variant.variant_name()?;
            Some((
                name.to_owned(),
                LiveVariant {
                    weight: variant.current_weight().map(round_weight),
                    instance_count: variant
                        .current_instance_count()
                        .map(|count| count.max(0) as u32),
                },
            ))
        })
        .collect()
}

/// Where an endpoint ended up once SageMaker stopped working on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Settled {
    /// A status that is not transitional: InService, Failed, OutOfService...
    pub status: EndpointStatus,
    /// The configuration the endpoint runs.
    pub config_name: String,
    /// Why the endpoint last failed, if SageMaker says.
    pub failure_reason: Option<String>,
    /// The production variants it serves with, by name.
    pub variants: BTreeMap<String, LiveVariant>,
}

impl Settled {
    /// True when the endpoint serves.
    pub fn in_service(&self) -> bool {
        self.status == EndpointStatus::InService
    }

    /// True when the endpoint is Failed: SageMaker allows only deleting it.
    pub fn failed(&self) -> bool {
        self.status == EndpointStatus::Failed
    }

    /// SageMaker's reason, or a placeholder, for messages.
    pub fn reason(&self) -> &str {
        self.failure_reason
            .as_deref()
            .unwrap_or("SageMaker gave no reason")
    }
}

/// Waits until the endpoint leaves every transitional state, within the
/// operation's `budget`; `None` when the endpoint does not exist (any more).
pub async fn wait_settled_or_gone(
    ctx: &Context,
    budget: Budget,
    name: &str,
    what: &str,
) -> Result<Option<Settled>> {
    ctx.wait_for(what, budget.default_timeout, budget.started, || async {
        let Some(found) = describe(ctx, name).await? else {
            return Ok(Progress::Done(None));
        };
        let status = found.endpoint_status().cloned();
        if is_transitional(status.as_ref()) {
            return Ok(Progress::Waiting(status_text(status.as_ref())));
        }
        Ok(Progress::Done(Some(Settled {
            status: status.unwrap_or(EndpointStatus::Failed),
            config_name: found.endpoint_config_name().unwrap_or_default().to_owned(),
            failure_reason: found
                .failure_reason()
                .filter(|reason| !reason.is_empty())
                .map(str::to_owned),
            variants: live_variants(&found),
        })))
    })
    .await
}

/// Waits until the endpoint leaves every transitional state, within the
/// operation's `budget`; an endpoint that disappears meanwhile is an error.
pub async fn wait_settled(
    ctx: &Context,
    budget: Budget,
    name: &str,
    what: &str,
) -> Result<Settled> {
    wait_settled_or_gone(ctx, budget, name, what)
        .await?
        .ok_or_else(|| ProviderError::failed(format!("endpoint {name} disappeared while {what}")))
}
