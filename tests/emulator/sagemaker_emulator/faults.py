"""Injected faults: answer the next N matching AWS calls with an error.

Three kinds exist, matching what the reliability and secrets tests need:

* ``throttle`` - the service's throttling error (JSON: ``ThrottlingException``,
  query: ``Throttling``, both HTTP 400; S3: ``SlowDown``, HTTP 503);
* ``server_error`` - an internal error (``InternalFailure``, S3 ``InternalError``,
  HTTP 500);
* ``validation`` - the call's input refused (JSON: ``ValidationException``,
  query: ``ValidationError``, S3: ``InvalidArgument``, all HTTP 400), with the
  ``message`` given. AWS's validation messages quote the values they refuse
  ("1 validation error detected: Value '...' at '...' failed to satisfy
  constraint"), and a SageMaker CreateModel refusal quotes the whole container
  environment map ("Environment variable map cannot be specified both at Model
  Package {...} and Model {...}", github.com/aws/sagemaker-python-sdk pull
  3301), so a test can make a call fail with a message that echoes what was
  sent.

A fault matches on ``service`` (credential-scope name, e.g. ``sagemaker``) and
``operation`` (e.g. ``CreateModel``); a missing key or ``"*"`` matches anything.

Where a service's model gives its throttling error another HTTP status, the fault uses
it: AppConfigData's ``ThrottlingException`` is HTTP 429 (botocore's appconfigdata model,
``httpStatusCode: 429``; its calls are signed ``appconfig``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .aws_errors import QUERY, REST_XML, AwsError
from .state_lock import EMULATOR_LOCK

KINDS = ("throttle", "server_error", "validation")

# (signing name, operation) -> HTTP status of the service's modelled ThrottlingException.
THROTTLING_STATUS = {
    ("appconfig", "StartConfigurationSession"): 429,
    ("appconfig", "GetLatestConfiguration"): 429,
}


@dataclass
class Fault:
    """One pending fault and how many more calls it will fail."""

    kind: str
    service: str = "*"
    operation: str = "*"
    count: int = 1
    message: str | None = None

    def matches(self, service: str | None, operation: str | None) -> bool:
        return self.count > 0 and self.service in ("*", service) and self.operation in ("*", operation)

    def error_for(self, protocol: str, service: str | None = None, operation: str | None = None) -> AwsError:
        """The AWS error this fault produces for a call of ``operation`` of ``service`` in ``protocol``."""
        if self.kind == "throttle":
            message = self.message or "Rate exceeded"
            if protocol == REST_XML:
                return AwsError("SlowDown", self.message or "Please reduce your request rate.", 503)
            if protocol == QUERY:
                return AwsError("Throttling", message, 400)
            return AwsError("ThrottlingException", message, THROTTLING_STATUS.get((service or "", operation or ""), 400))
        if self.kind == "validation":
            # The client-error codes, HTTP 400 each: ValidationException (SageMaker API
            # Reference, Common Errors: docs.aws.amazon.com/sagemaker/latest/APIReference/CommonErrors.html),
            # ValidationError (IAM API Reference, Common Errors), InvalidArgument (Amazon S3
            # API Reference, Error responses: List of error codes).
            message = self.message or "1 validation error detected (injected by the emulator)."
            if protocol == REST_XML:
                return AwsError("InvalidArgument", message, 400)
            if protocol == QUERY:
                return AwsError("ValidationError", message, 400)
            return AwsError("ValidationException", message, 400)
        message = self.message or "An internal error occurred (injected by the emulator)."
        if protocol == REST_XML:
            return AwsError("InternalError", message, 500)
        return AwsError("InternalFailure", message, 500)


def parse_faults(payload: object) -> list[Fault]:
    """Parse a control-API body like ``{"throttle": {"service": ..., "count": 2}}``.

    Each kind may map to one spec or a list of specs. Raises ``ValueError``.
    """
    if not isinstance(payload, dict) or not payload:
        raise ValueError('expected an object like {"throttle": {"service": "sagemaker", "operation": "CreateModel", "count": 2}}')
    faults = []
    for kind, specs in payload.items():
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {list(KINDS)}")
        for spec in specs if isinstance(specs, list) else [specs]:
            if not isinstance(spec, dict):
                raise ValueError(f"fault spec for {kind!r} must be an object")
            unknown = set(spec) - {"service", "operation", "count", "message"}
            if unknown:
                raise ValueError(f"unknown fault keys {sorted(unknown)}")
            count = spec.get("count", 1)
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                raise ValueError("fault count must be a positive integer")
            faults.append(
                Fault(
                    kind=kind,
                    service=str(spec.get("service") or "*"),
                    operation=str(spec.get("operation") or "*"),
                    count=count,
                    message=spec.get("message"),
                )
            )
    return faults


class FaultQueue:
    """The pending faults, consumed in insertion order, guarded by the emulator lock."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, faults: list[Fault]) -> None:
        with EMULATOR_LOCK:
            self._faults.extend(faults)

    def take(self, service: str | None, operation: str | None) -> Fault | None:
        """Consume one use of the first fault matching this call, if any."""
        with EMULATOR_LOCK:
            for fault in self._faults:
                if fault.matches(service, operation):
                    fault.count -= 1
                    self._faults = [f for f in self._faults if f.count > 0]
                    return fault
        return None

    def pending(self) -> list[dict]:
        with EMULATOR_LOCK:
            return [asdict(fault) for fault in self._faults]

    def clear(self) -> None:
        with EMULATOR_LOCK:
            self._faults.clear()
