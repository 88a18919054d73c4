//! Sending prepared bytes to S3, streamed from disk: one PutObject up to
//! [`Limits::multipart_threshold`], a multipart upload above it (up to
//! [`Limits::concurrency`] parts on their way at once, each streamed from
//! its offset in the file, so memory does not grow with the part size; an
//! upload that fails or is cancelled part-way is aborted, so no unfinished
//! upload is left behind).

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};

use futures::{StreamExt, TryStreamExt};

use aws_sdk_s3::primitives::{ByteStream, Length};
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart, ServerSideEncryption};
use framework::{ProviderError, Result};

use super::source::Prepared;
use crate::Context;
use crate::aws::{ResultExt, Service};
use crate::resources::Tags;

/// The metadata key (`x-amz-meta-upload-token`) that marks an object as
/// the one this resource uploaded.
pub const TOKEN_METADATA: &str = "upload-token";

/// When to switch to a multipart upload, the size of its parts, and how
/// many go at once.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes above which the upload is multipart.
    pub multipart_threshold: u64,
    /// Bytes per part (at least 5 MiB, S3's minimum for all but the last);
    /// grown for very large files so that there are at most 10,000 parts.
    pub part_size: u64,
    /// Parts uploaded at the same time (at least 1).
    pub concurrency: usize,
}

impl Limits {
    /// 100 MiB, 64 MiB parts, 4 at a time.
    pub const DEFAULT: Limits = Limits {
        multipart_threshold: 100 * 1024 * 1024,
        part_size: 64 * 1024 * 1024,
        concurrency: 4,
    };

    fn part_size_for(&self, size: u64) -> u64 {
        self.part_size.max(size.div_ceil(10_000))
    }
}

/// What the object is to be, besides its bytes.
#[derive(Debug, Clone)]
pub struct PutObject<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub content_type: &'a str,
    /// SSE-KMS with this key; the bucket's default encryption otherwise.
    pub kms_key_arn: Option<&'a str>,
    /// The tags, the provider's default tags included.
    pub tags: &'a Tags,
    /// Stored as [`TOKEN_METADATA`].
    pub token: &'a str,
}

/// What S3 says about the stored object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    /// The entity tag, without its quotes.
    pub etag: String,
    /// The version, in a versioned bucket.
    pub version_id: Option<String>,
}

/// Uploads `prepared` as `object`.
pub async fn upload(
    ctx: &Context,
    object: &PutObject<'_>,
    prepared: &Prepared,
    limits: Limits,
) -> Result<Uploaded> {
    if prepared.digest.size > limits.multipart_threshold {
        upload_in_parts(ctx, object, prepared, limits).await
    } else {
        put_whole(ctx, object, prepared).await
    }
}

/// An entity tag without the quotes S3 puts around it.
pub fn unquoted(etag: Option<&str>) -> String {
    etag.unwrap_or_default().trim_matches('"').to_owned()
}

