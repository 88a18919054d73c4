//! The workflow's state machine, in the Amazon States Language: a pure
//! function from a [`WorkflowPlan`] to the definition document.
//!
//! ```text
//! NameExecution -> Train -> HasMetrics -> StartMetricSearch -> MetricLeft -> LookAtMetric -> IsWantedMetric
//!                   |          |                                 ^    |                         |      |
//!                   |          '--> MetricMissing (Fail) <-------+----'       NextMetric <------'      |
//!                   '--> TrainingFailed (Fail)                   '----------------'                    v
//! PickMetric -> Evaluate -+-> Approve -+-> Register -> ShouldDeploy -> NotDeployed (Succeed) when rejected
//!                         '-> Reject --'                               or autoDeploy is off
//! ShouldDeploy -> DescribeCurrentEndpoint -> DescribeCurrentConfig -> CreateModel -> HasDataCapture
//!   -> CreateEndpointConfig | CreateEndpointConfigWithCapture -> UpdateEndpoint
//!   -> WaitForEndpoint -> DescribeEndpoint -> CheckEndpoint -+-> IsPreviousConfigTheWorkflows
//!                 ^                                          +-> WaitForEndpoint (still updating)
//!                 '------------------------------------------+-> IsNewVersionRunning -> [DiscardNewConfig
//!   -> DiscardNewModel] -> WhyNotDeployed -> DeploymentFailed / EndpointFailedWithReason / EndpointNotOnNewConfig (Fail)
//! IsPreviousConfigTheWorkflows -> [DeletePreviousConfig] -> IsPreviousModelTheWorkflows
//!   -> [DeletePreviousModel] -> Deployed (Succeed)
//! ```
//!
//! Sources: Step Functions Developer Guide, "Create and manage Amazon
//! SageMaker AI jobs with Step Functions" (the optimized `createTrainingJob.sync`,
//! `createModel`, `createEndpointConfig` and `updateEndpoint` integrations),
//! "Integrating services with the AWS SDK" (`arn:aws:states:::aws-sdk:sagemaker:*`
//! for `CreateModelPackage` and `DescribeEndpoint`), "Intrinsic functions"
//! (`States.Format`, `States.UUID`, `States.ArrayLength`, `States.ArrayGetItem`,
//! `States.MathAdd`: the metric is looked up by name with these, as reference
//! paths, rather than with a JSONPath filter), and the Choice,
//! Wait, Pass, Succeed and Fail state pages (`CausePath`, `IsPresent`).

use std::collections::BTreeMap;

use serde_json::{Value, json};

/// Longest name prefix of the objects an execution creates: with `-wf-` and
/// a 36-character UUID, a name stays within SageMaker's 63 characters. The
/// objects are named `<base><WORKFLOW_MARK><UUID drawn once per execution>`.
pub use crate::naming::{WORKFLOW_MARK, WORKFLOW_PREFIX_MAX as NAME_BASE_MAX};

/// What the state machine trains, how it judges the result, where it
/// registers it and, optionally, where it deploys it.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowPlan {
    /// Prefix of the training job, model and endpoint configuration names
    /// (at most [`NAME_BASE_MAX`] characters, SageMaker's name pattern).
    pub name_base: String,
    /// The SageMaker execution role the training job and the model use.
    pub execution_role_arn: String,
    /// The training job.
    pub training: TrainingPlan,
    /// The metric and its threshold.
    pub evaluation: EvaluationPlan,
    /// The model package group new versions are registered in.
    pub model_package_group_name: String,
    /// Where an approved version goes; nothing is deployed when `None`.
    pub deployment: Option<DeploymentPlan>,
}

/// A SageMaker training job.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingPlan {
    /// The training image.
    pub image: String,
    /// S3 prefix of the training data (channel `train`).
    pub input_s3_uri: String,
    /// S3 prefix the model artifacts are written under.
    pub output_s3_uri: String,
    /// The training instance type.
    pub instance_type: String,
    /// The number of training instances.
    pub instance_count: u32,
    /// Storage per training instance, in GB.
    pub volume_size_in_gb: u32,
    /// The job's time limit, in seconds.
    pub max_runtime_in_seconds: u32,
    /// Hyperparameters, as SageMaker takes them (strings).
    pub hyperparameters: BTreeMap<String, String>,
    /// How the algorithm's log reports the metric, when it is not a built-in
    /// algorithm's metric: a regular expression with one group.
    pub metric_regex: Option<String>,
}

/// The job's final metric against a threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationPlan {
    /// The metric's name in the job's `FinalMetricDataList`.
    pub metric_name: String,
    /// The value the metric must reach.
    pub threshold: f64,
    /// True when larger values are better (accuracy); false for losses.
    pub higher_is_better: bool,
}

/// The endpoint an approved version is rolled out to.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentPlan {
    /// The endpoint.
    pub endpoint_name: String,
    /// The variant that receives the new model.
    pub variant_name: String,
    /// The inference image of the new model.
    pub inference_image: String,
    /// The new model's container environment.
    pub environment: BTreeMap<String, String>,
    /// Every variant of the endpoint, in order; the others keep their model.
    pub variants: Vec<VariantPlan>,
    /// KMS key of the instances' storage.
    pub kms_key_arn: Option<String>,
    /// Seconds between two looks at the endpoint while it updates.
    pub poll_seconds: u32,
    /// True for an asynchronous endpoint: the new configuration carries
    /// the running one's `AsyncInferenceConfig`.
    pub async_inference: bool,
}

impl DeploymentPlan {
    /// The position of the variant the new model goes to.
    fn target_index(&self) -> usize {
        self.variants
            .iter()
            .position(|v| v.variant_name == self.variant_name)
            .unwrap_or(0)
    }
}

