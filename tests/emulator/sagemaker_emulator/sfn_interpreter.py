"""Runs an Amazon States Language state machine: states, transitions, Retry and Catch.

Source: Amazon States Language specification (https://states-language.net/spec.html)
and the Step Functions Developer Guide, "Discovering workflow states"
(https://docs.aws.amazon.com/step-functions/latest/dg/workflow-states.html):

* ``Task``: ``InputPath`` -> ``Parameters`` -> the task (:class:`TaskRunner`) ->
  ``ResultSelector`` -> ``ResultPath`` (on the state's raw input) -> ``OutputPath``;
  ``Retry`` then ``Catch`` on an error;
* ``Pass``: like a task whose result is ``Result`` (or the effective input);
* ``Choice``: the first rule that holds (:mod:`sfn_choice`), else ``Default``, else
  ``States.NoChoiceMatched``;
* ``Wait``: ``Seconds``, ``SecondsPath``, ``Timestamp``, ``TimestampPath``; the
  wait lasts that many state machine seconds times ``sfn_time_scale`` emulator seconds;
* ``Succeed``, ``Fail`` (``Error`` / ``Cause``, or ``ErrorPath`` / ``CausePath``);
* ``Parallel`` (branches run one after the other; the output is their outputs in
  order) and ``Map`` (``ItemsPath`` / ``Items``, ``ItemSelector`` / ``Parameters``,
  ``ItemProcessor`` / ``Iterator``; items run one after the other).

Retry (Developer Guide, "Handling errors", "Retrying after an error"): the first
retrier whose ``ErrorEquals`` matches; ``IntervalSeconds`` (default 1) times
``BackoffRate`` (default 2.0) per attempt, capped by ``MaxDelaySeconds``, at most
``MaxAttempts`` (default 3, 0 = never) retries. Catch: the first catcher whose
``ErrorEquals`` matches; its ``ResultPath`` (default ``$``) puts
``{"Error", "Cause"}`` on the state's input and the execution goes on at ``Next``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from . import sfn_choice, sfn_paths
from .sfn_errors import NO_CHOICE_MATCHED, RUNTIME, StatesError, matches
from .sfn_history import STATE_EVENT_PREFIX, ExecutionHistory

_ABSENT = object()


class TaskRunner(Protocol):
    def __call__(self, resource: str, parameters: Any, history: ExecutionHistory) -> Any:
        """Run a Task state's resource with its parameters; its result, or raise :class:`StatesError`."""


# Sleep this many state machine seconds (scaled by the caller); raises ExecutionAborted when stopped meanwhile.
Sleeper = Callable[[float], None]


def _text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


