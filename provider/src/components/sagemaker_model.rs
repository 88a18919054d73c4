//! `sagemaker-deployment:index:SageMakerModel`: the seed's
//! SageMakerModelStack. One SageMaker model per `modelList` entry.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::model_config::{ModelSpec, check_models, container_environment};
use crate::Scope;
use crate::naming::sanitize;
use crate::resources::Tags;
use crate::resources::iam::{RolePolicy, RolePolicyInputs};
use crate::resources::s3_object::{self, source_problem};
use crate::resources::sagemaker::image::ecr_repository_arn;
use crate::resources::sagemaker::model::{self, VpcConfig};
use framework::Result;
use framework::{Child, ChildOptions, Component, Failures, Output};

/// SageMaker models from the seed's `modelList`: each entry's image, its
/// artifact (`ModelS3Key` in the model-artifact bucket), the execution role
/// and `SAGEMAKER_MODEL_SERVER_WORKERS` from `ModelServerWorkers`. A model's
/// SageMaker name is its `ModelName` plus a hash of its content, so a new
/// version (say, a new `ModelS3Key`, or new content in `localArtifacts`) is
/// a new model.
///
/// A model listed in `localArtifacts` has its artifact uploaded from that
/// local path to `ModelS3Key` (an `s3:BucketObject` child) before the model is
/// created; any other model's artifact must already be there, which is
/// checked before the model is created.
///
/// The execution role is allowed to pull the models' images from their ECR
/// repositories, and from no other (an `iam:RolePolicy` child named
/// `<component>-pull-images`; BaseInfra's role has the registry token).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SageMakerModelArgs {
    /// The models (the seed's `modelList`).
    pub model_list: Vec<ModelSpec>,
    /// ARN of the SageMaker execution role (BaseInfra's `executionRoleArn`).
    pub execution_role_arn: Output<String>,
    /// Bucket holding the artifacts (BaseInfra's `modelArtifactBucketName`).
    pub model_artifact_bucket_name: Output<String>,
    /// Local artifacts to upload, by `ModelName`: the path of a file
    /// (uploaded as it is, e.g. a `model.tar.gz`) or of a directory (packed
    /// into a gzipped tar, e.g. one holding `code/inference.py` and the
    /// weights), relative to the program's directory. Each is uploaded to
    /// its model's `ModelS3Key`, and uploaded again when its content
    /// changes, which also makes a new model version.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub local_artifacts: BTreeMap<String, String>,
    /// The key prefix the execution role may read (BaseInfra's
    /// `s3KeyPrefix`): when given, every `ModelS3Key` must lie under it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_key_prefix: Option<Output<String>>,
    /// Run the containers in a VPC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_config: Option<VpcConfig>,
    /// Block network access from the containers.
    #[serde(default)]
    pub enable_network_isolation: bool,
    /// The AppConfig component's outputs, for models that read their
    /// parameters from AppConfig: the containers get them as environment
    /// variables, and the execution role may read exactly that
    /// configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_config: Option<AppConfigAccess>,
    /// Tags on every model.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// Where a model reads its parameters in AppConfig (the AppConfig
/// component's outputs of the same names).
///
/// The containers get `APPCONFIG_APPLICATION_ID`,
/// `APPCONFIG_ENVIRONMENT_ID` and `APPCONFIG_PROFILE_ID`; an inference
/// handler reads the parameters with AppConfigData, e.g. in Python:
///
/// ```python
/// import json, os, boto3
/// client = boto3.client("appconfigdata")
/// token = client.start_configuration_session(
///     ApplicationIdentifier=os.environ["APPCONFIG_APPLICATION_ID"],
///     EnvironmentIdentifier=os.environ["APPCONFIG_ENVIRONMENT_ID"],
///     ConfigurationProfileIdentifier=os.environ["APPCONFIG_PROFILE_ID"],
/// )["InitialConfigurationToken"]
/// answer = client.get_latest_configuration(ConfigurationToken=token)
/// parameters = json.loads(answer["Configuration"].read())  # empty when unchanged
/// token = answer["NextPollConfigurationToken"]  # for the next poll
/// ```
///
/// (or through the AppConfig agent at
/// `http://localhost:2772/applications/<app>/environments/<env>/configurations/<profile>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppConfigAccess {
    /// Id of the AppConfig application.
    pub application_id: Output<String>,
    /// Id of the environment.
    pub environment_id: Output<String>,
    /// Id of the configuration profile.
    pub configuration_profile_id: Output<String>,
    /// ARN of the configuration
    /// (`application/<app>/environment/<env>/configuration/<profile>`): the
    /// execution role is allowed `appconfig:StartConfigurationSession` and
    /// `appconfig:GetLatestConfiguration` on it, and on nothing else.
    pub configuration_arn: Output<String>,
}

