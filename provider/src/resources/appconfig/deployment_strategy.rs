//! `sagemaker-deployment:appconfig:DeploymentStrategy`: how fast a
//! deployment reaches all clients, and how long AppConfig then watches the
//! alarms before calling it complete.

use async_trait::async_trait;
use aws_sdk_appconfig::types::{GrowthType as SdkGrowthType, ReplicateTo};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::lost_creates::{CreationToken, Sibling, left_for, settle};
use super::{arn, create_tags, name_problem};
use crate::Context;
use crate::aws::{AttemptLog, OrGone, ResultExt, Service};
use crate::resources::Tags;
use framework::Result;
use framework::{Created, CustomResource, Failures, ReadOutcome};

/// Longest deployment or bake time, in minutes (API reference,
/// CreateDeploymentStrategy `DeploymentDurationInMinutes` and
/// `FinalBakeTimeInMinutes`: "Maximum value of 1440").
pub const MAX_MINUTES: u32 = 1440;

/// How the share of clients receiving the configuration grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum GrowthType {
    /// In equal steps of `growthFactor` percent.
    Linear,
    /// Doubling from `growthFactor` percent: G*(2^N).
    Exponential,
}

fn linear() -> GrowthType {
    GrowthType::Linear
}

/// A custom AppConfig deployment strategy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentStrategyInputs {
    /// The strategy name (1-64 characters).
    pub name: String,
    /// Minutes a deployment takes to reach all clients (0-1440).
    pub deployment_duration_in_minutes: u32,
    /// Percentage of clients added at each step (1-100).
    pub growth_factor: f64,
    /// How the percentage grows; `LINEAR` by default.
    #[serde(default = "linear")]
    pub growth_type: GrowthType,
    /// Minutes AppConfig watches the alarms after reaching all clients
    /// before the deployment is complete (0-1440).
    #[serde(default)]
    pub final_bake_time_in_minutes: u32,
    /// Tags on the strategy.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// The strategy as created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentStrategyOutputs {
    /// The inputs the strategy was created with.
    #[serde(flatten)]
    pub inputs: DeploymentStrategyInputs,
    /// The strategy id AppConfig chose.
    pub deployment_strategy_id: String,
    /// The strategy ARN.
    pub arn: String,
}

/// The deployment strategy resource. Any change replaces it: a strategy is
/// cheap, and a deployment copies its settings when it starts.
pub struct DeploymentStrategy;

/// Checks a strategy's numbers against the API reference's limits, with
/// `prefix` before each property name (e.g. `deploymentStrategy.`).
pub fn check_numbers(
    prefix: &str,
    duration: u32,
    growth_factor: f64,
    bake: u32,
    failures: &mut Failures,
) {
    failures.require(
        duration <= MAX_MINUTES,
        format!("{prefix}deploymentDurationInMinutes"),
        format!("must be 0-{MAX_MINUTES} minutes, got {duration}"),
    );
    failures.require(
        bake <= MAX_MINUTES,
        format!("{prefix}finalBakeTimeInMinutes"),
        format!("must be 0-{MAX_MINUTES} minutes, got {bake}"),
    );
    // API reference, CreateDeploymentStrategy `GrowthFactor`: "Minimum
    // value of 1.0. Maximum value of 100.0."
    failures.require(
        (1.0..=100.0).contains(&growth_factor),
        format!("{prefix}growthFactor"),
        format!("must be 1-100 percent, got {growth_factor}"),
    );
}

/// The deployment strategys named `name`.
async fn named_strategies(ctx: &Context, name: &str) -> Result<Vec<Sibling>> {
    let mut found = Vec::new();
    let mut pages = ctx
        .clients
        .appconfig
        .list_deployment_strategies()
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.aws(Service::AppConfig, "ListDeploymentStrategies")?;
        for item in page.items().iter().filter(|i| i.name() == Some(name)) {
            let id = item.id().unwrap_or_default().to_owned();
            found.push(Sibling {
                arn: arn(ctx, &format!("deploymentstrategy/{id}")).await?,
                id,
            });
        }
    }
    Ok(found)
}

