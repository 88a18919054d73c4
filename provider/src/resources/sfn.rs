//! `sagemaker-deployment:sfn:StateMachine`: a Step Functions state machine
//! (standard type) that logs its executions to a CloudWatch Logs group.

use async_trait::async_trait;
use aws_sdk_sfn::types::{
    CloudWatchLogsLogGroup, LogDestination, LogLevel, LoggingConfiguration, StateMachineType, Tag,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Tags;
use crate::Context;
use crate::aws::propagation::{IAM_PROPAGATION_WINDOW, retry_while_pending};
use crate::aws::{AwsError, OrGone, ResultExt, Service};
use framework::Result;
use framework::{Created, CustomResource, Failures, Output, Progress, ReadOutcome};

/// A Step Functions state machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StateMachineInputs {
    /// The state machine name (1-80 letters, digits, `-` or `_`).
    pub state_machine_name: String,
    /// The definition, in the Amazon States Language (JSON).
    pub definition: Output<String>,
    /// The role the state machine runs as.
    pub role_arn: Output<String>,
    /// ARN of the log group its execution history goes to.
    pub log_group_arn: Output<String>,
    /// Tags on the state machine.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// The state machine as created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StateMachineOutputs {
    #[serde(flatten)]
    pub inputs: StateMachineInputs,
    /// The state machine ARN.
    pub arn: String,
}

/// The state machine resource.
pub struct StateMachine;

/// Every event, with the execution data, to the log group (Step Functions
/// takes the group's ARN with `:*`).
fn logging(log_group_arn: &str) -> LoggingConfiguration {
    let arn = if log_group_arn.ends_with(":*") {
        log_group_arn.to_owned()
    } else {
        format!("{log_group_arn}:*")
    };
    LoggingConfiguration::builder()
        .level(LogLevel::All)
        .include_execution_data(true)
        .destinations(
            LogDestination::builder()
                .cloud_watch_logs_log_group(
                    CloudWatchLogsLogGroup::builder().log_group_arn(arn).build(),
                )
                .build(),
        )
        .build()
}

/// True while Step Functions cannot assume a role created a moment ago
/// (AccessDeniedException "Neither the global service principal
/// states.amazonaws.com, nor the regional one is authorized to assume the
/// provided role").
fn role_not_assumable_yet(error: &AwsError) -> bool {
    error.service == Service::StepFunctions
        && (error.message.contains("not authorized to assume")
            || error
                .message
                .contains("authorized to assume the provided role"))
}