/// A production variant of the endpoint configuration the workflow creates.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantPlan {
    /// The variant name.
    pub variant_name: String,
    /// The model it serves unless it is the variant the workflow deploys to.
    pub model_name: String,
    /// Its initial traffic weight.
    pub initial_variant_weight: f64,
    /// Instance type and count, for instance-backed variants.
    pub instances: Option<(String, u32)>,
    /// Memory (MB) and maximum concurrency, for serverless variants.
    pub serverless: Option<(u32, u32)>,
}

/// State names (at most 80 characters each, as Step Functions requires).
pub mod states {
    pub const NAME_EXECUTION: &str = "NameExecution";
    pub const TRAIN: &str = "Train";
    pub const HAS_METRICS: &str = "HasMetrics";
    pub const START_METRIC_SEARCH: &str = "StartMetricSearch";
    pub const METRIC_LEFT: &str = "MetricLeft";
    pub const LOOK_AT_METRIC: &str = "LookAtMetric";
    pub const IS_WANTED_METRIC: &str = "IsWantedMetric";
    pub const NEXT_METRIC: &str = "NextMetric";
    pub const PICK_METRIC: &str = "PickMetric";
    pub const EVALUATE: &str = "Evaluate";
    pub const APPROVE: &str = "Approve";
    pub const REJECT: &str = "Reject";
    pub const REGISTER: &str = "Register";
    pub const SHOULD_DEPLOY: &str = "ShouldDeploy";
    pub const NOT_DEPLOYED: &str = "NotDeployed";
    pub const DESCRIBE_CURRENT: &str = "DescribeCurrentEndpoint";
    pub const DESCRIBE_CURRENT_CONFIG: &str = "DescribeCurrentConfig";
    pub const CREATE_MODEL: &str = "CreateModel";
    pub const HAS_DATA_CAPTURE: &str = "HasDataCapture";
    pub const CREATE_CONFIG: &str = "CreateEndpointConfig";
    pub const CREATE_CONFIG_WITH_CAPTURE: &str = "CreateEndpointConfigWithCapture";
    pub const IS_PREVIOUS_CONFIG_OWN: &str = "IsPreviousConfigTheWorkflows";
    pub const DELETE_PREVIOUS_CONFIG: &str = "DeletePreviousConfig";
    pub const IS_PREVIOUS_MODEL_OWN: &str = "IsPreviousModelTheWorkflows";
    pub const DELETE_PREVIOUS_MODEL: &str = "DeletePreviousModel";
    pub const IS_NEW_VERSION_RUNNING: &str = "IsNewVersionRunning";
    pub const DISCARD_NEW_CONFIG: &str = "DiscardNewConfig";
    pub const DISCARD_NEW_MODEL: &str = "DiscardNewModel";
    pub const WHY_NOT_DEPLOYED: &str = "WhyNotDeployed";
    pub const UPDATE_ENDPOINT: &str = "UpdateEndpoint";
    pub const WAIT: &str = "WaitForEndpoint";
    pub const DESCRIBE: &str = "DescribeEndpoint";
    pub const CHECK: &str = "CheckEndpoint";
    pub const DEPLOYED: &str = "Deployed";
    pub const FAILED_WITH_REASON: &str = "EndpointFailedWithReason";
    pub const NOT_ON_NEW_CONFIG: &str = "EndpointNotOnNewConfig";
    pub const TRAINING_FAILED: &str = "TrainingFailed";
    pub const METRIC_MISSING: &str = "MetricMissing";
    pub const REGISTRATION_FAILED: &str = "RegistrationFailed";
    pub const DEPLOYMENT_FAILED: &str = "DeploymentFailed";
}

use states::*;

/// The state machine definition of `plan`.
pub fn definition(plan: &WorkflowPlan) -> Value {
    let mut states = serde_json::Map::new();
    let mut add = |name: &str, state: Value| {
        states.insert(name.to_owned(), state);
    };
    add(NAME_EXECUTION, name_execution(plan));
    add(TRAIN, train(plan));
    for (name, state) in metric_search(plan) {
        add(name, state);
    }
    add(PICK_METRIC, pick_metric(plan));
    add(EVALUATE, evaluate(plan));
    add(APPROVE, approval("Approved"));
    add(REJECT, approval("Rejected"));
    add(REGISTER, register(plan));
    add(SHOULD_DEPLOY, should_deploy(plan));
    add(NOT_DEPLOYED, json!({ "Type": "Succeed" }));
    add(
        TRAINING_FAILED,
        fail_with_cause("TrainingFailed", "$.error.Cause"),
    );
    add(
        METRIC_MISSING,
        json!({
            "Type": "Fail",
            "Error": "MetricMissing",
            "Cause": format!(
                "the training job reported no final value of metric `{}`",
                plan.evaluation.metric_name
            ),
        }),
    );
    add(
        REGISTRATION_FAILED,
        fail_with_cause("RegistrationFailed", "$.error.Cause"),
    );
    if let Some(deployment) = &plan.deployment {
        add(DESCRIBE_CURRENT, describe_current(deployment));
        add(DESCRIBE_CURRENT_CONFIG, describe_current_config());
        add(CREATE_MODEL, create_model(plan, deployment));
        add(HAS_DATA_CAPTURE, has_data_capture());
        add(CREATE_CONFIG, create_config(deployment, false));
        add(CREATE_CONFIG_WITH_CAPTURE, create_config(deployment, true));
        for (name, state) in replaced_version_cleanup(plan, deployment) {
            add(name, state);
        }
        for (name, state) in unused_version_discard() {
            add(name, state);
        }
        add(UPDATE_ENDPOINT, update_endpoint(deployment));
        add(
            WAIT,
            json!({ "Type": "Wait", "Seconds": deployment.poll_seconds, "Next": DESCRIBE }),
        );
        add(DESCRIBE, describe_endpoint(deployment));
        add(CHECK, check_endpoint());
        add(DEPLOYED, json!({ "Type": "Succeed" }));
        add(
            FAILED_WITH_REASON,
            fail_with_cause("EndpointUpdateFailed", "$.endpoint.FailureReason"),
        );
        add(
            NOT_ON_NEW_CONFIG,
            json!({
                "Type": "Fail",
                "Error": "EndpointNotOnNewConfig",
                "Cause": format!(
                    "endpoint {} settled without running the new endpoint configuration (SageMaker rolled it back or another update replaced it)",
                    deployment.endpoint_name
                ),
            }),
        );
        add(
            DEPLOYMENT_FAILED,
            fail_with_cause("DeploymentFailed", "$.error.Cause"),
        );
    }
    json!({
        "Comment": format!(
            "Retrain, evaluate against {} ({}), register in {}{}",
            plan.evaluation.metric_name,
            plan.evaluation.threshold,
            plan.model_package_group_name,
            plan.deployment
                .as_ref()
                .map(|d| format!(", deploy to {}", d.endpoint_name))
                .unwrap_or_default()
        ),
        "StartAt": NAME_EXECUTION,
        "States": states,
    })
}

