"""Operation names of REST (rest-json) calls, matched against botocore's service models.

JSON and query protocols name the operation on the wire; REST services only
have a method and a URI. This module finds the operation whose ``http.method``
and ``requestUri`` template match, preferring the most specific template.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

# Credential-scope (signing) names whose botocore models have other names.
_MODELS_BY_SIGNING_NAME = {
    "appconfig": ("appconfig", "appconfigdata"),
    "sagemaker": ("sagemaker-runtime", "sagemaker"),
    "execute-api": ("apigateway",),
    "events": ("events",),
}


@functools.lru_cache(maxsize=32)
def _templates(model_name: str) -> tuple[tuple[str, re.Pattern, frozenset, int, str], ...]:
    """(method, path regex, required query keys, specificity, operation) per operation."""
    try:
        from botocore.loaders import create_loader

        model = create_loader().load_service_model(model_name, "service-2")
    except Exception:  # unknown service or botocore missing
        return ()
    result = []
    for name, operation in model.get("operations", {}).items():
        http = operation.get("http", {})
        uri = http.get("requestUri", "/")
        path, _, query = uri.partition("?")
        pattern = "".join(
            "(.+)" if part.endswith("+}") else "([^/]+)" if part.startswith("{") else re.escape(part)
            for part in re.split(r"(\{[^}]+\})", path)
        )
        keys = frozenset(item.split("=", 1)[0] for item in query.split("&") if item)
        literal = len(re.sub(r"\{[^}]+\}", "", path))
        result.append((http.get("method", "POST"), re.compile(f"^{pattern}/?$"), keys, literal + 100 * len(keys), name))
    return tuple(result)


def rest_operation(signing_name: str, method: str, path: str, query_keys: Iterable[str]) -> str | None:
    """The best-matching operation name, or ``None`` when nothing matches."""
    keys = set(query_keys)
    best: tuple[int, str] | None = None
    for model_name in _MODELS_BY_SIGNING_NAME.get(signing_name, (signing_name,)):
        for http_method, regex, required, score, name in _templates(model_name):
            if http_method == method and required <= keys and regex.match(path):
                if best is None or score > best[0]:
                    best = (score, name)
    return best[1] if best else None
