"""AppConfig deployments: StartDeployment, GetDeployment, ListDeployments, StopDeployment, and failures
injected through the control API. The states and events themselves: :mod:`appconfig_rollout`.

Rules (each with its source):

* one deployment at a time per environment: "You can only deploy one configuration at a time to an
  Environment. However, you can deploy one configuration each to different Environments at the same time"
  (User Guide, "Deploying a configuration"); StartDeployment answers ``ConflictException`` (listed for it)
  while one is ``DEPLOYING``, ``BAKING`` or ``ROLLING_BACK``;
* ``LatestDeploymentNumber``: "Use this value to ensure that the deployment starts from the expected state
  and to prevent conflicting updates" (API reference): another number than the latest deployment's is a
  ``ConflictException``;
* the profile's validators are run again on the data deployed (:mod:`appconfig_validators`); the strategy,
  profile and version must exist (``ResourceNotFoundException``); the version is a number or a label;
* StopDeployment "works only on deployments that have a status of DEPLOYING, unless an AllowRevert parameter
  is supplied. If the AllowRevert parameter is supplied, the status of an in-progress deployment will be
  ROLLED_BACK. The status of a completed deployment will be REVERTED. AWS AppConfig only allows a revert
  within 72 hours of deployment completion." (API reference); anything else is a ``BadRequestException``.
  It answers 202 with the deployment.

Only hosted configurations (``LocationUri: hosted``) can be deployed by the emulator; deploying another
source answers ``NotImplemented`` (501).
"""

from __future__ import annotations

from . import appconfig_errors as errors
from . import appconfig_validators
from .appconfig_context import AppConfigContext, listing, tag_at_creation
from .appconfig_monitors import Trigger
from .appconfig_resources import find_strategy, find_version
from .appconfig_rollout import (
    BAKING,
    COMPLETE,
    DEPLOYING,
    INITIAL_PERCENTAGE,
    INJECTED_FAILURE,
    REVERT_WINDOW_SECONDS,
    REVERTED,
    Deployment,
    end_of_deploying,
    in_progress,
    iso,
    rollback_phases,
    watch_monitors,
)
from .appconfig_strategies import rollout
from .aws_errors import HttpResponse
from .rest_json import json_answer
from .timeline import Phase


def _key(deployment: Deployment) -> tuple:
    return (deployment.account_id, deployment.region, deployment.application_id, deployment.environment_id, deployment.number)


def start_deployment(ctx: AppConfigContext) -> HttpResponse:
    params = ctx.params
    app_id, env_id = params["ApplicationId"], params["EnvironmentId"]
    env = ctx.state.environment(app_id, env_id)
    profile = ctx.state.profile(app_id, params["ConfigurationProfileId"])
    strategy = find_strategy(ctx, params["DeploymentStrategyId"])
    deployments = ctx.state.deployments_of(app_id, env_id)
    running = in_progress(deployments)
    if running is not None:
        raise errors.conflict(
            f"Deployment {running.number} to environment {env_id} is {running.state}; "
            "you can only deploy one configuration at a time to an environment."
        )
    latest_number = deployments[-1].number if deployments else None
    expected = params.get("LatestDeploymentNumber")
    if expected is not None and latest_number is not None and expected != latest_number:
        raise errors.conflict(f"LatestDeploymentNumber {expected} does not match the latest deployment {latest_number} of environment {env_id}.")
    if not profile.hosted:
        raise errors.not_emulated(f"StartDeployment of a configuration stored at {profile.location_uri} (only hosted configurations)")
    version = find_version(profile, params["ConfigurationVersion"])
    appconfig_validators.check(profile.validators, version.content)

    deployment = Deployment(
        account_id=ctx.account_id,
        region=ctx.region,
        application_id=app_id,
        environment_id=env_id,
        number=(latest_number or 0) + 1,
        strategy_id=strategy.id,
        duration_minutes=strategy.duration_minutes,
        final_bake_minutes=strategy.final_bake_minutes,
        growth_factor=strategy.growth_factor,
        growth_type=strategy.growth_type,
        profile_id=profile.id,
        configuration_name=profile.name,
        location_uri=profile.location_uri,
        configuration_version=str(version.number),
        version_label=version.label,
        description=params.get("Description"),
        content=version.content,
        content_type=version.content_type,
        kms_key_identifier=params.get("KmsKeyIdentifier") or profile.kms_key_identifier,
        monitors=[dict(monitor) for monitor in env.monitors],
        started_at=ctx.now,
        time_scale=ctx.time_scale,
        steps=rollout(strategy.duration_minutes, strategy.growth_type, strategy.growth_factor),
        fail_when_deployed=ctx.settings.consume_appconfig_deployment_failure(env_id),
    )
    deployments.append(deployment)
    tag_at_creation(ctx, ctx.state.deployment_arn(app_id, env_id, deployment.number))
    settings = ctx.settings
    phases = deployment.phases(
        watch_monitors(deployment, settings.iam_propagation_seconds, settings.appconfig_rolling_back_seconds),
        end_of_deploying(deployment, settings.appconfig_rolling_back_seconds),
    )
    state = ctx.state

    def alive() -> bool:
        return deployment in state.deployments.get((app_id, env_id), [])

    deployment.timeline = ctx.deployments.start(_key(deployment), phases, alive=alive, at=ctx.now)
    return json_answer(_as_started(deployment), 201)


