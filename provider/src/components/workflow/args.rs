//! Workflow's arguments, their defaults and the checks that run at preview.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::definition::{
    DeploymentPlan, EvaluationPlan, NAME_BASE_MAX, TrainingPlan, VariantPlan, WORKFLOW_MARK,
};
use crate::components::model_config::{ModelSpec, ServerlessSettings};
use crate::naming::{is_valid_sagemaker_name, sagemaker_name_problem};
use crate::resources::Tags;
use crate::resources::events::schedule_problem;
use framework::{Failures, Output};

/// A retraining workflow (the seed's WorkflowStack): a Step Functions state
/// machine that trains a model with a SageMaker training job, compares the
/// job's final metric with a threshold, registers the version in a model
/// package group (Approved or Rejected) and, with `autoDeploy`, rolls an
/// approved version out to the endpoint: a new model and endpoint
/// configuration, UpdateEndpoint keeping the variants' current weights and
/// instance counts, and a wait until the endpoint is InService on the new
/// configuration (failing with SageMaker's FailureReason otherwise).
/// Executions are logged to a CloudWatch Logs group; an optional schedule
/// starts them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowArgs {
    /// Prefix of every name the workflow uses (1-23 letters, digits or
    /// hyphens, starting and ending with a letter or digit): the training
    /// jobs, models and endpoint configurations an execution creates are
    /// named `<workflowName>-wf-<UUID>`.
    pub workflow_name: String,
    /// ARN of the SageMaker execution role the training jobs and the models
    /// run with (BaseInfra's `executionRoleArn`); the only role the state
    /// machine may pass.
    pub execution_role_arn: Output<String>,
    /// The training job.
    pub training: TrainingArgs,
    /// How a trained version is judged.
    pub evaluation: EvaluationArgs,
    /// The seed's `modelParameters`: the default threshold is
    /// `inference.thresholds.<evaluation.thresholdName>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_parameters: Option<ModelParameters>,
    /// Name of the model package group (default `<workflowName>-models`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_package_group_name: Option<String>,
    /// Roll approved versions out to `endpointName`.
    #[serde(default)]
    pub auto_deploy: bool,
    /// The endpoint approved versions go to (an endpoint component's
    /// `endpointName`); required with `autoDeploy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_name: Option<Output<String>>,
    /// The endpoint's variants (the seed's `modelList`); required with
    /// `autoDeploy`. The new endpoint configuration has the same variants.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub model_list: Vec<ModelSpec>,
    /// SageMaker model names in `modelList` order (SageMakerModel's
    /// `modelNames`): the variants the workflow does not deploy to keep
    /// serving them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_names: Option<Output<Vec<String>>>,
    /// The variant that receives the new version (default: the first of
    /// `modelList`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_name: Option<String>,
    /// The endpoint's kind: `realtime` (default), `async` or `serverless`.
    /// An asynchronous endpoint's new configuration carries the running
    /// one's `AsyncInferenceConfig` (output locations, notification topics,
    /// concurrency); any endpoint's carries its data capture.
    #[serde(default = "realtime")]
    pub inference_type: String,
    /// Serverless settings of variants without their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serverless_config: Option<ServerlessSettings>,
    /// KMS key of the instances' storage (BaseInfra's `kmsKeyArn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<Output<String>>,
    /// Seconds between two looks at the endpoint while it updates (1-3600,
    /// default 30).
    #[serde(default = "default_poll")]
    pub poll_seconds: u32,
    /// Start an execution on this schedule: `rate(7 days)` or
    /// `cron(0 3 ? * MON *)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_expression: Option<String>,
    /// Days the execution logs are kept (default 30).
    #[serde(default = "default_retention")]
    pub log_retention_in_days: u32,
    /// Tags on every resource.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

fn realtime() -> String {
    "realtime".to_owned()
}

fn default_poll() -> u32 {
    30
}

fn default_retention() -> u32 {
    30
}

