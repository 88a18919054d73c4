"""The provider's retries through the real engine: throttling is retried with the
SDK's backoff and the `up` succeeds; a request AWS keeps refusing fails its
resource with one line naming the resource operation, the AWS operation, the
service and the attempts; bad retry settings fail at preview, naming the key."""

from __future__ import annotations

import pytest

from conftest import Stack, resource_calls


@pytest.fixture
def stack(engine, fresh_emulator):
    stack = Stack(engine, "python", "py-endpoint", "e2e-retries")
    stack.remove()
    yield stack
    stack.run("destroy", expect_ok=False)
    stack.remove()


def attempts(emulator, operation: str) -> list[tuple[int, str | None, int | None]]:
    """(status, fault, SDK attempt number) of each call of a SageMaker operation."""
    return [(e["status"], e.get("fault"), e.get("attempt")) for e in emulator.requests("sagemaker", operation)]


def test_throttling_is_retried_and_the_up_succeeds(stack: Stack, fresh_emulator):
    fresh_emulator.inject_fault("throttle", "sagemaker", "CreateModel", count=2)
    up = stack.run("up", config={"inferenceType": "realtime"})
    assert up.changes["create"] > 0
    # The SDK sent the same request three times, numbering its attempts.
    assert attempts(fresh_emulator, "CreateModel") == [(400, "throttle", 1), (400, "throttle", 2), (200, None, 3)]
    assert fresh_emulator.injected_faults()["by_kind"]["throttle"] == 2


def test_a_request_aws_keeps_throttling_fails_once_naming_operation_resource_and_attempts(stack: Stack, fresh_emulator):
    config = {"inferenceType": "realtime", "sagemaker-deployment:maxAttempts": "3"}
    fresh_emulator.inject_fault("throttle", "sagemaker", "CreateEndpointConfig", count=3)
    failed = stack.run("up", config=config, expect_ok=False)
    assert not failed.ok
    expected = (
        'creating sagemaker-deployment:sagemaker:EndpointConfig "endpoint-config": '
        "sagemaker CreateEndpointConfig failed after 3 attempts: Rate exceeded (ThrottlingException)"
    )
    assert expected in failed.error, failed.error[-3000:]
    # One line in words, not the SDK's debug text.
    for dump in ("ServiceError {", "SdkError", "DispatchFailure", "source: Some("):
        assert dump not in failed.error
    assert attempts(fresh_emulator, "CreateEndpointConfig") == [(400, "throttle", n) for n in (1, 2, 3)]
    # Faults gone, the next up finishes the job.
    stack.run("up", config=config)
    stack.run("refresh", "--expect-no-changes")


@pytest.mark.parametrize(
    ("key", "value", "rule"),
    [
        ("maxAttempts", "0", "must be between 1 and 20"),
        ("maxAttempts", "25", "got 25"),
        ("retryMode", "legacy", "`standard`"),
    ],
)
def test_bad_retry_settings_fail_at_preview_naming_the_key(engine, fresh_emulator, key: str, value: str, rule: str):
    stack = Stack(engine, "python", "py-endpoint", "e2e-retry-settings")
    stack.remove()
    try:
        preview = stack.run(
            "preview", config={"inferenceType": "realtime", f"sagemaker-deployment:{key}": value}, expect_ok=False
        )
    finally:
        stack.remove()
    assert not preview.ok
    assert key in preview.error and rule in preview.error, preview.error[-2000:]
    assert resource_calls(fresh_emulator.requests()) == []
