"""Step Functions executions that really run their state machine, each in a background thread.

moto records an execution (``StartExecution``) and answers ``DescribeExecution`` /
``ListExecutions`` from its ``Execution`` object, but runs nothing (it says
``RUNNING`` or ``SUCCEEDED`` whatever the definition). The emulator keeps moto's
records and replaces the behaviour: after moto accepted ``StartExecution``, an
:class:`ExecutionRun` interprets the definition (:mod:`sfn_interpreter`) in a thread,
calls the emulated services for its tasks (:mod:`sfn_sagemaker`), and writes what
``DescribeExecution`` answers into moto's object as the execution ends:

* ``SUCCEEDED`` with ``output``; ``FAILED`` with ``error`` and ``cause``; ``ABORTED``
  after ``StopExecution`` (optional ``error`` / ``cause``), with ``stopDate``
  (API Reference, DescribeExecution, ``status``: "RUNNING | SUCCEEDED | FAILED |
  TIMED_OUT | ABORTED | PENDING_REDRIVE");
* its history events (:mod:`sfn_history`) for ``GetExecutionHistory``.

Time: a ``Wait`` state or a retry interval of ``n`` seconds lasts ``n * sfn_time_scale``
emulator seconds; ``.sync`` tasks poll the job every ``sfn_sync_poll_seconds``; both on
the emulator's clock. Threads take :data:`~state_lock.EMULATOR_LOCK` only to read or
write state, never while calling a service.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from .settings import SettingsStore
from .sfn_errors import RUNTIME, ExecutionAborted, StatesError
from .sfn_history import ExecutionHistory
from .sfn_interpreter import Interpreter
from .sfn_sagemaker import SageMakerTasks
from .state_lock import EMULATOR_LOCK

_STEP = 0.02  # emulator seconds between looks at a stop request while waiting


def moto_time(epoch: float) -> datetime:
    """An emulator-clock instant as moto keeps dates (naive UTC)."""
    return datetime.fromtimestamp(epoch, timezone.utc).replace(tzinfo=None)


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ExecutionRun:
    """One running (or finished) execution: its thread, its history, its moto record."""

    def __init__(
        self,
        record: Any,
        definition: dict,
        state_machine_arn: str,
        state_machine_name: str,
        role_arn: str,
        settings: SettingsStore,
        clock: Callable[[], float],
        dispatch: Callable[[dict], Any],
    ) -> None:
        self.record = record
        self.definition = definition
        self.role_arn = role_arn
        self.settings = settings
        self.clock = clock
        self.history = ExecutionHistory(clock)
        self.stopped = threading.Event()
        self.abandoned = False
        self.started_at = clock()
        self.stopped_at: float | None = None
        parsed_input = json.loads(record.execution_input or "{}")
        self.input = parsed_input
        self.context = {
            "Execution": {
                "Id": record.execution_arn,
                "Input": parsed_input,
                "Name": record.name,
                "RoleArn": role_arn,
                "StartTime": _iso(self.started_at),
            },
            "StateMachine": {"Id": state_machine_arn, "Name": state_machine_name},
        }
        tasks = SageMakerTasks(
            dispatch=dispatch,
            account=record.account_id,
            region=record.region_name,
            role_arn=role_arn,
            session_name=record.name[:64],
            clock=clock,
            propagation_seconds=settings.iam_propagation_seconds,
            wait=self.wait,
            poll_seconds=settings.sfn_sync_poll_seconds,
            stopped_by_user=lambda: self.record.status == "ABORTED" and not self.abandoned,
        )
        self.interpreter = Interpreter(definition, self.context, tasks, self.sleep, self.history, clock)
        self.thread = threading.Thread(target=self._run, name=f"sfn-execution {record.name}", daemon=True)

    @property
    def running(self) -> bool:
        return self.record.status == "RUNNING"

    def start(self) -> None:
        self.history.add(
            "ExecutionStarted",
            {"input": self.record.execution_input or "{}", "inputDetails": {"truncated": False}, "roleArn": self.role_arn},
        )
        self.thread.start()

    def wait(self, seconds: float) -> None:
        """Wait ``seconds`` on the emulator clock; :class:`ExecutionAborted` once stopped."""
        deadline = self.clock() + max(0.0, seconds)
        while True:
            if self.stopped.is_set():
                raise ExecutionAborted()
            remaining = deadline - self.clock()
            if remaining <= 0:
                return
            self.stopped.wait(min(_STEP, remaining))

    def sleep(self, state_machine_seconds: float) -> None:
        """A Wait state or a retry interval: state machine seconds times ``sfn_time_scale``."""
        self.wait(state_machine_seconds * self.settings.sfn_time_scale())

    def stop(self, error: str | None, cause: str | None) -> float:
        """``StopExecution``: ABORTED now (a finished execution keeps its end); the stop time."""
        with EMULATOR_LOCK:
            if self.running:
                now = self.clock()
                self.stopped.set()
                self._finish("ABORTED", now, error=error, cause=cause)
                details = {key: value for key, value in (("error", error), ("cause", cause)) if value is not None}
                self.history.add("ExecutionAborted", details)
            return self.stopped_at if self.stopped_at is not None else self.clock()

    def abandon(self) -> None:
        """The emulator was reset: end the thread without touching the (gone) records."""
        self.abandoned = True
        self.stopped.set()

    def _run(self) -> None:
        try:
            output = self.interpreter.run(self.input)
        except ExecutionAborted:
            return
        except StatesError as error:
            self._end_failed(error.error, error.cause)
            return
        except Exception as crash:  # a defect of the emulator: fail the execution visibly rather than hang RUNNING
            self._end_failed(RUNTIME, f"The emulator failed running the execution: {type(crash).__name__}: {crash}")
            return
        with EMULATOR_LOCK:
            if not self.running or self.stopped.is_set():
                return
            text = json.dumps(output, separators=(",", ":"))
            self.history.add("ExecutionSucceeded", {"output": text, "outputDetails": {"truncated": False}})
            self._finish("SUCCEEDED", self.clock(), output=text)

    def _end_failed(self, error: str, cause: str) -> None:
        with EMULATOR_LOCK:
            if not self.running or self.stopped.is_set():
                return
            self.history.add("ExecutionFailed", {"error": error, "cause": cause})
            self._finish("FAILED", self.clock(), error=error, cause=cause)

    def _finish(self, status: str, at: float, output: str | None = None, error: str | None = None, cause: str | None = None) -> None:
        self.stopped_at = at
        self.record.status = status
        self.record.stop_date = moto_time(at)
        self.record.output = output
        self.record.output_details = {"truncated": False} if output is not None else None
        self.record.error = error
        self.record.cause = cause


class ExecutionRuns:
    """Every execution the emulator runs, by execution ARN."""

    def __init__(self) -> None:
        self._runs: dict[str, ExecutionRun] = {}

    def add(self, run: ExecutionRun) -> None:
        with EMULATOR_LOCK:
            self._runs[run.record.execution_arn] = run

    def get(self, execution_arn: str) -> ExecutionRun | None:
        with EMULATOR_LOCK:
            return self._runs.get(execution_arn)

    def clear(self) -> None:
        with EMULATOR_LOCK:
            runs = list(self._runs.values())
            self._runs.clear()
        for run in runs:
            run.abandon()
