//! `sagemaker-deployment:kms:Key`: a customer-managed KMS key with an alias.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod listing;
mod lost_keys;

use super::creation_token::{CreationToken, TOKEN_TAG};
use super::{Tags, removed_keys};
use crate::Context;
use crate::aws::lost_answers::RequestClock;
use crate::aws::{AttemptLog, OrGone, ResultExt, Service};
use framework::{Created, CustomResource, Failures, ReadOutcome};
use framework::{ProviderError, Result};

/// A symmetric customer-managed KMS key for encrypting model artifacts,
/// inference outputs and endpoint storage, with an alias and yearly rotation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KeyInputs {
    /// The key's description.
    pub description: String,
    /// The alias, `alias/<name>`.
    pub alias_name: String,
    /// Whether AWS rotates the key material every year.
    #[serde(default = "default_true")]
    pub enable_key_rotation: bool,
    /// Days (7-30) between a delete and the key's destruction.
    #[serde(default = "default_window")]
    pub deletion_window_in_days: u32,
    /// Tags on the key.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

fn default_true() -> bool {
    true
}

fn default_window() -> u32 {
    7
}

/// The key as created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KeyOutputs {
    /// The key's settings.
    #[serde(flatten)]
    pub inputs: KeyInputs,
    /// The key id.
    pub key_id: String,
    /// The key ARN.
    pub arn: String,
    /// The alias ARN.
    pub alias_arn: String,
}

/// The KMS key resource.
pub struct Key;