impl AppConfigAccess {
    /// Names of the containers' environment variables naming the
    /// configuration: application, environment, profile.
    pub const VARIABLES: [&'static str; 3] = [
        "APPCONFIG_APPLICATION_ID",
        "APPCONFIG_ENVIRONMENT_ID",
        "APPCONFIG_PROFILE_ID",
    ];

    /// `environment` with the variables naming the configuration added:
    /// known once the identifiers are, secret when the environment is (a
    /// secret container variable keeps the whole environment secret), and
    /// depending on the AppConfig resources the identifiers come from.
    pub fn add_to(
        &self,
        environment: Output<BTreeMap<String, String>>,
    ) -> Output<BTreeMap<String, String>> {
        let identifiers = Output::all([
            self.application_id.clone(),
            self.environment_id.clone(),
            self.configuration_profile_id.clone(),
        ]);
        environment
            .zip(identifiers)
            .map(|(mut environment, identifiers)| {
                for (name, identifier) in Self::VARIABLES.into_iter().zip(identifiers) {
                    environment.insert(name.to_owned(), identifier);
                }
                environment
            })
    }
}

/// The execution role's policy for reading one configuration.
pub fn appconfig_read_policy(configuration_arn: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "ReadModelParameters",
            "Effect": "Allow",
            "Action": ["appconfig:StartConfigurationSession", "appconfig:GetLatestConfiguration"],
            "Resource": configuration_arn
        }]
    })
    .to_string()
}

/// The name of a role from its ARN (`arn:aws:iam::<account>:role/<path>/<name>`).
pub fn role_name_of(role_arn: &str) -> String {
    role_arn.rsplit('/').next().unwrap_or(role_arn).to_owned()
}

/// What SageMakerModel made.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SageMakerModelOutputs {
    /// SageMaker model names, in `modelList` order.
    pub model_names: Output<Vec<String>>,
    /// SageMaker model ARNs, in `modelList` order.
    pub model_arns: Output<Vec<String>>,
}

/// The SageMakerModel component.
pub struct SageMakerModel;

#[async_trait]
impl Component for SageMakerModel {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:index:SageMakerModel";

    type Inputs = SageMakerModelArgs;
    type Outputs = SageMakerModelOutputs;

    fn check(&self, args: &SageMakerModelArgs) -> Failures {
        let mut failures = Failures::new();
        check_models(&args.model_list, &mut failures);
        check_artifacts(args, &mut failures);
        failures
    }

    async fn construct(
        &self,
        scope: &Scope,
        name: &str,
        args: SageMakerModelArgs,
    ) -> Result<SageMakerModelOutputs> {
        // The grants and the artifacts need nothing of each other: they are
        // registered together, and each model waits for both (the role may
        // read the parameters and pull the images before any model starts;
        // a model's URL and content hash come from its uploaded artifact).
        let (grants, artifacts) = futures::join!(
            grant_model_access(scope, name, &args),
            framework::all_children(
                args.model_list
                    .iter()
                    .map(|spec| upload_artifact(scope, name, &args, spec))
            ),
        );
        let grants = grants?;
        let artifacts = artifacts?;
        let registrations = args
            .model_list
            .iter()
            .zip(artifacts)
            .map(|(spec, artifact)| {
                let child_name = model_child_name(name, spec);
                let (data_url, data_hash) = match artifact {
                    Some(object) => (object.output("s3Uri"), Some(object.output("sourceHash"))),
                    None => {
                        let key = spec.model_s3_key.clone();
                        let url = args
                            .model_artifact_bucket_name
                            .clone()
                            .map(move |bucket| format!("s3://{bucket}/{key}"));
                        (url, None)
                    }
                };
                let inputs = model::ModelInputs {
                    name_prefix: sanitize(&spec.model_name, 52),
                    execution_role_arn: args.execution_role_arn.clone(),
                    image: spec.model_docker_image.clone(),
                    model_data_url: Some(data_url),
                    model_data_hash: data_hash,
                    environment: match &args.app_config {
                        Some(access) => access.add_to(container_environment(spec)),
                        None => container_environment(spec),
                    },
                    vpc_config: args.vpc_config.clone(),
                    enable_network_isolation: args.enable_network_isolation,
                    tags: args.tags.clone(),
                    model_name: None,
                };
                let options = ChildOptions {
                    depends_on: grants.clone(),
                    ..Default::default()
                };
                async move {
                    scope
                        .resource::<model::Model>(&child_name, &inputs, options)
                        .await
                }
            });
        let models = framework::all_children(registrations).await?;
        Ok(SageMakerModelOutputs {
            model_names: Output::all(models.iter().map(|m| m.output("modelName"))),
            model_arns: Output::all(models.iter().map(|m| m.output("arn"))),
        })
    }
}

