"""AppConfig's objects, per account and region: applications, environments, configuration profiles,
hosted configuration versions, deployment strategies, deployments, tags and account settings.

The emulator keeps AppConfig entirely here rather than in moto (moto 5.2.5 has
applications, profiles and hosted versions only, without ListApplications,
ListHostedConfigurationVersions, validators, ``LatestVersionNumber`` or
deletion rules, and reuses deleted version numbers; see the README). The lookups
raise the ``ResourceNotFoundException`` AppConfig answers.

IDs are 7 lower-case letters or digits (API reference: ``Id`` pattern
``[a-z0-9]{4,7}``; the reference's examples show 7: ``339ohji``, ``54j1r29``).
ARNs (API reference, TagResource ``ResourceArn``; the forms AppConfig's CloudFormation
and Terraform resources build):

* ``arn:<partition>:appconfig:<region>:<account>:application/<app>``
* ``.../application/<app>/environment/<env>``
* ``.../application/<app>/configurationprofile/<profile>``
* ``.../application/<app>/environment/<env>/deployment/<number>``
* ``.../deploymentstrategy/<strategy>``

Everything here is guarded by :data:`~state_lock.EMULATOR_LOCK` (hooked calls hold it).
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from typing import Any

from . import appconfig_errors as errors
from .moto_resources import partition_of

ID_ALPHABET = string.ascii_lowercase + string.digits


@dataclass
class Application:
    id: str
    name: str
    description: str | None

    def to_json(self) -> dict:
        return {"Id": self.id, "Name": self.name, "Description": self.description}


@dataclass
class Environment:
    application_id: str
    id: str
    name: str
    description: str | None
    monitors: list[dict]
    created_at: float

    def to_json(self, state: str) -> dict:
        return {
            "ApplicationId": self.application_id,
            "Id": self.id,
            "Name": self.name,
            "Description": self.description,
            "State": state,
            "Monitors": self.monitors,
        }


@dataclass
class HostedVersion:
    application_id: str
    profile_id: str
    number: int
    description: str | None
    content: bytes
    content_type: str
    label: str | None

    def summary(self) -> dict:
        return {
            "ApplicationId": self.application_id,
            "ConfigurationProfileId": self.profile_id,
            "VersionNumber": self.number,
            "Description": self.description,
            "ContentType": self.content_type,
            "VersionLabel": self.label,
        }

    def headers(self) -> list[tuple[str, str]]:
        """The output members AppConfig sends as headers (API reference, HostedConfigurationVersion)."""
        pairs = [
            ("Application-Id", self.application_id),
            ("Configuration-Profile-Id", self.profile_id),
            ("Version-Number", str(self.number)),
        ]
        if self.description is not None:
            pairs.append(("Description", self.description))
        if self.label is not None:
            pairs.append(("VersionLabel", self.label))
        return pairs


@dataclass
class ConfigurationProfile:
    application_id: str
    id: str
    name: str
    description: str | None
    location_uri: str
    retrieval_role_arn: str | None
    validators: list[dict]
    type: str
    kms_key_identifier: str | None
    created_at: float
    versions: dict[int, HostedVersion] = field(default_factory=dict)
    last_version_number: int = 0  # numbers are never reused, even after a deletion

    @property
    def hosted(self) -> bool:
        return self.location_uri == "hosted"

    def to_json(self) -> dict:
        return {
            "ApplicationId": self.application_id,
            "Id": self.id,
            "Name": self.name,
            "Description": self.description,
            "LocationUri": self.location_uri,
            "RetrievalRoleArn": self.retrieval_role_arn,
            "Validators": self.validators or None,
            "Type": self.type,
            "KmsKeyIdentifier": self.kms_key_identifier,
        }

    def summary(self) -> dict:
        return {
            "ApplicationId": self.application_id,
            "Id": self.id,
            "Name": self.name,
            "LocationUri": self.location_uri,
            "ValidatorTypes": [validator["Type"] for validator in self.validators] or None,
            "Type": self.type,
        }

    def latest_version(self) -> HostedVersion | None:
        return self.versions[max(self.versions)] if self.versions else None


@dataclass
class DeploymentStrategy:
    id: str
    name: str
    description: str | None
    duration_minutes: int
    final_bake_minutes: int
    growth_factor: float
    growth_type: str
    replicate_to: str
    predefined: bool = False

    def to_json(self) -> dict:
        return {
            "Id": self.id,
            "Name": self.name,
            "Description": self.description,
            "DeploymentDurationInMinutes": self.duration_minutes,
            "GrowthType": self.growth_type,
            "GrowthFactor": float(self.growth_factor),
            "FinalBakeTimeInMinutes": self.final_bake_minutes,
            "ReplicateTo": self.replicate_to,
        }


@dataclass
class AccountSettings:
    """GetAccountSettings / UpdateAccountSettings. Deletion protection is off unless enabled ("To prevent users
    from unintentionally deleting actively-used environments, enable deletion protection", API reference,
    DeleteEnvironment); "The default interval for ProtectionPeriodInMinutes is 60" (DeletionProtectionSettings)."""

    deletion_protection_enabled: bool = False
    protection_period_minutes: int = 60
    vended_metrics_enabled: bool | None = None

    def to_json(self) -> dict:
        answer: dict[str, Any] = {
            "DeletionProtection": {"Enabled": self.deletion_protection_enabled, "ProtectionPeriodInMinutes": self.protection_period_minutes}
        }
        if self.vended_metrics_enabled is not None:
            answer["VendedMetrics"] = {"Enabled": self.vended_metrics_enabled}
        return answer


class AppConfigState:
    """One account's AppConfig in one region."""

    def __init__(self, account_id: str, region: str) -> None:
        self.account_id = account_id
        self.region = region
        self.applications: dict[str, Application] = {}
        self.environments: dict[str, dict[str, Environment]] = {}  # application id -> environment id -> environment
        self.profiles: dict[str, dict[str, ConfigurationProfile]] = {}  # application id -> profile id -> profile
        self.strategies: dict[str, DeploymentStrategy] = {}  # the account's own (predefined ones are not stored)
        self.deployments: dict[tuple[str, str], list[Any]] = {}  # (application id, environment id) -> deployments in order
        self.tags: dict[str, dict[str, str]] = {}  # ARN -> tags
        self.settings = AccountSettings()
        # When GetLatestConfiguration last served each (application, environment) / (application, profile) (deletion protection).
        self.environment_used_at: dict[tuple[str, str], float] = {}
        self.profile_used_at: dict[tuple[str, str], float] = {}

    # -- ids and ARNs -----------------------------------------------------------------------------

    def new_id(self, taken: Any) -> str:
        while True:
            candidate = "".join(random.choices(ID_ALPHABET, k=7))
            if candidate not in taken:
                return candidate

    def arn(self, resource: str) -> str:
        return f"arn:{partition_of(self.region)}:appconfig:{self.region}:{self.account_id}:{resource}"

    def application_arn(self, app_id: str) -> str:
        return self.arn(f"application/{app_id}")

    def environment_arn(self, app_id: str, env_id: str) -> str:
        return self.arn(f"application/{app_id}/environment/{env_id}")

    def profile_arn(self, app_id: str, profile_id: str) -> str:
        return self.arn(f"application/{app_id}/configurationprofile/{profile_id}")

    def strategy_arn(self, strategy_id: str) -> str:
        return self.arn(f"deploymentstrategy/{strategy_id}")

    def deployment_arn(self, app_id: str, env_id: str, number: int) -> str:
        return self.arn(f"application/{app_id}/environment/{env_id}/deployment/{number}")

    # -- lookups (ResourceNotFoundException) -----------------------------------------------------
    # Wording: "<Type> with Id <id> could not be found." - AWS's answer for a missing deployment strategy as
    # reproduced by another emulator's AWS parity tests (ministack); the other types follow it by analogy.

    def application(self, app_id: str) -> Application:
        app = self.applications.get(app_id)
        if app is None:
            raise errors.not_found(f"Application with Id {app_id} could not be found.", app_id)
        return app

    def environment(self, app_id: str, env_id: str) -> Environment:
        self.application(app_id)
        env = self.environments.get(app_id, {}).get(env_id)
        if env is None:
            raise errors.not_found(f"Environment with Id {env_id} could not be found.", env_id)
        return env

    def profile(self, app_id: str, profile_id: str) -> ConfigurationProfile:
        self.application(app_id)
        profile = self.profiles.get(app_id, {}).get(profile_id)
        if profile is None:
            raise errors.not_found(f"ConfigurationProfile with Id {profile_id} could not be found.", profile_id)
        return profile

    def hosted_version(self, app_id: str, profile_id: str, number: int) -> HostedVersion:
        version = self.profile(app_id, profile_id).versions.get(number)
        if version is None:
            raise errors.not_found(f"HostedConfigurationVersion with VersionNumber {number} could not be found.", str(number))
        return version

    def deployments_of(self, app_id: str, env_id: str) -> list[Any]:
        self.environment(app_id, env_id)
        return self.deployments.setdefault((app_id, env_id), [])

    def deployment(self, app_id: str, env_id: str, number: int) -> Any:
        for deployment in self.deployments_of(app_id, env_id):
            if deployment.number == number:
                return deployment
        raise errors.not_found(f"Deployment with DeploymentNumber {number} could not be found.", str(number))

    # -- name or id (the data plane's identifiers) -----------------------------------------------

    def find_application(self, identifier: str) -> Application | None:
        """By ID, else by name (the first created of that name)."""
        if identifier in self.applications:
            return self.applications[identifier]
        return next((app for app in self.applications.values() if app.name == identifier), None)

    def find_environment(self, app_id: str, identifier: str) -> Environment | None:
        envs = self.environments.get(app_id, {})
        if identifier in envs:
            return envs[identifier]
        return next((env for env in envs.values() if env.name == identifier), None)

    def find_profile(self, app_id: str, identifier: str) -> ConfigurationProfile | None:
        profiles = self.profiles.get(app_id, {})
        if identifier in profiles:
            return profiles[identifier]
        return next((profile for profile in profiles.values() if profile.name == identifier), None)


class AppConfigStates:
    """Every account's and region's :class:`AppConfigState`, created on first use."""

    def __init__(self) -> None:
        self._states: dict[tuple[str, str], AppConfigState] = {}

    def get(self, account_id: str, region: str) -> AppConfigState:
        key = (account_id, region)
        if key not in self._states:
            self._states[key] = AppConfigState(account_id, region)
        return self._states[key]

    def all(self) -> list[AppConfigState]:
        return list(self._states.values())

    def clear(self) -> None:
        self._states.clear()
