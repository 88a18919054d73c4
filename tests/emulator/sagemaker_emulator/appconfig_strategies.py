"""AppConfig's predefined deployment strategies, and how a strategy rolls a deployment out.

Predefined strategies (AppConfig User Guide, "Using predefined deployment strategies",
https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-creating-deployment-strategy-predefined.html):

* ``AppConfig.Linear20PercentEvery6Minutes``: "deploys the configuration to 20% of all targets every
  six minutes for a 30 minute deployment. The system monitors for Amazon CloudWatch alarms for 30 minutes";
* ``AppConfig.Canary10Percent20Minutes``: "processes the deployment exponentially using a 10% growth
  factor over 20 minutes. The system monitors for CloudWatch alarms for 10 minutes";
* ``AppConfig.AllAtOnce``: "deploys the configuration to all targets immediately. The system monitors
  for CloudWatch alarms for 10 minutes";
* ``AppConfig.Linear50PercentEvery30Seconds``: "deploys the configuration to half of all targets every
  30 seconds for a one-minute deployment. The system monitors for Amazon CloudWatch alarms for 1 minute".

Their ``Description`` and ``ReplicateTo`` (``Quick`` / ``Test/Demo`` / ``AWS Recommended``, ``NONE``) and
the order ListDeploymentStrategies gives them (after the account's own) are as another emulator's AWS
parity tests (ministack) recorded GetDeploymentStrategy and ListDeploymentStrategies answering on AWS.
They are read by ID (``AppConfig.<Name>``, the ``DeploymentStrategyId`` pattern
``(^[a-z0-9]{4,7}$|^AppConfig\\.[A-Za-z0-9]{9,40}$)``), cannot be updated or deleted.

Rollout (API reference, CreateDeploymentStrategy ``GrowthType``):

* LINEAR: "dividing the total number of targets by the value specified for Step percentage ... 10 percent
  of the hosts ... the next 10 percent. This continues until 100%";
* EXPONENTIAL: "G*(2^N) ... 2% of the targets, 4% of the targets, 8% of the targets, and continues until
  the configuration has been deployed to all targets".

Step times: the API reference's GetDeployment example (a LINEAR 25% strategy over 15 minutes) shows
``PERCENTAGE_UPDATED`` 25%, 50%, 75%, 100% at 3, 6, 9 and 12 minutes and ``BAKE_TIME_STARTED`` at 15:
``n`` steps at ``k * duration / (n + 1)``, the bake at ``duration``. (UpdateDeploymentStrategy's text -
"initially makes the configuration available to 20 percent ... After 1/5th of the deployment time has
passed ... 40 percent" - puts the first step at the start; the recorded example is followed.)
"""

from __future__ import annotations

from dataclasses import dataclass

from .appconfig_store import DeploymentStrategy

PREDEFINED: tuple[DeploymentStrategy, ...] = (
    DeploymentStrategy("AppConfig.AllAtOnce", "AppConfig.AllAtOnce", "Quick", 0, 10, 100.0, "LINEAR", "NONE", True),
    DeploymentStrategy(
        "AppConfig.Linear50PercentEvery30Seconds", "AppConfig.Linear50PercentEvery30Seconds", "Test/Demo", 1, 1, 50.0, "LINEAR", "NONE", True
    ),
    DeploymentStrategy(
        "AppConfig.Canary10Percent20Minutes", "AppConfig.Canary10Percent20Minutes", "AWS Recommended", 20, 10, 10.0, "EXPONENTIAL", "NONE", True
    ),
    DeploymentStrategy(
        "AppConfig.Linear20PercentEvery6Minutes", "AppConfig.Linear20PercentEvery6Minutes", "AWS Recommended", 30, 30, 20.0, "LINEAR", "NONE", True
    ),
)
PREDEFINED_BY_ID = {strategy.id: strategy for strategy in PREDEFINED}


def percentages(growth_type: str, growth_factor: float) -> list[float]:
    """The share of targets after each step, ending at 100."""
    shares: list[float] = []
    if growth_type == "EXPONENTIAL":
        step = 0
        while not shares or shares[-1] < 100.0:
            shares.append(min(100.0, growth_factor * 2**step))
            step += 1
    else:
        count = 1
        while not shares or shares[-1] < 100.0:
            shares.append(min(100.0, growth_factor * count))
            count += 1
    return shares


@dataclass(frozen=True)
class Step:
    """One ``PERCENTAGE_UPDATED``: ``offset`` seconds (AWS time) after the deployment started."""

    offset: float
    percentage: float


def rollout(duration_minutes: int, growth_type: str, growth_factor: float) -> list[Step]:
    """The steps of a deployment (AWS seconds from its start), the last one at 100%."""
    shares = percentages(growth_type, growth_factor)
    duration = duration_minutes * 60.0
    return [Step(duration * index / (len(shares) + 1), share) for index, share in enumerate(shares, start=1)]
