"""Fault campaign: real Pulumi operations on an endpoint example while the emulator
injects faults, each followed by the checks a user relies on.

    python tests/chaos/campaign.py --runs 50 [--seed N] [--replay-run I] [--json FILE]

Each run is a ``pulumi up`` (create or update) or ``destroy`` of examples/py-endpoint
through the real engine (tests/harness) while the emulator throws random faults at
the provider's AWS calls (throttling, 5xx, connection resets before and after the
call took effect, slow answers, failing endpoints; seeded), some of them interrupted
(SIGINT to the CLI, SIGTERM after a grace period). Then, faults off:

1. repair as the CLI tells users to: ``pulumi cancel`` for a locked stack;
   ``pulumi refresh`` importing each pending create whose object exists
   (``--import-pending-creates``) and clearing the others;
2. converge: a clean ``up`` to the run's target (a clean ``destroy`` after a
   destroy run) must succeed;
3. ``refresh --expect-no-changes`` must pass;
4. nothing is lost: every AWS object in the account is in the state (after a
   destroy: the account is empty, or what is left is an orphan).

At the end a clean destroy must leave zero objects in every emulated service.
It prints each run (with its seed and the command that replays it), then: runs,
faults injected by kind, retries observed (requests the SDK sent again: attempt
> 1), repairs, orphans and lost state. It fails if orphans, lost state, a run
that did not converge, drift after it, or an unclear error message is found.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests" / "emulator"))

from driver import ChaosStack, OpResult  # noqa: E402
from inventory import Account, ObjectKey, created_object, pending_operations, state_objects  # noqa: E402
from plan import FAULT_WEIGHTS, RunPlan, Shape, make_plans  # noqa: E402
from sagemaker_emulator.client import EmulatorProcess  # noqa: E402

EXAMPLE = ROOT / "examples" / "py-endpoint"
STACK = "chaos"
# What an SDK debug dump looks like, as opposed to an error in words.
DEBUG_DUMP = re.compile(r"ServiceError \{|DispatchFailure|ConnectorError \{|SdkError|TimeoutError \{|ResponseError \{|source: Some\(")


def _e2e_fixtures():
    """tests/e2e/conftest.py (the engine environment and the harness drivers), by path."""
    spec = importlib.util.spec_from_file_location("e2e_fixtures", ROOT / "tests" / "e2e" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class RunRecord:
    """What one run did and what its checks found."""

    plan: RunPlan
    op: OpResult | None = None
    injected: Counter = field(default_factory=Counter)
    retries: int = 0
    repairs: list[str] = field(default_factory=list)
    converged: bool = True
    drift: bool = False
    problems: list[str] = field(default_factory=list)
    lost: set[ObjectKey] = field(default_factory=set)
    orphans: set[ObjectKey] = field(default_factory=set)
    unclear_errors: list[str] = field(default_factory=list)
    gave_up_errors: list[str] = field(default_factory=list)


@dataclass
class Tally:
    """The campaign's figures."""

    runs: int = 0
    actions: Counter = field(default_factory=Counter)
    outcomes: Counter = field(default_factory=Counter)
    interrupts: Counter = field(default_factory=Counter)
    injected: Counter = field(default_factory=Counter)
    retries: int = 0
    repairs: Counter = field(default_factory=Counter)
    not_converged: list[str] = field(default_factory=list)
    drifted: list[str] = field(default_factory=list)
    lost: set[ObjectKey] = field(default_factory=set)
    orphans: set[ObjectKey] = field(default_factory=set)
    unclear_errors: list[str] = field(default_factory=list)
    gave_up_errors: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    left_after_destroy: int = 0

    def add(self, record: RunRecord) -> None:
        self.runs += 1
        self.actions[record.plan.action] += 1
        if record.op is not None:
            self.outcomes["succeeded" if record.op.ok else "failed"] += 1
            if record.op.signals:
                self.interrupts["+".join(record.op.signals)] += 1
        self.injected.update(record.injected)
        self.retries += record.retries
        self.repairs.update(record.repairs)
        label = f"run {record.plan.index} (seed {record.plan.seed})"
        if not record.converged:
            self.not_converged.append(label)
        if record.drift:
            self.drifted.append(label)
        self.lost |= record.lost
        self.orphans |= record.orphans
        self.unclear_errors += [f"{label}: {e}" for e in record.unclear_errors]
        self.gave_up_errors += [f"{label}: {e}" for e in record.gave_up_errors]
        self.problems += [f"{label}: {p}" for p in record.problems]

    @property
    def failed(self) -> bool:
        return bool(
            self.lost
            or self.orphans
            or self.not_converged
            or self.drifted
            or self.unclear_errors
            or self.left_after_destroy
        )

    def report(self) -> str:
        lines = [
            "",
            "== fault campaign ==",
            f"runs: {self.runs} ({', '.join(f'{n} {a}' for a, n in sorted(self.actions.items()))}); "
            f"operations under faults: {self.outcomes['succeeded']} succeeded, {self.outcomes['failed']} failed",
            f"interrupted: {sum(self.interrupts.values())} ({', '.join(f'{n}x {s}' for s, n in sorted(self.interrupts.items())) or 'none'})",
            f"faults injected: {sum(self.injected.values())} ("
            + ", ".join(f"{kind} {self.injected.get(kind, 0)}" for kind in FAULT_WEIGHTS)
            + ")",
            f"retries observed: {self.retries} (requests the SDK sent again after a failed attempt)",
            f"repairs: {', '.join(f'{kind} {n}' for kind, n in sorted(self.repairs.items())) or 'none'}",
            f"errors naming the attempts the SDK made: {len(self.gave_up_errors)}",
            f"did not converge: {len(self.not_converged)} {self.not_converged or ''}",
            f"drift after converging: {len(self.drifted)} {self.drifted or ''}",
            f"unclear error messages: {len(self.unclear_errors)}",
            f"objects left after the final destroy: {self.left_after_destroy}",
            f"orphans: {len(self.orphans)} {sorted(self.orphans) if self.orphans else ''}",
            f"lost state: {len(self.lost)} {sorted(self.lost) if self.lost else ''}",
        ]
        for problem in self.problems:
            lines.append(f"  problem: {problem}")
        for error in self.unclear_errors:
            lines.append(f"  unclear: {error}")
        lines.append("RESULT: " + ("FAILED" if self.failed else "passed"))
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {
            "runs": self.runs,
            "actions": dict(self.actions),
            "outcomes": dict(self.outcomes),
            "interrupts": dict(self.interrupts),
            "faults_injected": {kind: self.injected.get(kind, 0) for kind in FAULT_WEIGHTS},
            "retries_observed": self.retries,
            "repairs": dict(self.repairs),
            "gave_up_errors": self.gave_up_errors,
            "not_converged": self.not_converged,
            "drifted": self.drifted,
            "unclear_errors": self.unclear_errors,
            "left_after_final_destroy": self.left_after_destroy,
            "orphans": sorted(map(list, self.orphans)),
            "lost_state": sorted(map(list, self.lost)),
            "problems": self.problems,
            "failed": self.failed,
        }