/// Tags as the `x-amz-tagging` header wants them: a URL query string.
pub fn tagging_header(tags: &Tags) -> Option<String> {
    if tags.is_empty() {
        return None;
    }
    let encode = |text: &str| {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    Some(
        tags.iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&"),
    )
}

async fn body(prepared: &Prepared, offset: u64, length: u64) -> Result<ByteStream> {
    ByteStream::read_from()
        .path(&prepared.path)
        .offset(offset)
        .length(Length::Exact(length))
        .build()
        .await
        .map_err(|e| ProviderError::failed(format!("cannot read {}: {e}", prepared.path.display())))
}

/// One PutObject, with the SHA-256 S3 checks the received bytes against.
async fn put_whole(ctx: &Context, object: &PutObject<'_>, prepared: &Prepared) -> Result<Uploaded> {
    let sha256 = hex::decode(&prepared.digest.sha256)
        .map_err(|e| ProviderError::Internal(format!("a digest that is not hex: {e}")))?;
    let mut request = ctx
        .clients
        .s3
        .put_object()
        .bucket(object.bucket)
        .key(object.key)
        .body(body(prepared, 0, prepared.digest.size).await?)
        .content_length(prepared.digest.size as i64)
        .content_type(object.content_type)
        .checksum_sha256(aws_smithy_types::base64::encode(sha256))
        .metadata(TOKEN_METADATA, object.token)
        .set_tagging(tagging_header(object.tags));
    if let Some(key) = object.kms_key_arn {
        request = request
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .ssekms_key_id(key);
    }
    let put = request.send().await.aws(Service::S3, "PutObject")?;
    Ok(Uploaded {
        etag: unquoted(put.e_tag()),
        version_id: put.version_id().map(str::to_owned),
    })
}

/// A multipart upload, aborted when any part of it fails.
async fn upload_in_parts(
    ctx: &Context,
    object: &PutObject<'_>,
    prepared: &Prepared,
    limits: Limits,
) -> Result<Uploaded> {
    let s3 = &ctx.clients.s3;
    let mut request = s3
        .create_multipart_upload()
        .bucket(object.bucket)
        .key(object.key)
        .content_type(object.content_type)
        .metadata(TOKEN_METADATA, object.token)
        .set_tagging(tagging_header(object.tags));
    if let Some(key) = object.kms_key_arn {
        request = request
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .ssekms_key_id(key);
    }
    let started = request
        .send()
        .await
        .aws(Service::S3, "CreateMultipartUpload")?;
    let upload_id = started.upload_id().unwrap_or_default().to_owned();
    let finished = tokio::select! {
        finished = send_parts(ctx, object, prepared, limits, &upload_id) => finished,
        () = ctx.cancel.cancelled() => Err(ProviderError::Cancelled),
    };
    if finished.is_err() {
        // Parts of an unfinished upload are stored (and billed) until it is
        // aborted; the error that stopped it is the one to report.
        if let Err(abort) = s3
            .abort_multipart_upload()
            .bucket(object.bucket)
            .key(object.key)
            .upload_id(&upload_id)
            .send()
            .await
            .aws(Service::S3, "AbortMultipartUpload")
        {
            ctx.warn(format!(
                "the unfinished upload {upload_id} to s3://{}/{} could not be aborted ({abort}); abort it, or let a lifecycle rule remove it",
                object.bucket, object.key
            ))
            .await;
        }
    }
    finished
}

/// The parts of `prepared`, `limits.concurrency` at a time, then the
/// completion listing them in order.
async fn send_parts(
    ctx: &Context,
    object: &PutObject<'_>,
    prepared: &Prepared,
    limits: Limits,
    upload_id: &str,
) -> Result<Uploaded> {
    let s3 = &ctx.clients.s3;
    let size = prepared.digest.size;
    let part_size = limits.part_size_for(size);
    let parts = size.div_ceil(part_size);
    let sent = AtomicU64::new(0);
    let sent = &sent;
    let completed = in_parts(parts, limits.concurrency, |index| async move {
        let offset = index * part_size;
        let length = part_size.min(size - offset);
        let number = index as i32 + 1;
        let part = s3
            .upload_part()
            .bucket(object.bucket)
            .key(object.key)
            .upload_id(upload_id)
            .part_number(number)
            .content_length(length as i64)
            .body(body(prepared, offset, length).await?)
            .send()
            .await
            .aws(Service::S3, "UploadPart")?;
        let done = sent.fetch_add(1, Ordering::SeqCst) + 1;
        ctx.status(format!(
            "uploaded {done} of {parts} parts to s3://{}/{}",
            object.bucket, object.key
        ))
        .await;
        Ok(CompletedPart::builder()
            .part_number(number)
            .set_e_tag(part.e_tag().map(str::to_owned))
            .build())
    })
    .await?;
    let done = s3
        .complete_multipart_upload()
        .bucket(object.bucket)
        .key(object.key)
        .upload_id(upload_id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(completed))
                .build(),
        )
        .send()
        .await
        .aws(Service::S3, "CompleteMultipartUpload")?;
    Ok(Uploaded {
        etag: unquoted(done.e_tag()),
        version_id: done.version_id().map(str::to_owned),
    })
}

