"""An AppConfig deployment moving through its states over time, with its event log.

States (API reference, Deployment ``State``; StopDeployment; User Guide "Working with deployment
strategies" and "Monitoring deployments for automatic rollback")::

    DEPLOYING (DeploymentDurationInMinutes) -> BAKING (FinalBakeTimeInMinutes) -> COMPLETE
    DEPLOYING | BAKING -> ROLLING_BACK -> ROLLED_BACK     an alarm, an injected failure, StopDeployment
    COMPLETE -> REVERTED                                  StopDeployment with AllowRevert (within 72 hours)

Durations are the strategy's, copied into the deployment when it starts (a later UpdateDeploymentStrategy
does not change it), times ``appconfig_time_scale``; ``ROLLING_BACK`` lasts
``appconfig_rolling_back_seconds`` (how long AWS takes is not documented). Each deployment is a
:class:`~timeline.Timeline` in the AppConfig hooks' :class:`~timeline.Timelines`, advanced before every
AppConfig call; the monitors are its ``DEPLOYING`` and ``BAKING`` phases' watch (:mod:`appconfig_monitors`),
so a rollback starts at the moment the alarm fired, however late someone looks.

The ``EventLog`` ("A list containing all events related to a deployment. The most recent events are
displayed first", API reference, Deployment) is derived from the timeline: ``DEPLOYMENT_STARTED`` (``USER``),
``PERCENTAGE_UPDATED`` per rollout step (:func:`appconfig_strategies.rollout`), ``BAKE_TIME_STARTED``,
``DEPLOYMENT_COMPLETED`` (``APPCONFIG``), ``ROLLBACK_STARTED`` (``CLOUDWATCH_ALARM`` with the alarm ARN,
``USER`` with the account, ``INTERNAL_ERROR``), ``ROLLBACK_COMPLETED``, ``REVERT_COMPLETED``. The
descriptions of the first four are the API reference's GetDeployment example's ("Deployment started",
"Configuration available to 25.00% of clients", "Deployment bake time started", "Deployment completed");
the rollback ones are the emulator's, holding what DeploymentEvent ``Description`` says they hold ("The
Amazon Web Services account or the Amazon CloudWatch alarm ARN that initiated a rollback").

``PercentageComplete`` is the last step's share; before the first step it is 1.0, as in the API
reference's StartDeployment and StopDeployment examples (and the ``Percentage`` shape's minimum).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .appconfig_monitors import Trigger, first_trigger
from .appconfig_strategies import Step
from .timeline import Phase, Timeline

DEPLOYING = "DEPLOYING"
BAKING = "BAKING"
COMPLETE = "COMPLETE"
ROLLING_BACK = "ROLLING_BACK"
ROLLED_BACK = "ROLLED_BACK"
REVERTED = "REVERTED"
VALIDATING = "VALIDATING"
IN_PROGRESS = (VALIDATING, DEPLOYING, BAKING, ROLLING_BACK)
# Serving the deployed data: "Bake time ... after the configuration has been deployed to 100% of its targets".
DEPLOYED_TO_ALL = (BAKING, COMPLETE)

REVERT_WINDOW_SECONDS = 72 * 3600  # StopDeployment: "AWS AppConfig only allows a revert within 72 hours of deployment completion."
INITIAL_PERCENTAGE = 1.0


def iso(seconds: float) -> str:
    """An ``Iso8601DateTime`` as AppConfig's rest-json answers carry it."""
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Deployment:
    """One deployment: what was deployed (a copy of the data, "Caches a copy of the data so it is ready to be
    retrieved by your application", User Guide, "Deploying feature flags and configuration data") and how."""

    account_id: str
    region: str
    application_id: str
    environment_id: str
    number: int
    strategy_id: str
    duration_minutes: int
    final_bake_minutes: int
    growth_factor: float
    growth_type: str
    profile_id: str
    configuration_name: str
    location_uri: str
    configuration_version: str
    version_label: str | None
    description: str | None
    content: bytes
    content_type: str
    kms_key_identifier: str | None
    monitors: list[dict]
    started_at: float
    time_scale: float
    steps: list[Step]
    fail_when_deployed: bool = False
    rollback: Trigger | None = None
    revert: Trigger | None = None
    timeline: Timeline | None = field(default=None, repr=False)

    # -- the timeline -------------------------------------------------------------------------------

    def phases(self, watch: Callable, end_of_deploying: Callable) -> list[Phase]:
        return [
            Phase(DEPLOYING, self.duration_minutes * 60.0 * self.time_scale, then=end_of_deploying, watch=watch),
            Phase(BAKING, self.final_bake_minutes * 60.0 * self.time_scale, watch=watch),
            Phase(COMPLETE),
        ]

    @property
    def state(self) -> str:
        return self.timeline.state if self.timeline is not None else DEPLOYING

    def entered(self, state: str) -> float | None:
        """When the deployment (last) entered ``state``."""
        times = [at for name, at in (self.timeline.history if self.timeline else []) if name == state]
        return times[-1] if times else None

    @property
    def completed_at(self) -> float | None:
        return self.entered(COMPLETE)

    def _left_deploying(self, now: float) -> tuple[float, bool]:
        """When ``DEPLOYING`` ended (or ``now``), and whether a rollback ended it."""
        history = self.timeline.history if self.timeline else []
        for index, (state, _) in enumerate(history):
            if state == DEPLOYING and index + 1 < len(history):
                following, at = history[index + 1]
                return at, following == ROLLING_BACK
        return now, False

    def reached_steps(self, now: float) -> list[tuple[float, Step]]:
        """The rollout steps taken so far, with their (emulator) times."""
        left, rolled_back = self._left_deploying(now)
        reached = []
        for step in self.steps:
            at = self.started_at + step.offset * self.time_scale
            if at < left or (at == left and not rolled_back):
                reached.append((at, step))
        return reached

    def percentage_complete(self, now: float) -> float:
        reached = self.reached_steps(now)
        return reached[-1][1].percentage if reached else INITIAL_PERCENTAGE

    # -- what GetDeployment shows ---------------------------------------------------------------------

    def events(self, now: float) -> list[dict]:
        """The event log, most recent first."""
        log = [(self.started_at, 0, "DEPLOYMENT_STARTED", "USER", "Deployment started")]
        for at, step in self.reached_steps(now):
            log.append((at, 1, "PERCENTAGE_UPDATED", "APPCONFIG", f"Configuration available to {step.percentage:.2f}% of clients"))
        order = 2
        for state, at in (self.timeline.history if self.timeline else [])[1:]:
            order += 1
            if state == BAKING:
                log.append((at, order, "BAKE_TIME_STARTED", "APPCONFIG", "Deployment bake time started"))
            elif state == COMPLETE:
                log.append((at, order, "DEPLOYMENT_COMPLETED", "APPCONFIG", "Deployment completed"))
            elif state == ROLLING_BACK and self.rollback is not None:
                log.append((at, order, "ROLLBACK_STARTED", self.rollback.triggered_by, self.rollback.description))
            elif state == ROLLED_BACK:
                log.append((at, order, "ROLLBACK_COMPLETED", "APPCONFIG", "Rollback completed"))
            elif state == REVERTED and self.revert is not None:
                log.append((at, order, "REVERT_COMPLETED", self.revert.triggered_by, self.revert.description))
        log.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
        return [{"EventType": kind, "TriggeredBy": by, "Description": text, "OccurredAt": iso(at)} for at, _, kind, by, text in log]

    def summary(self, now: float) -> dict:
        """``DeploymentSummary`` (ListDeployments)."""
        completed = self.completed_at
        return {
            "DeploymentNumber": self.number,
            "ConfigurationName": self.configuration_name,
            "ConfigurationVersion": self.configuration_version,
            "DeploymentDurationInMinutes": self.duration_minutes,
            "GrowthType": self.growth_type,
            "GrowthFactor": float(self.growth_factor),
            "FinalBakeTimeInMinutes": self.final_bake_minutes,
            "State": self.state,
            "PercentageComplete": self.percentage_complete(now),
            "StartedAt": iso(self.started_at),
            "CompletedAt": iso(completed) if completed is not None else None,
            "VersionLabel": self.version_label,
        }

    def to_json(self, now: float) -> dict:
        """``Deployment`` (StartDeployment, GetDeployment, StopDeployment)."""
        answer: dict[str, Any] = {
            "ApplicationId": self.application_id,
            "EnvironmentId": self.environment_id,
            "DeploymentStrategyId": self.strategy_id,
            "ConfigurationProfileId": self.profile_id,
            "ConfigurationLocationUri": self.location_uri,
            "Description": self.description,
            "EventLog": self.events(now),
            "KmsKeyIdentifier": self.kms_key_identifier,
            "KmsKeyArn": self.kms_key_identifier if (self.kms_key_identifier or "").startswith("arn:") else None,
        }
        answer.update(self.summary(now))
        return answer


