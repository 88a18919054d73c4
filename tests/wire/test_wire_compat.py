"""Wire compatibility with a client we did not write.

(a) Our `proto/pulumi/*.proto` against the official Pulumi descriptors that
    ship in the `pulumi` Python package (`pulumi.runtime.proto`): every
    message, field, enum value and RPC we declare must exist upstream with
    the same full name, number, type, label and (for RPCs) request and
    response types. Anything we declare differently would silently corrupt
    data on the wire.

(b) The provider binary, launched the way the engine launches it, driven by
    the official generated stub `provider_pb2_grpc.ResourceProviderStub`,
    with property values encoded and decoded by the Pulumi Python SDK.

Run: .tools/venv/bin/python -m pytest tests/wire -q
The binary is bin/pulumi-resource-sagemaker-deployment (or $PROVIDER_BINARY);
build it with `cargo build` and copy it there first.
"""

from __future__ import annotations

import glob
import json
import os
import signal
import subprocess
import sys
import threading
import tomllib
from concurrent import futures
from pathlib import Path

import grpc
import pytest
from google.protobuf import descriptor_pb2, empty_pb2, struct_pb2

from pulumi.runtime import rpc
from pulumi.runtime.proto import (
    alias_pb2,
    engine_pb2,
    engine_pb2_grpc,
    plugin_pb2,
    provider_pb2,
    provider_pb2_grpc,
    resource_pb2,
)

ROOT = Path(__file__).resolve().parents[2]
PROTO_ROOT = ROOT / "proto"
OUR_FILES = sorted(p.relative_to(PROTO_ROOT).as_posix() for p in (PROTO_ROOT / "pulumi").glob("*.proto"))
UPSTREAM_MODULES = [alias_pb2, engine_pb2, plugin_pb2, provider_pb2, resource_pb2]

BUCKET = "sagemaker-deployment:s3:Bucket"
PROVIDER_URN = "urn:pulumi:dev::proj::pulumi:providers:sagemaker-deployment::default"
BUCKET_URN = f"urn:pulumi:dev::proj::{BUCKET}::artifacts"

# The wire signatures, written out (not taken from the SDK) on purpose.
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


# ---------------------------------------------------------------------------
# (a) Descriptors


def _protoc_command() -> list[str]:
    """protoc from grpcio-tools, or else the vendored one cargo downloaded."""
    try:
        import importlib.resources

        import grpc_tools  # noqa: F401

        include = importlib.resources.files("grpc_tools") / "_proto"
        return [sys.executable, "-m", "grpc_tools.protoc", f"-I{include}"]
    except ImportError:
        cargo_home = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo"))
        found = sorted(
            glob.glob(str(cargo_home / "registry/src/*/protoc-bin-vendored-linux-x86_64-*/bin/protoc"))
        )
        if not found:
            pytest.fail("no protoc: install grpcio-tools (tests/requirements.txt)")
        protoc = Path(found[-1])
        include = sorted(glob.glob(str(cargo_home / "registry/src/*/protoc-bin-vendored-*/include")))
        return [str(protoc)] + [f"-I{i}" for i in include]


