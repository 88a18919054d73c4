//! KMS keys made by attempts of CreateKey whose answer was lost.
//!
//! CreateKey is not idempotent: every attempt that reaches KMS makes a key.
//! When the connection breaks after KMS made one, the SDK sends the request
//! again and KMS makes another: the first is known to nobody. So when an
//! attempt of a CreateKey got no answer, the provider looks for the keys the
//! request made: keys with its description, created since it started, enabled,
//! and without an alias (the provider names a new key only once CreateKey has
//! answered). One of them is the key created; the others are scheduled for
//! deletion, as any unwanted key is.

use std::time::SystemTime;

use crate::Context;
use crate::aws::lost_answers::{RequestClock, system_time};
use crate::aws::{AwsError, OrGone, ResultExt, Service};
use crate::resources::creation_token::{TOKEN_TAG, made_for};

use super::listing;

/// A key a CreateKey request may have made: its id and creation time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MadeKey {
    pub key_id: String,
    pub arn: String,
    pub created: SystemTime,
}

/// The keys the CreateKey request started at `clock` with `description` may
/// have made, oldest first.
pub async fn made_by_request(
    ctx: &Context,
    description: &str,
    clock: RequestClock,
) -> Result<Vec<MadeKey>, AwsError> {
    let kms = &ctx.clients.kms;
    let aliases = listing::aliases(ctx).await?;
    let mut made = Vec::new();
    for key_id in listing::keys_without_alias(ctx, &aliases).await? {
        let described = kms
            .describe_key()
            .key_id(&key_id)
            .send()
            .await
            .aws(Service::Kms, "DescribeKey")?;
        let Some(metadata) = described.key_metadata() else {
            continue;
        };
        let created = system_time(metadata.creation_date());
        if metadata.description() == Some(description)
            && metadata.key_state() == Some(&aws_sdk_kms::types::KeyState::Enabled)
            && clock.may_have_made(created)
        {
            made.push(MadeKey {
                arn: metadata.arn().unwrap_or_default().to_owned(),
                key_id,
                created,
            });
        }
    }
    made.sort_by_key(|key| key.created);
    Ok(made)
}

/// Schedules the deletion of `extra` keys (made by attempts whose answer was
/// lost), saying so; a key that cannot be scheduled is named in a warning.
pub async fn retire(ctx: &Context, extra: &[MadeKey], window_days: u32) {
    for key in extra {
        let scheduled = ctx
            .clients
            .kms
            .schedule_key_deletion()
            .key_id(&key.key_id)
            .pending_window_in_days(window_days as i32)
            .send()
            .await
            .aws(Service::Kms, "ScheduleKeyDeletion");
        match scheduled {
            Ok(_) => {
                ctx.info(format!(
                    "KMS key {} was made by an attempt of CreateKey whose answer was lost; \
                     it is scheduled for deletion",
                    key.key_id
                ))
                .await
            }
            Err(error) => {
                ctx.warn(format!(
                    "KMS key {} was made by an attempt of CreateKey whose answer was lost, \
                     and scheduling its deletion failed ({error}): delete it by hand",
                    key.key_id
                ))
                .await
            }
        }
    }
}

/// A key an earlier create of the resource being created (`ctx.urn`) made
/// and no state records: the key `alias` names when it carries a creation
/// token made for the resource, or else the first key without an alias that
/// does (the alias is made last). Costs a ListResourceTags per key without
/// an alias; asked only before the create of a new resource.
pub async fn left_for(ctx: &Context, alias: &str) -> framework::Result<Option<String>> {
    let aliases = listing::aliases(ctx).await?;
    if let Some(holder) = listing::target_of(&aliases, alias) {
        return Ok(made_for_resource(ctx, holder)
            .await?
            .then(|| holder.to_owned()));
    }
    for key_id in listing::keys_without_alias(ctx, &aliases).await? {
        if made_for_resource(ctx, &key_id).await? {
            return Ok(Some(key_id));
        }
    }
    Ok(None)
}

/// Whether key `key_id` carries a creation token made for `ctx.urn`.
async fn made_for_resource(ctx: &Context, key_id: &str) -> framework::Result<bool> {
    // KMS allows 50 tags on a key, ListResourceTags answers 50 a page.
    let tags = ctx
        .clients
        .kms
        .list_resource_tags()
        .key_id(key_id)
        .limit(50)
        .send()
        .await
        .aws(Service::Kms, "ListResourceTags")
        .or_gone()?;
    Ok(tags.is_some_and(|tags| {
        tags.tags()
            .iter()
            .any(|t| t.tag_key() == TOKEN_TAG && made_for(t.tag_value(), &ctx.urn))
    }))
}
