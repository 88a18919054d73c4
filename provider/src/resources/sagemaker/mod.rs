//! SageMaker objects: models, endpoint configurations, endpoints and
//! inference components.

pub mod endpoint;
pub mod endpoint_config;
pub mod ic_endpoint_config;
pub mod image;
pub mod inference_component;
pub mod instance_specs;
pub mod model;
pub mod model_data;
pub mod model_package_group;
mod status;
pub mod variant_rules;

use aws_sdk_sagemaker::types::Tag;

use super::{Tags, removed_keys};
use crate::Context;
use crate::aws::{ResultExt, Service};
use crate::naming::sagemaker_name_problem;
use framework::{Failures, ProviderError, Result};

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

/// The naming rule of objects SageMaker cannot change (models, endpoint
/// configurations): a name generated from a prefix and the content, or one
/// given, never both. `fields` are the wire names of the prefix and the
/// name. The prefix's own rules are the resource's to check.
fn check_naming(prefix: &str, name: Option<&str>, fields: [&str; 2], failures: &mut Failures) {
    let [prefix_field, name_field] = fields;
    match name {
        None if prefix.is_empty() => failures.push(
            prefix_field,
            format!("must be set, or else {name_field}: the object needs a name"),
        ),
        None => {}
        Some(_) if !prefix.is_empty() => failures.push(
            prefix_field,
            format!("must not be set with {name_field}: the name is given, not generated"),
        ),
        Some(name) => {
            if let Some(problem) = sagemaker_name_problem(name) {
                failures.push(name_field, problem);
            }
        }
    }
}

/// The tags of the SageMaker object `arn`, every page of them.
async fn live_tags(ctx: &Context, arn: &str) -> Result<Vec<(String, String)>> {
    let mut tags = Vec::new();
    let mut pages = ctx
        .clients
        .sagemaker
        .list_tags()
        .resource_arn(arn)
        .into_paginator()
        .items()
        .send();
    while let Some(tag) = pages.next().await {
        let tag = tag.aws(Service::SageMaker, "ListTags")?;
        tags.push((
            tag.key().unwrap_or_default().to_owned(),
            tag.value().unwrap_or_default().to_owned(),
        ));
    }
    Ok(tags)
}

/// The fields (wire names) whose values differ between two inputs of the
/// same type, in order.
fn changed_fields<T: serde::Serialize>(olds: &T, news: &T) -> Vec<String> {
    let (Ok(serde_json::Value::Object(olds)), Ok(serde_json::Value::Object(news))) =
        (serde_json::to_value(olds), serde_json::to_value(news))
    else {
        return Vec::new();
    };
    let mut fields: Vec<String> = olds
        .keys()
        .chain(news.keys())
        .filter(|field| olds.get(*field) != news.get(*field))
        .cloned()
        .collect();
    fields.sort();
    fields.dedup();
    fields
}