/// The name of a model's child resource in the component `component`.
fn model_child_name(component: &str, spec: &ModelSpec) -> String {
    format!("{component}-{}", sanitize(&spec.model_name, 63))
}

/// Uploads the local artifact of `spec`, if `localArtifacts` names one.
async fn upload_artifact(
    scope: &Scope,
    component: &str,
    args: &SageMakerModelArgs,
    spec: &ModelSpec,
) -> Result<Option<Child<s3_object::BucketObject>>> {
    let Some(source) = args.local_artifacts.get(&spec.model_name) else {
        return Ok(None);
    };
    let inputs = s3_object::BucketObjectInputs {
        bucket: args.model_artifact_bucket_name.clone(),
        key: spec.model_s3_key.clone(),
        source: source.clone(),
        kms_key_arn: None,
        content_type: None,
        tags: args.tags.clone(),
        source_hash: None,
    };
    scope
        .resource::<s3_object::BucketObject>(
            &format!("{}-artifact", model_child_name(component, spec)),
            &inputs,
            ChildOptions::default(),
        )
        .await
        .map(Some)
}

/// Grants the execution role what the models need before they start:
/// reading the AppConfig parameters (when `appConfig` is given) and pulling
/// the images; both policies are registered together. Returns their URNs.
async fn grant_model_access(
    scope: &Scope,
    component: &str,
    args: &SageMakerModelArgs,
) -> Result<Vec<String>> {
    let (read, pulls) = futures::join!(
        grant_appconfig_read(scope, component, args),
        grant_image_pulls(scope, component, args),
    );
    let grants = [read?, pulls?];
    Ok(grants
        .into_iter()
        .flatten()
        .map(|grant| grant.urn)
        .collect())
}

/// Lets the execution role read the parameters in AppConfig, when the
/// models are given `appConfig`.
async fn grant_appconfig_read(
    scope: &Scope,
    component: &str,
    args: &SageMakerModelArgs,
) -> Result<Option<Child<RolePolicy>>> {
    let Some(access) = &args.app_config else {
        return Ok(None);
    };
    let inputs = RolePolicyInputs {
        role_name: args
            .execution_role_arn
            .clone()
            .map(|arn| role_name_of(&arn)),
        policy_name: format!("{}-appconfig-read", sanitize(component, 100)),
        policy_document: access
            .configuration_arn
            .clone()
            .map(|arn| appconfig_read_policy(&arn)),
    };
    scope
        .resource::<RolePolicy>(
            &format!("{component}-appconfig-read"),
            &inputs,
            ChildOptions::default(),
        )
        .await
        .map(Some)
}

/// The statement letting a role pull the images of `models` from their ECR
/// repositories: the actions an image pull takes on a repository
/// (`ecr:BatchGetImage`, `ecr:GetDownloadUrlForLayer`,
/// `ecr:BatchCheckLayerAvailability`; their resource type is `repository`
/// in the Service Authorization Reference, Amazon ECR), on those
/// repositories only. None when no image is in ECR.
pub fn image_pull_policy(models: &[ModelSpec]) -> Option<String> {
    let repositories: BTreeSet<String> = models
        .iter()
        .filter_map(|spec| ecr_repository_arn(&spec.model_docker_image))
        .collect();
    if repositories.is_empty() {
        return None;
    }
    Some(
        serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "PullModelImages",
                "Effect": "Allow",
                "Action": [
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchCheckLayerAvailability"
                ],
                "Resource": repositories,
            }]
        })
        .to_string(),
    )
}

