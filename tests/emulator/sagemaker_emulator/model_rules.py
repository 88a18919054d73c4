"""What ``CreateModel`` refuses, as AWS does, before moto stores the model.

1. **Cross-region images.** A container ``Image`` in a private ECR registry
   (``<account>.dkr.ecr.<region>.amazonaws.com/...``, which includes AWS's Deep
   Learning Containers and built-in algorithm registries) of another region than
   the request's. AWS: "Cross region ECR image pulls are not allowed." Developer
   Guide, "Docker Registry Paths and Example Code" (images are per-region registry
   paths, https://docs.aws.amazon.com/sagemaker/latest/dg-ecr-paths/sagemaker-algo-docker-registry-paths.html);
   the exact message is AWS's answer as reported verbatim in public issues
   (aws/sagemaker-pytorch-inference-toolkit#7, ed-donner/alex#30)::

       Region of "763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-inference:1.2.0-gpu-py2"
       does not match expected region of us-east-1. Cross region ECR image pulls are not allowed.

2. **The execution role** must exist and trust ``sagemaker.amazonaws.com``
   (SageMaker Developer Guide, "How to use SageMaker AI execution roles",
   https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html); a role
   still within ``iam_propagation_seconds`` of its creation cannot be found yet
   (:mod:`iam_hooks`). AWS's ``CreateModel`` answer, as reported verbatim in public
   READMEs and issues (awslabs projects, bentoml/BentoML#892)::

       The execution role ARN "arn:aws:iam::012345678901:role/Admin" is invalid. Please ensure that
       the role exists and that its trust relationship policy allows the action "sts:AssumeRole"
       for the service principal "sagemaker.amazonaws.com".

   (``Could not assume role ... Please ensure that the role exists and allows principal
   'sagemaker.amazonaws.com' to assume the role.`` is ``CreateTransformJob``'s wording, not CreateModel's.)

3. **VpcConfig.** The role needs the EC2 network-interface permissions listed in
   "CreateModel API: Execution Role Permissions" ("If you specify a private VPC for
   your model, add the following permissions", sagemaker-roles.html#sagemaker-roles-createmodel-perms):
   :data:`VPC_ACTIONS`. The guide also warns, for jobs in a VPC, "Don't scope in the
   policy with any conditions or resource filters. Otherwise, the validation checks
   that occur during the creation of the ... job fail", so they are checked on
   resource ``*``. The exact message AWS answers was not found; :func:`vpc_message`
   is written in the style of the role message above. The API model bounds
   ``Subnets`` to 1-16 items and ``SecurityGroupIds`` to 1-5 (API Reference,
   "VpcConfig", https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_VpcConfig.html),
   refused with AWS's generic constraint message. The guide's "You must create at
   least two subnets in different availability zones in your private VPC, even if
   you have only one hosting instance" ("Give SageMaker AI Hosted Endpoints Access
   to Resources in Your Amazon VPC", https://docs.aws.amazon.com/sagemaker/latest/dg/host-vpc.html)
   is advice on the VPC, not a documented refusal of a one-subnet ``VpcConfig``,
   so it is not enforced.
"""

from __future__ import annotations

import re

from .aws_errors import validation_error
from .execution_role import role_at
from .instance_types import validation_message

# <account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repository>[:tag|@digest]
PRIVATE_ECR_IMAGE = re.compile(r"^\d{12}\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/")

VPC_ACTIONS = (
    "ec2:CreateNetworkInterface",
    "ec2:CreateNetworkInterfacePermission",
    "ec2:DeleteNetworkInterface",
    "ec2:DeleteNetworkInterfacePermission",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeVpcs",
    "ec2:DescribeDhcpOptions",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
)
# VpcConfig member -> (its name in AWS's error path, min items, max items), from the API model.
VPC_LIST_BOUNDS = {"SecurityGroupIds": ("securityGroupIds", 1, 5), "Subnets": ("subnets", 1, 16)}


def role_message(role_arn: str) -> str:
    return (
        f'The execution role ARN "{role_arn}" is invalid. Please ensure that the role exists and that its trust '
        'relationship policy allows the action "sts:AssumeRole" for the service principal "sagemaker.amazonaws.com".'
    )


def cross_region_message(image: str, region: str) -> str:
    return f'Region of "{image}" does not match expected region of {region}. Cross region ECR image pulls are not allowed.'


def vpc_message(role_arn: str, missing: list[str]) -> str:
    """Not AWS's verbatim text (not found): states the rule of "CreateModel API: Execution Role Permissions"."""
    return (
        f'The execution role ARN "{role_arn}" does not have the permissions needed for the model\'s VpcConfig: '
        f"{', '.join(missing)}. Please ensure that the role is allowed these actions on all resources (\"*\"), "
        "without conditions, to create network interfaces in your VPC."
    )


def containers(params: dict) -> list[dict]:
    """The model's containers in order: ``PrimaryContainer``, then ``Containers``."""
    found = [params["PrimaryContainer"]] if params.get("PrimaryContainer") else []
    return found + [container for container in params.get("Containers") or [] if container]


def check_images(region: str, params: dict) -> None:
    for container in containers(params):
        image = container.get("Image") or ""
        match = PRIVATE_ECR_IMAGE.match(image)
        if match and match.group(1) != region:
            raise validation_error(cross_region_message(image, region))


def check_vpc_bounds(params: dict) -> None:
    vpc = params.get("VpcConfig")
    if not vpc:
        return
    errors = []
    for member, (path, low, high) in VPC_LIST_BOUNDS.items():
        items = vpc.get(member) or []
        shown = "[" + ", ".join(str(item) for item in items) + "]"
        if len(items) < low:
            errors.append(f"Value '{shown}' at 'vpcConfig.{path}' failed to satisfy constraint: Member must have length greater than or equal to {low}")
        elif len(items) > high:
            errors.append(f"Value '{shown}' at 'vpcConfig.{path}' failed to satisfy constraint: Member must have length less than or equal to {high}")
    if errors:
        raise validation_error(validation_message(errors))


def check_create_model(ctx, params: dict) -> None:
    """``CreateModel``: the checks above, in the order: request constraints, images, role, VPC permissions."""
    check_vpc_bounds(params)
    check_images(ctx.region, params)
    role_arn = params.get("ExecutionRoleArn")
    if not role_arn:
        return
    role = role_at(role_arn, ctx.endpoints.clock(), ctx.settings.iam_propagation_seconds())
    if not role.assumable_by_sagemaker():
        raise validation_error(role_message(role_arn))
    if params.get("VpcConfig"):
        missing = [action for action in VPC_ACTIONS if not role.allows(action, "*")]
        if missing:
            raise validation_error(vpc_message(role_arn, missing))
