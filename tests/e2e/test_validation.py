"""Invalid configurations fail `pulumi preview` with the property named, and
no AWS resource is read or changed."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from conftest import ROOT, Stack, resource_calls

SEED = json.loads((ROOT / "examples" / "config" / "model-config.json").read_text())["modelList"][0]


def variants(count: int, **changes) -> list[dict]:
    models = []
    for i in range(count):
        model = copy.deepcopy(SEED)
        model.update(ModelName=f"model-{i}", VariantName=f"Variant{i}", **changes)
        models.append(model)
    return models


CASES = {
    "two serverless variants": ("serverless", {"modelList": variants(2)}, "modelList", "exactly 1 variant"),
    "an instance type SageMaker does not host": (
        "realtime",
        {"modelList": [dict(SEED, InstanceType="ml.m5.huge")]},
        "modelList[0].InstanceType",
        "is not one of the",
    ),
    "an image from another region": (
        "realtime",
        {
            "modelList": [
                dict(SEED, ModelDockerImage="763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.0.0-cpu-py310")
            ]
        },
        "image",
        "SageMaker pulls images only from its own region",
    ),
    "1500 MB of memory": (
        "serverless",
        {"modelList": variants(1, ServerlessConfig={"memorySize": 1500, "maxConcurrency": 5})},
        "modelList[0].ServerlessConfig.memorySize",
        "1024, 2048",
    ),
    "eleven variants": ("realtime", {"modelList": variants(11)}, "modelList", "1 to 10"),
    "all weights zero": ("async", {"modelList": variants(2, VariantWeight=0)}, "modelList", "must not all be zero"),
    "a 70-character model name": (
        "realtime",
        {"modelList": [dict(SEED, ModelName="m" * 70)]},
        "modelList[0].ModelName",
        "at most 63",
    ),
    "a 70-character endpoint name": ("realtime", {"endpointName": "e" * 70}, "endpointName", "at most 63"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_preview_rejects_invalid_config(case: str, engine, fresh_emulator):
    kind, overrides, prop, rule = CASES[case]
    stack = Stack(engine, "python", "py-endpoint", "e2e-invalid")
    stack.remove()
    config = {"inferenceType": kind}
    config.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in overrides.items()})
    try:
        preview = stack.run("preview", config=config, expect_ok=False)
    finally:
        stack.remove()
    print(f"\n[{case}] preview rejected it in {preview.seconds:.2f} s")
    assert not preview.ok
    assert prop in preview.error, preview.error[-2000:]
    assert rule in preview.error
    assert resource_calls(fresh_emulator.requests()) == []