class Interpreter:
    """One execution's interpreter; :meth:`run` returns the output or raises :class:`StatesError`."""

    def __init__(
        self,
        definition: dict,
        context: dict,
        run_task: TaskRunner,
        sleep: Sleeper,
        history: ExecutionHistory,
        clock: Callable[[], float],
    ) -> None:
        self.definition = definition
        self.context = context
        self.run_task = run_task
        self.sleep = sleep
        self.history = history
        self.clock = clock

    def run(self, execution_input: Any) -> Any:
        return self._run_machine(self.definition, execution_input)

    # --- the state loop -------------------------------------------------------------------

    def _run_machine(self, machine: dict, data: Any) -> Any:
        states = machine.get("States") or {}
        name = machine.get("StartAt")
        while True:
            self.sleep(0)  # a stopped execution goes no further (raises ExecutionAborted)
            state = states.get(name)
            if not isinstance(state, dict):
                raise StatesError(RUNTIME, f"The state '{name}' does not exist in the state machine")
            kind = state.get("Type")
            prefix = STATE_EVENT_PREFIX.get(kind, kind)
            self.context["State"] = {"Name": name, "EnteredTime": _iso(self.clock()), "RetryCount": 0}
            self.history.add(f"{prefix}StateEntered", {"name": name, "input": _text(data), "inputDetails": {"truncated": False}})
            try:
                output, following = self._run_state(name, state, data)
            except StatesError as error:
                catcher = self._catcher(state, error)
                if catcher is None:
                    raise
                output = sfn_paths.result_path(
                    catcher.get("ResultPath", "$"), data, {"Error": error.error, "Cause": error.cause}
                )
                following = catcher["Next"]
            self.history.add(f"{prefix}StateExited", {"name": name, "output": _text(output), "outputDetails": {"truncated": False}})
            if following is None:
                return output
            name, data = following, output

    @staticmethod
    def _catcher(state: dict, error: StatesError) -> dict | None:
        if state.get("Type") not in ("Task", "Parallel", "Map"):
            return None
        for catcher in state.get("Catch") or []:
            if matches(catcher.get("ErrorEquals") or [], error.error):
                return catcher
        return None

    def _run_state(self, name: str, state: dict, data: Any) -> tuple[Any, str | None]:
        kind = state.get("Type")
        following = None if state.get("End") else state.get("Next")
        if kind == "Pass":
            effective = self._effective_input(state, data)
            result = state["Result"] if "Result" in state else effective
            return self._output(state, data, result), following
        if kind == "Task":
            effective = self._effective_input(state, data)
            result = self._with_retries(state, lambda: self.run_task(state["Resource"], effective, self.history))
            return self._output(state, data, self._selected(state, result)), following
        if kind == "Choice":
            effective = sfn_paths.input_path(state.get("InputPath", "$"), data, self.context)
            chosen = sfn_choice.next_state(state, effective, self.context)
            if chosen is None:
                raise StatesError(NO_CHOICE_MATCHED, f"No Choice Rules matched and no Default was specified in state '{name}'")
            return sfn_paths.input_path(state.get("OutputPath", "$"), effective, self.context), chosen
        if kind == "Wait":
            effective = sfn_paths.input_path(state.get("InputPath", "$"), data, self.context)
            self.sleep(self._wait_seconds(state, effective))
            return sfn_paths.input_path(state.get("OutputPath", "$"), effective, self.context), following
        if kind == "Succeed":
            effective = sfn_paths.input_path(state.get("InputPath", "$"), data, self.context)
            return sfn_paths.input_path(state.get("OutputPath", "$"), effective, self.context), None
        if kind == "Fail":
            error = state.get("Error")
            cause = state.get("Cause")
            if "ErrorPath" in state:
                error = self._dynamic_text(state["ErrorPath"], data)
            if "CausePath" in state:
                cause = self._dynamic_text(state["CausePath"], data)
            raise StatesError(error or "", cause or "")
        if kind == "Parallel":
            effective = self._effective_input(state, data)
            result = self._with_retries(state, lambda: [self._run_machine(branch, effective) for branch in state.get("Branches") or []])
            return self._output(state, data, self._selected(state, result)), following
        if kind == "Map":
            effective = sfn_paths.input_path(state.get("InputPath", "$"), data, self.context)
            result = self._with_retries(state, lambda: self._map(state, effective))
            return self._output(state, data, self._selected(state, result)), following
        raise StatesError(RUNTIME, f"Unsupported state type '{kind}' in state '{name}'")

    def _dynamic_text(self, expression: str, data: Any) -> str:
        value = sfn_paths.template({"value.$": expression}, data, self.context)["value"]
        return value if isinstance(value, str) else _text(value)

    # --- input and output processing ------------------------------------------------------

    def _effective_input(self, state: dict, data: Any) -> Any:
        effective = sfn_paths.input_path(state.get("InputPath", "$"), data, self.context)
        if "Parameters" in state:
            effective = sfn_paths.template(state["Parameters"], effective, self.context)
        return effective

    def _selected(self, state: dict, result: Any) -> Any:
        if "ResultSelector" in state:
            return sfn_paths.template(state["ResultSelector"], result, self.context)
        return result

    def _output(self, state: dict, data: Any, result: Any) -> Any:
        combined = sfn_paths.result_path(state.get("ResultPath", "$"), data, result)
        return sfn_paths.input_path(state.get("OutputPath", "$"), combined, self.context)

    # --- Wait, Retry, Map -----------------------------------------------------------------

    def _wait_seconds(self, state: dict, data: Any) -> float:
        if "Seconds" in state:
            seconds = state["Seconds"]
        elif "SecondsPath" in state:
            seconds = sfn_paths.read(state["SecondsPath"], data, self.context)
        elif "Timestamp" in state or "TimestampPath" in state:
            stamp = state.get("Timestamp")
            if stamp is None:
                stamp = sfn_paths.read(state["TimestampPath"], data, self.context)
            try:
                moment = datetime.fromisoformat(str(stamp).replace("Z", "+00:00")).timestamp()
            except ValueError:
                raise StatesError(RUNTIME, f"The timestamp '{stamp}' of the Wait state is not an RFC 3339 timestamp") from None
            return max(0.0, moment - self.clock())
        else:
            raise StatesError(RUNTIME, "A Wait state needs Seconds, SecondsPath, Timestamp or TimestampPath")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise StatesError(RUNTIME, f"The Wait seconds '{seconds}' are not a non-negative number")
        return float(seconds)

    def _with_retries(self, state: dict, attempt: Callable[[], Any]) -> Any:
        retriers = state.get("Retry") or []
        attempts = [0] * len(retriers)
        while True:
            try:
                return attempt()
            except StatesError as error:
                index = next((i for i, r in enumerate(retriers) if matches(r.get("ErrorEquals") or [], error.error)), None)
                if index is None:
                    raise
                retrier = retriers[index]
                if attempts[index] >= int(retrier.get("MaxAttempts", 3)):
                    raise
                delay = float(retrier.get("IntervalSeconds", 1)) * float(retrier.get("BackoffRate", 2.0)) ** attempts[index]
                if "MaxDelaySeconds" in retrier:
                    delay = min(delay, float(retrier["MaxDelaySeconds"]))
                attempts[index] += 1
                self.context.setdefault("State", {})["RetryCount"] = sum(attempts)
                self.sleep(delay)

    def _map(self, state: dict, data: Any) -> list:
        items = state["Items"] if "Items" in state else sfn_paths.read(state.get("ItemsPath", "$"), data, self.context)
        if not isinstance(items, list):
            raise StatesError(RUNTIME, f"The Map state's items are not an array: {_text(items)}")
        processor = state.get("ItemProcessor") or state.get("Iterator") or {}
        selector = state.get("ItemSelector", state.get("Parameters", _ABSENT))
        outputs = []
        for index, item in enumerate(items):
            self.context["Map"] = {"Item": {"Index": index, "Value": item}}
            value = item if selector is _ABSENT else sfn_paths.template(selector, data, self.context)
            outputs.append(self._run_machine(processor, value))
        return outputs


def _iso(epoch: float) -> str:
    from datetime import timezone

    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
