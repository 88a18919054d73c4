//! `sagemaker-deployment:cloudwatch:CompositeAlarm`: an alarm on other
//! alarms' states.

use async_trait::async_trait;
use aws_sdk_cloudwatch::types::AlarmType;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Context;
use crate::aws::{OrGone, ResultExt, Service};
use framework::{Created, CustomResource, Failures, Output, ReadOutcome, Result};

/// Longest alarm rule (API reference, PutCompositeAlarm, `AlarmRule`).
const MAX_RULE: usize = 10240;

/// A composite alarm: fires when its rule over other alarms' states holds,
/// e.g. `ALARM("a") OR ALARM("b")`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CompositeAlarmInputs {
    /// The alarm name (1-255 characters).
    pub alarm_name: String,
    /// What the alarm means, shown in the console.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub alarm_description: String,
    /// The rule over other alarms' states (up to 10240 characters), e.g.
    /// `ALARM("fraud-5xx") OR ALARM("fraud-latency")`.
    pub alarm_rule: Output<String>,
    /// ARNs notified when the alarm fires.
    #[serde(default)]
    pub alarm_actions: Vec<Output<String>>,
    /// ARNs notified when the alarm returns to OK.
    #[serde(default)]
    pub ok_actions: Vec<Output<String>>,
}

/// The composite alarm as created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CompositeAlarmOutputs {
    /// The alarm's settings.
    #[serde(flatten)]
    pub inputs: CompositeAlarmInputs,
    /// The alarm ARN.
    pub arn: String,
}

/// The composite alarm resource.
pub struct CompositeAlarm;

#[async_trait]
impl CustomResource for CompositeAlarm {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:cloudwatch:CompositeAlarm";
    const UPDATABLE: &'static [&'static str] =
        &["alarmDescription", "alarmRule", "alarmActions", "okActions"];

    type Inputs = CompositeAlarmInputs;
    type Outputs = CompositeAlarmOutputs;

    fn check(&self, inputs: &CompositeAlarmInputs) -> Failures {
        let mut failures = Failures::new();
        failures.require(
            !inputs.alarm_name.is_empty() && inputs.alarm_name.len() <= 255,
            "alarmName",
            "must be 1-255 characters",
        );
        if let Some(rule) = inputs.alarm_rule.get() {
            failures.require(
                !rule.trim().is_empty() && rule.len() <= MAX_RULE,
                "alarmRule",
                format!("must be 1-{MAX_RULE} characters"),
            );
        }
        failures
    }

    async fn create(
        &self,
        ctx: &Context,
        inputs: &CompositeAlarmInputs,
    ) -> Result<Created<CompositeAlarmOutputs>> {
        put_composite_alarm(ctx, inputs).await?;
        let arn = composite_alarm_arn(ctx, &inputs.alarm_name).await?;
        Ok(Created {
            id: inputs.alarm_name.clone(),
            outputs: CompositeAlarmOutputs {
                inputs: inputs.clone(),
                arn: arn.unwrap_or_default(),
            },
        })
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &CompositeAlarmOutputs,
    ) -> Result<ReadOutcome<CompositeAlarmInputs, CompositeAlarmOutputs>> {
        match composite_alarm_arn(ctx, id).await? {
            None => Ok(ReadOutcome::Gone),
            Some(arn) => Ok(ReadOutcome::Found {
                id: id.to_owned(),
                inputs: outputs.inputs.clone(),
                outputs: CompositeAlarmOutputs {
                    arn,
                    ..outputs.clone()
                },
            }),
        }
    }

    /// A composite alarm made outside Pulumi, by name: its rule,
    /// description and actions as CloudWatch has them.
    async fn import(
        &self,
        ctx: &Context,
        id: &str,
    ) -> Result<ReadOutcome<CompositeAlarmInputs, CompositeAlarmOutputs>> {
        let found = ctx
            .clients
            .cloudwatch
            .describe_alarms()
            .alarm_names(id)
            .alarm_types(AlarmType::CompositeAlarm)
            .send()
            .await
            .aws(Service::CloudWatch, "DescribeAlarms")?;
        let Some(alarm) = found.composite_alarms().first() else {
            return Ok(ReadOutcome::Gone);
        };
        let arns = |list: &[String]| list.iter().cloned().map(Output::new).collect();
        let inputs = CompositeAlarmInputs {
            alarm_name: id.to_owned(),
            alarm_description: alarm.alarm_description().unwrap_or_default().to_owned(),
            alarm_rule: Output::new(alarm.alarm_rule().unwrap_or_default().to_owned()),
            alarm_actions: arns(alarm.alarm_actions()),
            ok_actions: arns(alarm.ok_actions()),
        };
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: CompositeAlarmOutputs {
                inputs: inputs.clone(),
                arn: alarm.alarm_arn().unwrap_or_default().to_owned(),
            },
            inputs,
        })
    }

    async fn update(
        &self,
        ctx: &Context,
        _id: &str,
        olds: &CompositeAlarmOutputs,
        news: &CompositeAlarmInputs,
    ) -> Result<CompositeAlarmOutputs> {
        put_composite_alarm(ctx, news).await?;
        Ok(CompositeAlarmOutputs {
            inputs: news.clone(),
            arn: olds.arn.clone(),
        })
    }

    async fn delete(
        &self,
        ctx: &Context,
        id: &str,
        _outputs: &CompositeAlarmOutputs,
    ) -> Result<()> {
        ctx.clients
            .cloudwatch
            .delete_alarms()
            .alarm_names(id)
            .send()
            .await
            .aws(Service::CloudWatch, "DeleteAlarms")
            .or_gone()?;
        Ok(())
    }
}

async fn put_composite_alarm(ctx: &Context, inputs: &CompositeAlarmInputs) -> Result<()> {
    let arns = |list: &[Output<String>]| -> Vec<String> {
        list.iter().map(|arn| arn.as_str().to_owned()).collect()
    };
    let mut request = ctx
        .clients
        .cloudwatch
        .put_composite_alarm()
        .alarm_name(&inputs.alarm_name)
        .alarm_rule(inputs.alarm_rule.as_str())
        .set_alarm_actions(Some(arns(&inputs.alarm_actions)))
        .set_ok_actions(Some(arns(&inputs.ok_actions)));
    if !inputs.alarm_description.is_empty() {
        request = request.alarm_description(&inputs.alarm_description);
    }
    request
        .send()
        .await
        .aws(Service::CloudWatch, "PutCompositeAlarm")?;
    Ok(())
}

/// The composite alarm's ARN, when it exists. DescribeAlarms returns only
/// metric alarms unless asked for composite ones (API reference,
/// DescribeAlarms, `AlarmTypes`).
async fn composite_alarm_arn(ctx: &Context, name: &str) -> Result<Option<String>> {
    let found = ctx
        .clients
        .cloudwatch
        .describe_alarms()
        .alarm_names(name)
        .alarm_types(AlarmType::CompositeAlarm)
        .send()
        .await
        .aws(Service::CloudWatch, "DescribeAlarms")?;
    Ok(found
        .composite_alarms()
        .first()
        .map(|alarm| alarm.alarm_arn().unwrap_or_default().to_owned()))
}
