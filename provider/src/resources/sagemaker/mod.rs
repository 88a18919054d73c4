//! SageMaker objects: models, endpoint configurations and endpoints.

pub mod endpoint;
pub mod endpoint_config;
pub mod image;
pub mod model;
pub mod model_data;
pub mod model_package_group;
mod status;
pub mod variant_rules;

use aws_sdk_sagemaker::types::Tag;

use super::{Tags, removed_keys};
use crate::Context;
use crate::aws::{ResultExt, Service};
use framework::{ProviderError, Result};

/// Tags in SageMaker's shape.
fn sagemaker_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(key, value)| Tag::builder().key(key).value(value).build())
        .collect()
}

/// Brings the tags (with the provider's default tags) of the SageMaker
/// object `arn` from `olds` to `news`: DeleteTags for the keys no longer
/// wanted, AddTags for the rest. Models and endpoint configurations are
/// immutable except for their tags.
async fn retag(ctx: &Context, arn: &str, olds: &Tags, news: &Tags) -> Result<()> {
    if olds == news {
        return Ok(());
    }
    if arn.is_empty() {
        return Err(ProviderError::Internal(
            "cannot retag a SageMaker object whose ARN was not recorded".to_owned(),
        ));
    }
    let olds = ctx.clients.tags_with(olds);
    let news = ctx.clients.tags_with(news);
    let removed = removed_keys(&olds, &news);
    if !removed.is_empty() {
        ctx.clients
            .sagemaker
            .delete_tags()
            .resource_arn(arn)
            .set_tag_keys(Some(removed))
            .send()
            .await
            .aws(Service::SageMaker, "DeleteTags")?;
    }
    if !news.is_empty() {
        ctx.clients
            .sagemaker
            .add_tags()
            .resource_arn(arn)
            .set_tags(Some(sagemaker_tags(&news)))
            .send()
            .await
            .aws(Service::SageMaker, "AddTags")?;
    }
    Ok(())
}
