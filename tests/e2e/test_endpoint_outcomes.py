"""Outcomes checked, not assumed, through the real engine against the emulator:
weights SageMaker rolled back fail the update and stay recorded as served; a
Failed endpoint is replaced (deleted, then created again), never updated; the
autoscaling hint only for refusals about autoscaling; no DataCaptureConfig in
ExcludeRetainedVariantProperties; SageMaker's rollout limits at preview; and
timeouts that cover the rollout."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import pytest

from conftest import ROOT, Stack
from recording_proxy import RecordingProxy

SEED = json.loads((ROOT / "examples" / "config" / "model-config.json").read_text())["modelList"][0]
# The example with `customTimeouts.update` on its endpoint component (stack config `updateTimeout`).
WITH_UPDATE_TIMEOUT = str(Path("..") / "tests" / "e2e" / "programs" / "py-endpoint-timeouts")


def sagemaker_calls(emulator) -> list[str]:
    return [r["operation"] for r in emulator.requests() if r["service"] == "sagemaker"]


def model_list(**changes) -> str:
    return json.dumps([dict(copy.deepcopy(SEED), **changes)])


def canary(unit: str, value: int, wait: int = 60) -> str:
    return json.dumps({"trafficShift": "CANARY", "canarySize": {"unit": unit, "value": value}, "waitIntervalInSeconds": wait})


@pytest.fixture
def stack(request, engine, fresh_emulator):
    stack = Stack(engine, "python", "py-endpoint", f"e2e-outcome-{request.node.name[5:40]}".replace("_", "-"))
    stack.remove()
    yield stack
    stack.remove()


def fail_out_of_band(sagemaker, emulator, name: str, config: str) -> None:
    """Replace endpoint `name` behind Pulumi's back by one that failed to come up."""
    sagemaker.delete_endpoint(EndpointName=name)
    sagemaker.get_waiter("endpoint_deleted").wait(EndpointName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    emulator.configure(fail_next_endpoint_create=True)
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=config)
    deadline = time.monotonic() + 30
    while sagemaker.describe_endpoint(EndpointName=name)["EndpointStatus"] == "Creating" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert sagemaker.describe_endpoint(EndpointName=name)["EndpointStatus"] == "Failed"


def test_a_rolled_back_weights_change_fails_and_the_state_keeps_what_is_served(stack: Stack, fresh_emulator, aws):
    sagemaker = aws("sagemaker")
    config = {"inferenceType": "realtime"}
    name = stack.run("up", config=config).outputs["endpointName"]

    # SageMaker rolls the weight change back and returns to InService.
    fresh_emulator.configure(fail_next_weights_update=name)
    weights = {**config, "variantWeights": json.dumps({"PrimaryVariant": 3})}
    failed = stack.run("up", config=weights, expect_ok=False)
    assert not failed.ok, "a rolled-back weight change must fail the update"
    assert "SageMaker did not apply the change to endpoint" in failed.error
    assert "variant PrimaryVariant weight asked 3, live 1" in failed.error
    live = sagemaker.describe_endpoint(EndpointName=name)
    assert live["EndpointStatus"] == "InService"
    assert live["ProductionVariants"][0]["CurrentWeight"] == 1

    # The state holds what the endpoint serves: no drift, and the next up
    # makes the change.
    stack.run("refresh", "--expect-no-changes")
    again = stack.run("up", config=weights)
    assert again.changes["update"] == 1, again.result
    assert sagemaker.describe_endpoint(EndpointName=name)["ProductionVariants"][0]["CurrentWeight"] == 3


