"""Runtime settings of the emulator, changed through ``POST /_emulator/config``.

* ``endpoint_creating_seconds`` - how long a new endpoint stays ``Creating``;
* ``endpoint_updating_seconds`` - how long ``UpdateEndpoint`` and
  ``UpdateEndpointWeightsAndCapacities`` stay ``Updating`` (a failed update then
  spends the same time ``RollingBack``);
* ``fail_next_endpoint_create`` - ``true`` (any endpoint) or an endpoint name: the
  next matching ``CreateEndpoint`` ends ``Failed``; consumed once used;
* ``fail_next_endpoint_update`` - same for ``UpdateEndpoint``, which then rolls back;
* ``fail_next_weights_update`` - same for ``UpdateEndpointWeightsAndCapacities``,
  which then goes ``RollingBack`` and back to ``InService`` with the old weights
  and instance counts;
* ``deployment_time_scale`` - emulator seconds per second of a blue/green
  deployment's ``WaitIntervalInSeconds`` / ``TerminationWaitInSeconds`` (default
  0.01: a 300 s canary bake lasts 3 s);
* ``endpoint_deleting_seconds`` - how long a deleted endpoint stays ``Deleting``
  (default 0: gone at once);
* ``refuse_kms_key_with_instance_storage`` - refuse ``CreateEndpointConfig`` with a
  ``KmsKeyId`` when a variant's instance type has instance storage, as the API
  reference used to say SageMaker does (default ``false``: today's reference says
  the key is accepted and does not cover the instance storage).
* ``iam_propagation_seconds`` - IAM's eventual consistency: for this long after
  ``CreateRole``, ``PutRolePolicy`` or ``AttachRolePolicy``, SageMaker's checks do
  not see the role or the policy yet (:mod:`iam_hooks`); 0 (default) = at once.
* ``appconfig_time_scale`` - emulator seconds per second of AppConfig time: a deployment
  strategy's ``DeploymentDurationInMinutes`` and ``FinalBakeTimeInMinutes``, the deletion
  protection period, the data plane's token lifetime and poll intervals (default 0.01: a
  10-minute bake lasts 6 s);
* ``appconfig_rolling_back_seconds`` - how long a rolled-back AppConfig deployment (and its
  environment) stays ``ROLLING_BACK`` before ``ROLLED_BACK`` (emulator seconds, default 0);
* ``fail_next_appconfig_deployment`` - ``true`` (any) or an environment id: the next matching
  ``StartDeployment`` fails when its ``DEPLOYING`` phase ends and rolls back; consumed once used.
* ``call_latency_seconds`` and ``call_latency_jitter_seconds`` - every AWS call
  waits ``call_latency_seconds`` plus a uniformly random part of
  ``call_latency_jitter_seconds`` before it is handled, like the round trip and
  service time of a real AWS API call (0.05 and 0.1 give the 50-150 ms the
  scale benchmark uses); calls wait in parallel, the control API never waits.
  This is a benchmark setting, not an AWS rule: it models no particular
  service. Default 0 (answer at once).
* ``endpoint_config_propagation_seconds`` - SageMaker's eventual consistency: for
  this long after ``CreateEndpointConfig``, ``CreateEndpoint`` and ``UpdateEndpoint``
  naming the new configuration answer "Could not find endpoint configuration"
  (:mod:`config_visibility`); 0 (default) = at once.
* ``sfn_time_scale`` - emulator seconds per second of a Step Functions ``Wait`` state or
  retry interval (default 0.01: a 60 s wait lasts 0.6 s);
* ``sfn_sync_poll_seconds`` - how often (emulator seconds) a ``.sync`` task asks about its
  job (default 0.05);
* ``training_job_seconds`` - how long a SageMaker training job stays ``InProgress``
  before ``Completed`` (or ``Failed``), emulator seconds (default 0.5);
* ``fail_next_training_job`` - ``true`` (any) or a training job name: the next matching
  ``CreateTrainingJob`` ends ``Failed`` with an injected ``FailureReason``; consumed once used.
* ``fail_next_inference_component_create`` / ``fail_next_inference_component_update`` - ``true`` (any) or
  an inference component name: the next matching ``CreateInferenceComponent`` ends ``Failed``, the next
  ``UpdateInferenceComponent`` rolls back (:mod:`inference_components`); consumed once used;
* ``scale_to_zero_unavailable_regions`` - ``false`` (default) or a comma-separated list of regions
  (``"eu-south-2,ap-east-1"``) whose SageMaker refuses ``ManagedInstanceScaling.MinInstanceCount: 0``
  (:mod:`component_configs`; which regions do is not documented, so none by default);
* ``refuse_zero_copy_create`` - refuse ``CreateInferenceComponent`` with ``CopyCount`` 0 (default
  ``true``; see :mod:`inference_components`).
* ``async_inference_seconds`` - how long after ``InvokeEndpointAsync`` the emulated container
  has written its result (or failure) and SageMaker has notified the topics, emulator
  seconds (default 0.2; :mod:`async_invocations`).
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, fields

from .state_lock import EMULATOR_LOCK

CREATE_FAILURE_REASON = "Injected failure: the model container failed its health check."
UPDATE_FAILURE_REASON = "Injected failure: the new model container failed its health check."
WEIGHTS_FAILURE_REASON = "Injected failure: the endpoint failed to change its instance count or variant weights."
TRAINING_FAILURE_REASON = "AlgorithmError: Injected failure: the training container exited with a non-zero exit code."


@dataclass
class Settings:
    endpoint_creating_seconds: float = 0.0
    endpoint_updating_seconds: float = 0.0
    fail_next_endpoint_create: bool | str = False
    fail_next_endpoint_update: bool | str = False
    fail_next_weights_update: bool | str = False
    deployment_time_scale: float = 0.01
    endpoint_deleting_seconds: float = 0.0
    refuse_kms_key_with_instance_storage: bool = False
    iam_propagation_seconds: float = 0.0
    appconfig_time_scale: float = 0.01
    appconfig_rolling_back_seconds: float = 0.0
    fail_next_appconfig_deployment: bool | str = False
    call_latency_seconds: float = 0.0
    call_latency_jitter_seconds: float = 0.0
    endpoint_config_propagation_seconds: float = 0.0
    sfn_time_scale: float = 0.01
    sfn_sync_poll_seconds: float = 0.05
    training_job_seconds: float = 0.5
    fail_next_training_job: bool | str = False
    async_inference_seconds: float = 0.2
    fail_next_inference_component_create: bool | str = False
    fail_next_inference_component_update: bool | str = False
    refuse_zero_copy_create: bool = True
    scale_to_zero_unavailable_regions: bool | str = False


def _check(name: str, value: object) -> object:
    """Validate one setting value; raises ``ValueError``."""
    if name.endswith("_seconds") or name.endswith("_scale"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError(f"{name} must be a number >= 0")
        return float(value)
    if value is None:
        return False
    if name.startswith("refuse_"):
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be a boolean")
        return value
    if not isinstance(value, (bool, str)) or value == "":
        raise ValueError(f"{name} must be a boolean or a name (endpoint name, AppConfig environment id)")
    return value


class SettingsStore:
    """Holder of :class:`Settings` with one-shot failure flags, guarded by the emulator lock."""

    def __init__(self, initial: Settings | None = None) -> None:
        self._defaults = initial or Settings()
        self._settings = Settings(**asdict(self._defaults))

    def snapshot(self) -> dict:
        with EMULATOR_LOCK:
            return asdict(self._settings)

    def update(self, changes: object) -> dict:
        """Apply a partial update (a dict); unknown keys are an error."""
        if not isinstance(changes, dict):
            raise ValueError("expected a JSON object")
        known = {field.name for field in fields(Settings)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown settings {sorted(unknown)}; known: {sorted(known)}")
        checked = {name: _check(name, value) for name, value in changes.items()}
        with EMULATOR_LOCK:
            for name, value in checked.items():
                setattr(self._settings, name, value)
            return asdict(self._settings)

    def reset(self) -> None:
        with EMULATOR_LOCK:
            self._settings = Settings(**asdict(self._defaults))

    def creating_seconds(self) -> float:
        with EMULATOR_LOCK:
            return self._settings.endpoint_creating_seconds

    def updating_seconds(self) -> float:
        with EMULATOR_LOCK:
            return self._settings.endpoint_updating_seconds

    def deleting_seconds(self) -> float:
        with EMULATOR_LOCK:
            return self._settings.endpoint_deleting_seconds

    def deployment_time_scale(self) -> float:
        with EMULATOR_LOCK:
            return self._settings.deployment_time_scale

    def refuses_kms_key_with_instance_storage(self) -> bool:
        with EMULATOR_LOCK:
            return self._settings.refuse_kms_key_with_instance_storage

    def consume_weights_failure(self, endpoint_name: str) -> bool:
        """True (and clear the flag) if this UpdateEndpointWeightsAndCapacities should fail."""
        return self._consume("fail_next_weights_update", endpoint_name)

    def call_latency(self) -> float:
        """Seconds the next AWS call waits: the latency plus a random part of the jitter."""
        with EMULATOR_LOCK:
            base, jitter = self._settings.call_latency_seconds, self._settings.call_latency_jitter_seconds
        return base + (random.uniform(0.0, jitter) if jitter else 0.0)

    def iam_propagation_seconds(self) -> float:
        with EMULATOR_LOCK:
            return self._settings.iam_propagation_seconds

    def appconfig_time_scale(self) -> float:
        with EMULATOR_LOCK:
            return self._settings.appconfig_time_scale

    def appconfig_rolling_back_seconds(self) -> float:
        with EMULATOR_LOCK:
            return self._settings.appconfig_rolling_back_seconds

    def consume_appconfig_deployment_failure(self, environment_id: str) -> bool:
        """True (and clear the flag) if this AppConfig deployment should fail."""
        return self._consume("fail_next_appconfig_deployment", environment_id)
    def sfn_time_scale(self) -> float:
        with EMULATOR_LOCK:
            return self._settings.sfn_time_scale

    def sfn_sync_poll_seconds(self) -> float:
        with EMULATOR_LOCK:
            return self._settings.sfn_sync_poll_seconds

    def training_job_seconds(self) -> float:
        with EMULATOR_LOCK:
            return self._settings.training_job_seconds

    def consume_training_failure(self, job_name: str) -> bool:
        """True (and clear the flag) if this CreateTrainingJob should fail."""
        return self._consume("fail_next_training_job", job_name)

    def async_inference_seconds(self) -> float:
        with EMULATOR_LOCK:
            return self._settings.async_inference_seconds

    def endpoint_config_propagation_seconds(self) -> float:
        with EMULATOR_LOCK:
            return self._settings.endpoint_config_propagation_seconds

    def scale_to_zero_unavailable(self, region: str) -> bool:
        """Whether ``region`` is listed in ``scale_to_zero_unavailable_regions``."""
        with EMULATOR_LOCK:
            listed = self._settings.scale_to_zero_unavailable_regions
        return isinstance(listed, str) and region in {item.strip() for item in listed.split(",")}

    def refuses_zero_copy_create(self) -> bool:
        with EMULATOR_LOCK:
            return self._settings.refuse_zero_copy_create

    def consume_component_create_failure(self, component_name: str) -> bool:
        """True (and clear the flag) if this CreateInferenceComponent should fail."""
        return self._consume("fail_next_inference_component_create", component_name)

    def consume_component_update_failure(self, component_name: str) -> bool:
        """True (and clear the flag) if this UpdateInferenceComponent should fail."""
        return self._consume("fail_next_inference_component_update", component_name)

    def consume_create_failure(self, endpoint_name: str) -> bool:
        """True (and clear the flag) if this CreateEndpoint should fail."""
        return self._consume("fail_next_endpoint_create", endpoint_name)

    def consume_update_failure(self, endpoint_name: str) -> bool:
        """True (and clear the flag) if this UpdateEndpoint should fail."""
        return self._consume("fail_next_endpoint_update", endpoint_name)

    def _consume(self, name: str, endpoint_name: str) -> bool:
        with EMULATOR_LOCK:
            flag = getattr(self._settings, name)
            if flag is True or (isinstance(flag, str) and flag == endpoint_name):
                setattr(self._settings, name, False)
                return True
            return False
