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
    /// The execution role's grant to publish to them, when a role was named.
    grant: Option<Child<RolePolicy>>,
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
        let mut topics = Self::register_topics(scope, component, args).await?;
        if let Some(role) = &args.execution_role_name {
            topics.grant = Some(
                topics
                    .grant_publish(scope, component, &args.endpoint_name, role)
                    .await?,
            );
        }
        Ok(Some(topics))
    }

    /// What the endpoint must be created after: CreateEndpoint sends a test
    /// notification with the execution role and fails when the role may not
    /// publish yet ("Asynchronous inference: the provided role ... has
    /// "sns:Publish" permissions for topic ...").
    pub(super) fn endpoint_waits_for(&self) -> Vec<String> {
        self.grant.iter().map(|grant| grant.urn.clone()).collect()
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
        Ok(NotificationTopics {
            success,
            error,
            grant: None,
        })
    }

    /// Lets the execution role publish to the two topics (and nothing else
    /// over SNS).
    async fn grant_publish(
        &self,
        scope: &Scope,
        component: &str,
        endpoint: &str,
        role: &Output<String>,
    ) -> Result<Child<RolePolicy>> {
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
            .await
    }
}