#[async_trait]
impl CustomResource for StateMachine {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:sfn:StateMachine";
    const UPDATABLE: &'static [&'static str] = &["definition", "roleArn", "logGroupArn", "tags"];

    type Inputs = StateMachineInputs;
    type Outputs = StateMachineOutputs;

    fn check(&self, inputs: &StateMachineInputs) -> Failures {
        let mut failures = Failures::new();
        let name = &inputs.state_machine_name;
        failures.require(
            !name.is_empty()
                && name.len() <= 80
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "stateMachineName",
            "must be 1-80 letters, digits, `-` or `_`",
        );
        if let Some(definition) = inputs.definition.get() {
            failures.require(
                serde_json::from_str::<serde_json::Value>(definition)
                    .is_ok_and(|d| d.get("StartAt").is_some() && d.get("States").is_some()),
                "definition",
                "must be a JSON Amazon States Language document with StartAt and States",
            );
        }
        failures
    }

    async fn create(
        &self,
        ctx: &Context,
        inputs: &StateMachineInputs,
    ) -> Result<Created<StateMachineOutputs>> {
        let tags: Vec<Tag> = ctx
            .clients
            .tags_with(&inputs.tags)
            .into_iter()
            .map(|(key, value)| Tag::builder().key(key).value(value).build())
            .collect();
        let request = ctx
            .clients
            .sfn
            .create_state_machine()
            .name(&inputs.state_machine_name)
            .r#type(StateMachineType::Standard)
            .definition(inputs.definition.as_str())
            .role_arn(inputs.role_arn.as_str())
            .logging_configuration(logging(inputs.log_group_arn.as_str()))
            .set_tags((!tags.is_empty()).then_some(tags));
        let created = retry_while_pending(
            ctx,
            "creating state machine",
            IAM_PROPAGATION_WINDOW,
            role_not_assumable_yet,
            || {
                let request = request.clone();
                async move {
                    request
                        .send()
                        .await
                        .aws(Service::StepFunctions, "CreateStateMachine")
                }
            },
        )
        .await?;
        let arn = created.state_machine_arn().to_owned();
        Ok(Created {
            id: arn.clone(),
            outputs: StateMachineOutputs {
                inputs: inputs.clone(),
                arn,
            },
        })
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &StateMachineOutputs,
    ) -> Result<ReadOutcome<StateMachineInputs, StateMachineOutputs>> {
        let Some(found) = ctx
            .clients
            .sfn
            .describe_state_machine()
            .state_machine_arn(id)
            .send()
            .await
            .aws(Service::StepFunctions, "DescribeStateMachine")
            .or_gone()?
        else {
            return Ok(ReadOutcome::Gone);
        };
        if found.status().is_some_and(|s| s.as_str() == "DELETING") {
            return Ok(ReadOutcome::Gone);
        }
        let recorded = &outputs.inputs;
        // The same document may come back with other whitespace: keep the
        // recorded text when it means the same.
        let definition = if same_json(found.definition(), recorded.definition.as_str()) {
            recorded.definition.clone()
        } else {
            Output::new(found.definition().to_owned())
        };
        let inputs = StateMachineInputs {
            state_machine_name: found.name().to_owned(),
            definition,
            role_arn: Output::new(found.role_arn().to_owned()),
            ..recorded.clone()
        };
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: StateMachineOutputs {
                inputs: inputs.clone(),
                arn: id.to_owned(),
            },
            inputs,
        })
    }

    async fn update(
        &self,
        ctx: &Context,
        id: &str,
        olds: &StateMachineOutputs,
        news: &StateMachineInputs,
    ) -> Result<StateMachineOutputs> {
        let old = &olds.inputs;
        if old.definition != news.definition
            || old.role_arn != news.role_arn
            || old.log_group_arn != news.log_group_arn
        {
            let request = ctx
                .clients
                .sfn
                .update_state_machine()
                .state_machine_arn(id)
                .definition(news.definition.as_str())
                .role_arn(news.role_arn.as_str())
                .logging_configuration(logging(news.log_group_arn.as_str()));
            retry_while_pending(
                ctx,
                "updating state machine",
                IAM_PROPAGATION_WINDOW,
                role_not_assumable_yet,
                || {
                    let request = request.clone();
                    async move {
                        request
                            .send()
                            .await
                            .aws(Service::StepFunctions, "UpdateStateMachine")
                    }
                },
            )
            .await?;
        }
        if old.tags != news.tags {
            retag(ctx, id, &old.tags, &news.tags).await?;
        }
        Ok(StateMachineOutputs {
            inputs: news.clone(),
            arn: olds.arn.clone(),
        })
    }

    async fn delete(&self, ctx: &Context, id: &str, _outputs: &StateMachineOutputs) -> Result<()> {
        let deleted = ctx
            .clients
            .sfn
            .delete_state_machine()
            .state_machine_arn(id)
            .send()
            .await
            .aws(Service::StepFunctions, "DeleteStateMachine")
            .or_gone()?;
        if deleted.is_none() {
            return Ok(());
        }
        // DeleteStateMachine only marks it DELETING; it goes once running
        // executions stop (API Reference, DeleteStateMachine).
        ctx.wait_for(
            "deleting state machine",
            std::time::Duration::from_secs(600),
            tokio::time::Instant::now(),
            || async {
                let found = ctx
                    .clients
                    .sfn
                    .describe_state_machine()
                    .state_machine_arn(id)
                    .send()
                    .await
                    .aws(Service::StepFunctions, "DescribeStateMachine")
                    .or_gone()?;
                Ok(match found {
                    None => Progress::Done(()),
                    Some(found) => Progress::Waiting(
                        found.status().map_or("DELETING", |s| s.as_str()).to_owned(),
                    ),
                })
            },
        )
        .await
    }
}

/// True when both texts are the same JSON value.
fn same_json(a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<serde_json::Value>(a),
        serde_json::from_str::<serde_json::Value>(b),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

async fn retag(ctx: &Context, arn: &str, olds: &Tags, news: &Tags) -> Result<()> {
    let olds = ctx.clients.tags_with(olds);
    let news = ctx.clients.tags_with(news);
    let removed = super::removed_keys(&olds, &news);
    if !removed.is_empty() {
        ctx.clients
            .sfn
            .untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(removed))
            .send()
            .await
            .aws(Service::StepFunctions, "UntagResource")?;
    }
    if !news.is_empty() {
        ctx.clients
            .sfn
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(
                news.into_iter()
                    .map(|(key, value)| Tag::builder().key(key).value(value).build())
                    .collect(),
            ))
            .send()
            .await
            .aws(Service::StepFunctions, "TagResource")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logging_names_the_group_with_the_wildcard_step_functions_expects() {
        let config = logging("arn:aws:logs:us-east-1:1:log-group:/aws/vendedlogs/states/x");
        let arn = config.destinations()[0]
            .cloud_watch_logs_log_group()
            .unwrap()
            .log_group_arn()
            .unwrap();
        assert_eq!(
            arn,
            "arn:aws:logs:us-east-1:1:log-group:/aws/vendedlogs/states/x:*"
        );
        assert_eq!(config.level(), Some(&LogLevel::All));
    }

    #[test]
    fn a_definition_without_states_is_refused_at_preview() {
        let inputs = StateMachineInputs {
            state_machine_name: "fraud retrain".into(),
            definition: Output::new("{\"StartAt\": \"A\"}".to_owned()),
            role_arn: Output::unknown(),
            log_group_arn: Output::unknown(),
            tags: Tags::new(),
        };
        let properties: Vec<String> = StateMachine
            .check(&inputs)
            .into_vec()
            .into_iter()
            .map(|f| f.property)
            .collect();
        assert_eq!(properties, ["stateMachineName", "definition"]);
    }
}
