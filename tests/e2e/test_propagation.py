"""IAM's eventual consistency through the real engine: the execution role and
its policy, created in the same `up`, stay invisible to SageMaker for a few
seconds (the emulator's `iam_propagation_seconds`, after the IAM User Guide's
"Changes that I make are not always immediately visible"). The provider waits
them out instead of failing the first `up` on a fresh account."""

from __future__ import annotations

from datetime import datetime

from conftest import Stack

PROPAGATION_SECONDS = 6


def test_a_new_execution_role_is_waited_for(engine, fresh_emulator, aws):
    # The example's models also wait for their AppConfig parameters: a short
    # AppConfig time keeps CreateModel within the role's propagation window.
    fresh_emulator.configure(iam_propagation_seconds=PROPAGATION_SECONDS, appconfig_time_scale=0.0001)
    stack = Stack(engine, "python", "py-endpoint", "e2e-propagation")
    stack.remove()
    try:
        up = stack.run("up", config={"inferenceType": "realtime"})
        assert up.ok, up.error[-2000:]

        create_model = fresh_emulator.requests("sagemaker", "CreateModel")
        statuses = [call["status"] for call in create_model]
        # SageMaker refused the role while it propagated, then accepted it
        # once it had: the provider waited, from the role's creation, for
        # at least the propagation time.
        assert statuses[0] == 400, statuses
        assert statuses[-1] == 200, statuses
        [create_role] = fresh_emulator.requests("iam", "CreateRole")
        at = lambda call: datetime.fromisoformat(call["time"].replace("Z", "+00:00"))  # noqa: E731
        waited = (at(create_model[-1]) - at(create_role)).total_seconds()
        assert waited >= PROPAGATION_SECONDS, (waited, statuses)

        endpoint = aws("sagemaker").describe_endpoint(EndpointName=up.outputs["endpointName"])
        assert endpoint["EndpointStatus"] == "InService"
    finally:
        stack.run("destroy", expect_ok=False)
        stack.remove()


CONFIG_PROPAGATION_SECONDS = 3


def statuses_and_wait(calls: list[dict]) -> tuple[list[int], float]:
    at = [datetime.fromisoformat(call["time"].replace("Z", "+00:00")) for call in calls]
    return [call["status"] for call in calls], (at[-1] - at[0]).total_seconds()


def test_a_new_endpoint_configuration_is_waited_for(engine, fresh_emulator, aws):
    # SageMaker reads the configuration with an eventually consistent read
    # (API reference, CreateEndpoint): right after CreateEndpointConfig,
    # CreateEndpoint and UpdateEndpoint may answer "Could not find endpoint
    # configuration". The provider retries exactly that, and succeeds.
    fresh_emulator.configure(endpoint_config_propagation_seconds=CONFIG_PROPAGATION_SECONDS)
    stack = Stack(engine, "python", "py-endpoint", "e2e-config-propagation")
    stack.remove()
    try:
        config = {"inferenceType": "realtime"}
        up = stack.run("up", config=config)
        statuses, waited = statuses_and_wait(fresh_emulator.requests("sagemaker", "CreateEndpoint"))
        assert statuses[0] == 400 and statuses[-1] == 200 and set(statuses) == {400, 200}, statuses
        assert waited >= CONFIG_PROPAGATION_SECONDS - 1, (waited, statuses)
        sagemaker = aws("sagemaker")
        name = up.outputs["endpointName"]
        assert sagemaker.describe_endpoint(EndpointName=name)["EndpointStatus"] == "InService"

        # A new model version: a new configuration, and UpdateEndpoint waits for it too.
        fresh_emulator.clear_requests()
        v2 = stack.run("up", config={**config, "modelS3Key": "models/text-classification/v2/model.tar.gz"})
        statuses, waited = statuses_and_wait(fresh_emulator.requests("sagemaker", "UpdateEndpoint"))
        assert statuses[0] == 400 and statuses[-1] == 200 and set(statuses) == {400, 200}, statuses
        assert waited >= CONFIG_PROPAGATION_SECONDS - 1, (waited, statuses)
        described = sagemaker.describe_endpoint(EndpointName=name)
        assert (described["EndpointStatus"], described["EndpointConfigName"]) == ("InService", v2.outputs["endpointConfigName"])
    finally:
        stack.run("destroy", expect_ok=False)
        stack.remove()