/// A SageMaker training job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrainingArgs {
    /// The training image (ECR URI).
    pub image: String,
    /// S3 prefix of the training data (`s3://bucket/prefix/`), channel `train`.
    pub input_s3_uri: String,
    /// S3 prefix the model artifacts are written under.
    pub output_s3_uri: String,
    /// The training instance type (default `ml.m5.xlarge`).
    #[serde(default = "default_training_instance")]
    pub instance_type: String,
    /// The number of training instances (default 1).
    #[serde(default = "one")]
    pub instance_count: u32,
    /// Storage per training instance in GB (1-16384, default 30).
    #[serde(default = "default_volume")]
    pub volume_size_in_gb: u32,
    /// The job's time limit in seconds (default 86400).
    #[serde(default = "default_runtime")]
    pub max_runtime_in_seconds: u32,
    /// Hyperparameters (at most 100; keys up to 256 characters, values up
    /// to 2500).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hyperparameters: BTreeMap<String, String>,
    /// A regular expression that finds the metric in the algorithm's log,
    /// for images that are not built-in algorithms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_regex: Option<String>,
}

fn default_training_instance() -> String {
    "ml.m5.xlarge".to_owned()
}

fn one() -> u32 {
    1
}

fn default_volume() -> u32 {
    30
}

fn default_runtime() -> u32 {
    86_400
}

/// How a trained version is judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EvaluationArgs {
    /// The metric, by its name in the training job's final metrics, e.g.
    /// `validation:accuracy`.
    pub metric_name: String,
    /// The value the metric must reach; default
    /// `modelParameters.inference.thresholds.<thresholdName>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// Which of `modelParameters.inference.thresholds` is the default
    /// threshold (default `classification`).
    #[serde(default = "default_threshold_name")]
    pub threshold_name: String,
    /// True (default) when larger is better (accuracy, AUC); false for
    /// losses and errors, which must stay at or below the threshold.
    #[serde(default = "yes")]
    pub higher_is_better: bool,
}

fn default_threshold_name() -> String {
    "classification".to_owned()
}

fn yes() -> bool {
    true
}

/// The part of the seed's `modelParameters` the workflow reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModelParameters {
    /// Inference settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inference: Option<InferenceParameters>,
}

/// The seed's `modelParameters.inference`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InferenceParameters {
    /// Named thresholds, e.g. `classification: 0.5`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub thresholds: BTreeMap<String, f64>,
    /// Requests per batch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<u32>,
}

impl TrainingArgs {
    /// The training job as the definition takes it.
    pub fn plan(&self) -> TrainingPlan {
        TrainingPlan {
            image: self.image.clone(),
            input_s3_uri: self.input_s3_uri.clone(),
            output_s3_uri: self.output_s3_uri.clone(),
            instance_type: self.instance_type.clone(),
            instance_count: self.instance_count,
            volume_size_in_gb: self.volume_size_in_gb,
            max_runtime_in_seconds: self.max_runtime_in_seconds,
            hyperparameters: self.hyperparameters.clone(),
            metric_regex: self.metric_regex.clone(),
        }
    }
}

impl EvaluationArgs {
    /// The evaluation as the definition takes it.
    pub fn plan(&self, threshold: f64) -> EvaluationPlan {
        EvaluationPlan {
            metric_name: self.metric_name.clone(),
            threshold,
            higher_is_better: self.higher_is_better,
        }
    }
}

impl WorkflowArgs {
    /// The threshold: the one given, else the named one of
    /// `modelParameters.inference.thresholds`.
    pub fn threshold(&self) -> Option<f64> {
        self.evaluation.threshold.or_else(|| {
            self.model_parameters
                .as_ref()?
                .inference
                .as_ref()?
                .thresholds
                .get(&self.evaluation.threshold_name)
                .copied()
        })
    }

    /// The model package group's name.
    pub fn group_name(&self) -> String {
        self.model_package_group_name
            .clone()
            .unwrap_or_else(|| format!("{}-models", self.workflow_name))
    }

