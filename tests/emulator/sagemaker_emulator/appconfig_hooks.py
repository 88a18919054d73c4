"""AppConfig's row in the service table: AppConfig and AppConfigData, answered by the emulator.

Both APIs are signed ``appconfig`` and speak rest-json; :mod:`request_info` names the operation from the
method and path against botocore's appconfig and appconfigdata models. Every call is answered here, moto's
AppConfig (5.2.5: applications, configuration profiles, hosted versions only, several answers unlike AWS's)
is not used. For each call:

1. the running deployments catch up with the clock (:mod:`appconfig_rollout`);
2. the input is read from path, query, headers and body and checked against the API model's constraints
   (:mod:`rest_json`; ``BadRequestException`` in AWS's validation format);
3. the operation's handler answers it (:mod:`appconfig_resources`, :mod:`appconfig_deployments`,
   :mod:`appconfig_tags`, :mod:`appconfigdata_sessions`), raising AppConfig's errors (:mod:`appconfig_errors`).

Operations the emulator does not implement (extensions, experiments, the deprecated GetConfiguration) answer
``NotImplemented`` (501). Faults (:mod:`faults`) and the request log apply to these calls as to any other,
under the service name ``appconfig`` (AppConfigData included) and the operation's name.
"""

from __future__ import annotations

from collections.abc import Callable

from . import appconfig_deployments, appconfig_resources, appconfig_tags, appconfigdata_sessions
from . import appconfig_errors as errors
from . import rest_json
from .appconfig_context import AppConfigContext
from .appconfig_store import AppConfigStates
from .aws_errors import REST_JSON, HttpResponse
from .request_info import AwsRequest
from .service_hooks import Call, HookEnvironment, ServiceHooks
from .timeline import Timelines

Handler = Callable[[AppConfigContext], HttpResponse]

APPCONFIG_OPERATIONS: dict[str, Handler] = {
    "CreateApplication": appconfig_resources.create_application,
    "GetApplication": appconfig_resources.get_application,
    "ListApplications": appconfig_resources.list_applications,
    "UpdateApplication": appconfig_resources.update_application,
    "DeleteApplication": appconfig_resources.delete_application,
    "CreateEnvironment": appconfig_resources.create_environment,
    "GetEnvironment": appconfig_resources.get_environment,
    "ListEnvironments": appconfig_resources.list_environments,
    "UpdateEnvironment": appconfig_resources.update_environment,
    "DeleteEnvironment": appconfig_resources.delete_environment,
    "CreateConfigurationProfile": appconfig_resources.create_configuration_profile,
    "GetConfigurationProfile": appconfig_resources.get_configuration_profile,
    "ListConfigurationProfiles": appconfig_resources.list_configuration_profiles,
    "UpdateConfigurationProfile": appconfig_resources.update_configuration_profile,
    "DeleteConfigurationProfile": appconfig_resources.delete_configuration_profile,
    "CreateHostedConfigurationVersion": appconfig_resources.create_hosted_configuration_version,
    "GetHostedConfigurationVersion": appconfig_resources.get_hosted_configuration_version,
    "ListHostedConfigurationVersions": appconfig_resources.list_hosted_configuration_versions,
    "DeleteHostedConfigurationVersion": appconfig_resources.delete_hosted_configuration_version,
    "ValidateConfiguration": appconfig_resources.validate_configuration,
    "CreateDeploymentStrategy": appconfig_resources.create_deployment_strategy,
    "GetDeploymentStrategy": appconfig_resources.get_deployment_strategy,
    "ListDeploymentStrategies": appconfig_resources.list_deployment_strategies,
    "UpdateDeploymentStrategy": appconfig_resources.update_deployment_strategy,
    "DeleteDeploymentStrategy": appconfig_resources.delete_deployment_strategy,
    "GetAccountSettings": appconfig_resources.get_account_settings,
    "UpdateAccountSettings": appconfig_resources.update_account_settings,
    "StartDeployment": appconfig_deployments.start_deployment,
    "GetDeployment": appconfig_deployments.get_deployment,
    "ListDeployments": appconfig_deployments.list_deployments,
    "StopDeployment": appconfig_deployments.stop_deployment,
    "TagResource": appconfig_tags.tag_resource,
    "UntagResource": appconfig_tags.untag_resource,
    "ListTagsForResource": appconfig_tags.list_tags_for_resource,
}
APPCONFIGDATA_OPERATIONS = ("StartConfigurationSession", "GetLatestConfiguration")


class AppConfigHooks(ServiceHooks):
    """AppConfig's and AppConfigData's state (per account and region), deployments and data-plane sessions."""

    def __init__(self, environment: HookEnvironment) -> None:
        super().__init__(environment)
        self.settings = environment.settings
        self.states = AppConfigStates()
        self.deployments = Timelines(clock=environment.clock)
        self.sessions = appconfigdata_sessions.Sessions()

    def intercepts(self, request: AwsRequest) -> bool:
        return request.protocol == REST_JSON

    def before(self, call: Call) -> HttpResponse | None:
        self.deployments.advance()
        operation = call.operation or ""
        if operation in APPCONFIGDATA_OPERATIONS:
            ctx = self._context(call, "appconfigdata", operation)
            if operation == "StartConfigurationSession":
                return appconfigdata_sessions.start_configuration_session(ctx, self.sessions)
            return appconfigdata_sessions.get_latest_configuration(ctx, self.sessions)
        handler = APPCONFIG_OPERATIONS.get(operation)
        if handler is None:
            raise errors.not_emulated(operation)
        return handler(self._context(call, "appconfig", operation))

    def reset(self) -> None:
        self.states.clear()
        self.deployments.clear()
        self.sessions.clear()

    def fail_deployment(self, account_id: str, region: str, application_id: str, environment_id: str, number: int | None) -> dict:
        """Control API: fail the running deployment of an environment now (it rolls back)."""
        self.deployments.advance()
        ctx = AppConfigContext(
            self.states.get(account_id, region), {}, self.environment.clock(), self.settings, self.deployments, account_id, region
        )
        return appconfig_deployments.fail_deployment(ctx, application_id, environment_id, number)

    def _context(self, call: Call, model: str, operation: str) -> AppConfigContext:
        bad_input = errors.data_bad_request if model == "appconfigdata" else errors.bad_request
        params = rest_json.decode_checked(model, operation, call.request, call.environ, bad_input)
        return AppConfigContext(
            state=self.states.get(call.account_id, call.region),
            params=params,
            now=self.environment.clock(),
            settings=self.settings,
            deployments=self.deployments,
            account_id=call.account_id,
            region=call.region,
        )
