//! The rules an environment of the two documents must follow: every rule
//! of the components it becomes (run on the arguments [`super::parts`]
//! builds, their failures moved to the documents' JSON paths), plus the
//! documents' own: the account and region, and AppConfig ids that must be
//! given when the environment uses existing ones.

use std::collections::{BTreeMap, BTreeSet};

use super::parts::{BaseOutputs, EndpointArgs, EnvironmentParts};
use super::{DEPLOYMENT_CONFIG, Documents, EnvironmentChoice, EnvironmentSettings, MODEL_CONFIG};
use crate::components::async_endpoint::SageMakerAsyncEndpoint;
use crate::components::base_infra::check_args;
use crate::components::realtime_endpoint::SageMakerEndpoint;
use crate::components::sagemaker_model::SageMakerModel;
use crate::components::serverless_endpoint::SageMakerServerlessEndpoint;
use crate::resources::Tags;
use crate::resources::sagemaker::image::ecr_region;
use framework::{CheckFailure, Component, Failures, Output};

/// Every problem of environment `choice` of the documents, each with its
/// JSON path; a missing environment is one problem listing those there are.
pub fn validate(
    documents: &Documents,
    choice: &EnvironmentChoice,
    local_artifacts: &BTreeMap<String, String>,
) -> Vec<CheckFailure> {
    match documents.environment(choice) {
        Ok(environment) => check_environment(documents, &choice.name, environment, local_artifacts),
        Err(missing) => vec![missing],
    }
}

/// Every problem of every environment of the documents (a problem of the
/// model document once, however many environments share it).
pub fn validate_all(documents: &Documents) -> Vec<CheckFailure> {
    let none = BTreeMap::new();
    let mut seen = BTreeSet::new();
    documents
        .deployment
        .environments
        .iter()
        .flat_map(|(name, environment)| check_environment(documents, name, environment, &none))
        .filter(|failure| seen.insert((failure.property.clone(), failure.reason.clone())))
        .collect()
}

/// The problems of one environment.
fn check_environment(
    documents: &Documents,
    name: &str,
    environment: &EnvironmentSettings,
    local_artifacts: &BTreeMap<String, String>,
) -> Vec<CheckFailure> {
    let at = format!("{DEPLOYMENT_CONFIG}.environments.{name}");
    let mut own = Failures::new();
    check_placement(environment, &at, &mut own);
    check_app_config(environment, &at, &mut own);
    check_image_regions(documents, name, environment, &mut own);

    let tags = Tags::new();
    let parts = EnvironmentParts {
        documents,
        environment,
        local_artifacts,
        force_destroy: false,
        tags: &tags,
    };
    let base = BaseOutputs::unknown(&documents.deployment.model_artifacts.s3_key_prefix);
    let mut components = check_args(&parts.base_infra());
    components.extend(SageMakerModel.check(&parts.models(&base)));
    components.extend(match parts.endpoint(&base, Output::unknown()) {
        EndpointArgs::Realtime(args) => SageMakerEndpoint.check(&args),
        EndpointArgs::Async(args) => SageMakerAsyncEndpoint.check(&args),
        EndpointArgs::Serverless(args) => SageMakerServerlessEndpoint.check(&args),
    });
    let moves = [
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
    own.into_vec()
        .into_iter()
        .chain(
            components
                .into_vec()
                .into_iter()
                .map(|f| relocate(f, &moves)),
        )
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

/// An environment that uses existing AppConfig resources names all three.
fn check_app_config(environment: &EnvironmentSettings, at: &str, failures: &mut Failures) {
    if environment.create_new_app_config {
        return;
    }
    let ids = [
        (
            "existingAppConfigAppId",
            &environment.existing_app_config_app_id,
            "application",
        ),
        (
            "existingAppConfigEnvId",
            &environment.existing_app_config_env_id,
            "environment",
        ),
        (
            "existingAppConfigProfileId",
            &environment.existing_app_config_profile_id,
            "configuration profile",
        ),
    ];
    for (key, value, what) in ids {
        failures.require(
            value.as_deref().is_some_and(|id| !id.trim().is_empty()),
            format!("{at}.{key}"),
            format!(
                "must give the id of the existing AppConfig {what}: createNewAppConfig is false"
            ),
        );
    }
}
