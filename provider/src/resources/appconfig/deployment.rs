//! `sagemaker-deployment:appconfig:Deployment`: one hosted configuration
//! version rolled out to one environment, waited on until AppConfig calls it
//! `COMPLETE`.
//!
//! A new deployment starts only when the version (or the environment or
//! profile) changes; a new strategy, description or tags apply to the next
//! one without redeploying. A deployment that did not complete (rolled back
//! on an alarm, stopped, or interrupted) is recorded as failed (the engine
//! keeps its error, and a refresh finds it unchanged), so that nothing is
//! lost; the engine updates a resource recorded with an error at the next
//! `up`, and that update starts the deployment again, or, when the wait on
//! it was cut short and it still runs, waits on it again (AppConfig runs one
//! deployment at a time per environment). The resource's id names the
//! version deployed, which stays the same across such retries.
//!
//! A deployment that AppConfig rolls back on an internal error is started
//! again at once, within the IAM propagation window and the operation's
//! time budget: for an internal error the deployment event carries "a
//! recommendation to attempt a new deployment" (API reference,
//! DeploymentEvent, `Description`), and the usual cause right after an
//! `up` creates the environment is the monitors' alarm role, which AppConfig
//! cannot use until IAM has propagated it (IAM User Guide, "Changes that I
//! make are not always immediately visible").

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_appconfig::operation::get_deployment::GetDeploymentOutput;
use aws_sdk_appconfig::types::{DeploymentEventType, DeploymentState, TriggeredBy};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use super::lost_creates::CreationToken;
use super::{arn, create_tags, retag};
use crate::Context;
use crate::aws::propagation::IAM_PROPAGATION_WINDOW;
use crate::aws::{AwsErrorKind, OrGone, ResultExt, Service};
use crate::resources::Tags;
use framework::{Created, CustomResource, Progress, ReadOutcome, encode_plain};
use framework::{Output, ProviderError, Result};

/// Time allowed around a deployment's own duration and bake time before
/// it counts as stuck, unless a custom timeout is set.
pub const SETTLING_ALLOWANCE: Duration = Duration::from_secs(30 * 60);

/// The state of a deployment that reached all clients and baked.
pub const COMPLETE: &str = "COMPLETE";

/// A deployment of a hosted configuration version to an environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentInputs {
    /// Id of the application.
    pub application_id: Output<String>,
    /// Id of the environment deployed to.
    pub environment_id: Output<String>,
    /// Id of the configuration profile.
    pub configuration_profile_id: Output<String>,
    /// The version deployed (a hosted version number); a new one starts a
    /// new deployment.
    pub configuration_version: Output<String>,
    /// Id of the deployment strategy: a predefined one such as
    /// `AppConfig.AllAtOnce`, or a custom strategy's id. A change applies to
    /// the next deployment.
    pub deployment_strategy_id: Output<String>,
    /// A description of the deployment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Tags on the deployment.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// The deployment as AppConfig ran it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentOutputs {
    /// The inputs the deployment was started or last updated with.
    #[serde(flatten)]
    pub inputs: DeploymentInputs,
    /// The deployment's number in its environment (1, 2, ...).
    pub deployment_number: i32,
    /// Its state: `COMPLETE`, or `ROLLED_BACK` / `REVERTED` / `DEPLOYING` /
    /// `BAKING` when it did not complete.
    pub state: String,
    /// The deployment ARN.
    pub arn: String,
}

/// The AppConfig deployment resource.
pub struct Deployment;

/// What one look at a running deployment found.
#[derive(Debug, Clone, PartialEq)]
pub enum Look {
    /// It completed.
    Complete,
    /// It ended without completing (rolled back or reverted), with why;
    /// `internal_error` when AppConfig itself rolled it back on an internal
    /// error (worth a new deployment).
    Failed {
        state: String,
        reason: String,
        internal_error: bool,
    },
    /// Still going: its state and share of clients reached, for the status
    /// line.
    Running(String),
}

/// Reads GetDeployment's answer.
pub fn look(found: &GetDeploymentOutput) -> Look {
    let state = found.state().map_or("UNKNOWN", DeploymentState::as_str);
    match found.state() {
        Some(DeploymentState::Complete) => Look::Complete,
        Some(DeploymentState::RolledBack | DeploymentState::Reverted) => Look::Failed {
            state: state.to_owned(),
            reason: rollback_reason(found),
            internal_error: rollback_trigger(found) == Some(&TriggeredBy::InternalError),
        },
        _ => Look::Running(format!(
            "{state}, {:.0}% of clients",
            found.percentage_complete().unwrap_or_default()
        )),
    }
}

/// The `ROLLBACK_STARTED` event of a deployment (the event log is newest
/// first), if it was rolled back.
fn rollback_started(
    found: &GetDeploymentOutput,
) -> Option<&aws_sdk_appconfig::types::DeploymentEvent> {
    found
        .event_log()
        .iter()
        .find(|event| event.event_type() == Some(&DeploymentEventType::RollbackStarted))
}

