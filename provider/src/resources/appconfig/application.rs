//! `sagemaker-deployment:appconfig:Application`: an AppConfig application,
//! the folder that holds a model's environments and configuration profiles.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::lost_creates::{CreationToken, Sibling, settle};
use super::{arn, create_tags, name_problem, retag};
use crate::Context;
use crate::aws::{AttemptLog, OrGone, ResultExt, Service};
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
        let token = CreationToken::new();
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
            |id| async move {
                ctx.clients
                    .appconfig
                    .delete_application()
                    .application_id(id)
                    .send()
                    .await
                    .aws(Service::AppConfig, "DeleteApplication")
                    .map(|_| ())
            },
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

    async fn delete(&self, ctx: &Context, id: &str, _outputs: &ApplicationOutputs) -> Result<()> {
        ctx.clients
            .appconfig
            .delete_application()
            .application_id(id)
            .send()
            .await
            .aws(Service::AppConfig, "DeleteApplication")
            .or_gone()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_appconfig::Client;
    use aws_sdk_appconfig::operation::create_application::CreateApplicationOutput;
    use aws_smithy_mocks::mock;

    use super::*;
    use crate::resources::mock::mock_context_tagged;

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