@pytest.fixture(scope="module")
def our_descriptors(tmp_path_factory) -> descriptor_pb2.FileDescriptorSet:
    out = tmp_path_factory.mktemp("descriptors") / "ours.pb"
    command = _protoc_command() + [
        f"-I{PROTO_ROOT}",
        "--include_imports",
        f"--descriptor_set_out={out}",
        *OUR_FILES,
    ]
    result = subprocess.run(command, cwd=PROTO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"protoc failed:\n{result.stderr}"
    descriptors = descriptor_pb2.FileDescriptorSet()
    descriptors.ParseFromString(out.read_bytes())
    return descriptors


def _upstream_files() -> list[descriptor_pb2.FileDescriptorProto]:
    return [descriptor_pb2.FileDescriptorProto.FromString(m.DESCRIPTOR.serialized_pb) for m in UPSTREAM_MODULES]


class Index:
    """Messages, enums and services of some files by full name."""

    def __init__(self, files):
        self.messages: dict[str, descriptor_pb2.DescriptorProto] = {}
        self.enums: dict[str, descriptor_pb2.EnumDescriptorProto] = {}
        self.services: dict[str, descriptor_pb2.ServiceDescriptorProto] = {}
        self.file_of: dict[str, str] = {}
        for f in files:
            for message in f.message_type:
                self._add_message(f, f.package, message)
            for enum in f.enum_type:
                self._add(self.enums, f, f"{f.package}.{enum.name}", enum)
            for service in f.service:
                self._add(self.services, f, f"{f.package}.{service.name}", service)

    def _add(self, table, f, name, value):
        table[name] = value
        self.file_of[name] = f.name

    def _add_message(self, f, prefix, message):
        name = f"{prefix}.{message.name}"
        self._add(self.messages, f, name, message)
        for nested in message.nested_type:
            self._add_message(f, name, nested)
        for enum in message.enum_type:
            self._add(self.enums, f, f"{name}.{enum.name}", enum)


def _ours(descriptors) -> Index:
    return Index(f for f in descriptors.file if f.name in OUR_FILES)


def _oneof_name(message, field) -> str | None:
    if not field.HasField("oneof_index"):
        return None
    return message.oneof_decl[field.oneof_index].name


def compare_messages(ours: Index, upstream: Index) -> list[str]:
    problems = []
    for name, message in sorted(ours.messages.items()):
        theirs = upstream.messages.get(name)
        if theirs is None:
            problems.append(f"message {name}: not in the upstream protocol")
            continue
        if message.options.map_entry != theirs.options.map_entry:
            problems.append(f"message {name}: map entry {message.options.map_entry} vs {theirs.options.map_entry}")
        their_fields = {f.number: f for f in theirs.field}
        their_names = {f.name: f for f in theirs.field}
        for field in message.field:
            where = f"{name}.{field.name} (#{field.number})"
            upstream_field = their_fields.get(field.number)
            if upstream_field is None:
                moved = their_names.get(field.name)
                hint = f"; upstream has it as #{moved.number}" if moved else ""
                problems.append(f"{where}: no upstream field with this number{hint}")
                continue
            for attribute in ("name", "type", "label", "type_name", "proto3_optional"):
                a, b = getattr(field, attribute), getattr(upstream_field, attribute)
                if a != b:
                    problems.append(f"{where}: {attribute} {a!r} vs upstream {b!r}")
            ours_oneof, theirs_oneof = _oneof_name(message, field), _oneof_name(theirs, upstream_field)
            if ours_oneof != theirs_oneof:
                problems.append(f"{where}: oneof {ours_oneof!r} vs upstream {theirs_oneof!r}")
    return problems


def compare_enums(ours: Index, upstream: Index) -> list[str]:
    problems = []
    for name, enum in sorted(ours.enums.items()):
        theirs = upstream.enums.get(name)
        if theirs is None:
            problems.append(f"enum {name}: not in the upstream protocol")
            continue
        their_values = {v.name: v.number for v in theirs.value}
        for value in enum.value:
            if their_values.get(value.name) != value.number:
                problems.append(f"enum {name}.{value.name} = {value.number} vs upstream {their_values.get(value.name)}")
    return problems


def compare_services(ours: Index, upstream: Index) -> list[str]:
    problems = []
    for name, service in sorted(ours.services.items()):
        theirs = upstream.services.get(name)
        if theirs is None:
            problems.append(f"service {name}: not in the upstream protocol")
            continue
        their_methods = {m.name: m for m in theirs.method}
        for method in service.method:
            upstream_method = their_methods.get(method.name)
            if upstream_method is None:
                problems.append(f"rpc {name}.{method.name}: not upstream")
                continue
            for attribute in ("input_type", "output_type", "client_streaming", "server_streaming"):
                a, b = getattr(method, attribute), getattr(upstream_method, attribute)
                if a != b:
                    problems.append(f"rpc {name}.{method.name}: {attribute} {a!r} vs upstream {b!r}")
    return problems


def test_our_proto_files_compile(our_descriptors):
    names = {f.name for f in our_descriptors.file}
    assert set(OUR_FILES) <= names
    assert {"pulumi/provider.proto", "pulumi/resource.proto", "pulumi/engine.proto"} <= set(OUR_FILES)
    for f in our_descriptors.file:
        if f.name in OUR_FILES:
            assert f.package == "pulumirpc", f.name


def test_every_message_and_field_matches_upstream(our_descriptors):
    ours, upstream = _ours(our_descriptors), Index(_upstream_files())
    assert len(ours.messages) >= 30, "the comparison saw too few messages"
    problems = compare_messages(ours, upstream)
    assert not problems, "\n".join(problems)


def test_every_enum_value_matches_upstream(our_descriptors):
    ours, upstream = _ours(our_descriptors), Index(_upstream_files())
    assert {"pulumirpc.LogSeverity", "pulumirpc.DiffResponse.DiffChanges", "pulumirpc.PropertyDiff.Kind"} <= set(
        ours.enums
    )
    problems = compare_enums(ours, upstream)
    assert not problems, "\n".join(problems)


def test_every_rpc_exists_upstream_with_the_same_types(our_descriptors):
    ours, upstream = _ours(our_descriptors), Index(_upstream_files())
    assert {"pulumirpc.ResourceProvider", "pulumirpc.ResourceMonitor", "pulumirpc.Engine"} <= set(ours.services)
    problems = compare_services(ours, upstream)
    assert not problems, "\n".join(problems)


def test_the_comparison_catches_mismatches(our_descriptors):
    """Guards against a comparison that passes vacuously."""
    mutated = descriptor_pb2.FileDescriptorSet()
    mutated.CopyFrom(our_descriptors)
    provider_file = next(f for f in mutated.file if f.name == "pulumi/provider.proto")
    check_request = next(m for m in provider_file.message_type if m.name == "CheckRequest")
    news = next(f for f in check_request.field if f.name == "news")
    news.number = 99
    olds = next(f for f in check_request.field if f.name == "olds")
    olds.type_name = ".google.protobuf.Value"
    diff_response = next(m for m in provider_file.message_type if m.name == "DiffResponse")
    diff_response.enum_type[0].value[1].number = 7
    service = provider_file.service[0]
    service.method[0].output_type = ".pulumirpc.CheckResponse"
    service.method.add(name="NoSuchRpc", input_type=".google.protobuf.Empty", output_type=".google.protobuf.Empty")

    ours, upstream = _ours(mutated), Index(_upstream_files())
    messages = "\n".join(compare_messages(ours, upstream))
    assert "pulumirpc.CheckRequest.news (#99)" in messages
    assert "pulumirpc.CheckRequest.olds (#2): type_name" in messages
    enums = "\n".join(compare_enums(ours, upstream))
    assert "DIFF_NONE = 7" in enums
    services = "\n".join(compare_services(ours, upstream))
    assert "Handshake: output_type" in services
    assert "NoSuchRpc: not upstream" in services


# ---------------------------------------------------------------------------
# (b) The binary, driven by the official stub


def _binary() -> Path:
    path = Path(os.environ.get("PROVIDER_BINARY", ROOT / "bin" / "pulumi-resource-sagemaker-deployment"))
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `cargo build` and copy target/debug/pulumi-resource-sagemaker-deployment there")
    return path


def _cargo_version() -> str:
    with open(ROOT / "Cargo.toml", "rb") as f:
        return tomllib.load(f)["workspace"]["package"]["version"]


class FakeEngine(engine_pb2_grpc.EngineServicer):
    """The engine's logging service: records what the provider sends."""

    def __init__(self):
        self.logs: list[engine_pb2.LogRequest] = []

    def Log(self, request, context):
        self.logs.append(request)
        return empty_pb2.Empty()


class Launched:
    def __init__(self, process, port, stderr_path, engine, engine_server, engine_port, first_line):
        self.process = process
        self.engine_port = engine_port
        self.port = port
        self.stderr_path = stderr_path
        self.engine = engine
        self.engine_server = engine_server
        self.first_line = first_line
        self.channel = grpc.insecure_channel(
            f"127.0.0.1:{port}",
            options=[
                ("grpc.max_receive_message_length", 400 * 1024 * 1024),
                ("grpc.max_send_message_length", 400 * 1024 * 1024),
            ],
        )
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)


