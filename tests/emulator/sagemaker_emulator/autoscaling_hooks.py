"""Application Auto Scaling hooks: moto's answers put right where AWS differs.

* A scalable target that is not registered: ``DeregisterScalableTarget`` and
  ``PutScalingPolicy`` answer ``ObjectNotFoundException`` ("For any operation that
  depends on the existence of a scalable target, this exception is thrown if the
  scalable target with the specified service namespace, resource ID, and scalable
  dimension does not exist.", API Reference, "DeregisterScalableTarget" and
  "PutScalingPolicy", Errors) with AWS's message ``No scalable target registered for
  service namespace: <ns>, resource ID: <id>, scalable dimension: <dim>`` (as the AWS
  CLI prints it in public reports); moto answers ``ValidationException`` for the
  first and accepts the second.
* A scaling policy that does not exist: ``DeleteScalingPolicy`` answers
  ``ObjectNotFoundException`` (API Reference, "DeleteScalingPolicy", Errors); the
  message keeps moto's wording (AWS's was not found).
* ``DeregisterScalableTarget`` also deletes the target's scaling policies
  (:mod:`variant_autoscaling`).
* the inference component dimension ``sagemaker:inference-component:DesiredCopyCount`` and the alarms
  of target tracking on it (:mod:`component_autoscaling`, installed before the first call).
* ``DescribeScalingPolicies`` filters by ``ResourceId``, ``ScalableDimension``
  and ``PolicyNames`` ("You can filter the results using the ResourceId,
  ScalableDimension, and PolicyNames parameters"; ``PolicyNames``: "The names
  of the scaling policies to describe.", API Reference,
  "DescribeScalingPolicies"). moto ignores ``PolicyNames`` and matches a
  ``ResourceId`` that merely contains the policy's, so a deleted policy looked
  present while its target had another.
"""

from __future__ import annotations

import json

from . import component_autoscaling
from .aws_errors import AwsError, HttpResponse, json_response
from .moto_access import autoscaling_backend
from .request_info import AwsRequest
from .service_hooks import Call, ServiceHooks
from .variant_autoscaling import deregister, registered

OBJECT_NOT_FOUND = "ObjectNotFoundException"
TARGET_OPERATIONS = ("DeregisterScalableTarget", "PutScalingPolicy")


def target_not_found(params: dict) -> AwsError:
    return AwsError(
        OBJECT_NOT_FOUND,
        f"No scalable target registered for service namespace: {params.get('ServiceNamespace')}, resource ID: "
        f"{params.get('ResourceId')}, scalable dimension: {params.get('ScalableDimension')}",
    )


def policy_not_found(params: dict) -> AwsError:
    return AwsError(
        OBJECT_NOT_FOUND,
        f"No scaling policy found for service namespace: {params.get('ServiceNamespace')}, resource ID: "
        f"{params.get('ResourceId')}, scalable dimension: {params.get('ScalableDimension')}, policy name: "
        f"{params.get('PolicyName')}",
    )


class AutoscalingHooks(ServiceHooks):
    """Application Auto Scaling's row in the service table (see the module docstring)."""

    def intercepts(self, request: AwsRequest) -> bool:
        # Every call: the inference component dimension must be known to moto before any call names it
        # (:func:`component_autoscaling.install`).
        return True

    def after(self, call: Call, response: HttpResponse) -> HttpResponse:
        if call.operation == "DescribeScalingPolicies" and response.status < 300:
            return only_policies_asked(call.params, response)
        return response

    def before(self, call: Call) -> HttpResponse | None:
        component_autoscaling.install()
        params = call.params
        backend = autoscaling_backend(call.account_id, call.region)
        if call.operation in TARGET_OPERATIONS:
            if params.get("ScalableDimension") not in registered(backend, params.get("ResourceId")):
                raise target_not_found(params)
            if call.operation == "DeregisterScalableTarget":
                deregister(backend, params["ResourceId"], params["ScalableDimension"])
                return json_response({})
        if call.operation == "DeleteScalingPolicy":
            policies = [
                policy
                for policy in backend.policies.values()
                if (policy.policy_name, policy.resource_id, policy.scalable_dimension, policy.service_namespace)
                == (params.get("PolicyName"), params.get("ResourceId"), params.get("ScalableDimension"), params.get("ServiceNamespace"))
            ]
            if not policies:
                raise policy_not_found(params)
        return None


def only_policies_asked(params: dict, response: HttpResponse) -> HttpResponse:
    """moto's DescribeScalingPolicies answer without the policies the request did not ask for."""
    names = params.get("PolicyNames") or []
    resource_id = params.get("ResourceId")
    answer = json.loads(response.body or b"{}")

    def asked(policy: dict) -> bool:
        return (not names or policy.get("PolicyName") in names) and (
            not resource_id or policy.get("ResourceId") == resource_id
        )

    answer["ScalingPolicies"] = [policy for policy in answer.get("ScalingPolicies", []) if asked(policy)]
    return json_response(answer, response.status)
