//! `sagemaker-deployment:s3:BucketObject`: an S3 object uploaded from a local
//! file or directory, e.g. a model artifact.

mod source;
#[cfg(test)]
mod tests;
mod upload;

use async_trait::async_trait;
use aws_sdk_s3::types::{Tag, Tagging};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Tags;
use super::s3::bucket_name_problem;
use crate::Context;
use crate::aws::{OrGone, ResultExt, Service};
use framework::{Created, CustomResource, Failures, Output, ProviderError, ReadOutcome, Result};

pub use source::{Source, SourceError, SourceKind};
use upload::{Limits, PutObject, TOKEN_METADATA, unquoted, upload};

/// S3 allows at most this many tags on an object.
const MAX_OBJECT_TAGS: usize = 10;

/// An S3 object uploaded from a local file (as it is) or directory (packed
/// into a gzipped tar whose bytes depend on the content only), e.g. a
/// model artifact. The SHA-256 of those bytes is computed at check time
/// (`sourceHash`), so a preview shows changed content as an update, and
/// only changed content is uploaded again. Large files are streamed from
/// disk, in parts above 100 MiB (four on their way at a time, each read
/// from its place in the file). A change of bucket or key replaces the
/// object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BucketObjectInputs {
    /// Name of the bucket, e.g. BaseInfra's `modelArtifactBucketName`.
    pub bucket: Output<String>,
    /// Key of the object, e.g. `models/fraud/v1/model.tar.gz`.
    pub key: String,
    /// Local path of a file, uploaded as it is, or of a directory, packed
    /// into a gzipped tar (`model.tar.gz` for SageMaker). A relative path is
    /// resolved against the program's directory (where Pulumi runs the
    /// program and starts the provider).
    pub source: String,
    /// ARN of the KMS key to encrypt the object with (SSE-KMS); the
    /// bucket's default encryption when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<Output<String>>,
    /// Content type of the object; `application/gzip` for a packed
    /// directory and `application/octet-stream` for a file when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Tags on the object (S3 allows 10, the provider's default tags
    /// included).
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    /// SHA-256 (hex) of the bytes `source` uploads, computed at check time
    /// (any value given is replaced); a new value uploads the object again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_hash: Option<String>,
}

/// The object as uploaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BucketObjectOutputs {
    /// The inputs of the last upload (tags as last updated).
    #[serde(flatten)]
    pub inputs: BucketObjectInputs,
    /// `s3://<bucket>/<key>`, e.g. a SageMaker model's `modelDataUrl`.
    pub s3_uri: String,
    /// The object's entity tag, as S3 reports it (without quotes).
    pub etag: String,
    /// The object's version, in a versioned bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// Size of the object in bytes.
    pub size: u64,
    /// A random token stored with the object (`x-amz-meta-upload-token`):
    /// destroying this resource deletes the object only while it still
    /// carries it, never one a later upload put at the same key.
    pub upload_token: String,
}

/// The S3 object resource. (Not `Object`: the TypeScript SDK could not
/// declare it, TypeScript refuses a class named `Object`.)
pub struct BucketObject;

