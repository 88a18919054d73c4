//! `sagemaker-deployment:sns:Topic`: an SNS topic for notifications.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod subscription;

pub use subscription::{Subscription, SubscriptionInputs, SubscriptionOutputs};

use super::{Tags, removed_keys};
use crate::Context;
use crate::aws::{OrGone, ResultExt, Service};
use framework::Output;
use framework::{Created, CustomResource, Failures, ReadOutcome};
use framework::{ProviderError, Result};

/// An SNS topic, e.g. for async-inference success and error notifications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopicInputs {
    /// The topic name (1-256 letters, digits, `-` or `_`).
    pub topic_name: String,
    /// KMS key that encrypts messages at rest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<Output<String>>,
    /// Tags on the topic.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// The topic as created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopicOutputs {
    /// The inputs the topic was created or last updated with.
    #[serde(flatten)]
    pub inputs: TopicInputs,
    /// The topic ARN.
    pub arn: String,
}

/// The SNS topic resource.
pub struct Topic;

#[async_trait]
impl CustomResource for Topic {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:sns:Topic";
    const UPDATABLE: &'static [&'static str] = &["kmsKeyArn", "tags"];

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
        let mut request = ctx.clients.sns.create_topic().name(&inputs.topic_name);
        let tags = ctx.clients.tags_with(&inputs.tags);
        if !tags.is_empty() {
            request = request.set_tags(Some(sns_tags(&tags)?));
        }
        if let Some(key) = &inputs.kms_key_arn {
            request = request.attributes("KmsMasterKeyId", key);
        }
        let created = request.send().await.aws(Service::Sns, "CreateTopic")?;
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
        let Some(found) = ctx
            .clients
            .sns
            .get_topic_attributes()
            .topic_arn(id)
            .send()
            .await
            .aws(Service::Sns, "GetTopicAttributes")
            .or_gone()?
        else {
            return Ok(ReadOutcome::Gone);
        };
        let kms_key_arn = found
            .attributes()
            .and_then(|a| a.get("KmsMasterKeyId"))
            .filter(|k| !k.is_empty())
            .cloned();
        let inputs = TopicInputs {
            kms_key_arn: kms_key_arn.map(Output::new),
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
        if olds.inputs.kms_key_arn != news.kms_key_arn {
            ctx.clients
                .sns
                .set_topic_attributes()
                .topic_arn(id)
                .attribute_name("KmsMasterKeyId")
                .attribute_value(
                    news.kms_key_arn
                        .as_ref()
                        .map(String::from)
                        .unwrap_or_default(),
                )
                .send()
                .await
                .aws(Service::Sns, "SetTopicAttributes")?;
        }
        if olds.inputs.tags != news.tags {
            retag(ctx, id, &olds.inputs.tags, &news.tags).await?;
        }
        Ok(TopicOutputs {
            inputs: news.clone(),
            arn: olds.arn.clone(),
        })
    }

    async fn delete(&self, ctx: &Context, id: &str, _outputs: &TopicOutputs) -> Result<()> {
        ctx.clients
            .sns
            .delete_topic()
            .topic_arn(id)
            .send()
            .await
            .aws(Service::Sns, "DeleteTopic")
            .or_gone()?;
        Ok(())
    }
}

/// Brings the topic's tags (with the provider's default tags) from `olds`
/// to `news`: removes the keys no longer wanted, then sets the rest.
async fn retag(ctx: &Context, arn: &str, olds: &Tags, news: &Tags) -> Result<()> {
    let olds = ctx.clients.tags_with(olds);
    let news = ctx.clients.tags_with(news);
    let removed = removed_keys(&olds, &news);
    if !removed.is_empty() {
        ctx.clients
            .sns
            .untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(removed))
            .send()
            .await
            .aws(Service::Sns, "UntagResource")?;
    }
    if !news.is_empty() {
        ctx.clients
            .sns
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(sns_tags(&news)?))
            .send()
            .await
            .aws(Service::Sns, "TagResource")?;
    }
    Ok(())
}

