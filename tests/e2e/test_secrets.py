"""A secret container variable stays secret, through the real engine against
the emulator.

The program (tests/e2e/programs/py-secret-endpoint) is examples/py-endpoint
with its `secretEnvironment` config set as a secret: every model's container
gets `API_KEY` (modelList[].Environment, through SageMakerModel to each
sagemaker:Model's `environment` and SageMaker's CreateModel), and a
standalone sagemaker:Model gets the same environment and exports it. With
the engine logging at level 9 (`--logtostderr --logflow -v=9`) and
the provider's tracing at debug, the secret must be:

- ciphertext in `pulumi stack export`, and the properties that hold it
  marked secret; `[secret]` in `pulumi stack output`;
- absent from the engine's output and log and the provider's stderr (apart
  from Pulumi's own logging of every secret, see PULUMI_OWN_LOGGING);
- in the emulator's request log only in CreateModel calls;
- held by the emulator only inside SageMaker models (every AWS object the
  emulator holds is searched, so whatever future components create is
  covered);
- absent from the error a user sees when CreateModel refuses the model
  with a message that quotes the environment, as SageMaker does.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import uuid
from pathlib import Path

import pytest

from conftest import ROOT, Stack

PROGRAM = str(Path("..") / "tests" / "e2e" / "programs" / "py-secret-endpoint")
PROGRAM_DIR = ROOT / "tests" / "e2e" / "programs" / "py-secret-endpoint"
SECRET_SIG = ("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270")

# Log records that hold every secret whatever the provider does: Pulumi's
# own logging. Every other line, the provider's stderr included, must be
# free of the secret.
PULUMI_OWN_LOGGING = (
    # The engine prints each property it marshals for an RPC at level 9,
    # secrets as their plain value (pulumi's plugin/rpc.go logs "Marshaling
    # property for RPC[...]: k=v" and "Unmarshaling property ..." with V(9);
    # its config-secret filter applies to its display, not to its log). It
    # does so for the program's own RegisterResource of SageMakerModel before
    # the provider sees the value.
    re.compile(r'^\{"time":.*"msg":"(Un)?[Mm]arshaling property for RPC\[.*"v":9\}$'),
    # The Python SDK sends the serialized outputs of the stack (the program's
    # exports, secrets included) as a debug message, which the engine logs
    # (pulumi's runtime/resource.py `register_resource_outputs`; pulumi/pulumi
    # pull request 24479 keeps them out of later SDKs).
    re.compile(
        r'^\{"time":.*"msg":"(eventSink::Debug\(<\{%reset%\}>)?'
        r"(register resource outputs prepared|resource registration successful): "
        r"urn=urn:pulumi:[^:]+::[^:]+::pulumi:pulumi:Stack::"
    ),
)


def secret() -> str:
    """A fresh secret value (letters, digits and dashes: nothing any encoding would escape)."""
    return f"sk-live-{uuid.uuid4().hex}"


def secret_config(value: str) -> list[str]:
    return ["--secret", "secretEnvironment=" + json.dumps({"API_KEY": value})]


def pulumi_cli(stack: Stack, *args: str) -> str:
    """A Pulumi CLI command on the stack, in the program's directory, with the engine's environment."""
    completed = subprocess.run(
        [str(ROOT / ".tools" / "bin" / "pulumi"), *args, "--stack", stack.name],
        cwd=PROGRAM_DIR,
        env=stack.engine.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def leaking_lines(log: str, value: str) -> list[str]:
    """The log lines holding ``value`` (but for Pulumi's own logging of secrets), each cut
    to the 300 characters before the value and shown with ``<SECRET>`` in its place."""
    return [
        line[max(0, line.index(value) - 300) : line.index(value)] + "<SECRET>"
        for line in log.splitlines()
        if value in line and not any(known.match(line.strip()) for known in PULUMI_OWN_LOGGING)
    ]


def is_secret(value: object) -> bool:
    return isinstance(value, dict) and (value.get(SECRET_SIG[0]), "ciphertext" in value) == (SECRET_SIG[1], True)


def models_of(deployment: dict) -> dict[str, dict]:
    """The sagemaker:Model resources of an exported deployment, by name."""
    return {
        resource["urn"].rsplit("::", 1)[1]: resource
        for resource in deployment["resources"]
        if resource["type"] == "sagemaker-deployment:sagemaker:Model"
    }


def emulator_holders(emulator, value: str) -> list[dict]:
    """Where the emulator holds ``value``: [{"path", "owner_arn"}] (every service's objects)."""
    found = emulator.search_state(value)
    assert found["values_scanned"] > 0, found
    return found["matches"]


def is_sagemaker_model(arn: str | None) -> bool:
    return bool(arn) and re.fullmatch(r"arn:aws:sagemaker:[a-z0-9-]+:\d{12}:model/[A-Za-z0-9-]+", arn) is not None


@pytest.fixture(scope="module")
def verbose_engine(engine):
    """The engine, with the provider's own tracing at debug."""
    verbose = copy.copy(engine)
    verbose.env = {**engine.env, "RUST_LOG": "debug"}
    return verbose


@pytest.fixture(scope="module")
def deployed(verbose_engine, emulator):
    """The program previewed and deployed once with a fresh secret, logging verbosely."""
    emulator.reset()
    emulator.configure(endpoint_creating_seconds=0.5, endpoint_updating_seconds=0.5)
    stack = Stack(verbose_engine, "python", PROGRAM, "e2e-secrets")
    stack.remove()
    value = secret()
    config = {"inferenceType": "realtime"}
    preview = stack.run("preview", "--verbose", "9", *secret_config(value), config=config)
    up = stack.run("up", "--verbose", "9", config=config)
    # The secret round-trips: nothing to change, and a refresh keeps it secret.
    stack.run("preview", "--expect-no-changes")
    stack.run("refresh", "--expect-no-changes")
    yield {
        "stack": stack,
        "secret": value,
        "preview": preview,
        "up": up,
        "deployment": json.loads(pulumi_cli(stack, "stack", "export"))["deployment"],
        "requests": emulator.requests(),
    }
    stack.run("destroy")
    stack.remove()


def test_the_state_holds_the_secret_only_as_ciphertext(deployed):
    """After up, a no-change preview and a refresh."""
    deployment, value = deployed["deployment"], deployed["secret"]
    assert value not in json.dumps(deployment)
    models = models_of(deployment)
    # The component's model and the standalone one: both keep their environment secret.
    assert len(models) == 2, sorted(models)
    for name, model in models.items():
        assert is_secret(model["inputs"]["environment"]), (name, model["inputs"]["environment"])
        assert is_secret(model["outputs"]["environment"]), (name, model["outputs"]["environment"])


def test_the_stack_output_shows_it_as_secret(deployed):
    stack, value = deployed["stack"], deployed["secret"]
    shown = pulumi_cli(stack, "stack", "output", "--json")
    assert value not in shown
    assert json.loads(shown)["directModelEnvironment"] == "[secret]"
    # The engine's own summary of the update, too.
    assert value not in deployed["up"].log.split("Outputs:")[-1]
    # Revealed on request, the value is the one given: the output is the secret, not a stand-in.
    revealed = json.loads(pulumi_cli(stack, "stack", "output", "--json", "--show-secrets"))
    assert revealed["directModelEnvironment"]["API_KEY"] == value


def test_no_log_line_of_the_engine_or_the_provider_holds_it(deployed):
    value = deployed["secret"]
    for op in ("preview", "up"):
        log = deployed[op].log
        # The scanned text holds the engine's level-9 log and the provider's debug tracing.
        assert '"v":9' in log, op
        assert re.search(r"\d\dZ DEBUG [a-z_:]+", log), f"{op}: no provider debug line was captured"
        assert leaking_lines(log, value) == [], op
        print(f"\n{op}: {sum(value in line for line in log.splitlines())} log records of Pulumi's own hold the secret")


def test_only_create_model_requests_carried_it(deployed):
    value = deployed["secret"]
    carrying = [(entry["service"], entry["operation"]) for entry in deployed["requests"] if value in json.dumps(entry)]
    # One CreateModel per model: the component's and the standalone one.
    assert carrying == [("sagemaker", "CreateModel")] * 2, carrying


def test_the_emulator_holds_it_only_inside_sagemaker_models(deployed, emulator):
    # The search reaches every object of the stack: its bucket names are found, for one.
    bucket = next(r for r in deployed["deployment"]["resources"] if r["type"] == "sagemaker-deployment:s3:Bucket")
    assert emulator_holders(emulator, bucket["id"])
    holders = emulator_holders(emulator, deployed["secret"])
    owners = sorted({match["owner_arn"] for match in holders})
    assert len(owners) == 2, holders
    assert all(is_sagemaker_model(owner) for owner in owners), holders


def test_a_name_derived_from_the_secret_is_secret(deployed):
    """sagemaker:Model's modelName hashes its content, the secret environment included."""
    for name, model in models_of(deployed["deployment"]).items():
        assert is_secret(model["inputs"]["modelName"]), (name, model["inputs"]["modelName"])


def test_a_refusal_quoting_the_secret_does_not_show_it(verbose_engine, emulator):
    """CreateModel refuses the model with a message that quotes its
    environment (SageMaker's "Environment variable map cannot be specified
    both at Model Package {...} and Model {...}"): the user sees the refusal,
    not the secret; nothing is left behind holding it once destroyed."""
    emulator.reset()
    emulator.configure(endpoint_creating_seconds=0.5, endpoint_updating_seconds=0.5)
    stack = Stack(verbose_engine, "python", PROGRAM, "e2e-secrets-refused")
    stack.remove()
    value = secret()
    quoted = f"Environment variable map cannot be specified both at Model Package {{}} and Model {{API_KEY={value}}}."
    try:
        emulator.inject_fault("validation", "sagemaker", "CreateModel", count=10, message=quoted)
        failed = stack.run(
            "up", "--verbose", "9", *secret_config(value), config={"inferenceType": "serverless"}, expect_ok=False
        )
        assert not failed.ok
        # SageMaker's refusal reached the user, redacted.
        assert "Environment variable map cannot be specified" in failed.error
        # The keys of a secret object are secret too (the whole environment is secret here).
        assert "{[secret]=[secret]}" in failed.error
        assert leaking_lines(failed.error, value) == []
        # CreateModel received the secret (and was refused): only CreateModel did.
        refused = [entry for entry in emulator.requests() if value in json.dumps(entry)]
        assert refused and {(e["operation"], e.get("fault")) for e in refused} == {("CreateModel", "validation")}
        assert value not in pulumi_cli(stack, "stack", "export")
        assert emulator_holders(emulator, value) == []

        # Once SageMaker accepts the model, the update completes; destroyed, nothing holds the secret.
        emulator.clear_faults()
        stack.run("up", config={"inferenceType": "serverless"})
        assert len(emulator_holders(emulator, value)) == 2
        stack.run("destroy")
        assert emulator_holders(emulator, value) == []
        assert value not in pulumi_cli(stack, "stack", "export")
    finally:
        emulator.clear_faults()
        stack.remove()
