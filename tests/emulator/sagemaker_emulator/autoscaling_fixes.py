"""Application Auto Scaling errors moto words differently from AWS, put right.

Deleting a scaling policy or deregistering a scalable target that does not exist:
moto answers ``ValidationException`` ("No scaling policy found for ...", "No
scalable target found for ..."); AWS answers ``ObjectNotFoundException`` (Application
Auto Scaling API Reference, ``ObjectNotFoundException``: "For any operation that
deletes or deregisters a resource, this exception is thrown if the resource cannot
be found."; both operations list it among their errors). A client that treats "not
found" as "already deleted" (a retried delete whose first answer was lost, a refresh
after an interrupted destroy) depends on the code.

:class:`AutoScalingHooks` is Application Auto Scaling's row in the service table: it
intercepts those two operations only and keeps moto's message.
"""

from __future__ import annotations

import json

from .aws_errors import AwsError, HttpResponse, render
from .request_info import AwsRequest
from .service_hooks import Call, ServiceHooks

# operation -> the start of moto's message for an object that does not exist
MISSING_OBJECT_MESSAGES = {
    "DeleteScalingPolicy": "No scaling policy found",
    "DeregisterScalableTarget": "No scalable target found",
}


def not_found_instead(operation: str, response: HttpResponse, protocol: str) -> HttpResponse:
    """``response``, or AWS's ``ObjectNotFoundException`` when it is moto's missing-object error."""
    if response.status != 400:
        return response
    try:
        error = json.loads(response.body)
    except ValueError:
        return response
    code = str(error.get("__type", "")).rsplit("#", 1)[-1]
    message = str(error.get("message") or error.get("Message") or "")
    if code == "ValidationException" and message.startswith(MISSING_OBJECT_MESSAGES[operation]):
        return render(AwsError("ObjectNotFoundException", message, 400), protocol)
    return response


class AutoScalingHooks(ServiceHooks):
    """Application Auto Scaling's row in the service table (see the module docstring)."""

    def intercepts(self, request: AwsRequest) -> bool:
        return request.operation in MISSING_OBJECT_MESSAGES

    def after(self, call: Call, response: HttpResponse) -> HttpResponse:
        return not_found_instead(call.operation, response, call.request.protocol)
