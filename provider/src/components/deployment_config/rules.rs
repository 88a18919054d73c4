//! The rules an environment of the two documents must follow: every rule
//! of the components it becomes (run on the arguments [`super::parts`]
//! builds, their failures moved to the documents' JSON paths or the
//! Deployment's inputs), plus the documents' own: the account and region,
//! images in the region's registry, and the workflow's settings when the
//! environment has `enableWorkflow`.

use std::collections::BTreeSet;

use super::options::DeploymentOptions;
use super::parts::{BaseOutputs, EndpointArgs, EnvironmentParts, TrainingLocations};
use super::{
    DEPLOYMENT_CONFIG, Documents, EnvironmentChoice, EnvironmentSettings, InferenceType,
    MODEL_CONFIG,
};
use crate::components::app_config::check_args as check_app_config;
use crate::components::async_endpoint::SageMakerAsyncEndpoint;
use crate::components::base_infra::check_args;
use crate::components::inference_component_endpoint::SageMakerInferenceComponentEndpoint;
use crate::components::monitor_dashboard::MonitorDashboard;
use crate::components::realtime_endpoint::SageMakerEndpoint;
use crate::components::sagemaker_model::SageMakerModel;
use crate::components::serverless_endpoint::SageMakerServerlessEndpoint;
use crate::components::workflow::Workflow;
use crate::resources::sagemaker::image::ecr_region;
use framework::{CheckFailure, Component, Failures, Output};

/// The Deployment input of the workflow's settings.
pub const WORKFLOW: &str = "workflow";

/// Every problem of environment `choice` of the documents deployed with
/// `options`, each with its JSON path; a missing environment is one
/// problem listing those there are.
pub fn validate(
    documents: &Documents,
    choice: &EnvironmentChoice,
    options: &DeploymentOptions,
) -> Vec<CheckFailure> {
    match documents.environment(choice) {
        Ok(environment) => check_environment(documents, &choice.name, environment, options),
        Err(missing) => vec![missing],
    }
}

/// Every problem of every environment of the documents deployed with
/// `options` (a problem of the model document once, however many
/// environments share it).
pub fn validate_all(documents: &Documents, options: &DeploymentOptions) -> Vec<CheckFailure> {
    let mut seen = BTreeSet::new();
    documents
        .deployment
        .environments
        .iter()
        .flat_map(|(name, environment)| check_environment(documents, name, environment, options))
        .filter(|failure| seen.insert((failure.property.clone(), failure.reason.clone())))
        .collect()
}

