//! `sagemaker-deployment:events:Rule`: an EventBridge schedule rule with one
//! target, e.g. a state machine started on a schedule.

use async_trait::async_trait;
use aws_sdk_eventbridge::types::{RuleState, Tag, Target};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Tags;
use crate::Context;
use crate::aws::propagation::{IAM_PROPAGATION_WINDOW, retry_while_pending};
use crate::aws::{AwsError, OrGone, ResultExt, Service};
use framework::{Created, CustomResource, Failures, Output, ReadOutcome};
use framework::{ProviderError, Result};

/// The id of the rule's one target.
const TARGET_ID: &str = "target";

/// A scheduled EventBridge rule and the target it invokes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RuleInputs {
    /// The rule name (1-64 letters, digits or `.-_`).
    pub rule_name: String,
    /// When it fires: `rate(7 days)` or `cron(0 3 ? * MON *)`.
    pub schedule_expression: String,
    /// What the rule is for.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Whether the rule fires (default true).
    #[serde(default = "enabled")]
    pub enabled: bool,
    /// ARN of what it invokes.
    pub target_arn: Output<String>,
    /// The role EventBridge invokes the target with.
    pub target_role_arn: Output<String>,
    /// Tags on the rule.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

fn enabled() -> bool {
    true
}

/// The rule as created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RuleOutputs {
    #[serde(flatten)]
    pub inputs: RuleInputs,
    /// The rule ARN.
    pub arn: String,
}

/// The rule resource.
pub struct Rule;

/// Why a schedule expression is not one EventBridge accepts, if it is not
/// (EventBridge User Guide, "Creating a rule that runs on a schedule":
/// `rate(value unit)` with a positive value, or `cron(` six fields `)`).
pub fn schedule_problem(expression: &str) -> Option<String> {
    if let Some(body) = expression
        .strip_prefix("rate(")
        .and_then(|rest| rest.strip_suffix(')'))
    {
        let mut parts = body.split_whitespace();
        let value = parts.next().and_then(|v| v.parse::<u32>().ok());
        let unit = parts.next();
        let ok = match (value, unit, parts.next()) {
            (Some(1), Some("minute" | "hour" | "day"), None) => true,
            (Some(n), Some("minutes" | "hours" | "days"), None) => n > 1,
            _ => false,
        };
        return (!ok).then(|| {
            format!("`{expression}` is not `rate(<n> <unit>)` with a positive n and minute(s), hour(s) or day(s) (singular for 1)")
        });
    }
    if let Some(body) = expression
        .strip_prefix("cron(")
        .and_then(|rest| rest.strip_suffix(')'))
    {
        let fields = body.split_whitespace().count();
        return (fields != 6).then(|| {
            format!("`{expression}` has {fields} fields; cron() takes six: minutes hours day-of-month month day-of-week year")
        });
    }
    Some(format!("`{expression}` must be `rate(...)` or `cron(...)`"))
}

/// True while EventBridge cannot use a role created a moment ago.
fn role_not_usable_yet(error: &AwsError) -> bool {
    error.service == Service::EventBridge && error.message.contains("role")
}

async fn put_rule(ctx: &Context, inputs: &RuleInputs, tags: bool) -> Result<String> {
    let mut request = ctx
        .clients
        .events
        .put_rule()
        .name(&inputs.rule_name)
        .schedule_expression(&inputs.schedule_expression)
        .state(if inputs.enabled {
            RuleState::Enabled
        } else {
            RuleState::Disabled
        })
        .set_description((!inputs.description.is_empty()).then(|| inputs.description.clone()));
    if tags {
        let tags: Vec<Tag> = ctx
            .clients
            .tags_with(&inputs.tags)
            .into_iter()
            .map(|(key, value)| Tag::builder().key(key).value(value).build())
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| ProviderError::Internal(e.to_string()))?;
        if !tags.is_empty() {
            request = request.set_tags(Some(tags));
        }
    }
    let put = request.send().await.aws(Service::EventBridge, "PutRule")?;
    Ok(put.rule_arn().unwrap_or_default().to_owned())
}

async fn put_target(ctx: &Context, inputs: &RuleInputs) -> Result<()> {
    let target = Target::builder()
        .id(TARGET_ID)
        .arn(inputs.target_arn.as_str())
        .role_arn(inputs.target_role_arn.as_str())
        .build()
        .map_err(|e| ProviderError::Internal(e.to_string()))?;
    let request = ctx
        .clients
        .events
        .put_targets()
        .rule(&inputs.rule_name)
        .targets(target);
    let put = retry_while_pending(
        ctx,
        "adding the rule's target",
        IAM_PROPAGATION_WINDOW,
        role_not_usable_yet,
        || {
            let request = request.clone();
            async move { request.send().await.aws(Service::EventBridge, "PutTargets") }
        },
    )
    .await?;
    if put.failed_entry_count() > 0 {
        let reasons: Vec<String> = put
            .failed_entries()
            .iter()
            .map(|entry| entry.error_message().unwrap_or_default().to_owned())
            .collect();
        return Err(ProviderError::Internal(format!(
            "EventBridge refused the target of rule {}: {}",
            inputs.rule_name,
            reasons.join("; ")
        )));
    }
    Ok(())
}