#[async_trait]
impl CustomResource for DeploymentStrategy {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:awsappconfig:DeploymentStrategy";

    type Inputs = DeploymentStrategyInputs;
    type Outputs = DeploymentStrategyOutputs;

    fn check(&self, inputs: &DeploymentStrategyInputs) -> Failures {
        let mut failures = Failures::new();
        if let Some(problem) = name_problem(&inputs.name) {
            failures.push("name", problem);
        }
        check_numbers(
            "",
            inputs.deployment_duration_in_minutes,
            inputs.growth_factor,
            inputs.final_bake_time_in_minutes,
            &mut failures,
        );
        failures
    }

    async fn create(
        &self,
        ctx: &Context,
        inputs: &DeploymentStrategyInputs,
    ) -> Result<Created<DeploymentStrategyOutputs>> {
        let growth_type = match inputs.growth_type {
            GrowthType::Linear => SdkGrowthType::Linear,
            GrowthType::Exponential => SdkGrowthType::Exponential,
        };
        let token = CreationToken::new(&ctx.urn);
        let log = AttemptLog::default();
        let created = ctx
            .clients
            .appconfig
            .create_deployment_strategy()
            .name(&inputs.name)
            .deployment_duration_in_minutes(inputs.deployment_duration_in_minutes as i32)
            .growth_factor(inputs.growth_factor as f32)
            .growth_type(growth_type)
            .final_bake_time_in_minutes(inputs.final_bake_time_in_minutes as i32)
            .replicate_to(ReplicateTo::None)
            .set_tags(Some(token.with_tags(create_tags(ctx, &inputs.tags))))
            .customize()
            .interceptor(log.clone())
            .send()
            .await
            .aws(Service::AppConfig, "CreateDeploymentStrategy")
            .map(|created| created.id().unwrap_or_default().to_owned());
        let id = settle(
            ctx,
            "deployment strategy",
            &log,
            created,
            || async {
                token
                    .carried_by(ctx, named_strategies(ctx, &inputs.name).await?)
                    .await
            },
            |id| async move {
                ctx.clients
                    .appconfig
                    .delete_deployment_strategy()
                    .deployment_strategy_id(id)
                    .send()
                    .await
                    .aws(Service::AppConfig, "DeleteDeploymentStrategy")
                    .map(|_| ())
            },
        )
        .await?;
        Ok(Created {
            outputs: DeploymentStrategyOutputs {
                inputs: inputs.clone(),
                arn: arn(ctx, &format!("deploymentstrategy/{id}")).await?,
                deployment_strategy_id: id.clone(),
            },
            id,
        })
    }

    /// An object of this name (and parent) whose creation token was made
    /// for this resource: an earlier create of it, interrupted, made it.
    async fn left_by_an_interrupted_create(
        &self,
        ctx: &Context,
        inputs: &DeploymentStrategyInputs,
    ) -> Result<Option<String>> {
        left_for(ctx, named_strategies(ctx, &inputs.name).await?).await
    }

