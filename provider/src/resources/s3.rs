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
use crate::Context;
use crate::aws::lost_answers::{RequestClock, create_or_find, system_time};
use crate::aws::{OrGone, ResultExt, Service};
use framework::Output;
use framework::{Created, CustomResource, Failures, ReadOutcome};
use framework::{ProviderError, Result};

/// An S3 bucket with public access blocked, SSE-KMS encryption by default,
/// optional versioning and a bucket policy that denies non-TLS requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BucketInputs {
    /// The globally unique bucket name (3-63 lowercase letters, digits, `-`, `.`).
    pub bucket_name: String,
    /// ARN of the KMS key for default encryption; S3-managed keys when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<Output<String>>,
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
    /// The bucket's settings.
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
    type Provider = crate::SageMakerDeployment;
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
        let s3 = &ctx.clients.s3;
        let mut request = s3.create_bucket().bucket(&inputs.bucket_name);
        if ctx.clients.region != "us-east-1" {
            request = request.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(
                        ctx.clients.region.as_str(),
                    ))
                    .build(),
            );
        }
        let clock = RequestClock::start();
        let created = request
            .send()
            .await
            .aws(Service::S3, "CreateBucket")
            .map(|_| ());
        let created = create_or_find(clock, created, || async {
            let buckets = s3
                .list_buckets()
                .send()
                .await
                .aws(Service::S3, "ListBuckets")?;
            Ok(buckets
                .buckets()
                .iter()
                .find(|bucket| bucket.name() == Some(inputs.bucket_name.as_str()))
                .map(|bucket| ((), system_time(bucket.creation_date()))))
        })
        .await;
        match created {
            Ok(()) => {}
            // A bucket kept by an earlier destroy (keepOnDestroy) has this
            // name in this account: take it over and configure it as asked.
            Err(error)
                if inputs.keep_on_destroy
                    && error.code.as_deref() == Some("BucketAlreadyOwnedByYou") =>
            {
                ctx.info(format!(
                    "adopting bucket {}, kept by an earlier destroy",
                    inputs.bucket_name
                ))
                .await;
            }
            Err(error) => return Err(error.into()),
        }
        let outputs = BucketOutputs {
            inputs: inputs.clone(),
            arn: format!("arn:aws:s3:::{}", inputs.bucket_name),
            region: ctx.clients.region.clone(),
        };
        if let Err(error) = configure(ctx, None, inputs).await {
            return Err(ProviderError::PartialFailure {
                id: inputs.bucket_name.clone(),
                outputs: Box::new(framework::encode_plain(&outputs)?),
                inputs: Box::new(framework::encode_plain(inputs)?),
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
        let s3 = &ctx.clients.s3;
        let exists = s3
            .head_bucket()
            .bucket(id)
            .send()
            .await
            .aws(Service::S3, "HeadBucket")
            .or_gone()?;
        if exists.is_none() {
            return Ok(ReadOutcome::Gone);
        }
        let versioning = s3
            .get_bucket_versioning()
            .bucket(id)
            .send()
            .await
            .aws(Service::S3, "GetBucketVersioning")?
            .status()
            == Some(&BucketVersioningStatus::Enabled);
        // "No encryption configuration" and "no policy" read as absent;
        // any other error (access denied, throttling) fails the read
        // rather than report drift that is not there.
        let kms_key_arn = s3
            .get_bucket_encryption()
            .bucket(id)
            .send()
            .await
            .aws(Service::S3, "GetBucketEncryption")
            .or_gone()?
            .and_then(|found| {
                found
                    .server_side_encryption_configuration()
                    .and_then(|c| c.rules().first())
                    .and_then(|r| r.apply_server_side_encryption_by_default())
                    .and_then(|d| d.kms_master_key_id())
                    .map(str::to_owned)
            });
        let enforce_tls = s3
            .get_bucket_policy()
            .bucket(id)
            .send()
            .await
            .aws(Service::S3, "GetBucketPolicy")
            .or_gone()?
            .is_some_and(|found| {
                found
                    .policy()
                    .is_some_and(|p| p.contains("aws:SecureTransport"))
            });
        let inputs = BucketInputs {
            bucket_name: id.to_owned(),
            kms_key_arn: kms_key_arn.map(Output::new),
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

    /// Rebuilds the bucket from S3: encryption, versioning, the TLS-only
    /// policy and the tags (the provider's default tags left out).
    /// `forceDestroy` and `keepOnDestroy` say what a destroy does, which S3
    /// does not keep: they are off.
    async fn import(
        &self,
        ctx: &Context,
        id: &str,
    ) -> Result<ReadOutcome<BucketInputs, BucketOutputs>> {
        let s3 = &ctx.clients.s3;
        let Some(head) = s3
            .head_bucket()
            .bucket(id)
            .send()
            .await
            .aws(Service::S3, "HeadBucket")
            .or_gone()?
        else {
            return Ok(ReadOutcome::Gone);
        };
        // A bucket without tags answers NoSuchTagSet.
        let tags = match s3
            .get_bucket_tagging()
            .bucket(id)
            .send()
            .await
            .aws(Service::S3, "GetBucketTagging")
        {
            Ok(found) => found
                .tag_set()
                .iter()
                .map(|t| (t.key().to_owned(), t.value().to_owned()))
                .collect(),
            Err(error) if error.code.as_deref() == Some("NoSuchTagSet") => Vec::new(),
            Err(error) => return Err(error.into()),
        };
        let recorded = BucketOutputs {
            inputs: BucketInputs {
                bucket_name: id.to_owned(),
                kms_key_arn: None,
                versioning: false,
                enforce_tls: false,
                force_destroy: false,
                keep_on_destroy: false,
                tags: ctx.clients.own_tags(tags),
            },
            arn: format!("arn:aws:s3:::{id}"),
            region: head
                .bucket_region()
                .unwrap_or(&ctx.clients.region)
                .to_owned(),
        };
        self.read(ctx, id, &recorded).await
    }

    async fn update(
        &self,
        ctx: &Context,
        _id: &str,
        olds: &BucketOutputs,
        news: &BucketInputs,
    ) -> Result<BucketOutputs> {
        // With nothing changed, the engine is resuming a create that failed
        // half-way (the state records its init error, and the engine sends
        // an update with the same inputs "to attempt to continue awaiting
        // initialization"): which settings were applied is unknown, so all
        // of them are applied again.
        let resumed = olds.inputs == *news;
        configure(ctx, (!resumed).then_some(&olds.inputs), news).await?;
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
        let s3 = &ctx.clients.s3;
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
            .aws(Service::S3, "DeleteBucket")
            .or_gone()
        {
            Ok(_) => Ok(()),
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
    let s3 = &ctx.clients.s3;
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
            .aws(Service::S3, "PutPublicAccessBlock")?;
    }
    if olds.is_none_or(|o| o.kms_key_arn != news.kms_key_arn) {
        let default = match &news.kms_key_arn {
            Some(key) => ServerSideEncryptionByDefault::builder()
                .sse_algorithm(ServerSideEncryption::AwsKms)
                .kms_master_key_id(key.as_str()),
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
            .aws(Service::S3, "PutBucketEncryption")?;
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
            .aws(Service::S3, "PutBucketVersioning")?;
    }
    if olds.map_or(news.enforce_tls, |o| o.enforce_tls != news.enforce_tls) {
        if news.enforce_tls {
            s3.put_bucket_policy()
                .bucket(bucket)
                .policy(tls_only_policy(bucket))
                .send()
                .await
                .aws(Service::S3, "PutBucketPolicy")?;
        } else {
            s3.delete_bucket_policy()
                .bucket(bucket)
                .send()
                .await
                .aws(Service::S3, "DeleteBucketPolicy")?;
        }
    }
    let tags = ctx.clients.tags_with(&news.tags);
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
                .aws(Service::S3, "DeleteBucketTagging")?;
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
                .aws(Service::S3, "PutBucketTagging")?;
        }
    }
    Ok(())
}

/// Deletes every object version and delete marker in the bucket.
async fn empty_bucket(ctx: &Context, bucket: &str) -> Result<()> {
    let s3 = &ctx.clients.s3;
    loop {
        let Some(listed) = s3
            .list_object_versions()
            .bucket(bucket)
            .send()
            .await
            .aws(Service::S3, "ListObjectVersions")
            .or_gone()?
        else {
            return Ok(());
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
                .aws(Service::S3, "DeleteObject")?;
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
    use aws_sdk_s3::Client;
    use aws_sdk_s3::error::ErrorMetadata;
    use aws_sdk_s3::operation::get_bucket_encryption::GetBucketEncryptionError;
    use aws_sdk_s3::operation::get_bucket_policy::{GetBucketPolicyError, GetBucketPolicyOutput};
    use aws_sdk_s3::operation::get_bucket_versioning::GetBucketVersioningOutput;
    use aws_sdk_s3::operation::head_bucket::{HeadBucketError, HeadBucketOutput};
    use aws_smithy_mocks::{Rule, mock};

    use super::*;
    use crate::resources::mock::mock_context;

    fn error(code: &str) -> ErrorMetadata {
        ErrorMetadata::builder()
            .code(code)
            .message(format!("{code} says S3"))
            .build()
    }

    #[tokio::test]
    async fn an_update_with_nothing_changed_applies_every_setting_again() {
        let rules = [
            mock!(Client::put_public_access_block).then_output(|| {
                aws_sdk_s3::operation::put_public_access_block::PutPublicAccessBlockOutput::builder(
                )
                .build()
            }),
            mock!(Client::put_bucket_encryption).then_output(|| {
                aws_sdk_s3::operation::put_bucket_encryption::PutBucketEncryptionOutput::builder()
                    .build()
            }),
            mock!(Client::put_bucket_versioning).then_output(|| {
                aws_sdk_s3::operation::put_bucket_versioning::PutBucketVersioningOutput::builder()
                    .build()
            }),
            mock!(Client::put_bucket_policy).then_output(|| {
                aws_sdk_s3::operation::put_bucket_policy::PutBucketPolicyOutput::builder().build()
            }),
        ];
        let ctx = mock_context::<Bucket>(&rules.iter().collect::<Vec<_>>()).await;
        // A create that failed after CreateBucket recorded the bucket with
        // the inputs asked; the next `up` sends them unchanged.
        let recorded = recorded();
        Bucket
            .update(&ctx, "fraud-artifacts", &recorded, &recorded.inputs)
            .await
            .unwrap();
        let calls: Vec<usize> = rules.iter().map(Rule::num_calls).collect();
        assert_eq!(calls, [1, 1, 1, 1]);
    }

    fn recorded() -> BucketOutputs {
        BucketOutputs {
            inputs: BucketInputs {
                bucket_name: "fraud-artifacts".into(),
                kms_key_arn: Some("arn:aws:kms:us-east-1:1:key/k".into()),
                versioning: true,
                enforce_tls: true,
                force_destroy: false,
                keep_on_destroy: false,
                tags: Tags::new(),
            },
            arn: "arn:aws:s3:::fraud-artifacts".into(),
            region: "us-east-1".into(),
        }
    }

    fn exists() -> Rule {
        mock!(Client::head_bucket).then_output(|| HeadBucketOutput::builder().build())
    }

    fn versioned() -> Rule {
        mock!(Client::get_bucket_versioning).then_output(|| {
            GetBucketVersioningOutput::builder()
                .status(BucketVersioningStatus::Enabled)
                .build()
        })
    }

    #[tokio::test]
    async fn no_encryption_configuration_and_no_policy_read_as_absent() {
        let (head, versioning) = (exists(), versioned());
        let encryption = mock!(Client::get_bucket_encryption).then_error(|| {
            GetBucketEncryptionError::generic(error(
                "ServerSideEncryptionConfigurationNotFoundError",
            ))
        });
        let policy = mock!(Client::get_bucket_policy)
            .then_error(|| GetBucketPolicyError::generic(error("NoSuchBucketPolicy")));
        let ctx = mock_context::<Bucket>(&[&head, &versioning, &encryption, &policy]).await;
        match Bucket
            .read(&ctx, "fraud-artifacts", &recorded())
            .await
            .unwrap()
        {
            ReadOutcome::Found { inputs, .. } => {
                assert_eq!(inputs.kms_key_arn, None);
                assert!(!inputs.enforce_tls);
                assert!(inputs.versioning);
            }
            ReadOutcome::Gone => panic!("the bucket exists"),
        }
    }

    #[tokio::test]
    async fn a_denied_or_throttled_setting_read_fails_instead_of_reporting_drift() {
        for code in ["AccessDenied", "SlowDown"] {
            let (head, versioning) = (exists(), versioned());
            let encryption = mock!(Client::get_bucket_encryption)
                .then_error(move || GetBucketEncryptionError::generic(error(code)));
            let policy = mock!(Client::get_bucket_policy).then_output(|| {
                GetBucketPolicyOutput::builder()
                    .policy(tls_only_policy("fraud-artifacts"))
                    .build()
            });
            let ctx = mock_context::<Bucket>(&[&head, &versioning, &encryption, &policy]).await;
            let failure = Bucket
                .read(&ctx, "fraud-artifacts", &recorded())
                .await
                .unwrap_err()
                .to_string();
            assert!(failure.contains(code), "{failure}");
        }
        let (head, versioning) = (exists(), versioned());
        let encryption = mock!(Client::get_bucket_encryption).then_error(|| {
            GetBucketEncryptionError::generic(error(
                "ServerSideEncryptionConfigurationNotFoundError",
            ))
        });
        let policy = mock!(Client::get_bucket_policy)
            .then_error(|| GetBucketPolicyError::generic(error("AccessDenied")));
        let ctx = mock_context::<Bucket>(&[&head, &versioning, &encryption, &policy]).await;
        let failure = Bucket
            .read(&ctx, "fraud-artifacts", &recorded())
            .await
            .unwrap_err()
            .to_string();
        assert!(failure.contains("GetBucketPolicy"), "{failure}");
    }

    #[tokio::test]
    async fn a_missing_bucket_reads_as_gone() {
        let head =
            mock!(Client::head_bucket).then_error(|| HeadBucketError::generic(error("NotFound")));
        let ctx = mock_context::<Bucket>(&[&head]).await;
        let outcome = Bucket
            .read(&ctx, "fraud-artifacts", &recorded())
            .await
            .unwrap();
        assert!(matches!(outcome, ReadOutcome::Gone));
    }

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
