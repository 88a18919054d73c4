"""Benchmark: the provider at scale, through the real engine against the emulator.

1. One stack of N serverless endpoints (tests/bench/programs/py-scale: one
   BaseInfra, then per endpoint a SageMakerModel with its own uploaded
   artifact and a SageMakerServerlessEndpoint), for each size of `--sizes`
   (default 1,10,50): preview, up and destroy times, the provider's CPU time per
   resource operation, its peak memory (VmHWM), AWS calls per endpoint; then
   the cost per endpoint at each size and how it grows (linear: the marginal
   cost of an endpoint stays the same).
2. `--stacks` stacks (default 8, `--stack-endpoints` each) deployed in
   parallel against one emulator: wall times of up, refresh and destroy, and
   each stack's objects and outputs checked after the parallel up.
3. A no-change preview of the seed's dev stack built from the finer components
   (examples/py-endpoint) against an empty Python program's preview, on
   the same engine, alternately, `--preview-runs` times each (default 5):
   both medians and their ratio, for each `--preview-provider NAME=PATH` (by
   default the bin/ binary; `make bench` adds the release build, what users
   install). Then `--traced-previews` more of each (default 3) with the
   engine's gRPC trace on, split into phases by preview_trace.py: the program
   until its stack registered, the provider's start, the components, and the
   provider's Check and Diff calls; with the provider's CPU time per preview.

AWS calls take `--latency` milliseconds in the emulator (default 50-150: the
emulator's call_latency_seconds / call_latency_jitter_seconds) in parts 1 and
2; part 3 measures the engine and the provider, with no latency. The
provider reports its own CPU time and peak memory at exit
(SAGEMAKER_DEPLOYMENT_USAGE_FILE, see provider/src/usage.rs); "per resource
operation" divides it by the resources the engine previewed, created or
deleted. Runs the bin/ binary the programs' Pulumi.yaml name.

Usage: python tests/bench/scale.py [--sizes 1,10] [--stacks 8] [--stack-endpoints 1]
                                   [--preview-runs 5] [--traced-previews 3] [--latency 50-150]
                                   [--skip parallel,preview] [--preview-provider NAME=PATH ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "emulator"))

from sagemaker_emulator.client import EmulatorProcess  # noqa: E402

import preview_trace  # noqa: E402  (beside this file)

PYRUN = ROOT / "tests" / "harness" / "pyrun.py"
SCALE = ROOT / "tests" / "bench" / "programs" / "py-scale"
EMPTY = ROOT / "tests" / "bench" / "programs" / "py-empty"
DEMO = ROOT / "examples" / "py-endpoint"
USAGE_VARIABLE = "SAGEMAKER_DEPLOYMENT_USAGE_FILE"
KIB_PER_MIB = 1024


class BenchError(RuntimeError):
    """An engine operation failed, or a stack was not what it should be."""


@dataclass
class Run:
    """One engine operation: how long it took, what it changed, what the provider used."""

    op: str
    seconds: float
    changes: dict[str, int]
    outputs: dict
    usage: list[dict] = field(default_factory=list)
    calls: int = 0

    @property
    def resources(self) -> int:
        """Resource operations the engine made (previewed, created, deleted, ...)."""
        return sum(count for kind, count in self.changes.items() if kind != "same")

    @property
    def cpu_seconds(self) -> float:
        return sum(report["user_seconds"] + report["system_seconds"] for report in self.usage)

    @property
    def peak_mib(self) -> float:
        return max((report["peak_resident_kib"] for report in self.usage), default=0) / KIB_PER_MIB

    @property
    def cpu_ms_per_resource(self) -> float:
        return 1000 * self.cpu_seconds / self.resources if self.resources else float("nan")


class Engine:
    """The real engine (through tests/harness/pyrun.py) with a file backend of its own."""

    def __init__(self, emulator: EmulatorProcess, home: Path) -> None:
        self.home = home
        (home / "backend").mkdir(parents=True)
        self.env = {
            # Programs import the SDK with its bytecode cached, as pip leaves an
            # installed package (a shell with PYTHONDONTWRITEBYTECODE would otherwise
            # compile the whole SDK from source at every run, ~0.2 s).
            **{name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"},
            **emulator.aws_environment(),
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "PULUMI_HOME": str(home / "pulumi-home"),
            "PULUMI_BACKEND_URL": f"file://{home / 'backend'}",
            "PULUMI_CONFIG_PASSPHRASE": "bench",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "SAGEMAKER_DEPLOYMENT_POLL_MS": "100",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "sdk" / "python"), os.environ.get("PYTHONPATH")])),
            "PATH": f"{ROOT / '.tools' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        }

    def run(
        self, program: Path, stack: str, op: str, *flags: str, config: dict | None = None, trace: Path | None = None
    ) -> Run:
        """One operation; ``trace`` appends the engine's gRPC trace (PULUMI_DEBUG_GRPC) to that file."""
        usage_file = self.home / f"usage-{uuid.uuid4().hex}.jsonl"
        command = [sys.executable, str(PYRUN), str(program), stack, op, *flags]
        for key, value in (config or {}).items():
            command += ["--config", f"{key}={value}"]
        started = time.perf_counter()
        completed = subprocess.run(
            command,
            env={**self.env, USAGE_VARIABLE: str(usage_file), **({"PULUMI_DEBUG_GRPC": str(trace)} if trace else {})},
            capture_output=True,
            text=True,
            timeout=3600,
        )
        seconds = time.perf_counter() - started
        lines = [line for line in completed.stdout.splitlines() if line.strip()]
        result = json.loads(lines[-1]) if lines else {"result": "failed", "error": "no result line"}
        if result.get("result") != "succeeded":
            raise BenchError(f"{program.name}/{stack} {op} failed:\n{completed.stderr[-3000:]}")
        usage = [json.loads(line) for line in usage_file.read_text().splitlines()] if usage_file.exists() else []
        usage_file.unlink(missing_ok=True)
        return Run(op, seconds, result.get("changes", {}), result.get("outputs", {}), usage)

    def remove(self, program: Path, stack: str) -> None:
        """Forget the stack (nothing is left in the emulator for it) and its config file."""
        subprocess.run(
            [sys.executable, str(PYRUN), str(program), stack, "rm", "--force"],
            env=self.env, capture_output=True, text=True, timeout=300,
        )
        (program / f"Pulumi.{stack}.yaml").unlink(missing_ok=True)


