"""A configuration profile's validators, run on configuration data.

"The configuration deployment or update can only proceed when the configuration data is valid"
(API reference, Validator, https://docs.aws.amazon.com/appconfig/2019-10-09/APIReference/API_Validator.html):
the emulator runs them on ``CreateHostedConfigurationVersion`` (the update), on ``StartDeployment``
("Verifies the configuration data is syntactically and semantically correct by using the validators you
specified", User Guide, "Deploying feature flags and configuration data in AWS AppConfig") and on
``ValidateConfiguration``. A failure is a ``BadRequestException`` with ``Reason: InvalidConfiguration``
and ``Details.InvalidConfiguration`` (``Constraint``, ``Location``, ``Reason``, ``Type``), the shape the
API reference gives for "the bad request exception error when creating a hosted configuration version"
(BadRequestDetails); the texts inside are the emulator's.

* ``JSON_SCHEMA``: "AWS AppConfig supports JSON Schema version 4.X for inline schema" (User Guide, "About
  validators"): the data is parsed as JSON and checked with a draft 4 validator. Data that is not JSON, or
  a schema that is not a JSON object, fails validation.
* ``LAMBDA``: AWS invokes the function ("AWS AppConfig calls your validation Lambda when calling the
  StartDeployment and ValidateConfigurationActivity API actions"); the emulator runs no functions, so
  Lambda validators always pass.
"""

from __future__ import annotations

import json

from . import appconfig_errors as errors


def _problems(schema_text: str, content: bytes) -> list[dict]:
    from jsonschema import Draft4Validator

    try:
        schema = json.loads(schema_text)
    except ValueError:
        return [{"Constraint": "schema", "Location": "$", "Reason": "The validator's JSON Schema is not valid JSON.", "Type": "JSON_SCHEMA"}]
    if not isinstance(schema, dict):
        return [{"Constraint": "schema", "Location": "$", "Reason": "The validator's JSON Schema is not a JSON object.", "Type": "JSON_SCHEMA"}]
    try:
        data = json.loads(content.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return [{"Constraint": "type", "Location": "$", "Reason": "The configuration data is not valid JSON.", "Type": "JSON_SCHEMA"}]
    found = []
    for error in sorted(Draft4Validator(schema).iter_errors(data), key=lambda e: list(e.absolute_path)):
        location = "$" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path)
        found.append({"Constraint": str(error.validator), "Location": location, "Reason": error.message, "Type": "JSON_SCHEMA"})
    return found


def check(validators: list[dict], content: bytes) -> None:
    """Raise AppConfig's ``InvalidConfiguration`` error when a ``JSON_SCHEMA`` validator rejects ``content``."""
    problems: list[dict] = []
    for validator in validators or []:
        if validator.get("Type") == "JSON_SCHEMA":
            problems.extend(_problems(validator.get("Content") or "", content))
    if problems:
        raise errors.bad_request(
            "The configuration data failed validation: " + "; ".join(f"{p['Location']}: {p['Reason']}" for p in problems),
            reason="InvalidConfiguration",
            details={"InvalidConfiguration": problems},
        )