def _read_first_line(stream, timeout: float) -> str:
    result: list[bytes] = []
    reader = threading.Thread(target=lambda: result.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not result:
        pytest.fail(f"the provider printed no port within {timeout} s")
    return result[0].decode()


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    binary = _binary()
    engine = FakeEngine()
    engine_server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    engine_pb2_grpc.add_EngineServicer_to_server(engine, engine_server)
    engine_port = engine_server.add_insecure_port("127.0.0.1:0")
    engine_server.start()

    stderr_path = tmp_path_factory.mktemp("provider") / "stderr.log"
    env = dict(os.environ)
    # Plenty of logging, to prove that none of it goes to stdout.
    env["RUST_LOG"] = "debug"
    for name in list(env):
        if name.startswith("AWS_") and name != "AWS_CA_BUNDLE":
            del env[name]
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    with open(stderr_path, "wb") as stderr:
        # As the engine does: flags first, the engine address last.
        process = subprocess.Popen(
            [str(binary), "--logtostderr", "-v=9", f"127.0.0.1:{engine_port}"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
        )
    first_line = _read_first_line(process.stdout, 30)
    assert first_line.endswith("\n"), f"first line not terminated: {first_line!r}"
    port = int(first_line.strip())
    launched = Launched(process, port, stderr_path, engine, engine_server, engine_port, first_line)
    grpc.channel_ready_future(launched.channel).result(timeout=30)
    yield launched

    launched.channel.close()
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    engine_server.stop(None)


def _struct(values: dict) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(values)
    return s


def _dead_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_port_is_the_first_stdout_line(provider):
    assert provider.first_line.strip().isdigit()
    assert 0 < provider.port < 65536


def test_handshake(provider):
    response = provider.stub.Handshake(
        provider_pb2.ProviderHandshakeRequest(
            engine_address=f"127.0.0.1:{provider.engine_port}",
            root_directory=str(ROOT),
            program_directory=str(ROOT),
            configure_with_urn=True,
            supports_views=True,
        )
    )
    assert response.accept_secrets and response.accept_resources and response.accept_outputs


def test_get_plugin_info(provider):
    info = provider.stub.GetPluginInfo(empty_pb2.Empty())
    assert info.version == _cargo_version()


def test_get_schema(provider):
    response = provider.stub.GetSchema(provider_pb2.GetSchemaRequest(version=0))
    schema = json.loads(response.schema)
    assert schema["name"] == "sagemaker-deployment"
    assert BUCKET in schema["resources"]
    assert schema["resources"]["sagemaker-deployment:index:BaseInfra"]["isComponent"] is True


def test_check_config(provider):
    endpoints = {"s3": "http://127.0.0.1:4566", "sagemaker": "http://127.0.0.1:4566"}
    for news in (
        {"region": "us-east-1", "endpoints": json.dumps(endpoints), "version": "0.1.0"},
        {"region": "us-east-1", "endpoints": endpoints},
    ):
        response = provider.stub.CheckConfig(
            provider_pb2.CheckRequest(urn=PROVIDER_URN, olds=_struct({}), news=_struct(news))
        )
        assert list(response.failures) == [], news
    bad = provider.stub.CheckConfig(
        provider_pb2.CheckRequest(urn=PROVIDER_URN, olds=_struct({}), news=_struct({"endpoints": "{nope"}))
    )
    assert [f.property for f in bad.failures] == ["endpoints"]


@pytest.fixture(scope="module")
def configured(provider):
    dead = f"http://127.0.0.1:{_dead_port()}"
    response = provider.stub.Configure(
        provider_pb2.ConfigureRequest(
            args=_struct(
                {
                    "region": "us-east-1",
                    "endpoints": {s: dead for s in ("s3", "kms", "iam", "sagemaker", "applicationautoscaling", "sns")},
                }
            ),
            acceptSecrets=True,
            acceptResources=True,
        )
    )
    return response


def test_configure(configured):
    assert configured.supportsPreview
    assert configured.acceptSecrets
    assert configured.acceptOutputs
    assert configured.acceptResources


def test_check_valid_and_invalid_bucket(provider, configured):
    valid = provider.stub.Check(
        provider_pb2.CheckRequest(
            urn=BUCKET_URN,
            olds=_struct({}),
            news=_struct({"bucketName": "my-model-artifacts", "versioning": True}),
            type=BUCKET,
            name="artifacts",
            randomSeed=b"\x00" * 32,
        )
    )
    assert list(valid.failures) == []
    assert rpc.deserialize_properties(valid.inputs)["bucketName"] == "my-model-artifacts"

    invalid = provider.stub.Check(
        provider_pb2.CheckRequest(
            urn=BUCKET_URN, olds=_struct({}), news=_struct({"bucketName": "Not_A_Bucket"}), type=BUCKET
        )
    )
    assert [f.property for f in invalid.failures] == ["bucketName"]
    assert invalid.failures[0].reason

    unknown = provider.stub.Check(
        provider_pb2.CheckRequest(urn=BUCKET_URN, olds=_struct({}), news=_struct({"bucketName": rpc.UNKNOWN}))
    )
    assert list(unknown.failures) == []
    assert rpc.struct_contains_unknowns(unknown.inputs)


def test_diff(provider, configured):
    def diff(olds, news):
        return provider.stub.Diff(
            provider_pb2.DiffRequest(
                id="my-bucket",
                urn=BUCKET_URN,
                olds=_struct(olds),
                news=_struct(news),
                old_inputs=_struct(olds),
                type=BUCKET,
                name="artifacts",
            )
        )

    base = {"bucketName": "my-bucket", "versioning": False}
    same = diff(base, base)
    assert same.changes == provider_pb2.DiffResponse.DIFF_NONE

    update = diff(base, {**base, "versioning": True})
    assert update.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert list(update.replaces) == []
    assert update.detailedDiff["versioning"].kind == provider_pb2.PropertyDiff.UPDATE

    replace = diff(base, {**base, "bucketName": "other-bucket"})
    assert replace.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert list(replace.replaces) == ["bucketName"]
    assert replace.deleteBeforeReplace
    assert replace.detailedDiff["bucketName"].kind == provider_pb2.PropertyDiff.UPDATE_REPLACE


def test_create_preview_keeps_a_secret_input_secret(provider, configured):
    key_arn = "arn:aws:kms:us-east-1:123456789012:key/abc"
    news = _struct({"bucketName": "my-bucket", "kmsKeyArn": rpc.wrap_rpc_secret(key_arn)})
    response = provider.stub.Create(
        provider_pb2.CreateRequest(urn=BUCKET_URN, properties=news, preview=True, type=BUCKET, name="artifacts"),
        timeout=30,
    )
    assert response.id == ""
    # On the wire: the secret special object.
    raw = response.properties["kmsKeyArn"]
    assert raw[SIG_KEY] == SECRET_SIG and raw["value"] == key_arn
    # As the Pulumi SDK reads it.
    outputs = rpc.deserialize_properties(response.properties, keep_unknowns=True)
    assert rpc.is_rpc_secret(outputs["kmsKeyArn"])
    assert rpc.unwrap_rpc_secret(outputs["kmsKeyArn"]) == key_arn
    assert outputs["bucketName"] == "my-bucket"
    assert response.properties["arn"] == UNKNOWN
    assert rpc.contains_unknowns(outputs["arn"])


def test_invoke_runs_a_function_and_an_unknown_one_is_not_found(provider):
    response = provider.stub.Invoke(
        provider_pb2.InvokeRequest(tok="sagemaker-deployment:index:deployerPolicy", args=_struct({}))
    )
    assert list(response.failures) == []
    result = rpc.deserialize_properties(getattr(response, "return"))
    policy = json.loads(result["policyJson"])
    assert policy["Version"] == "2012-10-17"
    assert result["actionCount"] == len({a for s in policy["Statement"] for a in s["Action"]})

    refused = provider.stub.Invoke(
        provider_pb2.InvokeRequest(tok="sagemaker-deployment:index:validateConfig", args=_struct({"environment": "dev"}))
    )
    assert sorted(f.property for f in refused.failures) == ["deploymentConfig", "modelConfig"]

    with pytest.raises(grpc.RpcError) as raised:
        provider.stub.Invoke(provider_pb2.InvokeRequest(tok="sagemaker-deployment:index:getNothing", args=_struct({})))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    assert "getNothing" in raised.value.details()


def test_an_unknown_type_is_not_found(provider):
    with pytest.raises(grpc.RpcError) as raised:
        provider.stub.Check(
            provider_pb2.CheckRequest(urn=BUCKET_URN, news=_struct({}), type="sagemaker-deployment:nope:Nothing")
        )
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    assert "sagemaker-deployment:nope:Nothing" in raised.value.details()


def test_stdout_holds_exactly_one_line(provider):
    """Runs last in this module: stops the provider and reads what is left."""
    # Make sure every earlier RPC ran (pytest runs tests in file order).
    provider.stub.GetPluginInfo(empty_pb2.Empty())
    provider.channel.close()
    provider.process.send_signal(signal.SIGINT)
    try:
        provider.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        provider.process.kill()
        provider.process.wait()
    rest = provider.process.stdout.read()
    assert rest == b"", f"the provider wrote more to stdout: {rest[:500]!r}"
    stderr = provider.stderr_path.read_text(errors="replace")
    assert stderr.strip(), "with RUST_LOG=debug the provider logs to stderr"
    assert "panicked" not in stderr, stderr[-2000:]
