"""Helpers for the AppConfig emulator tests: an application with an environment and a hosted configuration
profile, custom strategies, a monitor (CloudWatch alarm and the role AppConfig reads it with), and waiting
for a deployment or environment state."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

ACCOUNT = "123456789012"
APPCONFIG_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "appconfig.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
# The permission policy of "(Optional) Configuring permissions for rollback based on CloudWatch alarms", step 1.
DESCRIBE_ALARMS = [{"Effect": "Allow", "Action": ["cloudwatch:DescribeAlarms"], "Resource": "*"}]


@dataclass
class Target:
    """An application, one of its environments and a hosted configuration profile."""

    application_id: str
    environment_id: str
    profile_id: str

    @property
    def env(self) -> dict:
        return {"ApplicationId": self.application_id, "EnvironmentId": self.environment_id}

    @property
    def profile(self) -> dict:
        return {"ApplicationId": self.application_id, "ConfigurationProfileId": self.profile_id}


def make_target(appconfig: Any, monitors: list[dict] | None = None, validators: list[dict] | None = None, name: str = "app") -> Target:
    app = appconfig.create_application(Name=name)
    env = appconfig.create_environment(ApplicationId=app["Id"], Name="prod", Monitors=monitors or [])
    profile = appconfig.create_configuration_profile(ApplicationId=app["Id"], Name="settings", LocationUri="hosted", Validators=validators or [])
    return Target(app["Id"], env["Id"], profile["Id"])


def put_version(appconfig: Any, target: Target, document: dict, label: str | None = None) -> int:
    extra = {"VersionLabel": label} if label else {}
    answer = appconfig.create_hosted_configuration_version(
        **target.profile, Content=json.dumps(document).encode(), ContentType="application/json", **extra
    )
    return answer["VersionNumber"]


def strategy(appconfig: Any, minutes: int, bake: int, growth: float = 50.0, growth_type: str = "LINEAR") -> str:
    return appconfig.create_deployment_strategy(
        Name=f"s-{minutes}-{bake}-{growth}-{growth_type}",
        DeploymentDurationInMinutes=minutes,
        FinalBakeTimeInMinutes=bake,
        GrowthFactor=growth,
        GrowthType=growth_type,
    )["Id"]


def deploy(appconfig: Any, target: Target, strategy_id: str, version: int | str = 1) -> int:
    return appconfig.start_deployment(
        **target.env, DeploymentStrategyId=strategy_id, ConfigurationProfileId=target.profile_id, ConfigurationVersion=str(version)
    )["DeploymentNumber"]


def make_alarm(cloudwatch: Any, name: str = "errors") -> str:
    """A metric alarm (moto starts it ``OK``); its ARN."""
    cloudwatch.put_metric_alarm(
        AlarmName=name, MetricName="Errors", Namespace="App", Statistic="Sum", Period=60, EvaluationPeriods=1,
        Threshold=1.0, ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    return f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:{name}"


def make_alarm_role(iam: Any, name: str = "appconfig-alarms", trust: dict | None = None, statements: list[dict] | None = None) -> str:
    """A role AppConfig can assume, allowed cloudwatch:DescribeAlarms (unless told otherwise); its ARN."""
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust or APPCONFIG_TRUST))["Role"]["Arn"]
    iam.put_role_policy(
        RoleName=name, PolicyName="alarms",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": DESCRIBE_ALARMS if statements is None else statements}),
    )
    return arn


def deployment(appconfig: Any, target: Target, number: int) -> dict:
    return appconfig.get_deployment(**target.env, DeploymentNumber=number)


def wait_deployment(appconfig: Any, target: Target, number: int, state: str, timeout: float = 15.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        answer = deployment(appconfig, target, number)
        if answer["State"] == state:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"deployment {number} still {answer['State']} after {timeout} s, expected {state}")
        time.sleep(0.02)


def environment_state(appconfig: Any, target: Target) -> str:
    return appconfig.get_environment(**target.env)["State"]


def events(answer: dict) -> list[tuple[str, str]]:
    """(EventType, TriggeredBy) oldest first."""
    return [(event["EventType"], event["TriggeredBy"]) for event in reversed(answer["EventLog"])]