def _as_started(deployment: Deployment) -> dict:
    """StartDeployment's answer: the deployment as it starts (API reference, StartDeployment example: ``State``
    DEPLOYING, ``PercentageComplete`` 1.0, an ``EventLog`` holding ``DEPLOYMENT_STARTED``)."""
    answer = deployment.to_json(deployment.started_at)
    answer["State"] = DEPLOYING
    answer["PercentageComplete"] = INITIAL_PERCENTAGE
    answer["EventLog"] = [
        {"EventType": "DEPLOYMENT_STARTED", "TriggeredBy": "USER", "Description": "Deployment started", "OccurredAt": iso(deployment.started_at)}
    ]
    answer.pop("CompletedAt", None)
    return answer


def get_deployment(ctx: AppConfigContext) -> HttpResponse:
    deployment = ctx.state.deployment(ctx.params["ApplicationId"], ctx.params["EnvironmentId"], ctx.params["DeploymentNumber"])
    return json_answer(deployment.to_json(ctx.now))


def list_deployments(ctx: AppConfigContext) -> HttpResponse:
    """"Lists the deployments for an environment in descending deployment number order." (API reference)"""
    deployments = ctx.state.deployments_of(ctx.params["ApplicationId"], ctx.params["EnvironmentId"])
    return json_answer(listing([deployment.summary(ctx.now) for deployment in reversed(deployments)], ctx.params))


def stop_deployment(ctx: AppConfigContext) -> HttpResponse:
    deployment = ctx.state.deployment(ctx.params["ApplicationId"], ctx.params["EnvironmentId"], ctx.params["DeploymentNumber"])
    allow_revert = bool(ctx.params.get("AllowRevert"))
    state = deployment.state
    who = f"AWS account {ctx.account_id}"
    if state == DEPLOYING or (allow_revert and state == BAKING):
        deployment.rollback = Trigger(ctx.now, "USER", f"Rollback initiated by {who}")
        deployment.timeline.redirect(rollback_phases(ctx.settings.appconfig_rolling_back_seconds()), ctx.now)
        deployment.timeline.advance(ctx.now)
    elif allow_revert and state == COMPLETE:
        completed = deployment.completed_at or deployment.started_at
        if ctx.now - completed > REVERT_WINDOW_SECONDS * ctx.time_scale:
            raise errors.bad_request(f"Deployment {deployment.number} completed more than 72 hours ago and can no longer be reverted.")
        deployment.revert = Trigger(ctx.now, "USER", f"Revert initiated by {who}")
        deployment.timeline.redirect([Phase(REVERTED)], ctx.now)
    elif allow_revert:
        raise errors.bad_request(
            f"Deployment {deployment.number} is {state}; only an in-progress or completed deployment can be stopped with AllowRevert."
        )
    else:
        raise errors.bad_request(f"Deployment {deployment.number} is {state}; only a DEPLOYING deployment can be stopped (or use AllowRevert).")
    return json_answer(deployment.to_json(ctx.now), 202)


def fail_deployment(ctx: AppConfigContext, app_id: str, env_id: str, number: int | None) -> dict:
    """Control API: fail the environment's running deployment now (``DEPLOYING`` or ``BAKING``): it rolls back with a
    ``ROLLBACK_STARTED`` event ``TriggeredBy: INTERNAL_ERROR``. Raises ``ValueError`` when there is none."""
    deployments = ctx.state.deployments.get((app_id, env_id), [])
    running = in_progress(deployments)
    if running is None or running.state not in (DEPLOYING, BAKING) or (number is not None and running.number != number):
        raise ValueError(f"no deployment DEPLOYING or BAKING in environment {env_id} of application {app_id}")
    running.rollback = Trigger(ctx.now, "INTERNAL_ERROR", INJECTED_FAILURE)
    running.timeline.redirect(rollback_phases(ctx.settings.appconfig_rolling_back_seconds()), ctx.now)
    running.timeline.advance(ctx.now)
    return running.to_json(ctx.now)
