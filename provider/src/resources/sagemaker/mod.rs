//! SageMaker objects: models, endpoint configurations and endpoints.

pub mod endpoint;
pub mod endpoint_config;
pub mod model;
mod status;

use aws_sdk_sagemaker::types::Tag;

use super::Tags;

/// Tags in SageMaker's shape.
fn sagemaker_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(key, value)| Tag::builder().key(key).value(value).build())
        .collect()
}
