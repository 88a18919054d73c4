//! `sagemaker-deployment:sns:Subscription`: an endpoint subscribed to a
//! topic, e.g. an e-mail address to the alarm topic.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Context;
use crate::aws::{AwsError, OrGone, ResultExt, Service};
use framework::{Created, CustomResource, Failures, Output, ReadOutcome, Result};

/// The protocols this resource subscribes with: the ones a person reads.
const PROTOCOLS: [&str; 2] = ["email", "email-json"];

/// A subscription of an e-mail address to an SNS topic. SNS sends the
/// address a confirmation message; until it is confirmed the subscription
/// is pending (`pendingConfirmation`) and receives nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionInputs {
    /// The topic's ARN.
    pub topic_arn: Output<String>,
    /// `email` or `email-json`.
    pub protocol: String,
    /// The e-mail address.
    pub endpoint: String,
}

/// The subscription as made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionOutputs {
    /// The subscription's settings.
    #[serde(flatten)]
    pub inputs: SubscriptionInputs,
    /// The subscription ARN (SNS gives it before confirmation when asked
    /// with `ReturnSubscriptionArn`).
    pub arn: String,
    /// True until the address owner confirms the subscription.
    pub pending_confirmation: bool,
}

/// The subscription resource; any change makes a new subscription.
pub struct Subscription;

/// What is wrong with `address` as an e-mail address, roughly: one `@`
/// with something on both sides and no spaces.
fn email_problem(address: &str) -> Option<&'static str> {
    let (user, domain) = address.split_once('@')?;
    let fine = !user.is_empty()
        && domain.contains('.')
        && !domain.contains('@')
        && !address.chars().any(char::is_whitespace);
    (!fine).then_some("must be an e-mail address such as ops@example.com")
}

#[async_trait]
impl CustomResource for Subscription {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:sns:Subscription";

    type Inputs = SubscriptionInputs;
    type Outputs = SubscriptionOutputs;

    fn check(&self, inputs: &SubscriptionInputs) -> Failures {
        let mut failures = Failures::new();
        failures.require(
            PROTOCOLS.contains(&inputs.protocol.as_str()),
            "protocol",
            format!("must be one of {}", PROTOCOLS.join(", ")),
        );
        let problem = if inputs.endpoint.contains('@') {
            email_problem(&inputs.endpoint)
        } else {
            Some("must be an e-mail address such as ops@example.com")
        };
        if let Some(problem) = problem {
            failures.push("endpoint", problem);
        }
        failures
    }

    async fn create(
        &self,
        ctx: &Context,
        inputs: &SubscriptionInputs,
    ) -> Result<Created<SubscriptionOutputs>> {
        let made = ctx
            .clients
            .sns
            .subscribe()
            .topic_arn(inputs.topic_arn.as_str())
            .protocol(&inputs.protocol)
            .endpoint(&inputs.endpoint)
            .return_subscription_arn(true)
            .send()
            .await
            .aws(Service::Sns, "Subscribe")?;
        let arn = made.subscription_arn().unwrap_or_default().to_owned();
        let pending = pending_confirmation(ctx, &arn).await?.unwrap_or(true);
        Ok(Created {
            id: arn.clone(),
            outputs: SubscriptionOutputs {
                inputs: inputs.clone(),
                arn,
                pending_confirmation: pending,
            },
        })
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &SubscriptionOutputs,
    ) -> Result<ReadOutcome<SubscriptionInputs, SubscriptionOutputs>> {
        match pending_confirmation(ctx, id).await? {
            None => Ok(ReadOutcome::Gone),
            Some(pending) => Ok(ReadOutcome::Found {
                id: id.to_owned(),
                inputs: outputs.inputs.clone(),
                outputs: SubscriptionOutputs {
                    pending_confirmation: pending,
                    ..outputs.clone()
                },
            }),
        }
    }