#[async_trait]
impl CustomResource for Key {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:kms:Key";
    const UPDATABLE: &'static [&'static str] = &[
        "description",
        "aliasName",
        "enableKeyRotation",
        "deletionWindowInDays",
        "tags",
    ];

    type Inputs = KeyInputs;
    type Outputs = KeyOutputs;

    fn check(&self, inputs: &KeyInputs) -> Failures {
        let mut failures = Failures::new();
        failures.require(
            (7..=30).contains(&inputs.deletion_window_in_days),
            "deletionWindowInDays",
            format!(
                "must be between 7 and 30 days, got {}",
                inputs.deletion_window_in_days
            ),
        );
        failures.require(
            inputs.alias_name.starts_with("alias/")
                && !inputs.alias_name.starts_with("alias/aws/")
                && inputs.alias_name.len() <= 256
                && inputs.alias_name[6..]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "/_-".contains(c))
                && inputs.alias_name.len() > 6,
            "aliasName",
            "must be `alias/` followed by letters, digits, `/`, `_` or `-`, not under `alias/aws/`",
        );
        failures
    }

    async fn create(&self, ctx: &Context, inputs: &KeyInputs) -> Result<Created<KeyOutputs>> {
        let kms = &ctx.clients.kms;
        let mut request = kms.create_key().description(&inputs.description);
        let token = CreationToken::new(&ctx.urn);
        let tags = ctx
            .clients
            .tags_with(&inputs.tags)
            .into_iter()
            .chain([(TOKEN_TAG.to_owned(), token.value().to_owned())]);
        for (key, value) in tags {
            request = request.tags(
                aws_sdk_kms::types::Tag::builder()
                    .tag_key(key)
                    .tag_value(value)
                    .build()
                    .map_err(|e| ProviderError::Internal(e.to_string()))?,
            );
        }
        let (key_id, arn) = create_key(ctx, request, inputs).await?;
        if let Err(error) = self.configure(ctx, &key_id, None, inputs).await {
            // Schedule the half-made key for deletion rather than orphan it.
            let cleanup = kms
                .schedule_key_deletion()
                .key_id(&key_id)
                .pending_window_in_days(inputs.deletion_window_in_days as i32)
                .send()
                .await
                .aws(Service::Kms, "ScheduleKeyDeletion");
            let fate = match cleanup {
                Ok(_) => "it is scheduled for deletion".to_owned(),
                Err(e) => {
                    format!("scheduling its deletion failed too ({e}); delete key {key_id} by hand")
                }
            };
            return Err(ProviderError::failed(format!(
                "KMS key {key_id} was created but could not be configured ({error}); {fate}"
            )));
        }
        Ok(Created {
            id: key_id.clone(),
            outputs: KeyOutputs {
                inputs: inputs.clone(),
                alias_arn: alias_arn(&arn, &inputs.alias_name),
                key_id,
                arn,
            },
        })
    }

    /// An enabled key carrying a creation token made for this resource:
    /// the one `aliasName` names, or, when no key has that alias yet (the
    /// alias is made last), one of the keys without an alias.
    async fn left_by_an_interrupted_create(
        &self,
        ctx: &Context,
        inputs: &KeyInputs,
    ) -> Result<Option<String>> {
        lost_keys::left_for(ctx, &inputs.alias_name).await
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &KeyOutputs,
    ) -> Result<ReadOutcome<KeyInputs, KeyOutputs>> {
        let kms = &ctx.clients.kms;
        let Some(described) = kms
            .describe_key()
            .key_id(id)
            .send()
            .await
            .aws(Service::Kms, "DescribeKey")
            .or_gone()?
        else {
            return Ok(ReadOutcome::Gone);
        };
        let Some(metadata) = described.key_metadata() else {
            return Ok(ReadOutcome::Gone);
        };
        if matches!(
            metadata.key_state(),
            Some(aws_sdk_kms::types::KeyState::PendingDeletion)
                | Some(aws_sdk_kms::types::KeyState::PendingReplicaDeletion)
        ) {
            return Ok(ReadOutcome::Gone);
        }
        let rotation = kms
            .get_key_rotation_status()
            .key_id(id)
            .send()
            .await
            .aws(Service::Kms, "GetKeyRotationStatus")?
            .key_rotation_enabled();
        let aliases = kms
            .list_aliases()
            .key_id(id)
            .send()
            .await
            .aws(Service::Kms, "ListAliases")?;
        let alias_name = aliases
            .aliases()
            .iter()
            .filter_map(|a| a.alias_name())
            .find(|name| *name == outputs.inputs.alias_name)
            .or_else(|| aliases.aliases().first().and_then(|a| a.alias_name()))
            .unwrap_or_default()
            .to_owned();
        let inputs = KeyInputs {
            description: metadata.description().unwrap_or_default().to_owned(),
            alias_name,
            enable_key_rotation: rotation,
            deletion_window_in_days: outputs.inputs.deletion_window_in_days,
            tags: outputs.inputs.tags.clone(),
        };
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: KeyOutputs {
                inputs: inputs.clone(),
                key_id: metadata.key_id().to_owned(),
                arn: metadata.arn().unwrap_or_default().to_owned(),
                alias_arn: alias_arn(metadata.arn().unwrap_or_default(), &inputs.alias_name),
            },
            inputs,
        })
    }

    /// Rebuilds the key from KMS: description, rotation, its first alias
    /// and its tags (the provider's default tags left out). KMS does not
    /// keep the deletion window before a deletion is scheduled: it is the
    /// default, 7 days.
    async fn import(&self, ctx: &Context, id: &str) -> Result<ReadOutcome<KeyInputs, KeyOutputs>> {
        // KMS allows 50 tags on a key, ListResourceTags answers 50 a page.
        let Some(listed) = ctx
            .clients
            .kms
            .list_resource_tags()
            .key_id(id)
            .limit(50)
            .send()
            .await
            .aws(Service::Kms, "ListResourceTags")
            .or_gone()?
        else {
            return Ok(ReadOutcome::Gone);
        };
        let tags = listed
            .tags()
            .iter()
            .map(|t| (t.tag_key().to_owned(), t.tag_value().to_owned()));
        let recorded = KeyOutputs {
            inputs: KeyInputs {
                description: String::new(),
                alias_name: String::new(),
                enable_key_rotation: true,
                deletion_window_in_days: default_window(),
                tags: ctx.clients.own_tags(tags),
            },
            key_id: id.to_owned(),
            arn: String::new(),
            alias_arn: String::new(),
        };
        // Recorded by its key id, whatever form of id it was imported by.
        Ok(match self.read(ctx, id, &recorded).await? {
            ReadOutcome::Found {
                inputs, outputs, ..
            } => ReadOutcome::Found {
                id: outputs.key_id.clone(),
                inputs,
                outputs,
            },
            ReadOutcome::Gone => ReadOutcome::Gone,
        })
    }

    async fn update(
        &self,
        ctx: &Context,
        id: &str,
        olds: &KeyOutputs,
        news: &KeyInputs,
    ) -> Result<KeyOutputs> {
        self.configure(ctx, id, Some(&olds.inputs), news).await?;
        Ok(KeyOutputs {
            inputs: news.clone(),
            alias_arn: alias_arn(&olds.arn, &news.alias_name),
            ..olds.clone()
        })
    }

    async fn delete(&self, ctx: &Context, id: &str, outputs: &KeyOutputs) -> Result<()> {
        let kms = &ctx.clients.kms;
        // A refresh records no alias when it is gone already (say, an
        // interrupted destroy deleted it): there is none to delete then.
        if !outputs.inputs.alias_name.is_empty() {
            kms.delete_alias()
                .alias_name(&outputs.inputs.alias_name)
                .send()
                .await
                .aws(Service::Kms, "DeleteAlias")
                .or_gone()?;
        }
        match kms
            .schedule_key_deletion()
            .key_id(id)
            .pending_window_in_days(outputs.inputs.deletion_window_in_days as i32)
            .send()
            .await
            .aws(Service::Kms, "ScheduleKeyDeletion")
            .or_gone()
        {
            Ok(_) => Ok(()),
            // Already pending deletion.
            Err(error) if error.code.as_deref() == Some("KMSInvalidStateException") => Ok(()),
            Err(error) => Err(error.into()),
        }
    }
}

