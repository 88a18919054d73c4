//! `sagemaker-deployment:appconfig:Environment`: a stage (dev, prod, ...)
//! of an AppConfig application, with the CloudWatch alarms that roll a
//! deployment back.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::lost_creates::{CreationToken, Sibling, left_for, settle};
use super::{arn, create_tags, name_problem, retag};
use crate::Context;
use crate::aws::{AttemptLog, OrGone, ResultExt, Service};
use crate::resources::Tags;
use framework::{Created, CustomResource, Failures, ReadOutcome};
use framework::{Output, ProviderError, Result};

/// Most monitors an environment may have (API reference, CreateEnvironment
/// `Monitors`: "Array Members: Minimum number of 0 items. Maximum number of
/// 5 items.").
pub const MAX_MONITORS: usize = 5;

/// A CloudWatch alarm AppConfig watches during a deployment: when it is in
/// `ALARM`, the deployment rolls back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Monitor {
    /// ARN of the CloudWatch alarm.
    pub alarm_arn: Output<String>,
    /// ARN of the role AppConfig assumes to read the alarm: it must trust
    /// `appconfig.amazonaws.com` and allow `cloudwatch:DescribeAlarms` on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarm_role_arn: Option<Output<String>>,
}

/// An AppConfig environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentInputs {
    /// Id of the application the environment belongs to.
    pub application_id: Output<String>,
    /// The environment name (1-64 characters), e.g. the stage.
    pub name: String,
    /// Alarms that roll a deployment back (at most 5).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub monitors: Vec<Monitor>,
    /// Tags on the environment.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// The environment as created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentOutputs {
    /// The inputs the environment was created or last updated with.
    #[serde(flatten)]
    pub inputs: EnvironmentInputs,
    /// The environment id AppConfig chose.
    pub environment_id: String,
    /// The environment ARN.
    pub arn: String,
}

/// The AppConfig environment resource.
pub struct Environment;

/// The monitors in AppConfig's shape.
fn sdk_monitors(monitors: &[Monitor]) -> Result<Vec<aws_sdk_appconfig::types::Monitor>> {
    monitors
        .iter()
        .map(|monitor| {
            aws_sdk_appconfig::types::Monitor::builder()
                .alarm_arn(monitor.alarm_arn.as_str())
                .set_alarm_role_arn(monitor.alarm_role_arn.as_ref().map(String::from))
                .build()
                .map_err(|e| ProviderError::Internal(e.to_string()))
        })
        .collect()
}

/// The environments named `name` in `application`.
async fn named_environments(ctx: &Context, application: &str, name: &str) -> Result<Vec<Sibling>> {
    let mut found = Vec::new();
    let mut pages = ctx
        .clients
        .appconfig
        .list_environments()
        .application_id(application)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.aws(Service::AppConfig, "ListEnvironments")?;
        for item in page.items().iter().filter(|i| i.name() == Some(name)) {
            let id = item.id().unwrap_or_default().to_owned();
            found.push(Sibling {
                arn: arn(ctx, &format!("application/{application}/environment/{id}")).await?,
                id,
            });
        }
    }
    Ok(found)
}

