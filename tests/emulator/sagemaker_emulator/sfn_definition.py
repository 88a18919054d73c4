"""What ``CreateStateMachine`` / ``UpdateStateMachine`` check in a definition before accepting it.

moto stores any definition; Step Functions refuses an invalid one with
``InvalidDefinition`` (API Reference, CreateStateMachine, Errors:
https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html),
the message ``Invalid State Machine Definition: '<CODE>: <what> at <where>'`` (form as
quoted in public reports). The emulator checks:

* the definition is a JSON object with ``StartAt`` naming one of its ``States``
  (nested ``Parallel`` branches and ``Map`` processors too), every ``Next`` /
  ``Default`` / choice / catcher target exists (``MISSING_TRANSITION_TARGET``);
* a ``Type`` the Amazon States Language knows;
* a SageMaker Task ``Resource`` Step Functions knows (:func:`sfn_sagemaker.definition_problem`):
  ``The resource provided <arn> is not recognized. The value is not a valid resource
  ARN, or the resource is not available in this region.`` (``SCHEMA_VALIDATION_FAILED``).

It also says whether the definition runs a SageMaker training job with ``.sync``:
then the role needs the EventBridge managed-rule permissions (:mod:`sfn_hooks`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from .aws_errors import AwsError
from .sfn_sagemaker import definition_problem, parse_resource, runs_training_sync

STATE_TYPES = {"Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"}


def _invalid(code: str, what: str, where: str) -> AwsError:
    return AwsError("InvalidDefinition", f"Invalid State Machine Definition: '{code}: {what} at {where}'")


def parse(text: object) -> dict:
    """The definition as a dict; ``InvalidDefinition`` when it is not a JSON object."""
    try:
        definition = json.loads(text) if isinstance(text, str) else None
    except ValueError as error:
        raise AwsError("InvalidDefinition", f"Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: {error}'") from None
    if not isinstance(definition, dict):
        raise AwsError("InvalidDefinition", "Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: the definition is not a JSON object'")
    return definition


def _machines(machine: dict, where: str) -> Iterator[tuple[dict, str]]:
    """The machine and every nested one (Parallel branches, Map processors), with their location."""
    yield machine, where
    for name, state in (machine.get("States") or {}).items():
        if not isinstance(state, dict):
            continue
        for index, branch in enumerate(state.get("Branches") or []):
            if isinstance(branch, dict):
                yield from _machines(branch, f"{where}/States/{name}/Branches[{index}]")
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if isinstance(processor, dict):
            yield from _machines(processor, f"{where}/States/{name}/ItemProcessor")


def task_resources(definition: dict) -> Iterator[tuple[str, str]]:
    """``(resource, location)`` of every Task state."""
    for machine, where in _machines(definition, ""):
        for name, state in (machine.get("States") or {}).items():
            if isinstance(state, dict) and state.get("Type") == "Task":
                yield state.get("Resource"), f"{where}/States/{name}/Resource"


def check(definition: dict) -> None:
    """Raise ``InvalidDefinition`` for what Step Functions refuses (see the module docs)."""
    for machine, where in _machines(definition, ""):
        states = machine.get("States")
        if not isinstance(states, dict) or not states:
            raise _invalid("SCHEMA_VALIDATION_FAILED", "These fields are required: [States]", where or "/")
        if machine.get("StartAt") not in states:
            raise _invalid("MISSING_TRANSITION_TARGET", f"Missing 'StartAt' target: {machine.get('StartAt')}", f"{where}/StartAt")
        for name, state in states.items():
            here = f"{where}/States/{name}"
            if not isinstance(state, dict) or state.get("Type") not in STATE_TYPES:
                raise _invalid("SCHEMA_VALIDATION_FAILED", f"The value for the field 'Type' must be one of {sorted(STATE_TYPES)}", f"{here}/Type")
            targets = [("Next", state.get("Next")), ("Default", state.get("Default"))]
            targets += [(f"Choices[{i}]/Next", rule.get("Next")) for i, rule in enumerate(state.get("Choices") or []) if isinstance(rule, dict)]
            targets += [(f"Catch[{i}]/Next", c.get("Next")) for i, c in enumerate(state.get("Catch") or []) if isinstance(c, dict)]
            for field, target in targets:
                if target is not None and target not in states:
                    raise _invalid("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {target}", f"{here}/{field}")
    for resource, where in task_resources(definition):
        task = parse_resource(resource)
        if task is not None and definition_problem(task) is not None:
            raise _invalid(
                "SCHEMA_VALIDATION_FAILED",
                f"The resource provided {resource} is not recognized. The value is not a valid resource ARN, "
                "or the resource is not available in this region.",
                where,
            )


def runs_training_jobs_sync(definition: dict) -> bool:
    return any(
        (task := parse_resource(resource)) is not None and runs_training_sync(task)
        for resource, _ in task_resources(definition)
    )