def test_a_failed_endpoint_is_replaced_never_updated(stack: Stack, fresh_emulator, aws):
    sagemaker = aws("sagemaker")
    config = {"inferenceType": "realtime"}
    fresh_emulator.configure(fail_next_endpoint_create=True, endpoint_deleting_seconds=0.5)

    def replaced_by(up_outcome) -> list[str]:
        """The calls made to the new endpoint, once the Failed one was deleted."""
        calls = sagemaker_calls(fresh_emulator)
        deleted = calls.index("DeleteEndpoint")
        to_the_failed_one = calls[:deleted]
        assert "UpdateEndpoint" not in to_the_failed_one, calls
        assert "UpdateEndpointWeightsAndCapacities" not in to_the_failed_one, calls
        assert deleted < calls.index("CreateEndpoint"), calls
        assert up_outcome.changes["replace"] == 1, up_outcome.result
        described = sagemaker.describe_endpoint(EndpointName=up_outcome.outputs["endpointName"])
        assert described["EndpointStatus"] == "InService"
        return calls[calls.index("CreateEndpoint") :]

    # 1. The create fails: the Failed endpoint is recorded, and the next up
    # deletes and re-creates it.
    failed = stack.run("up", config=config, expect_ok=False)
    assert not failed.ok and "is Failed instead of InService" in failed.error
    assert stack.run("preview", config=config).changes["replace"] == 1
    fresh_emulator.clear_requests()
    up = stack.run("up", config=config)
    replaced_by(up)
    assert "the next `pulumi up` deletes and re-creates it" in failed.error
    name, endpoint_config = up.outputs["endpointName"], up.outputs["endpointConfigName"]
    stack.run("up", "--expect-no-changes", config=config)

    # 2. A refresh finds it Failed: the engine warns, keeps it recorded as
    # Failed, and the next up replaces it.
    fail_out_of_band(sagemaker, fresh_emulator, name, endpoint_config)
    refresh = stack.run("refresh")
    assert "Refreshed resource is in an unhealthy state" in refresh.log
    assert f"endpoint {name} is Failed" in refresh.log
    fresh_emulator.clear_requests()
    replaced_by(stack.run("up", config=config))

    # 3. An update finds it Failed: nothing is sent to it, it is recorded as
    # Failed, and the next up replaces it with the change made.
    fail_out_of_band(sagemaker, fresh_emulator, name, endpoint_config)
    fresh_emulator.clear_requests()
    weights = {**config, "variantWeights": json.dumps({"PrimaryVariant": 2})}
    refused = stack.run("up", config=weights, expect_ok=False)
    assert not refused.ok and f"endpoint {name} is Failed" in refused.error
    assert "UpdateEndpointWeightsAndCapacities" not in sagemaker_calls(fresh_emulator)
    fresh_emulator.clear_requests()
    # The configuration still says weight 1 (its name ignores capacity): the
    # new endpoint is brought to 2 once it is InService.
    assert "UpdateEndpointWeightsAndCapacities" in replaced_by(stack.run("up", config=weights))
    assert sagemaker.describe_endpoint(EndpointName=name)["ProductionVariants"][0]["CurrentWeight"] == 2
    stack.run("up", "--expect-no-changes", config=weights)


AUTOSCALED = {
    "inferenceType": "realtime",
    "autoscaling": json.dumps({"minCapacity": 1, "maxCapacity": 3, "targetInvocationsPerInstance": 50}),
    "modelList": model_list(InstanceCount=2),
}


def through(proxy: RecordingProxy, stack: Stack) -> None:
    """Send the provider's SageMaker calls of `stack` through `proxy`, which keeps their bodies."""
    engine = copy.copy(stack.engine)
    engine.env = {**stack.engine.env, "AWS_ENDPOINT_URL_SAGEMAKER": proxy.url}
    stack.engine = engine


def test_an_autoscaled_update_retains_counts_and_never_lists_data_capture(stack: Stack, fresh_emulator):
    with RecordingProxy(fresh_emulator.url) as proxy:
        through(proxy, stack)
        stack.run("up", config=AUTOSCALED)
        # A new model version: instance counts retained, weights from the new
        # configuration, and data capture never listed (the API reference
        # marks it "Not currently supported"; it comes with the configuration).
        stack.run("up", config={**AUTOSCALED, "modelS3Key": "models/text-classification/v2/model.tar.gz"})
        [update] = proxy.bodies("UpdateEndpoint")
    assert update["RetainAllVariantProperties"] is True
    assert update["ExcludeRetainedVariantProperties"] == [{"VariantPropertyType": "DesiredWeight"}]


