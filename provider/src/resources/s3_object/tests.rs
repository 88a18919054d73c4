//! The object resource against mocked S3: what each operation sends, and
//! what it records.

use std::collections::HashMap;
use std::fs;

use aws_sdk_s3::Client;
use aws_sdk_s3::error::ErrorMetadata;
use aws_sdk_s3::operation::abort_multipart_upload::AbortMultipartUploadOutput;
use aws_sdk_s3::operation::complete_multipart_upload::CompleteMultipartUploadOutput;
use aws_sdk_s3::operation::create_multipart_upload::CreateMultipartUploadOutput;
use aws_sdk_s3::operation::delete_object::DeleteObjectOutput;
use aws_sdk_s3::operation::head_object::{HeadObjectError, HeadObjectOutput};
use aws_sdk_s3::operation::put_object::PutObjectOutput;
use aws_sdk_s3::operation::put_object_tagging::PutObjectTaggingOutput;
use aws_sdk_s3::operation::upload_part::{UploadPartError, UploadPartOutput};
use aws_smithy_mocks::{Rule, mock};

use super::source::Source;
use super::upload::{self, Limits, PutObject};
use super::*;
use crate::resources::mock::mock_context;

/// A directory with a model in it, and the inputs uploading it.
fn model_dir() -> (tempfile::TempDir, BucketObjectInputs) {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("code")).unwrap();
    fs::write(
        dir.path().join("code/inference.py"),
        "def model_fn(d): ...\n",
    )
    .unwrap();
    fs::write(dir.path().join("model.pth"), "weights v1").unwrap();
    let inputs = BucketObjectInputs {
        bucket: "artifacts".into(),
        key: "models/fraud/v1/model.tar.gz".into(),
        source: dir.path().to_str().unwrap().to_owned(),
        kms_key_arn: Some("arn:aws:kms:us-east-1:123456789012:key/k".into()),
        content_type: None,
        tags: [("team".to_owned(), "fraud".to_owned())].into(),
        source_hash: None,
    };
    (dir, inputs)
}

/// The inputs as check records them: with the source's hash.
fn checked(inputs: BucketObjectInputs) -> BucketObjectInputs {
    let hash = BucketObject.computed_inputs(&inputs);
    assert_eq!(hash.len(), 1);
    assert_eq!(hash[0].0, "sourceHash");
    BucketObjectInputs {
        source_hash: hash[0].1.as_str().map(str::to_owned),
        ..inputs
    }
}

fn not_found() -> HeadObjectError {
    HeadObjectError::generic(ErrorMetadata::builder().code("NotFound").build())
}

fn head(etag: &'static str, token: &'static str) -> Rule {
    mock!(Client::head_object).then_output(move || {
        HeadObjectOutput::builder()
            .e_tag(format!("\"{etag}\""))
            .content_length(42)
            .set_metadata(Some(HashMap::from([(
                "upload-token".to_owned(),
                token.to_owned(),
            )])))
            .build()
    })
}

fn put_answering(etag: &'static str) -> Rule {
    mock!(Client::put_object).then_output(move || {
        PutObjectOutput::builder()
            .e_tag(format!("\"{etag}\""))
            .version_id("v-1")
            .build()
    })
}

async fn created(inputs: &BucketObjectInputs) -> BucketObjectOutputs {
    let put = put_answering("etag-1");
    let ctx = mock_context::<BucketObject>(&[&put]).await;
    BucketObject.create(&ctx, inputs).await.unwrap().outputs
}

#[test]
fn check_names_the_property_and_the_rule() {
    let (_dir, inputs) = model_dir();
    assert!(BucketObject.check(&inputs).is_empty());
    let missing = BucketObjectInputs {
        source: "/no/such/model".into(),
        key: "/leading".into(),
        ..inputs
    };
    let failures: Vec<String> = BucketObject
        .check(&missing)
        .into_vec()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        failures,
        [
            "key: must be an object key: not empty, no leading `/`",
            "source: no file or directory at /no/such/model",
        ]
    );
    // No hash for what cannot be read; check has said why.
    assert!(BucketObject.computed_inputs(&missing).is_empty());
}