/// Who started the rollback of a deployment: `CLOUDWATCH_ALARM`, `USER`,
/// `APPCONFIG` or `INTERNAL_ERROR`.
pub fn rollback_trigger(found: &GetDeploymentOutput) -> Option<&TriggeredBy> {
    rollback_started(found).and_then(|event| event.triggered_by())
}

/// Why AppConfig rolled a deployment back, from its `ROLLBACK_STARTED`
/// event (the event log is newest first): who triggered it, and its
/// description, which names the alarm for `CLOUDWATCH_ALARM`.
pub fn rollback_reason(found: &GetDeploymentOutput) -> String {
    rollback_started(found)
        .map(|event| {
            format!(
                "{} (triggered by {})",
                event.description().unwrap_or("no description"),
                event.triggered_by().map_or("AppConfig", |t| t.as_str())
            )
        })
        .unwrap_or_else(|| "AppConfig gave no reason".to_owned())
}

/// The resource's id: the version deployed to the environment
/// (`<application>/<environment>/<profile>/<version>`), the same for every
/// attempt to deploy it; the deployment's number is an output.
pub fn deployment_id(inputs: &DeploymentInputs) -> String {
    format!(
        "{}/{}/{}/{}",
        inputs.application_id.as_str(),
        inputs.environment_id.as_str(),
        inputs.configuration_profile_id.as_str(),
        inputs.configuration_version.as_str()
    )
}

impl Deployment {
    /// GetDeployment, or `None` when it does not exist.
    async fn get(
        ctx: &Context,
        inputs: &DeploymentInputs,
        number: i32,
    ) -> Result<Option<GetDeploymentOutput>> {
        Ok(ctx
            .clients
            .appconfig
            .get_deployment()
            .application_id(inputs.application_id.as_str())
            .environment_id(inputs.environment_id.as_str())
            .deployment_number(number)
            .send()
            .await
            .aws(Service::AppConfig, "GetDeployment")
            .or_gone()?)
    }