def configure_latency(emulator: EmulatorProcess, latency: tuple[float, float]) -> None:
    low, high = latency
    emulator.configure(call_latency_seconds=low / 1000, call_latency_jitter_seconds=(high - low) / 1000)


def counted(emulator: EmulatorProcess, operation) -> Run:
    """Runs ``operation`` with the request log emptied first; the run counts the AWS calls it made."""
    emulator.clear_requests()
    run = operation()
    run.calls = len(emulator.requests())
    return run


# -- 1. one stack, N endpoints --------------------------------------------------------------------


@dataclass
class SizeResult:
    endpoints: int
    preview: Run
    up: Run
    destroy: Run


def one_stack(engine: Engine, emulator: EmulatorProcess, size: int, latency: tuple[float, float]) -> SizeResult:
    emulator.reset()
    configure_latency(emulator, latency)
    stack, prefix = f"scale-{size}", f"scale{size}"
    engine.remove(SCALE, stack)
    config = {"endpoints": size, "prefix": prefix}
    try:
        preview = counted(emulator, lambda: engine.run(SCALE, stack, "preview", config=config))
        up = counted(emulator, lambda: engine.run(SCALE, stack, "up", config=config))
        if len(up.outputs.get("endpointNames", [])) != size:
            raise BenchError(f"{stack}: expected {size} endpoints, got {up.outputs.get('endpointNames')}")
        destroy = counted(emulator, lambda: engine.run(SCALE, stack, "destroy"))
    finally:
        engine.remove(SCALE, stack)
    result = SizeResult(size, preview, up, destroy)
    print(f"  {size:>3} endpoint(s): preview {preview.seconds:.1f} s, up {up.seconds:.1f} s, destroy {destroy.seconds:.1f} s", flush=True)
    return result


