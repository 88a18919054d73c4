//! `sagemaker-deployment:sns:Topic`: an SNS topic for notifications.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Tags;
use crate::aws::{OrGone, ResultExt};
use crate::error::{ProviderError, Result};
use crate::framework::{Context, Created, CustomResource, Failures, ReadOutcome};

/// An SNS topic, e.g. for async-inference success and error notifications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopicInputs {
    /// The topic name (1-256 letters, digits, `-` or `_`).
    pub topic_name: String,
    /// KMS key that encrypts messages at rest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<String>,
    /// Tags on the topic.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// The topic as created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopicOutputs {
    #[serde(flatten)]
    pub inputs: TopicInputs,
    /// The topic ARN.
    pub arn: String,
}

/// The SNS topic resource.
pub struct Topic;

#[async_trait]
impl CustomResource for Topic {
    const TOKEN: &'static str = "sagemaker-deployment:sns:Topic";
    const UPDATABLE: &'static [&'static str] = &["kmsKeyArn"];

    type Inputs = TopicInputs;
    type Outputs = TopicOutputs;

    fn check(&self, inputs: &TopicInputs) -> Failures {
        let mut failures = Failures::new();
        let name = &inputs.topic_name;
        failures.require(
            !name.is_empty()
                && name.len() <= 256
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "topicName",
            "must be 1-256 letters, digits, `-` or `_`",
        );
        failures
    }

    async fn create(&self, ctx: &Context, inputs: &TopicInputs) -> Result<Created<TopicOutputs>> {
        let mut request = ctx.aws.sns.create_topic().name(&inputs.topic_name);
        if let Some(key) = &inputs.kms_key_arn {
            request = request.attributes("KmsMasterKeyId", key);
        }
        for (key, value) in ctx.aws.tags_with(&inputs.tags) {
            request = request.tags(
                aws_sdk_sns::types::Tag::builder()
                    .key(key)
                    .value(value)
                    .build()
                    .map_err(|e| ProviderError::Internal(e.to_string()))?,
            );
        }
        let created = request.send().await.aws("sns", "CreateTopic")?;
        let arn = created.topic_arn().unwrap_or_default().to_owned();
        Ok(Created {
            id: arn.clone(),
            outputs: TopicOutputs {
                inputs: inputs.clone(),
                arn,
            },
        })
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &TopicOutputs,
    ) -> Result<ReadOutcome<TopicInputs, TopicOutputs>> {
        let found = match ctx
            .aws
            .sns
            .get_topic_attributes()
            .topic_arn(id)
            .send()
            .await
            .aws("sns", "GetTopicAttributes")
        {
            Ok(found) => found,
            Err(error) if error.is_not_found() => return Ok(ReadOutcome::Gone),
            Err(error) => return Err(error.into()),
        };
        let kms_key_arn = found
            .attributes()
            .and_then(|a| a.get("KmsMasterKeyId"))
            .filter(|k| !k.is_empty())
            .cloned();
        let inputs = TopicInputs {
            kms_key_arn,
            ..outputs.inputs.clone()
        };
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: TopicOutputs {
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
        olds: &TopicOutputs,
        news: &TopicInputs,
    ) -> Result<TopicOutputs> {
        ctx.aws
            .sns
            .set_topic_attributes()
            .topic_arn(id)
            .attribute_name("KmsMasterKeyId")
            .attribute_value(news.kms_key_arn.clone().unwrap_or_default())
            .send()
            .await
            .aws("sns", "SetTopicAttributes")?;
        Ok(TopicOutputs {
            inputs: news.clone(),
            arn: olds.arn.clone(),
        })
    }

    async fn delete(&self, ctx: &Context, id: &str, _outputs: &TopicOutputs) -> Result<()> {
        ctx.aws
            .sns
            .delete_topic()
            .topic_arn(id)
            .send()
            .await
            .aws("sns", "DeleteTopic")
            .or_gone()?;
        Ok(())
    }
}
