//! `sagemaker-deployment:appconfig:ConfigurationProfile`: a freeform
//! configuration kept in AppConfig's hosted store, with JSON Schema
//! validators that AppConfig runs on every new version and deployment.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::lost_creates::{CreationToken, Sibling, left_for, settle};
use super::{arn, create_tags, name_problem, retag};
use crate::Context;
use crate::aws::{AttemptLog, OrGone, ResultExt, Service};
use crate::resources::Tags;
use aws_sdk_appconfig::types::{Validator, ValidatorType};
use framework::{Created, CustomResource, Failures, ReadOutcome};
use framework::{Output, ProviderError, Result};

/// The location of a profile whose versions AppConfig hosts (API
/// reference, CreateConfigurationProfile `LocationUri`: "For the AWS
/// AppConfig hosted configuration store and for feature flags, specify
/// `hosted`").
pub const HOSTED: &str = "hosted";

/// The profile type of freeform configuration data (API reference,
/// CreateConfigurationProfile `Type`).
pub const FREEFORM: &str = "AWS.Freeform";

/// Most validators a profile may have (API reference,
/// CreateConfigurationProfile `Validators`: "Maximum number of 2 items").
pub const MAX_VALIDATORS: usize = 2;

/// Longest validator content (API reference, Validator `Content`: "Maximum
/// length of 32768").
pub const MAX_VALIDATOR_LENGTH: usize = 32768;

/// A hosted, freeform AppConfig configuration profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationProfileInputs {
    /// Id of the application the profile belongs to.
    pub application_id: Output<String>,
    /// The profile name (1-64 characters).
    pub name: String,
    /// JSON Schemas (draft 4) every version must satisfy, as JSON text (at
    /// most 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub json_schema_validators: Vec<String>,
    /// Tags on the profile.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// The profile as created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationProfileOutputs {
    /// The inputs the profile was created or last updated with.
    #[serde(flatten)]
    pub inputs: ConfigurationProfileInputs,
    /// The profile id AppConfig chose.
    pub configuration_profile_id: String,
    /// The profile ARN.
    pub arn: String,
}

/// The AppConfig configuration profile resource.
pub struct ConfigurationProfile;

/// The validators in AppConfig's shape.
fn sdk_validators(schemas: &[String]) -> Result<Vec<Validator>> {
    schemas
        .iter()
        .map(|schema| {
            Validator::builder()
                .r#type(ValidatorType::JsonSchema)
                .content(schema)
                .build()
                .map_err(|e| ProviderError::Internal(e.to_string()))
        })
        .collect()
}

/// The configuration profiles named `name` in `application`.
async fn named_profiles(ctx: &Context, application: &str, name: &str) -> Result<Vec<Sibling>> {
    let mut found = Vec::new();
    let mut pages = ctx
        .clients
        .appconfig
        .list_configuration_profiles()
        .application_id(application)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.aws(Service::AppConfig, "ListConfigurationProfiles")?;
        for item in page.items().iter().filter(|i| i.name() == Some(name)) {
            let id = item.id().unwrap_or_default().to_owned();
            found.push(Sibling {
                arn: arn(
                    ctx,
                    &format!("application/{application}/configurationprofile/{id}"),
                )
                .await?,
                id,
            });
        }
    }
    Ok(found)
}

