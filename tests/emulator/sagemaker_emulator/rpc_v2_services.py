"""Which botocore service model a smithy-rpc-v2-cbor call is for, and how moto speaks it.

A call ``POST /service/<ServiceId>/operation/<Op>`` names the Smithy service
shape (CloudWatch: ``GraniteServiceVersion20100801``, botocore's
``targetPrefix``), and its SigV4 scope names the signing service (``monitoring``).
The signing service leads to moto's backend the same way moto routes signed
calls (``<service>.<region>.amazonaws.com`` against moto's URL patterns); the
botocore models named like that backend or that signing service are candidates,
and the one whose ``targetPrefix`` is ``<ServiceId>`` and that also lists
``query`` or ``json`` among its protocols is the answer. Only those few models
are loaded, never botocore's whole catalogue.
"""

from __future__ import annotations

import functools
from typing import Any

from botocore.model import ServiceModel

from .state_lock import EMULATOR_LOCK

CBOR = "smithy-rpc-v2-cbor"
# Protocols moto understands, in order of preference, that a CBOR call can be bridged to.
BACKEND_PROTOCOLS = ("query", "json")


@functools.lru_cache(maxsize=None)
def _botocore_session() -> Any:
    import botocore.session

    return botocore.session.get_session()


def moto_backend(signing_name: str) -> str | None:
    """The moto backend that serves calls signed for ``signing_name`` (``monitoring`` -> ``cloudwatch``)."""
    from moto.backend_index import backend_url_patterns
    from moto.moto_server.werkzeug_app import SIGNING_ALIASES

    service = SIGNING_ALIASES.get(signing_name.lower(), signing_name.lower())
    url = f"http://{service}.us-east-1.amazonaws.com"
    return next((backend for backend, pattern in backend_url_patterns if pattern.match(url)), None)


@functools.lru_cache(maxsize=None)
def find_service(service_id: str, signing_name: str | None) -> ServiceModel | None:
    """The botocore model of the CBOR service ``service_id`` that moto can answer, or ``None``."""
    if not signing_name:
        return None
    backend = moto_backend(signing_name)
    if backend is None:
        return None
    wanted = {_plain(backend), _plain(signing_name)}
    with EMULATOR_LOCK:  # botocore's shared session is not thread-safe
        session = _botocore_session()
        names = [name for name in session.get_available_services() if _plain(name) in wanted]
        for name in names:
            model = session.get_service_model(name)
            if _matches(model, service_id):
                return model
    return None


def backend_protocol(model: ServiceModel) -> str:
    """The protocol to speak to moto for ``model`` (``query`` when the service has it)."""
    return next(protocol for protocol in BACKEND_PROTOCOLS if protocol in _protocols(model))


def _matches(model: ServiceModel, service_id: str) -> bool:
    protocols = _protocols(model)
    target = model.metadata.get("targetPrefix") or ""
    return (
        CBOR in protocols
        and any(protocol in protocols for protocol in BACKEND_PROTOCOLS)
        and target.rsplit(".", 1)[-1] == service_id
    )


def _protocols(model: ServiceModel) -> list[str]:
    return list(model.metadata.get("protocols") or [model.metadata.get("protocol")])


def _plain(name: str) -> str:
    """A service name without case or dashes, to compare moto's and botocore's spellings."""
    return name.lower().replace("-", "")