class Campaign:
    """Runs plans against one emulator and one stack, keeping the tally."""

    def __init__(self, emulator: EmulatorProcess, home: Path, log=print) -> None:
        fixtures = _e2e_fixtures()
        engine = fixtures.Engine(emulator, home)
        self.emulator = emulator
        self.account = Account(emulator)
        self.stack = ChaosStack(
            engine.env,
            fixtures.DRIVERS["python"],
            ROOT / ".tools" / "bin" / "pulumi",
            EXAMPLE,
            STACK,
            calls=lambda: len(emulator.requests()),
        )
        self.tally = Tally()
        self.log = log

    # -- one run --------------------------------------------------------------------------------

    def run(self, plan: RunPlan, seed: int) -> RunRecord:
        record = RunRecord(plan)
        self.log(f"run {plan.index} seed {plan.seed}: {plan.describe()}  [replay: --seed {seed} --replay-run {plan.index}]")
        if plan.op == "destroy" and not self.stack.exists():
            self.log("    nothing to destroy: the stack started over after an earlier run")
            self.tally.add(record)
            return record
        self.emulator.clear_requests()
        before = Counter(self.emulator.injected_faults()["by_kind"])
        self.emulator.random_faults(seed=plan.seed, probability=plan.probability, kinds=FAULT_WEIGHTS, delay_seconds=plan.delay_seconds)
        try:
            if plan.op == "destroy":
                record.op = self.stack.run("destroy", interrupt=plan.interrupt)
            else:
                record.op = self.stack.run("up", config=plan.target.config(), interrupt=plan.interrupt)
        finally:
            self.emulator.clear_faults()
        record.injected = Counter(self.emulator.injected_faults()["by_kind"]) - before
        record.retries = sum(1 for entry in self.emulator.requests() if (entry.get("attempt") or 1) > 1)
        self._judge_error(record)
        self.log(
            f"    {plan.action}: {'succeeded' if record.op.ok else 'failed'} in {record.op.seconds:.1f}s"
            f"{' after ' + '+'.join(record.op.signals) if record.op.signals else ''}; "
            f"faults {dict(record.injected) or 'none'}; retries {record.retries}"
        )
        if not record.op.ok:
            self.log(f"    error: {first_error_line(record.op.error)}")
        self._repair(record)
        if plan.op == "destroy":
            self._converge_destroy(record)
        else:
            self._converge_up(record, plan.target)
        if not record.converged:
            self._start_over(record)
        self.tally.add(record)
        return record

    def _start_over(self, record: RunRecord) -> None:
        """After a run that did not converge, what an operator does to start again:
        delete what the account holds and forget the stack, so that one failure does
        not fail the runs after it (they then start from nothing)."""
        left = self.account.objects()
        record.problems += [f"start over: {p}" for p in self.account.sweep(left)]
        self.stack.remove()
        record.repairs.append("stack started over (did not converge)")
        self.log(f"    started over: deleted {len(left)} object(s) and removed the stack")

    def _judge_error(self, record: RunRecord) -> None:
        """A failed operation's message must be words, not an SDK debug dump; note
        those that say how often the SDK tried."""
        text = record.op.error + record.op.log
        for line in text.splitlines():
            if DEBUG_DUMP.search(line):
                record.unclear_errors.append(line.strip()[:400])
            elif re.search(r"failed after \d+ attempts?", line) and "error:" in line:
                record.gave_up_errors.append(line.strip()[:400])
        record.unclear_errors = sorted(set(record.unclear_errors))
        record.gave_up_errors = sorted(set(record.gave_up_errors))

    def _repair(self, record: RunRecord) -> None:
        """What the CLI tells a user to do after an interrupted or failed update."""
        deployment = self.stack.export()
        if self._locked():
            done = self.stack.cancel()
            record.repairs.append("pulumi cancel (stack locked)")
            if done.returncode != 0:
                record.problems.append(f"pulumi cancel failed: {done.stderr[-500:]}")
        pending = pending_operations(deployment)
        if not pending:
            return
        existing = self.account.objects()
        imports: list[tuple[str, str]] = []
        cleared = 0
        for operation in pending:
            resource = operation.get("resource") or {}
            if operation.get("type") != "creating":
                record.repairs.append(f"pending {operation.get('type')} cleared by refresh")
                continue
            identifier = created_object(resource, self.account, existing, state_objects(deployment))
            if identifier:
                imports.append((resource["urn"], identifier))
            else:
                cleared += 1
                record.repairs.append("pending create cleared (no object)")
        done = self.stack.repair_refresh(imports, clear_pending_creates=cleared > 0)
        record.repairs.append("pulumi refresh (pending operations)")
        # The CLI may drop a pending create it was told to import instead of
        # importing it (the pinned CLI does): the object is then recorded
        # nowhere, and only the provider's take-over on the next create keeps
        # it from being lost. Count what the state really holds.
        recorded = {resource["urn"] for resource in (self.stack.export().get("deployment") or {}).get("resources") or []}
        dropped = [urn for urn, _ in imports if urn not in recorded]
        record.repairs += ["pending create imported"] * (len(imports) - len(dropped))
        record.repairs += ["pending create import dropped by the CLI"] * len(dropped)
        self.log(
            f"    repaired {len(pending)} pending operation(s): {len(imports) - len(dropped)} imported, "
            f"{len(dropped)} import(s) dropped by the CLI, {cleared} cleared"
        )
        if done.returncode != 0:
            record.problems.append(f"repair refresh failed: {first_error_line(done.stdout + done.stderr)}")

    def _locked(self) -> bool:
        locks = Path(self.stack.env["PULUMI_BACKEND_URL"].removeprefix("file://")) / ".pulumi" / "locks"
        return any(path.is_file() for path in locks.rglob("*.json")) if locks.exists() else False

    def _converge_up(self, record: RunRecord, target: Shape) -> None:
        clean = self.stack.run("up", config=target.config())
        if not clean.ok:
            record.converged = False
            self.log(f"    clean up FAILED: {first_error_line(clean.error)}")
            record.problems.append(f"clean up failed: {first_error_line(clean.error)}")
            # A second clean up shows whether the stack can be brought back at all.
            again = self.stack.run("up", config=target.config())
            if not again.ok:
                record.problems.append(f"second clean up failed too: {first_error_line(again.error)}")
                return
        refresh = self.stack.run("refresh", "--expect-no-changes")
        if not refresh.ok:
            record.drift = True
            drifted = [line.strip() for line in refresh.log.splitlines() if line.strip().startswith(("~", "-", "+")) and "refresh" in line]
            record.problems.append(f"refresh found changes: {first_error_line(refresh.error)} {drifted}")
            self.log(f"    refresh --expect-no-changes FAILED: {first_error_line(refresh.error)} {drifted}")
        owned = state_objects(self.stack.export())
        record.lost = self.account.objects() - owned
        if record.lost:
            self.log(f"    LOST STATE: {sorted(record.lost)}")
            record.problems += [f"swept: {p}" for p in self.account.sweep(record.lost)]

    def _converge_destroy(self, record: RunRecord) -> None:
        clean = self.stack.run("destroy")
        if not clean.ok:
            record.converged = False
            record.problems.append(f"clean destroy failed: {first_error_line(clean.error)}")
            self.log(f"    clean destroy FAILED: {first_error_line(clean.error)}")
            return
        record.orphans = self.account.objects() - state_objects(self.stack.export())
        if record.orphans:
            self.log(f"    ORPHANS: {sorted(record.orphans)}")
            record.problems += [f"swept: {p}" for p in self.account.sweep(record.orphans)]

    # -- the campaign -----------------------------------------------------------------------------

    def start_from(self, shape: Shape | None) -> None:
        """Bring the stack to ``shape`` with faults off (the state a replayed run starts in)."""
        if shape is not None:
            done = self.stack.run("up", config=shape.config())
            if not done.ok:
                raise RuntimeError(f"could not set up the starting state: {first_error_line(done.error)}")

    def finish(self) -> None:
        """A clean destroy: every emulated service must be empty."""
        self.emulator.clear_faults()
        self._repair(RunRecord(RunPlan(-1, 0, "destroy", None, None, 0.0, 0.0, None)))
        done = self.stack.run("destroy")
        if not done.ok:
            self.tally.not_converged.append("final destroy")
            self.tally.problems.append(f"final destroy failed: {first_error_line(done.error)}")
        left = self.account.objects()
        self.tally.left_after_destroy = len(left)
        orphans = left - state_objects(self.stack.export())
        if orphans:
            self.log(f"final destroy left ORPHANS: {sorted(orphans)}")
            self.tally.orphans |= orphans
        if left:
            self.account.sweep(left)