def test_only_a_refusal_about_autoscaling_gets_the_autoscaling_advice(stack: Stack, fresh_emulator, aws):
    sagemaker = aws("sagemaker")
    # A one-instance canary of two instances.
    config = {**AUTOSCALED, "rollout": canary("INSTANCE_COUNT", 1)}
    name = stack.run("up", config=config).outputs["endpointName"]
    # The autoscaler scales in to one instance: the canary would now be all
    # of the variant, and SageMaker refuses the next update. The refusal is
    # not about autoscaling (though autoscaling is attached): no advice to
    # deregister it.
    sagemaker.update_endpoint_weights_and_capacities(
        EndpointName=name, DesiredWeightsAndCapacities=[{"VariantName": "PrimaryVariant", "DesiredInstanceCount": 1}]
    )
    sagemaker.get_waiter("endpoint_in_service").wait(EndpointName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    v2 = {**config, "modelS3Key": "models/text-classification/v2/model.tar.gz"}
    refused = stack.run("up", config=v2, expect_ok=False)
    assert not refused.ok and "CanarySize" in refused.error
    assert "Deregister autoscaling" not in refused.error
    assert "registered with Application Auto Scaling" not in refused.error


ROLLOUT_CASES = {
    "a 60% canary": (canary("CAPACITY_PERCENT", 60), "rollout.canarySize.value", "1-50%"),
    "a canary of the only instance": (
        canary("INSTANCE_COUNT", 1),
        "rollout.canarySize.value",
        "INSTANCE_COUNT 1 is 100% of the 1 of variant PrimaryVariant",
    ),
    "a 5% linear step": (
        json.dumps({"trafficShift": "LINEAR", "linearStepSize": {"unit": "CAPACITY_PERCENT", "value": 5}}),
        "rollout.linearStepSize.value",
        "10-50%",
    ),
    "a 300-second execution timeout": (
        json.dumps({"trafficShift": "ALL_AT_ONCE", "maximumExecutionTimeoutInSeconds": 300}),
        "rollout.maximumExecutionTimeoutInSeconds",
        "600-28800",
    ),
    "ten hour-long linear steps": (
        json.dumps(
            {
                "trafficShift": "LINEAR",
                "linearStepSize": {"unit": "CAPACITY_PERCENT", "value": 10},
                "waitIntervalInSeconds": 3600,
            }
        ),
        "rollout",
        "longer than SageMaker's longest deployment (28800 seconds)",
    ),
}


@pytest.mark.parametrize("case", sorted(ROLLOUT_CASES))
def test_preview_rejects_a_rollout_sagemaker_would_refuse(case: str, engine, fresh_emulator):
    rollout, prop, rule = ROLLOUT_CASES[case]
    stack = Stack(engine, "python", "py-endpoint", "e2e-outcome-rollout-limits")
    stack.remove()
    try:
        preview = stack.run("preview", config={"inferenceType": "realtime", "rollout": rollout}, expect_ok=False)
    finally:
        stack.remove()
    assert not preview.ok
    assert prop in preview.error and rule in preview.error, preview.error[-2000:]
    assert [r for r in fresh_emulator.requests() if r["service"] != "sts"] == []


def test_preview_rejects_renaming_variants_under_a_rollout(stack: Stack, fresh_emulator):
    config = {"inferenceType": "realtime", "rollout": canary("CAPACITY_PERCENT", 50)}
    stack.run("up", config=config)
    fresh_emulator.clear_requests()
    renamed = {**config, "modelList": model_list(VariantName="CanaryVariant")}
    preview = stack.run("preview", config=renamed, expect_ok=False)
    assert not preview.ok
    assert "keep the running variant names (PrimaryVariant), not CanaryVariant" in preview.error
    assert "Deploy this change once without `rollout`" in preview.error
    assert "UpdateEndpoint" not in sagemaker_calls(fresh_emulator)
    # Without the rollout SageMaker takes the rename (all at once).
    stack.run("up", config={**renamed, "rollout": "null"})


@pytest.fixture
def stack_with_update_timeout(engine, fresh_emulator):
    stack = Stack(engine, "python", WITH_UPDATE_TIMEOUT, "e2e-outcome-timeouts")
    stack.remove()
    yield stack
    stack.remove()


def test_rollout_timeouts_cover_the_rollout_and_a_shorter_custom_one_fails_before_updating(
    stack_with_update_timeout: Stack, fresh_emulator, aws
):
    sagemaker = aws("sagemaker")
    stack = stack_with_update_timeout
    with RecordingProxy(fresh_emulator.url) as proxy:
        through(proxy, stack)
        # A 10-minute canary bake (6 s in the emulator's time scale).
        config = {"inferenceType": "realtime", "rollout": canary("CAPACITY_PERCENT", 50, wait=600), "updateTimeout": "5m"}
        up = stack.run("up", config=config)
        name, first_config = up.outputs["endpointName"], up.outputs["endpointConfigName"]
        # SageMaker's own deployment timeout covers provisioning (an hour) and the bake.
        [create] = proxy.bodies("CreateEndpoint")
        assert create["DeploymentConfig"]["BlueGreenUpdatePolicy"]["MaximumExecutionTimeoutInSeconds"] == 4200

        # Five minutes cannot cover a ten-minute bake: the update fails before
        # anything is sent, instead of giving up half-way through the rollout.
        v2 = {**config, "modelS3Key": "models/text-classification/v2/model.tar.gz"}
        fresh_emulator.clear_requests()
        short = stack.run("up", config=v2, expect_ok=False)
        assert not short.ok
        assert f"the custom update timeout of endpoint {name} (300 s) is shorter than its rollout's waits (600 s" in short.error
        assert "UpdateEndpoint" not in sagemaker_calls(fresh_emulator)
        assert sagemaker.describe_endpoint(EndpointName=name)["EndpointConfigName"] == first_config

        # Long enough for the waits, not for SageMaker's whole deployment
        # timeout: it goes ahead, with a warning.
        tight = stack.run("up", config={**v2, "updateTimeout": "30m"})
        assert "covers its rollout's waits (600 s) but not SageMaker's deployment timeout (4200 s)" in tight.log
        assert sagemaker.describe_endpoint(EndpointName=name)["EndpointConfigName"] == tight.outputs["endpointConfigName"]
        [update] = proxy.bodies("UpdateEndpoint")
        assert update["DeploymentConfig"]["BlueGreenUpdatePolicy"]["MaximumExecutionTimeoutInSeconds"] == 4200


SAGEMAKER_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_rollback_alarms_are_read_with_the_execution_role(stack: Stack, fresh_emulator, aws):
    # SageMaker reads a rollout's rollback alarms with the models' execution
    # role ("Ensure that your IAM execution role has permission to perform the
    # cloudwatch:DescribeAlarms action on the auto-rollback alarms you
    # specify", Auto-Rollback Configuration and Monitoring).
    iam, sagemaker = aws("iam"), aws("sagemaker")
    own_role = iam.create_role(RoleName="own-sagemaker-role", AssumeRolePolicyDocument=json.dumps(SAGEMAKER_TRUST))["Role"]["Arn"]
    read_models = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    iam.put_role_policy(RoleName="own-sagemaker-role", PolicyName="models", PolicyDocument=policy(read_models))
    rollout = {"inferenceType": "realtime", "rollout": canary("CAPACITY_PERCENT", 50)}

    # 1. A role of the user's own that may not read the alarms: SageMaker
    # refuses the endpoint, and the error says what to grant and how.
    refused = stack.run("up", config={**rollout, "executionRoleArn": own_role}, expect_ok=False)
    assert not refused.ok
    alarm = f"{SEED['VariantName']}-5xx-errors"
    assert 'has "cloudwatch:DescribeAlarms" permissions for alarm "arn:aws:cloudwatch:us-east-1:' in refused.error
    assert f"which SageMaker reads with the models' execution role: it needs cloudwatch:DescribeAlarms on them" in refused.error
    assert "Pass the role's name to the endpoint component as `executionRoleName`" in refused.error
    assert alarm in refused.error
    assert sagemaker.list_endpoints()["Endpoints"] == []

    # Granted on the alarm, the same up goes through.
    describe = {"Effect": "Allow", "Action": "cloudwatch:DescribeAlarms", "Resource": f"arn:aws:cloudwatch:us-east-1:*:alarm:*{alarm}"}
    iam.put_role_policy(RoleName="own-sagemaker-role", PolicyName="alarms", PolicyDocument=policy(read_models, describe))
    up = stack.run("up", config={**rollout, "executionRoleArn": own_role})
    name = up.outputs["endpointName"]
    assert sagemaker.describe_endpoint(EndpointName=name)["EndpointStatus"] == "InService"

    # 2. BaseInfra's role: the component grants it DescribeAlarms on exactly
    # the rollout's alarm, and the update (new models, same rollout) goes through.
    fresh_emulator.clear_requests()
    moved = stack.run("up", config={**rollout, "executionRoleArn": ""})
    role_name = moved.outputs["executionRoleArn"].rsplit("/", 1)[-1]
    assert "UpdateEndpoint" in sagemaker_calls(fresh_emulator)
    described = sagemaker.describe_endpoint(EndpointName=name)
    assert (described["EndpointStatus"], described["EndpointConfigName"]) == ("InService", moved.outputs["endpointConfigName"])
    account = aws("sts").get_caller_identity()["Account"]
    grant = iam.get_role_policy(RoleName=role_name, PolicyName=f"{name}-rollback-alarms")["PolicyDocument"]
    if isinstance(grant, str):
        grant = json.loads(grant)
    assert grant["Statement"] == [
        {
            "Sid": "ReadRollbackAlarms",
            "Effect": "Allow",
            "Action": "cloudwatch:DescribeAlarms",
            "Resource": [f"arn:aws:cloudwatch:us-east-1:{account}:alarm:{name}-{alarm}"],
        }
    ]


def autoscaling_of(aws, name: str) -> tuple[list[tuple], list[str]]:
    """The endpoint's scalable targets (resource ID, min, max) and scaling policies, as Application Auto Scaling has them."""
    scaling = aws("application-autoscaling")
    targets = scaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
    policies = scaling.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]
    prefix = f"endpoint/{name}/variant/"
    return (
        [(t["ResourceId"], t["MinCapacity"], t["MaxCapacity"]) for t in targets if t["ResourceId"].startswith(prefix)],
        [p["PolicyName"] for p in policies if p["ResourceId"].startswith(prefix)],
    )


