//! `sagemaker-deployment:s3:Bucket`: a private, encrypted, TLS-only bucket.

use async_trait::async_trait;
use aws_sdk_s3::types::{
    BucketLocationConstraint, BucketVersioningStatus, CreateBucketConfiguration,
    PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule, Tag, Tagging,
    VersioningConfiguration,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Tags;
use crate::aws::ResultExt;
use crate::error::{ProviderError, Result};
use crate::framework::{Context, Created, CustomResource, Failures, ReadOutcome};

/// An S3 bucket with public access blocked, SSE-KMS encryption by default,
/// optional versioning and a bucket policy that denies non-TLS requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BucketInputs {
    /// The globally unique bucket name (3-63 lowercase letters, digits, `-`, `.`).
    pub bucket_name: String,
    /// ARN of the KMS key for default encryption; S3-managed keys when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<String>,
    /// Whether object versioning is on.
    #[serde(default)]
    pub versioning: bool,
    /// Whether the bucket policy denies requests not made over TLS.
    #[serde(default = "default_true")]
    pub enforce_tls: bool,
    /// Delete every object (and version) when the bucket is destroyed.
    #[serde(default)]
    pub force_destroy: bool,
    /// Keep the bucket in AWS when it is destroyed (it leaves the stack only).
    #[serde(default)]
    pub keep_on_destroy: bool,
    /// Tags on the bucket.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

fn default_true() -> bool {
    true
}

/// The bucket as created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BucketOutputs {
    #[serde(flatten)]
    pub inputs: BucketInputs,
    /// The bucket ARN.
    pub arn: String,
    /// The region the bucket lives in.
    pub region: String,
}

/// The S3 bucket resource.
pub struct Bucket;

#[async_trait]
impl CustomResource for Bucket {
    const TOKEN: &'static str = "sagemaker-deployment:s3:Bucket";
    const UPDATABLE: &'static [&'static str] = &[
        "kmsKeyArn",
        "versioning",
        "enforceTls",
        "forceDestroy",
        "keepOnDestroy",
        "tags",
    ];
    const DELETE_BEFORE_REPLACE: bool = true;

    type Inputs = BucketInputs;
    type Outputs = BucketOutputs;

    fn check(&self, inputs: &BucketInputs) -> Failures {
        let mut failures = Failures::new();
        if let Some(problem) = bucket_name_problem(&inputs.bucket_name) {
            failures.push("bucketName", problem);
        }
        failures
    }

    async fn create(&self, ctx: &Context, inputs: &BucketInputs) -> Result<Created<BucketOutputs>> {
        let s3 = &ctx.aws.s3;
        let mut request = s3.create_bucket().bucket(&inputs.bucket_name);
        if ctx.aws.region != "us-east-1" {
            request = request.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(ctx.aws.region.as_str()))
                    .build(),
            );
        }
        request.send().await.aws("s3", "CreateBucket")?;
        let outputs = BucketOutputs {
            inputs: inputs.clone(),
            arn: format!("arn:aws:s3:::{}", inputs.bucket_name),
            region: ctx.aws.region.clone(),
        };
        if let Err(error) = configure(ctx, None, inputs).await {
            return Err(ProviderError::PartialFailure {
                id: inputs.bucket_name.clone(),
                outputs: Box::new(crate::framework::encode_typed(&outputs)?),
                inputs: Box::new(crate::framework::encode_typed(inputs)?),
                reason: format!(
                    "bucket {} was created but not fully configured: {error}",
                    inputs.bucket_name
                ),
            });
        }
        Ok(Created {
            id: inputs.bucket_name.clone(),
            outputs,
        })
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        outputs: &BucketOutputs,
    ) -> Result<ReadOutcome<BucketInputs, BucketOutputs>> {
        let s3 = &ctx.aws.s3;
        match s3
            .head_bucket()
            .bucket(id)
            .send()
            .await
            .aws("s3", "HeadBucket")
        {
            Ok(_) => {}
            Err(error) if error.is_not_found() => return Ok(ReadOutcome::Gone),
            Err(error) => return Err(error.into()),
        }
        let versioning = s3
            .get_bucket_versioning()
            .bucket(id)
            .send()
            .await
            .aws("s3", "GetBucketVersioning")?
            .status()
            == Some(&BucketVersioningStatus::Enabled);
        let kms_key_arn = match s3
            .get_bucket_encryption()
            .bucket(id)
            .send()
            .await
            .aws("s3", "GetBucketEncryption")
        {
            Ok(found) => found
                .server_side_encryption_configuration()
                .and_then(|c| c.rules().first())
                .and_then(|r| r.apply_server_side_encryption_by_default())
                .and_then(|d| d.kms_master_key_id())
                .map(str::to_owned),
            Err(_) => None,
        };
        let enforce_tls = match s3
            .get_bucket_policy()
            .bucket(id)
            .send()
            .await
            .aws("s3", "GetBucketPolicy")
        {
            Ok(found) => found
                .policy()
                .is_some_and(|p| p.contains("aws:SecureTransport")),
            Err(_) => false,
        };
        let inputs = BucketInputs {
            bucket_name: id.to_owned(),
            kms_key_arn,
            versioning,
            enforce_tls,
            ..outputs.inputs.clone()
        };
        Ok(ReadOutcome::Found {
            id: id.to_owned(),
            outputs: BucketOutputs {
                inputs: inputs.clone(),
                ..outputs.clone()
            },
            inputs,
        })
    }

    async fn update(
        &self,
        ctx: &Context,
        _id: &str,
        olds: &BucketOutputs,
        news: &BucketInputs,
    ) -> Result<BucketOutputs> {
        configure(ctx, Some(&olds.inputs), news).await?;
        Ok(BucketOutputs {
            inputs: news.clone(),
            ..olds.clone()
        })
    }

    async fn delete(&self, ctx: &Context, id: &str, outputs: &BucketOutputs) -> Result<()> {
        if outputs.inputs.keep_on_destroy {
            ctx.warn(format!(
                "bucket {id} is kept in AWS (keepOnDestroy); set forceDestroy on the component to delete it"
            ))
            .await;
            return Ok(());
        }
        let s3 = &ctx.aws.s3;
        if outputs.inputs.force_destroy {
            // The TLS-only policy must not stand in the way of emptying.
            let _ = s3.delete_bucket_policy().bucket(id).send().await;
            empty_bucket(ctx, id).await?;
        }
        match s3
            .delete_bucket()
            .bucket(id)
            .send()
            .await
            .aws("s3", "DeleteBucket")
        {
            Ok(_) => Ok(()),
            Err(error) if error.is_not_found() => Ok(()),
            Err(error) if error.code.as_deref() == Some("BucketNotEmpty") => {
                Err(ProviderError::failed(format!(
                    "bucket {id} is not empty; set forceDestroy to delete its objects with it, or empty it first"
                )))
            }
            Err(error) => Err(error.into()),
        }
    }
}