impl Key {
    /// Brings rotation, description and alias to `news`, changing only what
    /// differs from `olds`.
    async fn configure(
        &self,
        ctx: &Context,
        id: &str,
        olds: Option<&KeyInputs>,
        news: &KeyInputs,
    ) -> Result<()> {
        let kms = &ctx.clients.kms;
        if olds.is_none_or(|o| o.enable_key_rotation != news.enable_key_rotation) {
            if news.enable_key_rotation {
                kms.enable_key_rotation()
                    .key_id(id)
                    .send()
                    .await
                    .aws(Service::Kms, "EnableKeyRotation")?;
            } else if olds.is_some() {
                kms.disable_key_rotation()
                    .key_id(id)
                    .send()
                    .await
                    .aws(Service::Kms, "DisableKeyRotation")?;
            }
        }
        if olds.is_some_and(|o| o.description != news.description) {
            kms.update_key_description()
                .key_id(id)
                .description(&news.description)
                .send()
                .await
                .aws(Service::Kms, "UpdateKeyDescription")?;
        }
        if olds.is_none_or(|o| o.alias_name != news.alias_name) {
            self.point_alias(ctx, id, &news.alias_name).await?;
            // The new alias exists: failing here would make a retry's
            // CreateAlias collide, so a failure to remove the old one is
            // reported, not fatal.
            if let Some(old) = olds
                && let Err(error) = kms
                    .delete_alias()
                    .alias_name(&old.alias_name)
                    .send()
                    .await
                    .aws(Service::Kms, "DeleteAlias")
                    .or_gone()
            {
                ctx.warn(format!(
                    "alias {} still points at key {id}; delete it by hand: {error}",
                    old.alias_name
                ))
                .await;
            }
        }
        if let Some(old) = olds
            && old.tags != news.tags
        {
            // Compare with the default tags merged in on both sides, so a
            // key the defaults still set is not removed.
            let old_tags = ctx.clients.tags_with(&old.tags);
            let new_tags = ctx.clients.tags_with(&news.tags);
            let removed = removed_keys(&old_tags, &new_tags);
            if !removed.is_empty() {
                kms.untag_resource()
                    .key_id(id)
                    .set_tag_keys(Some(removed))
                    .send()
                    .await
                    .aws(Service::Kms, "UntagResource")?;
            }
            if !new_tags.is_empty() {
                let mut request = kms.tag_resource().key_id(id);
                for (key, value) in new_tags {
                    request = request.tags(
                        aws_sdk_kms::types::Tag::builder()
                            .tag_key(key)
                            .tag_value(value)
                            .build()
                            .map_err(|e| ProviderError::Internal(e.to_string()))?,
                    );
                }
                request.send().await.aws(Service::Kms, "TagResource")?;
            }
        }
        Ok(())
    }
}

