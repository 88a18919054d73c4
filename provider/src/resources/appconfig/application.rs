//! `sagemaker-deployment:appconfig:Application`: an AppConfig application,
//! the folder that holds a model's environments and configuration profiles.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::lost_creates::{CreationToken, Sibling, left_for, settle};
use super::{arn, create_tags, leftovers, name_problem, retag};
use crate::Context;
use crate::aws::{AttemptLog, AwsError, OrGone, ResultExt, Service};
use crate::resources::Tags;
use framework::Result;
use framework::{Created, CustomResource, Failures, ReadOutcome};

/// An AppConfig application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationInputs {
    /// The application name (1-64 characters).
    pub name: String,
    /// A description of the application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Tags on the application.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// The application as created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationOutputs {
    /// The inputs the application was created or last updated with.
    #[serde(flatten)]
    pub inputs: ApplicationInputs,
    /// The application id AppConfig chose (4-7 lowercase letters and digits).
    pub application_id: String,
    /// The application ARN.
    pub arn: String,
}

/// The AppConfig application resource.
pub struct Application;

/// The applications named `name`.
async fn named_applications(ctx: &Context, name: &str) -> Result<Vec<Sibling>> {
    let mut found = Vec::new();
    let mut pages = ctx
        .clients
        .appconfig
        .list_applications()
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.aws(Service::AppConfig, "ListApplications")?;
        for item in page.items().iter().filter(|a| a.name() == Some(name)) {
            let id = item.id().unwrap_or_default().to_owned();
            found.push(Sibling {
                arn: arn(ctx, &format!("application/{id}")).await?,
                id,
            });
        }
    }
    Ok(found)
}

#[async_trait]
impl CustomResource for Application {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:awsappconfig:Application";
    const UPDATABLE: &'static [&'static str] = &["tags"];

    type Inputs = ApplicationInputs;
    type Outputs = ApplicationOutputs;

    fn check(&self, inputs: &ApplicationInputs) -> Failures {
        let mut failures = Failures::new();
        if let Some(problem) = name_problem(&inputs.name) {
            failures.push("name", problem);
        }
        failures
    }

    async fn create(
        &self,
        ctx: &Context,
        inputs: &ApplicationInputs,
    ) -> Result<Created<ApplicationOutputs>> {
        let token = CreationToken::new(&ctx.urn);
        let log = AttemptLog::default();
        let created = ctx
            .clients
            .appconfig
            .create_application()
            .name(&inputs.name)
            .set_description(inputs.description.clone())
            .set_tags(Some(token.with_tags(create_tags(ctx, &inputs.tags))))
            .customize()
            .interceptor(log.clone())
            .send()
            .await
            .aws(Service::AppConfig, "CreateApplication")
            .map(|created| created.id().unwrap_or_default().to_owned());
        let id = settle(
            ctx,
            "application",
            &log,
            created,
            || async {
                token
                    .carried_by(ctx, named_applications(ctx, &inputs.name).await?)
                    .await
            },
            |id| async move { delete_application(ctx, &id).await },
        )
        .await?;
        Ok(Created {
            outputs: ApplicationOutputs {
                inputs: inputs.clone(),
                arn: arn(ctx, &format!("application/{id}")).await?,
                application_id: id.clone(),
            },
            id,
        })
    }

    /// An object of this name (and parent) whose creation token was made
    /// for this resource: an earlier create of it, interrupted, made it.
    async fn left_by_an_interrupted_create(
        &self,
        ctx: &Context,
        inputs: &ApplicationInputs,
    ) -> Result<Option<String>> {
        left_for(ctx, named_applications(ctx, &inputs.name).await?).await
    }

    /// A pending create's object, found by the id given to `pulumi refresh
    /// --import-pending-creates`: read as if the create had answered.
    async fn adopt(
        &self,
        ctx: &Context,
        id: &str,
        inputs: &ApplicationInputs,
    ) -> Result<ReadOutcome<ApplicationInputs, ApplicationOutputs>> {
        let outputs = ApplicationOutputs {
            inputs: inputs.clone(),
            application_id: id.to_owned(),
            arn: arn(ctx, &format!("application/{id}")).await?,
        };
        self.read(ctx, id, &outputs).await
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &ApplicationOutputs,
    ) -> Result<ReadOutcome<ApplicationInputs, ApplicationOutputs>> {
        let Some(found) = ctx
            .clients
            .appconfig
            .get_application()
            .application_id(id)
            .send()
            .await
            .aws(Service::AppConfig, "GetApplication")
            .or_gone()?
        else {
            return Ok(ReadOutcome::Gone);
        };
        let inputs = ApplicationInputs {
            name: found.name().unwrap_or_default().to_owned(),
            description: found
                .description()
                .filter(|d| !d.is_empty())
                .map(str::to_owned),
            ..outputs.inputs.clone()
        };
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: ApplicationOutputs {
                inputs: inputs.clone(),
                ..outputs.clone()
            },
            inputs,
        })
    }

    async fn update(
        &self,
        ctx: &Context,
        _id: &str,
        olds: &ApplicationOutputs,
        news: &ApplicationInputs,
    ) -> Result<ApplicationOutputs> {
        retag(ctx, &olds.arn, &olds.inputs.tags, &news.tags).await?;
        Ok(ApplicationOutputs {
            inputs: news.clone(),
            ..olds.clone()
        })
    }

    /// Deletes the application. Refused because objects remain under it,
    /// those the provider made whose create never reached the state (see
    /// [`leftovers`]) are deleted, and the application after them.
    async fn delete(&self, ctx: &Context, id: &str, _outputs: &ApplicationOutputs) -> Result<()> {
        let refusal = match delete_application(ctx, id).await {
            Ok(()) => return Ok(()),
            Err(error) if error.code.as_deref() == Some("BadRequestException") => error,
            Err(error) => return Err(error.into()),
        };
        let removed = leftovers::remove(ctx, id).await?;
        if removed.is_empty() {
            return Err(refusal.into());
        }
        ctx.info(format!(
            "deleted what interrupted creates left in application {id} (no state held them): \
             environments {:?}, configuration profiles {:?}",
            removed.environments, removed.profiles
        ))
        .await;
        delete_application(ctx, id).await?;
        Ok(())
    }
}

