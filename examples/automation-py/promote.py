"""Promote one model version through dev, test and prod, the way a platform team drives stacks.

    python promote.py [--appconfig-ids STAGE=APP,ENV,PROFILE ...] [--summary FILE]
    python promote.py --destroy

Each stage is one stack of this project (an Automation API inline program: one Deployment of
the seed's two documents, ../config/*.json, for that environment). dev deploys the documents as
they are; test and then prod get the model version dev runs (its `ModelS3Key`s, read from the
dev stack's outputs), in order. Each stage is previewed, then deployed; the first stage that
fails stops the promotion, and the stages after it are not run. A summary table (stage, result,
endpoint, resources, duration) is printed at the end; the exit status is 0 only when every
stage deployed.

An environment with `createNewAppConfig: false` (prod in the seed's document) deploys into
existing AppConfig objects: give their ids with `--appconfig-ids prod=APP,ENV,PROFILE` or the
variables PROD_APPCONFIG_APP_ID, PROD_APPCONFIG_ENV_ID and PROD_APPCONFIG_PROFILE_ID. Without
them the Deployment refuses the stage at preview, naming the missing settings, and nothing is
made for it.

AWS credentials, region and endpoints come from the usual AWS environment; the Pulumi backend
from PULUMI_BACKEND_URL (and the passphrase from PULUMI_CONFIG_PASSPHRASE), as for `pulumi`.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pulumi
import pulumi_sagemaker_deployment as sagemaker_deployment
from pulumi import automation as auto

HERE = Path(__file__).resolve().parent
PROJECT = "automation-py"  # as in Pulumi.yaml
STAGES = ("dev", "test", "prod")
ID_SETTINGS = ("existingAppConfigAppId", "existingAppConfigEnvId", "existingAppConfigProfileId")
ID_VARIABLES = ("APPCONFIG_APP_ID", "APPCONFIG_ENV_ID", "APPCONFIG_PROFILE_ID")


@dataclass
class StageResult:
    """How one stage went."""

    stage: str
    result: str  # deployed | refused at preview | failed at up | not run
    endpoint: str = ""
    resources: int = 0
    seconds: float = 0.0
    message: str = ""


def read_documents() -> tuple[dict, dict]:
    config = HERE.parent / "config"
    return (
        json.loads((config / "deployment-config.json").read_text()),
        json.loads((config / "model-config.json").read_text()),
    )


def existing_ids(stage: str, given: dict[str, list[str]]) -> list[str] | None:
    """The existing AppConfig ids of `stage`: from --appconfig-ids, else the environment."""
    if stage in given:
        return given[stage]
    values = [os.environ.get(f"{stage.upper()}_{name}", "") for name in ID_VARIABLES]
    return values if all(values) else None


def stage_documents(stage: str, deployment_config: dict, model_config: dict,
                    ids: list[str] | None, version: list[str] | None) -> tuple[dict, dict]:
    """The documents for one stage: the existing ids filled in, the promoted version pinned."""
    deployment_config = copy.deepcopy(deployment_config)
    model_config = copy.deepcopy(model_config)
    environment = deployment_config["environments"][stage]
    if ids and not environment.get("createNewAppConfig", True):
        environment.update(dict(zip(ID_SETTINGS, ids)))
    if version:
        for model, key in zip(model_config["modelList"], version):
            model["ModelS3Key"] = key
    return deployment_config, model_config


def program_for(stage: str, deployment_config: dict, model_config: dict):
    """The inline program of one stage: one Deployment and the outputs a user needs."""
    def program() -> None:
        first_model = model_config["modelList"][0]["ModelName"]
        app = sagemaker_deployment.Deployment(
            "app",
            deployment_config=deployment_config,
            model_config=model_config,
            environment=stage,
            local_artifacts={first_model: str(HERE.parent / "model")},
            force_destroy=True,
            # The retraining workflow of the environments with enableWorkflow (test and prod): what the
            # documents do not say about it. The others ignore it.
            workflow=sagemaker_deployment.WorkflowSettingsArgs(
                training=sagemaker_deployment.WorkflowTrainingArgs(
                    image="763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.0.0-cpu-py310",
                    hyperparameters={"epochs": "3"},
                ),
                evaluation=sagemaker_deployment.EvaluationArgsArgs(metric_name="validation:accuracy"),
            ),
        )
        pulumi.export("environment", app.environment)
        pulumi.export("inferenceType", app.inference_type)
        pulumi.export("endpointName", app.endpoint_name)
        pulumi.export("endpointArn", app.endpoint_arn)
        pulumi.export("modelNames", app.model_names)
        pulumi.export("modelS3Keys", [model["ModelS3Key"] for model in model_config["modelList"]])

    return program


def select_stack(stage: str, program=None) -> auto.Stack:
    # The work dir holds Pulumi.yaml: its `plugins.providers` points the engine at the provider.
    return auto.create_or_select_stack(
        stack_name=stage, project_name=PROJECT, program=program or (lambda: None),
        opts=auto.LocalWorkspaceOptions(work_dir=str(HERE)),
    )


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def why(error: auto.CommandError) -> str:
    """Why the engine stopped: the documents' problems when it names them, else its error lines."""
    lines = [line.strip().removeprefix("error:").strip() for line in str(error).splitlines()]
    problems = [line for line in lines if line.startswith(("deploymentConfig.", "modelConfig."))]
    errors = [line.strip().removeprefix("error:").strip() for line in str(error).splitlines()
              if line.strip().startswith("error:") and "resource monitor shut down" not in line]
    chosen = problems or errors or [lines[-1] if lines else str(error)]
    return "; ".join(dict.fromkeys(chosen))


