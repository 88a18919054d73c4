"""Task states that call SageMaker: which resources Step Functions accepts, and how a task runs.

Resources (Developer Guide, "Create and manage Amazon SageMaker AI jobs with Step
Functions", https://docs.aws.amazon.com/step-functions/latest/dg/connect-sagemaker.html,
and "Learning to use AWS service SDK integrations in Step Functions",
https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html):

* optimized integrations ``arn:aws:states:::sagemaker:<api>`` for the APIs of
  :data:`OPTIMIZED_APIS`, ``.sync`` for the jobs of :data:`SYNC_APIS` (the emulator
  runs ``createTrainingJob.sync``; the other jobs' ``.sync`` are refused as not
  emulated); any other ``sagemaker:<api>`` is not a resource Step Functions knows;
* AWS SDK integrations ``arn:aws:states:::aws-sdk:sagemaker:<apiAction>`` for any
  SageMaker API (request-response: the answer of the call is the task's result);
  "the API action ... is camelCase" and "Parameters ... are expressed in PascalCase".

Each call goes to the emulated SageMaker (:mod:`internal_calls`), with the same rules
and state as a direct call. Before it, the state machine's role must allow the call
(:mod:`sfn_role`): ``sagemaker:<Operation>`` on the object's ARN, and ``iam:PassRole``
on any role passed (``RoleArn``, ``ExecutionRoleArn``) - the policies Step Functions
generates for SageMaker (Developer Guide, "IAM policies for Amazon SageMaker",
https://docs.aws.amazon.com/step-functions/latest/dg/sagemaker-iam.html). A
``.sync`` training task also needs ``sagemaker:DescribeTrainingJob`` (the same page).

Errors (the task fails with them; Retry / Catch see them):

* AWS SDK integrations: ``SageMaker.<ErrorCode>`` with the ``Exception`` suffix added
  when missing ("the resulting Error field will be composed of the service name and
  the error name, separated by a period ... make sure you add the Exception suffix",
  the SDK integrations page): ``SageMaker.ValidationException``,
  ``SageMaker.ResourceNotFoundException``, ``SageMaker.AccessDeniedException``;
* optimized integrations: the AWS SDK for Java's exception names,
  ``SageMaker.<ModeledError>Exception`` for the errors SageMaker's API model declares
  (``ResourceLimitExceeded`` -> ``SageMaker.ResourceLimitExceededException``) and
  ``SageMaker.AmazonSageMakerException`` for the others (validation, access denied,
  throttling) - the names the Step Functions guide's SageMaker examples retry on;
  the cause in the Java SDK's form ``<message> (Service: AmazonSageMaker; Status Code:
  400; Error Code: <code>; Request ID: <id>; Proxy: null)``;
* a ``.sync`` job that ends ``Failed`` or ``Stopped``: ``States.TaskFailed``, the cause
  being the job's description (JSON) with its ``FailureReason``.

Missing permissions answer as IAM does: ``AccessDeniedException``, ``User:
arn:aws:sts::<account>:assumed-role/<role>/<session> is not authorized to perform:
<action> on resource: <arn> because no identity-based policy allows the <action>
action`` (IAM User Guide, "Troubleshoot access denied error messages"); the session
name is the emulator's.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .internal_calls import CallResult, Dispatch, json_call
from .moto_access import sagemaker_arn, sagemaker_backend
from .sfn_errors import RUNTIME, TASK_FAILED, ExecutionAborted, StatesError
from .sfn_history import ExecutionHistory
from .sfn_role import role_for_states, states_may
from .state_lock import EMULATOR_LOCK

STATES_PREFIX = "arn:aws:states:::"

# Optimized SageMaker integrations Step Functions offers (connect-sagemaker.html, "Supported Amazon SageMaker APIs and syntax").
OPTIMIZED_APIS = {
    "createEndpoint",
    "createEndpointConfig",
    "createHyperParameterTuningJob",
    "createLabelingJob",
    "createModel",
    "createProcessingJob",
    "createTrainingJob",
    "createTransformJob",
    "updateEndpoint",
}
SYNC_APIS = {"createHyperParameterTuningJob", "createLabelingJob", "createProcessingJob", "createTrainingJob", "createTransformJob"}
EMULATED_SYNC_APIS = {"createTrainingJob"}

# Operation -> (ARN resource type, request field with the name): the resource an IAM policy is checked against.
_RESOURCE_FIELDS = {
    "CreateTrainingJob": ("training-job", "TrainingJobName"),
    "DescribeTrainingJob": ("training-job", "TrainingJobName"),
    "StopTrainingJob": ("training-job", "TrainingJobName"),
    "CreateModel": ("model", "ModelName"),
    "DescribeModel": ("model", "ModelName"),
    "DeleteModel": ("model", "ModelName"),
    "CreateEndpointConfig": ("endpoint-config", "EndpointConfigName"),
    "DescribeEndpointConfig": ("endpoint-config", "EndpointConfigName"),
    "DeleteEndpointConfig": ("endpoint-config", "EndpointConfigName"),
    "CreateEndpoint": ("endpoint", "EndpointName"),
    "UpdateEndpoint": ("endpoint", "EndpointName"),
    "DescribeEndpoint": ("endpoint", "EndpointName"),
    "DeleteEndpoint": ("endpoint", "EndpointName"),
    "UpdateEndpointWeightsAndCapacities": ("endpoint", "EndpointName"),
    "CreateModelPackageGroup": ("model-package-group", "ModelPackageGroupName"),
    "DescribeModelPackageGroup": ("model-package-group", "ModelPackageGroupName"),
    "DeleteModelPackageGroup": ("model-package-group", "ModelPackageGroupName"),
}
_PACKAGE_FIELDS = {
    "DescribeModelPackage": "ModelPackageName",
    "UpdateModelPackage": "ModelPackageArn",
    "DeleteModelPackage": "ModelPackageName",
}


@dataclass(frozen=True)
class TaskResource:
    """A parsed Task ``Resource``: ``service`` (signing name), ``api`` (camelCase), integration ``pattern``."""

    resource: str
    service: str
    api: str
    pattern: str  # "request-response", "sync", "waitForTaskToken"
    sdk: bool

    @property
    def operation(self) -> str:
        return self.api[:1].upper() + self.api[1:]

    @property
    def resource_type(self) -> str:
        return f"aws-sdk:{self.service}" if self.sdk else self.service

    @property
    def short_name(self) -> str:
        """The part after the service, as history events show it (``createTrainingJob.sync``)."""
        return self.api + ("" if self.pattern == "request-response" else f".{self.pattern}")


def parse_resource(resource: str) -> TaskResource | None:
    """The SageMaker task resource, or ``None`` for any other resource."""
    if not isinstance(resource, str) or not resource.startswith(STATES_PREFIX):
        return None
    rest = resource[len(STATES_PREFIX):]
    sdk = rest.startswith("aws-sdk:")
    if sdk:
        rest = rest[len("aws-sdk:"):]
    service, _, action = rest.partition(":")
    if service != "sagemaker" or not action:
        return None
    api, _, suffix = action.partition(".")
    pattern = suffix or "request-response"
    return TaskResource(resource, service, api, pattern, sdk)


def definition_problem(task: TaskResource) -> str | None:
    """Why Step Functions does not accept this SageMaker resource in a definition, or ``None``."""
    if task.pattern not in ("request-response", "sync", "waitForTaskToken"):
        return "not recognized"
    if task.sdk:
        if task.pattern == "sync":
            return "not recognized"  # AWS SDK integrations offer request-response and .waitForTaskToken only
        if not task.api[:1].islower() or task.operation not in _operation_names():
            return "not recognized"  # "the API action ... camelCase" of an operation of the service
        return None
    if task.api not in OPTIMIZED_APIS or (task.pattern == "sync" and task.api not in SYNC_APIS):
        return "not recognized"
    return None


def runs_training_sync(task: TaskResource) -> bool:
    return not task.sdk and task.api == "createTrainingJob" and task.pattern == "sync"


@functools.lru_cache(maxsize=1)
def _operation_names() -> frozenset[str]:
    import botocore.session

    return frozenset(botocore.session.get_session().get_service_model("sagemaker").operation_names)


@functools.lru_cache(maxsize=1)
def _modeled_errors() -> frozenset[str]:
    import botocore.session

    return frozenset(shape.name for shape in botocore.session.get_session().get_service_model("sagemaker").error_shapes)


def error_name(task: TaskResource, code: str) -> str:
    with_suffix = code if code.endswith("Exception") else code + "Exception"
    if task.sdk:
        return f"SageMaker.{with_suffix}"
    return f"SageMaker.{with_suffix}" if code in _modeled_errors() else "SageMaker.AmazonSageMakerException"


def error_cause(task: TaskResource, code: str, message: str, status: int, request_id: str) -> str:
    if task.sdk:
        return f"{message} (Service: SageMaker, Status Code: {status}, Request ID: {request_id})"
    return f"{message} (Service: AmazonSageMaker; Status Code: {status}; Error Code: {code}; Request ID: {request_id}; Proxy: null)"


class SageMakerTasks:
    """Runs the SageMaker tasks of one execution (account, region, role)."""

    def __init__(
        self,
        dispatch: Dispatch,
        account: str,
        region: str,
        role_arn: str,
        session_name: str,
        clock: Callable[[], float],
        propagation_seconds: Callable[[], float],
        wait: Callable[[float], None],
        poll_seconds: Callable[[], float],
        stopped_by_user: Callable[[], bool] = lambda: False,
    ) -> None:
        """``wait(seconds)`` waits on the emulator clock and raises ``ExecutionAborted`` once the execution
        is stopped (``wait(0)`` only checks), so a stopped execution makes no further call."""
        self.dispatch = dispatch
        self.account = account
        self.region = region
        self.role_arn = role_arn
        self.session_name = session_name
        self.clock = clock
        self.propagation_seconds = propagation_seconds
        self.wait = wait
        self.poll_seconds = poll_seconds
        self.stopped_by_user = stopped_by_user

    def __call__(self, resource: str, parameters: Any, history: ExecutionHistory) -> Any:
        task = parse_resource(resource)
        if task is None or definition_problem(task) is not None:
            raise StatesError(RUNTIME, f"The emulator does not run the task resource '{resource}'.")
        if task.pattern == "waitForTaskToken" or (task.pattern == "sync" and not runs_training_sync(task)):
            raise StatesError(RUNTIME, f"The emulator does not run the task resource '{resource}' ({task.pattern}).")
        details = {"resourceType": task.resource_type, "resource": task.short_name}
        history.add("TaskScheduled", {**details, "region": self.region, "parameters": json.dumps(parameters, separators=(",", ":"))})
        history.add("TaskStarted", dict(details))
        try:
            result = self._call(task, task.operation, parameters if isinstance(parameters, dict) else {})
            if runs_training_sync(task):
                history.add("TaskSubmitted", {**details, "output": json.dumps(result), "outputDetails": {"truncated": False}})
                result = self._wait_for_training_job(task, parameters.get("TrainingJobName"))
        except StatesError as error:
            history.add("TaskFailed", {**details, "error": error.error, "cause": error.cause})
            raise
        history.add("TaskSucceeded", {**details, "output": json.dumps(result), "outputDetails": {"truncated": False}})
        return result

    # --- one call -----------------------------------------------------------------------------

    def _call(self, task: TaskResource, operation: str, params: dict) -> dict:
        self.wait(0)
        self._check_permissions(task, operation, params)
        answer: CallResult = json_call(self.dispatch, task.service, operation, params, self.account, self.region)
        if not answer.ok:
            raise StatesError(
                error_name(task, answer.error_code),
                error_cause(task, answer.error_code, answer.message, answer.status, answer.request_id),
            )
        return answer.payload

    def _check_permissions(self, task: TaskResource, operation: str, params: dict) -> None:
        with EMULATOR_LOCK:
            role = role_for_states(self.role_arn, self.clock(), self.propagation_seconds())
            needed = [(f"sagemaker:{operation}", self._resource_arn(operation, params))]
            for field, value in params.items():
                if field.endswith("RoleArn") and isinstance(value, str) and ":iam::" in value:
                    needed.append(("iam:PassRole", value))
            refused = next(((action, arn) for action, arn in needed if not states_may(role, self.region, action, arn)), None)
        if refused is not None:
            action, arn = refused
            role_name = self.role_arn.rsplit("/", 1)[-1]
            message = (
                f"User: arn:aws:sts::{self.account}:assumed-role/{role_name}/{self.session_name} is not authorized to "
                f"perform: {action} on resource: {arn} because no identity-based policy allows the {action} action"
            )
            code = "AccessDeniedException"
            raise StatesError(error_name(task, code), error_cause(task, code, message, 400, "00000000-0000-0000-0000-000000000000"))

    def _resource_arn(self, operation: str, params: dict) -> str:
        if operation in _RESOURCE_FIELDS:
            kind, field = _RESOURCE_FIELDS[operation]
            return sagemaker_arn(kind, str(params.get(field) or ""), self.account, self.region)
        if operation in _PACKAGE_FIELDS:
            name = str(params.get(_PACKAGE_FIELDS[operation]) or "")
            return name if name.startswith("arn:") else sagemaker_arn("model-package", name, self.account, self.region)
        if operation == "CreateModelPackage":
            group = params.get("ModelPackageGroupName")
            if group:
                group = str(group).rsplit("/", 1)[-1]
                with EMULATOR_LOCK:
                    backend = sagemaker_backend(self.account, self.region)
                    version = 1 + sum(1 for p in backend.model_packages.values() if p.model_package_group_name == group)
                return sagemaker_arn("model-package", f"{group}/{version}", self.account, self.region)
            return sagemaker_arn("model-package", str(params.get("ModelPackageName") or ""), self.account, self.region)
        return "*"

    # --- .sync ----------------------------------------------------------------------------------

    def _wait_for_training_job(self, task: TaskResource, name: Any) -> dict:
        """Poll DescribeTrainingJob (as Step Functions does for ``.sync``) until the job ends.

        When the execution is stopped meanwhile, the job is stopped too (``StopTrainingJob``, which the
        policy Step Functions generates for ``createTrainingJob.sync`` grants for that purpose), best effort.
        """
        while True:
            try:
                self.wait(self.poll_seconds())
            except ExecutionAborted:
                if self.stopped_by_user():
                    json_call(self.dispatch, task.service, "StopTrainingJob", {"TrainingJobName": name}, self.account, self.region)
                raise
            description = self._call(task, "DescribeTrainingJob", {"TrainingJobName": name})
            status = description.get("TrainingJobStatus")
            if status == "Completed":
                return description
            if status in ("Failed", "Stopped"):
                raise StatesError(TASK_FAILED, json.dumps(description, default=str))
