"""Upgrades replace nothing: every stack recorded with an earlier release (tests/upgrade/fixtures)
previews with no change under the binary in bin/.

Each recorded state is imported into a fresh stack (file backend), with the program and config
that made it, and previewed with the binary under test. The preview must plan no create, update,
replace or delete of any resource: a renamed or retyped property, a new default, a changed
name or id format would each show as an update or a replacement here, named in the failure.

Preview only: the recorded ids (KMS keys, AppConfig applications, ...) are the emulator's of the
recording run, and the emulator cannot be seeded with objects of given ids, so `up`/`refresh`
against it would find nothing. Check and Diff, which decide what an upgrade does, run against
the recorded state (the emulator is empty).

Providers: the engine names a default provider after the SDK's version (`default_0_1_0`). A
release with a new version brings new default providers: the preview creates `default_<new>`,
deletes `default_<old>` and moves every resource to them, without counting or showing it; each
resource is then diffed by the new plugin, which is what must find nothing. An explicit provider
(the Deployment's regional one) keeps its URN and gets the new `version` input, which its
DiffConfig does not count as a change. So a user sees "N unchanged" and nothing else.
test_a_stack_of_an_older_version_previews_with_no_change checks this path before a bump happens,
on the newest fixture relabelled as an older version.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from upgrade import FIXTURES, PROGRAMS, PROVIDER_TYPE, STACK, engine_env, pulumi, pyrun, with_local_provider, workspace_version

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "emulator"))

from sagemaker_emulator.client import EmulatorProcess  # noqa: E402

RECORDED = sorted(
    ((release.name, name) for release in FIXTURES.glob("v*") for name in PROGRAMS if (release / name).is_dir()),
    key=lambda fixture: (tuple(int(part) for part in fixture[0][1:].split("-")[0].split(".")), fixture[1]),
)


@pytest.fixture(scope="module")
def emulator():
    with EmulatorProcess(python=sys.executable) as process:
        yield process


SCHEMA = Path(__file__).resolve().parents[2] / "schema.json"


def default_provider_name(version: str) -> str:
    return "default_" + version.replace(".", "_").replace("-", "_")


def test_every_release_since_0_1_0_is_recorded():
    assert ("v0.1.0", "endpoint") in RECORDED and ("v0.1.0", "deployment") in RECORDED, RECORDED


def import_recorded(release: str, name: str, emulator, tmp_path: Path, relabel: str | None = None) -> tuple[Path, dict, dict]:
    """A fresh stack holding the recorded state, with its program and config; the program's
    directory, the state and the engine's environment. `relabel` rewrites the recorded
    provider version, as if the state had been made by that release."""
    shutil.copytree(FIXTURES / release, tmp_path / release)
    program = tmp_path / release / name
    with_local_provider(program)
    env = engine_env(emulator, tmp_path / "home")
    text = (program / "state.json").read_text()
    if relabel:
        recorded = release.removeprefix("v")
        text = text.replace(default_provider_name(recorded), default_provider_name(relabel))
        text = text.replace(f'"version": "{recorded}"', f'"version": "{relabel}"')
        (program / "state.json").write_text(text)
    config = (program / f"Pulumi.{STACK}.yaml").read_text()
    pulumi(program, env, "stack", "init", STACK)
    (program / f"Pulumi.{STACK}.yaml").write_text(config)
    pulumi(program, env, "stack", "import", "--stack", STACK, "--file", str(program / "state.json"))
    return program, json.loads(text), env


def assert_previews_with_no_change(program: Path, state: dict, env: dict, recorded_version: str, what: str) -> list[dict]:
    """The preview plans every recorded resource and changes none; its steps."""
    current = workspace_version()
    preview = pyrun(program, "preview", env, "--steps")
    assert preview["result"] == "succeeded", f"{what}: preview failed:\n{preview.get('error')}\n{preview['log'][-4000:]}"
    steps = preview["steps"]
    recorded = {r["urn"] for r in state["deployment"]["resources"] if r["type"] != PROVIDER_TYPE}
    planned = {s["urn"] for s in steps}
    assert recorded <= planned, sorted(recorded - planned)
    changed = [s for s in steps if s["op"] != "same" and not is_default_provider(s)]
    assert changed == [], f"{what} under v{current}: " + "; ".join(
        f"{s['op']} {s['urn'].split('::')[-1]} ({s['type']}) diffs={s['diffs']}" for s in changed
    )
    # What the user reads: every resource unchanged.
    assert {k: n for k, n in preview["changes"].items() if n and k != "same"} == {}, preview["changes"]
    # The default providers: the same ones when the version is the same; else the new
    # version's replace the old version's, which the engine does without a word.
    defaults = {(s["op"], s["urn"].split("::")[-1]) for s in steps if is_default_provider(s)}
    if recorded_version == current:
        # The same one; or, for a state recorded before the SDKs passed the plugin's download
        # URL (which the engine adds to the name: default_0_1_0_github_/api.github.com/...),
        # the one with the URL takes the resources over and the one without is deleted.
        url_suffix = "_" + json.loads(SCHEMA.read_text())["pluginDownloadURL"].replace("://", "_/")
        kept = {provider for op, provider in defaults if op != "delete"}
        assert kept == {default_provider_name(current) + url_suffix}, defaults
        assert {op for op, _ in defaults} <= {"same", "create", "delete"}, defaults
        assert {provider for op, provider in defaults if op == "delete"} <= {default_provider_name(current)}, defaults
    else:
        assert {op for op, _ in defaults} == {"create", "delete"}, defaults
        for op, provider in defaults:
            assert provider.startswith(default_provider_name(current if op == "create" else recorded_version)), (op, provider)
    return steps


def is_default_provider(step: dict) -> bool:
    return step["type"] == PROVIDER_TYPE and step["urn"].split("::")[-1].startswith("default_")


@pytest.mark.parametrize(("release", "name"), RECORDED)
def test_a_recorded_stack_previews_with_no_change(release: str, name: str, emulator, tmp_path):
    program, state, env = import_recorded(release, name, emulator, tmp_path)
    assert_previews_with_no_change(program, state, env, release.removeprefix("v"), f"{release}/{name}")


def test_a_stack_of_an_older_version_previews_with_no_change(emulator, tmp_path):
    """The version bump itself: the newest Deployment fixture, as an older release would have
    recorded it. Its explicit regional provider (a child of the Deployment) keeps its
    configuration: the new version is no change to it."""
    release = RECORDED[-1][0]
    program, state, env = import_recorded(release, "deployment", emulator, tmp_path, relabel="0.0.1")
    steps = assert_previews_with_no_change(program, state, env, "0.0.1", f"{release}/deployment as v0.0.1")
    explicit = [s for s in steps if s["type"] == PROVIDER_TYPE and not is_default_provider(s)]
    assert explicit and {s["op"] for s in explicit} == {"same"}, explicit