    /// The variant the new version goes to.
    fn target_variant(&self) -> Option<&ModelSpec> {
        match &self.variant_name {
            Some(name) => self.model_list.iter().find(|m| &m.variant_name == name),
            None => self.model_list.first(),
        }
    }

    /// The rollout to `endpoint_name`, with the variants' current models.
    pub fn deployment_plan(
        &self,
        endpoint_name: String,
        model_names: &[String],
        kms_key_arn: Option<String>,
    ) -> DeploymentPlan {
        let serverless = self.inference_type == "serverless";
        let target = self.target_variant();
        let environment = target
            .map(|spec| {
                spec.model_server_workers
                    .map(|workers| {
                        [(
                            "SAGEMAKER_MODEL_SERVER_WORKERS".to_owned(),
                            workers.to_string(),
                        )]
                        .into()
                    })
                    .unwrap_or_default()
            })
            .unwrap_or_default();
        DeploymentPlan {
            endpoint_name,
            variant_name: target.map(|m| m.variant_name.clone()).unwrap_or_default(),
            inference_image: target
                .map(|m| m.model_docker_image.clone())
                .unwrap_or_default(),
            environment,
            variants: self
                .model_list
                .iter()
                .enumerate()
                .map(|(i, spec)| VariantPlan {
                    variant_name: spec.variant_name.clone(),
                    model_name: model_names.get(i).cloned().unwrap_or_default(),
                    initial_variant_weight: spec.variant_weight,
                    instances: (!serverless)
                        .then(|| (spec.instance_type.clone(), spec.instance_count)),
                    serverless: serverless
                        .then(|| {
                            spec.serverless_config
                                .as_ref()
                                .or(self.serverless_config.as_ref())
                                .map(|s| (s.memory_size, s.max_concurrency))
                        })
                        .flatten(),
                })
                .collect(),
            kms_key_arn,
            poll_seconds: self.poll_seconds,
            async_inference: self.inference_type == "async",
        }
    }
}

/// Checks Workflow's arguments; every failure names its property.
pub fn check(args: &WorkflowArgs) -> Failures {
    let mut failures = Failures::new();
    failures.require(
        args.workflow_name.len() <= NAME_BASE_MAX && is_valid_sagemaker_name(&args.workflow_name),
        "workflowName",
        format!(
            "must be 1-{NAME_BASE_MAX} letters, digits or hyphens, starting and ending with a letter or digit (with `{WORKFLOW_MARK}` and a 36-character UUID it names SageMaker objects of at most 63 characters), got `{}`",
            args.workflow_name
        ),
    );
    check_training(&args.training, &mut failures);
    check_evaluation(args, &mut failures);
    if let Some(group) = &args.model_package_group_name
        && let Some(problem) = sagemaker_name_problem(group)
    {
        failures.push("modelPackageGroupName", problem);
    }
    if args.auto_deploy {
        check_deployment(args, &mut failures);
    }
    failures.require(
        (1..=3600).contains(&args.poll_seconds),
        "pollSeconds",
        format!("must be between 1 and 3600, got {}", args.poll_seconds),
    );
    if let Some(expression) = &args.schedule_expression
        && let Some(problem) = schedule_problem(expression)
    {
        failures.push("scheduleExpression", problem);
    }
    failures
}

