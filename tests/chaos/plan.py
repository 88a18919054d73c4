"""The campaign's runs, drawn from one seed: what each run deploys or destroys, the
faults the emulator injects meanwhile, and whether the CLI is interrupted.

The stack is examples/py-endpoint. Its shape (:class:`Shape`) is what a run's
``up`` asks for through stack config; each update changes something real: the
model version (a new artifact key: new model, new endpoint configuration,
UpdateEndpoint), the instance count, the variant weight, autoscaling, a canary
rollout. The endpoint kind (real-time, async, serverless) is drawn for each
create, not changed by an update: another kind is another component whose
endpoint has the same name, and the engine creates it before it deletes the old
one, which SageMaker refuses whatever the faults (a known limitation, reported
separately). The provider's retry settings vary too (``retryMode``,
``maxAttempts``), so that some requests outlast their attempts.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, replace
from pathlib import Path

from driver import Interrupt

MODEL_CONFIG = Path(__file__).resolve().parents[2] / "examples" / "config" / "model-config.json"
KINDS = ("realtime", "async", "serverless")
AUTOSCALING = {
    "realtime": {"minCapacity": 1, "maxCapacity": 3, "targetInvocationsPerInstance": 50},
    "async": {"minCapacity": 0, "maxCapacity": 3, "targetBacklogPerInstance": 4},
}
ROLLOUT = {"trafficShift": "CANARY", "canarySize": {"unit": "CAPACITY_PERCENT", "value": 10}, "waitIntervalInSeconds": 60}
RETRIES = (("standard", 6), ("standard", 6), ("adaptive", 6), ("standard", 3), ("adaptive", 3), ("standard", 2))
#: Relative weights of the fault kinds drawn at random (see the emulator's faults module).
FAULT_WEIGHTS = {
    "throttle": 4.0,
    "server_error": 2.0,
    "unavailable": 2.0,
    "reset_before": 1.5,
    "reset_after": 2.0,
    "delay": 1.0,
    "endpoint_failure": 40.0,  # it can only hit the few endpoint calls: weigh it up there
}
PROBABILITIES = (0.1, 0.2, 0.3, 0.4)
INTERRUPT_AFTER_CALLS = (2, 5, 8, 12, 16, 20, 25)
INTERRUPT_GRACE = (0.2, 1.0, 3.0, 20.0)


@dataclass(frozen=True)
class Shape:
    """What the stack deploys: the stack config of py-endpoint."""

    kind: str = "realtime"
    model_version: int = 1
    instance_count: int = 1
    weight: int = 1
    autoscaling: bool = False
    rollout: bool = False
    retry_mode: str = "standard"
    max_attempts: int = 6

    def config(self) -> dict[str, str]:
        models = json.loads(MODEL_CONFIG.read_text())["modelList"]
        models[0]["InstanceCount"] = self.instance_count
        return {
            "inferenceType": self.kind,
            "modelList": json.dumps(models),
            "modelS3Key": f"models/text-classification/v{self.model_version}/model.tar.gz",
            "variantWeights": json.dumps({"PrimaryVariant": self.weight}),
            "autoscaling": json.dumps(AUTOSCALING[self.kind] if self.autoscaling else None),
            "rollout": json.dumps(ROLLOUT if self.rollout else None),
            "sagemaker-deployment:retryMode": self.retry_mode,
            "sagemaker-deployment:maxAttempts": str(self.max_attempts),
        }

    def describe(self) -> str:
        extras = [f"v{self.model_version}", f"{self.instance_count} instance(s)", f"weight {self.weight}"]
        if self.autoscaling:
            extras.append("autoscaling")
        if self.rollout:
            extras.append("canary rollout")
        return f"{self.kind} ({', '.join(extras)}; retries {self.retry_mode}/{self.max_attempts})"


def valid(shape: Shape) -> Shape:
    """The shape made consistent: serverless endpoints have no instances, autoscaling
    or rollout; rollouts are for real-time endpoints."""
    if shape.kind == "serverless":
        return replace(shape, instance_count=1, autoscaling=False, rollout=False)
    if shape.kind == "async":
        return replace(shape, rollout=False)
    return shape


def mutate(shape: Shape, rng: random.Random) -> Shape:
    """The next shape: one or two real changes (what the endpoint kind allows), and
    the retry settings drawn anew."""
    for _ in range(20):
        changed = _changed(shape, rng)
        if replace(changed, retry_mode=shape.retry_mode, max_attempts=shape.max_attempts) != shape:
            return changed
    return valid(replace(shape, model_version=shape.model_version % 4 + 1))


def _changed(shape: Shape, rng: random.Random) -> Shape:
    changes = ["model", "count", "weight", "autoscaling", "rollout"]
    weights = [4, 3, 2, 2, 1]
    picked = set(rng.choices(changes, weights, k=rng.choice((1, 2))))
    if "model" in picked:
        shape = replace(shape, model_version=shape.model_version % 4 + 1)
    if "count" in picked:
        shape = replace(shape, instance_count=rng.choice([c for c in (1, 2, 3) if c != shape.instance_count]))
    if "weight" in picked:
        shape = replace(shape, weight=rng.choice([w for w in (1, 2, 3) if w != shape.weight]))
    if "autoscaling" in picked:
        shape = replace(shape, autoscaling=not shape.autoscaling)
    if "rollout" in picked:
        shape = replace(shape, rollout=not shape.rollout)
    mode, attempts = rng.choice(RETRIES)
    return valid(replace(shape, retry_mode=mode, max_attempts=attempts))


@dataclass(frozen=True)
class RunPlan:
    """One run: ``op`` (``up`` or ``destroy``) from ``start`` (``None``: nothing
    deployed) to ``target``, under random faults, perhaps interrupted."""

    index: int
    seed: int
    op: str
    start: Shape | None
    target: Shape | None
    probability: float
    delay_seconds: float
    interrupt: Interrupt | None

    @property
    def action(self) -> str:
        if self.op == "destroy":
            return "destroy"
        return "create" if self.start is None else "update"

    def describe(self) -> str:
        what = f"{self.action} {self.target.describe()}" if self.target else f"{self.action} {self.start.describe() if self.start else ''}"
        faults = f"faults p={self.probability:g} (delays {self.delay_seconds:.1f}s)"
        interrupted = f", interrupted: {self.interrupt.describe()}" if self.interrupt else ""
        return f"{what}; {faults}{interrupted}"


def make_plans(seed: int, runs: int, interrupt_every: int = 5) -> list[RunPlan]:
    """``runs`` runs from ``seed``: the first creates, later ones update (or now and
    then destroy, after which the next creates again); every ``interrupt_every``-th
    run (the third of each group) and a few others are interrupted."""
    rng = random.Random(seed)
    plans = []
    current: Shape | None = None
    for index in range(runs):
        run_seed = rng.randrange(1, 2**31)
        if current is None:
            op, target = "up", valid(replace(Shape(kind=rng.choice(KINDS)), **dict(zip(("retry_mode", "max_attempts"), rng.choice(RETRIES)))))
        elif rng.random() < 0.2:
            op, target = "destroy", None
        else:
            op, target = "up", mutate(current, rng)
        interrupted = index % interrupt_every == 2 or rng.random() < 0.1
        interrupt = Interrupt(rng.choice(INTERRUPT_AFTER_CALLS), rng.choice(INTERRUPT_GRACE)) if interrupted else None
        plans.append(
            RunPlan(
                index=index,
                seed=run_seed,
                op=op,
                start=current,
                target=target,
                probability=rng.choice(PROBABILITIES),
                delay_seconds=round(rng.uniform(0.5, 3.0), 1),
                interrupt=interrupt,
            )
        )
        current = target
    return plans
