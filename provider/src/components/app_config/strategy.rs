//! The deployment strategy of the AppConfig component: a predefined one by
//! name, or a custom one created with it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::AppConfigArgs;
use crate::resources::Tags;
use crate::resources::appconfig::deployment_strategy::{
    DeploymentStrategyInputs, GrowthType, check_numbers,
};
use framework::Failures;

/// AppConfig's predefined strategies (AppConfig User Guide, "Using
/// predefined deployment strategies").
pub const PREDEFINED: &[&str] = &[
    "AppConfig.AllAtOnce",
    "AppConfig.Linear50PercentEvery30Seconds",
    "AppConfig.Linear20PercentEvery6Minutes",
    "AppConfig.Canary10Percent20Minutes",
];

/// A custom strategy's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomStrategy {
    /// Minutes a deployment takes to reach all clients (0-1440).
    pub deployment_duration_in_minutes: u32,
    /// Percentage of clients added at each step (1-100).
    pub growth_factor: f64,
    /// `LINEAR` (the default) or `EXPONENTIAL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub growth_type: Option<GrowthType>,
    /// Minutes the alarms are watched after reaching all clients (0-1440).
    #[serde(default)]
    pub final_bake_time_in_minutes: u32,
}

impl CustomStrategy {
    /// The strategy resource's inputs, named `name`.
    pub fn inputs(&self, name: String, tags: Tags) -> DeploymentStrategyInputs {
        DeploymentStrategyInputs {
            name,
            deployment_duration_in_minutes: self.deployment_duration_in_minutes,
            growth_factor: self.growth_factor,
            growth_type: self.growth_type.unwrap_or(GrowthType::Linear),
            final_bake_time_in_minutes: self.final_bake_time_in_minutes,
            tags,
        }
    }
}

/// The strategy used when none is given: all at once in `dev`, a canary
/// elsewhere.
pub fn default_strategy(stage: &str) -> &'static str {
    if stage == "dev" {
        "AppConfig.AllAtOnce"
    } else {
        "AppConfig.Canary10Percent20Minutes"
    }
}

/// Checks the strategy arguments.
pub fn check(args: &AppConfigArgs, failures: &mut Failures) {
    if args.deployment_strategy.is_some() && args.custom_deployment_strategy.is_some() {
        failures.push(
            "customDeploymentStrategy",
            "give either deploymentStrategy (a predefined one) or customDeploymentStrategy, not both",
        );
    }
    if let Some(name) = &args.deployment_strategy {
        failures.require(
            PREDEFINED.contains(&name.as_str()),
            "deploymentStrategy",
            format!(
                "must be one of AppConfig's predefined strategies ({}), got `{name}`; use customDeploymentStrategy for your own",
                PREDEFINED.join(", ")
            ),
        );
    }
    if let Some(custom) = &args.custom_deployment_strategy {
        check_numbers(
            "customDeploymentStrategy.",
            custom.deployment_duration_in_minutes,
            custom.growth_factor,
            custom.final_bake_time_in_minutes,
            failures,
        );
    }
}
