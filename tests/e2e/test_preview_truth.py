"""Preview tells the truth, through the real engine: it shows the replacements
and updates that `up` then makes, no more."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Stack

# A model tagged with its artifact's entity tag (tests/e2e/programs/py-model-tags).
MODEL_TAGS = str(Path("..") / "tests" / "e2e" / "programs" / "py-model-tags")


@pytest.fixture
def model_tags(engine, fresh_emulator):
    stack = Stack(engine, "python", MODEL_TAGS, "e2e-preview-truth")
    stack.remove()
    yield stack
    stack.run("destroy", expect_ok=False)
    stack.remove()


def test_tags_not_known_at_preview_show_the_update_up_makes(model_tags: Stack, tmp_path, aws):
    first, second = tmp_path / "model-v1.bin", tmp_path / "model-v2.bin"
    first.write_bytes(b"weights, first training")
    second.write_bytes(b"weights, second training")
    created = model_tags.run("up", config={"artifact": str(first)})
    name = created.outputs["modelName"]

    # A new artifact at the same key: its entity tag, the model's tag, is not
    # known until it is uploaded. The model's content (its name hash) does
    # not change: retagged in place, not replaced.
    planned = model_tags.run("preview", config={"artifact": str(second)})
    assert planned.changes["update"] == 2 and planned.changes["replace"] == 0, planned.result
    done = model_tags.run("up", config={"artifact": str(second)})
    assert done.changes == planned.changes, (planned.result, done.result)
    assert done.outputs["modelName"] == name
    model_arn = aws("sagemaker").describe_model(ModelName=name)["ModelArn"]
    tags = {t["Key"]: t["Value"] for t in aws("sagemaker").list_tags(ResourceArn=model_arn)["Tags"]}
    assert tags["artifactEtag"] == done.outputs["artifactEtag"] != created.outputs["artifactEtag"]
    # The new bytes (a new hash) replaced the old ones at the same key.
    stored = aws("s3").get_object(Bucket="preview-truth-artifacts", Key="models/model.tar.gz")
    assert stored["Body"].read() == second.read_bytes()
    assert stored["ETag"].strip('"') == done.outputs["artifactEtag"]
