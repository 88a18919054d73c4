//! AWS AppConfig: the objects that serve a model's parameters live, without
//! redeploying the endpoint that reads them.
//!
//! An application holds environments (one per stage) and configuration
//! profiles; a profile's hosted versions carry the parameters; a deployment
//! rolls one version out to one environment with a deployment strategy.
//!
//! Their tokens live in the `awsappconfig` module: a module named
//! `appconfig` would collide with the `index:AppConfig` component in the
//! Pulumi schema (tokens are compared without case).

pub mod application;
pub mod configuration_profile;
pub mod deployment;
pub mod deployment_strategy;
pub mod environment;
pub mod hosted_configuration_version;
pub mod leftovers;
pub mod lost_creates;

use std::collections::HashMap;

use super::{Tags, removed_keys};
use crate::Context;
use crate::aws::{ResultExt, Service};
use framework::Result;

/// The tags to create an object with: the provider's default tags, then the
/// object's own, in the shape AppConfig takes them; `None` when there are
/// none (AppConfig refuses an empty map on some operations).
pub(crate) fn create_tags(ctx: &Context, own: &Tags) -> Option<HashMap<String, String>> {
    let tags = ctx.clients.tags_with(own);
    (!tags.is_empty()).then(|| tags.into_iter().collect())
}

/// The ARN of an AppConfig object, from its resource path, e.g.
/// `application/abc1234` (Service Authorization Reference, "Resource types
/// defined by AWS AppConfig").
pub(crate) async fn arn(ctx: &Context, path: &str) -> Result<String> {
    let account = ctx.clients.account_id().await?;
    Ok(format!(
        "arn:aws:appconfig:{}:{account}:{path}",
        ctx.clients.region
    ))
}

/// Brings an object's tags (with the provider's default tags) from `olds`
/// to `news`: removes the keys no longer wanted, then sets the rest.
pub(crate) async fn retag(ctx: &Context, arn: &str, olds: &Tags, news: &Tags) -> Result<()> {
    let olds = ctx.clients.tags_with(olds);
    let news = ctx.clients.tags_with(news);
    let removed = removed_keys(&olds, &news);
    if !removed.is_empty() {
        ctx.clients
            .appconfig
            .untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(removed))
            .send()
            .await
            .aws(Service::AppConfig, "UntagResource")?;
    }
    if !news.is_empty() {
        ctx.clients
            .appconfig
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(news.into_iter().collect()))
            .send()
            .await
            .aws(Service::AppConfig, "TagResource")?;
    }
    Ok(())
}

/// Checks an AppConfig object name: 1-64 characters (API reference,
/// CreateApplication / CreateEnvironment `Name`: "Length Constraints:
/// Minimum length of 1. Maximum length of 64.").
pub(crate) fn name_problem(name: &str) -> Option<String> {
    let length = name.chars().count();
    (!(1..=64).contains(&length)).then(|| format!("must be 1-64 characters, got {length}"))
}