/// The problems of one environment, each once (two parts that check the
/// same setting report it once).
fn check_environment(
    documents: &Documents,
    name: &str,
    environment: &EnvironmentSettings,
    options: &DeploymentOptions,
) -> Vec<CheckFailure> {
    let at = format!("{DEPLOYMENT_CONFIG}.environments.{name}");
    let mut own = Failures::new();
    check_placement(environment, &at, &mut own);
    check_image_regions(documents, name, environment, &mut own);
    let components = environment.inference_type == InferenceType::Components;
    let deploys_versions = environment.enable_workflow
        && options
            .workflow
            .as_ref()
            .is_some_and(|workflow| workflow.auto_deploy);
    own.require(
        !(components && deploys_versions),
        format!("{at}.inferenceType"),
        format!(
            "is `components`, which the retraining workflow cannot deploy to: environment              `{name}` has enableWorkflow and {WORKFLOW}.autoDeploy is true (its default), but the              workflow rolls an approved version out as a new endpoint configuration with the              model in a variant, and an inference-component endpoint runs its models as              components; set {WORKFLOW}.autoDeploy to false (the workflow then trains, evaluates              and registers versions for you to roll out), or choose another inferenceType"
        ),
    );
    own.require(
        !environment.enable_workflow || options.workflow.is_some(),
        WORKFLOW,
        format!(
            "is required: environment `{name}` has enableWorkflow, and its retraining needs at \
             least `training.image` and `evaluation.metricName`"
        ),
    );

    let parts = EnvironmentParts {
        documents,
        environment,
        options,
    };
    let prefix = &documents.deployment.model_artifacts.s3_key_prefix;
    let base = BaseOutputs::unknown(prefix);
    // The names the Deployment learns from its children, as placeholders.
    let monitoring = environment.enable_monitoring;
    let guards: Vec<String> = if monitoring {
        vec!["<rollbackAlarmNames>".to_owned()]
    } else {
        Vec::new()
    };
    let monitors = if monitoring && environment.create_new_app_config {
        vec![Output::unknown()]
    } else {
        Vec::new()
    };
    let locations = TrainingLocations::new(
        "<modelArtifactBucketName>",
        "<asyncOutputBucketName>",
        prefix,
    );

    let common = [
        ("projectName", format!("{DEPLOYMENT_CONFIG}.project.name")),
        ("stage", format!("{at}.stage")),
        (
            "modelArtifacts",
            format!("{DEPLOYMENT_CONFIG}.modelArtifacts"),
        ),
        ("modelList", format!("{MODEL_CONFIG}.modelList")),
        (
            "endpointName",
            format!("{MODEL_CONFIG}.sageMakerEndpointName"),
        ),
        ("serverlessConfig", format!("{at}.serverlessConfig")),
        ("asyncConfig", format!("{at}.asyncConfig")),
    ];
    let mut found = own.into_vec();
    let mut add = |failures: Failures, moves: &[(&str, String)]| {
        found.extend(
            failures
                .into_vec()
                .into_iter()
                .map(|f| relocate(f, moves))
                .map(|f| relocate(f, &common)),
        );
    };
    add(check_args(&parts.base_infra()), &[]);
    add(
        check_app_config(&parts.app_config(monitors)),
        &[
            ("appConfigSuffix", format!("{at}.appConfigSuffix")),
            ("modelParameters", format!("{MODEL_CONFIG}.modelParameters")),
            (
                "existingAppConfigAppId",
                format!("{at}.existingAppConfigAppId"),
            ),
            (
                "existingAppConfigEnvId",
                format!("{at}.existingAppConfigEnvId"),
            ),
            (
                "existingAppConfigProfileId",
                format!("{at}.existingAppConfigProfileId"),
            ),
        ],
    );
    add(SageMakerModel.check(&parts.models(&base, None)), &[]);
    match parts.endpoint(&base, Output::unknown(), &guards) {
        EndpointArgs::Realtime(args) => add(SageMakerEndpoint.check(&args), &[]),
        EndpointArgs::Async(args) => add(
            SageMakerAsyncEndpoint.check(&args),
            &[("autoscaling", "asyncAutoscaling".to_owned())],
        ),
        EndpointArgs::Serverless(args) => add(SageMakerServerlessEndpoint.check(&args), &[]),
        EndpointArgs::Components(args) => {
            let settings = format!("{at}.componentsConfig");
            let moved = [
                "instanceType",
                "initialInstanceCount",
                "minInstanceCount",
                "maxInstanceCount",
                "routingStrategy",
                "rollingUpdate",
            ]
            .map(|field| (field, format!("{settings}.{field}")));
            add(SageMakerInferenceComponentEndpoint.check(&args), &moved);
        }
    }
    if let Some(args) = parts.monitor_dashboard(
        // The state machine's ARN is known once the account is.
        parts.workflow_base_name().map(|_| Output::unknown()),
    ) {
        add(MonitorDashboard.check(&args), &[]);
    }
    if let Some(args) = parts.workflow(&base, &locations, Output::unknown(), Output::unknown()) {
        let mut failures = Workflow.check(&args);
        if components {
            // Said above, naming both settings.
            failures = Failures(
                failures
                    .into_vec()
                    .into_iter()
                    .filter(|failure| failure.property != "inferenceType")
                    .collect(),
            );
        }
        add(
            failures,
            &[
                ("inferenceType", format!("{at}.inferenceType")),
                ("workflowName", format!("{WORKFLOW}.workflowName")),
                ("training", format!("{WORKFLOW}.training")),
                ("evaluation", format!("{WORKFLOW}.evaluation")),
                (
                    "modelPackageGroupName",
                    format!("{WORKFLOW}.modelPackageGroupName"),
                ),
                ("variantName", format!("{WORKFLOW}.variantName")),
                ("pollSeconds", format!("{WORKFLOW}.pollSeconds")),
                (
                    "scheduleExpression",
                    format!("{WORKFLOW}.scheduleExpression"),
                ),
            ],
        );
    }
    let mut seen = BTreeSet::new();
    found
        .into_iter()
        .filter(|failure| seen.insert((failure.property.clone(), failure.reason.clone())))
        .collect()
}

/// A component's failure at the documents' path of the same setting.
fn relocate(failure: CheckFailure, moves: &[(&str, String)]) -> CheckFailure {
    for (from, to) in moves {
        if let Some(rest) = failure.property.strip_prefix(from)
            && (rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
        {
            return CheckFailure::new(format!("{to}{rest}"), failure.reason);
        }
    }
    failure
}

/// The account is 12 digits; the region looks like one (`us-east-1`).
fn check_placement(environment: &EnvironmentSettings, at: &str, failures: &mut Failures) {
    let account = &environment.account;
    failures.require(
        account.len() == 12 && account.chars().all(|c| c.is_ascii_digit()),
        format!("{at}.account"),
        format!("must be a 12-digit AWS account id, got `{account}`"),
    );
    failures.require(
        is_region(&environment.region),
        format!("{at}.region"),
        format!(
            "must be an AWS region such as `us-east-1`, got `{}`",
            environment.region
        ),
    );
}

/// `<area>-<place>-<number>`, with optional middle parts (`us-gov-west-1`).
fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase()))
        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

/// SageMaker pulls a model's ECR image only from the region it runs in.
fn check_image_regions(
    documents: &Documents,
    name: &str,
    environment: &EnvironmentSettings,
    failures: &mut Failures,
) {
    // A region that is not one is reported as such, not once per image.
    if !is_region(&environment.region) {
        return;
    }
    for (i, model) in documents.model.model_list.iter().enumerate() {
        if let Some(registry) = ecr_region(&model.model_docker_image)
            && registry != environment.region
        {
            failures.push(
                format!("{MODEL_CONFIG}.modelList[{i}].ModelDockerImage"),
                format!(
                    "is in the ECR registry of {registry}, but environment `{name}` deploys to {}; \
                     SageMaker pulls images only from its own region: use the image's {} registry",
                    environment.region, environment.region
                ),
            );
        }
    }
}
