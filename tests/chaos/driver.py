"""Running one stack of an example through the real Pulumi engine, the way a user does.

Operations go through the end-to-end harness (``tests/harness/pyrun.py``: the
Automation API's inline program and the pinned CLI as its subprocess), in a new
session so that everything it starts can be found afterwards. An operation may be
interrupted as a user at a terminal does: SIGINT to the CLI (it cancels: the
engine stops starting steps and asks the provider to cancel), then, if the CLI
is still running after a grace period, SIGTERM (it terminates at once, leaving
what was in flight pending in the state).

Repairs run the CLI directly, as the CLI tells users to: ``pulumi cancel`` for a
stack left locked, ``pulumi refresh`` (with ``--import-pending-creates`` for a
create that made its object, ``--clear-pending-creates`` for one that did not).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

OP_TIMEOUT = 900


@dataclass(frozen=True)
class Interrupt:
    """Interrupt an operation once the provider has made ``after_calls`` AWS calls
    (mid-operation, whatever its pace); SIGTERM if the CLI still runs ``grace``
    seconds after the SIGINT."""

    after_calls: int
    grace: float

    def describe(self) -> str:
        return f"SIGINT after {self.after_calls} AWS calls, SIGTERM {self.grace:.1f}s later if still running"


@dataclass
class OpResult:
    """One engine operation as the driver reported it."""

    op: str
    ok: bool
    seconds: float
    error: str = ""
    log: str = ""
    changes: dict = field(default_factory=dict)
    outputs: dict = field(default_factory=dict)
    signals: list[str] = field(default_factory=list)


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces: split after it.
    return text[text.rindex(")") + 2 :].split()


def session_members(session: int) -> list[int]:
    """The live processes of a session (``/proc/<pid>/stat``: field 6 is the session id)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields and fields[3] == str(session) and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def pulumi_cli_in(session: int, cli: Path) -> int | None:
    """The pid of the Pulumi CLI running in ``session``, if it runs."""
    for pid in session_members(session):
        try:
            if Path(f"/proc/{pid}/exe").resolve() == cli.resolve():
                return pid
        except OSError:
            continue
    return None


def _alive(pid: int) -> bool:
    fields = _stat_fields(pid)
    return fields is not None and fields[0] != "Z"


class ChaosStack:
    """One stack of one Python example, its engine environment, and its CLI."""

    def __init__(
        self, env: dict[str, str], driver: list[str], cli: Path, example: Path, name: str, calls: Callable[[], int]
    ) -> None:
        """``calls()`` counts the AWS calls made so far (the emulator's request log)."""
        self.calls = calls
        self.env = env
        self.driver = driver
        self.cli_path = cli
        self.example = example
        self.name = name

    # -- operations through the harness -----------------------------------------------------

    def run(self, op: str, *flags: str, config: dict[str, str] | None = None, interrupt: Interrupt | None = None) -> OpResult:
        command = [*self.driver, str(self.example), self.name, op, *flags]
        for key, value in (config or {}).items():
            command += ["--config", f"{key}={value}"]
        started = time.monotonic()
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env, start_new_session=True
        )
        signals: list[str] = []
        watcher = None
        if interrupt is not None:
            watcher = threading.Thread(target=self._interrupt, args=(process, interrupt, signals), daemon=True)
            watcher.start()
        try:
            stdout, stderr = process.communicate(timeout=OP_TIMEOUT)
        except subprocess.TimeoutExpired:
            stdout, stderr = "", f"{op} did not finish in {OP_TIMEOUT} s"
            signals.append("SIGKILL (timeout)")
        finally:
            if watcher is not None:
                watcher.join(timeout=60)
            self._end_session(process.pid)
        seconds = time.monotonic() - started
        lines = [line for line in stdout.splitlines() if line.strip()]
        try:
            result = json.loads(lines[-1]) if lines else {}
        except ValueError:
            result = {}
        ok = result.get("result") == "succeeded"
        error = "" if ok else (result.get("error") or stderr[-4000:] or "no result line")
        return OpResult(op, ok, seconds, error, stderr, result.get("changes", {}), result.get("outputs", {}), signals)

    def _interrupt(self, process: subprocess.Popen, interrupt: Interrupt, signals: list[str]) -> None:
        baseline = self.calls()
        while self.calls() - baseline < interrupt.after_calls:
            if process.poll() is not None:
                return
            time.sleep(0.05)
        cli = pulumi_cli_in(process.pid, self.cli_path)
        if cli is None:
            return
        os.kill(cli, signal.SIGINT)
        signals.append("SIGINT")
        deadline = time.monotonic() + interrupt.grace
        while time.monotonic() < deadline:
            if not _alive(cli):
                return
            time.sleep(0.05)
        if _alive(cli):
            os.kill(cli, signal.SIGTERM)
            signals.append("SIGTERM")

    def _end_session(self, session: int) -> None:
        """Stop what the operation left running (a terminated CLI's provider plugins), by pid."""
        for _ in range(3):
            members = session_members(session)
            if not members:
                return
            for pid in members:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.2)

    # -- the CLI directly ----------------------------------------------------------------------

    def cli(self, *args: str, timeout: float = OP_TIMEOUT) -> subprocess.CompletedProcess:
        command = [
            str(self.cli_path), *args, "--stack", self.name, "--cwd", str(self.example), "--non-interactive", "--color", "never",
        ]
        return subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=timeout)

    def export(self) -> dict:
        """The stack's state (``{}`` when the stack does not exist)."""
        done = self.cli("stack", "export")
        if done.returncode != 0:
            if "no stack named" in done.stderr:
                return {}
            raise RuntimeError(f"pulumi stack export failed: {done.stderr[-2000:]}")
        return json.loads(done.stdout)

    def exists(self) -> bool:
        return bool(self.export())

    def cancel(self) -> subprocess.CompletedProcess:
        return self.cli("cancel", "--yes")

    def repair_refresh(self, imports: list[tuple[str, str]], clear_pending_creates: bool) -> subprocess.CompletedProcess:
        args = ["refresh", "--yes", "--skip-preview"]
        for urn, identifier in imports:
            args += ["--import-pending-creates", urn, "--import-pending-creates", identifier]
        if clear_pending_creates:
            args.append("--clear-pending-creates")
        return self.cli(*args)

    def remove(self) -> None:
        self.run("rm", "--force")
        (self.example / f"Pulumi.{self.name}.yaml").unlink(missing_ok=True)