/// Tags in SNS's shape.
fn sns_tags(tags: &Tags) -> Result<Vec<aws_sdk_sns::types::Tag>> {
    tags.iter()
        .map(|(key, value)| {
            aws_sdk_sns::types::Tag::builder()
                .key(key)
                .value(value)
                .build()
                .map_err(|e| ProviderError::Internal(e.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use aws_sdk_sns::Client;
    use aws_sdk_sns::error::ErrorMetadata;
    use aws_sdk_sns::operation::get_topic_attributes::GetTopicAttributesError;
    use aws_sdk_sns::operation::set_topic_attributes::SetTopicAttributesOutput;
    use aws_sdk_sns::operation::tag_resource::TagResourceOutput;
    use aws_sdk_sns::operation::untag_resource::UntagResourceOutput;
    use aws_smithy_mocks::mock;

    use super::*;
    use crate::resources::mock::mock_context_tagged;

    const ARN: &str = "arn:aws:sns:us-east-1:123456789012:fraud-success";

    /// The provider's default tags in these tests.
    fn team_ml() -> std::collections::BTreeMap<String, String> {
        [("team".to_owned(), "ml".to_owned())].into()
    }

    fn topic(tags: &[(&str, &str)]) -> TopicOutputs {
        TopicOutputs {
            inputs: TopicInputs {
                topic_name: "fraud-success".into(),
                kms_key_arn: None,
                tags: tags
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            },
            arn: ARN.into(),
        }
    }

    #[test]
    fn tags_and_the_key_update_in_place() {
        assert!(Topic::UPDATABLE.contains(&"tags"));
        assert!(Topic::UPDATABLE.contains(&"kmsKeyArn"));
        assert!(!Topic::UPDATABLE.contains(&"topicName"));
    }

    #[tokio::test]
    async fn a_tag_change_retags_the_topic_by_arn() {
        let untag = mock!(Client::untag_resource)
            .match_requests(|req| req.resource_arn() == Some(ARN) && req.tag_keys() == ["env"])
            .then_output(|| UntagResourceOutput::builder().build());
        let tag = mock!(Client::tag_resource)
            .match_requests(|req| {
                let tags: Vec<(&str, &str)> =
                    req.tags().iter().map(|t| (t.key(), t.value())).collect();
                req.resource_arn() == Some(ARN) && tags == [("owner", "fraud-team"), ("team", "ml")]
            })
            .then_output(|| TagResourceOutput::builder().build());
        let attributes = mock!(Client::set_topic_attributes)
            .then_output(|| SetTopicAttributesOutput::builder().build());
        let ctx = mock_context_tagged::<Topic>(&[&untag, &tag, &attributes], team_ml()).await;
        let olds = topic(&[("env", "dev")]);
        let news = topic(&[("owner", "fraud-team")]).inputs;
        let outputs = Topic.update(&ctx, ARN, &olds, &news).await.unwrap();
        assert_eq!((untag.num_calls(), tag.num_calls()), (1, 1));
        assert_eq!(attributes.num_calls(), 0, "the key did not change");
        assert_eq!(outputs, topic(&[("owner", "fraud-team")]));
    }

    #[tokio::test]
    async fn a_key_change_leaves_the_tags_alone() {
        let tag = mock!(Client::tag_resource).then_output(|| TagResourceOutput::builder().build());
        let attributes = mock!(Client::set_topic_attributes)
            .match_requests(|req| {
                req.attribute_name() == Some("KmsMasterKeyId")
                    && req.attribute_value() == Some("alias/fraud")
            })
            .then_output(|| SetTopicAttributesOutput::builder().build());
        let ctx = mock_context_tagged::<Topic>(&[&tag, &attributes], team_ml()).await;
        let olds = topic(&[("env", "dev")]);
        let news = TopicInputs {
            kms_key_arn: Some("alias/fraud".into()),
            ..olds.inputs.clone()
        };
        Topic.update(&ctx, ARN, &olds, &news).await.unwrap();
        assert_eq!((attributes.num_calls(), tag.num_calls()), (1, 0));
    }

    #[tokio::test]
    async fn a_deleted_topic_reads_as_gone() {
        let get = mock!(Client::get_topic_attributes).then_error(|| {
            GetTopicAttributesError::generic(
                ErrorMetadata::builder()
                    .code("NotFound")
                    .message("Topic does not exist")
                    .build(),
            )
        });
        let ctx = mock_context_tagged::<Topic>(&[&get], team_ml()).await;
        let outcome = Topic.read(&ctx, ARN, &topic(&[])).await.unwrap();
        assert!(matches!(outcome, ReadOutcome::Gone));
    }
}
