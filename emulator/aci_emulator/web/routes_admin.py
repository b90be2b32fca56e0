"""The emulator's own admin routes, loopback only: fault injection and provider state."""

from __future__ import annotations

import ipaddress

from werkzeug import Response

from aci_emulator.errors import ArmError
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


def register(router: Router) -> None:
    router.add("GET", "/_emulator/faults", list_faults, authenticated=False)
    router.add("POST", "/_emulator/faults", add_fault, authenticated=False)
    router.add("DELETE", "/_emulator/faults", clear_faults, authenticated=False)
    router.add("PUT", "/_emulator/providers/{namespace}", set_provider, authenticated=False)


def _loopback_only(ctx) -> None:
    try:
        loopback = ipaddress.ip_address(ctx.request.remote_addr or "").is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ArmError(
            403, "AdminRouteForbidden", "The emulator's admin routes answer loopback clients only."
        )


def list_faults(ctx) -> Response:
    _loopback_only(ctx)
    return json_response({"value": [f.public() for f in ctx.faults.active()]})


def add_fault(ctx) -> Response:
    _loopback_only(ctx)
    body = ctx.json()
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
    body = ctx.json()
    sub = ctx.cloud.subscription(body.get("subscriptionId") or ctx.config.subscription_id)
    ctx.cloud.set_provider_state(sub, namespace, body.get("registrationState", "NotRegistered"))
    return json_response(
        {"namespace": namespace, "registrationState": ctx.cloud.provider_state(sub, namespace)}
    )