impl Key {
    /// Creates `alias` for key `id`. An alias that already exists is taken
    /// over only from a key pending deletion: a key deleted behind the
    /// program's back keeps its aliases until KMS really deletes it ("If
    /// you delete a KMS key, all aliases associated with that KMS key are
    /// deleted", KMS Developer Guide, "Delete an alias"), and UpdateAlias
    /// "associate[s] an existing alias with a different KMS key" (KMS API
    /// Reference, DeleteAlias). An alias of a usable key is never taken.
    async fn point_alias(&self, ctx: &Context, id: &str, alias: &str) -> Result<()> {
        let kms = &ctx.clients.kms;
        let error = match kms
            .create_alias()
            .alias_name(alias)
            .target_key_id(id)
            .send()
            .await
            .aws(Service::Kms, "CreateAlias")
        {
            Ok(_) => return Ok(()),
            Err(error) if error.code.as_deref() == Some("AlreadyExistsException") => error,
            Err(error) => return Err(error.into()),
        };
        let Some(holder) = alias_target(ctx, alias).await? else {
            return Err(error.into());
        };
        if holder == id {
            return Ok(());
        }
        let state = kms
            .describe_key()
            .key_id(&holder)
            .send()
            .await
            .aws(Service::Kms, "DescribeKey")?
            .key_metadata()
            .and_then(|m| m.key_state().cloned());
        if !matches!(
            state,
            Some(aws_sdk_kms::types::KeyState::PendingDeletion)
                | Some(aws_sdk_kms::types::KeyState::PendingReplicaDeletion)
        ) {
            return Err(ProviderError::failed(format!(
                "alias {alias} already belongs to KMS key {holder}, which is {}; choose another aliasName, or delete the alias if that key is no longer wanted",
                state.as_ref().map_or("in an unknown state", |s| s.as_str())
            )));
        }
        kms.update_alias()
            .alias_name(alias)
            .target_key_id(id)
            .send()
            .await
            .aws(Service::Kms, "UpdateAlias")?;
        ctx.info(format!(
            "alias {alias} now points at key {id}; it pointed at key {holder}, which is pending deletion"
        ))
        .await;
        Ok(())
    }
}

/// The key `alias` points at, if the alias exists.
async fn alias_target(ctx: &Context, alias: &str) -> Result<Option<String>> {
    let aliases = listing::aliases(ctx).await?;
    Ok(listing::target_of(&aliases, alias).map(str::to_owned))
}

