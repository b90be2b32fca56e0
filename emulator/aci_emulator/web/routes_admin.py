"""The emulator's own admin routes, loopback only: fault injection and provider state."""

from __future__ import annotations

import ipaddress
from typing import get_args

from werkzeug import Response

from aci_emulator.backend.resources.models import RegistrationState
from aci_emulator.errors import ArmError, invalid_content
from aci_emulator.faults import Fault
from aci_emulator.web.responses import empty_response, json_response
from aci_emulator.web.routing import Router

SETTABLE = {
    "kind",
    "method",
    "path",
    "times",
    "probability",
    "seed",
    "status",
    "retry_after",
    "seconds",
    "code",
    "message",
}


# The states ARM reports for a resource provider's registration.
PROVIDER_STATES = get_args(RegistrationState)


def register(router: Router) -> None:
    router.add("GET", "/_emulator/faults", list_faults, authenticated=False)
    router.add("POST", "/_emulator/faults", add_fault, authenticated=False)
    router.add("DELETE", "/_emulator/faults", clear_faults, authenticated=False)
    router.add("PUT", "/_emulator/providers/{namespace}", set_provider, authenticated=False)


def is_loopback(address: str) -> bool:
    """127.0.0.0/8, ::1, and IPv4-mapped loopback (how 127.0.0.1 appears to a server on '::')."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def _loopback_only(ctx) -> None:
    if not is_loopback(ctx.request.remote_addr or ""):
        raise ArmError(
            403, "AdminRouteForbidden", "The emulator's admin routes answer loopback clients only."
        )


_JSON_KINDS = {list: "an array", str: "a string", int: "a number", float: "a number"}
_JSON_KINDS.update({bool: "a boolean", type(None): "null"})


def _object(ctx) -> dict:
    body = ctx.json()
    if not isinstance(body, dict):
        kind = _JSON_KINDS.get(type(body), "that")
        raise invalid_content(f"The request body must be a JSON object, not {kind}")
    return body


def list_faults(ctx) -> Response:
    _loopback_only(ctx)
    return json_response({"value": [f.public() for f in ctx.faults.active()]})


def add_fault(ctx) -> Response:
    _loopback_only(ctx)
    body = _object(ctx)
    unknown = set(body) - SETTABLE
    if unknown or "kind" not in body:
        raise ArmError(
            400,
            "InvalidFault",
            f"A fault needs 'kind' and takes only {', '.join(sorted(SETTABLE))}; "
            f"unknown: {', '.join(sorted(unknown)) or 'none'}.",
        )
    try:
        fault = ctx.faults.add(Fault(**body))
    except (TypeError, ValueError) as err:
        raise ArmError(400, "InvalidFault", str(err)) from err
    return json_response(fault.public(), 201)


def clear_faults(ctx) -> Response:
    _loopback_only(ctx)
    ctx.faults.clear()
    return empty_response(204)


def set_provider(ctx, namespace: str) -> Response:
    """{"registrationState": "NotRegistered"} makes the next ACI call meet MissingSubscriptionRegistration."""
    _loopback_only(ctx)
    body = _object(ctx)
    unknown = set(body) - {"subscriptionId", "registrationState"}
    state = body.get("registrationState", "NotRegistered")
    subscription = body.get("subscriptionId") or ctx.config.subscription_id
    if unknown or state not in PROVIDER_STATES or not isinstance(subscription, str):
        raise ArmError(
            400,
            "InvalidProviderState",
            "The body takes 'registrationState' (one of "
            f"{', '.join(PROVIDER_STATES)}) and 'subscriptionId' (a string); "
            f"unknown: {', '.join(sorted(unknown)) or 'none'}.",
        )
    sub = ctx.cloud.subscription(subscription)
    ctx.cloud.set_provider_state(sub, namespace, state)
    return json_response(
        {"namespace": namespace, "registrationState": ctx.cloud.provider_state(sub, namespace)}
    )
