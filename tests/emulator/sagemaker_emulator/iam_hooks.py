"""IAM hooks: when roles and their policies were created or changed, for IAM's eventual consistency.

IAM is eventually consistent: "changes that you make in IAM ... take time to
become visible from all possible endpoints" and "you should not include IAM
changes in the critical, high-availability code paths of your application"
(IAM User Guide, "Troubleshoot IAM: Changes that I make are not always
immediately visible",
https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency).
A SageMaker call right after the role was made sees no role; a deployment right
after a policy was put on the role runs without that policy.

The emulator plays this with the setting ``iam_propagation_seconds`` (0 by
default: everything is visible at once). These hooks (IAM's row in the service
table) note, after moto succeeded, the time of

* ``CreateRole``: the role is invisible to SageMaker for the window;
* ``PutRolePolicy``: the inline policy's new document is not seen for the
  window; the document it replaced (if any) still is;
* ``AttachRolePolicy``: the managed policy does not count for the role for the window.

Simplifications: removals (``DeleteRolePolicy``, ``DetachRolePolicy``,
``DeleteRole``) and trust-policy and managed-policy-version changes take effect
at once. :data:`IAM_CHANGES` is process-wide, like moto's backends, and guarded by
:data:`~state_lock.EMULATOR_LOCK`; :mod:`execution_role` reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs

from .aws_errors import HttpResponse
from .moto_resources import iam_role_by_name
from .request_info import AwsRequest
from .service_hooks import Call, ServiceHooks
from .state_lock import EMULATOR_LOCK

TRACKED_OPERATIONS = ("CreateRole", "PutRolePolicy", "AttachRolePolicy")


@dataclass(frozen=True)
class InlineChange:
    at: float
    previous_document: str | None


class IamChanges:
    """When each role, inline policy and attachment last appeared or changed (emulator clock)."""

    def __init__(self) -> None:
        self.roles: dict[tuple[str, str], float] = {}
        self.inline: dict[tuple[str, str, str], InlineChange] = {}
        self.attached: dict[tuple[str, str, str], float] = {}

    def clear(self) -> None:
        with EMULATOR_LOCK:
            self.roles.clear()
            self.inline.clear()
            self.attached.clear()

    def role_created(self, account: str, role: str, at: float) -> None:
        with EMULATOR_LOCK:
            self.roles[(account, role)] = at
            # A new role of an old name starts without policies.
            for key in [key for key in self.inline if key[:2] == (account, role)]:
                del self.inline[key]
            for key in [key for key in self.attached if key[:2] == (account, role)]:
                del self.attached[key]

    def inline_put(self, account: str, role: str, policy: str, at: float, previous_document: str | None) -> None:
        """``previous_document``: what SageMaker saw just before (so a second put within the window keeps the first's)."""
        with EMULATOR_LOCK:
            self.inline[(account, role, policy)] = InlineChange(at, previous_document)

    def attached_policy(self, account: str, role: str, policy_arn: str, at: float) -> None:
        with EMULATOR_LOCK:
            self.attached[(account, role, policy_arn)] = at

    def role_visible(self, account: str, role: str, now: float, window: float) -> bool:
        with EMULATOR_LOCK:
            created = self.roles.get((account, role))
            return created is None or now >= created + window

    def inline_document(self, account: str, role: str, policy: str, document: str, now: float, window: float) -> str | None:
        """The inline policy document SageMaker sees at ``now``: the current one, the one it replaced, or none."""
        with EMULATOR_LOCK:
            change = self.inline.get((account, role, policy))
            if change is None or now >= change.at + window:
                return document
            return change.previous_document

    def attachment_visible(self, account: str, role: str, policy_arn: str, now: float, window: float) -> bool:
        with EMULATOR_LOCK:
            attached = self.attached.get((account, role, policy_arn))
            return attached is None or now >= attached + window


IAM_CHANGES = IamChanges()


def form_params(request: AwsRequest) -> dict[str, str]:
    """The parameters of a query-protocol call (form body, or the query string)."""
    params = {key: values[-1] for key, values in request.query.items()}
    if request.body:
        params.update({key: values[-1] for key, values in parse_qs(request.body.decode("utf-8", "replace")).items()})
    return params


class IamHooks(ServiceHooks):
    """IAM's row in the service table: notes creation and change times (see the module docstring)."""

    def intercepts(self, request: AwsRequest) -> bool:
        return request.operation in TRACKED_OPERATIONS

    def before(self, call: Call) -> HttpResponse | None:
        call.environ["sagemaker_emulator.iam_previous"] = self._previous_document(call)
        return None

    def after(self, call: Call, response: HttpResponse) -> HttpResponse:
        if response.status != 200:
            return response
        params = form_params(call.request)
        role = params.get("RoleName", "")
        now = self.environment.clock()
        if call.operation == "CreateRole":
            IAM_CHANGES.role_created(call.account_id, role, now)
        elif call.operation == "PutRolePolicy":
            previous = call.environ.get("sagemaker_emulator.iam_previous")
            IAM_CHANGES.inline_put(call.account_id, role, params.get("PolicyName", ""), now, previous)
        elif call.operation == "AttachRolePolicy":
            IAM_CHANGES.attached_policy(call.account_id, role, params.get("PolicyArn", ""), now)
        return response

    def reset(self) -> None:
        IAM_CHANGES.clear()

    def _previous_document(self, call: Call) -> str | None:
        """For ``PutRolePolicy``: the document of the same name that SageMaker sees now, if any."""
        if call.operation != "PutRolePolicy":
            return None
        params = form_params(call.request)
        role = iam_role_by_name(call.account_id, params.get("RoleName", ""))
        if role is None:
            return None
        name = params.get("PolicyName", "")
        current = role.policies.get(name)
        if current is None:
            return None
        window = self.environment.settings.iam_propagation_seconds()
        return IAM_CHANGES.inline_document(call.account_id, role.name, name, current, self.environment.clock(), window)