/// `States.ALL` errors go to `next` with the error under `$.error`.
fn catch_all(next: &str) -> Value {
    json!([{ "ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": next }])
}

/// A Fail state whose cause is read from the execution's data at `path`.
fn fail_with_cause(error: &str, path: &str) -> Value {
    json!({ "Type": "Fail", "Error": error, "CausePath": path })
}

/// One name for every object of this execution: `<base>-wf-<UUID>` (63
/// characters at most, drawn once, so unique per execution).
fn name_execution(plan: &WorkflowPlan) -> Value {
    json!({
        "Type": "Pass",
        "Parameters": {
            "id.$": format!(
                "States.Format('{{}}{WORKFLOW_MARK}{{}}', '{}', States.UUID())",
                plan.name_base
            ),
        },
        "ResultPath": "$.names",
        "Next": TRAIN,
    })
}

fn train(plan: &WorkflowPlan) -> Value {
    let training = &plan.training;
    let mut algorithm = json!({
        "TrainingImage": training.image,
        "TrainingInputMode": "File",
    });
    if let Some(regex) = &training.metric_regex {
        algorithm["MetricDefinitions"] = json!([{
            "Name": plan.evaluation.metric_name,
            "Regex": regex,
        }]);
    }
    let mut parameters = json!({
        "TrainingJobName.$": "$.names.id",
        "RoleArn": plan.execution_role_arn,
        "AlgorithmSpecification": algorithm,
        "InputDataConfig": [{
            "ChannelName": "train",
            "DataSource": {
                "S3DataSource": {
                    "S3DataType": "S3Prefix",
                    "S3Uri": training.input_s3_uri,
                    "S3DataDistributionType": "FullyReplicated",
                }
            }
        }],
        "OutputDataConfig": { "S3OutputPath": training.output_s3_uri },
        "ResourceConfig": {
            "InstanceType": training.instance_type,
            "InstanceCount": training.instance_count,
            "VolumeSizeInGB": training.volume_size_in_gb,
        },
        "StoppingCondition": { "MaxRuntimeInSeconds": training.max_runtime_in_seconds },
    });
    if !training.hyperparameters.is_empty() {
        parameters["HyperParameters"] = json!(training.hyperparameters);
    }
    json!({
        "Type": "Task",
        "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync",
        "Parameters": parameters,
        "ResultSelector": {
            "modelDataUrl.$": "$.ModelArtifacts.S3ModelArtifacts",
            "job.$": "$",
        },
        "ResultPath": "$.training",
        "Catch": catch_all(TRAINING_FAILED),
        "Next": HAS_METRICS,
    })
}

/// A loop over the job's `FinalMetricDataList` that stops at the metric
/// named in the plan (`$.search.item`), or fails when there is none.
fn metric_search(plan: &WorkflowPlan) -> Vec<(&'static str, Value)> {
    let metrics = "$.training.job.FinalMetricDataList";
    vec![
        (
            HAS_METRICS,
            json!({
                "Type": "Choice",
                "Choices": [{ "Variable": metrics, "IsPresent": true, "Next": START_METRIC_SEARCH }],
                "Default": METRIC_MISSING,
            }),
        ),
        (
            START_METRIC_SEARCH,
            json!({
                "Type": "Pass",
                "Parameters": { "i": 0, "count.$": format!("States.ArrayLength({metrics})") },
                "ResultPath": "$.search",
                "Next": METRIC_LEFT,
            }),
        ),
        (
            METRIC_LEFT,
            json!({
                "Type": "Choice",
                "Choices": [{
                    "Variable": "$.search.i",
                    "NumericLessThanPath": "$.search.count",
                    "Next": LOOK_AT_METRIC,
                }],
                "Default": METRIC_MISSING,
            }),
        ),
        (
            LOOK_AT_METRIC,
            json!({
                "Type": "Pass",
                "Parameters": {
                    "i.$": "$.search.i",
                    "count.$": "$.search.count",
                    "item.$": format!("States.ArrayGetItem({metrics}, $.search.i)"),
                },
                "ResultPath": "$.search",
                "Next": IS_WANTED_METRIC,
            }),
        ),
        (
            IS_WANTED_METRIC,
            json!({
                "Type": "Choice",
                "Choices": [{
                    "Variable": "$.search.item.MetricName",
                    "StringEquals": plan.evaluation.metric_name,
                    "Next": PICK_METRIC,
                }],
                "Default": NEXT_METRIC,
            }),
        ),
        (
            NEXT_METRIC,
            json!({
                "Type": "Pass",
                "Parameters": {
                    "i.$": "States.MathAdd($.search.i, 1)",
                    "count.$": "$.search.count",
                },
                "ResultPath": "$.search",
                "Next": METRIC_LEFT,
            }),
        ),
    ]
}

