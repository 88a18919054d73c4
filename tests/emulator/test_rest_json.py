"""In-process: how a rest-json call is read against its API model (labels, query, headers, payload), which
operation a percent-encoded REST path is, the model's constraints, and the AppConfig rollout steps."""

from __future__ import annotations

import pytest
from werkzeug.test import EnvironBuilder

from sagemaker_emulator import rest_json
from sagemaker_emulator.appconfig_errors import bad_request
from sagemaker_emulator.appconfig_strategies import percentages, rollout
from sagemaker_emulator.aws_errors import AwsError
from sagemaker_emulator.request_info import describe, raw_path

SIGNED = "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/appconfig/aws4_request, SignedHeaders=host, Signature=0"
ARN = "arn:aws:appconfig:us-east-1:123456789012:application/abc1234/environment/def5678"
ENCODED_ARN = "arn%3Aaws%3Aappconfig%3Aus-east-1%3A123456789012%3Aapplication%2Fabc1234%2Fenvironment%2Fdef5678"


def environ(method: str, path: str, query: str = "", headers: dict | None = None, body: bytes = b"") -> dict:
    builder = EnvironBuilder(method=method, path=path, query_string=query, headers={"Authorization": SIGNED, **(headers or {})}, data=body)
    env = builder.get_environ()
    env["RAW_URI"] = path + (f"?{query}" if query else "")  # as werkzeug's server passes the request line
    return env


def read(env: dict, model: str = "appconfig") -> tuple[str, dict]:
    request = describe(env)
    return request.operation, rest_json.decode_checked(model, request.operation, request, env, bad_request)


def test_an_arn_label_with_encoded_slashes_is_one_label():
    env = environ("DELETE", f"/tags/{ENCODED_ARN}", "tagKeys=team&tagKeys=stack")
    assert raw_path(env) == f"/tags/{ENCODED_ARN}"
    assert env["PATH_INFO"] != raw_path(env)  # the decoded path has the ARN's slashes
    assert read(env) == ("UntagResource", {"ResourceArn": ARN, "TagKeys": ["team", "stack"]})


def test_headers_and_a_raw_payload_become_typed_members():
    env = environ(
        "POST",
        "/applications/abc1234/configurationprofiles/xyz9876/hostedconfigurationversions",
        headers={"Content-Type": "application/x-yaml", "Latest-Version-Number": "3", "VersionLabel": "v1.2", "Description": "d"},
        body=b"a: 1\n",
    )
    assert read(env) == (
        "CreateHostedConfigurationVersion",
        {
            "ApplicationId": "abc1234",
            "ConfigurationProfileId": "xyz9876",
            "ContentType": "application/x-yaml",
            "LatestVersionNumber": 3,
            "VersionLabel": "v1.2",
            "Description": "d",
            "Content": b"a: 1\n",
        },
    )


def test_uri_integers_and_boolean_headers_are_typed():
    env = environ("DELETE", "/applications/abc1234/environments/def5678/deployments/2", headers={"Allow-Revert": "true"})
    assert read(env) == ("StopDeployment", {"ApplicationId": "abc1234", "EnvironmentId": "def5678", "DeploymentNumber": 2, "AllowRevert": True})
    with pytest.raises(AwsError, match="Member must be a number"):
        read(environ("GET", "/applications/abc1234/environments/def5678/deployments/two"))


def test_appconfigdata_paths_and_query_members():
    operation, params = read(environ("GET", "/configuration", "configuration_token=abc%2Fdef"), "appconfigdata")
    assert (operation, params) == ("GetLatestConfiguration", {"ConfigurationToken": "abc/def"})


def test_json_body_members_are_checked_against_the_model():
    body = b'{"Name": "s", "DeploymentDurationInMinutes": 10, "GrowthFactor": 0.5, "GrowthType": "STEP"}'
    with pytest.raises(AwsError) as caught:
        read(environ("POST", "/deploymentstrategies", headers={"Content-Type": "application/json"}, body=body))
    assert caught.value.code == "BadRequestException"
    assert caught.value.message == (
        "2 validation errors detected: "
        "Value '0.5' at 'growthFactor' failed to satisfy constraint: Member must have value greater than or equal to 1; "
        "Value 'STEP' at 'growthType' failed to satisfy constraint: Member must satisfy enum value set: [LINEAR, EXPONENTIAL]"
    )


def test_a_body_that_is_not_json_is_a_bad_request():
    with pytest.raises(AwsError, match="not valid JSON"):
        read(environ("POST", "/applications", headers={"Content-Type": "application/json"}, body=b"{nope"))


@pytest.mark.parametrize(
    ("growth_type", "factor", "shares"),
    [
        ("LINEAR", 25.0, [25.0, 50.0, 75.0, 100.0]),
        ("LINEAR", 30.0, [30.0, 60.0, 90.0, 100.0]),
        ("LINEAR", 100.0, [100.0]),
        ("EXPONENTIAL", 10.0, [10.0, 20.0, 40.0, 80.0, 100.0]),
        ("EXPONENTIAL", 2.0, [2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 100.0]),
    ],
)
def test_rollout_shares(growth_type, factor, shares):
    assert percentages(growth_type, factor) == shares


def test_rollout_steps_follow_the_api_reference_example():
    """GetDeployment example: LINEAR 25% over 15 minutes -> steps at 3, 6, 9, 12 minutes (bake at 15)."""
    assert [(step.offset / 60, step.percentage) for step in rollout(15, "LINEAR", 25.0)] == [(3, 25.0), (6, 50.0), (9, 75.0), (12, 100.0)]
    assert [(step.offset, step.percentage) for step in rollout(0, "LINEAR", 100.0)] == [(0.0, 100.0)]