/// DeleteApplication; an application already gone counts as deleted.
async fn delete_application(ctx: &Context, id: &str) -> std::result::Result<(), AwsError> {
    ctx.clients
        .appconfig
        .delete_application()
        .application_id(id)
        .send()
        .await
        .aws(Service::AppConfig, "DeleteApplication")
        .or_gone()
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use aws_sdk_appconfig::Client;
    use aws_sdk_appconfig::operation::create_application::CreateApplicationOutput;
    use aws_smithy_mocks::{Rule, mock};

    use super::*;
    use crate::resources::appconfig::lost_creates::TOKEN_TAG;
    use crate::resources::mock::{mock_context, mock_context_tagged};

    #[tokio::test]
    async fn the_application_is_created_with_the_default_tags() {
        let create = mock!(Client::create_application)
            .match_requests(|req| {
                req.name() == Some("fraud-dev")
                    && req.tags().and_then(|t| t.get("team")).map(String::as_str) == Some("ml")
            })
            .then_output(|| CreateApplicationOutput::builder().id("abc1234").build());
        let ctx = mock_context_tagged::<Application>(
            &[&create],
            [("team".to_owned(), "ml".to_owned())].into(),
        )
        .await;
        let inputs = ApplicationInputs {
            name: "fraud-dev".into(),
            description: None,
            tags: Tags::new(),
        };
        let created = Application.create(&ctx, &inputs).await.unwrap();
        assert_eq!(created.id, "abc1234");
        assert_eq!(
            created.outputs.arn,
            "arn:aws:appconfig:us-east-1:123456789012:application/abc1234"
        );
        assert_eq!(create.num_calls(), 1);
    }

    fn refused() -> aws_sdk_appconfig::operation::delete_application::DeleteApplicationError {
        use aws_sdk_appconfig::error::ErrorMetadata;
        use aws_sdk_appconfig::types::error::BadRequestException;
        aws_sdk_appconfig::operation::delete_application::DeleteApplicationError::BadRequestException(
            BadRequestException::builder()
                .message("Cannot delete application abc1234 because it still has 0 environment(s) and 1 configuration profile(s).")
                .meta(ErrorMetadata::builder().code("BadRequestException").build())
                .build(),
        )
    }

    fn outputs() -> ApplicationOutputs {
        ApplicationOutputs {
            inputs: ApplicationInputs {
                name: "fraud-dev".into(),
                description: None,
                tags: Tags::new(),
            },
            application_id: "abc1234".into(),
            arn: "arn:aws:appconfig:us-east-1:123456789012:application/abc1234".into(),
        }
    }

    /// AppConfig with application abc1234 holding environment `env1`
    /// (tagged `env_tags`) and profile `prof1` (tagged `profile_tags`) with
    /// hosted versions 1 (labelled by the provider) and 2 (labelled by
    /// someone else); DeleteApplication is refused once, then succeeds.
    fn appconfig(
        env_tags: &'static [(&'static str, &'static str)],
        profile_tags: &'static [(&'static str, &'static str)],
    ) -> Vec<Rule> {
        use aws_sdk_appconfig::operation::delete_application::DeleteApplicationOutput;
        use aws_sdk_appconfig::operation::list_configuration_profiles::ListConfigurationProfilesOutput;
        use aws_sdk_appconfig::operation::list_environments::ListEnvironmentsOutput;
        use aws_sdk_appconfig::operation::list_hosted_configuration_versions::ListHostedConfigurationVersionsOutput;
        use aws_sdk_appconfig::operation::list_tags_for_resource::ListTagsForResourceOutput;
        use aws_sdk_appconfig::types::{
            ConfigurationProfileSummary, Environment, HostedConfigurationVersionSummary,
        };
        let tags = |pairs: &'static [(&'static str, &'static str)]| {
            move || {
                ListTagsForResourceOutput::builder()
                    .set_tags(Some(
                        pairs
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.to_string()))
                            .collect(),
                    ))
                    .build()
            }
        };
        vec![
            mock!(Client::delete_application)
                .sequence()
                .error(refused)
                .output(|| DeleteApplicationOutput::builder().build())
                .build(),
            mock!(Client::list_environments).then_output(|| {
                ListEnvironmentsOutput::builder()
                    .items(Environment::builder().id("env1").name("dev").build())
                    .build()
            }),
            mock!(Client::list_configuration_profiles).then_output(|| {
                ListConfigurationProfilesOutput::builder()
                    .items(
                        ConfigurationProfileSummary::builder()
                            .id("prof1")
                            .name("model-parameters")
                            .build(),
                    )
                    .build()
            }),
            mock!(Client::list_tags_for_resource)
                .match_requests(|req| {
                    req.resource_arn()
                        .is_some_and(|a| a.ends_with("environment/env1"))
                })
                .then_output(tags(env_tags)),
            mock!(Client::list_tags_for_resource)
                .match_requests(|req| {
                    req.resource_arn()
                        .is_some_and(|a| a.ends_with("configurationprofile/prof1"))
                })
                .then_output(tags(profile_tags)),
            mock!(Client::list_hosted_configuration_versions).then_output(|| {
                ListHostedConfigurationVersionsOutput::builder()
                    .items(
                        HostedConfigurationVersionSummary::builder()
                            .version_number(1)
                            .version_label("created-0123abcd")
                            .build(),
                    )
                    .items(
                        HostedConfigurationVersionSummary::builder()
                            .version_number(2)
                            .version_label("hand-made")
                            .build(),
                    )
                    .build()
            }),
        ]
    }

    #[tokio::test]
    async fn a_delete_refused_for_objects_an_interrupted_create_left_removes_them() {
        use aws_sdk_appconfig::operation::delete_configuration_profile::DeleteConfigurationProfileOutput;
        use aws_sdk_appconfig::operation::delete_hosted_configuration_version::DeleteHostedConfigurationVersionOutput;
        // The environment is someone else's (no token); the profile is the
        // provider's, left by a create whose answer never reached the state.
        let rules = appconfig(&[("team", "ml")], &[(TOKEN_TAG, "f00d")]);
        let delete_version = mock!(Client::delete_hosted_configuration_version)
            .match_requests(|req| {
                req.configuration_profile_id() == Some("prof1") && req.version_number() == Some(1)
            })
            .then_output(|| DeleteHostedConfigurationVersionOutput::builder().build());
        let delete_profile = mock!(Client::delete_configuration_profile)
            .match_requests(|req| {
                req.application_id() == Some("abc1234")
                    && req.configuration_profile_id() == Some("prof1")
            })
            .then_output(|| DeleteConfigurationProfileOutput::builder().build());
        // No DeleteEnvironment rule: deleting the environment fails the test.
        let mut all: Vec<&Rule> = rules.iter().collect();
        all.extend([&delete_version, &delete_profile]);
        let ctx = mock_context::<Application>(&all).await;
        Application
            .delete(&ctx, "abc1234", &outputs())
            .await
            .unwrap();
        assert_eq!(
            delete_version.num_calls(),
            1,
            "only the version the provider labelled"
        );
        assert_eq!(delete_profile.num_calls(), 1);
        assert_eq!(
            rules[0].num_calls(),
            2,
            "the application is deleted after its leftovers"
        );
    }

    #[tokio::test]
    async fn objects_the_provider_did_not_make_keep_the_refusal() {
        let rules = appconfig(&[], &[("team", "ml")]);
        // No delete rule for the environment or the profile: calling one fails the test.
        let all: Vec<&Rule> = rules.iter().collect();
        let ctx = mock_context::<Application>(&all).await;
        let error = Application
            .delete(&ctx, "abc1234", &outputs())
            .await
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("still has 0 environment(s) and 1 configuration profile(s)"),
            "{error}"
        );
        assert_eq!(rules[0].num_calls(), 1);
    }

    #[test]
    fn a_long_name_fails_preview() {
        let inputs = ApplicationInputs {
            name: "x".repeat(65),
            description: None,
            tags: Tags::new(),
        };
        let failures: Vec<String> = Application
            .check(&inputs)
            .into_vec()
            .into_iter()
            .map(|f| f.to_string())
            .collect();
        assert_eq!(failures, ["name: must be 1-64 characters, got 65"]);
    }
}
