//! What a Deployment takes besides the two documents: settings the seed
//! has no key for, passed through to the parts that use them, in those
//! parts' own types where the parts have one.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::components::async_endpoint::AsyncAutoscalingArgs;
use crate::components::monitor_dashboard::AlarmThresholds;
use crate::components::realtime_endpoint::AutoscalingArgs;
use crate::components::workflow::{EvaluationArgs, TrainingArgs};
use crate::resources::Tags;
use crate::resources::sagemaker::endpoint::RolloutPolicy;

/// The inputs of a Deployment besides the documents and the environment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeploymentOptions {
    /// Local artifacts to upload, by `ModelName`.
    pub local_artifacts: BTreeMap<String, String>,
    /// Delete the buckets and their objects on destroy.
    pub force_destroy: bool,
    /// Tags on every AWS object.
    pub tags: Tags,
    /// Real-time endpoints: autoscaling per variant.
    pub autoscaling: Option<AutoscalingArgs>,
    /// Asynchronous endpoints: backlog autoscaling per variant.
    pub async_autoscaling: Option<AsyncAutoscalingArgs>,
    /// Real-time and asynchronous endpoints: the blue/green rollout.
    pub rollout: Option<RolloutPolicy>,
    /// Real-time endpoints: the share of requests captured.
    pub data_capture_sampling_percentage: Option<u32>,
    /// Monitoring: the alarm thresholds.
    pub alarms: Option<AlarmThresholds>,
    /// Monitoring: e-mail addresses subscribed to the alarm topic.
    pub alarm_emails: Vec<String>,
    /// The retraining workflow's settings.
    pub workflow: Option<WorkflowSettings>,
}

/// The retraining workflow of an environment with `enableWorkflow`: what
/// the documents do not say about it. The execution role, the endpoint,
/// its variants and models, the key and the default threshold
/// (`modelParameters.inference.thresholds`) come from the Deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkflowSettings {
    /// The training job (Workflow's `training`); `inputS3Uri` and
    /// `outputS3Uri` default to the Deployment's buckets.
    pub training: WorkflowTraining,
    /// How a trained version is judged (Workflow's `evaluation`).
    pub evaluation: EvaluationArgs,
    /// Prefix of the workflow's names (Workflow's `workflowName`, 1-23
    /// characters); default: the project name, shortened, and the stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_name: Option<String>,
    /// Roll approved versions out to the endpoint (default true; real-time
    /// and serverless endpoints only).
    #[serde(default = "yes")]
    pub auto_deploy: bool,
    /// The variant that receives new versions (default: the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_name: Option<String>,
    /// Start an execution on this schedule, e.g. `rate(7 days)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_expression: Option<String>,
    /// Seconds between two looks at the endpoint while it updates (default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_seconds: Option<u32>,
    /// Days the execution logs are kept (default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_retention_in_days: Option<u32>,
    /// Name of the model package group (default `<workflowName>-models`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_package_group_name: Option<String>,
}

fn yes() -> bool {
    true
}

/// Workflow's `training`, with the S3 locations optional: the Deployment
/// knows its buckets, which its execution role may use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkflowTraining {
    /// The training image (ECR URI).
    pub image: String,
    /// S3 prefix of the training data, channel `train` (default
    /// `s3://<modelArtifactBucketName>/<s3KeyPrefix>training-data/`, which
    /// the execution role may read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_s3_uri: Option<String>,
    /// S3 prefix the trained artifacts are written under (default
    /// `s3://<asyncOutputBucketName>/training/`, which the execution role
    /// may write).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_s3_uri: Option<String>,
    /// The training instance type (default `ml.m5.xlarge`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    /// The number of training instances (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_count: Option<u32>,
    /// Storage per training instance in GB (default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_size_in_gb: Option<u32>,
    /// The job's time limit in seconds (default 86400).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_runtime_in_seconds: Option<u32>,
    /// Hyperparameters.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hyperparameters: BTreeMap<String, String>,
    /// A regular expression that finds the metric in the algorithm's log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_regex: Option<String>,
}

impl WorkflowTraining {
    /// Workflow's `training`: these settings over its defaults, the S3
    /// locations `input` and `output` where not given.
    pub fn training_args(&self, input: &str, output: &str) -> TrainingArgs {
        let mut given = serde_json::to_value(self).unwrap_or_default();
        if let Some(object) = given.as_object_mut() {
            object.entry("inputS3Uri").or_insert_with(|| input.into());
            object.entry("outputS3Uri").or_insert_with(|| output.into());
        }
        serde_json::from_value(given).expect("WorkflowTraining has the fields of TrainingArgs")
    }
}
