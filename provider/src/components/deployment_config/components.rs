//! An environment's `componentsConfig`: the instances of an
//! inference-component endpoint (`inferenceType` `components`) and how a
//! new model version rolls out to its component. What each model needs is
//! its own `modelList` entry's `InferenceComponent`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::resources::sagemaker::inference_component::RollingUpdate;

/// The inference-component endpoint of an environment with `inferenceType`
/// `components`; every setting has a default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ComponentsSettings {
    /// The instance type of the endpoint (default: the first model's
    /// `InstanceType`); every component's copies run on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    /// Instances at creation (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_instance_count: Option<u32>,
    /// Fewest instances managed instance scaling keeps (default 0: the
    /// endpoint scales to zero instances when no component has a copy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_instance_count: Option<u32>,
    /// Most instances managed instance scaling may launch (default 1); the
    /// components' most copies times their compute requirements must fit
    /// this many instances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_instance_count: Option<u32>,
    /// `LEAST_OUTSTANDING_REQUESTS` or `RANDOM` (SageMaker's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_strategy: Option<String>,
    /// How a new model version replaces a component's copies; with
    /// `enableMonitoring`, and no `rollbackAlarms` of its own, the
    /// dashboard's rollback alarms roll it back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolling_update: Option<RollingUpdate>,
}