/// Applies the settings that differ between `olds` and `news`.
async fn configure(ctx: &Context, olds: Option<&BucketInputs>, news: &BucketInputs) -> Result<()> {
    let s3 = &ctx.aws.s3;
    let bucket = news.bucket_name.as_str();
    if olds.is_none() {
        s3.put_public_access_block()
            .bucket(bucket)
            .public_access_block_configuration(
                PublicAccessBlockConfiguration::builder()
                    .block_public_acls(true)
                    .block_public_policy(true)
                    .ignore_public_acls(true)
                    .restrict_public_buckets(true)
                    .build(),
            )
            .send()
            .await
            .aws("s3", "PutPublicAccessBlock")?;
    }
    if olds.is_none_or(|o| o.kms_key_arn != news.kms_key_arn) {
        let default = match &news.kms_key_arn {
            Some(key) => ServerSideEncryptionByDefault::builder()
                .sse_algorithm(ServerSideEncryption::AwsKms)
                .kms_master_key_id(key),
            None => {
                ServerSideEncryptionByDefault::builder().sse_algorithm(ServerSideEncryption::Aes256)
            }
        }
        .build()
        .map_err(|e| ProviderError::Internal(e.to_string()))?;
        s3.put_bucket_encryption()
            .bucket(bucket)
            .server_side_encryption_configuration(
                ServerSideEncryptionConfiguration::builder()
                    .rules(
                        ServerSideEncryptionRule::builder()
                            .apply_server_side_encryption_by_default(default)
                            .bucket_key_enabled(news.kms_key_arn.is_some())
                            .build(),
                    )
                    .build()
                    .map_err(|e| ProviderError::Internal(e.to_string()))?,
            )
            .send()
            .await
            .aws("s3", "PutBucketEncryption")?;
    }
    if olds.map_or(news.versioning, |o| o.versioning != news.versioning) {
        let status = if news.versioning {
            BucketVersioningStatus::Enabled
        } else {
            BucketVersioningStatus::Suspended
        };
        s3.put_bucket_versioning()
            .bucket(bucket)
            .versioning_configuration(VersioningConfiguration::builder().status(status).build())
            .send()
            .await
            .aws("s3", "PutBucketVersioning")?;
    }
    if olds.map_or(news.enforce_tls, |o| o.enforce_tls != news.enforce_tls) {
        if news.enforce_tls {
            s3.put_bucket_policy()
                .bucket(bucket)
                .policy(tls_only_policy(bucket))
                .send()
                .await
                .aws("s3", "PutBucketPolicy")?;
        } else {
            s3.delete_bucket_policy()
                .bucket(bucket)
                .send()
                .await
                .aws("s3", "DeleteBucketPolicy")?;
        }
    }
    let tags = ctx.aws.tags_with(&news.tags);
    if olds.map_or(!tags.is_empty(), |o| o.tags != news.tags) {
        let tag_set: Vec<Tag> = tags
            .iter()
            .filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok())
            .collect();
        if tag_set.is_empty() {
            s3.delete_bucket_tagging()
                .bucket(bucket)
                .send()
                .await
                .aws("s3", "DeleteBucketTagging")?;
        } else {
            s3.put_bucket_tagging()
                .bucket(bucket)
                .tagging(
                    Tagging::builder()
                        .set_tag_set(Some(tag_set))
                        .build()
                        .map_err(|e| ProviderError::Internal(e.to_string()))?,
                )
                .send()
                .await
                .aws("s3", "PutBucketTagging")?;
        }
    }
    Ok(())
}

