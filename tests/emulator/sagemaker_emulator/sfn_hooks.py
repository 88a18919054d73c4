"""Step Functions hooks (signing name ``states``): executions that run, and the checks on state machines.

* ``CreateStateMachine`` / ``UpdateStateMachine``: the definition is checked
  (:mod:`sfn_definition`); the role must be one Step Functions can assume
  (:mod:`sfn_role`: ``AccessDeniedException``, AWS's message); a definition with a
  ``sagemaker:createTrainingJob.sync`` task needs the role to allow
  ``events:PutTargets``, ``events:PutRule`` and ``events:DescribeRule`` on
  ``arn:aws:events:<region>:<account>:rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule``
  (Developer Guide, "IAM policies for Amazon SageMaker",
  https://docs.aws.amazon.com/step-functions/latest/dg/sagemaker-iam.html, "Run a Job
  (.sync)"); without them Step Functions answers ``AccessDeniedException: '<role arn>'
  is not authorized to create managed-rule.`` (AWS's answer as quoted in public
  deployment logs, e.g. aws-samples/amazon-sagemaker-safe-deployment-pipeline#29);
* ``StartExecution``: moto records the execution, then :mod:`sfn_executions` runs it;
* ``StopExecution`` and ``GetExecutionHistory`` are answered here from the run;
  ``DescribeExecution`` / ``ListExecutions`` are moto's, on the record the run updates.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from .aws_errors import JSON, AwsError, HttpResponse, json_response
from .request_info import AwsRequest
from .service_hooks import Call, HookEnvironment, ServiceHooks
from .sfn_definition import check, parse, runs_training_jobs_sync
from .sfn_executions import ExecutionRun, ExecutionRuns, moto_time
from .sfn_role import TRUST_MESSAGE, assumable_by_states, role_for_states, states_may

MANAGED_RULE = "StepFunctionsGetEventsForSageMakerTrainingJobsRule"
STATES_JSON = "application/x-amz-json-1.0"  # Step Functions speaks awsJson1_0
MANAGED_RULE_ACTIONS = ("events:PutTargets", "events:PutRule", "events:DescribeRule")


def stepfunctions_backend(account_id: str, region: str) -> Any:
    from moto.stepfunctions.models import stepfunctions_backends

    return stepfunctions_backends[account_id][region]


class StepFunctionsHooks(ServiceHooks):
    """Step Functions' row in the service table; owns the execution runs."""

    def __init__(self, environment: HookEnvironment) -> None:
        super().__init__(environment)
        self.runs = ExecutionRuns()

    def intercepts(self, request: AwsRequest) -> bool:
        return request.protocol == JSON

    def before(self, call: Call) -> HttpResponse | None:
        operation = call.operation
        if operation == "CreateStateMachine":
            self._check_state_machine(call, call.params.get("definition"), call.params.get("roleArn"))
        elif operation == "UpdateStateMachine":
            self._check_update(call)
        elif operation == "GetExecutionHistory":
            return self._history(call)
        elif operation == "StopExecution":
            return self._stop(call)
        return None

    def after(self, call: Call, response: HttpResponse) -> HttpResponse:
        if call.operation == "StartExecution" and response.status == 200:
            self._start(call, response)
        return response

    def reset(self) -> None:
        self.runs.clear()

    # --- state machines -------------------------------------------------------------------

    def _check_update(self, call: Call) -> None:
        definition, role_arn = call.params.get("definition"), call.params.get("roleArn")
        if definition is None and role_arn is None:
            return
        machine = self._machine(call, call.params.get("stateMachineArn"))
        if machine is None:
            return  # moto answers StateMachineDoesNotExist
        self._check_state_machine(call, definition if definition is not None else machine.definition, role_arn or machine.roleArn)

    def _check_state_machine(self, call: Call, text: Any, role_arn: Any) -> None:
        definition = parse(text)
        check(definition)
        if not isinstance(role_arn, str):
            return  # moto answers the missing role
        role = role_for_states(role_arn, self.environment.clock(), self.environment.settings.iam_propagation_seconds())
        if not assumable_by_states(role, call.region):
            raise AwsError("AccessDeniedException", TRUST_MESSAGE)
        if runs_training_jobs_sync(definition):
            rule = f"arn:aws:events:{call.region}:{call.account_id}:rule/{MANAGED_RULE}"
            if not all(states_may(role, call.region, action, rule) for action in MANAGED_RULE_ACTIONS):
                raise AwsError("AccessDeniedException", f"'{role_arn}' is not authorized to create managed-rule.")

    @staticmethod
    def _machine(call: Call, arn: Any) -> Any | None:
        backend = stepfunctions_backend(call.account_id, call.region)
        return next((machine for machine in backend.state_machines if machine.arn == arn), None)

    # --- executions -----------------------------------------------------------------------

    def _start(self, call: Call, response: HttpResponse) -> None:
        execution_arn = json.loads(response.body).get("executionArn")
        if self.runs.get(execution_arn) is not None:
            return  # an idempotent StartExecution answered the running execution again
        machine = self._machine(call, call.params.get("stateMachineArn"))
        if machine is None:
            return
        record = next((e for e in machine.executions if e.execution_arn == execution_arn), None)
        if record is None:
            return
        run = ExecutionRun(
            record=record,
            definition=parse(machine.definition),
            state_machine_arn=machine.arn,
            state_machine_name=machine.name,
            role_arn=machine.roleArn,
            settings=self.environment.settings,
            clock=self.environment.clock,
            dispatch=self.environment.dispatch,
        )
        record.start_date = moto_time(run.started_at)
        self.runs.add(run)
        run.start()

    def _stop(self, call: Call) -> HttpResponse | None:
        run = self.runs.get(call.params.get("executionArn"))
        if run is None:
            return None
        stopped_at = run.stop(call.params.get("error"), call.params.get("cause"))
        return json_response({"stopDate": stopped_at}, content_type=STATES_JSON)

    def _history(self, call: Call) -> HttpResponse | None:
        run = self.runs.get(call.params.get("executionArn"))
        if run is None:
            return None
        events = copy.deepcopy(run.history.events())  # trimmed below: never the stored events
        if call.params.get("reverseOrder"):
            events.reverse()
        if call.params.get("includeExecutionData") is False:
            for event in events:
                for value in event.values():
                    if isinstance(value, dict):
                        for key in ("input", "output", "parameters"):
                            value.pop(key, None)
        start = 0
        token = call.params.get("nextToken")
        if token:
            try:
                start = int(token)
            except ValueError:
                raise AwsError("InvalidToken", f"Invalid Token: '{token}'") from None
        size = int(call.params.get("maxResults") or 100) or 100
        page = events[start:start + size]
        answer: dict[str, Any] = {"events": page}
        if start + size < len(events):
            answer["nextToken"] = str(start + size)
        return json_response(answer, content_type=STATES_JSON)