/// Runs `send` for parts `0..parts`, at most `concurrency` at a time, and
/// returns what they give in part order. The first failure stops it: parts
/// on their way are dropped, none is started after it.
async fn in_parts<F, Fut>(parts: u64, concurrency: usize, send: F) -> Result<Vec<CompletedPart>>
where
    F: Fn(u64) -> Fut,
    Fut: Future<Output = Result<CompletedPart>>,
{
    let mut completed: Vec<CompletedPart> = futures::stream::iter(0..parts)
        .map(send)
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await?;
    completed.sort_by_key(|part| part.part_number());
    Ok(completed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_travel_as_a_url_encoded_query() {
        let tags: Tags = [
            ("team".to_owned(), "ml".to_owned()),
            ("cost center".to_owned(), "a&b=c".to_owned()),
        ]
        .into();
        assert_eq!(
            tagging_header(&tags).as_deref(),
            Some("cost%20center=a%26b%3Dc&team=ml")
        );
        assert_eq!(tagging_header(&Tags::new()), None);
    }

    #[test]
    fn parts_grow_so_that_there_are_never_more_than_ten_thousand() {
        let limits = Limits::DEFAULT;
        assert_eq!(limits.part_size_for(200 << 20), 64 << 20);
        let huge = 5u64 << 40;
        assert!(huge.div_ceil(limits.part_size_for(huge)) <= 10_000);
    }

    /// Parts that take 10 ms each, counting how many are on their way at
    /// once; part `fail` (if any) fails.
    async fn timed_parts(
        parts: u64,
        concurrency: usize,
        fail: Option<u64>,
    ) -> (Result<Vec<CompletedPart>>, usize, usize) {
        use std::sync::atomic::AtomicUsize;
        let (on_the_way, most, started) = (
            AtomicUsize::new(0),
            AtomicUsize::new(0),
            AtomicUsize::new(0),
        );
        let result = in_parts(parts, concurrency, |index| {
            let (on_the_way, most, started) = (&on_the_way, &most, &started);
            async move {
                started.fetch_add(1, Ordering::SeqCst);
                let now = on_the_way.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                // Later parts finish first: the order is restored.
                tokio::time::sleep(std::time::Duration::from_millis(10 * (parts - index))).await;
                on_the_way.fetch_sub(1, Ordering::SeqCst);
                if Some(index) == fail {
                    return Err(ProviderError::failed(format!("part {} failed", index + 1)));
                }
                Ok(CompletedPart::builder()
                    .part_number(index as i32 + 1)
                    .e_tag(format!("p{}", index + 1))
                    .build())
            }
        })
        .await;
        (
            result,
            most.load(Ordering::SeqCst),
            started.load(Ordering::SeqCst),
        )
    }

    #[tokio::test(start_paused = true)]
    async fn parts_go_four_at_a_time_and_are_completed_in_order() {
        let (completed, most, started) = timed_parts(10, 4, None).await;
        let completed = completed.unwrap();
        assert_eq!(most, 4);
        assert_eq!(started, 10);
        let numbers: Vec<_> = completed.iter().map(|p| p.part_number()).collect();
        assert_eq!(numbers, (1..=10).map(Some).collect::<Vec<_>>());
        assert_eq!(completed[2].e_tag(), Some("p3"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_part_stops_the_rest() {
        // Part 2 fails after 90 ms, while parts 5 and 6 are on their way:
        // nothing is started after it, the error is returned.
        let (completed, most, started) = timed_parts(10, 4, Some(1)).await;
        let error = completed.unwrap_err().to_string();
        assert!(error.contains("part 2 failed"), "{error}");
        assert!(most <= 4);
        assert!(started < 10, "{started}");
    }

    #[test]
    fn quotes_come_off_entity_tags() {
        assert_eq!(unquoted(Some("\"abc\"")), "abc");
        assert_eq!(unquoted(None), "");
    }
}