/// Deletes every object version and delete marker in the bucket.
async fn empty_bucket(ctx: &Context, bucket: &str) -> Result<()> {
    let s3 = &ctx.aws.s3;
    loop {
        let listed = match s3
            .list_object_versions()
            .bucket(bucket)
            .send()
            .await
            .aws("s3", "ListObjectVersions")
        {
            Ok(listed) => listed,
            Err(error) if error.is_not_found() => return Ok(()),
            Err(error) => return Err(error.into()),
        };
        let mut objects = Vec::new();
        for version in listed.versions() {
            objects.push((
                version.key().unwrap_or_default().to_owned(),
                version.version_id().map(str::to_owned),
            ));
        }
        for marker in listed.delete_markers() {
            objects.push((
                marker.key().unwrap_or_default().to_owned(),
                marker.version_id().map(str::to_owned),
            ));
        }
        if objects.is_empty() {
            return Ok(());
        }
        for (key, version) in objects {
            s3.delete_object()
                .bucket(bucket)
                .key(key)
                .set_version_id(version)
                .send()
                .await
                .aws("s3", "DeleteObject")?;
        }
    }
}

/// A bucket policy that denies every request not made over TLS.
pub fn tls_only_policy(bucket: &str) -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
            "Condition": { "Bool": { "aws:SecureTransport": "false" } }
        }]
    })
    .to_string()
}

/// Why a bucket name breaks S3's naming rules, if it does.
pub fn bucket_name_problem(name: &str) -> Option<String> {
    if !(3..=63).contains(&name.len()) {
        return Some(format!(
            "must be 3 to 63 characters long, got {}",
            name.len()
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
    {
        return Some("may contain only lowercase letters, digits, `-` and `.`".to_owned());
    }
    let first = name.chars().next().unwrap_or('-');
    let last = name.chars().last().unwrap_or('-');
    if !first.is_ascii_alphanumeric() || !last.is_ascii_alphanumeric() {
        return Some("must begin and end with a letter or digit".to_owned());
    }
    if name.contains("..") {
        return Some("must not contain two adjacent periods".to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names_follow_s3_rules() {
        assert_eq!(
            bucket_name_problem("fraud-dev-model-artifacts-1a2b3c"),
            None
        );
        assert!(bucket_name_problem("Upper").is_some());
        assert!(bucket_name_problem("ab").is_some());
        assert!(bucket_name_problem("-leading").is_some());
        assert!(bucket_name_problem(&"a".repeat(64)).is_some());
    }

    #[test]
    fn the_tls_policy_denies_insecure_transport_on_bucket_and_objects() {
        let policy: serde_json::Value = serde_json::from_str(&tls_only_policy("b")).unwrap();
        let statement = &policy["Statement"][0];
        assert_eq!(statement["Effect"], "Deny");
        assert_eq!(
            statement["Condition"]["Bool"]["aws:SecureTransport"],
            "false"
        );
        assert_eq!(statement["Resource"][1], "arn:aws:s3:::b/*");
    }
}