#[test]
fn the_hash_is_the_packed_content_s_and_follows_it() {
    let (dir, inputs) = model_dir();
    let first = checked(inputs.clone()).source_hash.unwrap();
    let packed = Source::open(&inputs.source).unwrap().prepare(None).unwrap();
    assert_eq!(first, packed.digest.sha256);
    assert_eq!(checked(inputs.clone()).source_hash.unwrap(), first);
    fs::write(dir.path().join("model.pth"), "weights v2, longer").unwrap();
    assert_ne!(checked(inputs).source_hash.unwrap(), first);
}

#[tokio::test]
async fn create_uploads_the_packed_directory_with_its_checksum_token_and_tags() {
    let (_dir, inputs) = model_dir();
    let inputs = checked(inputs);
    let sha256 = hex::decode(inputs.source_hash.as_ref().unwrap()).unwrap();
    let expected_checksum = aws_smithy_types::base64::encode(sha256);
    let put = mock!(Client::put_object)
        .match_requests(move |req| {
            req.bucket() == Some("artifacts")
                && req.key() == Some("models/fraud/v1/model.tar.gz")
                && req.content_type() == Some("application/gzip")
                && req.checksum_sha256() == Some(expected_checksum.as_str())
                && req.ssekms_key_id() == Some("arn:aws:kms:us-east-1:123456789012:key/k")
                && req.tagging() == Some("team=fraud")
                && req
                    .metadata()
                    .and_then(|m| m.get("upload-token"))
                    .is_some_and(|t| t.len() == 32)
        })
        .then_output(|| {
            PutObjectOutput::builder()
                .e_tag("\"etag-1\"")
                .version_id("v-1")
                .build()
        });
    let ctx = mock_context::<BucketObject>(&[&put]).await;
    let created = BucketObject.create(&ctx, &inputs).await.unwrap();
    assert_eq!(put.num_calls(), 1);
    assert_eq!(created.id, "artifacts/models/fraud/v1/model.tar.gz");
    let outputs = created.outputs;
    assert_eq!(
        outputs.s3_uri,
        "s3://artifacts/models/fraud/v1/model.tar.gz"
    );
    assert_eq!(outputs.etag, "etag-1");
    assert_eq!(outputs.version_id.as_deref(), Some("v-1"));
    assert_eq!(
        outputs.size,
        Source::open(&inputs.source).unwrap().digest().unwrap().size
    );
    assert_eq!(outputs.inputs, inputs);
}

#[tokio::test]
async fn content_changed_since_check_is_not_uploaded() {
    let (dir, inputs) = model_dir();
    let inputs = checked(inputs);
    fs::write(dir.path().join("model.pth"), "edited during the update").unwrap();
    let ctx = mock_context::<BucketObject>(&[]).await;
    let error = BucketObject
        .create(&ctx, &inputs)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("changed since it was checked"), "{error}");
}

