//! Before a model is created: is its artifact where its `modelDataUrl`
//! says? SageMaker accepts a model whose data is missing and only fails
//! when an endpoint tries to download it, many minutes later; one
//! HeadObject says it at once.

use crate::Context;
use crate::aws::{ResultExt, Service};

/// A model's artifact is not in S3.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "model data {url} does not exist, so an endpoint serving this model would fail to download it. \
     Upload the artifact there (e.g. `aws s3 cp model.tar.gz {url}`), or give the SageMakerModel \
     component a local path for this model in `localArtifacts` to have it uploaded"
)]
pub struct MissingModelData {
    /// The model's `modelDataUrl`.
    pub url: String,
}

impl From<MissingModelData> for framework::ProviderError {
    fn from(error: MissingModelData) -> Self {
        framework::ProviderError::failed(error.to_string())
    }
}

/// Bucket and key of an `s3://bucket/key` URL.
pub fn parse_s3_url(url: &str) -> Option<(&str, &str)> {
    let (bucket, key) = url.strip_prefix("s3://")?.split_once('/')?;
    (!bucket.is_empty() && !key.is_empty()).then_some((bucket, key))
}

/// Fails when the object at `url` does not exist. Anything that leaves
/// the question open (no permission to look, S3 unavailable) is a warning:
/// the provider's credentials may lack `s3:GetObject` where the execution
/// role has it.
pub async fn ensure_exists(ctx: &Context, url: &str) -> Result<(), MissingModelData> {
    let Some((bucket, key)) = parse_s3_url(url) else {
        return Ok(());
    };
    match ctx
        .clients
        .s3
        .head_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .aws(Service::S3, "HeadObject")
    {
        Ok(_) => Ok(()),
        Err(error) if error.is_not_found() => Err(MissingModelData {
            url: url.to_owned(),
        }),
        Err(error) => {
            ctx.warn(format!(
                "could not check that the model data {url} exists ({error}); creating the model anyway"
            ))
            .await;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_urls_split_into_bucket_and_key() {
        assert_eq!(
            parse_s3_url("s3://artifacts/models/a/model.tar.gz"),
            Some(("artifacts", "models/a/model.tar.gz"))
        );
        assert_eq!(parse_s3_url("s3://artifacts/"), None);
        assert_eq!(parse_s3_url("https://example.com/x"), None);
    }

    #[test]
    fn the_message_names_the_url_and_both_fixes() {
        let message = MissingModelData {
            url: "s3://b/models/m/model.tar.gz".into(),
        }
        .to_string();
        assert!(message.contains("s3://b/models/m/model.tar.gz does not exist"));
        assert!(message.contains("aws s3 cp"));
        assert!(message.contains("localArtifacts"));
    }
}
