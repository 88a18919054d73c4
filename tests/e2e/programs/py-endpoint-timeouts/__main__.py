"""examples/py-endpoint, unchanged, with `customTimeouts.update` on its endpoint
component when the stack config sets `updateTimeout` (e.g. `5m`): the component
passes it on to the endpoint it registers."""

import runpy
from pathlib import Path

import pulumi

EXAMPLE = Path(__file__).resolve().parents[4] / "examples" / "py-endpoint" / "__main__.py"
update_timeout = pulumi.Config().get("updateTimeout")


def with_update_timeout(args: pulumi.ResourceTransformationArgs):
    is_endpoint_component = args.type_.startswith("sagemaker-deployment:index:SageMaker") and args.type_.endswith(
        "Endpoint"
    )
    if not is_endpoint_component:
        return None
    timeouts = pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(update=update_timeout))
    return pulumi.ResourceTransformationResult(args.props, pulumi.ResourceOptions.merge(args.opts, timeouts))


if update_timeout:
    pulumi.runtime.register_stack_transformation(with_update_timeout)
runpy.run_path(str(EXAMPLE), run_name="__main__")