fn check_training(training: &TrainingArgs, failures: &mut Failures) {
    failures.require(
        !training.image.trim().is_empty(),
        "training.image",
        "must name a training image",
    );
    for (property, uri) in [
        ("training.inputS3Uri", &training.input_s3_uri),
        ("training.outputS3Uri", &training.output_s3_uri),
    ] {
        failures.require(
            uri.strip_prefix("s3://")
                .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/')),
            property,
            format!("must be an `s3://bucket/prefix` URI, got `{uri}`"),
        );
    }
    failures.require(
        training.instance_type.starts_with("ml."),
        "training.instanceType",
        format!(
            "must be a SageMaker instance type such as `ml.m5.xlarge`, got `{}`",
            training.instance_type
        ),
    );
    failures.require(
        training.instance_count >= 1,
        "training.instanceCount",
        "must be at least 1",
    );
    // SageMaker API Reference, ResourceConfig.VolumeSizeInGB: 0-16384 (we
    // need some storage for File mode), and CreateTrainingJob.HyperParameters:
    // at most 100 entries, keys up to 256 and values up to 2500 characters.
    failures.require(
        (1..=16384).contains(&training.volume_size_in_gb),
        "training.volumeSizeInGb",
        "must be between 1 and 16384",
    );
    failures.require(
        training.max_runtime_in_seconds >= 1,
        "training.maxRuntimeInSeconds",
        "must be at least 1",
    );
    failures.require(
        training.hyperparameters.len() <= 100,
        "training.hyperparameters",
        "must have at most 100 entries",
    );
    for (key, value) in &training.hyperparameters {
        failures.require(
            key.len() <= 256 && value.len() <= 2500,
            format!("training.hyperparameters.{key}"),
            "keys may have at most 256 characters and values at most 2500",
        );
    }
}

fn check_evaluation(args: &WorkflowArgs, failures: &mut Failures) {
    let metric = &args.evaluation.metric_name;
    failures.require(
        !metric.is_empty() && metric.len() <= 255 && !metric.contains('\''),
        "evaluation.metricName",
        "must be 1-255 characters without `'`",
    );
    match args.threshold() {
        None => failures.push(
            "evaluation.threshold",
            format!(
                "is required: give it, or a `modelParameters.inference.thresholds.{}`",
                args.evaluation.threshold_name
            ),
        ),
        Some(value) => failures.require(
            value.is_finite(),
            "evaluation.threshold",
            "must be a finite number",
        ),
    }
}