/// The metric found, with its threshold, under `$.evaluation`.
fn pick_metric(plan: &WorkflowPlan) -> Value {
    json!({
        "Type": "Pass",
        "Parameters": {
            "value.$": "$.search.item.Value",
            "name": plan.evaluation.metric_name,
            "threshold": plan.evaluation.threshold,
        },
        "ResultPath": "$.evaluation",
        "Next": EVALUATE,
    })
}

fn evaluate(plan: &WorkflowPlan) -> Value {
    let operator = if plan.evaluation.higher_is_better {
        "NumericGreaterThanEquals"
    } else {
        "NumericLessThanEquals"
    };
    json!({
        "Type": "Choice",
        "Choices": [{
            "And": [
                { "Variable": "$.evaluation.value", "IsNumeric": true },
                { "Variable": "$.evaluation.value", operator: plan.evaluation.threshold },
            ],
            "Next": APPROVE,
        }],
        "Default": REJECT,
    })
}

fn approval(status: &str) -> Value {
    json!({
        "Type": "Pass",
        "Result": status,
        "ResultPath": "$.approval",
        "Next": REGISTER,
    })
}

/// CreateModelPackage in the group, with the metric and the threshold as
/// customer metadata, approved or rejected.
fn register(plan: &WorkflowPlan) -> Value {
    let inference_image = plan
        .deployment
        .as_ref()
        .map_or(plan.training.image.as_str(), |d| d.inference_image.as_str());
    json!({
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:sagemaker:createModelPackage",
        "Parameters": {
            "ModelPackageGroupName": plan.model_package_group_name,
            "ModelPackageDescription.$": "States.Format('Trained by {}', $.names.id)",
            "ModelApprovalStatus.$": "$.approval",
            "InferenceSpecification": {
                "Containers": [{
                    "Image": inference_image,
                    "ModelDataUrl.$": "$.training.modelDataUrl",
                }],
                "SupportedContentTypes": ["application/json", "text/csv"],
                "SupportedResponseMIMETypes": ["application/json", "text/csv"],
            },
            "CustomerMetadataProperties": {
                "trainingJobName.$": "$.names.id",
                "metricName": plan.evaluation.metric_name,
                "metricValue.$": "States.Format('{}', $.evaluation.value)",
                "threshold": plan.evaluation.threshold.to_string(),
            },
        },
        "ResultSelector": { "modelPackageArn.$": "$.ModelPackageArn" },
        "ResultPath": "$.registered",
        "Catch": catch_all(REGISTRATION_FAILED),
        "Next": SHOULD_DEPLOY,
    })
}

fn should_deploy(plan: &WorkflowPlan) -> Value {
    match plan.deployment {
        Some(_) => json!({
            "Type": "Choice",
            "Choices": [{
                "Variable": "$.approval",
                "StringEquals": "Approved",
                "Next": DESCRIBE_CURRENT,
            }],
            "Default": NOT_DEPLOYED,
        }),
        None => json!({ "Type": "Pass", "Next": NOT_DEPLOYED }),
    }
}

/// The endpoint before the update: what it runs, for the record.
fn describe_current(deployment: &DeploymentPlan) -> Value {
    json!({
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:sagemaker:describeEndpoint",
        "Parameters": { "EndpointName": deployment.endpoint_name },
        "ResultSelector": {
            "endpointConfigName.$": "$.EndpointConfigName",
            "endpointStatus.$": "$.EndpointStatus",
        },
        "ResultPath": "$.previous",
        "Catch": catch_all(DEPLOYMENT_FAILED),
        "Next": DESCRIBE_CURRENT_CONFIG,
    })
}

/// The configuration the endpoint runs, under `$.current`: the new one
/// carries its data capture and asynchronous inference settings, and once
/// the new version is verified its model goes when this workflow made it.
fn describe_current_config() -> Value {
    json!({
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:sagemaker:describeEndpointConfig",
        "Parameters": { "EndpointConfigName.$": "$.previous.endpointConfigName" },
        "ResultPath": "$.current",
        "Catch": catch_all(DEPLOYMENT_FAILED),
        "Next": CREATE_MODEL,
    })
}

/// A path to a field that is absent is an error in a task's parameters
/// (States Language, "Paths"): the configuration with data capture is a
/// state of its own, chosen when the running one captures.
fn has_data_capture() -> Value {
    json!({
        "Type": "Choice",
        "Choices": [{
            "Variable": "$.current.DataCaptureConfig",
            "IsPresent": true,
            "Next": CREATE_CONFIG_WITH_CAPTURE,
        }],
        "Default": CREATE_CONFIG,
    })
}

