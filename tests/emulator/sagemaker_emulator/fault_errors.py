"""The errors injected faults answer: each service's own throttling and server errors.

Keys are SigV4 signing names (as :mod:`request_info` derives them); a service
without a row answers the errors common to all AWS APIs. Sources:

* Common errors ("This section lists the errors common to the API actions of all
  AWS services", e.g. SageMaker API Reference > Common Errors):
  ``ThrottlingException`` 400 "The request was denied due to request throttling.",
  ``InternalFailure`` 500 "The request processing has failed because of an
  unknown error, exception or failure.", ``ServiceUnavailable`` 503 "The request
  has failed due to a temporary failure of the server." SageMaker, Application
  Auto Scaling and CloudWatch Logs (JSON) answer these.
* KMS: AWS KMS Developer Guide > "Throttling AWS KMS requests": "You have exceeded
  the rate at which you may call KMS. Reduce the frequency of your calls.
  (Service: AWSKMS; Status Code: 400; Error Code: ThrottlingException ...)".
* IAM and STS: AWS re:Post knowledge center "How do I resolve API throttling or
  'Rate exceeded' errors for IAM and AWS STS?": "Throttling: Rate exceeded, status
  code: 400". IAM's server error is ``ServiceFailure`` 500 (IAM API Reference,
  the errors of every action; botocore's ``ServiceFailureException``).
* CloudWatch: re:Post knowledge center "How do I avoid throttling when I call
  PutMetricData in the CloudWatch API?": HTTP 400 with
  ``<Code>Throttling</Code><Message>Rate exceeded</Message>``; its server error is
  ``InternalServiceError`` 500 (CloudWatch API Reference, ``InternalServiceFault``).
* SNS: re:Post knowledge center "ThrottlingException and Rate exceeded errors in
  Amazon SNS": "An error occurred (ThrottlingException) when calling the Subscribe
  operation: Rate exceeded"; its server error is ``InternalError`` 500 (SNS API
  Reference, ``InternalErrorException``).
* S3: Amazon S3 API Reference > Error responses > List of error codes:
  ``SlowDown`` "Reduce your request rate." 503 Slow Down, ``InternalError`` "We
  encountered an internal error. Please try again." 500, ``ServiceUnavailable``
  "Service is unable to handle request." 503.
* Validation, by protocol, HTTP 400 each: ``ValidationException`` (JSON and CBOR;
  SageMaker API Reference > Common Errors), ``ValidationError`` (query; IAM API
  Reference > Common Errors), ``InvalidArgument`` (S3; Amazon S3 API Reference >
  Error responses > List of error codes).
* AppConfigData models its ``ThrottlingException`` with HTTP 429 (botocore's
  appconfigdata model, ``httpStatusCode: 429``; its calls are signed ``appconfig``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .aws_errors import QUERY, REST_XML, AwsError


@dataclass(frozen=True)
class ErrorAnswer:
    """An AWS error answer: its code, HTTP status and AWS's message."""

    code: str
    status: int
    message: str

    def error(self, message: str | None = None) -> AwsError:
        return AwsError(self.code, message or self.message, self.status)


COMMON_THROTTLING = ErrorAnswer("ThrottlingException", 400, "Rate exceeded")
COMMON_INTERNAL = ErrorAnswer(
    "InternalFailure", 500, "The request processing has failed because of an unknown error, exception or failure."
)
COMMON_UNAVAILABLE = ErrorAnswer("ServiceUnavailable", 503, "The request has failed due to a temporary failure of the server.")

THROTTLING: dict[str, ErrorAnswer] = {
    "kms": ErrorAnswer(
        "ThrottlingException", 400, "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls."
    ),
    "iam": ErrorAnswer("Throttling", 400, "Rate exceeded"),
    "sts": ErrorAnswer("Throttling", 400, "Rate exceeded"),
    "monitoring": ErrorAnswer("Throttling", 400, "Rate exceeded"),
    "sns": ErrorAnswer("ThrottlingException", 400, "Rate exceeded"),
    "s3": ErrorAnswer("SlowDown", 503, "Reduce your request rate."),
}

INTERNAL: dict[str, ErrorAnswer] = {
    "iam": ErrorAnswer("ServiceFailure", 500, COMMON_INTERNAL.message),
    "monitoring": ErrorAnswer("InternalServiceError", 500, "Internal server error"),
    "sns": ErrorAnswer("InternalError", 500, "Internal Error"),
    "s3": ErrorAnswer("InternalError", 500, "We encountered an internal error. Please try again."),
}

UNAVAILABLE: dict[str, ErrorAnswer] = {
    "s3": ErrorAnswer("ServiceUnavailable", 503, "Service is unable to handle request."),
}

#: Fault kind -> (per-service answers, the common answer).
ERROR_ANSWERS: dict[str, tuple[dict[str, ErrorAnswer], ErrorAnswer]] = {
    "throttle": (THROTTLING, COMMON_THROTTLING),
    "server_error": (INTERNAL, COMMON_INTERNAL),
    "unavailable": (UNAVAILABLE, COMMON_UNAVAILABLE),
}


def answer_for(kind: str, service: str | None) -> ErrorAnswer:
    """What ``service`` answers for an error fault of ``kind``."""
    per_service, common = ERROR_ANSWERS[kind]
    return per_service.get(service or "", common)


#: A validation fault's code by protocol (``ValidationException`` otherwise).
VALIDATION_CODES: dict[str, str] = {QUERY: "ValidationError", REST_XML: "InvalidArgument"}
DEFAULT_VALIDATION_MESSAGE = "1 validation error detected (injected by the emulator)."

#: (signing name, operation) -> HTTP status of the service's modelled ThrottlingException.
THROTTLING_STATUS: dict[tuple[str, str], int] = {
    ("appconfig", "StartConfigurationSession"): 429,
    ("appconfig", "GetLatestConfiguration"): 429,
}


def error_answer(
    kind: str, service: str | None, operation: str | None, protocol: str | None, message: str | None = None
) -> AwsError:
    """The error a fault of ``kind`` answers for ``operation`` of ``service`` in ``protocol``
    (``message`` in place of AWS's own, when given)."""
    if kind == "validation":
        code = VALIDATION_CODES.get(protocol or "", "ValidationException")
        return AwsError(code, message or DEFAULT_VALIDATION_MESSAGE, 400)
    error = answer_for(kind, service).error(message)
    if kind == "throttle":
        error.status = THROTTLING_STATUS.get((service or "", operation or ""), error.status)
    return error