    /// The deployment of `inputs`' version to the environment that carries
    /// `token` (started by a StartDeployment whose answer was lost), if any.
    async fn started_by(
        ctx: &Context,
        inputs: &DeploymentInputs,
        token: &CreationToken,
    ) -> Result<Option<GetDeploymentOutput>> {
        let application = inputs.application_id.as_str();
        let environment = inputs.environment_id.as_str();
        let mut pages = ctx
            .clients
            .appconfig
            .list_deployments()
            .application_id(application)
            .environment_id(environment)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.aws(Service::AppConfig, "ListDeployments")?;
            for summary in page.items().iter().filter(|d| {
                d.configuration_version() == Some(inputs.configuration_version.as_str())
            }) {
                let number = summary.deployment_number();
                let deployment_arn = arn(
                    ctx,
                    &format!(
                        "application/{application}/environment/{environment}/deployment/{number}"
                    ),
                )
                .await?;
                if token.is_on(ctx, &deployment_arn).await? {
                    return Self::get(ctx, inputs, number).await;
                }
            }
        }
        Ok(None)
    }

    /// The rollout and bake minutes of the recorded deployment `olds`, when
    /// it deploys `news`' version to `news`' environment and has not ended
    /// (it runs, or it completed after the wait on it was cut short).
    async fn still_running(
        ctx: &Context,
        olds: &DeploymentOutputs,
        news: &DeploymentInputs,
    ) -> Result<Option<(i32, i32)>> {
        if deployment_id(&olds.inputs) != deployment_id(news) {
            return Ok(None);
        }
        let Some(found) = Self::get(ctx, news, olds.deployment_number).await? else {
            return Ok(None);
        };
        Ok(match look(&found) {
            Look::Failed { .. } => None,
            _ => Some((
                found.deployment_duration_in_minutes(),
                found.final_bake_time_in_minutes(),
            )),
        })
    }

    /// Stops a deployment still in progress, so that AppConfig rolls it
    /// back instead of finishing it unattended. One that reached every
    /// target and is baking takes `AllowRevert`: StopDeployment "works only
    /// on deployments that have a status of DEPLOYING, unless an
    /// AllowRevert parameter is supplied" (API reference, StopDeployment).
    async fn stop(ctx: &Context, inputs: &DeploymentInputs, number: i32) -> Result<()> {
        let baking = Self::get(ctx, inputs, number)
            .await?
            .is_some_and(|found| found.state() == Some(&DeploymentState::Baking));
        ctx.clients
            .appconfig
            .stop_deployment()
            .application_id(inputs.application_id.as_str())
            .environment_id(inputs.environment_id.as_str())
            .deployment_number(number)
            .set_allow_revert(baking.then_some(true))
            .send()
            .await
            .aws(Service::AppConfig, "StopDeployment")
            .or_gone()?;
        Ok(())
    }

    /// Starts the deployment and waits for it to complete; one rolled back
    /// on an internal error is started again while the IAM propagation
    /// window and the time budget last.
    async fn deploy(
        ctx: &Context,
        inputs: &DeploymentInputs,
    ) -> Result<Created<DeploymentOutputs>> {
        let started = Instant::now();
        let mut pause = Duration::from_secs(2);
        loop {
            match Self::deploy_once(ctx, inputs, started).await? {
                Attempt::Done(created) => return Ok(*created),
                Attempt::InternalError {
                    what,
                    reason,
                    budget,
                } => {
                    let window = IAM_PROPAGATION_WINDOW.min(budget);
                    if started.elapsed() + pause >= window {
                        return Err(*reason);
                    }
                    ctx.info(format!(
                        "{what} was rolled back on an internal error (AppConfig recommends a new \
                         deployment, and a role it needs may still be propagating): starting another"
                    ))
                    .await;
                    tokio::select! {
                        _ = ctx.cancel.cancelled() => return Err(ProviderError::Cancelled),
                        _ = tokio::time::sleep(pause) => {}
                    }
                    pause = (pause * 2).min(Duration::from_secs(15));
                }
            }
        }
    }

    /// One StartDeployment, waited on until it completes or ends, within
    /// the budget counted from `started`.
    async fn deploy_once(
        ctx: &Context,
        inputs: &DeploymentInputs,
        started: Instant,
    ) -> Result<Attempt> {
        let application = inputs.application_id.as_str();
        let environment = inputs.environment_id.as_str();
        let version = inputs.configuration_version.as_str();
        let token = CreationToken::new(&ctx.urn);
        let started_deployment = ctx
            .clients
            .appconfig
            .start_deployment()
            .application_id(application)
            .environment_id(environment)
            .configuration_profile_id(inputs.configuration_profile_id.as_str())
            .configuration_version(version)
            .deployment_strategy_id(inputs.deployment_strategy_id.as_str())
            .set_description(inputs.description.clone())
            .set_tags(Some(token.with_tags(create_tags(ctx, &inputs.tags))))
            .send()
            .await
            .aws(Service::AppConfig, "StartDeployment");
        let (number, rollout, bake) = match started_deployment {
            Ok(deployment) => (
                deployment.deployment_number(),
                deployment.deployment_duration_in_minutes(),
                deployment.final_bake_time_in_minutes(),
            ),
            Err(error) if error.may_have_taken_effect() => {
                // An attempt got no answer: the deployment it started runs,
                // and the next attempt was refused because of it.
                let Some(found) = Self::started_by(ctx, inputs, &token).await? else {
                    return Err(error.into());
                };
                ctx.info(format!(
                    "StartDeployment got no answer; deployment {} is the one it started",
                    found.deployment_number()
                ))
                .await;
                (
                    found.deployment_number(),
                    found.deployment_duration_in_minutes(),
                    found.final_bake_time_in_minutes(),
                )
            }
            Err(error) if error.kind == AwsErrorKind::Conflict => {
                // Another deployment runs in the environment. When it deploys
                // this very version of this profile (an earlier `up` started
                // it and lost track of it: its answer, or the look for it,
                // failed), it does what was asked: follow it.
                let Some(found) = Self::running_same(ctx, inputs).await? else {
                    return Err(error.into());
                };
                ctx.info(format!(
                    "deployment {} already deploys version {version} of this profile; following it",
                    found.deployment_number()
                ))
                .await;
                (
                    found.deployment_number(),
                    found.deployment_duration_in_minutes(),
                    found.final_bake_time_in_minutes(),
                )
            }
            Err(error) => return Err(error.into()),
        };
        Self::follow(ctx, inputs, number, (rollout, bake), started).await
    }

    /// The deployment running in `inputs`' environment (AppConfig runs one
    /// at a time) when it deploys `inputs`' version of `inputs`' profile.
    async fn running_same(
        ctx: &Context,
        inputs: &DeploymentInputs,
    ) -> Result<Option<GetDeploymentOutput>> {
        let listed = ctx
            .clients
            .appconfig
            .list_deployments()
            .application_id(inputs.application_id.as_str())
            .environment_id(inputs.environment_id.as_str())
            .send()
            .await
            .aws(Service::AppConfig, "ListDeployments")?;
        // Newest first: a running deployment is the newest one.
        let Some(running) = listed.items().iter().find(|d| {
            matches!(
                d.state(),
                Some(
                    DeploymentState::Deploying
                        | DeploymentState::Baking
                        | DeploymentState::Validating
                )
            )
        }) else {
            return Ok(None);
        };
        if running.configuration_version() != Some(inputs.configuration_version.as_str()) {
            return Ok(None);
        }
        let found = Self::get(ctx, inputs, running.deployment_number()).await?;
        Ok(found.filter(|d| {
            d.configuration_profile_id() == Some(inputs.configuration_profile_id.as_str())
        }))
    }

    /// Waits on deployment `number` of `inputs`' version, which takes
    /// `rollout` and `bake` minutes, until it completes or ends, within the
    /// budget counted from `started`.
    async fn follow(
        ctx: &Context,
        inputs: &DeploymentInputs,
        number: i32,
        (rollout, bake): (i32, i32),
        started: Instant,
    ) -> Result<Attempt> {
        let application = inputs.application_id.as_str();
        let environment = inputs.environment_id.as_str();
        let version = inputs.configuration_version.as_str();
        let minutes = (rollout.max(0) + bake.max(0)) as u64;
        let default_timeout = Duration::from_secs(minutes * 60) + SETTLING_ALLOWANCE;
        ctx.info(format!(
            "AppConfig deployment {number} of version {version} to environment {environment}: \
             {rollout} min rollout, {bake} min bake"
        ))
        .await;
        let mut outputs = DeploymentOutputs {
            inputs: inputs.clone(),
            deployment_number: number,
            state: "DEPLOYING".to_owned(),
            arn: arn(
                ctx,
                &format!("application/{application}/environment/{environment}/deployment/{number}"),
            )
            .await?,
        };
        let what = format!("AppConfig deployment {number}");
        let waited = ctx
            .wait_for(&what, default_timeout, started, || async {
                let Some(found) = Self::get(ctx, inputs, number).await? else {
                    return Err(ProviderError::Failed {
                        reason: format!("{what} disappeared while it was running"),
                    });
                };
                Ok(match look(&found) {
                    Look::Running(status) => Progress::Waiting(status),
                    done => Progress::Done(done),
                })
            })
            .await;
        let reason = match waited {
            Ok(Look::Complete) => {
                outputs.state = COMPLETE.to_owned();
                ctx.info(format!("{what} complete: version {version} is served"))
                    .await;
                return Ok(Attempt::Done(Box::new(Created {
                    id: deployment_id(inputs),
                    outputs,
                })));
            }
            Ok(Look::Failed {
                state,
                reason,
                internal_error,
            }) => {
                outputs.state = state.clone();
                let reason = format!("{what} of version {version} was {state}: {reason}");
                if internal_error {
                    return Ok(Attempt::InternalError {
                        what,
                        budget: ctx.budget(default_timeout),
                        reason: Box::new(Self::recorded(inputs, &outputs, reason)?),
                    });
                }
                reason
            }
            Ok(Look::Running(_)) => unreachable!("a running deployment is waited on"),
            Err(error @ (ProviderError::Cancelled | ProviderError::Timeout { .. })) => {
                Self::stop(ctx, inputs, number).await?;
                if let Some(found) = Self::get(ctx, inputs, number).await? {
                    outputs.state = found
                        .state()
                        .map_or("UNKNOWN", DeploymentState::as_str)
                        .to_owned();
                }
                format!("{error}; {what} was stopped")
            }
            Err(error) => {
                format!("{error}")
            }
        };
        Err(Self::recorded(inputs, &outputs, reason)?)
    }

    /// The error of a deployment that did not complete: it exists, so it is
    /// recorded, and the next update starts it again.
    fn recorded(
        inputs: &DeploymentInputs,
        outputs: &DeploymentOutputs,
        reason: String,
    ) -> Result<ProviderError> {
        Ok(ProviderError::PartialFailure {
            id: deployment_id(inputs),
            outputs: Box::new(encode_plain(outputs)?),
            inputs: Box::new(encode_plain(inputs)?),
            reason,
        })
    }
}