GENERIC_ERRORS = ("update failed", "preview failed", "refresh failed", "destroy failed", "error occurred", "has a problem: grpc")


def first_error_line(text: str) -> str:
    """The most telling line of an engine failure: the first ``error:`` line that is
    not a summary, else the first line that mentions an error, else the last line."""
    # Progress lines (`+  type name creating ...`) repeat what the diagnostics say.
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith(("+ ", "~ ", "- ", "+- "))]
    for index, line in enumerate(lines):
        # The engine lists errors as `N error(s) occurred:` then `* <error>` lines.
        if line.endswith(("error occurred:", "errors occurred:")) and index + 1 < len(lines):
            return "error: " + lines[index + 1].lstrip("* ")[:500]
        if "error:" in line and not any(generic in line for generic in GENERIC_ERRORS):
            return line[line.index("error:") :][:500]
    for line in lines:
        if "error" in line.lower():
            return line[:500]
    return (lines[-1] if lines else "")[:500]


def run_campaign(runs: int, seed: int, home: Path, replay: int | None = None, log=print) -> Tally:
    """Run ``runs`` plans drawn from ``seed`` (or only plan ``replay``, from its starting state)."""
    plans = make_plans(seed, runs if replay is None else max(runs, replay + 1))
    with EmulatorProcess(python=sys.executable) as emulator:
        emulator.configure(endpoint_creating_seconds=0.5, endpoint_updating_seconds=0.5)
        campaign = Campaign(emulator, home, log)
        campaign.stack.remove()
        started = time.monotonic()
        log(f"fault campaign: seed {seed}, {runs if replay is None else 1} run(s)")
        try:
            if replay is not None:
                plan = plans[replay]
                campaign.start_from(plan.start)
                campaign.run(plan, seed)
            else:
                for plan in plans:
                    campaign.run(plan, seed)
            campaign.finish()
        finally:
            campaign.stack.remove()
        log(f"campaign took {time.monotonic() - started:.0f}s")
        return campaign.tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=None, help="campaign seed (default: random, printed)")
    parser.add_argument("--replay-run", type=int, default=None, help="run only this run of the seed's campaign")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    parser.add_argument("--home", type=Path, default=None, help="engine state directory (default: a temporary one)")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else int.from_bytes(__import__("os").urandom(4), "big")
    import tempfile

    with tempfile.TemporaryDirectory(prefix="chaos-") as scratch:
        home = args.home or Path(scratch)
        tally = run_campaign(args.runs, seed, home, args.replay_run, log=lambda line: print(line, flush=True))
    print(tally.report(), flush=True)
    print(f"seed: {seed} (replay the campaign with --seed {seed}, one run with --seed {seed} --replay-run N)")
    if args.json:
        args.json.write_text(json.dumps({"seed": seed, **tally.to_json()}, indent=2))
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
