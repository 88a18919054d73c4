//! `sagemaker-deployment:index:AppConfig`: the seed's AppConfigStack. The
//! model's parameters in AWS AppConfig, so that they change live, without
//! redeploying the endpoint that reads them.

mod parameters;
mod strategy;

pub use parameters::{ParameterError, derived_schema, parse, rule_failures};
pub use strategy::{CustomStrategy, default_strategy};

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::Scope;
use crate::aws::{OrGone, ResultExt, Service};
use crate::naming::{sanitize, short_hash};
use crate::resources::appconfig::{
    application, configuration_profile, deployment, deployment_strategy, environment,
    hosted_configuration_version,
};
use crate::resources::{Tags, iam};
use framework::{ChildOptions, Component, Failures, Output, ProviderError, Result};

/// The name of the profile that holds the parameters.
pub const PROFILE_NAME: &str = "model-parameters";

/// The model's parameters in AWS AppConfig: an application named from the
/// project and `appConfigSuffix`, an environment for the stage, a hosted
/// freeform profile whose content is `modelParameters`, validated by a JSON
/// Schema (derived from the document's shape unless `parametersSchema` is
/// given), and a deployment of each new version with a deployment strategy,
/// rolled back when one of `rollbackAlarmArns` goes into `ALARM`.
///
/// An unchanged document makes no new version and no deployment; a changed
/// one makes exactly one of each. With `createNewAppConfig: false`, the
/// parameters are deployed into the existing application, environment and
/// profile, which are looked up but never changed or deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppConfigArgs {
    /// Project name (the seed's `project.name`): the application is named
    /// `<projectName>-<appConfigSuffix>`.
    pub project_name: String,
    /// The seed's `appConfigSuffix`.
    pub app_config_suffix: String,
    /// Environment stage, e.g. `dev`, `test` or `prod`: the AppConfig
    /// environment's name.
    pub stage: String,
    /// The model's parameters (the seed's `modelParameters`): a JSON object,
    /// or JSON text of one. JSON text is hosted byte for byte, key order
    /// included; an object crosses the Pulumi wire as a map, so its keys
    /// arrive sorted.
    pub model_parameters: Value,
    /// A JSON Schema (draft 4) for the parameters, replacing the one derived
    /// from the document's shape (every leaf's type; thresholds between 0
    /// and 1; batch sizes whole numbers of at least 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters_schema: Option<Value>,
    /// Create the application, environment and profile (the seed's
    /// `createNewAppConfig`); `false` deploys into existing ones.
    #[serde(default = "yes")]
    pub create_new_app_config: bool,
    /// Id of the existing application (required when `createNewAppConfig`
    /// is false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing_app_config_app_id: Option<String>,
    /// Id of the existing environment (required when `createNewAppConfig`
    /// is false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing_app_config_env_id: Option<String>,
    /// Id of the existing hosted profile (required when
    /// `createNewAppConfig` is false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing_app_config_profile_id: Option<String>,
    /// A predefined deployment strategy, e.g. `AppConfig.AllAtOnce` or
    /// `AppConfig.Linear50PercentEvery30Seconds`. Default:
    /// `AppConfig.AllAtOnce` in `dev`, `AppConfig.Canary10Percent20Minutes`
    /// elsewhere. Not with `customDeploymentStrategy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_strategy: Option<String>,
    /// A custom deployment strategy, created for this component. Not with
    /// `deploymentStrategy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_deployment_strategy: Option<CustomStrategy>,
    /// CloudWatch alarm ARNs (at most 5) that roll a deployment back when
    /// one goes into `ALARM`. A role that AppConfig assumes to read exactly
    /// these alarms is created with them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rollback_alarm_arns: Vec<Output<String>>,
    /// Tags on every object created.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

fn yes() -> bool {
    true
}

/// What AppConfig made.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppConfigOutputs {
    /// Id of the AppConfig application.
    pub application_id: Output<String>,
    /// Id of the environment.
    pub environment_id: Output<String>,
    /// Id of the configuration profile.
    pub configuration_profile_id: Output<String>,
    /// The hosted version number deployed.
    pub version_number: Output<String>,
    /// The number of the deployment that serves it.
    pub deployment_number: Output<i32>,
    /// The deployment strategy used: a predefined id or the custom one's.
    pub deployment_strategy_id: Output<String>,
    /// ARN of the configuration as a reader asks for it
    /// (`application/<app>/environment/<env>/configuration/<profile>`),
    /// the resource of `appconfig:StartConfigurationSession` and
    /// `appconfig:GetLatestConfiguration`.
    pub configuration_arn: Output<String>,
    /// ARN of the role AppConfig assumes to read the rollback alarms, when
    /// there are any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monitor_role_arn: Option<Output<String>>,
}