#[async_trait]
impl CustomResource for Rule {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:events:Rule";
    const UPDATABLE: &'static [&'static str] = &[
        "scheduleExpression",
        "description",
        "enabled",
        "targetArn",
        "targetRoleArn",
        "tags",
    ];

    type Inputs = RuleInputs;
    type Outputs = RuleOutputs;

    fn check(&self, inputs: &RuleInputs) -> Failures {
        let mut failures = Failures::new();
        let name = &inputs.rule_name;
        failures.require(
            !name.is_empty()
                && name.len() <= 64
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c)),
            "ruleName",
            "must be 1-64 letters, digits or `.-_`",
        );
        if let Some(problem) = schedule_problem(&inputs.schedule_expression) {
            failures.push("scheduleExpression", problem);
        }
        failures
    }

    async fn create(&self, ctx: &Context, inputs: &RuleInputs) -> Result<Created<RuleOutputs>> {
        let arn = put_rule(ctx, inputs, true).await?;
        let outputs = RuleOutputs {
            inputs: inputs.clone(),
            arn,
        };
        if let Err(error) = put_target(ctx, inputs).await {
            return Err(ProviderError::PartialFailure {
                id: inputs.rule_name.clone(),
                outputs: Box::new(framework::encode_plain(&outputs)?),
                inputs: Box::new(framework::encode_plain(inputs)?),
                reason: error.to_string(),
            });
        }
        Ok(Created {
            id: inputs.rule_name.clone(),
            outputs,
        })
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &RuleOutputs,
    ) -> Result<ReadOutcome<RuleInputs, RuleOutputs>> {
        let Some(found) = ctx
            .clients
            .events
            .describe_rule()
            .name(id)
            .send()
            .await
            .aws(Service::EventBridge, "DescribeRule")
            .or_gone()?
        else {
            return Ok(ReadOutcome::Gone);
        };
        let inputs = RuleInputs {
            rule_name: id.to_owned(),
            schedule_expression: found
                .schedule_expression()
                .unwrap_or(&outputs.inputs.schedule_expression)
                .to_owned(),
            description: found.description().unwrap_or_default().to_owned(),
            enabled: found.state() != Some(&RuleState::Disabled),
            ..outputs.inputs.clone()
        };
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: RuleOutputs {
                inputs: inputs.clone(),
                arn: found.arn().unwrap_or(&outputs.arn).to_owned(),
            },
            inputs,
        })
    }

    async fn update(
        &self,
        ctx: &Context,
        _id: &str,
        olds: &RuleOutputs,
        news: &RuleInputs,
    ) -> Result<RuleOutputs> {
        let old = &olds.inputs;
        if old.schedule_expression != news.schedule_expression
            || old.description != news.description
            || old.enabled != news.enabled
        {
            put_rule(ctx, news, false).await?;
        }
        if old.target_arn != news.target_arn || old.target_role_arn != news.target_role_arn {
            put_target(ctx, news).await?;
        }
        if old.tags != news.tags {
            let olds_tags = ctx.clients.tags_with(&old.tags);
            let news_tags = ctx.clients.tags_with(&news.tags);
            let removed = super::removed_keys(&olds_tags, &news_tags);
            if !removed.is_empty() {
                ctx.clients
                    .events
                    .untag_resource()
                    .resource_arn(&olds.arn)
                    .set_tag_keys(Some(removed))
                    .send()
                    .await
                    .aws(Service::EventBridge, "UntagResource")?;
            }
            let tags: Vec<Tag> = news_tags
                .into_iter()
                .map(|(key, value)| Tag::builder().key(key).value(value).build())
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| ProviderError::Internal(e.to_string()))?;
            if !tags.is_empty() {
                ctx.clients
                    .events
                    .tag_resource()
                    .resource_arn(&olds.arn)
                    .set_tags(Some(tags))
                    .send()
                    .await
                    .aws(Service::EventBridge, "TagResource")?;
            }
        }
        Ok(RuleOutputs {
            inputs: news.clone(),
            arn: olds.arn.clone(),
        })
    }

    async fn delete(&self, ctx: &Context, id: &str, _outputs: &RuleOutputs) -> Result<()> {
        // A rule with targets cannot be deleted (API Reference, DeleteRule).
        ctx.clients
            .events
            .remove_targets()
            .rule(id)
            .ids(TARGET_ID)
            .send()
            .await
            .aws(Service::EventBridge, "RemoveTargets")
            .or_gone()?;
        ctx.clients
            .events
            .delete_rule()
            .name(id)
            .send()
            .await
            .aws(Service::EventBridge, "DeleteRule")
            .or_gone()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_eventbridge_accepts_pass_and_others_say_why() {
        for ok in ["rate(1 day)", "rate(7 days)", "cron(0 3 ? * MON *)"] {
            assert_eq!(schedule_problem(ok), None, "{ok}");
        }
        for bad in ["rate(1 days)", "rate(0 hours)", "cron(0 3 * *)", "daily"] {
            assert!(schedule_problem(bad).is_some(), "{bad}");
        }
    }
}
