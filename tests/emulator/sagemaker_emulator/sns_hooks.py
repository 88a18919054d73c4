"""SNS's row in the service table (signing name ``sns``).

Its fixes live in moto's SNS itself (:mod:`sns_subscription_fixes`), so that they apply
whatever protocol the call came in; the hooks only install them and let every call
stream to moto.
"""

from __future__ import annotations

from . import sns_subscription_fixes
from .request_info import AwsRequest
from .service_hooks import HookEnvironment, ServiceHooks


class SnsHooks(ServiceHooks):
    def __init__(self, environment: HookEnvironment) -> None:
        super().__init__(environment)
        sns_subscription_fixes.install()

    def intercepts(self, request: AwsRequest) -> bool:
        return False