/// Registers the execution role's grant to pull the models' images, if
/// any is in ECR.
async fn grant_image_pulls(
    scope: &Scope,
    component: &str,
    args: &SageMakerModelArgs,
) -> Result<Option<Child<RolePolicy>>> {
    let Some(document) = image_pull_policy(&args.model_list) else {
        return Ok(None);
    };
    let role_name = args
        .execution_role_arn
        .clone()
        .map(|arn| role_name_of(&arn));
    let inputs = RolePolicyInputs {
        role_name,
        policy_name: format!("{}-pull-images", sanitize(component, 100)),
        policy_document: Output::new(document),
    };
    scope
        .resource::<RolePolicy>(
            &format!("{component}-image-pulls"),
            &inputs,
            ChildOptions::default(),
        )
        .await
        .map(Some)
}

/// Checks `localArtifacts` and `s3KeyPrefix` against the model list.
fn check_artifacts(args: &SageMakerModelArgs, failures: &mut Failures) {
    let names: BTreeSet<&str> = args
        .model_list
        .iter()
        .map(|m| m.model_name.as_str())
        .collect();
    for (model, source) in &args.local_artifacts {
        let at = format!("localArtifacts.{model}");
        if !names.contains(model.as_str()) {
            failures.push(
                &at,
                format!("`{model}` is not the ModelName of any model in modelList"),
            );
        } else if let Some(problem) = source_problem(source) {
            failures.push(&at, problem);
        }
    }
    let mut uploaded = BTreeSet::new();
    for (i, model) in args.model_list.iter().enumerate() {
        if args.local_artifacts.contains_key(&model.model_name)
            && !uploaded.insert(model.model_s3_key.as_str())
        {
            failures.push(
                format!("modelList[{i}].ModelS3Key"),
                format!(
                    "`{}` already receives another model's local artifact; give each uploaded artifact its own key",
                    model.model_s3_key
                ),
            );
        }
    }
    if let Some(prefix) = args.s3_key_prefix.as_ref().and_then(Output::get) {
        for (i, model) in args.model_list.iter().enumerate() {
            failures.require(
                model.model_s3_key.starts_with(prefix.as_str()),
                format!("modelList[{i}].ModelS3Key"),
                format!(
                    "must lie under BaseInfra's s3KeyPrefix `{prefix}` (the execution role may read only there), got `{}`",
                    model.model_s3_key
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::model_config::tests::model;

    fn args(local: &[(&str, &str)]) -> SageMakerModelArgs {
        SageMakerModelArgs {
            model_list: vec![model("a"), model("b")],
            execution_role_arn: "arn:aws:iam::123456789012:role/r".into(),
            model_artifact_bucket_name: "artifacts".into(),
            local_artifacts: local
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            s3_key_prefix: Some("models/".into()),
            vpc_config: None,
            enable_network_isolation: false,
            app_config: None,
            tags: Tags::new(),
        }
    }

    #[test]
    fn the_role_may_read_exactly_the_configuration() {
        let arn = "arn:aws:appconfig:us-east-1:123456789012:application/abc1234/environment/env5678/configuration/prof901";
        let policy: serde_json::Value = serde_json::from_str(&appconfig_read_policy(arn)).unwrap();
        assert_eq!(
            policy["Statement"][0]["Action"],
            serde_json::json!([
                "appconfig:StartConfigurationSession",
                "appconfig:GetLatestConfiguration"
            ])
        );
        assert_eq!(policy["Statement"][0]["Resource"], arn);
        assert_eq!(
            role_name_of("arn:aws:iam::123456789012:role/service/fraud-exec"),
            "fraud-exec"
        );
    }

    fn access(profile: Output<String>) -> AppConfigAccess {
        AppConfigAccess {
            application_id: "app1234".into(),
            environment_id: "env5678".into(),
            configuration_profile_id: profile,
            configuration_arn: "arn:aws:appconfig:us-east-1:123456789012:application/app1234/environment/env5678/configuration/prof901".into(),
        }
    }

    #[test]
    fn the_containers_get_the_configuration_ids_and_a_secret_environment_stays_secret() {
        let secret =
            Output::new(BTreeMap::from([("TOKEN".to_owned(), "s3cr3t".to_owned())])).into_secret();
        let environment = access("prof901".into()).add_to(secret);
        assert!(environment.is_secret());
        let variables = environment
            .get()
            .expect("known ids make a known environment");
        assert_eq!(variables["TOKEN"], "s3cr3t");
        assert_eq!(variables["APPCONFIG_APPLICATION_ID"], "app1234");
        assert_eq!(variables["APPCONFIG_ENVIRONMENT_ID"], "env5678");
        assert_eq!(variables["APPCONFIG_PROFILE_ID"], "prof901");
    }

    #[test]
    fn a_profile_id_not_known_yet_leaves_the_environment_unknown_and_dependent() {
        let profile = Output::from_parts(None, false, vec!["urn:profile".to_owned()]);
        let environment = access(profile).add_to(Output::default());
        assert!(!environment.is_known());
        assert!(!environment.is_secret());
        assert_eq!(environment.dependencies(), ["urn:profile".to_owned()]);
    }

    fn failures(args: &SageMakerModelArgs) -> Vec<String> {
        SageMakerModel
            .check(args)
            .into_vec()
            .into_iter()
            .map(|f| f.to_string())
            .collect()
    }

    #[test]
    fn the_role_may_pull_from_the_models_repositories_only() {
        let mut own = model("c");
        own.model_docker_image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/fraud:7".into();
        let mut elsewhere = model("d");
        elsewhere.model_docker_image = "registry.example.com/fraud:7".into();
        // Two models on the same repository grant it once.
        let models = [model("a"), model("b"), own, elsewhere.clone()];
        let policy: serde_json::Value =
            serde_json::from_str(&image_pull_policy(&models).unwrap()).unwrap();
        let statement = &policy["Statement"][0];
        assert_eq!(
            statement["Resource"],
            serde_json::json!([
                "arn:aws:ecr:us-east-1:123456789012:repository/team/fraud",
                "arn:aws:ecr:us-east-1:763104351884:repository/pytorch-inference"
            ])
        );
        assert!(
            statement["Action"]
                .as_array()
                .unwrap()
                .iter()
                .all(|action| action != "ecr:GetAuthorizationToken")
        );
        // No ECR image, no grant.
        assert_eq!(image_pull_policy(&[elsewhere]), None);
    }

    #[test]
    fn local_artifacts_must_name_a_model_and_exist() {
        let here = std::env::current_dir().unwrap();
        let existing = here.join("Cargo.toml");
        let ok = args(&[("a-model", existing.to_str().unwrap())]);
        assert_eq!(failures(&ok), Vec::<String>::new());
        let bad = args(&[("c-model", "Cargo.toml"), ("b-model", "no/such/dir")]);
        let found = failures(&bad);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("localArtifacts.b-model: no file or directory at "));
        assert!(found[0].ends_with("no/such/dir"), "{}", found[0]);
        assert!(found[1].starts_with("localArtifacts.c-model: `c-model` is not the ModelName"));
    }

    #[test]
    fn two_uploads_to_one_key_are_refused() {
        let mut same_key = args(&[("a-model", "Cargo.toml"), ("b-model", "Cargo.toml")]);
        same_key.model_list[1].model_s3_key = same_key.model_list[0].model_s3_key.clone();
        let found = failures(&same_key);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("modelList[1].ModelS3Key: "),
            "{}",
            found[0]
        );
    }

    #[test]
    fn keys_must_lie_under_the_role_s_prefix() {
        let mut outside = args(&[]);
        outside.model_list[1].model_s3_key = "elsewhere/model.tar.gz".into();
        let found = failures(&outside);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with(
            "modelList[1].ModelS3Key: must lie under BaseInfra's s3KeyPrefix `models/`"
        ));
        // Unknown while previewing, or not given: nothing to compare with.
        outside.s3_key_prefix = Some(Output::unknown());
        assert!(failures(&outside).is_empty());
        outside.s3_key_prefix = None;
        assert!(failures(&outside).is_empty());
    }
}
