"""KMS's row in the service table (signing name ``kms``): its lists answered a page at a time.

moto 5.2 answers ``ListKeys`` and ``ListAliases`` with every key or alias at once and
``Truncated: false``, whatever the ``Limit``. KMS pages them, and a caller that reads only
the first page sees everything on moto but misses keys and aliases on AWS (an account's
AWS managed aliases alone fill much of a first ``ListAliases`` page). So the emulator pages
moto's whole answer as the KMS API reference says:

* ``ListKeys``: ``Limit`` 1 to 1000, 100 when absent (API_ListKeys, "Limit");
* ``ListAliases``: ``Limit`` 1 to 100, 50 when absent, with or without ``KeyId``
  (API_ListAliases, "Limit");
* both: ``Truncated`` says whether more remain and ``NextMarker``, present only then, is the
  ``Marker`` of the next call; a ``Marker`` KMS did not hand out is
  ``InvalidMarkerException`` (the operations' Errors sections); a ``Limit`` out of range is
  a ``ValidationException`` (the request's constraints).

The marker is opaque to the caller, as KMS's is: the operation and the position, encoded.
"""

from __future__ import annotations

import base64
import json

from .aws_errors import AwsError, HttpResponse, json_response
from .request_info import AwsRequest
from .service_hooks import Call, ServiceHooks

# Operation -> (the answer's list member, the largest Limit, the Limit when absent).
PAGED_LISTS = {
    "ListKeys": ("Keys", 1000, 100),
    "ListAliases": ("Aliases", 100, 50),
}


class KmsHooks(ServiceHooks):
    def intercepts(self, request: AwsRequest) -> bool:
        return request.operation in PAGED_LISTS

    def before(self, call: Call) -> HttpResponse | None:
        # Checked before moto, so that a bad request fails however moto would answer it.
        _limit(call)
        _start(call)
        return None

    def after(self, call: Call, response: HttpResponse) -> HttpResponse:
        if response.status != 200:
            return response
        member, _, _ = PAGED_LISTS[call.operation]
        answer = json.loads(response.body)
        items = answer.get(member) or []
        start, limit = _start(call), _limit(call)
        if start > len(items):
            # The list shrank since the marker was handed out: nothing is left past it.
            start = len(items)
        page = items[start : start + limit]
        answer[member] = page
        answer["Truncated"] = start + limit < len(items)
        if answer["Truncated"]:
            answer["NextMarker"] = marker(call.operation, start + limit)
        else:
            answer.pop("NextMarker", None)
        return json_response(answer)


def marker(operation: str, position: int) -> str:
    """The ``NextMarker`` of a page of ``operation`` that ends before ``position``."""
    return base64.urlsafe_b64encode(f"{operation}:{position}".encode()).decode()


def _start(call: Call) -> int:
    given = call.params.get("Marker")
    if given is None:
        return 0
    invalid = AwsError("InvalidMarkerException", "The marker that specifies where pagination should next begin is not valid.")
    try:
        operation, _, position = base64.urlsafe_b64decode(str(given).encode()).decode().partition(":")
        start = int(position)
    except (ValueError, UnicodeDecodeError):
        raise invalid from None
    if operation != call.operation or start < 1:
        raise invalid
    return start


def _limit(call: Call) -> int:
    _, most, default = PAGED_LISTS[call.operation]
    given = call.params.get("Limit")
    if given is None:
        return default
    if not isinstance(given, int) or isinstance(given, bool) or not 1 <= given <= most:
        raise AwsError(
            "ValidationException",
            f"1 validation error detected: Value '{given}' at 'limit' failed to satisfy constraint: "
            f"Member must have value between 1 and {most}",
        )
    return given