def test_a_failed_autoscaled_endpoint_is_replaced_with_its_autoscaling(stack: Stack, fresh_emulator, aws):
    sagemaker = aws("sagemaker")
    fresh_emulator.configure(endpoint_deleting_seconds=0.5)
    name = stack.run("up", config=AUTOSCALED).outputs["endpointName"]
    variant = SEED["VariantName"]
    registered = ([(f"endpoint/{name}/variant/{variant}", 1, 3)], [f"{name}-{variant}-invocations"])
    assert autoscaling_of(aws, name) == registered

    # The endpoint fails in place ("Failed: Endpoint could not be created,
    # updated, or re-scaled"); refresh records it, and the next up replaces it.
    fresh_emulator.system_update(name, 0.2, failure_reason="Injected: the instances could not be re-scaled.")
    deadline = time.monotonic() + 30
    while sagemaker.describe_endpoint(EndpointName=name)["EndpointStatus"] != "Failed" and time.monotonic() < deadline:
        time.sleep(0.2)
    stack.run("refresh")
    fresh_emulator.clear_requests()
    up = stack.run("up", config=AUTOSCALED)
    assert sagemaker.describe_endpoint(EndpointName=name)["EndpointStatus"] == "InService"
    # Deleting the endpoint deregistered its variants (Delete endpoints
    # configured for auto scaling): the replacement registers them again,
    # with their policies, after the new endpoint exists.
    assert autoscaling_of(aws, name) == registered
    calls = fresh_emulator.operations()
    assert calls.index("DeregisterScalableTarget") < calls.index("DeleteEndpoint") < calls.index("CreateEndpoint")
    assert calls.index("CreateEndpoint") < calls.index("RegisterScalableTarget") < calls.index("PutScalingPolicy")
    assert up.changes["replace"] == 3, up.result
    stack.run("refresh", "--expect-no-changes")
    stack.run("up", "--expect-no-changes", config=AUTOSCALED)


