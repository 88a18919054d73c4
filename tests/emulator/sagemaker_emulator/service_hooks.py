"""What a service's hooks look like: the interface the middleware dispatches through.

The emulator changes a few AWS services on their way to and from moto. Each
such service has one module with a :class:`ServiceHooks` subclass and one row in
:data:`service_table.SERVICE_HOOKS`; the middleware looks the call's service up
there and, for a call the hooks intercept, runs (holding
:data:`~state_lock.EMULATOR_LOCK` throughout)::

    answer = hooks.before(call)                  # may answer by itself (an operation moto lacks)
    if answer is None:
        answer = hooks.after(call, moto(call))   # moto's buffered answer, possibly changed

An :class:`~aws_errors.AwsError` raised by either is answered in the call's
protocol. Calls the hooks do not intercept (and services without a row) stream
to moto untouched.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .aws_errors import AwsError, HttpResponse
from .moto_access import account_id_for
from .request_info import AwsRequest
from .settings import SettingsStore


@dataclass
class HookEnvironment:
    """What the emulator gives every service's hooks when it builds them."""

    settings: SettingsStore
    clock: Callable[[], float] = time.time
    # Runs a WSGI environ through the whole emulator (faults, log, hooks, moto) and buffers the answer:
    # how one service calls another (Step Functions tasks calling SageMaker, :mod:`internal_calls`).
    dispatch: Callable[[dict], HttpResponse] | None = None


@dataclass
class Call:
    """One intercepted AWS call, as hooks see it."""

    request: AwsRequest
    environ: dict = field(repr=False)

    @property
    def operation(self) -> str | None:
        return self.request.operation

    @property
    def region(self) -> str:
        return self.request.region

    @functools.cached_property
    def account_id(self) -> str:
        """The account moto files this call under (moto's own rules)."""
        return account_id_for(self.request, self.environ)

    @functools.cached_property
    def params(self) -> dict:
        """The JSON request body (``{}`` when empty); unreadable JSON is a ``SerializationException``."""
        try:
            return self.request.json_body()
        except ValueError:
            raise AwsError("SerializationException", "Request body is not valid JSON.") from None


class ServiceHooks:
    """The emulator's additions to one AWS service; override what the service needs.

    The defaults intercept every call of the service and change nothing.
    """

    def __init__(self, environment: HookEnvironment) -> None:
        """Built once per emulator, from the service table, with what all hooks share."""
        self.environment = environment

    def intercepts(self, request: AwsRequest) -> bool:
        """Whether this call goes through :meth:`before` / :meth:`after` (buffered) rather than straight to moto."""
        return True

    def before(self, call: Call) -> HttpResponse | None:
        """Runs before moto: return an answer to skip moto, ``None`` to call it; raise ``AwsError`` to fail the call."""
        return None

    def after(self, call: Call, response: HttpResponse) -> HttpResponse:
        """Runs after moto answered (also with moto's errors): the answer to send."""
        return response

    def reset(self) -> None:
        """Forget the emulator's state for this service (moto's own state is reset separately)."""