/// `arn:aws:kms:region:account:key/id` -> `arn:aws:kms:region:account:alias/name`.
/// Sends CreateKey and returns the key's id and ARN. When an attempt got no
/// answer, the keys the request made are looked up (see [`lost_keys`]): if
/// CreateKey failed with no answer at all, the newest of them is the key
/// created; the others are scheduled for deletion.
async fn create_key(
    ctx: &Context,
    request: aws_sdk_kms::operation::create_key::builders::CreateKeyFluentBuilder,
    inputs: &KeyInputs,
) -> Result<(String, String)> {
    let clock = RequestClock::start();
    let log = AttemptLog::default();
    let created = request
        .customize()
        .interceptor(log.clone())
        .send()
        .await
        .aws(Service::Kms, "CreateKey");
    let returned = match created {
        Ok(created) => {
            let metadata = created
                .key_metadata()
                .ok_or_else(|| ProviderError::failed("KMS CreateKey returned no key metadata"))?;
            Ok((
                metadata.key_id().to_owned(),
                metadata.arn().unwrap_or_default().to_owned(),
            ))
        }
        Err(error) if error.may_hide_a_create() => Err(error),
        Err(error) => return Err(error.into()),
    };
    if log.attempts().unanswered == 0 {
        return Ok(returned?);
    }
    let mut made = lost_keys::made_by_request(ctx, &inputs.description, clock).await?;
    let kept = match returned {
        Ok((key_id, arn)) => {
            made.retain(|key| key.key_id != key_id);
            (key_id, arn)
        }
        Err(error) => match made.pop() {
            Some(newest) => {
                ctx.info(format!(
                    "CreateKey got no answer; KMS key {} is the key it created",
                    newest.key_id
                ))
                .await;
                (newest.key_id, newest.arn)
            }
            // No key was made: the create failed, and nothing is left behind.
            None => return Err(error.into()),
        },
    };
    lost_keys::retire(ctx, &made, inputs.deletion_window_in_days).await;
    Ok(kept)
}

