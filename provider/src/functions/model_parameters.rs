//! `sagemaker-deployment:index:getModelParameters`: the seed's ConfigUtils
//! read side (the issue's `modelParameters`), what AppConfig serves a model
//! now. Named `get...`, a read as Pulumi names them: a plain
//! `modelParameters` would be `ModelParameters` in the Go SDK, the name of
//! the Workflow's `ModelParameters` type already.
//!
//! The parameters are read as a model reads them, through AppConfig's data
//! plane (AppConfigData API reference): StartConfigurationSession with the
//! application, environment and configuration profile (each by id or name),
//! then one GetLatestConfiguration with the session's initial token. Its
//! `Configuration` is the data of the latest deployment that completed, and
//! its `Version-Label` header the label of that version, when it has one.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::aws::{AwsClients, AwsError, ProviderConfig, ResultExt, Service};
use crate::components::app_config::PROFILE_NAME;
use crate::components::deployment_config::{
    DEPLOYMENT_CONFIG, Documents, EnvironmentChoice, MODEL_CONFIG, choose_environment,
    deployment_env_variable, validate,
};
use framework::{CheckFailure, Failures, Function, ProviderError, Result};

/// AppConfigData's limit on each identifier (StartConfigurationSession:
/// 1-128 characters).
const MAX_IDENTIFIER: usize = 128;

/// What AppConfig serves now to the models of an environment: the
/// parameters document of the latest completed deployment, read through
/// AppConfigData (StartConfigurationSession, GetLatestConfiguration) as a
/// model's container reads it. Name the configuration either by
/// `applicationIdentifier`, `environmentIdentifier` and
/// `configurationProfileIdentifier` (each an id or a name, e.g. an AppConfig
/// component's outputs), or by the seed's two documents and an environment
/// (`environment`, else `DEPLOYMENT_ENV`): then the application is
/// `<project.name>-<appConfigSuffix>`, the environment its `stage` and the
/// profile `model-parameters`, as a Deployment names them, or the
/// environment's `existingAppConfig*Id` when `createNewAppConfig` is false,
/// read in the environment's region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModelParametersArgs {
    /// The AppConfig application's id or name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_identifier: Option<String>,
    /// The AppConfig environment's id or name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment_identifier: Option<String>,
    /// The configuration profile's id or name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_profile_identifier: Option<String>,
    /// The seed's `deployment-config.json`, as an object (instead of the
    /// three identifiers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_config: Option<serde_json::Value>,
    /// The seed's `model-config.json`, as an object (with `deploymentConfig`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_config: Option<serde_json::Value>,
    /// The environment of `deploymentConfig`, e.g. `dev` (else `DEPLOYMENT_ENV`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
}

/// The parameters AppConfig serves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModelParametersResult {
    /// The parameters, parsed.
    pub parameters: serde_json::Value,
    /// The parameters as AppConfig serves them, byte for byte.
    pub parameters_json: String,
    /// The label of the version served (`Version-Label`), when the version
    /// has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_label: Option<String>,
    /// The content type the version was stored with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// The application read, as given or derived from the documents.
    pub application_identifier: String,
    /// The environment read.
    pub environment_identifier: String,
    /// The configuration profile read.
    pub configuration_profile_identifier: String,
    /// The region read from.
    pub region: String,
}

/// The configuration to read: its three identifiers, and the region when
/// the documents name one.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The application's id or name.
    pub application: String,
    /// The environment's id or name.
    pub environment: String,
    /// The configuration profile's id or name.
    pub profile: String,
    /// The region the documents' environment is in.
    pub region: Option<String>,
}

