//! A `modelList` entry's settings as an inference component (its optional
//! `InferenceComponent` field), in the seed's PascalCase.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::resources::sagemaker::inference_component::ComputeRequirements;

/// What one copy of the model needs (SageMaker's
/// InferenceComponentComputeResourceRequirements).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComputeSettings {
    /// CPU cores per copy (at least 0.25).
    #[serde(
        rename = "NumberOfCpuCoresRequired",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub number_of_cpu_cores_required: Option<f64>,
    /// Memory reserved per copy, in MB (at least 128).
    #[serde(rename = "MinMemoryRequiredInMb")]
    pub min_memory_required_in_mb: u32,
    /// Most memory a copy may use, in MB.
    #[serde(
        rename = "MaxMemoryRequiredInMb",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub max_memory_required_in_mb: Option<u32>,
    /// GPUs or Inferentia/Trainium devices per copy.
    #[serde(
        rename = "NumberOfAcceleratorDevicesRequired",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub number_of_accelerator_devices_required: Option<f64>,
}

impl ComputeSettings {
    /// The requirements as the InferenceComponent resource takes them.
    pub fn requirements(&self) -> ComputeRequirements {
        ComputeRequirements {
            number_of_cpu_cores_required: self.number_of_cpu_cores_required,
            min_memory_required_in_mb: self.min_memory_required_in_mb,
            max_memory_required_in_mb: self.max_memory_required_in_mb,
            number_of_accelerator_devices_required: self.number_of_accelerator_devices_required,
        }
    }
}

/// Autoscaling of the component's copies: target tracking on concurrent
/// requests per copy, and with `MinCopies` 0 the wake-up policy on
/// `NoCapacityInvocationFailures`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyScaling {
    /// Fewest copies; 0 scales the component to zero when idle.
    #[serde(rename = "MinCopies", default)]
    pub min_copies: u32,
    /// Most copies.
    #[serde(rename = "MaxCopies")]
    pub max_copies: u32,
    /// Concurrent requests per copy to hold.
    #[serde(rename = "TargetConcurrentRequestsPerCopy", default = "default_target")]
    pub target_concurrent_requests_per_copy: f64,
    /// Seconds after a scale-in before the next.
    #[serde(rename = "ScaleInCooldown", default = "default_scale_in")]
    pub scale_in_cooldown: u32,
    /// Seconds after a scale-out before the next.
    #[serde(rename = "ScaleOutCooldown", default = "default_scale_out")]
    pub scale_out_cooldown: u32,
}

fn default_target() -> f64 {
    5.0
}

fn default_scale_in() -> u32 {
    300
}

fn default_scale_out() -> u32 {
    60
}

/// A model's settings as an inference component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InferenceComponentSettings {
    /// What one copy needs.
    #[serde(rename = "ComputeRequirements")]
    pub compute_requirements: ComputeSettings,
    /// Copies at creation (at least 1).
    #[serde(rename = "CopyCount", default = "one")]
    pub copy_count: u32,
    /// Autoscaling of the copies.
    #[serde(rename = "Scaling", default, skip_serializing_if = "Option::is_none")]
    pub scaling: Option<CopyScaling>,
    /// Seconds SageMaker waits for a copy's container health check.
    #[serde(
        rename = "ContainerStartupHealthCheckTimeoutInSeconds",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub container_startup_health_check_timeout_in_seconds: Option<u32>,
    /// Seconds SageMaker allows to download the model for a copy.
    #[serde(
        rename = "ModelDataDownloadTimeoutInSeconds",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub model_data_download_timeout_in_seconds: Option<u32>,
}

fn one() -> u32 {
    1
}

impl InferenceComponentSettings {
    /// The most copies the component may have: its scaling maximum, or its
    /// copies.
    pub fn most_copies(&self) -> u32 {
        self.scaling.as_ref().map_or(self.copy_count, |scaling| {
            scaling.max_copies.max(self.copy_count)
        })
    }
}
