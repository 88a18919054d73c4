"""What an AppConfig operation handler gets: the caller's AppConfig state, the call's input, the time.

Also the pieces every handler shares: pagination (``MaxResults`` / ``NextToken``), tags given at
creation, and the service quotas.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from . import appconfig_errors as errors
from .appconfig_store import AppConfigState
from .settings import SettingsStore
from .timeline import Timelines

# "Verify that your environment doesn't exceed the following service quotas: Applications: 100 max,
# Deployment strategies: 20 max, Configuration profiles: 100 max per application, Environments: 20 max per
# application" (API reference, ServiceQuotaExceededException).
MAX_APPLICATIONS = 100
MAX_DEPLOYMENT_STRATEGIES = 20
MAX_PROFILES_PER_APPLICATION = 100
MAX_ENVIRONMENTS_PER_APPLICATION = 20

# ListHostedConfigurationVersions: "If MaxResults is not provided in the call, AWS AppConfig returns the maximum
# of 50"; the other List operations' MaxResults has the same range (1-50) and no documented default: 50 too.
DEFAULT_PAGE_SIZE = 50


@dataclass
class AppConfigContext:
    """One AppConfig call as a handler sees it."""

    state: AppConfigState
    params: dict
    now: float
    settings: SettingsStore
    deployments: Timelines
    account_id: str
    region: str

    @property
    def time_scale(self) -> float:
        return self.settings.appconfig_time_scale()


def page(items: list[Any], params: dict) -> tuple[list[Any], str | None]:
    """One page of ``items`` and the ``NextToken`` of the next one (``None`` on the last page)."""
    size = params.get("MaxResults") or DEFAULT_PAGE_SIZE
    start = 0
    token = params.get("NextToken")
    if token:
        try:
            start = int(json.loads(base64.urlsafe_b64decode(token.encode("ascii")))["offset"])
        except (ValueError, KeyError, TypeError, binascii.Error, UnicodeEncodeError):
            raise errors.bad_request("The NextToken is not valid.") from None
    chunk = items[start:start + size]
    following = start + size
    next_token = base64.urlsafe_b64encode(json.dumps({"offset": following}).encode()).decode() if following < len(items) else None
    return chunk, next_token


def listing(items: list[dict], params: dict) -> dict:
    chunk, next_token = page(items, params)
    return {"Items": chunk, "NextToken": next_token}


def tag_at_creation(ctx: AppConfigContext, arn: str) -> None:
    tags = ctx.params.get("Tags")
    if tags:
        ctx.state.tags[arn] = dict(tags)