    /// A pending create's object, found by the id given to `pulumi refresh
    /// --import-pending-creates`: read as if the create had answered.
    async fn adopt(
        &self,
        ctx: &Context,
        id: &str,
        inputs: &DeploymentStrategyInputs,
    ) -> Result<ReadOutcome<DeploymentStrategyInputs, DeploymentStrategyOutputs>> {
        let outputs = DeploymentStrategyOutputs {
            inputs: inputs.clone(),
            deployment_strategy_id: id.to_owned(),
            arn: arn(ctx, &format!("deploymentstrategy/{id}")).await?,
        };
        self.read(ctx, id, &outputs).await
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &DeploymentStrategyOutputs,
    ) -> Result<ReadOutcome<DeploymentStrategyInputs, DeploymentStrategyOutputs>> {
        let Some(found) = ctx
            .clients
            .appconfig
            .get_deployment_strategy()
            .deployment_strategy_id(id)
            .send()
            .await
            .aws(Service::AppConfig, "GetDeploymentStrategy")
            .or_gone()?
        else {
            return Ok(ReadOutcome::Gone);
        };
        let recorded = &outputs.inputs;
        // The factor travels as a 32-bit float: keep the recorded value
        // unless it really changed.
        let growth_factor = match found.growth_factor() {
            Some(live) if (f64::from(live) - recorded.growth_factor).abs() > 1e-4 => {
                f64::from(live)
            }
            _ => recorded.growth_factor,
        };
        let inputs = DeploymentStrategyInputs {
            name: found.name().unwrap_or_default().to_owned(),
            deployment_duration_in_minutes: found.deployment_duration_in_minutes().max(0) as u32,
            final_bake_time_in_minutes: found.final_bake_time_in_minutes().max(0) as u32,
            growth_factor,
            growth_type: match found.growth_type() {
                Some(SdkGrowthType::Exponential) => GrowthType::Exponential,
                _ => GrowthType::Linear,
            },
            tags: recorded.tags.clone(),
        };
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: DeploymentStrategyOutputs {
                inputs: inputs.clone(),
                ..outputs.clone()
            },
            inputs,
        })
    }

    async fn delete(
        &self,
        ctx: &Context,
        id: &str,
        _outputs: &DeploymentStrategyOutputs,
    ) -> Result<()> {
        ctx.clients
            .appconfig
            .delete_deployment_strategy()
            .deployment_strategy_id(id)
            .send()
            .await
            .aws(Service::AppConfig, "DeleteDeploymentStrategy")
            .or_gone()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_appconfig::Client;
    use aws_sdk_appconfig::operation::create_deployment_strategy::CreateDeploymentStrategyOutput;
    use aws_smithy_mocks::mock;

    use super::*;
    use crate::resources::mock::mock_context;

    fn inputs(duration: u32, factor: f64, bake: u32) -> DeploymentStrategyInputs {
        DeploymentStrategyInputs {
            name: "fraud-linear".into(),
            deployment_duration_in_minutes: duration,
            growth_factor: factor,
            growth_type: GrowthType::Linear,
            final_bake_time_in_minutes: bake,
            tags: Tags::new(),
        }
    }

    #[tokio::test]
    async fn the_strategy_is_created_as_asked() {
        let create = mock!(Client::create_deployment_strategy)
            .match_requests(|req| {
                req.deployment_duration_in_minutes() == Some(10)
                    && req.growth_factor() == Some(25.0)
                    && req.growth_type() == Some(&SdkGrowthType::Linear)
                    && req.final_bake_time_in_minutes() == Some(5)
            })
            .then_output(|| {
                CreateDeploymentStrategyOutput::builder()
                    .id("strat12")
                    .build()
            });
        let ctx = mock_context::<DeploymentStrategy>(&[&create]).await;
        let created = DeploymentStrategy
            .create(&ctx, &inputs(10, 25.0, 5))
            .await
            .unwrap();
        assert_eq!(created.id, "strat12");
        assert_eq!(create.num_calls(), 1);
    }

    #[test]
    fn numbers_outside_the_api_limits_fail_preview() {
        let failures: Vec<String> = DeploymentStrategy
            .check(&inputs(2000, 0.5, 1441))
            .into_vec()
            .into_iter()
            .map(|f| f.to_string())
            .collect();
        assert_eq!(
            failures,
            [
                "deploymentDurationInMinutes: must be 0-1440 minutes, got 2000",
                "finalBakeTimeInMinutes: must be 0-1440 minutes, got 1441",
                "growthFactor: must be 1-100 percent, got 0.5",
            ]
        );
    }
}
