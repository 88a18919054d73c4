"""AppConfig tagging: TagResource, UntagResource, ListTagsForResource, on every taggable AppConfig resource.

Rules (API reference, TagResource / UntagResource / ListTagsForResource, ``TagMap``):

* the ARN must name an AppConfig resource of the caller's account and region (application, environment,
  configuration profile, deployment strategy - predefined ones included, each account and region tagging its
  own view of them - or deployment); another ARN is a ``BadRequestException``, a resource that does not exist
  a ``ResourceNotFoundException`` (the split another emulator's AWS parity tests (ministack) recorded);
* "The tag key can be up to 128 characters and must not start with aws:. The tag value can be up to 256
  characters" (TagResource ``Tags``); "You can specify a maximum of 50 tags for a resource" (TagResource):
  the resource's tags after the call are counted;
* tags given when a resource is created (``Tags`` of the Create* calls and StartDeployment) are its first tags;
  deleting a resource drops its tags.
"""

from __future__ import annotations

import re

from . import appconfig_errors as errors
from .appconfig_context import AppConfigContext
from .appconfig_strategies import PREDEFINED_BY_ID
from .aws_errors import HttpResponse
from .moto_resources import parse_arn
from .rest_json import json_answer, no_content

MAX_TAGS = 50
_APP = r"application/([^/]+)"
_RESOURCES = (
    re.compile(rf"^{_APP}$"),
    re.compile(rf"^{_APP}/environment/([^/]+)$"),
    re.compile(rf"^{_APP}/configurationprofile/([^/]+)$"),
    re.compile(rf"^{_APP}/environment/([^/]+)/deployment/(\d+)$"),
    re.compile(r"^deploymentstrategy/([^/]+)$"),
)


def _existing(ctx: AppConfigContext, arn: str) -> str:
    """``arn`` once checked to name an existing AppConfig resource of this account and region."""
    parsed = parse_arn(arn)
    if parsed is None or parsed.service != "appconfig" or parsed.account != ctx.account_id or parsed.region != ctx.region:
        raise errors.bad_request(f"{arn} is not an AppConfig resource ARN of account {ctx.account_id} in {ctx.region}.")
    resource = parsed.resource
    state = ctx.state
    application, environment, profile, deployment, strategy = (pattern.match(resource) for pattern in _RESOURCES)
    if application:
        state.application(application.group(1))
    elif environment:
        state.environment(*environment.groups())
    elif profile:
        state.profile(*profile.groups())
    elif deployment:
        app_id, env_id, number = deployment.groups()
        state.deployment(app_id, env_id, int(number))
    elif strategy:
        if strategy.group(1) not in PREDEFINED_BY_ID and strategy.group(1) not in state.strategies:
            raise errors.not_found(f"DeploymentStrategy with Id {strategy.group(1)} could not be found.", strategy.group(1))
    else:
        raise errors.not_found(f"Resource {arn} could not be found.", arn)
    return arn


def tag_resource(ctx: AppConfigContext) -> HttpResponse:
    arn = _existing(ctx, ctx.params["ResourceArn"])
    new_tags = ctx.params["Tags"]
    reserved = sorted(key for key in new_tags if key.lower().startswith("aws:"))
    if reserved:
        raise errors.bad_request(f"Tag keys must not start with aws: ({', '.join(reserved)}).")
    merged = {**ctx.state.tags.get(arn, {}), **new_tags}
    if len(merged) > MAX_TAGS:
        raise errors.bad_request(f"A resource can have at most {MAX_TAGS} tags; {arn} would have {len(merged)}.")
    ctx.state.tags[arn] = merged
    return no_content()


def untag_resource(ctx: AppConfigContext) -> HttpResponse:
    arn = _existing(ctx, ctx.params["ResourceArn"])
    tags = ctx.state.tags.get(arn, {})
    for key in ctx.params.get("TagKeys") or []:
        tags.pop(key, None)
    return no_content()


def list_tags_for_resource(ctx: AppConfigContext) -> HttpResponse:
    arn = _existing(ctx, ctx.params["ResourceArn"])
    return json_answer({"Tags": dict(ctx.state.tags.get(arn, {}))})
