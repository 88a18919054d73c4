"""The errors AppConfig and AppConfigData answer, as their API models shape them.

Codes and HTTP statuses are the error shapes of botocore's models (= the API
reference's "Errors" sections): AppConfig ``BadRequestException`` (400,
``Message``, ``Reason``: ``InvalidConfiguration``, ``Details``),
``ResourceNotFoundException`` (404, ``Message``, ``ResourceName``),
``ConflictException`` (409), ``ServiceQuotaExceededException`` (402),
``PayloadTooLargeException`` (413); AppConfigData ``BadRequestException`` (400,
``Reason``: ``InvalidParameters``, ``Details.InvalidParameters.<name>.Problem``:
``Corrupted`` | ``Expired`` | ``PollIntervalNotSatisfied``) and
``ResourceNotFoundException`` (404, ``ResourceType``, ``ReferencedBy``). Their
JSON bodies spell the message ``Message``.

Messages: where AWS's wording was found it is quoted next to the rule that raises
it (:mod:`appconfig_resources`, :mod:`appconfig_deployments`); the others are the
emulator's own.
"""

from __future__ import annotations

from .aws_errors import AwsError


def bad_request(message: str, reason: str | None = None, details: dict | None = None) -> AwsError:
    fields: dict = {"Message": message}
    if reason:
        fields["Reason"] = reason
    if details:
        fields["Details"] = details
    return AwsError("BadRequestException", message, 400, fields)


def not_found(message: str, resource_name: str | None = None) -> AwsError:
    fields: dict = {"Message": message}
    if resource_name:
        fields["ResourceName"] = resource_name
    return AwsError("ResourceNotFoundException", message, 404, fields)


def conflict(message: str) -> AwsError:
    return AwsError("ConflictException", message, 409, {"Message": message})


def quota_exceeded(message: str) -> AwsError:
    return AwsError("ServiceQuotaExceededException", message, 402, {"Message": message})


def not_emulated(operation: str | None) -> AwsError:
    """An AppConfig operation the emulator does not implement (HTTP 501: SDKs do not retry it)."""
    message = f"Not supported by the emulator: AppConfig {operation}"
    return AwsError("NotImplemented", message, 501, {"Message": message})


# -- AppConfigData ------------------------------------------------------------------------------

CORRUPTED = "Corrupted"
EXPIRED = "Expired"
POLL_INTERVAL_NOT_SATISFIED = "PollIntervalNotSatisfied"


def data_bad_parameter(message: str, parameter: str, problem: str) -> AwsError:
    """AppConfigData's ``BadRequestException`` about one parameter (``Reason: InvalidParameters``)."""
    details = {"InvalidParameters": {parameter: {"Problem": problem}}}
    return AwsError("BadRequestException", message, 400, {"Message": message, "Reason": "InvalidParameters", "Details": details})


def data_bad_request(message: str) -> AwsError:
    return AwsError("BadRequestException", message, 400, {"Message": message})


def data_not_found(message: str, resource_type: str, referenced_by: dict[str, str]) -> AwsError:
    """AppConfigData's ``ResourceNotFoundException`` (``ResourceType``: Application, Environment, ConfigurationProfile,
    Deployment, Configuration)."""
    fields = {"Message": message, "ResourceType": resource_type, "ReferencedBy": referenced_by}
    return AwsError("ResourceNotFoundException", message, 404, fields)
