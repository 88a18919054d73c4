"""The table of what the emulator adds to moto: one row per AWS service, one per protocol.

:data:`SERVICE_HOOKS` maps a service's SigV4 signing name (the credential-scope
name :mod:`request_info` reads, e.g. ``sagemaker``, ``s3``, ``appconfig``,
``states``) to the class of its hooks (a :class:`~service_hooks.ServiceHooks`
built with the :class:`~service_hooks.HookEnvironment`). A service without a row
goes to moto untouched.

To add a service (AppConfig, Step Functions, ...):

1. write ``<service>_hooks.py`` with a ``ServiceHooks`` subclass: ``intercepts``
   the calls to change, ``before`` answers the operations moto lacks (say
   ``StartDeployment``) or checks a call, ``after`` fixes moto's answer or follows
   it up, ``reset`` drops its state; objects that move through states are
   :class:`~timeline.Timelines` advanced at the start of ``before``;
2. add its row below.

Note that a signing name may cover several APIs: ``appconfig`` signs both
AppConfig and AppConfigData calls, so one row (and one hooks class) serves both.

:data:`PROTOCOL_BRIDGES` maps a wire protocol moto does not speak to the
translator that answers such calls through moto, whatever their service.
"""

from __future__ import annotations

from collections.abc import Callable

from . import rpc_v2_bridge
from .appconfig_hooks import AppConfigHooks
from .autoscaling_hooks import AutoscalingHooks
from .cloudwatch_hooks import CloudWatchHooks
from .aws_errors import RPC_V2_CBOR, HttpResponse
from .iam_hooks import IamHooks
from .kms_hooks import KmsHooks
from .request_info import AwsRequest
from .s3_fixes import S3Hooks
from .sagemaker_hooks import SageMakerHooks
from .service_hooks import HookEnvironment, ServiceHooks
from .sns_hooks import SnsHooks
from .sfn_hooks import StepFunctionsHooks

# Signing name -> the hooks class (anything that builds hooks from a HookEnvironment).
HooksTable = dict[str, Callable[[HookEnvironment], ServiceHooks]]

SERVICE_HOOKS: HooksTable = {
    # SageMaker: endpoint updates/deletion, inference components (Create/Describe/Update/
    # UpdateRuntimeConfig/Delete/ListInferenceComponents, their tags), configurations for components,
    # InvokeEndpointAsync, training jobs, model packages (see sagemaker_hooks)
    "sagemaker": SageMakerHooks,
    "s3": S3Hooks,
    "iam": IamHooks,
    "kms": KmsHooks,  # ListKeys and ListAliases answered a page at a time, as KMS pages them
    "appconfig": AppConfigHooks,  # AppConfig and AppConfigData (both signed appconfig)
    "application-autoscaling": AutoscalingHooks,
    "sns": SnsHooks,  # e-mail subscriptions pending until confirmed (patched into moto: every protocol)
    "states": StepFunctionsHooks,
    "monitoring": CloudWatchHooks,  # dashboard body rules, composite alarms (patched into moto: every protocol)  # Step Functions: executions that run their state machine
}

# (request, environ, call_moto) -> the answer; call_moto(environ, protocol) buffers moto's answer.
Bridge = Callable[[AwsRequest, dict, Callable[[dict, str], HttpResponse]], HttpResponse]

PROTOCOL_BRIDGES: dict[str, Bridge] = {
    RPC_V2_CBOR: rpc_v2_bridge.handle,
}


def build_hooks(environment: HookEnvironment, table: HooksTable | None = None) -> dict[str, ServiceHooks]:
    """One hooks object per row of ``table`` (default :data:`SERVICE_HOOKS`), by signing name."""
    rows = SERVICE_HOOKS if table is None else table
    return {service: make_hooks(environment) for service, make_hooks in rows.items()}