/// The AppConfig component.
pub struct AppConfig;

/// The ids of existing AppConfig objects, when `createNewAppConfig` is
/// false: each one required.
fn existing_ids(args: &AppConfigArgs) -> [(&'static str, Option<&str>); 3] {
    fn given(id: &Option<String>) -> Option<&str> {
        id.as_deref().filter(|id| !id.trim().is_empty())
    }
    [
        (
            "existingAppConfigAppId",
            given(&args.existing_app_config_app_id),
        ),
        (
            "existingAppConfigEnvId",
            given(&args.existing_app_config_env_id),
        ),
        (
            "existingAppConfigProfileId",
            given(&args.existing_app_config_profile_id),
        ),
    ]
}

/// Checks the arguments, without calling AWS.
pub fn check_args(args: &AppConfigArgs) -> Failures {
    let mut failures = Failures::new();
    let application = application_name(args);
    failures.require(
        !args.project_name.is_empty() && !args.app_config_suffix.is_empty() && application.len() <= 64,
        "appConfigSuffix",
        format!(
            "projectName and appConfigSuffix must be given and name the application in at most 64 characters, got `{application}`"
        ),
    );
    failures.require(
        (1..=64).contains(&args.stage.len()),
        "stage",
        "must be 1-64 characters (the environment's name)",
    );
    match parse(&args.model_parameters) {
        Err(error) => failures.push("modelParameters", error.to_string()),
        Ok(document) => {
            for failure in rule_failures(&document.value) {
                failures.push("modelParameters", failure.to_string());
            }
        }
    }
    if let Some(schema) = &args.parameters_schema {
        failures.require(
            schema.is_object(),
            "parametersSchema",
            "must be a JSON Schema object",
        );
    }
    if !args.create_new_app_config {
        for (property, id) in existing_ids(args) {
            failures.require(
                id.is_some(),
                property,
                "is required when createNewAppConfig is false: the id of the existing AppConfig object",
            );
        }
    }
    strategy::check(args, &mut failures);
    failures.require(
        args.rollback_alarm_arns.len() <= environment::MAX_MONITORS,
        "rollbackAlarmArns",
        format!(
            "AppConfig watches at most {} alarms per environment, got {}",
            environment::MAX_MONITORS,
            args.rollback_alarm_arns.len()
        ),
    );
    failures
}

/// The application's name: `<projectName>-<appConfigSuffix>`.
pub fn application_name(args: &AppConfigArgs) -> String {
    format!("{}-{}", args.project_name, args.app_config_suffix)
}

/// The trust policy that lets AppConfig assume the monitor role.
pub fn monitor_trust_policy() -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Service": "appconfig.amazonaws.com" },
            "Action": "sts:AssumeRole"
        }]
    })
    .to_string()
}

/// The monitor role's policy: `cloudwatch:DescribeAlarms` on exactly these
/// alarms (AppConfig User Guide, "Configuring permissions for rollback based
/// on CloudWatch alarms").
pub fn monitor_policy(alarm_arns: &[String]) -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "ReadRollbackAlarms",
            "Effect": "Allow",
            "Action": "cloudwatch:DescribeAlarms",
            "Resource": alarm_arns
        }]
    })
    .to_string()
}

/// The ARN a reader's permissions name: the configuration of `profile` in
/// `environment` (Service Authorization Reference, AWS AppConfig, resource
/// type `configuration`).
pub fn configuration_arn(
    region: &str,
    account: &str,
    application: &str,
    environment: &str,
    profile: &str,
) -> String {
    format!(
        "arn:aws:appconfig:{region}:{account}:application/{application}/environment/{environment}/configuration/{profile}"
    )
}

/// Checks that the existing objects exist, naming the one that does not.
async fn look_up_existing(scope: &Scope, app: &str, env: &str, profile: &str) -> Result<()> {
    let clients = scope.clients()?;
    let appconfig = &clients.appconfig;
    let missing = |what: &str, property: &str, id: &str| ProviderError::Failed {
        reason: format!("{property}: no AppConfig {what} `{id}` in this account and region"),
    };
    appconfig
        .get_application()
        .application_id(app)
        .send()
        .await
        .aws(Service::AppConfig, "GetApplication")
        .or_gone()?
        .ok_or_else(|| missing("application", "existingAppConfigAppId", app))?;
    appconfig
        .get_environment()
        .application_id(app)
        .environment_id(env)
        .send()
        .await
        .aws(Service::AppConfig, "GetEnvironment")
        .or_gone()?
        .ok_or_else(|| missing("environment", "existingAppConfigEnvId", env))?;
    appconfig
        .get_configuration_profile()
        .application_id(app)
        .configuration_profile_id(profile)
        .send()
        .await
        .aws(Service::AppConfig, "GetConfigurationProfile")
        .or_gone()?
        .ok_or_else(|| {
            missing(
                "configuration profile",
                "existingAppConfigProfileId",
                profile,
            )
        })?;
    Ok(())
}

