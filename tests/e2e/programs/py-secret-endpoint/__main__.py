"""examples/py-endpoint, unchanged (its `secretEnvironment` config gives every
model's container secret variables), plus what a user of the finer pieces
writes: a standalone `sagemaker:Model` with the same secret environment, its
`environment` output exported as the stack output `directModelEnvironment`."""

import runpy
from pathlib import Path

import pulumi
import pulumi_sagemaker_deployment as sagemaker_deployment

EXAMPLE = Path(__file__).resolve().parents[4] / "examples" / "py-endpoint" / "__main__.py"
example = runpy.run_path(str(EXAMPLE), run_name="__main__")

first = example["model_list"][0]
key = first["ModelS3Key"]
# After the models: the artifact is uploaded by then.
artifact_url = pulumi.Output.all(example["base"].model_artifact_bucket_name, example["models"].model_arns).apply(
    lambda values: f"s3://{values[0]}/{key}"
)
direct = sagemaker_deployment.sagemaker.Model(
    "direct-model",
    name_prefix="direct-model",
    execution_role_arn=example["base"].execution_role_arn,
    image=first["ModelDockerImage"],
    model_data_url=artifact_url,
    environment=pulumi.Config().require_secret_object("secretEnvironment"),
)
pulumi.export("directModelEnvironment", direct.environment)