#[async_trait]
impl CustomResource for BucketObject {
    type Provider = crate::SageMakerDeployment;
    const TOKEN: &'static str = "sagemaker-deployment:s3:BucketObject";
    const UPDATABLE: &'static [&'static str] =
        &["source", "sourceHash", "kmsKeyArn", "contentType", "tags"];
    const VOLATILE_OUTPUTS: &'static [&'static str] = &["etag", "versionId", "size", "uploadToken"];
    /// The hash is of the source's bytes alone.
    const NOT_IN_COMPUTED_INPUTS: &'static [&'static str] = &[
        "bucket",
        "key",
        "kmsKeyArn",
        "contentType",
        "tags",
        "sourceHash",
    ];

    type Inputs = BucketObjectInputs;
    type Outputs = BucketObjectOutputs;

    fn computed_inputs(
        &self,
        inputs: &BucketObjectInputs,
    ) -> Vec<(&'static str, serde_json::Value)> {
        // An unreadable source leaves the hash out; check reports why.
        match Source::open(&inputs.source).and_then(|source| source.digest_remembered()) {
            Ok(digest) => vec![("sourceHash", serde_json::Value::String(digest.sha256))],
            Err(_) => Vec::new(),
        }
    }

    fn check(&self, inputs: &BucketObjectInputs) -> Failures {
        let mut failures = Failures::new();
        if let Some(problem) = inputs.bucket.get().and_then(|b| bucket_name_problem(b)) {
            failures.push("bucket", problem);
        }
        if let Some(problem) = key_problem(&inputs.key) {
            failures.push("key", problem);
        }
        if let Some(problem) = source_problem(&inputs.source) {
            failures.push("source", problem);
        }
        failures.require(
            inputs.content_type.as_ref().is_none_or(|t| !t.is_empty()),
            "contentType",
            "must not be empty",
        );
        failures.require(
            inputs.tags.len() <= MAX_OBJECT_TAGS,
            "tags",
            format!(
                "S3 allows at most {MAX_OBJECT_TAGS} tags on an object, got {}",
                inputs.tags.len()
            ),
        );
        failures
    }

    async fn create(
        &self,
        ctx: &Context,
        inputs: &BucketObjectInputs,
    ) -> Result<Created<BucketObjectOutputs>> {
        let outputs = put(ctx, inputs).await?;
        Ok(Created {
            id: format!("{}/{}", inputs.bucket.as_str(), inputs.key),
            outputs,
        })
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &BucketObjectOutputs,
    ) -> Result<ReadOutcome<BucketObjectInputs, BucketObjectOutputs>> {
        let Some(head) = ctx
            .clients
            .s3
            .head_object()
            .bucket(outputs.inputs.bucket.as_str())
            .key(&outputs.inputs.key)
            .send()
            .await
            .aws(Service::S3, "HeadObject")
            .or_gone()?
        else {
            return Ok(ReadOutcome::Gone);
        };
        let etag = unquoted(head.e_tag());
        if etag == outputs.etag {
            return Ok(ReadOutcome::Found {
                id: id.to_owned(),
                inputs: outputs.inputs.clone(),
                outputs: outputs.clone(),
            });
        }
        // Someone else wrote the key: its content is not known to be the
        // source's any more, so the hash goes, and the next update uploads
        // the source again.
        let inputs = BucketObjectInputs {
            source_hash: None,
            ..outputs.inputs.clone()
        };
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: BucketObjectOutputs {
                inputs: inputs.clone(),
                etag,
                version_id: head.version_id().map(str::to_owned),
                size: head.content_length().unwrap_or_default().max(0) as u64,
                ..outputs.clone()
            },
            inputs,
        })
    }

    async fn update(
        &self,
        ctx: &Context,
        _id: &str,
        olds: &BucketObjectOutputs,
        news: &BucketObjectInputs,
    ) -> Result<BucketObjectOutputs> {
        let old = &olds.inputs;
        let content_changed = news.source_hash.is_none()
            || news.source_hash != old.source_hash
            || news.kms_key_arn.as_ref().map(Output::get)
                != old.kms_key_arn.as_ref().map(Output::get)
            || news.content_type != old.content_type;
        if content_changed {
            return put(ctx, news).await;
        }
        if news.tags != old.tags {
            retag(ctx, news).await?;
        }
        // The same bytes from another path, or new tags: nothing to upload.
        Ok(BucketObjectOutputs {
            inputs: news.clone(),
            ..olds.clone()
        })
    }

    async fn delete(&self, ctx: &Context, _id: &str, outputs: &BucketObjectOutputs) -> Result<()> {
        let s3 = &ctx.clients.s3;
        let (bucket, key) = (outputs.inputs.bucket.as_str(), &outputs.inputs.key);
        let Some(head) = s3
            .head_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .aws(Service::S3, "HeadObject")
            .or_gone()?
        else {
            return Ok(());
        };
        let token = head.metadata().and_then(|m| m.get(TOKEN_METADATA));
        if token.map(String::as_str) != Some(outputs.upload_token.as_str()) {
            ctx.warn(format!(
                "s3://{bucket}/{key} was uploaded again by someone else since this resource wrote it; it is left in place"
            ))
            .await;
            return Ok(());
        }
        // In a versioned bucket this adds a delete marker: the bytes stay
        // as a noncurrent version until the bucket's own rules remove them.
        s3.delete_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .aws(Service::S3, "DeleteObject")
            .or_gone()?;
        Ok(())
    }
}