def print_sizes(results: list[SizeResult]) -> None:
    print("\nOne stack, N serverless endpoints (times are wall clock through the engine; CPU and memory are the provider's)")
    header = (
        f"{'N':>4} {'resources':>9} {'preview s':>9} {'up s':>7} {'destroy s':>9} "
        f"{'CPU ms/op preview':>17} {'up':>6} {'destroy':>7} {'peak MiB':>8} {'AWS calls/endpoint up':>21} {'destroy':>7}"
    )
    print(header)
    for r in results:
        print(
            f"{r.endpoints:>4} {r.up.resources:>9} {r.preview.seconds:>9.1f} {r.up.seconds:>7.1f} {r.destroy.seconds:>9.1f} "
            f"{r.preview.cpu_ms_per_resource:>17.1f} {r.up.cpu_ms_per_resource:>6.1f} {r.destroy.cpu_ms_per_resource:>7.1f} "
            f"{max(r.preview.peak_mib, r.up.peak_mib, r.destroy.peak_mib):>8.1f} "
            f"{r.up.calls / r.endpoints:>21.1f} {r.destroy.calls / r.endpoints:>7.1f}"
        )
    print_growth(results)


def print_growth(results: list[SizeResult]) -> None:
    """Cost per endpoint at each size, the marginal cost of an endpoint between sizes, and their ratios."""
    metrics = {
        "up s": lambda r: r.up.seconds,
        "destroy s": lambda r: r.destroy.seconds,
        "up CPU s": lambda r: r.up.cpu_seconds,
        "destroy CPU s": lambda r: r.destroy.cpu_seconds,
        "up AWS calls": lambda r: r.up.calls,
        "destroy AWS calls": lambda r: r.destroy.calls,
    }
    ordered = sorted(results, key=lambda r: r.endpoints)
    sizes = [r.endpoints for r in ordered]
    print("\nGrowth: per endpoint = total / N; marginal = extra cost per extra endpoint between two sizes")
    columns = [f"per endpoint N={n}" for n in sizes]
    steps = list(zip(ordered, ordered[1:]))
    columns += [f"marginal {a.endpoints}->{b.endpoints}" for a, b in steps]
    if len(ordered) > 1:
        columns.append(f"ratio {sizes[-1]}:{sizes[0]}")
    if len(steps) > 1:
        columns.append("marginal ratio last:first")
    print(f"{'':>18} " + " ".join(f"{c:>{max(len(c), 10)}}" for c in columns))
    for name, metric in metrics.items():
        cells = [metric(r) / r.endpoints for r in ordered]
        marginals = [(metric(b) - metric(a)) / (b.endpoints - a.endpoints) for a, b in steps]
        cells += marginals
        if len(ordered) > 1:
            cells.append(cells[len(ordered) - 1] / cells[0] if cells[0] else float("nan"))
        if len(steps) > 1:
            # Only a cost that grows with N has a growth rate to compare.
            cells.append(marginals[-1] / marginals[0] if marginals[0] > 0 else float("nan"))
        print(f"{name:>18} " + " ".join(f"{cell:>{max(len(c), 10)}.3f}" for c, cell in zip(columns, cells)))
    print(
        "(ratio N:1 below 1: fixed costs - the engine's start, BaseInfra - spread over more endpoints; "
        "a marginal ratio near 1: each endpoint costs the same, however many there are; nan: the first "
        "step's cost did not grow, fixed costs and parallelism hide it)"
    )


# -- 2. stacks in parallel ------------------------------------------------------------------------


