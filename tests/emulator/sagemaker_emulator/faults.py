"""Injected faults: what AWS and the network between do to a call, on purpose.

Kinds (each one AWS or a real network produces):

* ``throttle`` - the service's throttling error (:mod:`fault_errors`: e.g.
  SageMaker ``ThrottlingException`` 400, IAM ``Throttling`` 400, S3 ``SlowDown`` 503);
* ``server_error`` - the service's internal error (``InternalFailure`` 500, IAM
  ``ServiceFailure``, S3 ``InternalError``, ...);
* ``unavailable`` - ``ServiceUnavailable`` 503;
* ``validation`` - the call's input refused (JSON/CBOR: ``ValidationException``,
  query: ``ValidationError``, S3: ``InvalidArgument``, all HTTP 400), with the
  ``message`` given. AWS's validation messages quote the values they refuse
  ("1 validation error detected: Value '...' at '...' failed to satisfy
  constraint"), and a SageMaker CreateModel refusal quotes the whole container
  environment map ("Environment variable map cannot be specified both at Model
  Package {...} and Model {...}", github.com/aws/sagemaker-python-sdk pull
  3301), so a test can make a call fail with a message that echoes what was
  sent. Never drawn at random unless asked for: it is not a transient fault;
* ``reset_before`` - the connection is closed without an answer before the call
  reaches the service: nothing happens;
* ``reset_after`` - the service handles the call (its effects stay), then the
  connection is closed without an answer: the caller cannot tell it happened;
* ``delay`` - a slow answer: the call waits ``seconds`` before it is handled;
* ``endpoint_failure`` - on SageMaker ``CreateEndpoint``, ``UpdateEndpoint``,
  ``UpdateEndpointWeightsAndCapacities``, ``CreateInferenceComponent`` or
  ``UpdateInferenceComponent`` only: the call succeeds and the endpoint (or inference
  component) then fails (``Failed`` after creating; an update rolls back), as when the
  model container fails its health checks.

Error faults and ``reset_before`` answer before the service sees the call, so
they never change state: AWS does not apply a throttled or 5xx'd call (Amazon
S3's "Requests that receive an InternalError response might not have processed"
is the case ``reset_after`` stands for: a call applied whose answer is lost).

A fault matches on ``service`` (SigV4 signing name, e.g. ``sagemaker``) and
``operation`` (e.g. ``CreateModel``); a missing key or ``"*"`` matches any.
Where a service's model gives its throttling error another HTTP status, the
fault uses it: AppConfigData's ``ThrottlingException`` is HTTP 429 (botocore's
appconfigdata model, ``httpStatusCode: 429``; its calls are signed ``appconfig``).

Queued faults fail the next ``count`` matching calls; :class:`RandomFaults` hits
each matching call with ``probability``, drawing from a seeded RNG. Every fault
applied is counted by kind (:meth:`FaultQueue.injected`).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import asdict, dataclass, field

from .aws_errors import AwsError
from .fault_errors import error_answer
from .state_lock import EMULATOR_LOCK

ERROR_KINDS = ("throttle", "server_error", "unavailable", "validation")
CONNECTION_KINDS = ("reset_before", "reset_after")
KINDS = (*ERROR_KINDS, *CONNECTION_KINDS, "delay", "endpoint_failure")
#: The kinds random faults draw from unless told: what AWS or the network does
#: to a well-formed call now and then (not a validation refusal).
RANDOM_KINDS = tuple(kind for kind in KINDS if kind != "validation")

#: The calls an ``endpoint_failure`` can hit, and the setting that makes each one fail.
ENDPOINT_FAILURES = {
    "CreateEndpoint": "fail_next_endpoint_create",
    "UpdateEndpoint": "fail_next_endpoint_update",
    "UpdateEndpointWeightsAndCapacities": "fail_next_weights_update",
    "CreateInferenceComponent": "fail_next_inference_component_create",
    "UpdateInferenceComponent": "fail_next_inference_component_update",
}
#: The request member naming the object an ``endpoint_failure`` makes fail, per call (default ``EndpointName``).
FAILURE_TARGETS = {"CreateInferenceComponent": "InferenceComponentName", "UpdateInferenceComponent": "InferenceComponentName"}

DEFAULT_DELAY_SECONDS = 2.0
MAX_DELAY_SECONDS = 60.0


def applies_to(kind: str, service: str | None, operation: str | None) -> bool:
    """Whether a fault of ``kind`` can happen to this call."""
    if kind == "endpoint_failure":
        return service == "sagemaker" and operation in ENDPOINT_FAILURES
    return True


@dataclass
class Fault:
    """One fault spec and how many more calls it will hit."""

    kind: str
    service: str = "*"
    operation: str = "*"
    count: int = 1
    message: str | None = None
    seconds: float = DEFAULT_DELAY_SECONDS

    def matches(self, service: str | None, operation: str | None) -> bool:
        return (
            self.count > 0
            and self.service in ("*", service)
            and self.operation in ("*", operation)
            and applies_to(self.kind, service, operation)
        )

    def error_for(self, service: str | None, operation: str | None = None, protocol: str | None = None) -> AwsError:
        """The AWS error an error fault answers for a call of ``operation`` of
        ``service`` in ``protocol``."""
        if self.kind not in ERROR_KINDS:
            raise ValueError(f"a {self.kind!r} fault answers no error")
        return error_answer(self.kind, service, operation, protocol, self.message)


def _positive_number(value: object, name: str, limit: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= limit:
        raise ValueError(f"{name} must be a number in (0, {limit:g}]")
    return float(value)


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
            unknown = set(spec) - {"service", "operation", "count", "message", "seconds"}
            if unknown:
                raise ValueError(f"unknown fault keys {sorted(unknown)}")
            count = spec.get("count", 1)
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                raise ValueError("fault count must be a positive integer")
            service, operation = str(spec.get("service") or "*"), str(spec.get("operation") or "*")
            if kind == "endpoint_failure" and (service not in ("*", "sagemaker") or operation not in ("*", *ENDPOINT_FAILURES)):
                raise ValueError(f"endpoint_failure applies to sagemaker {sorted(ENDPOINT_FAILURES)} only")
            seconds = _positive_number(spec["seconds"], "seconds", MAX_DELAY_SECONDS) if "seconds" in spec else DEFAULT_DELAY_SECONDS
            faults.append(Fault(kind, service, operation, count, spec.get("message"), seconds))
    return faults


@dataclass
class RandomFaults:
    """Faults at random: each matching call is hit with ``probability``.

    ``kinds`` weighs the kinds drawn (a kind that cannot happen to a call is left
    out for it); ``services`` / ``operations`` limit the calls (empty = all).
    The draws come from ``random.Random(seed)``, so one seed replays the same
    sequence of draws (the calls themselves may interleave differently).
    """

    seed: int
    probability: float
    kinds: dict[str, float] = field(default_factory=lambda: {kind: 1.0 for kind in RANDOM_KINDS})
    services: list[str] = field(default_factory=list)
    operations: list[str] = field(default_factory=list)
    delay_seconds: float = DEFAULT_DELAY_SECONDS

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def describe(self) -> dict:
        return {key: value for key, value in asdict(self).items() if not key.startswith("_")}

    def draw(self, service: str | None, operation: str | None) -> Fault | None:
        """The fault for this call, if the dice say so (call under the lock)."""
        if self.services and service not in self.services:
            return None
        if self.operations and operation not in self.operations:
            return None
        eligible = [(kind, weight) for kind, weight in self.kinds.items() if weight > 0 and applies_to(kind, service, operation)]
        if not eligible:
            return None
        # Two draws per eligible call whatever the outcome, so that a seed's
        # sequence does not depend on which calls were hit.
        hit, pick = self._rng.random(), self._rng.random()
        if hit >= self.probability:
            return None
        total = sum(weight for _, weight in eligible)
        point = pick * total
        for kind, weight in eligible:
            point -= weight
            if point < 0:
                break
        return Fault(kind, service or "*", operation or "*", 1, None, self.delay_seconds)


def parse_random(payload: object) -> RandomFaults:
    """Parse ``{"seed": 7, "probability": 0.2, "kinds": {...} | [...], "services": [...], ...}``."""
    if not isinstance(payload, dict):
        raise ValueError('expected an object like {"seed": 7, "probability": 0.2}')
    unknown = set(payload) - {"seed", "probability", "kinds", "services", "operations", "delay_seconds"}
    if unknown:
        raise ValueError(f"unknown random fault keys {sorted(unknown)}")
    seed = payload.get("seed")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError("seed must be an integer")
    probability = payload.get("probability")
    if isinstance(probability, bool) or not isinstance(probability, (int, float)) or not 0 <= probability <= 1:
        raise ValueError("probability must be a number between 0 and 1")
    kinds = payload.get("kinds", list(RANDOM_KINDS))
    if isinstance(kinds, list):
        kinds = {kind: 1.0 for kind in kinds}
    if not isinstance(kinds, dict) or not kinds:
        raise ValueError("kinds must be a non-empty list of kinds or an object of kind -> weight")
    for kind, weight in kinds.items():
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {list(KINDS)}")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
            raise ValueError(f"the weight of {kind!r} must be a number >= 0")
    lists = {}
    for key in ("services", "operations"):
        value = payload.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValueError(f"{key} must be a list of names")
        lists[key] = value
    delay = payload.get("delay_seconds", DEFAULT_DELAY_SECONDS)
    return RandomFaults(
        seed=seed,
        probability=float(probability),
        kinds={kind: float(weight) for kind, weight in kinds.items()},
        delay_seconds=_positive_number(delay, "delay_seconds", MAX_DELAY_SECONDS),
        **lists,
    )


class FaultQueue:
    """Queued and random faults and what was injected, guarded by the emulator lock."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._random: RandomFaults | None = None
        self._injected: Counter[tuple[str, str, str]] = Counter()

    def add(self, faults: list[Fault]) -> None:
        with EMULATOR_LOCK:
            self._faults.extend(faults)

    def set_random(self, faults: RandomFaults | None) -> None:
        with EMULATOR_LOCK:
            self._random = faults

    def random(self) -> dict | None:
        with EMULATOR_LOCK:
            return self._random.describe() if self._random else None

    def take(self, service: str | None, operation: str | None) -> Fault | None:
        """The fault for this call, counted as injected: the first queued one
        matching (one use of it consumed), else a random draw."""
        with EMULATOR_LOCK:
            fault = None
            for queued in self._faults:
                if queued.matches(service, operation):
                    queued.count -= 1
                    self._faults = [f for f in self._faults if f.count > 0]
                    fault = queued
                    break
            if fault is None and self._random is not None:
                fault = self._random.draw(service, operation)
            if fault is not None:
                self._injected[(fault.kind, service or "unknown", operation or "unknown")] += 1
            return fault

    def pending(self) -> list[dict]:
        with EMULATOR_LOCK:
            return [asdict(fault) for fault in self._faults]

    def injected(self) -> dict:
        """``{"total": n, "by_kind": {kind: n, ...}, "by_call": [{kind, service, operation, count}]}``."""
        with EMULATOR_LOCK:
            by_kind = {kind: 0 for kind in KINDS}
            for (kind, _, _), count in self._injected.items():
                by_kind[kind] += count
            by_call = [
                {"kind": kind, "service": service, "operation": operation, "count": count}
                for (kind, service, operation), count in sorted(self._injected.items())
            ]
            return {"total": sum(by_kind.values()), "by_kind": by_kind, "by_call": by_call}

    def clear(self) -> None:
        """Drop the queued faults and stop random ones (the counts stay)."""
        with EMULATOR_LOCK:
            self._faults.clear()
            self._random = None

    def clear_injected(self) -> None:
        with EMULATOR_LOCK:
            self._injected.clear()

    def reset(self) -> None:
        """Everything back to nothing: no faults, nothing counted."""
        with EMULATOR_LOCK:
            self.clear()
            self.clear_injected()
