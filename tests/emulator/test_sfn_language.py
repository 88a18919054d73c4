"""Unit tests of the Amazon States Language pieces: paths, templates, intrinsic functions, Choice rules,
error matching and the interpreter (on a stand-in task runner and a no-op sleeper)."""

from __future__ import annotations

import pytest

from sagemaker_emulator import sfn_choice, sfn_paths
from sagemaker_emulator.sfn_errors import StatesError, matches
from sagemaker_emulator.sfn_history import ExecutionHistory
from sagemaker_emulator.sfn_interpreter import Interpreter

DATA = {"job": {"name": "a", "metrics": [{"value": 0.9}]}, "n": 3, "flag": True, "text": "it's"}


def test_paths_select_nested_values_and_context():
    assert sfn_paths.read("$.job.metrics[0].value", DATA) == 0.9
    assert sfn_paths.read("$['job']['name']", DATA) == "a"
    assert sfn_paths.read("$$.Execution.Name", DATA, {"Execution": {"Name": "run-1"}}) == "run-1"
    with pytest.raises(StatesError) as missing:
        sfn_paths.read("$.nope", DATA, field="x.$")
    assert missing.value.error == "States.Runtime"
    assert "The JSONPath '$.nope' specified for the field 'x.$' could not be found" in missing.value.cause


def test_templates_and_intrinsic_functions():
    template = {
        "Name.$": "States.Format('job-{}-{}', $.job.name, $.n)",
        "Static": {"Nested.$": "$.flag"},
        "Items.$": "States.Array($.n, 'x', true)",
        "Parsed.$": "States.StringToJson('{\"a\": 1}')",
        "Text.$": "States.JsonToString($.job.metrics)",
        "Sum.$": "States.MathAdd($.n, 4)",
        "List": [{"Id.$": "$.n"}],
    }
    assert sfn_paths.template(template, DATA, {}) == {
        "Name": "job-a-3",
        "Static": {"Nested": True},
        "Items": [3, "x", True],
        "Parsed": {"a": 1},
        "Text": '[{"value":0.9}]',
        "Sum": 7,
        "List": [{"Id": 3}],
    }
    with pytest.raises(StatesError) as failure:
        sfn_paths.template({"x.$": "States.Format('{} {}', $.n)"}, DATA, {})
    assert failure.value.error == "States.IntrinsicFailure"


def test_result_path_places_discards_or_replaces():
    assert sfn_paths.result_path("$.out.value", {"a": 1}, 5) == {"a": 1, "out": {"value": 5}}
    assert sfn_paths.result_path(None, {"a": 1}, 5) == {"a": 1}
    assert sfn_paths.result_path("$", {"a": 1}, 5) == 5


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"Variable": "$.n", "NumericGreaterThanEquals": 3}, True),
        ({"Variable": "$.n", "NumericLessThan": 3}, False),
        ({"Variable": "$.n", "StringEquals": "3"}, False),  # types differ: false
        ({"Variable": "$.job.name", "StringEquals": "a"}, True),
        ({"Variable": "$.flag", "BooleanEquals": True}, True),
        ({"Variable": "$.missing", "IsPresent": False}, True),
        ({"Variable": "$.job.name", "StringMatches": "a*"}, True),
        ({"Variable": "$.n", "NumericEqualsPath": "$.n"}, True),
        ({"And": [{"Variable": "$.n", "NumericGreaterThan": 1}, {"Not": {"Variable": "$.flag", "BooleanEquals": False}}]}, True),
        ({"Or": [{"Variable": "$.n", "NumericGreaterThan": 5}, {"Variable": "$.text", "IsString": True}]}, True),
    ],
)
def test_choice_rules(rule, expected):
    assert sfn_choice.evaluate(rule, DATA, {}) is expected


def test_choice_on_a_missing_variable_is_a_runtime_error():
    with pytest.raises(StatesError) as error:
        sfn_choice.evaluate({"Variable": "$.missing", "NumericEquals": 1}, DATA, {})
    assert error.value.error == "States.Runtime"


def test_error_matching():
    assert matches(["States.ALL"], "SageMaker.ValidationException")
    assert not matches(["States.ALL"], "States.Runtime")
    assert matches(["States.TaskFailed"], "SageMaker.AmazonSageMakerException")
    assert not matches(["States.TaskFailed"], "States.Timeout")
    assert matches(["X", "States.Timeout"], "States.Timeout")


def _run(definition: dict, task, payload: dict):
    slept: list[float] = []
    history = ExecutionHistory(lambda: 0.0)
    interpreter = Interpreter(definition, {}, task, slept.append, history, lambda: 0.0)
    return interpreter.run(payload), slept, history.types()


def test_retry_backs_off_then_succeeds():
    attempts = []

    def flaky(resource, parameters, history):
        attempts.append(parameters)
        if len(attempts) < 3:
            raise StatesError("SageMaker.ThrottlingException", "slow down")
        return {"ok": True}

    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "r",
                "Parameters": {"n.$": "$.n"},
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 5}],
                "ResultPath": "$.result",
                "End": True,
            }
        },
    }
    output, slept, _ = _run(definition, flaky, {"n": 1})
    assert output == {"n": 1, "result": {"ok": True}}
    assert [seconds for seconds in slept if seconds] == [2.0, 6.0]
    assert attempts == [{"n": 1}] * 3


def test_parallel_map_and_no_choice_matched():
    definition = {
        "StartAt": "Par",
        "States": {
            "Par": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1, "End": True}}},
                    {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": 2, "End": True}}},
                ],
                "ResultPath": "$.branches",
                "Next": "Map",
            },
            "Map": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"twice.$": "States.MathAdd($.v, $.v)"}, "End": True}}},
                "ResultPath": "$.mapped",
                "Next": "Pick",
            },
            "Pick": {"Type": "Choice", "Choices": [{"Variable": "$.items[0].v", "NumericEquals": 99, "Next": "Done"}]},
            "Done": {"Type": "Succeed"},
        },
    }
    with pytest.raises(StatesError) as error:
        _run(definition, None, {"items": [{"v": 1}, {"v": 2}]})
    assert error.value.error == "States.NoChoiceMatched"

    definition["States"]["Pick"]["Default"] = "Done"
    output, _, types = _run(definition, None, {"items": [{"v": 1}, {"v": 2}]})
    assert output["branches"] == [1, 2]
    assert output["mapped"] == [{"twice": 2}, {"twice": 4}]
    assert types[:2] == ["ParallelStateEntered", "PassStateEntered"]