    /// A subscription made outside Pulumi, by ARN: its topic, protocol and
    /// endpoint as SNS has them.
    async fn import(
        &self,
        ctx: &Context,
        id: &str,
    ) -> Result<ReadOutcome<SubscriptionInputs, SubscriptionOutputs>> {
        let Some(found) = ctx
            .clients
            .sns
            .get_subscription_attributes()
            .subscription_arn(id)
            .send()
            .await
            .aws(Service::Sns, "GetSubscriptionAttributes")
            .or_gone()?
        else {
            return Ok(ReadOutcome::Gone);
        };
        let attribute = |name: &str| {
            found
                .attributes()
                .and_then(|a| a.get(name))
                .cloned()
                .unwrap_or_default()
        };
        let inputs = SubscriptionInputs {
            topic_arn: Output::new(attribute("TopicArn")),
            protocol: attribute("Protocol"),
            endpoint: attribute("Endpoint"),
        };
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: SubscriptionOutputs {
                inputs: inputs.clone(),
                arn: id.to_owned(),
                pending_confirmation: attribute("PendingConfirmation") == "true",
            },
            inputs,
        })
    }

    async fn delete(&self, ctx: &Context, id: &str, outputs: &SubscriptionOutputs) -> Result<()> {
        let unsubscribed = ctx
            .clients
            .sns
            .unsubscribe()
            .subscription_arn(id)
            .send()
            .await
            .aws(Service::Sns, "Unsubscribe");
        match unsubscribed {
            Ok(_) => Ok(()),
            Err(error) if error.is_not_found() => Ok(()),
            Err(error) if refused_while_pending(&error) => {
                ctx.warn(format!(
                    "the subscription of {} was never confirmed: SNS keeps it until it expires \
                     (three days) or its topic is deleted",
                    outputs.inputs.endpoint
                ))
                .await;
                Ok(())
            }
            Err(error) => Err(error.into()),
        }
    }
}

/// True when SNS refused to unsubscribe because the subscription still
/// waits for its confirmation ("Cannot unsubscribe a subscription that is
/// pending confirmation"): nothing can delete it, it expires by itself, and
/// deleting its topic removes it. CloudFormation treats this as deleted.
fn refused_while_pending(error: &AwsError) -> bool {
    error.code.as_deref() == Some("InvalidParameter")
        && error.message.contains("pending confirmation")
}

/// Whether the subscription `arn` still waits for confirmation; `None` when
/// it is gone.
async fn pending_confirmation(ctx: &Context, arn: &str) -> Result<Option<bool>> {
    let found = ctx
        .clients
        .sns
        .get_subscription_attributes()
        .subscription_arn(arn)
        .send()
        .await
        .aws(Service::Sns, "GetSubscriptionAttributes")
        .or_gone()?;
    Ok(found.map(|found| {
        found
            .attributes()
            .and_then(|a| a.get("PendingConfirmation"))
            .is_some_and(|value| value == "true")
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(protocol: &str, endpoint: &str) -> SubscriptionInputs {
        SubscriptionInputs {
            topic_arn: Output::new("arn:aws:sns:us-east-1:123456789012:alarms".to_owned()),
            protocol: protocol.to_owned(),
            endpoint: endpoint.to_owned(),
        }
    }

    fn refusal(code: &str, message: &str) -> AwsError {
        AwsError {
            service: Service::Sns,
            operation: "Unsubscribe",
            kind: crate::aws::AwsErrorKind::Validation,
            code: Some(code.to_owned()),
            message: message.to_owned(),
            attempts: Some(1),
            unanswered: 0,
        }
    }

    #[test]
    fn a_pending_subscription_refused_is_deleted_as_far_as_it_can_be() {
        assert!(refused_while_pending(&refusal(
            "InvalidParameter",
            "Invalid parameter: SubscriptionArn Reason: Cannot unsubscribe a subscription that is pending confirmation"
        )));
        assert!(!refused_while_pending(&refusal(
            "InvalidParameter",
            "Invalid parameter: SubscriptionArn"
        )));
        assert!(!refused_while_pending(&refusal(
            "AuthorizationError",
            "pending confirmation"
        )));
    }

    #[test]
    fn only_email_addresses_are_subscribed() {
        assert!(
            Subscription
                .check(&inputs("email", "ops@example.com"))
                .is_empty()
        );
        let failures = Subscription.check(&inputs("sms", "ops")).into_vec();
        let paths: Vec<&str> = failures.iter().map(|f| f.property.as_str()).collect();
        assert_eq!(paths, ["protocol", "endpoint"]);
        assert!(
            !Subscription
                .check(&inputs("email", "ops@localhost"))
                .is_empty()
        );
        assert!(
            !Subscription
                .check(&inputs("email", "o ps@example.com"))
                .is_empty()
        );
    }
}