#[tokio::test]
async fn update_uploads_again_only_when_the_content_changed() {
    let (dir, inputs) = model_dir();
    let olds = created(&checked(inputs.clone())).await;

    // A new path to the same bytes, and new tags: tags only.
    let moved = tempfile::tempdir().unwrap();
    for file in ["code/inference.py", "model.pth"] {
        fs::create_dir_all(moved.path().join("code")).unwrap();
        fs::copy(dir.path().join(file), moved.path().join(file)).unwrap();
    }
    let retagged = checked(BucketObjectInputs {
        source: moved.path().to_str().unwrap().to_owned(),
        tags: [("team".to_owned(), "risk".to_owned())].into(),
        ..inputs.clone()
    });
    assert_eq!(retagged.source_hash, olds.inputs.source_hash);
    let put = put_answering("etag-2");
    let tagging = mock!(Client::put_object_tagging)
        .match_requests(|req| {
            req.tagging()
                .is_some_and(|t| t.tag_set().len() == 1 && t.tag_set()[0].value() == "risk")
        })
        .then_output(|| PutObjectTaggingOutput::builder().version_id("v-1").build());
    let ctx = mock_context::<BucketObject>(&[&put, &tagging]).await;
    let outputs = BucketObject
        .update(&ctx, "id", &olds, &retagged)
        .await
        .unwrap();
    assert_eq!((put.num_calls(), tagging.num_calls()), (0, 1));
    assert_eq!(outputs.etag, olds.etag);
    assert_eq!(outputs.upload_token, olds.upload_token);
    assert_eq!(outputs.inputs, retagged);

    // New content: uploaded again, with a new token.
    fs::write(dir.path().join("model.pth"), "weights v2").unwrap();
    let changed = checked(inputs);
    let put = put_answering("etag-2");
    let ctx = mock_context::<BucketObject>(&[&put]).await;
    let outputs = BucketObject
        .update(&ctx, "id", &olds, &changed)
        .await
        .unwrap();
    assert_eq!(put.num_calls(), 1);
    assert_eq!(outputs.etag, "etag-2");
    assert_ne!(outputs.upload_token, olds.upload_token);
    assert_eq!(outputs.inputs.source_hash, changed.source_hash);
}

#[tokio::test]
async fn read_reports_gone_unchanged_or_overwritten() {
    let (_dir, inputs) = model_dir();
    let recorded = created(&checked(inputs)).await;

    let gone = mock!(Client::head_object).then_error(not_found);
    let ctx = mock_context::<BucketObject>(&[&gone]).await;
    let outcome = BucketObject.read(&ctx, "id", &recorded).await.unwrap();
    assert!(matches!(outcome, ReadOutcome::Gone));

    let same = head("etag-1", "any");
    let ctx = mock_context::<BucketObject>(&[&same]).await;
    match BucketObject.read(&ctx, "id", &recorded).await.unwrap() {
        ReadOutcome::Found {
            inputs, outputs, ..
        } => {
            assert_eq!(inputs, recorded.inputs);
            assert_eq!(outputs, recorded);
        }
        ReadOutcome::Gone => panic!("the object exists"),
    }

    // Overwritten behind Pulumi's back: the hash is no longer known, so
    // the next update uploads the source again.
    let other = head("someone-else", "any");
    let ctx = mock_context::<BucketObject>(&[&other]).await;
    match BucketObject.read(&ctx, "id", &recorded).await.unwrap() {
        ReadOutcome::Found {
            inputs, outputs, ..
        } => {
            assert_eq!(inputs.source_hash, None);
            assert_eq!(outputs.etag, "someone-else");
            assert_eq!(outputs.size, 42);
        }
        ReadOutcome::Gone => panic!("the object exists"),
    }
}

#[tokio::test]
async fn delete_removes_only_the_object_this_resource_uploaded() {
    let (_dir, inputs) = model_dir();
    let recorded = created(&checked(inputs)).await;
    let token: &'static str = Box::leak(recorded.upload_token.clone().into_boxed_str());

    let ours = head("etag-1", token);
    let delete = mock!(Client::delete_object)
        .match_requests(|req| {
            req.bucket() == Some("artifacts") && req.key() == Some("models/fraud/v1/model.tar.gz")
        })
        .then_output(|| DeleteObjectOutput::builder().build());
    let ctx = mock_context::<BucketObject>(&[&ours, &delete]).await;
    BucketObject.delete(&ctx, "id", &recorded).await.unwrap();
    assert_eq!(delete.num_calls(), 1);

    // Another upload (say, a renamed resource's) took the key over.
    let theirs = head("etag-9", "another-token");
    let delete = mock!(Client::delete_object).then_output(|| DeleteObjectOutput::builder().build());
    let ctx = mock_context::<BucketObject>(&[&theirs, &delete]).await;
    BucketObject.delete(&ctx, "id", &recorded).await.unwrap();
    assert_eq!(delete.num_calls(), 0);

    // Already gone: nothing to do.
    let gone = mock!(Client::head_object).then_error(not_found);
    let ctx = mock_context::<BucketObject>(&[&gone]).await;
    BucketObject.delete(&ctx, "id", &recorded).await.unwrap();
}

