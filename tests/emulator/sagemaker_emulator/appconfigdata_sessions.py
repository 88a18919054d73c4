"""AppConfigData (the data plane): StartConfigurationSession and GetLatestConfiguration.

Both are signed ``appconfig`` (botocore's appconfigdata model: ``signingName: appconfig``, endpoint prefix
``appconfigdata``), so they reach the AppConfig hooks; their paths (``POST /configurationsessions``,
``GET /configuration``) are AppConfigData's own.

Rules (API reference, AppConfigData StartConfigurationSession / GetLatestConfiguration; User Guide,
"Retrieving the configuration"):

* a session is started with the application, environment and configuration profile, each by ID or name;
  one that does not exist is a ``ResourceNotFoundException`` (``ResourceType`` Application / Environment /
  ConfigurationProfile, ``ReferencedBy`` the request member naming it);
* "Each configuration token is only valid for one call to GetLatestConfiguration. The GetLatestConfiguration
  response includes a NextPollConfigurationToken that should always replace the token used"; "the token is
  valid for up to 24 hours. If a GetLatestConfiguration call uses an expired token, the system returns
  BadRequestException". Here a token already used, or older than 24 hours, answers ``BadRequestException``
  with ``Details.InvalidParameters.ConfigurationToken.Problem: Expired``; a token the emulator never issued,
  ``Corrupted``;
* ``RequiredMinimumPollIntervalInSeconds``: "the client that established the session can't call
  GetLatestConfiguration more frequently than every 60 seconds" (for 60): an earlier call answers
  ``BadRequestException`` with ``Problem: PollIntervalNotSatisfied`` (the token stays usable);
  ``NextPollIntervalInSeconds`` is that value, else 60 (the User Guide's example);
* "The Configuration section only appears if the system finds new or updated configuration data. If the system
  doesn't find new or updated configuration data, then the Configuration data is empty"; ``Version-Label``
  "If the client already has the latest version of the configuration data, this value is empty": the session
  remembers the version it last sent.

What is served: the data of the latest deployment of the profile to the environment that reached all targets
and was not rolled back (:func:`appconfig_rollout.deployed`): during ``DEPLOYING`` the previous data, from
``BAKING`` on the new data, after a rollback or revert the previous data again. With no such deployment the
call answers ``ResourceNotFoundException`` (``ResourceType: Deployment``; AWS's behaviour there is not
documented). Times (24 hours, poll intervals) scale by ``appconfig_time_scale``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from . import appconfig_errors as errors
from .appconfig_context import AppConfigContext
from .appconfig_rollout import deployed
from .aws_errors import AwsError, HttpResponse
from .rest_json import blob_answer, json_answer

TOKEN_LIFETIME_SECONDS = 24 * 3600.0
DEFAULT_POLL_INTERVAL_SECONDS = 60


@dataclass
class Session:
    account_id: str
    region: str
    application_id: str
    environment_id: str
    profile_id: str
    minimum_interval: int | None
    last_version: str | None = None
    last_call_at: float | None = None


@dataclass
class Token:
    session: Session
    issued_at: float
    used: bool = False


@dataclass
class Sessions:
    """Every configuration token issued, across accounts and regions (tokens are opaque strings)."""

    tokens: dict[str, Token] = field(default_factory=dict)

    def issue(self, session: Session, now: float) -> str:
        token = secrets.token_urlsafe(48)
        self.tokens[token] = Token(session, now)
        return token

    def clear(self) -> None:
        self.tokens.clear()


# ResourceType of each identifier of a session, and how the messages name it.
_KINDS = {
    "ApplicationIdentifier": ("Application", "Application"),
    "EnvironmentIdentifier": ("Environment", "Environment"),
    "ConfigurationProfileIdentifier": ("ConfigurationProfile", "Configuration profile"),
}


def _missing(member: str, identifier: str) -> AwsError:
    resource_type, noun = _KINDS[member]
    return errors.data_not_found(f"{noun} {identifier} could not be found.", resource_type, {member: identifier})


def start_configuration_session(ctx: AppConfigContext, sessions: Sessions) -> HttpResponse:
    params = ctx.params
    app = ctx.state.find_application(params["ApplicationIdentifier"])
    if app is None:
        raise _missing("ApplicationIdentifier", params["ApplicationIdentifier"])
    env = ctx.state.find_environment(app.id, params["EnvironmentIdentifier"])
    if env is None:
        raise _missing("EnvironmentIdentifier", params["EnvironmentIdentifier"])
    profile = ctx.state.find_profile(app.id, params["ConfigurationProfileIdentifier"])
    if profile is None:
        raise _missing("ConfigurationProfileIdentifier", params["ConfigurationProfileIdentifier"])
    session = Session(ctx.account_id, ctx.region, app.id, env.id, profile.id, params.get("RequiredMinimumPollIntervalInSeconds"))
    return json_answer({"InitialConfigurationToken": sessions.issue(session, ctx.now)}, 201)


def _usable_token(ctx: AppConfigContext, sessions: Sessions, value: str) -> Token:
    token = sessions.tokens.get(value)
    if token is not None and (token.session.account_id, token.session.region) != (ctx.account_id, ctx.region):
        token = None  # tokens are issued per account and region
    if token is None:
        raise errors.data_bad_parameter("The configuration token is not valid.", "ConfigurationToken", errors.CORRUPTED)
    if token.used:
        raise errors.data_bad_parameter(
            "The configuration token was already used: use the NextPollConfigurationToken of the last GetLatestConfiguration response.",
            "ConfigurationToken",
            errors.EXPIRED,
        )
    if ctx.now - token.issued_at > TOKEN_LIFETIME_SECONDS * ctx.time_scale:
        raise errors.data_bad_parameter("The configuration token has expired; start a new configuration session.", "ConfigurationToken", errors.EXPIRED)
    session = token.session
    if session.minimum_interval and session.last_call_at is not None:
        if ctx.now - session.last_call_at < session.minimum_interval * ctx.time_scale:
            raise errors.data_bad_parameter(
                f"The session requires at least {session.minimum_interval} seconds between calls to GetLatestConfiguration.",
                "ConfigurationToken",
                errors.POLL_INTERVAL_NOT_SATISFIED,
            )
    return token


def get_latest_configuration(ctx: AppConfigContext, sessions: Sessions) -> HttpResponse:
    token = _usable_token(ctx, sessions, ctx.params["ConfigurationToken"])
    session = token.session
    state = ctx.state
    if session.application_id not in state.applications:
        raise _missing("ApplicationIdentifier", session.application_id)
    if state.find_environment(session.application_id, session.environment_id) is None:
        raise _missing("EnvironmentIdentifier", session.environment_id)
    if state.find_profile(session.application_id, session.profile_id) is None:
        raise _missing("ConfigurationProfileIdentifier", session.profile_id)
    current = deployed(state.deployments.get((session.application_id, session.environment_id), []), session.profile_id)
    if current is None:
        raise errors.data_not_found(
            f"No configuration of profile {session.profile_id} is deployed to environment {session.environment_id}.",
            "Deployment",
            {"EnvironmentIdentifier": session.environment_id, "ConfigurationProfileIdentifier": session.profile_id},
        )
    token.used = True
    session.last_call_at = ctx.now
    state.environment_used_at[(session.application_id, session.environment_id)] = ctx.now
    state.profile_used_at[(session.application_id, session.profile_id)] = ctx.now
    changed = session.last_version != current.configuration_version
    session.last_version = current.configuration_version
    headers = [
        ("Next-Poll-Configuration-Token", sessions.issue(session, ctx.now)),
        ("Next-Poll-Interval-In-Seconds", str(session.minimum_interval or DEFAULT_POLL_INTERVAL_SECONDS)),
    ]
    if changed and current.version_label:
        headers.append(("Version-Label", current.version_label))
    return blob_answer(current.content if changed else b"", current.content_type, headers)