/// How one deployment attempt ended.
enum Attempt {
    /// It completed.
    Done(Box<Created<DeploymentOutputs>>),
    /// AppConfig rolled it back on an internal error: `reason` is the error
    /// to return if no new deployment is started; `budget` the operation's.
    InternalError {
        what: String,
        reason: Box<ProviderError>,
        budget: Duration,
    },
}

#[async_trait]
impl CustomResource for Deployment {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:awsappconfig:Deployment";
    const UPDATABLE: &'static [&'static str] = &["deploymentStrategyId", "description", "tags"];

    type Inputs = DeploymentInputs;
    type Outputs = DeploymentOutputs;

    async fn create(
        &self,
        ctx: &Context,
        inputs: &DeploymentInputs,
    ) -> Result<Created<DeploymentOutputs>> {
        Self::deploy(ctx, inputs).await
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &DeploymentOutputs,
    ) -> Result<ReadOutcome<DeploymentInputs, DeploymentOutputs>> {
        let Some(found) = Self::get(ctx, &outputs.inputs, outputs.deployment_number).await? else {
            return Ok(ReadOutcome::Gone);
        };
        let mut inputs = outputs.inputs.clone();
        if let Some(version) = found.configuration_version()
            && inputs.configuration_version != version
        {
            inputs.configuration_version = Output::new(version.to_owned());
        }
        let read = DeploymentOutputs {
            inputs: inputs.clone(),
            state: found
                .state()
                .map_or_else(|| outputs.state.clone(), |s| s.as_str().to_owned()),
            ..outputs.clone()
        };
        // A deployment that ended without completing stays recorded as
        // failed (the engine keeps its error), as the create reported it.
        if let Look::Failed { state, reason, .. } = look(&found) {
            return Err(ProviderError::PartialFailure {
                id: id.to_owned(),
                outputs: Box::new(encode_plain(&read)?),
                inputs: Box::new(encode_plain(&inputs)?),
                reason: format!(
                    "AppConfig deployment {} of version {} was {state}: {reason}",
                    read.deployment_number,
                    inputs.configuration_version.as_str()
                ),
            });
        }
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: read,
            inputs,
        })
    }

    async fn update(
        &self,
        ctx: &Context,
        _id: &str,
        olds: &DeploymentOutputs,
        news: &DeploymentInputs,
    ) -> Result<DeploymentOutputs> {
        if olds.state != COMPLETE {
            // Recorded failed. One that still runs (the wait on it was cut
            // short: no answer, an interrupted `up`) is waited on again, as
            // AppConfig runs one deployment at a time; one that ended
            // (rolled back, stopped) is deployed again.
            if let Some(running) = Self::still_running(ctx, olds, news).await? {
                match Self::follow(ctx, news, olds.deployment_number, running, Instant::now())
                    .await?
                {
                    Attempt::Done(created) => return Ok(created.outputs),
                    Attempt::InternalError { .. } => {}
                }
            }
            return Ok(Self::deploy(ctx, news).await?.outputs);
        }
        if olds.inputs.tags != news.tags {
            retag(ctx, &olds.arn, &olds.inputs.tags, &news.tags).await?;
        }
        Ok(DeploymentOutputs {
            inputs: news.clone(),
            ..olds.clone()
        })
    }

    /// AppConfig keeps deployments as the environment's history (they go
    /// with it); one still running is stopped.
    async fn delete(&self, ctx: &Context, _id: &str, outputs: &DeploymentOutputs) -> Result<()> {
        let Some(found) = Self::get(ctx, &outputs.inputs, outputs.deployment_number).await? else {
            return Ok(());
        };
        if matches!(
            found.state(),
            Some(DeploymentState::Deploying | DeploymentState::Baking)
        ) {
            Self::stop(ctx, &outputs.inputs, outputs.deployment_number).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_appconfig::Client;
    use aws_sdk_appconfig::operation::start_deployment::StartDeploymentOutput;
    use aws_sdk_appconfig::types::{DeploymentEvent, TriggeredBy};
    use aws_smithy_mocks::mock;

    use super::*;
    use crate::resources::mock::mock_context;

    const ALARM: &str = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:fraud-errors";

    fn inputs() -> DeploymentInputs {
        DeploymentInputs {
            application_id: "abc1234".into(),
            environment_id: "env5678".into(),
            configuration_profile_id: "prof901".into(),
            configuration_version: "2".into(),
            deployment_strategy_id: "AppConfig.AllAtOnce".into(),
            description: None,
            tags: Tags::new(),
        }
    }

    fn started() -> StartDeploymentOutput {
        StartDeploymentOutput::builder()
            .deployment_number(4)
            .state(DeploymentState::Deploying)
            .deployment_duration_in_minutes(0)
            .final_bake_time_in_minutes(10)
            .build()
    }

    fn at(state: DeploymentState, percent: f32) -> GetDeploymentOutput {
        GetDeploymentOutput::builder()
            .deployment_number(4)
            .configuration_version("2")
            .state(state)
            .percentage_complete(percent)
            .build()
    }

    fn rolled_back() -> GetDeploymentOutput {
        GetDeploymentOutput::builder()
            .deployment_number(4)
            .state(DeploymentState::RolledBack)
            .event_log(
                DeploymentEvent::builder()
                    .event_type(DeploymentEventType::RollbackCompleted)
                    .triggered_by(TriggeredBy::CloudwatchAlarm)
                    .description("Rollback completed")
                    .build(),
            )
            .event_log(
                DeploymentEvent::builder()
                    .event_type(DeploymentEventType::RollbackStarted)
                    .triggered_by(TriggeredBy::CloudwatchAlarm)
                    .description(format!("Rollback initiated by alarm {ALARM}"))
                    .build(),
            )
            .build()
    }

    #[tokio::test(start_paused = true)]
    async fn the_deployment_is_waited_on_until_complete() {
        let start = mock!(Client::start_deployment)
            .match_requests(|req| {
                req.configuration_version() == Some("2")
                    && req.deployment_strategy_id() == Some("AppConfig.AllAtOnce")
            })
            .then_output(started);
        let get = mock!(Client::get_deployment)
            .sequence()
            .output(|| at(DeploymentState::Deploying, 0.0))
            .output(|| at(DeploymentState::Baking, 100.0))
            .output(|| at(DeploymentState::Complete, 100.0))
            .build();
        let ctx = mock_context::<Deployment>(&[&start, &get]).await;
        let created = Deployment.create(&ctx, &inputs()).await.unwrap();
        assert_eq!(created.id, "abc1234/env5678/prof901/2");
        assert_eq!(created.outputs.state, COMPLETE);
        assert_eq!((start.num_calls(), get.num_calls()), (1, 3));
    }

    fn another_one_bakes() -> aws_sdk_appconfig::operation::start_deployment::StartDeploymentError {
        aws_sdk_appconfig::operation::start_deployment::StartDeploymentError::generic(
            aws_smithy_types::error::ErrorMetadata::builder()
                .code("ConflictException")
                .message("Deployment 4 to environment env5678 is BAKING")
                .build(),
        )
    }

    fn listed(
        version: &'static str,
    ) -> aws_sdk_appconfig::operation::list_deployments::ListDeploymentsOutput {
        aws_sdk_appconfig::operation::list_deployments::ListDeploymentsOutput::builder()
            .items(
                aws_sdk_appconfig::types::DeploymentSummary::builder()
                    .deployment_number(4)
                    .configuration_version(version)
                    .state(DeploymentState::Baking)
                    .build(),
            )
            .build()
    }

    fn of_the_profile(state: DeploymentState) -> GetDeploymentOutput {
        GetDeploymentOutput::builder()
            .deployment_number(4)
            .configuration_profile_id("prof901")
            .configuration_version("2")
            .state(state)
            .deployment_duration_in_minutes(0)
            .final_bake_time_in_minutes(10)
            .build()
    }

    #[tokio::test(start_paused = true)]
    async fn a_running_deployment_of_the_same_version_is_followed_instead_of_refused() {
        // An earlier `up` started deployment 4 and lost track of it.
        let start = mock!(Client::start_deployment).then_error(another_one_bakes);
        let list = mock!(Client::list_deployments).then_output(|| listed("2"));
        let get = mock!(Client::get_deployment)
            .sequence()
            .output(|| of_the_profile(DeploymentState::Baking))
            .output(|| of_the_profile(DeploymentState::Baking))
            .output(|| of_the_profile(DeploymentState::Complete))
            .build();
        let ctx = mock_context::<Deployment>(&[&start, &list, &get]).await;
        let created = Deployment.create(&ctx, &inputs()).await.unwrap();
        assert_eq!(created.outputs.state, COMPLETE);
        assert_eq!(created.outputs.deployment_number, 4);
        assert_eq!(start.num_calls(), 1, "no second StartDeployment");
    }

    #[tokio::test(start_paused = true)]
    async fn a_running_deployment_of_another_version_keeps_the_conflict() {
        let start = mock!(Client::start_deployment).then_error(another_one_bakes);
        let list = mock!(Client::list_deployments).then_output(|| listed("1"));
        let ctx = mock_context::<Deployment>(&[&start, &list]).await;
        let error = Deployment
            .create(&ctx, &inputs())
            .await
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("ConflictException") && error.contains("BAKING"),
            "{error}"
        );
    }

    /// Rolled back by AppConfig on an internal error, as when the
    /// monitors' alarm role cannot be used yet.
    fn rolled_back_on_internal_error() -> GetDeploymentOutput {
        GetDeploymentOutput::builder()
            .deployment_number(4)
            .state(DeploymentState::RolledBack)
            .event_log(
                DeploymentEvent::builder()
                    .event_type(DeploymentEventType::RollbackStarted)
                    .triggered_by(TriggeredBy::InternalError)
                    .description("Unable to monitor alarm: try a new deployment")
                    .build(),
            )
            .build()
    }

    #[tokio::test(start_paused = true)]
    async fn a_rollback_on_an_internal_error_is_deployed_again_and_completes() {
        let start = mock!(Client::start_deployment).then_output(started);
        let get = mock!(Client::get_deployment)
            .sequence()
            .output(rolled_back_on_internal_error)
            .output(rolled_back_on_internal_error)
            .output(|| at(DeploymentState::Complete, 100.0))
            .build();
        let ctx = mock_context::<Deployment>(&[&start, &get]).await;
        let created = Deployment.create(&ctx, &inputs()).await.unwrap();
        assert_eq!(created.outputs.state, COMPLETE);
        assert_eq!(
            start.num_calls(),
            3,
            "one new deployment per internal error"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn internal_errors_past_the_propagation_window_fail_with_the_reason() {
        let start = mock!(Client::start_deployment).then_output(started);
        let get = mock!(Client::get_deployment).then_output(rolled_back_on_internal_error);
        let ctx = mock_context::<Deployment>(&[&start, &get]).await;
        let began = Instant::now();
        let error = Deployment.create(&ctx, &inputs()).await.unwrap_err();
        let ProviderError::PartialFailure { reason, .. } = error else {
            panic!("{error:?}")
        };
        assert!(reason.contains("INTERNAL_ERROR"), "{reason}");
        assert!(
            began.elapsed() <= IAM_PROPAGATION_WINDOW,
            "{:?}",
            began.elapsed()
        );
        assert!(start.num_calls() > 2, "{}", start.num_calls());
    }

    #[tokio::test(start_paused = true)]
    async fn internal_errors_stop_at_the_custom_timeout() {
        let start = mock!(Client::start_deployment).then_output(started);
        let get = mock!(Client::get_deployment).then_output(rolled_back_on_internal_error);
        let mut ctx = mock_context::<Deployment>(&[&start, &get]).await;
        ctx.timeout = Some(Duration::from_secs(10));
        let began = Instant::now();
        Deployment.create(&ctx, &inputs()).await.unwrap_err();
        assert!(
            began.elapsed() <= Duration::from_secs(10),
            "{:?}",
            began.elapsed()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_rollback_fails_naming_the_alarm_and_records_the_deployment() {
        let start = mock!(Client::start_deployment).then_output(started);
        let get = mock!(Client::get_deployment).then_output(rolled_back);
        let ctx = mock_context::<Deployment>(&[&start, &get]).await;
        let error = Deployment.create(&ctx, &inputs()).await.unwrap_err();
        let ProviderError::PartialFailure {
            id,
            reason,
            outputs,
            ..
        } = error
        else {
            panic!("expected a partial failure, got {error:?}");
        };
        assert_eq!(id, "abc1234/env5678/prof901/2");
        assert!(reason.contains("ROLLED_BACK"), "{reason}");
        assert!(reason.contains(ALARM), "{reason}");
        assert!(reason.contains("CLOUDWATCH_ALARM"), "{reason}");
        let recorded: DeploymentOutputs =
            framework::decode(&outputs).expect("recorded outputs decode");
        assert_eq!(recorded.state, "ROLLED_BACK");
        assert_eq!(recorded.deployment_number, 4);
    }

    #[tokio::test(start_paused = true)]
    async fn a_custom_timeout_stops_the_deployment() {
        let start = mock!(Client::start_deployment).then_output(started);
        let get = mock!(Client::get_deployment).then_output(|| at(DeploymentState::Baking, 100.0));
        let stop = mock!(Client::stop_deployment).then_output(|| {
            aws_sdk_appconfig::operation::stop_deployment::StopDeploymentOutput::builder().build()
        });
        let mut ctx = mock_context::<Deployment>(&[&start, &get, &stop]).await;
        ctx.timeout = Some(Duration::from_secs(60));
        let error = Deployment.create(&ctx, &inputs()).await.unwrap_err();
        let ProviderError::PartialFailure { reason, .. } = error else {
            panic!("expected a partial failure, got {error:?}");
        };
        assert!(reason.contains("timed out after 60 s"), "{reason}");
        assert_eq!(stop.num_calls(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_deployment_cancelled_while_baking_is_stopped_with_allow_revert() {
        // AppConfig refuses to stop a BAKING deployment without AllowRevert.
        let start = mock!(Client::start_deployment).then_output(started);
        let get = mock!(Client::get_deployment).then_output(|| at(DeploymentState::Baking, 100.0));
        let stop = mock!(Client::stop_deployment)
            .match_requests(|r| r.allow_revert() == Some(true))
            .then_output(|| {
                aws_sdk_appconfig::operation::stop_deployment::StopDeploymentOutput::builder()
                    .build()
            });
        let ctx = mock_context::<Deployment>(&[&start, &get, &stop]).await;
        ctx.cancel.cancel();
        let error = Deployment.create(&ctx, &inputs()).await.unwrap_err();
        let ProviderError::PartialFailure { reason, .. } = error else {
            panic!("expected a partial failure, got {error:?}");
        };
        assert!(reason.contains("was stopped"), "{reason}");
        assert_eq!(stop.num_calls(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_deployment_cancelled_while_deploying_is_stopped_without_allow_revert() {
        let start = mock!(Client::start_deployment).then_output(started);
        let get =
            mock!(Client::get_deployment).then_output(|| at(DeploymentState::Deploying, 40.0));
        let stop = mock!(Client::stop_deployment)
            .match_requests(|r| r.allow_revert().is_none())
            .then_output(|| {
                aws_sdk_appconfig::operation::stop_deployment::StopDeploymentOutput::builder()
                    .build()
            });
        let ctx = mock_context::<Deployment>(&[&start, &get, &stop]).await;
        ctx.cancel.cancel();
        let error = Deployment.create(&ctx, &inputs()).await.unwrap_err();
        assert!(
            matches!(error, ProviderError::PartialFailure { .. }),
            "{error:?}"
        );
        assert_eq!(stop.num_calls(), 1);
    }

    #[test]
    fn a_new_strategy_is_no_redeploy_but_a_new_version_is() {
        assert!(Deployment::UPDATABLE.contains(&"deploymentStrategyId"));
        assert!(!Deployment::UPDATABLE.contains(&"configurationVersion"));
    }

    #[tokio::test(start_paused = true)]
    async fn an_update_of_a_rolled_back_deployment_deploys_again() {
        let start = mock!(Client::start_deployment).then_output(started);
        // Deployment 3, the one recorded, was rolled back; 4 completes.
        let recorded = mock!(Client::get_deployment)
            .match_requests(|r| r.deployment_number() == Some(3))
            .then_output(rolled_back);
        let get =
            mock!(Client::get_deployment).then_output(|| at(DeploymentState::Complete, 100.0));
        let ctx = mock_context::<Deployment>(&[&start, &recorded, &get]).await;
        let olds = DeploymentOutputs {
            inputs: inputs(),
            deployment_number: 3,
            state: "ROLLED_BACK".into(),
            arn: "arn".into(),
        };
        let outputs = Deployment
            .update(&ctx, "abc1234/env5678/prof901/2", &olds, &inputs())
            .await
            .unwrap();
        assert_eq!(
            (outputs.deployment_number, outputs.state.as_str()),
            (4, COMPLETE)
        );
        assert_eq!(start.num_calls(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn an_update_of_a_deployment_whose_wait_was_cut_short_waits_on_it_again() {
        // The create's wait on deployment 3 got no answer; it still runs.
        let start = mock!(Client::start_deployment).then_output(started);
        let get = mock!(Client::get_deployment)
            .sequence()
            .output(|| at(DeploymentState::Baking, 100.0))
            .times(2)
            .output(|| at(DeploymentState::Complete, 100.0))
            .build();
        let ctx = mock_context::<Deployment>(&[&start, &get]).await;
        let olds = DeploymentOutputs {
            inputs: inputs(),
            deployment_number: 3,
            state: "DEPLOYING".into(),
            arn: "arn".into(),
        };
        let outputs = Deployment
            .update(&ctx, "abc1234/env5678/prof901/2", &olds, &inputs())
            .await
            .unwrap();
        assert_eq!(
            (outputs.deployment_number, outputs.state.as_str()),
            (3, COMPLETE)
        );
        // AppConfig runs one deployment at a time: none is started.
        assert_eq!(start.num_calls(), 0);
    }

    #[test]
    fn a_running_deployment_shows_its_progress() {
        assert_eq!(
            look(&at(DeploymentState::Deploying, 50.0)),
            Look::Running("DEPLOYING, 50% of clients".into())
        );
    }

    /// A stand-in AppConfig whose first StartDeployment starts deployment
    /// 4 with the request's tags and loses its answer; every later one is
    /// refused (deployment 4 is running). Deployment 3 of the same version,
    /// from another request, is listed too.
    async fn lost_start() -> crate::aws::scripted_aws::ScriptedAws {
        use crate::aws::scripted_aws::{Answer, ScriptedAws};
        use crate::resources::appconfig::lost_creates::TOKEN_TAG;
        let token = std::sync::Mutex::new(None::<String>);
        let deployments = "/applications/abc1234/environments/env5678/deployments";
        ScriptedAws::start(move |operation, body| {
            let mut token = token.lock().unwrap();
            if operation == format!("POST {deployments}") {
                if token.is_some() {
                    return Answer::Json(409, r#"{"Message":"Deployment 4 is DEPLOYING"}"#.into());
                }
                let request: serde_json::Value = serde_json::from_str(body).unwrap();
                *token = request["Tags"][TOKEN_TAG].as_str().map(str::to_owned);
                return Answer::Drop;
            }
            if operation == format!("GET {deployments}") {
                return Answer::Json(
                    200,
                    r#"{"Items":[{"DeploymentNumber":4,"ConfigurationVersion":"2"},
                        {"DeploymentNumber":3,"ConfigurationVersion":"2"}]}"#
                        .into(),
                );
            }
            if operation == format!("GET {deployments}/4") {
                return Answer::Json(
                    200,
                    r#"{"DeploymentNumber":4,"ConfigurationVersion":"2","State":"COMPLETE",
                        "PercentageComplete":100.0,"DeploymentDurationInMinutes":0,
                        "FinalBakeTimeInMinutes":0}"#
                        .into(),
                );
            }
            if let Some(arn) = operation.strip_prefix("GET /tags/") {
                let ours = arn.ends_with("deployment%2F4") || arn.ends_with("deployment/4");
                let value = if ours {
                    token.clone().unwrap_or_default()
                } else {
                    "other".into()
                };
                return Answer::Json(200, format!(r#"{{"Tags":{{"{TOKEN_TAG}":"{value}"}}}}"#));
            }
            if operation == "GetCallerIdentity" {
                return Answer::Json(
                    200,
                    "<GetCallerIdentityResponse><GetCallerIdentityResult>\
                     <Account>123456789012</Account></GetCallerIdentityResult>\
                     </GetCallerIdentityResponse>"
                        .into(),
                );
            }
            Answer::Json(400, format!(r#"{{"Message":"unexpected {operation}"}}"#))
        })
        .await
    }

    #[tokio::test]
    async fn a_deployment_whose_start_lost_its_answer_is_adopted_not_refused() {
        let aws = lost_start().await;
        let ctx = crate::resources::mock::context_with::<Deployment>(aws.clients(3).await);
        let created = Deployment.create(&ctx, &inputs()).await.unwrap();
        assert_eq!(created.outputs.deployment_number, 4);
        assert_eq!(created.outputs.state, "COMPLETE");
        assert!(
            created
                .outputs
                .arn
                .ends_with("environment/env5678/deployment/4")
        );
        assert_eq!(
            aws.count("POST /applications/abc1234/environments/env5678/deployments"),
            2
        );
    }
}