fn large_file(size: usize) -> (tempfile::TempDir, Source) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.tar.gz");
    fs::write(&path, vec![7u8; size]).unwrap();
    let source = Source::open(path.to_str().unwrap()).unwrap();
    (dir, source)
}

const SMALL_PARTS: Limits = Limits {
    multipart_threshold: 1000,
    part_size: 400,
    concurrency: 2,
};

fn object<'a>(tags: &'a Tags) -> PutObject<'a> {
    PutObject {
        bucket: "artifacts",
        key: "models/big/model.tar.gz",
        content_type: "application/gzip",
        kms_key_arn: None,
        tags,
        token: "token",
    }
}

#[tokio::test]
async fn a_large_file_goes_up_in_parts_read_from_disk() {
    let (_dir, source) = large_file(1000 + 1);
    let prepared = source.prepare(None).unwrap();
    let start = mock!(Client::create_multipart_upload)
        .match_requests(|req| req.metadata().and_then(|m| m.get("upload-token")).is_some())
        .then_output(|| {
            CreateMultipartUploadOutput::builder()
                .upload_id("u-1")
                .build()
        });
    let part = mock!(Client::upload_part)
        .match_requests(|req| req.upload_id() == Some("u-1"))
        .then_output(|| UploadPartOutput::builder().e_tag("\"p\"").build());
    let complete = mock!(Client::complete_multipart_upload)
        .match_requests(|req| {
            req.multipart_upload().is_some_and(|m| {
                m.parts()
                    .iter()
                    .map(|p| p.part_number())
                    .collect::<Vec<_>>()
                    == [Some(1), Some(2), Some(3)]
            })
        })
        .then_output(|| {
            CompleteMultipartUploadOutput::builder()
                .e_tag("\"whole-3\"")
                .build()
        });
    let ctx = mock_context::<BucketObject>(&[&start, &part, &complete]).await;
    let tags = Tags::new();
    let uploaded = upload::upload(&ctx, &object(&tags), &prepared, SMALL_PARTS)
        .await
        .unwrap();
    assert_eq!(part.num_calls(), 3);
    assert_eq!(complete.num_calls(), 1);
    assert_eq!(uploaded.etag, "whole-3");
}

#[tokio::test]
async fn a_failed_part_aborts_the_upload() {
    let (_dir, source) = large_file(1000 + 1);
    let prepared = source.prepare(None).unwrap();
    let start = mock!(Client::create_multipart_upload).then_output(|| {
        CreateMultipartUploadOutput::builder()
            .upload_id("u-1")
            .build()
    });
    let part = mock!(Client::upload_part).then_error(|| {
        UploadPartError::generic(ErrorMetadata::builder().code("InternalError").build())
    });
    let abort = mock!(Client::abort_multipart_upload)
        .match_requests(|req| req.upload_id() == Some("u-1"))
        .then_output(|| AbortMultipartUploadOutput::builder().build());
    let ctx = mock_context::<BucketObject>(&[&start, &part, &abort]).await;
    let tags = Tags::new();
    let error = upload::upload(&ctx, &object(&tags), &prepared, SMALL_PARTS)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("UploadPart"), "{error}");
    assert_eq!(abort.num_calls(), 1);
}

#[tokio::test]
async fn too_many_tags_with_the_defaults_fail_before_any_upload() {
    let (_dir, inputs) = model_dir();
    let inputs = checked(inputs);
    let defaults = (0..10).map(|i| (format!("k{i}"), "v".to_owned())).collect();
    let ctx = crate::resources::mock::mock_context_tagged::<BucketObject>(&[], defaults).await;
    let error = BucketObject
        .create(&ctx, &inputs)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("at most 10 tags"), "{error}");
}