def resource_count(stack: auto.Stack) -> int:
    """The resources the stack holds, the stack itself and providers left out."""
    resources = stack.export_stack().deployment.get("resources", [])
    return sum(1 for r in resources if r["type"] != "pulumi:pulumi:Stack"
               and not r["type"].startswith("pulumi:providers:"))


def promote(given_ids: dict[str, list[str]]) -> list[StageResult]:
    deployment_config, model_config = read_documents()
    results: list[StageResult] = []
    version: list[str] | None = None
    for stage in STAGES:
        if results and results[-1].result != "deployed":
            results.append(StageResult(stage, "not run"))
            continue
        started = time.monotonic()
        documents = stage_documents(stage, deployment_config, model_config,
                                    existing_ids(stage, given_ids), version)
        stack = select_stack(stage, program_for(stage, *documents))
        log(f"== {stage}: preview")
        try:
            stack.preview(on_output=log, color="never")
        except auto.CommandError as error:
            results.append(StageResult(stage, "refused at preview", seconds=time.monotonic() - started,
                                       resources=resource_count(stack), message=why(error)))
            continue
        log(f"== {stage}: up")
        try:
            up = stack.up(on_output=log, color="never")
        except auto.CommandError as error:
            results.append(StageResult(stage, "failed at up", seconds=time.monotonic() - started,
                                       resources=resource_count(stack), message=why(error)))
            continue
        outputs = {key: value.value for key, value in up.outputs.items()}
        version = outputs["modelS3Keys"]
        results.append(StageResult(stage, "deployed", endpoint=outputs["endpointName"],
                                   resources=resource_count(stack), seconds=time.monotonic() - started))
    return results


def destroy() -> None:
    """Destroys every stage's stack, last stage first, and removes the stacks."""
    for stage in reversed(STAGES):
        try:
            stack = auto.select_stack(stack_name=stage, project_name=PROJECT, program=lambda: None,
                                      opts=auto.LocalWorkspaceOptions(work_dir=str(HERE)))
        except auto.StackNotFoundError:
            continue
        log(f"== {stage}: destroy")
        stack.destroy(on_output=log, color="never")
        stack.workspace.remove_stack(stage)


def table(results: list[StageResult]) -> str:
    rows = [("stage", "result", "endpoint", "resources", "duration")]
    rows += [(r.stage, r.result, r.endpoint or "-", str(r.resources) if r.result != "not run" else "-",
              f"{r.seconds:.1f} s" if r.result != "not run" else "-") for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    for r in results:
        if r.message:
            lines.append(f"{r.stage}: {r.message}")
    return "\n".join(lines)


def parse_ids(values: list[str]) -> dict[str, list[str]]:
    given = {}
    for value in values:
        stage, _, ids = value.partition("=")
        parts = ids.split(",")
        if stage not in STAGES or len(parts) != 3 or not all(parts):
            raise SystemExit(f"--appconfig-ids {value}: expected STAGE=APP,ENV,PROFILE with STAGE one of {STAGES}")
        given[stage] = parts
    return given


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appconfig-ids", action="append", default=[], metavar="STAGE=APP,ENV,PROFILE")
    parser.add_argument("--summary", help="also write the results as JSON to this file")
    parser.add_argument("--destroy", action="store_true", help="destroy every stage instead")
    args = parser.parse_args()
    if args.destroy:
        destroy()
        return 0
    results = promote(parse_ids(args.appconfig_ids))
    print(table(results))
    if args.summary:
        Path(args.summary).write_text(json.dumps([asdict(r) for r in results], indent=2))
    return 0 if all(r.result == "deployed" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
