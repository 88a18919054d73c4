"""S3 responses moto shapes differently from AWS, put right.

moto answers GetBucketVersioning with a ``GetBucketVersioningResponse`` root
element; AWS (and the S3 API model every SDK is generated from) uses
``VersioningConfiguration``. Lenient clients (boto3) read either; strict ones
(the AWS SDK for Rust) reject the response. Each fix renames the root element
of one operation's successful response.

:class:`S3Hooks` is S3's row in the service table: it intercepts only the
operations to fix; every other S3 call streams to moto untouched.
"""

from __future__ import annotations

from . import bucket_policy
from .aws_errors import HttpResponse
from .request_info import AwsRequest
from .service_hooks import Call, HookEnvironment, ServiceHooks

# operation -> (moto's root element, AWS's root element)
ROOT_ELEMENT_FIXES = {
    "GetBucketVersioning": ("GetBucketVersioningResponse", "VersioningConfiguration"),
}


def needs_fix(operation: str | None) -> bool:
    """True when moto's response to ``operation`` must be rewritten."""
    return operation in ROOT_ELEMENT_FIXES


def fix_response(operation: str, response: HttpResponse) -> HttpResponse:
    """The response with AWS's root element; errors pass through untouched."""
    if response.status >= 300:
        return response
    wrong, right = ROOT_ELEMENT_FIXES[operation]
    body = response.body.replace(f"<{wrong}".encode(), f"<{right}".encode(), 1)
    body = body.replace(f"</{wrong}>".encode(), f"</{right}>".encode(), 1)
    headers = [(k, str(len(body)) if k.lower() == "content-length" else v) for k, v in response.headers]
    return HttpResponse(response.status, headers, body)


class S3Hooks(ServiceHooks):
    """S3's row in the service table: moto's answers put right (see the module
    docstring), and bucket policies applied with their conditions
    (:mod:`bucket_policy`)."""

    def __init__(self, environment: HookEnvironment) -> None:
        super().__init__(environment)
        bucket_policy.let_moto_apply_bucket_policy_conditions()

    def intercepts(self, request: AwsRequest) -> bool:
        return needs_fix(request.operation)

    def after(self, call: Call, response: HttpResponse) -> HttpResponse:
        return fix_response(call.operation, response)