#[async_trait]
impl CustomResource for ConfigurationProfile {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:awsappconfig:ConfigurationProfile";
    const UPDATABLE: &'static [&'static str] = &["jsonSchemaValidators", "tags"];

    type Inputs = ConfigurationProfileInputs;
    type Outputs = ConfigurationProfileOutputs;

    fn check(&self, inputs: &ConfigurationProfileInputs) -> Failures {
        let mut failures = Failures::new();
        if let Some(problem) = name_problem(&inputs.name) {
            failures.push("name", problem);
        }
        failures.require(
            inputs.json_schema_validators.len() <= MAX_VALIDATORS,
            "jsonSchemaValidators",
            format!(
                "AppConfig takes at most {MAX_VALIDATORS} validators, got {}",
                inputs.json_schema_validators.len()
            ),
        );
        for (i, schema) in inputs.json_schema_validators.iter().enumerate() {
            let at = format!("jsonSchemaValidators[{i}]");
            match serde_json::from_str::<serde_json::Value>(schema) {
                Ok(serde_json::Value::Object(_)) => failures.require(
                    schema.len() <= MAX_VALIDATOR_LENGTH,
                    at,
                    format!("a validator holds at most {MAX_VALIDATOR_LENGTH} characters"),
                ),
                Ok(_) => failures.push(at, "a JSON Schema must be a JSON object"),
                Err(error) => failures.push(at, format!("not JSON: {error}")),
            }
        }
        failures
    }

    async fn create(
        &self,
        ctx: &Context,
        inputs: &ConfigurationProfileInputs,
    ) -> Result<Created<ConfigurationProfileOutputs>> {
        let application = inputs.application_id.as_str();
        let token = CreationToken::new(&ctx.urn);
        let log = AttemptLog::default();
        let created = ctx
            .clients
            .appconfig
            .create_configuration_profile()
            .application_id(application)
            .name(&inputs.name)
            .location_uri(HOSTED)
            .r#type(FREEFORM)
            .set_validators(Some(sdk_validators(&inputs.json_schema_validators)?))
            .set_tags(Some(token.with_tags(create_tags(ctx, &inputs.tags))))
            .customize()
            .interceptor(log.clone())
            .send()
            .await
            .aws(Service::AppConfig, "CreateConfigurationProfile")
            .map(|created| created.id().unwrap_or_default().to_owned());
        let profile_id = settle(
            ctx,
            "configuration profile",
            &log,
            created,
            || async {
                token
                    .carried_by(ctx, named_profiles(ctx, application, &inputs.name).await?)
                    .await
            },
            |id| async move {
                ctx.clients
                    .appconfig
                    .delete_configuration_profile()
                    .application_id(application)
                    .configuration_profile_id(id)
                    .send()
                    .await
                    .aws(Service::AppConfig, "DeleteConfigurationProfile")
                    .map(|_| ())
            },
        )
        .await?;
        Ok(Created {
            id: profile_id.clone(),
            outputs: ConfigurationProfileOutputs {
                inputs: inputs.clone(),
                arn: arn(
                    ctx,
                    &format!("application/{application}/configurationprofile/{profile_id}"),
                )
                .await?,
                configuration_profile_id: profile_id,
            },
        })
    }

    /// An object of this name (and parent) whose creation token was made
    /// for this resource: an earlier create of it, interrupted, made it.
    async fn left_by_an_interrupted_create(
        &self,
        ctx: &Context,
        inputs: &ConfigurationProfileInputs,
    ) -> Result<Option<String>> {
        left_for(
            ctx,
            named_profiles(ctx, inputs.application_id.as_str(), &inputs.name).await?,
        )
        .await
    }

    /// A pending create's object, found by the id given to `pulumi refresh
    /// --import-pending-creates`: read as if the create had answered.
    async fn adopt(
        &self,
        ctx: &Context,
        id: &str,
        inputs: &ConfigurationProfileInputs,
    ) -> Result<ReadOutcome<ConfigurationProfileInputs, ConfigurationProfileOutputs>> {
        let application = inputs.application_id.as_str();
        let outputs = ConfigurationProfileOutputs {
            inputs: inputs.clone(),
            configuration_profile_id: id.to_owned(),
            arn: arn(
                ctx,
                &format!("application/{application}/configurationprofile/{id}"),
            )
            .await?,
        };
        self.read(ctx, id, &outputs).await
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &ConfigurationProfileOutputs,
    ) -> Result<ReadOutcome<ConfigurationProfileInputs, ConfigurationProfileOutputs>> {
        let Some(found) = ctx
            .clients
            .appconfig
            .get_configuration_profile()
            .application_id(outputs.inputs.application_id.as_str())
            .configuration_profile_id(id)
            .send()
            .await
            .aws(Service::AppConfig, "GetConfigurationProfile")
            .or_gone()?
        else {
            return Ok(ReadOutcome::Gone);
        };
        let inputs = ConfigurationProfileInputs {
            name: found.name().unwrap_or_default().to_owned(),
            json_schema_validators: found
                .validators()
                .iter()
                .filter(|v| v.r#type() == &ValidatorType::JsonSchema)
                .map(|v| v.content().to_owned())
                .collect(),
            ..outputs.inputs.clone()
        };
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: ConfigurationProfileOutputs {
                inputs: inputs.clone(),
                ..outputs.clone()
            },
            inputs,
        })
    }

    async fn update(
        &self,
        ctx: &Context,
        id: &str,
        olds: &ConfigurationProfileOutputs,
        news: &ConfigurationProfileInputs,
    ) -> Result<ConfigurationProfileOutputs> {
        if olds.inputs.json_schema_validators != news.json_schema_validators {
            ctx.clients
                .appconfig
                .update_configuration_profile()
                .application_id(olds.inputs.application_id.as_str())
                .configuration_profile_id(id)
                .set_validators(Some(sdk_validators(&news.json_schema_validators)?))
                .send()
                .await
                .aws(Service::AppConfig, "UpdateConfigurationProfile")?;
        }
        if olds.inputs.tags != news.tags {
            retag(ctx, &olds.arn, &olds.inputs.tags, &news.tags).await?;
        }
        Ok(ConfigurationProfileOutputs {
            inputs: news.clone(),
            ..olds.clone()
        })
    }

    async fn delete(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &ConfigurationProfileOutputs,
    ) -> Result<()> {
        ctx.clients
            .appconfig
            .delete_configuration_profile()
            .application_id(outputs.inputs.application_id.as_str())
            .configuration_profile_id(id)
            .send()
            .await
            .aws(Service::AppConfig, "DeleteConfigurationProfile")
            .or_gone()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_appconfig::Client;
    use aws_sdk_appconfig::operation::create_configuration_profile::CreateConfigurationProfileOutput;
    use aws_smithy_mocks::mock;

    use super::*;
    use crate::resources::mock::mock_context;

    fn inputs(validators: &[&str]) -> ConfigurationProfileInputs {
        ConfigurationProfileInputs {
            application_id: "abc1234".into(),
            name: "model-parameters".into(),
            json_schema_validators: validators.iter().map(|v| v.to_string()).collect(),
            tags: Tags::new(),
        }
    }

    #[tokio::test]
    async fn the_profile_is_hosted_freeform_with_its_schema() {
        let create = mock!(Client::create_configuration_profile)
            .match_requests(|req| {
                req.location_uri() == Some("hosted")
                    && req.r#type() == Some("AWS.Freeform")
                    && req.validators().len() == 1
                    && req.validators()[0].r#type() == &ValidatorType::JsonSchema
                    && req.validators()[0].content() == r#"{"type":"object"}"#
            })
            .then_output(|| {
                CreateConfigurationProfileOutput::builder()
                    .id("prof901")
                    .build()
            });
        let ctx = mock_context::<ConfigurationProfile>(&[&create]).await;
        let created = ConfigurationProfile
            .create(&ctx, &inputs(&[r#"{"type":"object"}"#]))
            .await
            .unwrap();
        assert_eq!(created.id, "prof901");
        assert!(
            created
                .outputs
                .arn
                .ends_with("application/abc1234/configurationprofile/prof901")
        );
        assert_eq!(create.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_pending_create_is_adopted_with_the_inputs_it_was_sent_with() {
        use aws_sdk_appconfig::operation::get_configuration_profile::GetConfigurationProfileOutput;
        let get = mock!(Client::get_configuration_profile)
            .match_requests(|req| {
                req.application_id() == Some("abc1234")
                    && req.configuration_profile_id() == Some("prof901")
            })
            .then_output(|| {
                GetConfigurationProfileOutput::builder()
                    .id("prof901")
                    .application_id("abc1234")
                    .name("model-parameters")
                    .validators(
                        Validator::builder()
                            .r#type(ValidatorType::JsonSchema)
                            .content(r#"{"type":"object"}"#)
                            .build()
                            .unwrap(),
                    )
                    .build()
            });
        let ctx = mock_context::<ConfigurationProfile>(&[&get]).await;
        let sent = inputs(&[r#"{"type":"object"}"#]);
        let ReadOutcome::Found {
            id,
            inputs: read,
            outputs,
        } = ConfigurationProfile
            .adopt(&ctx, "prof901", &sent)
            .await
            .unwrap()
        else {
            panic!("the profile exists");
        };
        assert_eq!(id, "prof901");
        assert_eq!(read, sent, "nothing to change on the next up");
        assert_eq!(outputs.configuration_profile_id, "prof901");
        assert_eq!(
            outputs.arn,
            "arn:aws:appconfig:us-east-1:123456789012:application/abc1234/configurationprofile/prof901"
        );
    }

    #[test]
    fn a_validator_must_be_a_json_object() {
        let failures: Vec<String> = ConfigurationProfile
            .check(&inputs(&["[1]", "{not json"]))
            .into_vec()
            .into_iter()
            .map(|f| f.to_string())
            .collect();
        assert_eq!(failures.len(), 2, "{failures:?}");
        assert_eq!(
            failures[0],
            "jsonSchemaValidators[0]: a JSON Schema must be a JSON object"
        );
        assert!(failures[1].starts_with("jsonSchemaValidators[1]: not JSON"));
    }
}
