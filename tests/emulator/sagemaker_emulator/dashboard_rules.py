"""What ``PutDashboard`` accepts as a dashboard body, per CloudWatch's documented structure.

Source: CloudWatch API Reference, "Dashboard Body Structure and Syntax"
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html):

* the body is a JSON object that "must include a ``widgets`` array, but that array can
  be empty", of "between 0 and 500 widget objects";
* each widget has a ``type`` (``metric``, ``text``, ``log``, ``alarm``, ``explorer``,
  ``custom``) and ``properties``; ``x`` / ``y`` are integers >= 0, ``width`` 1-24,
  ``height`` 1-1000 ("Widgets Array Structure");
* a metric widget's properties have a ``region``; its ``metrics`` is an array of
  metric arrays ``[Namespace, MetricName, DimensionName, DimensionValue, ...,
  {rendering properties}]`` - strings, the rendering object last ("Metric Widget:
  Format for Each Metric in the Array"), or a math expression ``[{"expression": ...}]``;
  ``.`` / ``...`` repeat earlier values;
* a text widget has ``markdown``; an alarm widget ``alarms`` (an array of alarm ARNs).

A body that breaks a rule is refused with ``InvalidParameterInput`` (the API's
``DashboardInvalidInputError``), HTTP 400, the message ``The dashboard body is invalid,
there are N validation errors:`` followed by the JSON list of ``{"dataPath",
"message"}``, and ``DashboardValidationMessages`` (``DataPath``, ``Message``) - the form
AWS answers, as quoted in public deployment logs (messages such as ``Invalid metric field
type, only "String" type is allowed`` are AWS's; ``Should have required property 'x'``
follows the same JSON-schema wording; the others are the emulator's).
"""

from __future__ import annotations

import json
from typing import Any

WIDGET_TYPES = ("metric", "text", "log", "alarm", "explorer", "custom")
MAX_WIDGETS = 500

Problem = tuple[str, str]  # (dataPath, message)


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate(body: Any) -> list[Problem]:
    """The problems of a dashboard body (text); empty when CloudWatch accepts it."""
    if not isinstance(body, str):
        return [("", "Should be a JSON string")]
    try:
        document = json.loads(body)
    except ValueError as error:
        return [("", f"Should be valid JSON: {error}")]
    if not isinstance(document, dict):
        return [("", "Should be object")]
    if "widgets" not in document:
        return [("", "Should have required property 'widgets'")]
    widgets = document["widgets"]
    if not isinstance(widgets, list):
        return [("/widgets", "Should be array")]
    problems: list[Problem] = []
    if len(widgets) > MAX_WIDGETS:
        problems.append(("/widgets", f"Should NOT have more than {MAX_WIDGETS} items"))
    for index, widget in enumerate(widgets):
        problems.extend(_widget(widget, f"/widgets/{index}"))
    return problems


def _widget(widget: Any, path: str) -> list[Problem]:
    if not isinstance(widget, dict):
        return [(path, "Should be object")]
    problems: list[Problem] = []
    kind = widget.get("type")
    if "type" not in widget:
        problems.append((path, "Should have required property 'type'"))
    elif kind not in WIDGET_TYPES:
        problems.append((f"{path}/type", f"Should be equal to one of the allowed values: {list(WIDGET_TYPES)}"))
    for field, low, high in (("x", 0, None), ("y", 0, None), ("width", 1, 24), ("height", 1, 1000)):
        if field not in widget:
            continue
        value = widget[field]
        if not _integer(value):
            problems.append((f"{path}/{field}", "Should be integer"))
        elif value < low:
            problems.append((f"{path}/{field}", f"Should be >= {low}"))
        elif high is not None and value > high:
            problems.append((f"{path}/{field}", f"Should be <= {high}"))
    if "properties" not in widget:
        problems.append((path, "Should have required property 'properties'"))
        return problems
    properties = widget["properties"]
    if not isinstance(properties, dict):
        problems.append((f"{path}/properties", "Should be object"))
        return problems
    where = f"{path}/properties"
    if kind == "metric":
        if "region" not in properties:
            problems.append((where, "Should have required property 'region'"))
        if "metrics" in properties:
            problems.extend(_metrics(properties["metrics"], f"{where}/metrics"))
    elif kind == "text":
        if not isinstance(properties.get("markdown"), str):
            problems.append((where, "Should have required property 'markdown'"))
    elif kind == "alarm":
        alarms = properties.get("alarms")
        if "alarms" not in properties:
            problems.append((where, "Should have required property 'alarms'"))
        elif not isinstance(alarms, list) or not all(isinstance(arn, str) for arn in alarms):
            problems.append((f"{where}/alarms", "Should be array of alarm ARNs"))
    return problems


def _metrics(metrics: Any, path: str) -> list[Problem]:
    if not isinstance(metrics, list):
        return [(path, "Should be array")]
    problems: list[Problem] = []
    for index, metric in enumerate(metrics):
        here = f"{path}/{index}"
        if not isinstance(metric, list) or not metric:
            problems.append((here, "Should be a non-empty array"))
            continue
        if len(metric) == 1 and isinstance(metric[0], dict):
            if "expression" not in metric[0]:
                problems.append((f"{here}/0", "Should have required property 'expression'"))
            continue
        fields = metric[:-1] if isinstance(metric[-1], dict) else metric
        for position, value in enumerate(fields):
            if not isinstance(value, str):
                problems.append((f"{here}/{position}", 'Invalid metric field type, only "String" type is allowed'))
        if any(not isinstance(value, str) for value in fields):
            continue
        if any(value in (".", "...") for value in fields):
            continue  # shorthand repeating the previous metric's values
        if len(fields) < 2:
            problems.append((here, "Should have at least a namespace and a metric name"))
        elif len(fields) % 2 != 0:
            problems.append((here, "Should have dimensions as name and value pairs after the namespace and the metric name"))
    return problems


def error_message(problems: list[Problem]) -> str:
    listed = json.dumps([{"dataPath": path, "message": message} for path, message in problems], indent=2)
    return f"The dashboard body is invalid, there are {len(problems)} validation errors:\n{listed}"