/// Why `key` cannot name an object, if it cannot.
pub fn key_problem(key: &str) -> Option<String> {
    if key.is_empty() || key.starts_with('/') {
        return Some("must be an object key: not empty, no leading `/`".to_owned());
    }
    if key.len() > 1024 {
        return Some(format!(
            "must be at most 1024 bytes long, got {}",
            key.len()
        ));
    }
    None
}

/// Why `source` cannot be uploaded, if it cannot: it must be a readable
/// file or directory (every file under it readable).
pub fn source_problem(source: &str) -> Option<String> {
    Source::open(source)
        .and_then(|source| source.digest_remembered())
        .err()
        .map(|error| error.to_string())
}

/// Uploads the source as `inputs` describe it; the outputs of the upload.
async fn put(ctx: &Context, inputs: &BucketObjectInputs) -> Result<BucketObjectOutputs> {
    let source = Source::open(&inputs.source)?;
    let prepared = source.prepare(inputs.source_hash.as_deref())?;
    let tags = object_tags(ctx, &inputs.tags)?;
    let token = new_token(&ctx.urn);
    let bucket = inputs.bucket.as_str();
    let uploaded = upload(
        ctx,
        &PutObject {
            bucket,
            key: &inputs.key,
            content_type: inputs
                .content_type
                .as_deref()
                .unwrap_or(source.default_content_type()),
            kms_key_arn: inputs.kms_key_arn.as_ref().map(Output::as_str),
            tags: &tags,
            token: &token,
        },
        &prepared,
        Limits::DEFAULT,
    )
    .await?;
    Ok(BucketObjectOutputs {
        inputs: BucketObjectInputs {
            source_hash: Some(prepared.digest.sha256.clone()),
            ..inputs.clone()
        },
        s3_uri: format!("s3://{bucket}/{}", inputs.key),
        etag: uploaded.etag,
        version_id: uploaded.version_id,
        size: prepared.digest.size,
        upload_token: token,
    })
}

/// The object's own tags with the provider's default tags.
fn object_tags(ctx: &Context, own: &Tags) -> Result<Tags> {
    let tags = ctx.clients.tags_with(own);
    if tags.len() > MAX_OBJECT_TAGS {
        return Err(ProviderError::failed(format!(
            "S3 allows at most {MAX_OBJECT_TAGS} tags on an object; with the provider's default tags this one would have {}",
            tags.len()
        )));
    }
    Ok(tags)
}

/// Replaces the object's tags (PutObjectTagging, or DeleteObjectTagging
/// when none are left).
async fn retag(ctx: &Context, inputs: &BucketObjectInputs) -> Result<()> {
    let s3 = &ctx.clients.s3;
    let tags = object_tags(ctx, &inputs.tags)?;
    let (bucket, key) = (inputs.bucket.as_str(), &inputs.key);
    if tags.is_empty() {
        s3.delete_object_tagging()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .aws(Service::S3, "DeleteObjectTagging")?;
        return Ok(());
    }
    let tag_set = tags
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| ProviderError::Internal(e.to_string()))?;
    s3.put_object_tagging()
        .bucket(bucket)
        .key(key)
        .tagging(
            Tagging::builder()
                .set_tag_set(Some(tag_set))
                .build()
                .map_err(|e| ProviderError::Internal(e.to_string()))?,
        )
        .send()
        .await
        .aws(Service::S3, "PutObjectTagging")?;
    Ok(())
}

/// A token no other upload gets: the resource, the time and a counter.
fn new_token(urn: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let seed = format!(
        "{urn}/{now}/{}/{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    hex::encode(&Sha256::digest(seed.as_bytes())[..16])
}
