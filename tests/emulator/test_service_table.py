"""How the middleware dispatches through the service table: a made-up service with its hooks
(one class, one row), served in-process on a stand-in for moto (no emulator process)."""

from __future__ import annotations

import json
import threading

import pytest
from werkzeug.test import Client

from sagemaker_emulator.autoscaling_hooks import AutoscalingHooks
from sagemaker_emulator.appconfig_hooks import AppConfigHooks
from sagemaker_emulator.aws_errors import AwsError, HttpResponse, json_response
from sagemaker_emulator.cloudwatch_hooks import CloudWatchHooks
from sagemaker_emulator.faults import Fault
from sagemaker_emulator.iam_hooks import IamHooks
from sagemaker_emulator.kms_hooks import KmsHooks
from sagemaker_emulator.middleware import EmulatorMiddleware
from sagemaker_emulator.request_info import AwsRequest
from sagemaker_emulator.s3_fixes import S3Hooks
from sagemaker_emulator.sagemaker_hooks import SageMakerHooks
from sagemaker_emulator.service_hooks import Call, ServiceHooks
from sagemaker_emulator.sfn_hooks import StepFunctionsHooks
from sagemaker_emulator.service_table import SERVICE_HOOKS
from sagemaker_emulator.sns_hooks import SnsHooks
from sagemaker_emulator.state_lock import EMULATOR_LOCK

SIGNED_FOR_WIDGETS = (
    "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/widgets/aws4_request, SignedHeaders=host, Signature=0"
)


class FakeMoto:
    """A WSGI app standing in for moto: answers ``{"from": "moto"}`` and counts its calls."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, environ: dict, start_response) -> list[bytes]:
        self.calls.append(environ.get("HTTP_X_AMZ_TARGET") or environ["PATH_INFO"])
        body = json.dumps({"from": "moto"}).encode()
        start_response("200 OK", [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(body)))])
        return [body]


class WidgetHooks(ServiceHooks):
    """Hooks of a made-up JSON service: one operation answered here, one checked, one changed after moto."""

    def __init__(self, environment) -> None:
        super().__init__(environment)
        self.resets = 0
        self.lock_free_for_others: list[bool] = []

    def intercepts(self, request: AwsRequest) -> bool:
        return request.operation != "StreamedWidget"

    def before(self, call: Call) -> HttpResponse | None:
        self.lock_free_for_others.append(_free_for_another_thread())
        if call.operation == "CreateWidget":
            return json_response({"WidgetName": call.params["WidgetName"], "from": "hooks"})
        if call.operation == "DeleteWidget" and not call.params.get("WidgetName"):
            raise AwsError("ValidationException", "WidgetName is required.")
        return None

    def after(self, call: Call, response: HttpResponse) -> HttpResponse:
        payload = json.loads(response.body)
        return json_response({**payload, "seen_by": "after"}, response.status)

    def reset(self) -> None:
        self.resets += 1


def _free_for_another_thread() -> bool:
    """Whether another thread could take the emulator lock right now."""
    result: list[bool] = []

    def probe() -> None:
        got = EMULATOR_LOCK.acquire(blocking=False)
        if got:
            EMULATOR_LOCK.release()
        result.append(got)

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join()
    return result[0]


@pytest.fixture
def moto() -> FakeMoto:
    return FakeMoto()


@pytest.fixture
def middleware(moto) -> EmulatorMiddleware:
    """The emulator's WSGI app with a one-row service table, on the stand-in moto."""
    return EmulatorMiddleware(moto_app=moto, service_hooks={"widgets": WidgetHooks})


def call(middleware: EmulatorMiddleware, operation: str, params: dict | None = None):
    """Call ``WidgetService.<operation>`` with a JSON body; returns (status, parsed body)."""
    response = Client(middleware).post(
        "/",
        data=json.dumps(params or {}),
        headers={
            "Authorization": SIGNED_FOR_WIDGETS,
            "X-Amz-Target": f"WidgetService.{operation}",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    return response.status_code, json.loads(response.get_data())


def test_the_table_has_a_row_per_changed_service():
    assert SERVICE_HOOKS == {
        "sagemaker": SageMakerHooks,
        "s3": S3Hooks,
        "iam": IamHooks,
        "kms": KmsHooks,
        "appconfig": AppConfigHooks,
        "application-autoscaling": AutoscalingHooks,
        "sns": SnsHooks,
        "states": StepFunctionsHooks,
        "monitoring": CloudWatchHooks,
    }


def test_before_can_answer_without_moto(middleware, moto):
    assert call(middleware, "CreateWidget", {"WidgetName": "w"}) == (200, {"WidgetName": "w", "from": "hooks"})
    assert moto.calls == []


def test_after_changes_what_moto_answered(middleware, moto):
    assert call(middleware, "DescribeWidget") == (200, {"from": "moto", "seen_by": "after"})
    assert moto.calls == ["WidgetService.DescribeWidget"]


def test_errors_raised_by_hooks_are_answered_in_the_protocol_of_the_call(middleware, moto):
    status, body = call(middleware, "DeleteWidget")
    assert (status, body) == (400, {"__type": "ValidationException", "message": "WidgetName is required."})
    assert moto.calls == []


def test_calls_not_intercepted_stream_to_moto(middleware, moto):
    assert call(middleware, "StreamedWidget") == (200, {"from": "moto"})
    assert moto.calls == ["WidgetService.StreamedWidget"]
    assert middleware.hooks["widgets"].lock_free_for_others == []


def test_hooks_run_under_the_emulator_lock(middleware):
    call(middleware, "CreateWidget", {"WidgetName": "w"})
    call(middleware, "DescribeWidget")
    assert middleware.hooks["widgets"].lock_free_for_others == [False, False]
    assert _free_for_another_thread()


def test_every_call_is_logged_and_faults_come_first(middleware, moto):
    middleware.faults.add([Fault("throttle", "widgets", "CreateWidget")])
    assert call(middleware, "CreateWidget", {"WidgetName": "w"})[1]["__type"] == "ThrottlingException"
    call(middleware, "CreateWidget", {"WidgetName": "w"})
    call(middleware, "StreamedWidget")
    log = [(entry["service"], entry["operation"], entry["status"], entry.get("fault")) for entry in middleware.log.entries()]
    assert log == [
        ("widgets", "CreateWidget", 400, "throttle"),
        ("widgets", "CreateWidget", 200, None),
        ("widgets", "StreamedWidget", 200, None),
    ]


def test_a_moto_reset_resets_the_hooks(middleware, moto):
    Client(middleware).post("/moto-api/reset")
    assert middleware.hooks["widgets"].resets == 1
    assert moto.calls == ["/moto-api/reset"]