def parallel_stacks(
    engine: Engine, emulator: EmulatorProcess, stacks: int, endpoints: int, latency: tuple[float, float]
) -> dict[str, float]:
    emulator.reset()
    configure_latency(emulator, latency)
    names = [f"parallel-{index}" for index in range(stacks)]
    prefixes = {name: f"par{index}" for index, name in enumerate(names)}
    for name in names:
        engine.remove(SCALE, name)

    def each(op: str, *flags: str) -> dict[str, Run]:
        """``op`` on every stack at once; the runs by stack."""
        with ThreadPoolExecutor(max_workers=stacks) as pool:
            futures = {
                name: pool.submit(
                    engine.run, SCALE, name, op, *flags,
                    config={"endpoints": endpoints, "prefix": prefixes[name]} if op == "up" else None,
                )
                for name in names
            }
            return {name: future.result() for name, future in futures.items()}

    walls: dict[str, float] = {}
    try:
        started = time.perf_counter()
        ups = each("up")
        walls["up"] = time.perf_counter() - started
        walls["up summed"] = sum(run.seconds for run in ups.values())
        for name, run in ups.items():
            check_stack(emulator, prefixes[name], endpoints, run.outputs)
        started = time.perf_counter()
        each("refresh", "--expect-no-changes")
        walls["refresh"] = time.perf_counter() - started
        started = time.perf_counter()
        each("destroy")
        walls["destroy"] = time.perf_counter() - started
        sagemaker = emulator.client("sagemaker")
        left = [e["EndpointName"] for e in sagemaker.list_endpoints()["Endpoints"]]
        left += [m["ModelName"] for m in sagemaker.list_models()["Models"]]
        if left:
            raise BenchError(f"left behind after the parallel destroy: {left}")
    finally:
        for name in names:
            engine.remove(SCALE, name)
    return walls


def check_stack(emulator: EmulatorProcess, prefix: str, endpoints: int, outputs: dict) -> None:
    """The stack's outputs name its own objects, and those objects are there and in service."""
    sagemaker, s3 = emulator.client("sagemaker"), emulator.client("s3")
    expected = [f"{prefix}-endpoint-{index}" for index in range(endpoints)]
    if outputs.get("endpointNames") != expected:
        raise BenchError(f"{prefix}: endpointNames {outputs.get('endpointNames')}, expected {expected}")
    for name, arn in zip(expected, outputs["endpointArns"]):
        endpoint = sagemaker.describe_endpoint(EndpointName=name)
        if endpoint["EndpointArn"] != arn or endpoint["EndpointStatus"] != "InService":
            raise BenchError(f"{prefix}: {name} is {endpoint['EndpointStatus']} at {endpoint['EndpointArn']}, expected {arn}")
        config = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
        for variant in config["ProductionVariants"]:
            model = sagemaker.describe_model(ModelName=variant["ModelName"])
            if not model["ModelName"].startswith(f"{prefix}-model-"):
                raise BenchError(f"{prefix}: {name} serves another stack's model {model['ModelName']}")
    bucket = outputs["modelArtifactBucketName"]
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
    missing = {f"models/{index}/model.tar.gz" for index in range(endpoints)} - keys
    if missing:
        raise BenchError(f"{prefix}: artifacts missing from {bucket}: {sorted(missing)}")


# -- 3. no-change preview: demo stack vs empty program --------------------------------------------


def demo_with_provider(binary: Path, scratch: Path) -> Path:
    """A copy of the demo program whose Pulumi.yaml runs ``binary`` (the program reads
    ``../config`` and ``../model``, linked beside the copy)."""
    scratch.mkdir(parents=True, exist_ok=True)
    plugins = scratch / "plugins"
    plugins.mkdir(exist_ok=True)
    plugin = plugins / "pulumi-resource-sagemaker-deployment"
    plugin.unlink(missing_ok=True)
    plugin.symlink_to(binary.resolve())
    program = scratch / DEMO.name
    program.mkdir(exist_ok=True)
    for source in DEMO.iterdir():
        if source.is_file() and not source.name.startswith("Pulumi."):
            (program / source.name).write_bytes(source.read_bytes())
    project = (DEMO / "Pulumi.yaml").read_text().replace("path: ../../bin", f"path: {plugins}")
    if str(plugins) not in project:
        raise BenchError(f"{DEMO / 'Pulumi.yaml'} no longer names ../../bin as the provider's path")
    (program / "Pulumi.yaml").write_text(project)
    for sibling in ("config", "model"):
        link = scratch / sibling
        if not link.exists():
            link.symlink_to(DEMO.parent / sibling)
    return program


