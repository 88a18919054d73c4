//! AppConfig objects made by attempts of a create whose answer was lost.
//!
//! AppConfig's creates take no client token and its names need not be
//! unique, so every attempt that reaches AppConfig makes an object. When the
//! connection breaks after AppConfig applied a create, the SDK sends it
//! again: AppConfig makes a second object (or, for StartDeployment, refuses
//! because the first deployment is running), and the first is known to
//! nobody; the application it belongs to can then never be deleted. So every
//! create carries a tag with a token made for it ([`CreationToken`]); a
//! hosted configuration version, which takes no tags, carries it in its
//! label. When an attempt got no answer, the objects with the same name that
//! carry the token are the ones the request made ([`settle`]): one is kept
//! (the one answered, or the first of them when no answer came) and the
//! others are deleted; a deployment (one runs at a time) is adopted. An
//! object without the token is never touched. The token tag counts towards
//! AppConfig's 50 tags per resource.
//!
//! A token starts with a digest of the resource's URN ([`CreationToken::new`]).
//! When the CLI was stopped while a create ran, the engine may keep no
//! pending create for it (or the user clears it), and nothing records the
//! object: the next create of the same resource finds it by that digest
//! ([`left_for`]) and takes it over instead of making a second one.

use std::future::Future;

pub use crate::resources::creation_token::{CreationToken, TOKEN_TAG, made_for};

use crate::Context;
use crate::aws::{AttemptLog, AwsError, OrGone, ResultExt, Service};
use framework::Result;

impl CreationToken {
    /// The `siblings` (objects of the name created) that carry this token.
    pub async fn carried_by(&self, ctx: &Context, siblings: Vec<Sibling>) -> Result<Vec<Sibling>> {
        let mut made = Vec::new();
        for sibling in siblings {
            if self.is_on(ctx, &sibling.arn).await? {
                made.push(sibling);
            }
        }
        Ok(made)
    }

    /// Whether the AppConfig object `arn` carries this token.
    pub async fn is_on(&self, ctx: &Context, arn: &str) -> Result<bool> {
        Ok(token_on(ctx, arn).await?.as_deref() == Some(self.value()))
    }
}

/// The creation token the AppConfig object `arn` carries, if any (none
/// when the object is gone).
pub async fn token_on(ctx: &Context, arn: &str) -> Result<Option<String>> {
    let tags = ctx
        .clients
        .appconfig
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .aws(Service::AppConfig, "ListTagsForResource")
        .or_gone()?;
    Ok(tags
        .as_ref()
        .and_then(|t| t.tags())
        .and_then(|t| t.get(TOKEN_TAG))
        .cloned())
}