fn alias_arn(key_arn: &str, alias_name: &str) -> String {
    match key_arn.rsplit_once(':') {
        Some((prefix, _)) => format!("{prefix}:{alias_name}"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_kms::Client;
    use aws_sdk_kms::operation::describe_key::DescribeKeyOutput;
    use aws_sdk_kms::operation::list_aliases::ListAliasesOutput;
    use aws_sdk_kms::operation::tag_resource::TagResourceOutput;
    use aws_sdk_kms::operation::untag_resource::UntagResourceOutput;
    use aws_sdk_kms::operation::update_alias::UpdateAliasOutput;
    use aws_sdk_kms::types::{AliasListEntry, KeyMetadata, KeyState};
    use aws_smithy_mocks::{Rule, mock};

    use super::*;
    use crate::aws::scripted_aws::{Answer, ScriptedAws};
    use crate::resources::mock::{context_with, mock_context};

    #[tokio::test]
    async fn removing_every_tag_untags_without_an_empty_tag_call() {
        let untag = mock!(Client::untag_resource)
            .match_requests(|req| req.tag_keys() == ["env"])
            .then_output(|| UntagResourceOutput::builder().build());
        let tag = mock!(Client::tag_resource).then_output(|| TagResourceOutput::builder().build());
        let ctx = mock_context::<Key>(&[&untag, &tag]).await;
        let olds = KeyInputs {
            tags: [("env".to_owned(), "dev".to_owned())].into(),
            ..inputs()
        };
        Key.configure(&ctx, "key-1", Some(&olds), &inputs())
            .await
            .unwrap();
        assert_eq!((untag.num_calls(), tag.num_calls()), (1, 0));
    }

    fn now() -> f64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64()
    }

    fn metadata(key_id: &str, state: &str) -> String {
        format!(
            r#"{{"KeyMetadata":{{"KeyId":"{key_id}","Arn":"arn:aws:kms:us-east-1:123456789012:key/{key_id}","Description":"d","KeyState":"{state}","CreationDate":{}}}}}"#,
            now()
        )
    }

    /// A stand-in KMS: CreateKey answers with the first of `creates` (and
    /// drops the connection while it is `None`), two unnamed keys exist,
    /// `alias_target` is what an existing alias names, if any.
    async fn kms(
        creates: Vec<Option<&'static str>>,
        alias_target: Option<&'static str>,
    ) -> (ScriptedAws, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
        let scheduled = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let creates = std::sync::Mutex::new(creates.into_iter());
        let recorded = scheduled.clone();
        let aws = ScriptedAws::start(move |operation, body| {
            let key_in_body = ["key-1", "key-2", "key-old"]
                .into_iter()
                .find(|key| body.contains(key))
                .unwrap_or("key-1");
            match operation {
                "CreateKey" => match creates.lock().unwrap().next().flatten() {
                    Some(key_id) => Answer::Json(200, metadata(key_id, "Enabled")),
                    None => Answer::Drop,
                },
                "ListKeys" => Answer::Json(
                    200,
                    r#"{"Keys":[{"KeyId":"key-1"},{"KeyId":"key-2"}],"Truncated":false}"#.into(),
                ),
                "ListAliases" => Answer::Json(
                    200,
                    match alias_target {
                        Some(target) => format!(
                            r#"{{"Aliases":[{{"AliasName":"alias/fraud-dev","TargetKeyId":"{target}"}}]}}"#
                        ),
                        None => r#"{"Aliases":[]}"#.into(),
                    },
                ),
                "DescribeKey" if key_in_body == "key-old" => {
                    Answer::Json(200, metadata("key-old", "PendingDeletion"))
                }
                "DescribeKey" => Answer::Json(200, metadata(key_in_body, "Enabled")),
                "ScheduleKeyDeletion" => {
                    recorded.lock().unwrap().push(key_in_body.to_owned());
                    Answer::Json(200, format!(r#"{{"KeyId":"{key_in_body}"}}"#))
                }
                "CreateAlias" if alias_target.is_some() => Answer::Json(
                    400,
                    r#"{"__type":"AlreadyExistsException","message":"An alias with the name alias/fraud-dev already exists"}"#.into(),
                ),
                "EnableKeyRotation" | "CreateAlias" | "UpdateAlias" => Answer::Json(200, "{}".into()),
                other => Answer::Json(400, format!(r#"{{"__type":"Unexpected","message":"{other}"}}"#)),
            }
        })
        .await;
        (aws, scheduled)
    }

    #[tokio::test]
    async fn a_key_made_by_an_attempt_whose_answer_was_lost_is_scheduled_for_deletion() {
        // The first CreateKey made key-1 but its answer was lost; the retry made key-2.
        let (aws, scheduled) = kms(vec![None, Some("key-2")], None).await;
        let ctx = context_with::<Key>(aws.clients(3).await);
        let created = Key.create(&ctx, &inputs()).await.unwrap();
        assert_eq!(created.id, "key-2");
        assert_eq!(aws.count("CreateKey"), 2);
        assert_eq!(*scheduled.lock().unwrap(), ["key-1"]);
    }

    #[tokio::test]
    async fn a_create_key_that_never_got_an_answer_keeps_the_key_it_made() {
        let (aws, scheduled) = kms(vec![None, None], None).await;
        let ctx = context_with::<Key>(aws.clients(2).await);
        let created = Key.create(&ctx, &inputs()).await.unwrap();
        // Both listed keys look made by the request: the newest is kept.
        assert!(["key-1", "key-2"].contains(&created.id.as_str()));
        assert_eq!(scheduled.lock().unwrap().len(), 1);
        assert_ne!(scheduled.lock().unwrap()[0], created.id);
    }

    #[tokio::test]
    async fn a_key_whose_alias_is_gone_is_deleted_without_touching_aliases() {
        let schedule = mock!(Client::schedule_key_deletion)
            .match_requests(|req| req.key_id() == Some("key-1"))
            .then_output(|| {
                aws_sdk_kms::operation::schedule_key_deletion::ScheduleKeyDeletionOutput::builder()
                    .build()
            });
        // No DeleteAlias rule: calling it fails the test.
        let ctx = mock_context::<Key>(&[&schedule]).await;
        let refreshed = KeyOutputs {
            inputs: KeyInputs {
                alias_name: String::new(),
                ..inputs()
            },
            key_id: "key-1".into(),
            arn: "arn:aws:kms:us-east-1:123456789012:key/key-1".into(),
            alias_arn: String::new(),
        };
        Key.delete(&ctx, "key-1", &refreshed).await.unwrap();
        assert_eq!(schedule.num_calls(), 1);
    }

    fn alias_taken() -> aws_sdk_kms::operation::create_alias::CreateAliasError {
        aws_sdk_kms::operation::create_alias::CreateAliasError::AlreadyExistsException(
            aws_sdk_kms::types::error::AlreadyExistsException::builder()
                .message("An alias with the name alias/fraud-dev already exists")
                .meta(
                    aws_sdk_kms::error::ErrorMetadata::builder()
                        .code("AlreadyExistsException")
                        .build(),
                )
                .build(),
        )
    }

    fn aliases(target: &'static str) -> Rule {
        mock!(Client::list_aliases).then_output(move || {
            ListAliasesOutput::builder()
                .aliases(
                    AliasListEntry::builder()
                        .alias_name("alias/other")
                        .target_key_id("key-other")
                        .build(),
                )
                .aliases(
                    AliasListEntry::builder()
                        .alias_name("alias/fraud-dev")
                        .target_key_id(target)
                        .build(),
                )
                .build()
        })
    }

    fn key_in(state: KeyState) -> Rule {
        mock!(Client::describe_key)
            .match_requests(|req| req.key_id() == Some("key-old"))
            .then_output(move || {
                DescribeKeyOutput::builder()
                    .key_metadata(
                        KeyMetadata::builder()
                            .key_id("key-old")
                            .key_state(state.clone())
                            .build()
                            .unwrap(),
                    )
                    .build()
            })
    }

    #[tokio::test]
    async fn the_alias_of_a_key_pending_deletion_moves_to_the_new_key() {
        let create = mock!(Client::create_alias).then_error(alias_taken);
        let list = aliases("key-old");
        let describe = key_in(KeyState::PendingDeletion);
        let update = mock!(Client::update_alias)
            .match_requests(|req| {
                req.alias_name() == Some("alias/fraud-dev")
                    && req.target_key_id() == Some("key-new")
            })
            .then_output(|| UpdateAliasOutput::builder().build());
        let ctx = mock_context::<Key>(&[&create, &list, &describe, &update]).await;
        Key.point_alias(&ctx, "key-new", "alias/fraud-dev")
            .await
            .unwrap();
        assert_eq!(update.num_calls(), 1);
    }

    #[tokio::test]
    async fn the_alias_of_a_usable_key_is_never_taken() {
        let create = mock!(Client::create_alias).then_error(alias_taken);
        let list = aliases("key-old");
        let describe = key_in(KeyState::Enabled);
        let update =
            mock!(Client::update_alias).then_output(|| UpdateAliasOutput::builder().build());
        let ctx = mock_context::<Key>(&[&create, &list, &describe, &update]).await;
        let error = Key
            .point_alias(&ctx, "key-new", "alias/fraud-dev")
            .await
            .unwrap_err()
            .to_string();
        assert!(
            error.contains(
                "alias alias/fraud-dev already belongs to KMS key key-old, which is Enabled"
            ),
            "{error}"
        );
        assert_eq!(update.num_calls(), 0);
    }

    fn inputs() -> KeyInputs {
        KeyInputs {
            description: "d".into(),
            alias_name: "alias/fraud-dev".into(),
            enable_key_rotation: true,
            deletion_window_in_days: 7,
            tags: Tags::new(),
        }
    }

    #[test]
    fn alias_arn_is_derived_from_the_key_arn() {
        assert_eq!(
            alias_arn("arn:aws:kms:us-east-1:123456789012:key/abc", "alias/x"),
            "arn:aws:kms:us-east-1:123456789012:alias/x"
        );
    }

    #[test]
    fn check_rejects_bad_windows_and_aliases() {
        assert!(Key.check(&inputs()).is_empty());
        let failures = Key.check(&KeyInputs {
            deletion_window_in_days: 3,
            alias_name: "fraud".into(),
            ..inputs()
        });
        let properties: Vec<_> = failures.0.iter().map(|f| f.property.as_str()).collect();
        assert_eq!(properties, ["deletionWindowInDays", "aliasName"]);
    }
}
