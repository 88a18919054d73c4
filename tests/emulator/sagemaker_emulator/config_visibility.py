"""A new endpoint configuration that CreateEndpoint and UpdateEndpoint cannot find yet (eventual consistency).

SageMaker API Reference, "CreateEndpoint"
(https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpoint.html), note:

    "When you call CreateEndpoint, a load call is made to DynamoDB to verify that your
    endpoint configuration exists. When you read data from a DynamoDB table supporting
    Eventually Consistent Reads, the response might not reflect the results of a recently
    completed write operation. ... If the dependent entities are not yet in DynamoDB, this
    causes a validation error. If you repeat your read request after a short time, the
    response should return the latest data. So retry logic is recommended to handle these
    possible issues."

The validation error is the one SageMaker answers for a configuration it cannot
find: ``ValidationException: Could not find endpoint configuration "<arn>".`` (the
prefix AWS's SageMaker operator for Kubernetes matches for UpdateEndpoint,
aws/amazon-sagemaker-operator-for-k8s, clientwrapper:
``UpdateEndpointUnableToFindEndpointConfigMessagePrefix = "Could not find endpoint
configuration"``, code ``ValidationException``). UpdateEndpoint looks the new
configuration up the same way, so the emulator applies the window to both.

The emulator plays this with the setting ``endpoint_config_propagation_seconds`` (0
by default: a configuration is found at once): for that long after
``CreateEndpointConfig`` succeeded, CreateEndpoint and UpdateEndpoint naming it are
refused with that error. DescribeEndpointConfig (which AWS recommends calling first)
sees it at once.
"""

from __future__ import annotations

from typing import Any

from .aws_errors import validation_error

CREATED_AT = "emulator_created_at"  # attribute set on moto's endpoint configuration


def not_found_message(config_arn: str) -> str:
    return f'Could not find endpoint configuration "{config_arn}".'


def record_creation(config: Any, at: float) -> None:
    """Note when ``config`` (moto's object) was created, on the emulator clock."""
    setattr(config, CREATED_AT, at)


def require_visible(config: Any, config_arn: str, now: float, window: float) -> None:
    """Raise SageMaker's not-found error while ``config`` is younger than ``window`` seconds at ``now``."""
    created = getattr(config, CREATED_AT, None)
    if created is not None and now < created + window:
        raise validation_error(not_found_message(config_arn))
