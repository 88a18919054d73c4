//! `sagemaker-deployment:logs:LogGroup`: a CloudWatch Logs log group, e.g.
//! for a state machine's execution history.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Tags;
use crate::Context;
use crate::aws::{OrGone, ResultExt, Service};
use framework::Result;
use framework::{Created, CustomResource, Failures, ReadOutcome};

/// Retention periods CloudWatch Logs accepts (API Reference,
/// PutRetentionPolicy, `retentionInDays`).
const RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// A CloudWatch Logs log group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LogGroupInputs {
    /// The log group name (1-512 letters, digits or `_-./#`).
    pub log_group_name: String,
    /// Days the events are kept (one of the periods CloudWatch Logs
    /// accepts); kept forever when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_in_days: Option<u32>,
    /// Tags on the log group.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// The log group as created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LogGroupOutputs {
    #[serde(flatten)]
    pub inputs: LogGroupInputs,
    /// The log group ARN (without the trailing `:*`).
    pub arn: String,
}

/// The log group resource.
pub struct LogGroup;

/// The ARN of log group `name`.
fn log_group_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:logs:{region}:{account}:log-group:{name}")
}

#[async_trait]
impl CustomResource for LogGroup {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:logs:LogGroup";
    const UPDATABLE: &'static [&'static str] = &["retentionInDays", "tags"];

    type Inputs = LogGroupInputs;
    type Outputs = LogGroupOutputs;

    fn check(&self, inputs: &LogGroupInputs) -> Failures {
        let mut failures = Failures::new();
        let name = &inputs.log_group_name;
        failures.require(
            !name.is_empty()
                && name.len() <= 512
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-./#".contains(c)),
            "logGroupName",
            "must be 1-512 letters, digits or `_-./#`",
        );
        if let Some(days) = inputs.retention_in_days {
            failures.require(
                RETENTION_DAYS.contains(&days),
                "retentionInDays",
                format!("must be one of {RETENTION_DAYS:?}, got {days}"),
            );
        }
        failures
    }

    async fn create(
        &self,
        ctx: &Context,
        inputs: &LogGroupInputs,
    ) -> Result<Created<LogGroupOutputs>> {
        let tags = ctx.clients.tags_with(&inputs.tags);
        ctx.clients
            .logs
            .create_log_group()
            .log_group_name(&inputs.log_group_name)
            .set_tags((!tags.is_empty()).then(|| tags.into_iter().collect()))
            .send()
            .await
            .aws(Service::CloudWatchLogs, "CreateLogGroup")?;
        if let Some(days) = inputs.retention_in_days {
            put_retention(ctx, &inputs.log_group_name, days).await?;
        }
        let account = ctx.clients.account_id().await?;
        Ok(Created {
            id: inputs.log_group_name.clone(),
            outputs: LogGroupOutputs {
                inputs: inputs.clone(),
                arn: log_group_arn(&ctx.clients.region, &account, &inputs.log_group_name),
            },
        })
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &LogGroupOutputs,
    ) -> Result<ReadOutcome<LogGroupInputs, LogGroupOutputs>> {
        let found = ctx
            .clients
            .logs
            .describe_log_groups()
            .log_group_name_prefix(id)
            .send()
            .await
            .aws(Service::CloudWatchLogs, "DescribeLogGroups")?;
        let Some(group) = found
            .log_groups()
            .iter()
            .find(|group| group.log_group_name() == Some(id))
        else {
            return Ok(ReadOutcome::Gone);
        };
        let inputs = LogGroupInputs {
            log_group_name: id.to_owned(),
            retention_in_days: group
                .retention_in_days()
                .and_then(|days| u32::try_from(days).ok()),
            ..outputs.inputs.clone()
        };
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: LogGroupOutputs {
                inputs: inputs.clone(),
                arn: outputs.arn.clone(),
            },
            inputs,
        })
    }

    async fn update(
        &self,
        ctx: &Context,
        id: &str,
        olds: &LogGroupOutputs,
        news: &LogGroupInputs,
    ) -> Result<LogGroupOutputs> {
        if olds.inputs.retention_in_days != news.retention_in_days {
            match news.retention_in_days {
                Some(days) => put_retention(ctx, id, days).await?,
                None => {
                    ctx.clients
                        .logs
                        .delete_retention_policy()
                        .log_group_name(id)
                        .send()
                        .await
                        .aws(Service::CloudWatchLogs, "DeleteRetentionPolicy")?;
                }
            }
        }
        if olds.inputs.tags != news.tags {
            let olds_tags = ctx.clients.tags_with(&olds.inputs.tags);
            let news_tags = ctx.clients.tags_with(&news.tags);
            let removed = super::removed_keys(&olds_tags, &news_tags);
            if !removed.is_empty() {
                ctx.clients
                    .logs
                    .untag_resource()
                    .resource_arn(&olds.arn)
                    .set_tag_keys(Some(removed))
                    .send()
                    .await
                    .aws(Service::CloudWatchLogs, "UntagResource")?;
            }
            if !news_tags.is_empty() {
                ctx.clients
                    .logs
                    .tag_resource()
                    .resource_arn(&olds.arn)
                    .set_tags(Some(news_tags.into_iter().collect()))
                    .send()
                    .await
                    .aws(Service::CloudWatchLogs, "TagResource")?;
            }
        }
        Ok(LogGroupOutputs {
            inputs: news.clone(),
            arn: olds.arn.clone(),
        })
    }

    async fn delete(&self, ctx: &Context, id: &str, _outputs: &LogGroupOutputs) -> Result<()> {
        ctx.clients
            .logs
            .delete_log_group()
            .log_group_name(id)
            .send()
            .await
            .aws(Service::CloudWatchLogs, "DeleteLogGroup")
            .or_gone()?;
        Ok(())
    }
}

async fn put_retention(ctx: &Context, name: &str, days: u32) -> Result<()> {
    ctx.clients
        .logs
        .put_retention_policy()
        .log_group_name(name)
        .retention_in_days(i32::try_from(days).unwrap_or(i32::MAX))
        .send()
        .await
        .aws(Service::CloudWatchLogs, "PutRetentionPolicy")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(name: &str, days: Option<u32>) -> LogGroupInputs {
        LogGroupInputs {
            log_group_name: name.into(),
            retention_in_days: days,
            tags: Tags::new(),
        }
    }

    #[test]
    fn bad_names_and_retention_periods_name_the_property() {
        let failures: Vec<String> = LogGroup
            .check(&inputs("bad name", Some(2)))
            .into_vec()
            .into_iter()
            .map(|f| f.to_string())
            .collect();
        assert_eq!(failures.len(), 2, "{failures:?}");
        assert!(failures[0].starts_with("logGroupName: "));
        assert!(failures[1].starts_with("retentionInDays: must be one of"));
        assert!(
            LogGroup
                .check(&inputs("/aws/vendedlogs/states/fraud", Some(30)))
                .is_empty()
        );
    }
}
