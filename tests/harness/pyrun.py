"""Run a Python example through the real Pulumi engine, without the pulumi-language-python host.

    python tests/harness/pyrun.py <example_dir> <stack> <op> [--config k=v ...] [--secret k=v ...]
                                  [--expect-no-changes] [--force] [--verbose N] [--steps]

op is one of preview | up | refresh | destroy | outputs | rm.

The example's __main__.py runs as an Automation API *inline* program: the Python runtime of
the `pulumi` package serves the language-host protocol inside this process and the real CLI
(.tools/bin/pulumi, or $PULUMI) attaches to it with `--client`. The example directory (or, with
HARNESS_WORKSPACES set, a copy of its Pulumi.yaml there: see workspace_dir) is the
workspace work_dir and no project settings are passed, so its own Pulumi.yaml is used as is
(including `plugins.providers`, which points the engine at the local provider binary).

Engine output streams to stderr. stdout gets exactly one JSON line:
    {"op": ..., "changes": {"create": n, "update": n, "same": n, "delete": n, "replace": n, "import": n},
     "outputs": {...}, "result": "succeeded"}
On failure the engine's error text goes to stderr, stdout gets
{"op": ..., "result": "failed", "error": ...} and the exit status is 1.

Defaults (each only when the variable is unset), all under the repository's .state/:
PULUMI_BACKEND_URL=file://.state/backend, PULUMI_HOME=.state/pulumi-home,
PULUMI_CONFIG_PASSPHRASE=local-test-passphrase, PULUMI_SKIP_UPDATE_CHECK=true,
PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true.
"""

import argparse
import json
import os
import runpy
import sys
import threading

from pulumi import automation as auto

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OPS = ("preview", "up", "refresh", "destroy", "outputs", "rm")
CHANGE_KINDS = ("create", "update", "same", "delete", "replace", "import")


class HarnessError(Exception):
    """A failure of the harness itself (reported like an engine failure)."""


def default_env():
    state = os.path.join(REPO, ".state")
    defaults = {
        "PULUMI_BACKEND_URL": "file://" + os.path.join(state, "backend"),
        "PULUMI_HOME": os.path.join(state, "pulumi-home"),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        # Fail at once when a plugin is not where Pulumi.yaml says, instead of trying a download.
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
    }
    if "PULUMI_CONFIG_PASSPHRASE_FILE" not in os.environ:
        defaults["PULUMI_CONFIG_PASSPHRASE"] = "local-test-passphrase"
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    url = os.environ["PULUMI_BACKEND_URL"]
    if url.startswith("file://"):
        os.makedirs(url[len("file://"):], exist_ok=True)
    os.makedirs(os.environ["PULUMI_HOME"], exist_ok=True)


def pulumi_command():
    """The pinned CLI: $PULUMI (a path ending in bin/pulumi) or .tools/bin/pulumi."""
    path = os.path.abspath(os.environ.get("PULUMI") or os.path.join(REPO, ".tools", "bin", "pulumi"))
    if os.path.basename(os.path.dirname(path)) != "bin" or os.path.basename(path) != "pulumi":
        raise HarnessError(f"PULUMI must be a path ending in bin/pulumi, got {path}")
    if not os.path.exists(path):
        raise HarnessError(f"{path} not found; run `make tools`")
    return auto.PulumiCommand(root=os.path.dirname(os.path.dirname(path)))


def make_program(example_dir):
    """The inline program: run the example's __main__.py as the language host would."""
    main = os.path.join(example_dir, "__main__.py")

    def program():
        runpy.run_path(main, run_name="__main__")

    return program


def key_value(text):
    key, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected k=v, got {text!r}")
    return key, value


def changes_of(summary):
    summary = summary or {}
    return {kind: int(summary.get(kind, 0)) for kind in CHANGE_KINDS}


def outputs_of(outputs):
    return {name: out.value for name, out in (outputs or {}).items()}


def main(make_program=make_program, name="pyrun"):
    """Parse the command line, run one op and print the JSON line. gorun.py reuses this."""
    parser = argparse.ArgumentParser(prog=name, description=__doc__.split("\n\n")[0])
    parser.add_argument("example_dir")
    parser.add_argument("stack")
    parser.add_argument("op", choices=OPS)
    parser.add_argument("--config", action="append", type=key_value, default=[], metavar="k=v")
    parser.add_argument("--secret", action="append", type=key_value, default=[], metavar="k=v")
    parser.add_argument("--expect-no-changes", action="store_true")
    parser.add_argument("--force", action="store_true", help="rm: remove even if resources remain")
    parser.add_argument(
        "--steps",
        action="store_true",
        help="preview/up: add the engine's steps (urn, type, op, diffs) to the JSON line, and show the diff",
    )
    parser.add_argument(
        "--verbose",
        type=int,
        metavar="N",
        help="engine logging at level N to stderr, flowed to the plugins",
    )
    args = parser.parse_args()

    example_dir = os.path.abspath(args.example_dir)
    default_env()
    # The language host runs programs from the project directory with it on sys.path.
    os.chdir(example_dir)
    sys.path.insert(0, example_dir)

    result = {"op": args.op}
    try:
        result.update(run(args, example_dir, make_program(example_dir)))
        result["result"] = "succeeded"
    except (auto.CommandError, HarnessError) as err:
        print(f"{name}: {args.op} failed:\n{err}", file=sys.stderr)
        print(json.dumps({"op": args.op, "result": "failed", "error": str(err)}, separators=(",", ":")))
        sys.exit(1)
    print(json.dumps(result, default=str, separators=(",", ":")))