/// The first of `siblings` (objects of the name about to be created) that
/// carries a token made for the resource being created (`ctx.urn`): made
/// by an earlier create of it that no state records.
pub async fn left_for(ctx: &Context, siblings: Vec<Sibling>) -> Result<Option<String>> {
    for sibling in siblings {
        if token_on(ctx, &sibling.arn)
            .await?
            .is_some_and(|token| made_for(&token, &ctx.urn))
        {
            return Ok(Some(sibling.id));
        }
    }
    Ok(None)
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
/// unanswered, that is all. Otherwise `made` lists the objects the request
/// made (those carrying its token, see [`CreationToken::carried_by`]): the
/// one answered is kept, or, when the create failed, the first of them (the
/// create took effect); `delete` removes the others. A failed create that
/// made nothing keeps its error.
pub async fn settle<L, LF, D, DF>(
    ctx: &Context,
    what: &str,
    log: &AttemptLog,
    created: std::result::Result<String, AwsError>,
    made: L,
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
    let made = match made().await {
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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::aws::scripted_aws::{Answer, ScriptedAws};
    use crate::resources::Tags;
    use crate::resources::appconfig::configuration_profile::{
        ConfigurationProfile, ConfigurationProfileInputs,
    };
    use crate::resources::mock::context_with;
    use framework::CustomResource;

    const PROFILES: &str = "/applications/app1/configurationprofiles";

    /// A stand-in AppConfig: CreateConfigurationProfile makes profile
    /// `p<n>` with the request's tags on every attempt, and drops the
    /// connection of the attempts listed in `dropped` (1-based); profile
    /// `p0` of the same name exists already without a token. Returns the
    /// stand-in and the ids deleted.
    async fn appconfig(dropped: &'static [usize]) -> (ScriptedAws, Arc<Mutex<Vec<String>>>) {
        let made: Arc<Mutex<Vec<(String, String)>>> =
            Arc::new(Mutex::new(vec![("p0".into(), String::new())]));
        let deleted = Arc::new(Mutex::new(Vec::new()));
        let seen = deleted.clone();
        let aws = ScriptedAws::start(move |operation, body| {
            let mut made = made.lock().unwrap();
            if operation == format!("POST {PROFILES}") {
                let request: serde_json::Value = serde_json::from_str(body).unwrap();
                let token = request["Tags"][TOKEN_TAG].as_str().unwrap_or_default();
                let id = format!("p{}", made.len());
                made.push((id.clone(), token.to_owned()));
                return if dropped.contains(&(made.len() - 1)) {
                    Answer::Drop
                } else {
                    Answer::Json(201, format!(r#"{{"Id":"{id}","Name":"params"}}"#))
                };
            }
            if operation == format!("GET {PROFILES}") {
                let items: Vec<String> = made
                    .iter()
                    .map(|(id, _)| format!(r#"{{"Id":"{id}","Name":"params"}}"#))
                    .collect();
                return Answer::Json(200, format!(r#"{{"Items":[{}]}}"#, items.join(",")));
            }
            if let Some(arn) = operation.strip_prefix("GET /tags/") {
                let arn = arn.replace("%2F", "/").replace("%3A", ":");
                let id = arn.rsplit('/').next().unwrap_or_default();
                let token = made
                    .iter()
                    .find(|(made_id, _)| made_id == id)
                    .map_or("", |(_, token)| token.as_str());
                return Answer::Json(200, format!(r#"{{"Tags":{{"{TOKEN_TAG}":"{token}"}}}}"#));
            }
            if let Some(id) = operation.strip_prefix(&format!("DELETE {PROFILES}/")) {
                seen.lock().unwrap().push(id.to_owned());
                return Answer::Json(204, String::new());
            }
            if operation == "GetCallerIdentity" {
                return Answer::Json(
                    200,
                    "<GetCallerIdentityResponse><GetCallerIdentityResult>\
                     <Account>123456789012</Account></GetCallerIdentityResult>\
                     </GetCallerIdentityResponse>"
                        .into(),
                );
            }
            Answer::Json(400, format!(r#"{{"message":"unexpected {operation}"}}"#))
        })
        .await;
        (aws, deleted)
    }

    fn inputs() -> ConfigurationProfileInputs {
        ConfigurationProfileInputs {
            application_id: "app1".into(),
            name: "params".into(),
            json_schema_validators: Vec::new(),
            tags: Tags::new(),
        }
    }

    #[tokio::test]
    async fn a_copy_made_by_an_attempt_whose_answer_was_lost_is_deleted() {
        // The first attempt made p1 and lost its answer; the second made p2.
        let (aws, deleted) = appconfig(&[1]).await;
        let ctx = context_with::<ConfigurationProfile>(aws.clients(3).await);
        let created = ConfigurationProfile.create(&ctx, &inputs()).await.unwrap();
        assert_eq!(created.id, "p2");
        assert!(created.outputs.arn.ends_with("configurationprofile/p2"));
        // p1 is ours and deleted; p0 carries no token of ours and is kept.
        assert_eq!(*deleted.lock().unwrap(), vec!["p1".to_owned()]);
        assert_eq!(aws.count(&format!("POST {PROFILES}")), 2);
    }

    #[tokio::test]
    async fn a_create_that_got_no_answer_adopts_the_profile_it_made() {
        let (aws, deleted) = appconfig(&[1, 2]).await;
        let ctx = context_with::<ConfigurationProfile>(aws.clients(2).await);
        let created = ConfigurationProfile.create(&ctx, &inputs()).await.unwrap();
        // Both attempts made a profile: one is recorded, the other deleted.
        assert_eq!(created.id, "p1");
        assert_eq!(*deleted.lock().unwrap(), vec!["p2".to_owned()]);
    }

    #[tokio::test]
    async fn a_profile_made_for_this_resource_is_left_by_an_interrupted_create() {
        // The create makes p1, with a token made for the context's resource
        // (as if the CLI were stopped before its answer was recorded); p0
        // carries none.
        let (aws, _) = appconfig(&[]).await;
        let ctx = context_with::<ConfigurationProfile>(aws.clients(1).await);
        let made = ConfigurationProfile.create(&ctx, &inputs()).await.unwrap();
        assert_eq!(made.id, "p1");
        let left = ConfigurationProfile
            .left_by_an_interrupted_create(&ctx, &inputs())
            .await
            .unwrap();
        assert_eq!(left.as_deref(), Some("p1"));
        // Another resource (another URN) takes nothing.
        let mut other = ctx.clone();
        other.urn.push_str("-other");
        let left = ConfigurationProfile
            .left_by_an_interrupted_create(&other, &inputs())
            .await
            .unwrap();
        assert_eq!(left, None);
    }

    #[test]
    fn a_token_names_the_resource_it_was_made_for() {
        let token = CreationToken::new("urn:a");
        assert!(made_for(token.value(), "urn:a"));
        assert!(!made_for(token.value(), "urn:b"));
        assert_ne!(token, CreationToken::new("urn:a"));
    }

    #[tokio::test]
    async fn an_answered_create_looks_for_nothing() {
        let (aws, deleted) = appconfig(&[]).await;
        let ctx = context_with::<ConfigurationProfile>(aws.clients(3).await);
        let created = ConfigurationProfile.create(&ctx, &inputs()).await.unwrap();
        assert_eq!(created.id, "p1");
        assert!(deleted.lock().unwrap().is_empty());
        assert_eq!(aws.count(&format!("GET {PROFILES}")), 0);
    }
}