#[async_trait]
impl CustomResource for Environment {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:awsappconfig:Environment";
    const UPDATABLE: &'static [&'static str] = &["monitors", "tags"];

    type Inputs = EnvironmentInputs;
    type Outputs = EnvironmentOutputs;

    fn check(&self, inputs: &EnvironmentInputs) -> Failures {
        let mut failures = Failures::new();
        if let Some(problem) = name_problem(&inputs.name) {
            failures.push("name", problem);
        }
        failures.require(
            inputs.monitors.len() <= MAX_MONITORS,
            "monitors",
            format!(
                "AppConfig watches at most {MAX_MONITORS} alarms per environment, got {}",
                inputs.monitors.len()
            ),
        );
        for (i, monitor) in inputs.monitors.iter().enumerate() {
            if let Some(alarm) = monitor.alarm_arn.get() {
                failures.require(
                    alarm.starts_with("arn:") && alarm.contains(":cloudwatch:") && alarm.contains(":alarm:"),
                    format!("monitors[{i}].alarmArn"),
                    format!("must be a CloudWatch alarm ARN (arn:aws:cloudwatch:<region>:<account>:alarm:<name>), got `{alarm}`"),
                );
            }
        }
        failures
    }

    async fn create(
        &self,
        ctx: &Context,
        inputs: &EnvironmentInputs,
    ) -> Result<Created<EnvironmentOutputs>> {
        let application = inputs.application_id.as_str();
        let token = CreationToken::new(&ctx.urn);
        let log = AttemptLog::default();
        let created = ctx
            .clients
            .appconfig
            .create_environment()
            .application_id(application)
            .name(&inputs.name)
            .set_monitors(Some(sdk_monitors(&inputs.monitors)?))
            .set_tags(Some(token.with_tags(create_tags(ctx, &inputs.tags))))
            .customize()
            .interceptor(log.clone())
            .send()
            .await
            .aws(Service::AppConfig, "CreateEnvironment")
            .map(|created| created.id().unwrap_or_default().to_owned());
        let environment_id = settle(
            ctx,
            "environment",
            &log,
            created,
            || async {
                token
                    .carried_by(
                        ctx,
                        named_environments(ctx, application, &inputs.name).await?,
                    )
                    .await
            },
            |id| async move {
                ctx.clients
                    .appconfig
                    .delete_environment()
                    .application_id(application)
                    .environment_id(id)
                    .send()
                    .await
                    .aws(Service::AppConfig, "DeleteEnvironment")
                    .map(|_| ())
            },
        )
        .await?;
        Ok(Created {
            id: environment_id.clone(),
            outputs: EnvironmentOutputs {
                inputs: inputs.clone(),
                arn: arn(
                    ctx,
                    &format!("application/{application}/environment/{environment_id}"),
                )
                .await?,
                environment_id,
            },
        })
    }

    /// An object of this name (and parent) whose creation token was made
    /// for this resource: an earlier create of it, interrupted, made it.
    async fn left_by_an_interrupted_create(
        &self,
        ctx: &Context,
        inputs: &EnvironmentInputs,
    ) -> Result<Option<String>> {
        left_for(
            ctx,
            named_environments(ctx, inputs.application_id.as_str(), &inputs.name).await?,
        )
        .await
    }

    /// A pending create's object, found by the id given to `pulumi refresh
    /// --import-pending-creates`: read as if the create had answered.
    async fn adopt(
        &self,
        ctx: &Context,
        id: &str,
        inputs: &EnvironmentInputs,
    ) -> Result<ReadOutcome<EnvironmentInputs, EnvironmentOutputs>> {
        let application = inputs.application_id.as_str();
        let outputs = EnvironmentOutputs {
            inputs: inputs.clone(),
            environment_id: id.to_owned(),
            arn: arn(ctx, &format!("application/{application}/environment/{id}")).await?,
        };
        self.read(ctx, id, &outputs).await
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &EnvironmentOutputs,
    ) -> Result<ReadOutcome<EnvironmentInputs, EnvironmentOutputs>> {
        let Some(found) = ctx
            .clients
            .appconfig
            .get_environment()
            .application_id(outputs.inputs.application_id.as_str())
            .environment_id(id)
            .send()
            .await
            .aws(Service::AppConfig, "GetEnvironment")
            .or_gone()?
        else {
            return Ok(ReadOutcome::Gone);
        };
        let live: Vec<(&str, Option<&str>)> = found
            .monitors()
            .iter()
            .map(|m| (m.alarm_arn(), m.alarm_role_arn()))
            .collect();
        let recorded: Vec<(&str, Option<&str>)> = outputs
            .inputs
            .monitors
            .iter()
            .map(|m| {
                (
                    m.alarm_arn.as_str(),
                    m.alarm_role_arn.as_ref().map(Output::as_str),
                )
            })
            .collect();
        // Recorded monitors keep their dependencies; only a real change of
        // the alarms or roles is reported as drift.
        let monitors = if live == recorded {
            outputs.inputs.monitors.clone()
        } else {
            live.iter()
                .map(|(alarm, role)| Monitor {
                    alarm_arn: Output::new((*alarm).to_owned()),
                    alarm_role_arn: role.map(|r| Output::new(r.to_owned())),
                })
                .collect()
        };
        let inputs = EnvironmentInputs {
            name: found.name().unwrap_or_default().to_owned(),
            monitors,
            ..outputs.inputs.clone()
        };
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: EnvironmentOutputs {
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
        olds: &EnvironmentOutputs,
        news: &EnvironmentInputs,
    ) -> Result<EnvironmentOutputs> {
        if olds.inputs.monitors != news.monitors {
            ctx.clients
                .appconfig
                .update_environment()
                .application_id(olds.inputs.application_id.as_str())
                .environment_id(id)
                .set_monitors(Some(sdk_monitors(&news.monitors)?))
                .send()
                .await
                .aws(Service::AppConfig, "UpdateEnvironment")?;
        }
        if olds.inputs.tags != news.tags {
            retag(ctx, &olds.arn, &olds.inputs.tags, &news.tags).await?;
        }
        Ok(EnvironmentOutputs {
            inputs: news.clone(),
            ..olds.clone()
        })
    }

    async fn delete(&self, ctx: &Context, id: &str, outputs: &EnvironmentOutputs) -> Result<()> {
        ctx.clients
            .appconfig
            .delete_environment()
            .application_id(outputs.inputs.application_id.as_str())
            .environment_id(id)
            .send()
            .await
            .aws(Service::AppConfig, "DeleteEnvironment")
            .or_gone()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_appconfig::Client;
    use aws_sdk_appconfig::operation::update_environment::UpdateEnvironmentOutput;
    use aws_smithy_mocks::mock;

    use super::*;
    use crate::resources::mock::mock_context;

    const ALARM: &str = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:fraud-errors";
    const ROLE: &str = "arn:aws:iam::123456789012:role/fraud-appconfig-monitor";

    fn environment(monitors: Vec<Monitor>) -> EnvironmentOutputs {
        EnvironmentOutputs {
            inputs: EnvironmentInputs {
                application_id: "abc1234".into(),
                name: "dev".into(),
                monitors,
                tags: Tags::new(),
            },
            environment_id: "env5678".into(),
            arn: "arn:aws:appconfig:us-east-1:123456789012:application/abc1234/environment/env5678"
                .into(),
        }
    }

    #[tokio::test]
    async fn a_new_alarm_updates_the_monitors_in_place_with_the_role() {
        let update = mock!(Client::update_environment)
            .match_requests(|req| {
                let monitors = req.monitors();
                monitors.len() == 1
                    && monitors[0].alarm_arn() == ALARM
                    && monitors[0].alarm_role_arn() == Some(ROLE)
            })
            .then_output(|| UpdateEnvironmentOutput::builder().build());
        let ctx = mock_context::<Environment>(&[&update]).await;
        let news = environment(vec![Monitor {
            alarm_arn: ALARM.into(),
            alarm_role_arn: Some(ROLE.into()),
        }])
        .inputs;
        Environment
            .update(&ctx, "env5678", &environment(vec![]), &news)
            .await
            .unwrap();
        assert_eq!(update.num_calls(), 1);
    }

    #[test]
    fn a_monitor_must_name_a_cloudwatch_alarm_and_at_most_five() {
        let mut inputs = environment(vec![
            Monitor {
                alarm_arn: "arn:aws:sns:us-east-1:123456789012:topic".into(),
                alarm_role_arn: None,
            };
            6
        ])
        .inputs;
        let failures: Vec<String> = Environment
            .check(&inputs)
            .into_vec()
            .into_iter()
            .map(|f| f.to_string())
            .collect();
        assert_eq!(failures.len(), 7, "{failures:?}");
        assert!(failures[0].starts_with("monitors: AppConfig watches at most 5"));
        assert!(failures[1].starts_with("monitors[0].alarmArn: must be a CloudWatch alarm ARN"));
        inputs.monitors.truncate(1);
        inputs.monitors[0].alarm_arn = ALARM.into();
        assert!(Environment.check(&inputs).into_vec().is_empty());
    }
}