/// Why the parameters cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ModelParametersError {
    #[error(
        "nothing is deployed: AppConfig has no completed deployment of configuration profile \
         `{profile}` to environment `{environment}` of application `{application}` \
         ({source}); deploy the parameters first (`pulumi up` of the Deployment or AppConfig \
         component, or StartDeployment)"
    )]
    NothingDeployed {
        application: String,
        environment: String,
        profile: String,
        source: AwsError,
    },
    #[error(
        "no such AppConfig configuration: {source}; check applicationIdentifier, \
         environmentIdentifier and configurationProfileIdentifier (ids or names, in region {region})"
    )]
    NotFound { region: String, source: AwsError },
    #[error("the served parameters are not JSON: {0}")]
    NotJson(String),
    #[error(transparent)]
    Aws(AwsError),
}

impl From<ModelParametersError> for ProviderError {
    fn from(error: ModelParametersError) -> Self {
        ProviderError::Failed {
            reason: error.to_string(),
        }
    }
}

/// The identifier arguments, by name.
fn identifiers(args: &ModelParametersArgs) -> [(&'static str, &Option<String>); 3] {
    [
        ("applicationIdentifier", &args.application_identifier),
        ("environmentIdentifier", &args.environment_identifier),
        (
            "configurationProfileIdentifier",
            &args.configuration_profile_identifier,
        ),
    ]
}

impl ModelParametersArgs {
    fn choice(&self) -> Option<EnvironmentChoice> {
        choose_environment(
            self.environment.as_deref(),
            deployment_env_variable().as_deref(),
            None,
        )
    }

    /// The configuration to read, or every problem of the arguments.
    pub fn target(&self) -> std::result::Result<Target, Vec<CheckFailure>> {
        let given: Vec<&str> = identifiers(self)
            .into_iter()
            .filter(|(_, value)| value.is_some())
            .map(|(name, _)| name)
            .collect();
        let documents = self.deployment_config.is_some() || self.model_config.is_some();
        match (given.is_empty(), documents) {
            (true, false) => Err(vec![CheckFailure::new(
                "applicationIdentifier",
                "name the configuration: applicationIdentifier, environmentIdentifier and \
                 configurationProfileIdentifier, or deploymentConfig and modelConfig with an \
                 environment",
            )]),
            (false, true) => Err(vec![CheckFailure::new(
                given[0],
                "give either the three identifiers or the documents (deploymentConfig, \
                 modelConfig), not both",
            )]),
            (false, false) => self.by_identifiers(),
            (true, true) => self.by_documents(),
        }
    }

    fn by_identifiers(&self) -> std::result::Result<Target, Vec<CheckFailure>> {
        let mut problems = Vec::new();
        for (name, value) in identifiers(self) {
            match value.as_deref().map(str::trim) {
                None => problems.push(CheckFailure::new(
                    name,
                    "is required with the other identifiers (an id or a name)",
                )),
                Some(value) if value.is_empty() || value.len() > MAX_IDENTIFIER => problems.push(
                    CheckFailure::new(name, format!("must be 1-{MAX_IDENTIFIER} characters")),
                ),
                Some(_) => {}
            }
        }
        if self.environment.is_some() {
            problems.push(CheckFailure::new(
                "environment",
                "names an environment of deploymentConfig: use environmentIdentifier with the \
                 identifiers",
            ));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let get = |value: &Option<String>| value.clone().unwrap_or_default().trim().to_owned();
        Ok(Target {
            application: get(&self.application_identifier),
            environment: get(&self.environment_identifier),
            profile: get(&self.configuration_profile_identifier),
            region: None,
        })
    }

    fn by_documents(&self) -> std::result::Result<Target, Vec<CheckFailure>> {
        let (Some(deployment), Some(model)) = (&self.deployment_config, &self.model_config) else {
            let missing = if self.deployment_config.is_none() {
                "deploymentConfig"
            } else {
                "modelConfig"
            };
            return Err(vec![CheckFailure::new(
                missing,
                "is required with the other document",
            )]);
        };
        let documents = Documents::parse(deployment, model)?;
        let Some(choice) = self.choice() else {
            let known: Vec<&str> = documents
                .deployment
                .environments
                .keys()
                .map(String::as_str)
                .collect();
            return Err(vec![CheckFailure::new(
                "environment",
                format!(
                    "is required with the documents (or DEPLOYMENT_ENV): the document has {}",
                    known.join(", ")
                ),
            )]);
        };
        // The documents' own problems: a Deployment's other inputs (e.g.
        // `workflow` for an environment that enables it) do not apply here.
        let problems: Vec<CheckFailure> = validate(&documents, &choice, &Default::default())
            .into_iter()
            .filter(|f| {
                f.property.starts_with(DEPLOYMENT_CONFIG) || f.property.starts_with(MODEL_CONFIG)
            })
            .collect();
        if !problems.is_empty() {
            return Err(problems);
        }
        let settings = documents
            .environment(&choice)
            .map_err(|problem| vec![problem])?;
        let existing = |id: &Option<String>| id.clone().unwrap_or_default();
        Ok(if settings.create_new_app_config {
            Target {
                application: format!(
                    "{}-{}",
                    documents.deployment.project.name,
                    settings
                        .app_config_suffix
                        .clone()
                        .unwrap_or_else(|| settings.stage.clone())
                ),
                environment: settings.stage.clone(),
                profile: PROFILE_NAME.to_owned(),
                region: Some(settings.region.clone()),
            }
        } else {
            Target {
                application: existing(&settings.existing_app_config_app_id),
                environment: existing(&settings.existing_app_config_env_id),
                profile: existing(&settings.existing_app_config_profile_id),
                region: Some(settings.region.clone()),
            }
        })
    }
}

/// Reads what AppConfig serves for `target` with `clients`.
pub async fn read_served(
    clients: &AwsClients,
    target: &Target,
) -> std::result::Result<ModelParametersResult, ModelParametersError> {
    let data = &clients.appconfigdata;
    let not_found = |source: AwsError| ModelParametersError::NotFound {
        region: clients.region.clone(),
        source,
    };
    let session = data
        .start_configuration_session()
        .application_identifier(&target.application)
        .environment_identifier(&target.environment)
        .configuration_profile_identifier(&target.profile)
        .send()
        .await
        .aws(Service::AppConfigData, "StartConfigurationSession")
        .map_err(|e| {
            if e.is_not_found() {
                not_found(e)
            } else {
                ModelParametersError::Aws(e)
            }
        })?;
    let token = session.initial_configuration_token().unwrap_or_default();
    let nothing_deployed = |source: AwsError| ModelParametersError::NothingDeployed {
        application: target.application.clone(),
        environment: target.environment.clone(),
        profile: target.profile.clone(),
        source,
    };
    let latest = data
        .get_latest_configuration()
        .configuration_token(token)
        .send()
        .await
        .aws(Service::AppConfigData, "GetLatestConfiguration")
        .map_err(|e| {
            // The session found all three objects: what is missing is a
            // deployment of the profile to the environment.
            if e.is_not_found() {
                nothing_deployed(e)
            } else {
                ModelParametersError::Aws(e)
            }
        })?;
    let bytes = latest
        .configuration()
        .map(|blob| blob.as_ref().to_vec())
        .unwrap_or_default();
    let text = String::from_utf8(bytes)
        .map_err(|_| ModelParametersError::NotJson("not UTF-8 text".to_owned()))?;
    let parameters: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| ModelParametersError::NotJson(e.to_string()))?;
    Ok(ModelParametersResult {
        parameters,
        parameters_json: text,
        version_label: latest.version_label().map(str::to_owned),
        content_type: latest.content_type().map(str::to_owned),
        application_identifier: target.application.clone(),
        environment_identifier: target.environment.clone(),
        configuration_profile_identifier: target.profile.clone(),
        region: clients.region.clone(),
    })
}

/// The getModelParameters function.
pub struct ModelParameters;

#[async_trait]
impl Function for ModelParameters {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:index:getModelParameters";

    type Inputs = ModelParametersArgs;
    type Outputs = ModelParametersResult;

    fn check(&self, args: &ModelParametersArgs) -> Failures {
        Failures(args.target().err().unwrap_or_default())
    }

    async fn invoke(
        &self,
        clients: Option<&AwsClients>,
        args: ModelParametersArgs,
    ) -> Result<ModelParametersResult> {
        let target = args
            .target()
            .map_err(|problems| ProviderError::InvalidInputs(Failures(problems).summary()))?;
        let clients = clients.ok_or_else(|| {
            ProviderError::InvalidConfig("getModelParameters needs a configured provider".into())
        })?;
        // The documents' environment lives in its own region.
        let regional;
        let clients = match &target.region {
            Some(region) if *region != clients.region => {
                let config = ProviderConfig {
                    region: Some(region.clone()),
                    ..clients.settings.clone()
                };
                regional = AwsClients::build(&config).await;
                &regional
            }
            _ => clients,
        };
        Ok(read_served(clients, &target).await?)
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_appconfigdata::operation::get_latest_configuration::{
        GetLatestConfigurationError, GetLatestConfigurationOutput,
    };
    use aws_sdk_appconfigdata::operation::start_configuration_session::{
        StartConfigurationSessionError, StartConfigurationSessionOutput,
    };
    use aws_smithy_mocks::mock;
    use aws_smithy_types::Blob;
    use aws_smithy_types::error::ErrorMetadata;
    use serde_json::json;

    use super::*;

    fn seed() -> (serde_json::Value, serde_json::Value) {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/config/");
        let read = |name: &str| {
            serde_json::from_str(&std::fs::read_to_string(format!("{root}{name}")).unwrap())
                .unwrap()
        };
        (read("deployment-config.json"), read("model-config.json"))
    }

    fn by_documents(environment: &str) -> ModelParametersArgs {
        let (deployment, model) = seed();
        ModelParametersArgs {
            deployment_config: Some(deployment),
            model_config: Some(model),
            environment: Some(environment.to_owned()),
            ..Default::default()
        }
    }

    fn paths(args: &ModelParametersArgs) -> Vec<String> {
        let mut paths: Vec<String> = ModelParameters
            .check(args)
            .into_vec()
            .into_iter()
            .map(|f| f.property)
            .collect();
        paths.sort();
        paths
    }

    #[test]
    fn the_documents_name_the_configuration_a_deployment_makes() {
        let target = by_documents("dev").target().unwrap();
        assert_eq!(
            target,
            Target {
                application: "sagemaker-deployment-dev".into(),
                environment: "dev".into(),
                profile: "model-parameters".into(),
                region: Some("us-east-1".into()),
            }
        );
    }

    #[test]
    fn prod_reads_its_existing_ids_and_refuses_without_them() {
        assert_eq!(
            paths(&by_documents("prod")),
            [
                "deploymentConfig.environments.prod.existingAppConfigAppId",
                "deploymentConfig.environments.prod.existingAppConfigEnvId",
                "deploymentConfig.environments.prod.existingAppConfigProfileId",
            ]
        );
        let mut args = by_documents("prod");
        let prod = &mut args.deployment_config.as_mut().unwrap()["environments"]["prod"];
        prod["existingAppConfigAppId"] = json!("abc1234");
        prod["existingAppConfigEnvId"] = json!("def5678");
        prod["existingAppConfigProfileId"] = json!("ghi9012");
        let target = args.target().unwrap();
        assert_eq!(
            (target.application, target.environment, target.profile),
            ("abc1234".into(), "def5678".into(), "ghi9012".into())
        );
    }

    #[test]
    fn each_bad_argument_is_named_with_its_rule() {
        assert_eq!(
            paths(&ModelParametersArgs::default()),
            ["applicationIdentifier"]
        );
        let partial = ModelParametersArgs {
            application_identifier: Some("app".into()),
            configuration_profile_identifier: Some("x".repeat(129)),
            ..Default::default()
        };
        assert_eq!(
            paths(&partial),
            ["configurationProfileIdentifier", "environmentIdentifier"]
        );
        let failures = ModelParameters.check(&partial).into_vec();
        let too_long = failures
            .iter()
            .find(|f| f.property == "configurationProfileIdentifier")
            .unwrap();
        assert!(
            too_long.reason.contains("1-128 characters"),
            "{}",
            too_long.reason
        );
        let both = ModelParametersArgs {
            application_identifier: Some("app".into()),
            ..by_documents("dev")
        };
        assert_eq!(paths(&both), ["applicationIdentifier"]);
        let mut only_one = by_documents("dev");
        only_one.model_config = None;
        assert_eq!(paths(&only_one), ["modelConfig"]);
        let mut unknown = by_documents("staging");
        unknown.environment = Some("staging".into());
        assert_eq!(paths(&unknown), ["deploymentConfig.environments"]);
        let mut typo = by_documents("dev");
        typo.deployment_config.as_mut().unwrap()["environments"]["dev"]["stge"] = json!("x");
        assert_eq!(paths(&typo), ["deploymentConfig.environments.dev.stge"]);
    }

    fn target() -> Target {
        Target {
            application: "fraud-dev".into(),
            environment: "dev".into(),
            profile: "model-parameters".into(),
            region: None,
        }
    }

    #[tokio::test]
    async fn the_served_document_is_parsed_with_its_version_label() {
        let session = mock!(aws_sdk_appconfigdata::Client::start_configuration_session)
            .match_requests(|r| {
                r.application_identifier() == Some("fraud-dev")
                    && r.environment_identifier() == Some("dev")
                    && r.configuration_profile_identifier() == Some("model-parameters")
            })
            .then_output(|| {
                StartConfigurationSessionOutput::builder()
                    .initial_configuration_token("t1")
                    .build()
            });
        let latest = mock!(aws_sdk_appconfigdata::Client::get_latest_configuration)
            .match_requests(|r| r.configuration_token() == Some("t1"))
            .then_output(|| {
                GetLatestConfigurationOutput::builder()
                    .configuration(Blob::new(r#"{"inference": {"batchSize": 10}}"#))
                    .content_type("application/json")
                    .version_label("v3")
                    .build()
            });
        let clients = AwsClients::mocked(&[&session, &latest]);
        let served = read_served(&clients, &target()).await.unwrap();
        assert_eq!(served.parameters, json!({"inference": {"batchSize": 10}}));
        assert_eq!(
            served.parameters_json,
            r#"{"inference": {"batchSize": 10}}"#
        );
        assert_eq!(served.version_label.as_deref(), Some("v3"));
        assert_eq!(served.content_type.as_deref(), Some("application/json"));
    }

    fn not_found() -> ErrorMetadata {
        ErrorMetadata::builder()
            .code("ResourceNotFoundException")
            .message("not found")
            .build()
    }

    #[tokio::test]
    async fn nothing_deployed_says_so_naming_the_profile_and_environment() {
        let session = mock!(aws_sdk_appconfigdata::Client::start_configuration_session)
            .then_output(|| {
                StartConfigurationSessionOutput::builder()
                    .initial_configuration_token("t1")
                    .build()
            });
        let latest = mock!(aws_sdk_appconfigdata::Client::get_latest_configuration)
            .then_error(|| GetLatestConfigurationError::generic(not_found()));
        let clients = AwsClients::mocked(&[&session, &latest]);
        let error = read_served(&clients, &target()).await.unwrap_err();
        assert!(
            matches!(error, ModelParametersError::NothingDeployed { .. }),
            "{error}"
        );
        let text = error.to_string();
        assert!(
            text.starts_with("nothing is deployed") && text.contains("`model-parameters`"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn a_missing_application_names_the_identifiers() {
        let session = mock!(aws_sdk_appconfigdata::Client::start_configuration_session)
            .then_error(|| StartConfigurationSessionError::generic(not_found()));
        let clients = AwsClients::mocked(&[&session]);
        let error = read_served(&clients, &target()).await.unwrap_err();
        assert!(
            matches!(error, ModelParametersError::NotFound { .. }),
            "{error}"
        );
        assert!(error.to_string().contains("applicationIdentifier"));
    }
}