/// After a verified rollout, the configuration and the model of the
/// version replaced, when this workflow made them (`<base>-wf-*`: an
/// earlier execution, or the provider carrying one of its models into a
/// program change); the program's own are left to the program. Rules are
/// tried in order, so the model's name is read only when it is there. A
/// deletion that fails leaves the deployment done, the error under
/// `$.cleanupError`.
fn replaced_version_cleanup(
    plan: &WorkflowPlan,
    deployment: &DeploymentPlan,
) -> Vec<(&'static str, Value)> {
    let own = format!("{}{WORKFLOW_MARK}*", plan.name_base);
    let model = format!(
        "$.current.ProductionVariants[{}].ModelName",
        deployment.target_index()
    );
    let cleanup_failed = || json!([{ "ErrorEquals": ["States.ALL"], "ResultPath": "$.cleanupError", "Next": DEPLOYED }]);
    vec![
        (
            IS_PREVIOUS_CONFIG_OWN,
            json!({
                "Type": "Choice",
                "Choices": [{
                    "Variable": "$.previous.endpointConfigName",
                    "StringMatches": own,
                    "Next": DELETE_PREVIOUS_CONFIG,
                }],
                "Default": IS_PREVIOUS_MODEL_OWN,
            }),
        ),
        (
            DELETE_PREVIOUS_CONFIG,
            json!({
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sagemaker:deleteEndpointConfig",
                "Parameters": { "EndpointConfigName.$": "$.previous.endpointConfigName" },
                "ResultPath": null,
                "Catch": cleanup_failed(),
                "Next": IS_PREVIOUS_MODEL_OWN,
            }),
        ),
        (
            IS_PREVIOUS_MODEL_OWN,
            json!({
                "Type": "Choice",
                "Choices": [
                    { "Not": { "Variable": model, "IsPresent": true }, "Next": DEPLOYED },
                    { "Variable": model, "StringMatches": own, "Next": DELETE_PREVIOUS_MODEL },
                ],
                "Default": DEPLOYED,
            }),
        ),
        (
            DELETE_PREVIOUS_MODEL,
            json!({
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sagemaker:deleteModel",
                "Parameters": { "ModelName.$": model },
                "ResultPath": null,
                "Catch": cleanup_failed(),
                "Next": DEPLOYED,
            }),
        ),
    ]
}

fn create_model(plan: &WorkflowPlan, deployment: &DeploymentPlan) -> Value {
    let mut container = json!({
        "Image": deployment.inference_image,
        "ModelDataUrl.$": "$.training.modelDataUrl",
    });
    if !deployment.environment.is_empty() {
        container["Environment"] = json!(deployment.environment);
    }
    json!({
        "Type": "Task",
        "Resource": "arn:aws:states:::sagemaker:createModel",
        "Parameters": {
            "ModelName.$": "$.names.id",
            "ExecutionRoleArn": plan.execution_role_arn,
            "PrimaryContainer": container,
        },
        "ResultPath": null,
        "Catch": catch_all(DEPLOYMENT_FAILED),
        "Next": HAS_DATA_CAPTURE,
    })
}

/// The endpoint's variants, the deployed one serving the new model; the
/// running configuration's data capture (`with_capture`) and asynchronous
/// inference settings carried over.
fn create_config(deployment: &DeploymentPlan, with_capture: bool) -> Value {
    let variants: Vec<Value> = deployment
        .variants
        .iter()
        .map(|variant| {
            let mut spec = json!({
                "VariantName": variant.variant_name,
                "InitialVariantWeight": variant.initial_variant_weight,
            });
            if variant.variant_name == deployment.variant_name {
                spec["ModelName.$"] = json!("$.names.id");
            } else {
                spec["ModelName"] = json!(variant.model_name);
            }
            if let Some((instance_type, count)) = &variant.instances {
                spec["InstanceType"] = json!(instance_type);
                spec["InitialInstanceCount"] = json!(count);
            }
            if let Some((memory, concurrency)) = variant.serverless {
                spec["ServerlessConfig"] =
                    json!({ "MemorySizeInMB": memory, "MaxConcurrency": concurrency });
            }
            spec
        })
        .collect();
    let mut parameters = json!({
        "EndpointConfigName.$": "$.names.id",
        "ProductionVariants": variants,
    });
    if let Some(key) = &deployment.kms_key_arn
        && deployment.variants.iter().all(|v| v.serverless.is_none())
    {
        parameters["KmsKeyId"] = json!(key);
    }
    if with_capture {
        parameters["DataCaptureConfig.$"] = json!("$.current.DataCaptureConfig");
    }
    if deployment.async_inference {
        parameters["AsyncInferenceConfig.$"] = json!("$.current.AsyncInferenceConfig");
    }
    json!({
        "Type": "Task",
        "Resource": "arn:aws:states:::sagemaker:createEndpointConfig",
        "Parameters": parameters,
        "ResultPath": null,
        "Catch": catch_all(IS_NEW_VERSION_RUNNING),
        "Next": UPDATE_ENDPOINT,
    })
}

/// UpdateEndpoint keeping every variant's current weight and instance count
/// (an autoscaler's counts included): SageMaker API Reference,
/// UpdateEndpoint, `RetainAllVariantProperties`.
fn update_endpoint(deployment: &DeploymentPlan) -> Value {
    json!({
        "Type": "Task",
        "Resource": "arn:aws:states:::sagemaker:updateEndpoint",
        "Parameters": {
            "EndpointName": deployment.endpoint_name,
            "EndpointConfigName.$": "$.names.id",
            "RetainAllVariantProperties": true,
        },
        "ResultPath": null,
        "Catch": catch_all(IS_NEW_VERSION_RUNNING),
        "Next": WAIT,
    })
}

fn describe_endpoint(deployment: &DeploymentPlan) -> Value {
    json!({
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:sagemaker:describeEndpoint",
        "Parameters": { "EndpointName": deployment.endpoint_name },
        "ResultPath": "$.endpoint",
        "Catch": catch_all(DEPLOYMENT_FAILED),
        "Next": CHECK,
    })
}

/// Done when the endpoint is InService on the new configuration; waits
/// while it changes; fails otherwise, with SageMaker's reason when given.
fn check_endpoint() -> Value {
    json!({
        "Type": "Choice",
        "Choices": [
            {
                "Or": [
                    { "Variable": "$.endpoint.EndpointStatus", "StringEquals": "Updating" },
                    { "Variable": "$.endpoint.EndpointStatus", "StringEquals": "SystemUpdating" },
                    { "Variable": "$.endpoint.EndpointStatus", "StringEquals": "RollingBack" },
                    { "Variable": "$.endpoint.EndpointStatus", "StringEquals": "Creating" },
                ],
                "Next": WAIT,
            },
            {
                "And": [
                    { "Variable": "$.endpoint.EndpointStatus", "StringEquals": "InService" },
                    { "Variable": "$.endpoint.EndpointConfigName", "StringEqualsPath": "$.names.id" },
                ],
                "Next": IS_PREVIOUS_CONFIG_OWN,
            },
        ],
        "Default": IS_NEW_VERSION_RUNNING,
    })
}