def workspace_dir(example_dir):
    """Where the engine keeps the stack's settings (Pulumi.<stack>.yaml).

    The example directory itself, unless HARNESS_WORKSPACES names a directory:
    then a directory of this example's own under it, holding a copy of the
    example's Pulumi.yaml whose relative plugin paths are made absolute, next
    to links to the example's siblings (so that a path relative to the project,
    such as ../model, which the provider resolves from the directory the engine
    runs it in, still names the same file). Test workers running in parallel
    each set their own, so two of them may run the same example and stack name
    (the stack name picks the environment) without sharing a settings file.
    The program still runs from the example.
    """
    root = os.environ.get("HARNESS_WORKSPACES")
    if not root:
        return example_dir
    parent = os.path.dirname(example_dir)
    mirror = os.path.join(root, os.path.relpath(parent, REPO).replace(os.sep, "--").replace("..", "up"))
    work_dir = os.path.join(mirror, os.path.basename(example_dir))
    os.makedirs(work_dir, exist_ok=True)
    for entry in os.listdir(parent):
        target, link = os.path.join(parent, entry), os.path.join(mirror, entry)
        if os.path.exists(os.path.join(target, "Pulumi.yaml")) or os.path.lexists(link):
            continue
        try:
            os.symlink(target, link)
        except FileExistsError:
            pass
    with open(os.path.join(example_dir, "Pulumi.yaml")) as source:
        project = [absolute_plugin_path(line, example_dir) for line in source]
    with open(os.path.join(work_dir, "Pulumi.yaml"), "w") as target:
        target.writelines(project)
    return work_dir


def absolute_plugin_path(line, example_dir):
    """A `path: <relative>` line of Pulumi.yaml with the path made absolute."""
    indent, key, value = line.partition("path:")
    value = value.strip()
    if not key or indent.strip() not in ("", "-") or not value or os.path.isabs(value):
        return line
    return f"{indent}{key} {os.path.normpath(os.path.join(example_dir, value))}\n"


def record_step(event, steps):
    """One step the engine plans (a resource-pre event): what it does to which resource and why."""
    pre = event.resource_pre_event
    if pre is None:
        return
    meta = pre.metadata
    steps.append(
        {
            "urn": meta.urn,
            "type": meta.type,
            "op": meta.op.value if hasattr(meta.op, "value") else str(meta.op),
            "diffs": list(meta.diffs or []),
            "keys": list(meta.keys or []),
        }
    )


def run(args, example_dir, program):
    ws = auto.LocalWorkspace(
        work_dir=workspace_dir(example_dir),
        program=program,
        pulumi_command=pulumi_command(),
    )
    # preview/up create the stack on first use; the other ops need an existing one.
    if args.op in ("preview", "up"):
        stack = auto.Stack.create_or_select(args.stack, ws)
    else:
        stack = auto.Stack.select(args.stack, ws)
    for key, value in args.config:
        stack.set_config(key, auto.ConfigValue(value))
    for key, value in args.secret:
        stack.set_config(key, auto.ConfigValue(value, secret=True))

    echoing = threading.Lock()

    def echo(line):
        # Whole lines: the engine's stdout and stderr are read by two threads.
        with echoing:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()

    common = {"on_output": echo, "color": "never"}
    if args.verbose is not None and args.op in ("preview", "up", "refresh", "destroy"):
        # What `pulumi <op> --logtostderr --logflow -v=N` prints, on stderr: the
        # engine's log, each diagnostic (the plugins' stderr included) one line.
        common.update(on_error=echo, log_verbosity=args.verbose, log_to_std_err=True, log_flow=True)
    expect = {"expect_no_changes": True} if args.expect_no_changes else {}
    steps = []
    if args.steps and args.op in ("preview", "up"):
        common.update(on_event=lambda event: record_step(event, steps), diff=True)
    op = args.op
    if op == "preview":
        res = stack.preview(**common, **expect)
        changes, outputs = changes_of(res.change_summary), {}
    elif op == "up":
        res = stack.up(**common, **expect)
        changes, outputs = changes_of(res.summary.resource_changes), outputs_of(res.outputs)
    elif op == "refresh":
        # The summary of a refresh counts what it found: update = drifted, delete = gone.
        res = stack.refresh(**common, **expect)
        changes, outputs = changes_of(res.summary.resource_changes), outputs_of(stack.outputs())
    elif op == "destroy":
        res = stack.destroy(**common)
        changes, outputs = changes_of(res.summary.resource_changes), {}
    elif op == "outputs":
        changes, outputs = changes_of({}), outputs_of(stack.outputs())
    else:  # rm
        ws.remove_stack(args.stack, force=args.force)
        changes, outputs = changes_of({}), {}

    if args.expect_no_changes:
        changed = {k: n for k, n in changes.items() if k != "same" and n}
        if changed:
            raise HarnessError(f"expected no changes, got {changed}")
    result = {"changes": changes, "outputs": outputs}
    if args.steps:
        result["steps"] = steps
    return result


if __name__ == "__main__":
    main()
