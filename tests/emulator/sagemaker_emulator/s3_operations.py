"""Readable S3 operation names for REST calls (method + path + query keys).

S3 has no operation name on the wire, so the request log derives one, e.g.
``PUT /bucket?versioning`` -> ``PutBucketVersioning``. It covers the common
bucket and object calls; anything else falls back to ``"<METHOD> <Bucket|Object>"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# Bucket sub-resource -> operation per HTTP method.
_BUCKET_SUBRESOURCES: dict[str, dict[str, str]] = {
    "versioning": {"GET": "GetBucketVersioning", "PUT": "PutBucketVersioning"},
    "policy": {"GET": "GetBucketPolicy", "PUT": "PutBucketPolicy", "DELETE": "DeleteBucketPolicy"},
    "policyStatus": {"GET": "GetBucketPolicyStatus"},
    "encryption": {"GET": "GetBucketEncryption", "PUT": "PutBucketEncryption", "DELETE": "DeleteBucketEncryption"},
    "publicAccessBlock": {"GET": "GetPublicAccessBlock", "PUT": "PutPublicAccessBlock", "DELETE": "DeletePublicAccessBlock"},
    "tagging": {"GET": "GetBucketTagging", "PUT": "PutBucketTagging", "DELETE": "DeleteBucketTagging"},
    "lifecycle": {"GET": "GetBucketLifecycleConfiguration", "PUT": "PutBucketLifecycleConfiguration", "DELETE": "DeleteBucketLifecycle"},
    "cors": {"GET": "GetBucketCors", "PUT": "PutBucketCors", "DELETE": "DeleteBucketCors"},
    "acl": {"GET": "GetBucketAcl", "PUT": "PutBucketAcl"},
    "logging": {"GET": "GetBucketLogging", "PUT": "PutBucketLogging"},
    "notification": {"GET": "GetBucketNotificationConfiguration", "PUT": "PutBucketNotificationConfiguration"},
    "ownershipControls": {"GET": "GetBucketOwnershipControls", "PUT": "PutBucketOwnershipControls", "DELETE": "DeleteBucketOwnershipControls"},
    "location": {"GET": "GetBucketLocation"},
    "website": {"GET": "GetBucketWebsite", "PUT": "PutBucketWebsite", "DELETE": "DeleteBucketWebsite"},
    "replication": {"GET": "GetBucketReplication", "PUT": "PutBucketReplication", "DELETE": "DeleteBucketReplication"},
    "object-lock": {"GET": "GetObjectLockConfiguration", "PUT": "PutObjectLockConfiguration"},
    "accelerate": {"GET": "GetBucketAccelerateConfiguration", "PUT": "PutBucketAccelerateConfiguration"},
    "requestPayment": {"GET": "GetBucketRequestPayment", "PUT": "PutBucketRequestPayment"},
    "intelligent-tiering": {"GET": "GetBucketIntelligentTieringConfiguration", "PUT": "PutBucketIntelligentTieringConfiguration"},
    "uploads": {"GET": "ListMultipartUploads"},
    "versions": {"GET": "ListObjectVersions"},
    "delete": {"POST": "DeleteObjects"},
}

# Object sub-resource -> operation per HTTP method.
_OBJECT_SUBRESOURCES: dict[str, dict[str, str]] = {
    "tagging": {"GET": "GetObjectTagging", "PUT": "PutObjectTagging", "DELETE": "DeleteObjectTagging"},
    "acl": {"GET": "GetObjectAcl", "PUT": "PutObjectAcl"},
    "attributes": {"GET": "GetObjectAttributes"},
    "retention": {"GET": "GetObjectRetention", "PUT": "PutObjectRetention"},
    "legal-hold": {"GET": "GetObjectLegalHold", "PUT": "PutObjectLegalHold"},
    "restore": {"POST": "RestoreObject"},
    "uploads": {"POST": "CreateMultipartUpload"},
}

_BUCKET_PLAIN = {"GET": "ListObjects", "PUT": "CreateBucket", "DELETE": "DeleteBucket", "HEAD": "HeadBucket"}
_OBJECT_PLAIN = {"GET": "GetObject", "PUT": "PutObject", "DELETE": "DeleteObject", "HEAD": "HeadObject"}


def split_bucket_and_key(path: str, host: str) -> tuple[str | None, str | None]:
    """Bucket and key of a path-style or virtual-hosted-style request."""
    hostname = host.split(":", 1)[0].lower()
    parts = path.lstrip("/").split("/", 1)
    virtual = None
    for marker in (".s3.", ".s3-", ".localhost"):
        if marker in hostname and not hostname.startswith(("s3.", "s3-")):
            virtual = hostname.split(marker, 1)[0]
            break
    if virtual:
        return virtual, path.lstrip("/") or None
    bucket = parts[0] or None
    key = parts[1] if len(parts) > 1 and parts[1] else None
    return bucket, key


def s3_operation(method: str, path: str, query_keys: Iterable[str], headers: Mapping[str, str], host: str = "") -> str:
    """Derive the S3 operation name of one REST call."""
    method = method.upper()
    keys = set(query_keys)
    bucket, key = split_bucket_and_key(path, host)
    if bucket is None:
        return "ListBuckets" if method == "GET" else f"{method} Service"
    if key is None:
        for sub, by_method in _BUCKET_SUBRESOURCES.items():
            if sub in keys and method in by_method:
                return by_method[method]
        if method == "GET" and keys.intersection({"list-type"}):
            return "ListObjectsV2"
        return _BUCKET_PLAIN.get(method, f"{method} Bucket")
    copy = any(name.lower() == "x-amz-copy-source" for name in headers)
    if "uploadId" in keys:
        if method == "PUT":
            return "UploadPartCopy" if copy else "UploadPart"
        return {"GET": "ListParts", "POST": "CompleteMultipartUpload", "DELETE": "AbortMultipartUpload"}.get(method, f"{method} Object")
    for sub, by_method in _OBJECT_SUBRESOURCES.items():
        if sub in keys and method in by_method:
            return by_method[method]
    if method == "PUT" and copy:
        return "CopyObject"
    return _OBJECT_PLAIN.get(method, f"{method} Object")