def rollback_phases(seconds: float) -> list[Phase]:
    return [Phase(ROLLING_BACK, seconds), Phase(ROLLED_BACK)]


def environment_state(deployments: list[Deployment]) -> str:
    """The environment's ``State``: that of its latest deployment (API reference, Environment: "READY_FOR_DEPLOYMENT,
    DEPLOYING, ROLLING_BACK, or ROLLED_BACK"; REVERTED after a revert)."""
    if not deployments:
        return "READY_FOR_DEPLOYMENT"
    state = deployments[-1].state
    if state in (VALIDATING, DEPLOYING, BAKING):
        return "DEPLOYING"
    if state in (ROLLING_BACK, ROLLED_BACK, REVERTED):
        return state
    return "READY_FOR_DEPLOYMENT"


def in_progress(deployments: list[Deployment]) -> Deployment | None:
    """The deployment still running in this environment, if any ("You can only deploy one configuration at a
    time to an Environment", User Guide, "Deploying a configuration")."""
    return next((deployment for deployment in reversed(deployments) if deployment.state in IN_PROGRESS), None)


def deployed(deployments: list[Deployment], profile_id: str) -> Deployment | None:
    """The deployment whose data clients of ``profile_id`` receive: the latest one that reached 100% of the
    targets (``BAKING`` or ``COMPLETE``) and was not rolled back or reverted. During ``DEPLOYING`` clients keep
    the previous data (the emulator does not split clients by the rollout's percentage)."""
    for deployment in reversed(deployments):
        if deployment.profile_id == profile_id and deployment.state in DEPLOYED_TO_ALL:
            return deployment
    return None


def watch_monitors(deployment: Deployment, propagation_seconds: Callable[[], float], rolling_back_seconds: Callable[[], float]) -> Callable:
    """The ``watch`` of the DEPLOYING and BAKING phases: roll back from the first monitor trigger."""

    def watch(start: float, end: float) -> tuple[float, list[Phase]] | None:
        trigger = first_trigger(deployment.monitors, deployment.account_id, start, end, propagation_seconds())
        if trigger is None:
            return None
        deployment.rollback = trigger
        return trigger.at, rollback_phases(rolling_back_seconds())

    return watch


def end_of_deploying(deployment: Deployment, rolling_back_seconds: Callable[[], float]) -> Callable:
    """The ``then`` of DEPLOYING: an injected failure (``fail_next_appconfig_deployment``) rolls back here."""

    def then(at: float) -> list[Phase] | None:
        if not deployment.fail_when_deployed:
            return None
        deployment.rollback = Trigger(at, "INTERNAL_ERROR", INJECTED_FAILURE)
        return rollback_phases(rolling_back_seconds())

    return then


INJECTED_FAILURE = "Injected failure: the deployment failed with an internal error. Start a new deployment."
