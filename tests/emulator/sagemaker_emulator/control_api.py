"""The emulator's control API, served under ``/_emulator/``.

==========================  ======================================================
``GET  /_emulator/health``          ``{"status": "ok"}``
``GET  /_emulator/requests``        request log (``?service=&operation=`` filter)
``POST /_emulator/requests/reset``  clear the request log
``GET  /_emulator/faults``          pending faults
``POST /_emulator/faults``          add faults: ``{"<kind>": {service, operation, count, message?, seconds?}}``
                                    (kinds: see :mod:`faults`)
``POST /_emulator/faults/reset``    drop pending faults and stop random ones (also ``DELETE /_emulator/faults``)
``GET  /_emulator/faults/random``   the random fault settings, or ``null``
``POST /_emulator/faults/random``   ``{"seed", "probability", "kinds"?, "services"?, "operations"?, "delay_seconds"?}``:
                                    hit each matching call with ``probability`` (seeded RNG)
``POST /_emulator/faults/random/reset``  stop random faults (also ``DELETE /_emulator/faults/random``)
``GET  /_emulator/faults/injected`` faults injected so far: ``{"total", "by_kind", "by_call"}``
``POST /_emulator/faults/injected/reset``  zero those counts
``GET  /_emulator/config``          current settings
``POST /_emulator/config``          change settings (partial object)
``POST /_emulator/reset``           reset moto and all emulator state
``POST /_emulator/state/search``    ``{"text"}``: where everything the emulator holds contains the text
                                    (:mod:`state_search`): ``{"matches": [{"path", "owner_arn"}], "values_scanned"}``
``POST /_emulator/sagemaker/system-update``  ``{"endpoint_name", "seconds", "region"?, "account_id"?, "failure_reason"?}``:
                                    an InService endpoint goes ``SystemUpdating`` for ``seconds``, then
                                    ``InService`` (or ``Failed`` with ``failure_reason``)
``POST /_emulator/appconfig/deployment-failure``  ``{"application_id", "environment_id", "deployment_number"?,
                                    "region"?, "account_id"?}``: the environment's DEPLOYING or BAKING
                                    AppConfig deployment fails now and rolls back
``POST /_emulator/sns/confirm-subscription``  ``{"subscription_arn"}``: the owner of a pending e-mail
                                    subscription follows the confirmation link SNS mailed
                                    (:mod:`sns_subscription_fixes`)
``POST /_emulator/training/final-metric``  ``{"name", "value", "training_job_name"?}``: the value of a final
                                    metric training jobs (or that one job) report in ``FinalMetricDataList``
==========================  ======================================================
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from .faults import parse_faults, parse_random
from .request_info import buffer_body

if TYPE_CHECKING:
    from .middleware import EmulatorMiddleware

PREFIX = "/_emulator"


def _reply(start_response: Callable, status: int, payload: Any) -> list[bytes]:
    body = json.dumps(payload).encode("utf-8")
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}[status]
    start_response(f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class ControlApi:
    """WSGI handler for ``/_emulator/*`` paths, acting on the middleware's state."""

    def __init__(self, emulator: EmulatorMiddleware) -> None:
        self.emulator = emulator
        self.routes: dict[tuple[str, str], Callable[[dict, dict], Any]] = {
            ("GET", "/health"): lambda query, body: {"status": "ok"},
            ("GET", "/requests"): self._requests,
            ("POST", "/requests/reset"): self._clear_requests,
            ("GET", "/faults"): lambda query, body: self.emulator.faults.pending(),
            ("POST", "/faults"): self._add_faults,
            ("POST", "/faults/reset"): self._clear_faults,
            ("DELETE", "/faults"): self._clear_faults,
            ("GET", "/faults/random"): lambda query, body: self.emulator.faults.random(),
            ("POST", "/faults/random"): self._set_random_faults,
            ("POST", "/faults/random/reset"): self._stop_random_faults,
            ("DELETE", "/faults/random"): self._stop_random_faults,
            ("GET", "/faults/injected"): lambda query, body: self.emulator.faults.injected(),
            ("POST", "/faults/injected/reset"): self._clear_injected,
            ("GET", "/config"): lambda query, body: self.emulator.settings.snapshot(),
            ("POST", "/config"): lambda query, body: self.emulator.settings.update(body),
            ("POST", "/reset"): self._reset,
            ("POST", "/state/search"): self._search_state,
            ("POST", "/sagemaker/system-update"): self._system_update,
            ("POST", "/appconfig/deployment-failure"): self._appconfig_deployment_failure,
            ("POST", "/training/final-metric"): self._training_final_metric,
            ("POST", "/sns/confirm-subscription"): self._confirm_subscription,
        }

    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = environ.get("PATH_INFO", "")[len(PREFIX):].rstrip("/") or "/"
        handler = self.routes.get((method, path))
        if handler is None:
            known = any(route_path == path for _, route_path in self.routes)
            return _reply(start_response, 405 if known else 404, {"error": f"no route {method} {PREFIX}{path}"})
        query = {key: values[-1] for key, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
        raw = buffer_body(environ) if method in ("POST", "PUT") else b""
        try:
            body = json.loads(raw) if raw.strip() else {}
            return _reply(start_response, 200, handler(query, body))
        except ValueError as error:
            return _reply(start_response, 400, {"error": str(error)})

    def _requests(self, query: dict, body: dict) -> list[dict]:
        return self.emulator.log.entries(service=query.get("service"), operation=query.get("operation"))

    def _clear_requests(self, query: dict, body: dict) -> dict:
        self.emulator.log.clear()
        return {"status": "ok"}

    def _add_faults(self, query: dict, body: dict) -> list[dict]:
        self.emulator.faults.add(parse_faults(body))
        return self.emulator.faults.pending()

    def _clear_faults(self, query: dict, body: dict) -> dict:
        self.emulator.faults.clear()
        return {"status": "ok"}

    def _set_random_faults(self, query: dict, body: dict) -> dict | None:
        self.emulator.faults.set_random(parse_random(body))
        return self.emulator.faults.random()

    def _stop_random_faults(self, query: dict, body: dict) -> dict:
        self.emulator.faults.set_random(None)
        return {"status": "ok"}

    def _clear_injected(self, query: dict, body: dict) -> dict:
        self.emulator.faults.clear_injected()
        return {"status": "ok"}

    def _system_update(self, query: dict, body: dict) -> dict:
        """Inject SageMaker maintenance: ``SystemUpdating`` for ``seconds`` (default 60), then ``InService``, or
        ``Failed`` with ``failure_reason`` when given."""
        from .state_lock import EMULATOR_LOCK

        name = body.get("endpoint_name")
        seconds = body.get("seconds", 60)
        if not isinstance(name, str) or not name:
            raise ValueError('expected {"endpoint_name": "...", "seconds": 60}')
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise ValueError("seconds must be a number >= 0")
        hooks = self.emulator.hooks.get("sagemaker")
        if hooks is None:
            raise ValueError("SageMaker hooks are not installed")
        failure = body.get("failure_reason")
        if failure is not None and (not isinstance(failure, str) or not failure):
            raise ValueError("failure_reason must be a non-empty string")
        with EMULATOR_LOCK:
            return hooks.start_system_update(
                name,
                float(seconds),
                str(body.get("account_id") or "123456789012"),
                str(body.get("region") or "us-east-1"),
                failure,
            )

    def _appconfig_deployment_failure(self, query: dict, body: dict) -> dict:
        """Fail an environment's running AppConfig deployment now: ``ROLLBACK_STARTED`` (``INTERNAL_ERROR``), then ``ROLLED_BACK``."""
        from .state_lock import EMULATOR_LOCK

        app_id, env_id = body.get("application_id"), body.get("environment_id")
        number = body.get("deployment_number")
        if not isinstance(app_id, str) or not app_id or not isinstance(env_id, str) or not env_id:
            raise ValueError('expected {"application_id": "...", "environment_id": "...", "deployment_number"?: 1}')
        if number is not None and (isinstance(number, bool) or not isinstance(number, int)):
            raise ValueError("deployment_number must be an integer")
        hooks = self.emulator.hooks.get("appconfig")
        if hooks is None:
            raise ValueError("AppConfig hooks are not installed")
        with EMULATOR_LOCK:
            return hooks.fail_deployment(
                str(body.get("account_id") or "123456789012"), str(body.get("region") or "us-east-1"), app_id, env_id, number
            )

    def _training_final_metric(self, query: dict, body: dict) -> dict:
        """The value a final metric of training jobs has when they complete (``FinalMetricDataList``)."""
        from .state_lock import EMULATOR_LOCK

        name, value, job = body.get("name"), body.get("value"), body.get("training_job_name")
        if not isinstance(name, str) or not name:
            raise ValueError('expected {"name": "validation:accuracy", "value": 0.93, "training_job_name"?: "..."}')
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError("value must be a number")
        if job is not None and (not isinstance(job, str) or not job):
            raise ValueError("training_job_name must be a non-empty string")
        hooks = self.emulator.hooks.get("sagemaker")
        if hooks is None:
            raise ValueError("SageMaker hooks are not installed")
        with EMULATOR_LOCK:
            return hooks.set_final_metric(name, float(value), job)

    def _confirm_subscription(self, query: dict, body: dict) -> dict:
        """A pending e-mail subscription confirmed, as by its owner following the mailed link."""
        from . import sns_subscription_fixes
        from .state_lock import EMULATOR_LOCK

        arn = body.get("subscription_arn")
        if not isinstance(arn, str) or not arn:
            raise ValueError('expected {"subscription_arn": "arn:aws:sns:...:topic:id"}')
        with EMULATOR_LOCK:
            return sns_subscription_fixes.confirm(arn)

    def _search_state(self, query: dict, body: dict) -> dict:
        from .state_search import find

        text = body.get("text")
        if not isinstance(text, str) or not text:
            raise ValueError('expected {"text": "..."} with a non-empty text')
        return find(text, self.emulator.hooks)

    def _reset(self, query: dict, body: dict) -> dict:
        self.emulator.reset()
        return {"status": "ok"}