#[async_trait]
impl Component for AppConfig {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:index:AppConfig";

    type Inputs = AppConfigArgs;
    type Outputs = AppConfigOutputs;

    fn check(&self, args: &AppConfigArgs) -> Failures {
        check_args(args)
    }

    async fn construct(
        &self,
        scope: &Scope,
        name: &str,
        args: AppConfigArgs,
    ) -> Result<AppConfigOutputs> {
        let document = parse(&args.model_parameters).map_err(|error| ProviderError::Failed {
            reason: format!("modelParameters {error}"),
        })?;
        let clients = scope.clients()?;
        let account = clients.account_id().await?;
        let region = clients.region.clone();
        let tags = &args.tags;

        let monitor_role = if args.rollback_alarm_arns.is_empty() {
            None
        } else {
            let hash = short_hash(
                &format!(
                    "{account}/{region}/{}/{}/{name}",
                    scope.project, scope.stack
                ),
                6,
            );
            let base = sanitize(&format!("{}-{}", application_name(&args), args.stage), 40);
            let policy = Output::all(args.rollback_alarm_arns.iter().cloned())
                .map(|alarms| monitor_policy(&alarms));
            let role = scope
                .resource::<iam::Role>(
                    &format!("{name}-monitor-role"),
                    &iam::RoleInputs {
                        role_name: format!("{base}-appconfig-mon-{hash}"),
                        assume_role_policy: monitor_trust_policy(),
                        description: "Lets AWS AppConfig read the rollback alarms".to_owned(),
                        inline_policies: [("read-rollback-alarms".to_owned(), policy)].into(),
                        tags: tags.clone(),
                    },
                    ChildOptions::default(),
                )
                .await?;
            Some(role.output::<String>("arn"))
        };

        let (application_id, environment_id, profile_id) = if args.create_new_app_config {
            let application = scope
                .resource::<application::Application>(
                    &format!("{name}-application"),
                    &application::ApplicationInputs {
                        name: application_name(&args),
                        description: Some(format!("Model parameters of {}", args.project_name)),
                        tags: tags.clone(),
                    },
                    ChildOptions::default(),
                )
                .await?;
            let application_id: Output<String> = application.output("applicationId");
            let monitors = args
                .rollback_alarm_arns
                .iter()
                .map(|alarm| environment::Monitor {
                    alarm_arn: alarm.clone(),
                    alarm_role_arn: monitor_role.clone(),
                })
                .collect();
            let schema = args
                .parameters_schema
                .clone()
                .unwrap_or_else(|| derived_schema(&document.value));
            // The environment and the profile need only the application.
            let environment_inputs = environment::EnvironmentInputs {
                application_id: application_id.clone(),
                name: args.stage.clone(),
                monitors,
                tags: tags.clone(),
            };
            let profile_inputs = configuration_profile::ConfigurationProfileInputs {
                application_id: application_id.clone(),
                name: PROFILE_NAME.to_owned(),
                json_schema_validators: vec![schema.to_string()],
                tags: tags.clone(),
            };
            let (environment_name, profile_name) =
                (format!("{name}-environment"), format!("{name}-profile"));
            let (environment, profile) = futures::join!(
                scope.resource::<environment::Environment>(
                    &environment_name,
                    &environment_inputs,
                    ChildOptions::default(),
                ),
                scope.resource::<configuration_profile::ConfigurationProfile>(
                    &profile_name,
                    &profile_inputs,
                    ChildOptions::default(),
                ),
            );
            let (environment, profile) = (environment?, profile?);
            (
                application_id,
                environment.output::<String>("environmentId"),
                profile.output::<String>("configurationProfileId"),
            )
        } else {
            let [(_, Some(app)), (_, Some(env)), (_, Some(profile))] = existing_ids(&args) else {
                return Err(ProviderError::InvalidInputs(
                    "existingAppConfigAppId, existingAppConfigEnvId and existingAppConfigProfileId are required when createNewAppConfig is false".to_owned(),
                ));
            };
            look_up_existing(scope, app, env, profile).await?;
            (
                Output::new(app.to_owned()),
                Output::new(env.to_owned()),
                Output::new(profile.to_owned()),
            )
        };

        let strategy_id = match &args.custom_deployment_strategy {
            Some(custom) => {
                let created = scope
                    .resource::<deployment_strategy::DeploymentStrategy>(
                        &format!("{name}-strategy"),
                        &custom.inputs(
                            sanitize(&format!("{}-{}", application_name(&args), args.stage), 64),
                            tags.clone(),
                        ),
                        ChildOptions::default(),
                    )
                    .await?;
                created.output::<String>("deploymentStrategyId")
            }
            None => Output::new(
                args.deployment_strategy
                    .clone()
                    .unwrap_or_else(|| default_strategy(&args.stage).to_owned()),
            ),
        };

        let version = scope
            .resource::<hosted_configuration_version::HostedConfigurationVersion>(
                &format!("{name}-parameters"),
                &hosted_configuration_version::HostedConfigurationVersionInputs {
                    application_id: application_id.clone(),
                    configuration_profile_id: profile_id.clone(),
                    content: document.text.clone(),
                    content_type: hosted_configuration_version::JSON.to_owned(),
                    description: None,
                },
                ChildOptions::default(),
            )
            .await?;
        let version_number: Output<String> = version.output("versionNumber");
        let deployment = scope
            .resource::<deployment::Deployment>(
                &format!("{name}-deployment"),
                &deployment::DeploymentInputs {
                    application_id: application_id.clone(),
                    environment_id: environment_id.clone(),
                    configuration_profile_id: profile_id.clone(),
                    configuration_version: version_number.clone(),
                    deployment_strategy_id: strategy_id.clone(),
                    description: Some(format!("{} parameters", args.stage)),
                    tags: tags.clone(),
                },
                ChildOptions::default(),
            )
            .await?;
        let configuration_arn = application_id
            .clone()
            .zip(environment_id.clone())
            .zip(profile_id.clone())
            .map(|((app, env), profile)| {
                configuration_arn(&region, &account, &app, &env, &profile)
            });
        Ok(AppConfigOutputs {
            application_id,
            environment_id,
            configuration_profile_id: profile_id,
            version_number,
            deployment_number: deployment.output("deploymentNumber"),
            deployment_strategy_id: strategy_id,
            configuration_arn,
            monitor_role_arn: monitor_role,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn seed_args() -> AppConfigArgs {
        AppConfigArgs {
            project_name: "sagemaker-deployment".into(),
            app_config_suffix: "dev".into(),
            stage: "dev".into(),
            model_parameters: json!({
                "inference": {"thresholds": {"classification": 0.5, "confidence": 0.7}, "batchSize": 10}
            }),
            parameters_schema: None,
            create_new_app_config: true,
            existing_app_config_app_id: None,
            existing_app_config_env_id: None,
            existing_app_config_profile_id: None,
            deployment_strategy: None,
            custom_deployment_strategy: None,
            rollback_alarm_arns: Vec::new(),
            tags: Tags::new(),
        }
    }

    fn failures(args: &AppConfigArgs) -> Vec<String> {
        check_args(args)
            .into_vec()
            .into_iter()
            .map(|f| f.to_string())
            .collect()
    }

    #[test]
    fn the_seed_dev_environment_passes() {
        assert_eq!(failures(&seed_args()), Vec::<String>::new());
    }

    #[test]
    fn the_seed_prod_environment_with_empty_ids_fails_naming_the_app_id() {
        let mut prod = seed_args();
        prod.create_new_app_config = false;
        prod.existing_app_config_app_id = Some(String::new());
        prod.existing_app_config_env_id = Some(String::new());
        prod.existing_app_config_profile_id = Some(String::new());
        let found = failures(&prod);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found[0].starts_with(
                "existingAppConfigAppId: is required when createNewAppConfig is false"
            )
        );
    }

    #[test]
    fn a_threshold_of_one_and_a_half_fails_with_its_path() {
        let mut bad = seed_args();
        bad.model_parameters["inference"]["thresholds"]["classification"] = json!(1.5);
        assert_eq!(
            failures(&bad),
            [
                "modelParameters: $.inference.thresholds.classification: a threshold must be a number between 0 and 1, got 1.5 (a number)"
            ]
        );
    }

    #[test]
    fn the_monitor_role_reads_exactly_the_alarms() {
        let alarm = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:errors".to_owned();
        let policy: Value =
            serde_json::from_str(&monitor_policy(std::slice::from_ref(&alarm))).unwrap();
        assert_eq!(
            policy["Statement"][0]["Action"],
            "cloudwatch:DescribeAlarms"
        );
        assert_eq!(policy["Statement"][0]["Resource"], json!([alarm]));
        let trust: Value = serde_json::from_str(&monitor_trust_policy()).unwrap();
        assert_eq!(
            trust["Statement"][0]["Principal"]["Service"],
            "appconfig.amazonaws.com"
        );
    }

    #[test]
    fn the_configuration_arn_names_application_environment_and_profile() {
        assert_eq!(
            configuration_arn("us-east-1", "123456789012", "abc1234", "env5678", "prof901"),
            "arn:aws:appconfig:us-east-1:123456789012:application/abc1234/environment/env5678/configuration/prof901"
        );
    }
}
