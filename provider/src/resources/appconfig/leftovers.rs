//! Objects under an application that the provider made but no state holds.
//!
//! A create that is interrupted (the CLI stopped, the provider killed)
//! after AppConfig made the object never hands its id to the engine: the
//! object exists, the state does not know it, and the next create of the
//! same resource makes another (AppConfig names need not be unique). The
//! engine deletes an application after everything the state holds under
//! it, so an environment or a configuration profile still there when the
//! application is deleted is such a leftover, or someone else's. Those
//! carrying the provider's creation token ([`TOKEN_TAG`](super::lost_creates::TOKEN_TAG)) are the
//! provider's: [`remove`] deletes them (a profile with the hosted versions
//! the provider labelled), so that the application can go. Objects without
//! the token are never touched: AppConfig's refusal then stands.

use super::arn;
use super::hosted_configuration_version::LABEL_PREFIX;
use super::lost_creates::token_on;
use crate::Context;
use crate::aws::{OrGone, ResultExt, Service};
use framework::Result;

/// What [`remove`] deleted: environment and configuration profile ids.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Removed {
    pub environments: Vec<String>,
    pub profiles: Vec<String>,
}

impl Removed {
    /// Whether nothing was deleted.
    pub fn is_empty(&self) -> bool {
        self.environments.is_empty() && self.profiles.is_empty()
    }
}

/// Whether the AppConfig object `arn` carries a creation token of the
/// provider (whatever its value: the create that made it is long gone).
async fn made_by_the_provider(ctx: &Context, arn: &str) -> Result<bool> {
    Ok(token_on(ctx, arn).await?.is_some())
}

/// Deletes the environments and configuration profiles of `application`
/// that carry the provider's creation token, with the hosted versions the
/// provider made under such a profile.
pub async fn remove(ctx: &Context, application: &str) -> Result<Removed> {
    let mut removed = Removed::default();
    for id in environments(ctx, application).await? {
        let object = arn(ctx, &format!("application/{application}/environment/{id}")).await?;
        if made_by_the_provider(ctx, &object).await? {
            ctx.clients
                .appconfig
                .delete_environment()
                .application_id(application)
                .environment_id(&id)
                .send()
                .await
                .aws(Service::AppConfig, "DeleteEnvironment")
                .or_gone()?;
            removed.environments.push(id);
        }
    }
    for id in profiles(ctx, application).await? {
        let object = arn(
            ctx,
            &format!("application/{application}/configurationprofile/{id}"),
        )
        .await?;
        if made_by_the_provider(ctx, &object).await? {
            for number in labelled_versions(ctx, application, &id).await? {
                ctx.clients
                    .appconfig
                    .delete_hosted_configuration_version()
                    .application_id(application)
                    .configuration_profile_id(&id)
                    .version_number(number)
                    .send()
                    .await
                    .aws(Service::AppConfig, "DeleteHostedConfigurationVersion")
                    .or_gone()?;
            }
            ctx.clients
                .appconfig
                .delete_configuration_profile()
                .application_id(application)
                .configuration_profile_id(&id)
                .send()
                .await
                .aws(Service::AppConfig, "DeleteConfigurationProfile")
                .or_gone()?;
            removed.profiles.push(id);
        }
    }
    Ok(removed)
}

/// The environment ids of `application`.
async fn environments(ctx: &Context, application: &str) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    let mut pages = ctx
        .clients
        .appconfig
        .list_environments()
        .application_id(application)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.aws(Service::AppConfig, "ListEnvironments")?;
        ids.extend(
            page.items()
                .iter()
                .filter_map(|e| e.id().map(str::to_owned)),
        );
    }
    Ok(ids)
}

/// The configuration profile ids of `application`.
async fn profiles(ctx: &Context, application: &str) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    let mut pages = ctx
        .clients
        .appconfig
        .list_configuration_profiles()
        .application_id(application)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.aws(Service::AppConfig, "ListConfigurationProfiles")?;
        ids.extend(
            page.items()
                .iter()
                .filter_map(|p| p.id().map(str::to_owned)),
        );
    }
    Ok(ids)
}

/// The numbers of the hosted versions of `profile` the provider made (its
/// label starts with [`LABEL_PREFIX`]).
async fn labelled_versions(ctx: &Context, application: &str, profile: &str) -> Result<Vec<i32>> {
    super::hosted_configuration_version::versions_labelled(ctx, application, profile, |label| {
        label.starts_with(LABEL_PREFIX)
    })
    .await
}