fn check_deployment(args: &WorkflowArgs, failures: &mut Failures) {
    failures.require(
        args.endpoint_name.is_some(),
        "endpointName",
        "is required with autoDeploy: the endpoint approved versions go to",
    );
    failures.require(
        args.model_names.is_some(),
        "modelNames",
        "is required with autoDeploy: the models the other variants keep serving",
    );
    failures.require(
        !args.model_list.is_empty(),
        "modelList",
        "is required with autoDeploy: the endpoint's variants",
    );
    failures.require(
        matches!(
            args.inference_type.as_str(),
            "realtime" | "async" | "serverless"
        ),
        "inferenceType",
        format!(
            "must be `realtime`, `async` or `serverless` with autoDeploy, got `{}`",
            args.inference_type
        ),
    );
    if let Some(name) = &args.variant_name {
        failures.require(
            args.model_list.iter().any(|m| &m.variant_name == name),
            "variantName",
            format!("`{name}` is not the VariantName of any model in modelList"),
        );
    }
    if args.inference_type == "serverless" {
        for (i, spec) in args.model_list.iter().enumerate() {
            failures.require(
                spec.serverless_config.is_some() || args.serverless_config.is_some(),
                format!("modelList[{i}].ServerlessConfig"),
                "is required for a serverless endpoint (or give serverlessConfig)",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::model_config::tests::model;

    pub(crate) fn args() -> WorkflowArgs {
        WorkflowArgs {
            workflow_name: "fraud".into(),
            execution_role_arn: "arn:aws:iam::123456789012:role/exec".into(),
            training: TrainingArgs {
                image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/train:1".into(),
                input_s3_uri: "s3://data/train/".into(),
                output_s3_uri: "s3://artifacts/models/".into(),
                instance_type: default_training_instance(),
                instance_count: 1,
                volume_size_in_gb: 30,
                max_runtime_in_seconds: 3600,
                hyperparameters: BTreeMap::new(),
                metric_regex: None,
            },
            evaluation: EvaluationArgs {
                metric_name: "validation:accuracy".into(),
                threshold: None,
                threshold_name: default_threshold_name(),
                higher_is_better: true,
            },
            model_parameters: Some(ModelParameters {
                inference: Some(InferenceParameters {
                    thresholds: [("classification".to_owned(), 0.5)].into(),
                    batch_size: Some(10),
                }),
            }),
            model_package_group_name: None,
            auto_deploy: true,
            endpoint_name: Some("fraud-endpoint".into()),
            model_list: vec![model("a")],
            model_names: Some(Output::new(vec!["a-model-123".to_owned()])),
            variant_name: None,
            inference_type: realtime(),
            serverless_config: None,
            kms_key_arn: None,
            poll_seconds: 30,
            schedule_expression: Some("rate(7 days)".into()),
            log_retention_in_days: 30,
            tags: Tags::new(),
        }
    }

    fn properties(args: &WorkflowArgs) -> Vec<String> {
        check(args)
            .into_vec()
            .into_iter()
            .map(|f| f.property)
            .collect()
    }

    #[test]
    fn the_default_threshold_comes_from_the_model_parameters() {
        let args = args();
        assert!(check(&args).is_empty(), "{:?}", properties(&args));
        assert_eq!(args.threshold(), Some(0.5));
        let given = WorkflowArgs {
            evaluation: EvaluationArgs {
                threshold: Some(0.9),
                ..args.evaluation.clone()
            },
            ..args.clone()
        };
        assert_eq!(given.threshold(), Some(0.9));
        let confidence = WorkflowArgs {
            evaluation: EvaluationArgs {
                threshold_name: "confidence".into(),
                ..args.evaluation.clone()
            },
            ..args
        };
        assert_eq!(properties(&confidence), ["evaluation.threshold"]);
    }

    #[test]
    fn bad_arguments_name_their_property_at_preview() {
        let mut bad = args();
        bad.workflow_name = "a-name-far-too-long-for-the-hash".into();
        bad.training.input_s3_uri = "data/train".into();
        bad.training.instance_type = "m5.xlarge".into();
        bad.endpoint_name = None;
        bad.variant_name = Some("Nope".into());
        bad.schedule_expression = Some("every day".into());
        bad.poll_seconds = 0;
        assert_eq!(
            properties(&bad),
            [
                "workflowName",
                "training.inputS3Uri",
                "training.instanceType",
                "endpointName",
                "variantName",
                "pollSeconds",
                "scheduleExpression"
            ]
        );
    }

    #[test]
    fn an_asynchronous_endpoint_can_be_deployed_to() {
        let asynchronous = WorkflowArgs {
            inference_type: "async".into(),
            ..args()
        };
        assert!(
            check(&asynchronous).is_empty(),
            "{:?}",
            properties(&asynchronous)
        );
        let plan = asynchronous.deployment_plan("fraud-endpoint".into(), &[], None);
        assert!(plan.async_inference && plan.variants[0].instances.is_some());
        let batch = WorkflowArgs {
            inference_type: "batch".into(),
            ..args()
        };
        assert_eq!(properties(&batch), ["inferenceType"]);
    }

    #[test]
    fn without_auto_deploy_no_endpoint_is_needed() {
        let quiet = WorkflowArgs {
            auto_deploy: false,
            endpoint_name: None,
            model_list: Vec::new(),
            model_names: None,
            ..args()
        };
        assert!(check(&quiet).is_empty(), "{:?}", properties(&quiet));
    }

    #[test]
    fn the_deployment_keeps_the_variants_and_deploys_to_the_first() {
        let mut args = args();
        args.model_list.push(model("b"));
        let plan = args.deployment_plan(
            "fraud-endpoint".into(),
            &["a-model-123".to_owned(), "b-model-456".to_owned()],
            None,
        );
        assert_eq!(plan.variant_name, args.model_list[0].variant_name);
        assert_eq!(plan.variants.len(), 2);
        assert_eq!(plan.variants[1].model_name, "b-model-456");
        assert_eq!(
            plan.variants[0].instances,
            Some((
                args.model_list[0].instance_type.clone(),
                args.model_list[0].instance_count
            ))
        );
    }
}
