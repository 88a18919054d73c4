"""CloudWatch's row in the service table (signing name ``monitoring``).

Its fixes live in moto's CloudWatch itself (:mod:`cloudwatch_fixes`), so that the calls
bridged from smithy-rpc-v2-cbor get them too; the hooks only install them and let every
call stream to moto.
"""

from __future__ import annotations

from . import cloudwatch_fixes
from .request_info import AwsRequest
from .service_hooks import HookEnvironment, ServiceHooks


class CloudWatchHooks(ServiceHooks):
    def __init__(self, environment: HookEnvironment) -> None:
        super().__init__(environment)
        cloudwatch_fixes.install()

    def intercepts(self, request: AwsRequest) -> bool:
        return False