@dataclass
class PreviewComparison:
    """Part 3's figures for one provider binary."""

    demo: list[Run]
    empty: list[Run]
    demo_phases: dict[str, float | None]
    empty_phases: dict[str, float | None]

    def median_seconds(self, runs: list[Run]) -> float:
        return statistics.median(run.seconds for run in runs)


def preview_comparison(
    engine: Engine, emulator: EmulatorProcess, runs: int, traced_runs: int, demo_program: Path = DEMO
) -> PreviewComparison:
    """Timed previews of both programs, alternately; then ``traced_runs`` more of each
    with the engine's gRPC trace on (kept out of the timing: the trace costs time)."""
    emulator.reset()
    demo, empty = "bench-demo", "bench-empty"
    for program, stack in ((demo_program, demo), (EMPTY, empty)):
        engine.remove(program, stack)
    traces = {demo: engine.home / "grpc-demo.jsonl", empty: engine.home / "grpc-empty.jsonl"}
    try:
        engine.run(demo_program, demo, "up")
        engine.run(EMPTY, empty, "up")
        timed: dict[str, list[Run]] = {demo: [], empty: []}
        for _ in range(runs):
            for program, stack in ((demo_program, demo), (EMPTY, empty)):
                timed[stack].append(engine.run(program, stack, "preview", "--expect-no-changes"))
        for _ in range(traced_runs):
            for program, stack in ((demo_program, demo), (EMPTY, empty)):
                engine.run(program, stack, "preview", "--expect-no-changes", trace=traces[stack])
        engine.run(demo_program, demo, "destroy")
    finally:
        for program, stack in ((demo_program, demo), (EMPTY, empty)):
            engine.remove(program, stack)

    def traced(stack: str) -> dict[str, float | None]:
        if traced_runs == 0:
            return {}
        return preview_trace.median_phases(preview_trace.phases(traces[stack]))

    return PreviewComparison(timed[demo], timed[empty], traced(demo), traced(empty))


def print_preview_comparison(name: str, result: PreviewComparison) -> None:
    demo_median, empty_median = result.median_seconds(result.demo), result.median_seconds(result.empty)
    cpu_ms = statistics.median(run.cpu_seconds for run in result.demo) * 1000
    print(f"{name} provider:")
    print(f"  demo stack (examples/py-endpoint): median {demo_median:.2f} s  runs {', '.join(f'{r.seconds:.2f}' for r in result.demo)}")
    print(f"  empty program:                     median {empty_median:.2f} s  runs {', '.join(f'{r.seconds:.2f}' for r in result.empty)}")
    print(f"  ratio demo/empty: {demo_median / empty_median:.2f}x (target 1.1x), difference {demo_median - empty_median:.2f} s")
    print(f"  provider CPU per demo preview (its start included): median {cpu_ms:.0f} ms")
    if result.demo_phases:
        print("  the language host's Run, from the engine's gRPC trace (medians, ms):")
        print(f"    {'phase':<38}{'demo':>8}{'empty':>8}")
        rows = [
            ("Run", "run"),
            ("program, until the stack registered", "program"),
            ("provider started and configured", "provider start"),
            ("components (Construct to Construct)", "components"),
            ("provider Check and Diff, summed", "provider calls"),
            ("  (calls)", "provider call count"),
        ]
        for label, key in rows:
            print(f"    {label:<38}{_ms(result.demo_phases.get(key)):>8}{_ms(result.empty_phases.get(key)):>8}")
    print(flush=True)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


