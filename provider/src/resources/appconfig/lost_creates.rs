//! AppConfig objects made by attempts of a create whose answer was lost.
//!
//! AppConfig's creates take no client token and its names need not be
//! unique, so every attempt that reaches AppConfig makes an object. When the
//! connection breaks after AppConfig applied a create, the SDK sends it
//! again: AppConfig makes a second object (or, for StartDeployment, refuses
//! because the first deployment is running), and the first is known to
//! nobody; the application it belongs to can then never be deleted. So every
//! create carries a tag with a token made for it ([`CreationToken`]). When an
//! attempt got no answer, the objects with the same name that carry the
//! token are the ones the request made ([`settle`]): one is kept (the one
//! answered, or any of them when no answer came) and the others are deleted.
//! An object without the token is never touched.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::Context;
use crate::aws::{AttemptLog, AwsError, ResultExt, Service};
use framework::Result;

/// The tag key of the token a create is sent with. AppConfig tag keys may
/// not start with `aws:` (API reference, TagResource `Tags`).
pub const TOKEN_TAG: &str = "sagemaker-deployment:creation-token";

/// A token unique to one create request, sent as the [`TOKEN_TAG`] tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreationToken(String);

impl CreationToken {
    /// A new token: 128 bits from the standard library's randomly keyed
    /// hasher, over the time and the process id.
    pub fn new() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let half = |salt: u8| {
            let mut hasher = RandomState::new().build_hasher();
            hasher.write_u128(nanos);
            hasher.write_u32(std::process::id());
            hasher.write_u8(salt);
            hasher.finish()
        };
        CreationToken(format!("{:016x}{:016x}", half(0), half(1)))
    }

    /// The token's text.
    pub fn value(&self) -> &str {
        &self.0
    }

    /// `tags` (the object's own, with the provider's defaults) and the token.
    pub fn with_tags(&self, tags: Option<HashMap<String, String>>) -> HashMap<String, String> {
        let mut tags = tags.unwrap_or_default();
        tags.insert(TOKEN_TAG.to_owned(), self.0.clone());
        tags
    }

    /// Whether the AppConfig object `arn` carries this token.
    pub async fn is_on(&self, ctx: &Context, arn: &str) -> Result<bool> {
        let tags = ctx
            .clients
            .appconfig
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .aws(Service::AppConfig, "ListTagsForResource")?;
        Ok(tags
            .tags()
            .and_then(|t| t.get(TOKEN_TAG))
            .map(String::as_str)
            == Some(self.value()))
    }
}

impl Default for CreationToken {
    fn default() -> Self {
        Self::new()
    }
}

/// An object of the kind created, with the name of the one created: its id
/// and ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sibling {
    pub id: String,
    pub arn: String,
}

/// The id of the object a create made. `created` is the create's outcome
/// (the id AppConfig answered) and `log` its attempts. When no attempt went
/// unanswered, that is all. Otherwise `siblings` lists the objects with the
/// same name; those carrying `token` were made by the request: the one
/// answered is kept, or, when the create failed, one of them (the create
/// took effect); `delete` removes the others. A failed create that made
/// nothing keeps its error.
pub async fn settle<L, LF, D, DF>(
    ctx: &Context,
    what: &str,
    token: &CreationToken,
    log: &AttemptLog,
    created: std::result::Result<String, AwsError>,
    siblings: L,
    delete: D,
) -> Result<String>
where
    L: FnOnce() -> LF,
    LF: Future<Output = Result<Vec<Sibling>>>,
    D: Fn(String) -> DF,
    DF: Future<Output = std::result::Result<(), AwsError>>,
{
    let unanswered = match &created {
        Ok(_) => log.attempts().unanswered,
        Err(error) => error.unanswered,
    };
    if unanswered == 0 {
        return Ok(created?);
    }
    let made = match made_by(ctx, token, siblings).await {
        Ok(made) => made,
        Err(lookup) => {
            ctx.warn(format!(
                "an attempt to create {what} got no answer, and looking for the copies it may have \
                 made failed ({lookup}): check for {what}s of the same name left behind"
            ))
            .await;
            return Ok(created?);
        }
    };
    let kept = match created {
        Ok(id) => id,
        Err(error) => match made.first() {
            Some(first) => {
                ctx.info(format!(
                    "the create of {what} got no answer; {} is the {what} it made",
                    first.id
                ))
                .await;
                first.id.clone()
            }
            None => return Err(error.into()),
        },
    };
    for extra in made.iter().filter(|m| m.id != kept) {
        match delete(extra.id.clone()).await {
            Ok(()) => {
                ctx.info(format!(
                    "{what} {} was made by an attempt whose answer was lost; it is deleted",
                    extra.id
                ))
                .await
            }
            Err(error) => {
                ctx.warn(format!(
                    "{what} {} was made by an attempt whose answer was lost, and deleting it \
                     failed ({error}): delete it by hand",
                    extra.id
                ))
                .await
            }
        }
    }
    Ok(kept)
}

/// The siblings that carry `token`.
async fn made_by<L, LF>(ctx: &Context, token: &CreationToken, siblings: L) -> Result<Vec<Sibling>>
where
    L: FnOnce() -> LF,
    LF: Future<Output = Result<Vec<Sibling>>>,
{
    let mut made = Vec::new();
    for sibling in siblings().await? {
        if token.is_on(ctx, &sibling.arn).await? {
            made.push(sibling);
        }
    }
    Ok(made)
}
