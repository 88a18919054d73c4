"""The campaign's plans: one seed, one campaign; every run does something real."""

from __future__ import annotations

import json

from plan import Shape, make_plans


def test_one_seed_plans_the_same_campaign_and_another_seed_another():
    assert make_plans(41, 20) == make_plans(41, 20)
    assert make_plans(41, 20) != make_plans(42, 20)


def test_runs_create_first_update_from_where_the_last_left_and_create_again_after_a_destroy():
    plans = make_plans(7, 60)
    assert plans[0].action == "create"
    for previous, plan in zip(plans, plans[1:]):
        assert plan.start == previous.target
        if previous.op == "destroy":
            assert plan.action == "create"
        if plan.action == "update":
            assert plan.target != plan.start  # something real changes
            assert plan.target.kind == plan.start.kind
    actions = {plan.action for plan in plans}
    assert actions == {"create", "update", "destroy"}
    # The third run of every five is interrupted.
    assert all(plan.interrupt for plan in plans if plan.index % 5 == 2)


def test_a_shape_is_stack_config_the_example_reads():
    config = Shape(kind="async", model_version=3, instance_count=2, weight=2, autoscaling=True).config()
    assert config["inferenceType"] == "async"
    assert config["modelS3Key"] == "models/text-classification/v3/model.tar.gz"
    assert json.loads(config["modelList"])[0]["InstanceCount"] == 2
    assert json.loads(config["variantWeights"]) == {"PrimaryVariant": 2}
    assert json.loads(config["autoscaling"])["maxCapacity"] == 3
    assert json.loads(config["rollout"]) is None
    assert config["sagemaker-deployment:maxAttempts"] == "6"
