//! The SNS topics an asynchronous endpoint notifies of successes and errors,
//! and the execution role's grant to publish to them.

use super::SageMakerAsyncEndpointArgs;
use crate::Scope;
use crate::resources::iam::{RolePolicy, RolePolicyInputs};
use crate::resources::sns::{Topic, TopicInputs};
use framework::{Child, ChildOptions, Output, Result};

/// The SNS topics SageMaker notifies of successes and errors.
pub(super) struct NotificationTopics {
    success: Child<Topic>,
    error: Child<Topic>,
}

impl NotificationTopics {
    /// Registers `<endpoint>-success` and `<endpoint>-error`, encrypted with
    /// the endpoint's key, and lets the execution role (when given) publish
    /// to them; nothing when notifications are off.
    pub(super) async fn register(
        scope: &Scope,
        component: &str,
        args: &SageMakerAsyncEndpointArgs,
    ) -> Result<Option<Self>> {
        if !args.notifications {
            return Ok(None);
        }
        let topics = Self::register_topics(scope, component, args).await?;
        if let Some(role) = &args.execution_role_name {
            topics
                .grant_publish(scope, component, &args.endpoint_name, role)
                .await?;
        }
        Ok(Some(topics))
    }

    /// ARN of the topic notified of successes.
    pub(super) fn success_arn(&self) -> Output<String> {
        self.success.output("arn")
    }

    /// ARN of the topic notified of errors.
    pub(super) fn error_arn(&self) -> Output<String> {
        self.error.output("arn")
    }

    /// Registers the two topics, side by side.
    async fn register_topics(
        scope: &Scope,
        component: &str,
        args: &SageMakerAsyncEndpointArgs,
    ) -> Result<Self> {
        let topic = |suffix: &str| TopicInputs {
            topic_name: format!("{}-{suffix}", args.endpoint_name),
            kms_key_arn: args.kms_key_arn.clone(),
            tags: args.tags.clone(),
        };
        let (success, error) = (topic("success"), topic("error"));
        let (success_name, error_name) = (
            format!("{component}-success-topic"),
            format!("{component}-error-topic"),
        );
        let mut pair = framework::all_children([
            scope.resource::<Topic>(&success_name, &success, ChildOptions::default()),
            scope.resource::<Topic>(&error_name, &error, ChildOptions::default()),
        ])
        .await?;
        let error = pair.pop().expect("two topics");
        let success = pair.pop().expect("two topics");
        Ok(NotificationTopics { success, error })
    }

    /// Lets the execution role publish to the two topics (and nothing else
    /// over SNS).
    async fn grant_publish(
        &self,
        scope: &Scope,
        component: &str,
        endpoint: &str,
        role: &Output<String>,
    ) -> Result<()> {
        let arns = self.success_arn().zip(self.error_arn());
        let document = arns.map(|(success, error)| {
            serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "NotifyAsyncResults",
                    "Effect": "Allow",
                    "Action": "sns:Publish",
                    "Resource": [success, error],
                }]
            })
            .to_string()
        });
        let inputs = RolePolicyInputs {
            role_name: role.clone(),
            policy_name: format!("{endpoint}-async-notifications"),
            policy_document: document,
        };
        scope
            .resource::<RolePolicy>(
                &format!("{component}-notifications-policy"),
                &inputs,
                ChildOptions::default(),
            )
            .await?;
        Ok(())
    }
}