def test_a_new_instance_type_for_an_autoscaled_variant_is_carried_out(stack: Stack, fresh_emulator, aws):
    # SageMaker refuses to change the instance type of a variant registered
    # with Application Auto Scaling ("Update endpoints that use auto
    # scaling"): the provider deregisters it, updates the endpoint, and
    # registers it again with its policies.
    sagemaker = aws("sagemaker")
    name = stack.run("up", config=AUTOSCALED).outputs["endpointName"]
    variant = SEED["VariantName"]
    registered = ([(f"endpoint/{name}/variant/{variant}", 1, 3)], [f"{name}-{variant}-invocations"])
    assert autoscaling_of(aws, name) == registered
    new_type = "ml.c5.xlarge" if SEED["InstanceType"] != "ml.c5.xlarge" else "ml.m5.xlarge"
    larger = {**AUTOSCALED, "modelList": model_list(InstanceCount=2, InstanceType=new_type)}

    planned = stack.run("preview", config=larger)
    fresh_emulator.clear_requests()
    done = stack.run("up", config=larger)
    assert done.changes == planned.changes, (planned.result, done.result)
    described = sagemaker.describe_endpoint(EndpointName=name)
    assert described["EndpointStatus"] == "InService"
    config = sagemaker.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
    assert [v["InstanceType"] for v in config["ProductionVariants"]] == [new_type]
    assert autoscaling_of(aws, name) == registered
    calls = fresh_emulator.operations()
    assert calls.index("DeregisterScalableTarget") < calls.index("UpdateEndpoint") < calls.index("RegisterScalableTarget")
    assert calls.index("RegisterScalableTarget") < calls.index("PutScalingPolicy")
    stack.run("up", "--expect-no-changes", config=larger)