/// When the rollout did not happen (UpdateEndpoint refused, SageMaker
/// rolled it back, another update replaced it), the new configuration and
/// model, which the endpoint does not run, are deleted before the
/// execution fails: no program records them. A configuration the endpoint
/// runs (a Failed endpoint's) stays, for the endpoint's deletion to take.
/// Then the execution fails with what happened: the task's error, or
/// SageMaker's FailureReason, or the endpoint settled on another
/// configuration.
fn unused_version_discard() -> Vec<(&'static str, Value)> {
    let go_on = || json!([{ "ErrorEquals": ["States.ALL"], "ResultPath": "$.cleanupError", "Next": WHY_NOT_DEPLOYED }]);
    vec![
        (
            IS_NEW_VERSION_RUNNING,
            json!({
                "Type": "Choice",
                "Choices": [
                    { "Not": { "Variable": "$.endpoint", "IsPresent": true }, "Next": DISCARD_NEW_CONFIG },
                    {
                        "Variable": "$.endpoint.EndpointConfigName",
                        "StringEqualsPath": "$.names.id",
                        "Next": WHY_NOT_DEPLOYED,
                    },
                ],
                "Default": DISCARD_NEW_CONFIG,
            }),
        ),
        (
            DISCARD_NEW_CONFIG,
            json!({
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sagemaker:deleteEndpointConfig",
                "Parameters": { "EndpointConfigName.$": "$.names.id" },
                "ResultPath": null,
                "Catch": go_on(),
                "Next": DISCARD_NEW_MODEL,
            }),
        ),
        (
            DISCARD_NEW_MODEL,
            json!({
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sagemaker:deleteModel",
                "Parameters": { "ModelName.$": "$.names.id" },
                "ResultPath": null,
                "Catch": go_on(),
                "Next": WHY_NOT_DEPLOYED,
            }),
        ),
        (
            WHY_NOT_DEPLOYED,
            json!({
                "Type": "Choice",
                "Choices": [
                    { "Variable": "$.error", "IsPresent": true, "Next": DEPLOYMENT_FAILED },
                    { "Variable": "$.endpoint.FailureReason", "IsPresent": true, "Next": FAILED_WITH_REASON },
                ],
                "Default": NOT_ON_NEW_CONFIG,
            }),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, VecDeque};

    use super::*;

    pub(crate) fn plan(deploy: bool) -> WorkflowPlan {
        WorkflowPlan {
            name_base: "fraud-endpoint".into(),
            execution_role_arn: "arn:aws:iam::123456789012:role/exec".into(),
            training: TrainingPlan {
                image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/train:1".into(),
                input_s3_uri: "s3://data/train/".into(),
                output_s3_uri: "s3://artifacts/models/".into(),
                instance_type: "ml.m5.xlarge".into(),
                instance_count: 1,
                volume_size_in_gb: 30,
                max_runtime_in_seconds: 3600,
                hyperparameters: [("epochs".to_owned(), "10".to_owned())].into(),
                metric_regex: None,
            },
            evaluation: EvaluationPlan {
                metric_name: "validation:accuracy".into(),
                threshold: 0.7,
                higher_is_better: true,
            },
            model_package_group_name: "fraud-models".into(),
            deployment: deploy.then(|| DeploymentPlan {
                endpoint_name: "fraud-endpoint".into(),
                variant_name: "Primary".into(),
                inference_image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:1".into(),
                environment: BTreeMap::new(),
                variants: vec![
                    VariantPlan {
                        variant_name: "Primary".into(),
                        model_name: "a-model-1234".into(),
                        initial_variant_weight: 1.0,
                        instances: Some(("ml.m5.large".into(), 2)),
                        serverless: None,
                    },
                    VariantPlan {
                        variant_name: "Shadow".into(),
                        model_name: "b-model-5678".into(),
                        initial_variant_weight: 0.5,
                        instances: Some(("ml.m5.large".into(), 1)),
                        serverless: None,
                    },
                ],
                kms_key_arn: Some("arn:aws:kms:us-east-1:123456789012:key/k".into()),
                poll_seconds: 30,
                async_inference: false,
            }),
        }
    }

    /// Every state a state can go to next: `Next`, `Default`, the Choice
    /// rules' and the Catchers' `Next`.
    fn successors(state: &Value) -> Vec<String> {
        let mut next = Vec::new();
        for key in ["Next", "Default"] {
            if let Some(name) = state[key].as_str() {
                next.push(name.to_owned());
            }
        }
        for list in ["Choices", "Catch"] {
            for rule in state[list].as_array().into_iter().flatten() {
                next.push(rule["Next"].as_str().unwrap().to_owned());
            }
        }
        next
    }

    fn is_terminal(state: &Value) -> bool {
        matches!(state["Type"].as_str(), Some("Succeed" | "Fail")) || state["End"] == json!(true)
    }

    /// States reachable from `StartAt`.
    fn reachable(definition: &Value) -> BTreeSet<String> {
        let states = definition["States"].as_object().unwrap();
        let mut seen = BTreeSet::new();
        let mut queue = VecDeque::from([definition["StartAt"].as_str().unwrap().to_owned()]);
        while let Some(name) = queue.pop_front() {
            if seen.insert(name.clone()) {
                queue.extend(successors(&states[&name]));
            }
        }
        seen
    }

    #[test]
    fn every_transition_names_a_state_and_every_state_is_reachable() {
        for deploy in [false, true] {
            let definition = definition(&plan(deploy));
            let states = definition["States"].as_object().unwrap();
            for (name, state) in states {
                assert!(name.len() <= 80, "{name}");
                for next in successors(state) {
                    assert!(states.contains_key(&next), "{name} -> {next}");
                }
                assert!(
                    is_terminal(state) || !successors(state).is_empty(),
                    "{name} neither ends nor goes on"
                );
                if is_terminal(state) {
                    assert!(state.get("Next").is_none(), "{name} ends but has Next");
                }
            }
            let names: BTreeSet<String> = states.keys().cloned().collect();
            assert_eq!(reachable(&definition), names, "deploy: {deploy}");
        }
    }

    #[test]
    fn only_task_states_catch_errors() {
        // Pass, Choice, Wait, Succeed and Fail take no Catch (States
        // Language specification, "Error handling").
        let definition = definition(&plan(true));
        for (name, state) in definition["States"].as_object().unwrap() {
            if state.get("Catch").is_some() {
                assert_eq!(state["Type"], "Task", "{name}");
            }
        }
    }

    #[test]
    fn the_metric_is_looked_up_by_name_with_reference_paths_only() {
        let definition = definition(&plan(false));
        let states = &definition["States"];
        assert_eq!(
            states[IS_WANTED_METRIC]["Choices"][0]["StringEquals"],
            "validation:accuracy"
        );
        assert_eq!(states[NEXT_METRIC]["Next"], METRIC_LEFT);
        assert_eq!(states[METRIC_LEFT]["Default"], METRIC_MISSING);
        assert!(
            !definition.to_string().contains("[?("),
            "no JSONPath filter"
        );
    }

    #[test]
    fn every_path_ends_in_a_terminal_state() {
        // From every state some terminal state is reachable (the Wait loop
        // included): no state traps the execution.
        let definition = definition(&plan(true));
        let states = definition["States"].as_object().unwrap();
        for start in states.keys() {
            let mut seen = BTreeSet::new();
            let mut queue = VecDeque::from([start.clone()]);
            let mut ends = false;
            while let Some(name) = queue.pop_front() {
                if !seen.insert(name.clone()) {
                    continue;
                }
                ends |= is_terminal(&states[&name]);
                queue.extend(successors(&states[&name]));
            }
            assert!(ends, "no way out of {start}");
        }
    }

    #[test]
    fn the_happy_path_trains_evaluates_registers_and_deploys() {
        let definition = definition(&plan(true));
        let states = &definition["States"];
        let mut path = vec![definition["StartAt"].as_str().unwrap().to_owned()];
        // Follow Next, the first Choice rule (approve, then "still updating"
        // is skipped by taking the InService rule).
        loop {
            let state = &states[path.last().unwrap().as_str()];
            let current = path.last().unwrap().as_str();
            let next = match state["Type"].as_str().unwrap() {
                // InService on the new configuration; the previous model
                // is there and the workflow's.
                "Choice" if current == CHECK || current == IS_PREVIOUS_MODEL_OWN => {
                    state["Choices"][1]["Next"].clone()
                }
                // The running configuration captures no data.
                "Choice" if current == HAS_DATA_CAPTURE => state["Default"].clone(),
                "Choice" => state["Choices"][0]["Next"].clone(),
                _ if is_terminal(state) => break,
                _ => state["Next"].clone(),
            };
            path.push(next.as_str().unwrap().to_owned());
        }
        assert_eq!(
            path,
            [
                NAME_EXECUTION,
                TRAIN,
                HAS_METRICS,
                START_METRIC_SEARCH,
                METRIC_LEFT,
                LOOK_AT_METRIC,
                IS_WANTED_METRIC,
                PICK_METRIC,
                EVALUATE,
                APPROVE,
                REGISTER,
                SHOULD_DEPLOY,
                DESCRIBE_CURRENT,
                DESCRIBE_CURRENT_CONFIG,
                CREATE_MODEL,
                HAS_DATA_CAPTURE,
                CREATE_CONFIG,
                UPDATE_ENDPOINT,
                WAIT,
                DESCRIBE,
                CHECK,
                IS_PREVIOUS_CONFIG_OWN,
                DELETE_PREVIOUS_CONFIG,
                IS_PREVIOUS_MODEL_OWN,
                DELETE_PREVIOUS_MODEL,
                DEPLOYED
            ]
        );
        assert_eq!(
            states[TRAIN]["Resource"],
            "arn:aws:states:::sagemaker:createTrainingJob.sync"
        );
        assert_eq!(states[REJECT]["Result"], "Rejected");
        assert_eq!(states[EVALUATE]["Default"], REJECT);
        assert_eq!(states[SHOULD_DEPLOY]["Default"], NOT_DEPLOYED);
    }

    #[test]
    fn without_auto_deploy_nothing_touches_an_endpoint() {
        let text = definition(&plan(false)).to_string();
        for touched in ["updateEndpoint", "createEndpointConfig", "createModel\""] {
            assert!(!text.contains(touched), "{touched}");
        }
        assert!(text.contains("createModelPackage"));
    }

    #[test]
    fn the_update_retains_variant_properties_and_only_the_chosen_variant_gets_the_new_model() {
        let definition = definition(&plan(true));
        let states = &definition["States"];
        assert_eq!(
            states[UPDATE_ENDPOINT]["Parameters"]["RetainAllVariantProperties"],
            true
        );
        let variants = &states[CREATE_CONFIG]["Parameters"]["ProductionVariants"];
        assert_eq!(variants[0]["ModelName.$"], "$.names.id");
        assert_eq!(variants[1]["ModelName"], "b-model-5678");
        assert_eq!(variants[1]["InstanceType"], "ml.m5.large");
        assert_eq!(
            states[CREATE_CONFIG]["Parameters"]["KmsKeyId"],
            "arn:aws:kms:us-east-1:123456789012:key/k"
        );
    }

    #[test]
    fn a_failed_update_fails_with_sagemakers_reason() {
        let definition = definition(&plan(true));
        let states = &definition["States"];
        assert_eq!(states[CHECK]["Default"], IS_NEW_VERSION_RUNNING);
        let why = &states[WHY_NOT_DEPLOYED];
        assert_eq!(why["Choices"][1]["Variable"], "$.endpoint.FailureReason");
        assert_eq!(why["Choices"][1]["Next"], FAILED_WITH_REASON);
        assert_eq!(why["Default"], NOT_ON_NEW_CONFIG);
        // The unused new version is discarded on the way, unless the
        // endpoint runs it.
        let running = &states[IS_NEW_VERSION_RUNNING]["Choices"];
        assert_eq!(running[1]["StringEqualsPath"], "$.names.id");
        assert_eq!(running[1]["Next"], WHY_NOT_DEPLOYED);
        assert_eq!(
            states[IS_NEW_VERSION_RUNNING]["Default"],
            DISCARD_NEW_CONFIG
        );
        assert_eq!(states[DISCARD_NEW_CONFIG]["Next"], DISCARD_NEW_MODEL);
        assert_eq!(
            states[UPDATE_ENDPOINT]["Catch"][0]["Next"],
            IS_NEW_VERSION_RUNNING
        );
        assert_eq!(
            states[FAILED_WITH_REASON]["CausePath"],
            "$.endpoint.FailureReason"
        );
        assert_eq!(states[NOT_ON_NEW_CONFIG]["Type"], "Fail");
    }

    #[test]
    fn data_capture_and_asynchronous_inference_are_carried_from_the_running_configuration() {
        let definition = definition(&plan(true));
        let states = &definition["States"];
        assert_eq!(
            states[DESCRIBE_CURRENT_CONFIG]["Parameters"]["EndpointConfigName.$"],
            "$.previous.endpointConfigName"
        );
        assert_eq!(
            states[HAS_DATA_CAPTURE]["Choices"][0]["Variable"],
            "$.current.DataCaptureConfig"
        );
        let with = &states[CREATE_CONFIG_WITH_CAPTURE]["Parameters"];
        assert_eq!(with["DataCaptureConfig.$"], "$.current.DataCaptureConfig");
        // Without capture, no path to it (an absent field fails a task).
        assert!(
            states[CREATE_CONFIG]["Parameters"]
                .get("DataCaptureConfig.$")
                .is_none()
        );
        assert!(with.get("AsyncInferenceConfig.$").is_none());

        let mut asynchronous = plan(true);
        asynchronous.deployment.as_mut().unwrap().async_inference = true;
        let definition = super::definition(&asynchronous);
        for state in [CREATE_CONFIG, CREATE_CONFIG_WITH_CAPTURE] {
            assert_eq!(
                definition["States"][state]["Parameters"]["AsyncInferenceConfig.$"],
                "$.current.AsyncInferenceConfig"
            );
        }
    }

    #[test]
    fn only_the_workflows_replaced_configuration_and_model_are_deleted_after_a_verified_rollout() {
        let mut second = plan(true);
        second.deployment.as_mut().unwrap().variant_name = "Shadow".into();
        let definition = definition(&second);
        let states = &definition["States"];
        assert_eq!(states[CHECK]["Choices"][1]["Next"], IS_PREVIOUS_CONFIG_OWN);
        assert_eq!(
            states[IS_PREVIOUS_CONFIG_OWN]["Choices"][0]["StringMatches"],
            "fraud-endpoint-wf-*"
        );
        let model = &states[IS_PREVIOUS_MODEL_OWN]["Choices"];
        // The model of the variant deployed to (the second), read only
        // when present.
        assert_eq!(
            model[0]["Not"]["Variable"],
            "$.current.ProductionVariants[1].ModelName"
        );
        assert_eq!(model[1]["StringMatches"], "fraud-endpoint-wf-*");
        assert_eq!(
            states[DELETE_PREVIOUS_MODEL]["Parameters"]["ModelName.$"],
            "$.current.ProductionVariants[1].ModelName"
        );
        // A failed deletion does not fail a verified deployment.
        for state in [DELETE_PREVIOUS_CONFIG, DELETE_PREVIOUS_MODEL] {
            assert_eq!(states[state]["Catch"][0]["Next"], DEPLOYED);
            assert_eq!(states[state]["Catch"][0]["ResultPath"], "$.cleanupError");
        }
    }

    #[test]
    fn a_loss_is_approved_at_or_below_the_threshold() {
        let mut loss = plan(false);
        loss.evaluation.higher_is_better = false;
        let definition = definition(&loss);
        let rule = &definition["States"][EVALUATE]["Choices"][0]["And"][1];
        assert_eq!(rule["NumericLessThanEquals"], 0.7);
    }

    #[test]
    fn execution_names_fit_sagemakers_limit() {
        // base + "-wf-" + a UUID.
        let longest =
            "a".repeat(NAME_BASE_MAX) + WORKFLOW_MARK + "123e4567-e89b-12d3-a456-426614174000";
        assert_eq!(longest.len(), 63);
        assert!(
            crate::naming::is_valid_sagemaker_name(&longest),
            "{longest}"
        );
        let expression = &definition(&plan(false))["States"][NAME_EXECUTION]["Parameters"]["id.$"];
        assert_eq!(
            expression,
            "States.Format('{}-wf-{}', 'fraud-endpoint', States.UUID())"
        );
    }
}