# -- main ------------------------------------------------------------------------------------------


def parse_latency(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    try:
        bounds = (float(low), float(high or low))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected milliseconds like 50-150 or 100, got {text!r}") from None
    if bounds[0] < 0 or bounds[1] < bounds[0]:
        raise argparse.ArgumentTypeError(f"expected LOW-HIGH with 0 <= LOW <= HIGH, got {text!r}")
    return bounds


def providers_to_preview(specs: list[str]) -> list[tuple[str, Path | None]]:
    """The ``NAME=PATH`` binaries of ``--preview-provider`` (None: the bin/ one the demo names)."""
    if not specs:
        return [("bin/", None)]
    providers = []
    for spec in specs:
        name, _, path = spec.partition("=")
        if not name or not path or not Path(path).is_file():
            raise BenchError(f"--preview-provider {spec!r}: expected NAME=PATH of a provider binary")
        providers.append((name, Path(path)))
    return providers


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(size) for size in text.split(",")})
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 1,10,50, got {text!r}") from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes must be at least 1")
    return sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=parse_sizes, default=[1, 10, 50], help="endpoints per stack, e.g. 1,10 (default 1,10,50)")
    parser.add_argument("--stacks", type=int, default=8, help="stacks deployed in parallel (default 8)")
    parser.add_argument("--stack-endpoints", type=int, default=1, help="endpoints in each parallel stack (default 1)")
    parser.add_argument("--preview-runs", type=int, default=5, help="previews of each program in the comparison (default 5)")
    parser.add_argument(
        "--traced-previews",
        type=int,
        default=3,
        help="further previews of each program with the engine's gRPC trace on, for the phases of part 3 (default 3)",
    )
    parser.add_argument("--latency", type=parse_latency, default=(50.0, 150.0), help="AWS call latency in ms, LOW-HIGH (default 50-150)")
    parser.add_argument("--skip", default="", help="parts to leave out: sizes, parallel, preview (comma-separated)")
    parser.add_argument(
        "--preview-provider",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="a provider binary part 3 runs the demo with (repeatable; default: the bin/ binary)",
    )
    args = parser.parse_args()
    skip = {part for part in args.skip.split(",") if part}

    print(f"scale benchmark: AWS call latency {args.latency[0]:.0f}-{args.latency[1]:.0f} ms, {os.cpu_count()} CPUs", flush=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="scale-bench-") as home, EmulatorProcess(python=sys.executable) as emulator:
        engine = Engine(emulator, Path(home))
        if "sizes" not in skip:
            print(f"\n1. one stack, {', '.join(map(str, args.sizes))} endpoint(s)", flush=True)
            print_sizes([one_stack(engine, emulator, size, args.latency) for size in args.sizes])
        if "parallel" not in skip:
            print(f"\n2. {args.stacks} stacks of {args.stack_endpoints} endpoint(s) in parallel, one emulator", flush=True)
            walls = parallel_stacks(engine, emulator, args.stacks, args.stack_endpoints, args.latency)
            print(
                f"wall time: up {walls['up']:.1f} s (the stacks' own times add up to "
                f"{walls['up summed']:.1f} s), refresh (no drift expected) "
                f"{walls['refresh']:.1f} s, destroy {walls['destroy']:.1f} s; every stack's outputs named its "
                "own endpoints, all InService on their own models, artifacts in place, nothing left after destroy"
            )
        if "preview" not in skip:
            print(f"\n3. no-change preview, demo stack vs empty Python program, {args.preview_runs} runs each (no AWS latency)", flush=True)
            for name, binary in providers_to_preview(args.preview_provider):
                program = DEMO if binary is None else demo_with_provider(binary, Path(home) / f"demo-{name}")
                result = preview_comparison(engine, emulator, args.preview_runs, args.traced_previews, program)
                print_preview_comparison(name, result)
    print(f"\nscale benchmark done in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"scale benchmark failed: {error}", file=sys.stderr)
        sys.exit(1)
