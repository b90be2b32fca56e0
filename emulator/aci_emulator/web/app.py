"""The WSGI application: one request in, one response out, through a single dispatch path."""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from werkzeug import Request, Response

from aci_emulator.backend import rules_arm
from aci_emulator.backend.cloud import Cloud, Subscription
from aci_emulator.backend.locations import REGIONS, normalize_location
from aci_emulator.config import EmulatorConfig
from aci_emulator.errors import ArmError, method_not_allowed, not_implemented
from aci_emulator.faults import FaultInjector
from aci_emulator.identity import Identity, VerifiedToken
from aci_emulator.web import (
    body,
    json_positions,
    media_type,
    routes_aci,
    routes_admin,
    routes_arm,
    routes_identity,
)
from aci_emulator.web.json_positions import BODY_TEXT_KEY
from aci_emulator.web.responses import json_response
from aci_emulator.web.routing import Router
from aci_emulator.web.serving import SOCKET_KEY

log = logging.getLogger("aci_emulator.requests")

# api-versions each family of routes accepts (real published versions).
ACI_VERSIONS = (
    "2017-08-01-preview",
    "2017-10-01-preview",
    "2017-12-01-preview",
    "2018-02-01-preview",
    "2018-04-01",
    "2018-06-01",
    "2018-07-01",
    "2018-09-01",
    "2018-10-01",
    "2019-12-01",
    "2020-11-01",
    "2021-03-01",
    "2021-07-01",
    "2021-09-01",
    "2021-10-01",
    "2022-04-01-preview",
    "2022-09-01",
    "2022-10-01-preview",
    "2023-02-01-preview",
    "2023-05-01",
    "2023-05-15-preview",
    "2024-05-01-preview",
    "2024-09-01-preview",
    "2024-10-01-preview",
    "2024-11-01-preview",
    "2025-09-01",
    "2026-05-01",
    "2026-06-01-preview",
)


@dataclass
class Ctx:
    """What a handler needs: the request, the backend, and who is calling."""

    request: Request
    cloud: Cloud
    identity: Identity
    config: EmulatorConfig
    faults: FaultInjector
    token: VerifiedToken | None = None
    sub: Subscription | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        """The server's own address, as in its info (every absolute URL it sends starts so).
        Never the request's Host, which the client writes: a Host naming another server is
        ignored (our reading), so no Location, nextLink or token endpoint points elsewhere."""
        return self.identity.issuer_base.rstrip("/")

    def json(self) -> Any:
        limits = self.config.limits
        return body.read_json(self.request, limits.max_body_bytes, limits.max_json_values)


class ArmApplication:
    def __init__(
        self, cloud: Cloud, identity: Identity, config: EmulatorConfig, faults: FaultInjector
    ) -> None:
        self.cloud = cloud
        self.faults = faults
        self.identity = identity
        self.config = config
        self.stopping = threading.Event()  # set when the server stops: injected waits end
        self.router = Router()
        for module in (routes_identity, routes_arm, routes_aci, routes_admin):
            module.register(self.router)

    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        path = re.sub(r"/{2,}", "/", request.path)  # the CLI asks for //metadata/endpoints
        ctx = Ctx(request, self.cloud, self.identity, self.config, self.faults)
        try:
            self._inject_faults(request, path)
            response = self._handle(ctx, request.method, path)
        except ArmError as err:
            err = json_positions.with_position(err, request.environ.get(BODY_TEXT_KEY))
            response = json_response(err.envelope(), err.status, err.headers)
        except ConnectionError:
            raise
        except Exception:  # a bug here must reach the client as ARM would report it
            log.exception("unhandled error for %s %s", request.method, path)
            response = json_response(
                {
                    "error": {
                        "code": "InternalServerError",
                        "message": "The emulator failed to process the request; see its log.",
                    }
                },
                500,
            )
        self._decorate(ctx, response)
        log.debug("%s %s -> %s", request.method, request.full_path, response.status_code)
        return response

    def _inject_faults(self, request: Request, path: str) -> None:
        if path.lower().startswith("/_emulator/"):
            return
        for fault in self.faults.take(request.method, path, ("latency", "drop", "status")):
            if fault.kind == "latency":
                if self.stopping.wait(fault.seconds):
                    raise ConnectionResetError("the server is stopping")
            elif fault.kind == "drop":
                sock = request.environ.get(SOCKET_KEY)
                if sock is not None:
                    with contextlib.suppress(OSError):  # the client may have left already
                        sock.shutdown(socket.SHUT_RDWR)
                # The server then finds the connection closed, and sends nothing.
                raise ConnectionResetError("connection dropped by an injected fault")
            else:
                status, code, message, headers = fault.error()
                raise ArmError(status, code, message, headers=headers)

    def _handle(self, ctx: Ctx, method: str, path: str) -> Response:
        route, params, path_matched = self.router.match(method, path)
        if route is None:
            self._front_door(ctx, path)
            if path_matched:
                raise method_not_allowed(method, path)
            raise not_implemented(f"{method} {path}")
        if route.api_versions:
            self._check_api_version(ctx, path, route.api_versions)
        if route.authenticated:
            ctx.token = self.identity.verify(ctx.request.headers.get("Authorization"))
            if "sub" in params:
                rules_arm.check_subscription_segment(path)
                ctx.sub = self.cloud.subscription(params["sub"], ctx.token.tenant_id)
                self._authorize(ctx, method, route.action, path)
        return route.handler(ctx, **params)

    def _front_door(self, ctx: Ctx, path: str) -> None:
        """What ARM checks of a request no route of the emulator serves (routes_arm.front_door).
        Only then is the route an honest 501."""
        # Paths ARM's front door answers for, whatever follows (the root too:
        # MicrosoftDocs/feedback#2279): media_type.ARM_PREFIXES, in ASCII case only.
        if not media_type.is_arm_path(path):
            return  # Entra ID's paths and the emulator's own are not ARM's
        routes_arm.front_door(ctx, path)

    def _check_api_version(self, ctx: Ctx, path: str, family: str) -> None:
        # A repeated parameter is read whole, its values joined by commas as ASP.NET joins them
        # (our reading of ARM's front end): a valid first value cannot carry a second one.
        version = ",".join(ctx.request.args.getlist("api-version"))
        if not version:
            raise rules_arm.missing_api_version()
        if family == "aci":
            if version not in ACI_VERSIONS:
                raise _no_provider_for(ctx, path, version)
            return
        rules_arm.check_resources_api_version(version)

    def _authorize(self, ctx: Ctx, method: str, action: str, path: str) -> None:
        principal = ctx.token.principal if ctx.token else None
        writes = method in ("PUT", "PATCH", "DELETE", "POST")
        if principal is not None and (principal.role == "Contributor" or not writes):
            return
        oid = ctx.token.object_id if ctx.token else ""
        raise ArmError(
            403,
            "AuthorizationFailed",
            f"The client '{oid}' with object id '{oid}' does not have authorization to perform "
            f"action '{action or 'Microsoft.Resources/write'}' over scope '{path}' or the scope "
            "is invalid. If access was recently granted, please refresh your credentials.",
        )

    def _decorate(self, ctx: Ctx, response: Response) -> None:
        request_id = str(uuid.uuid4())
        headers = response.headers
        headers.setdefault("Cache-Control", "no-cache")
        headers["x-ms-request-id"] = request_id
        headers["x-ms-correlation-request-id"] = ctx.request.headers.get(
            "x-ms-correlation-request-id", request_id
        )
        if "x-ms-client-request-id" in ctx.request.headers:
            headers["x-ms-client-request-id"] = ctx.request.headers["x-ms-client-request-id"]
        headers["x-ms-routing-request-id"] = f"LOCAL:{request_id}"
        kind = {"GET": "reads", "HEAD": "reads", "DELETE": "deletes"}.get(
            ctx.request.method, "writes"
        )
        headers[f"x-ms-ratelimit-remaining-subscription-{kind}"] = {
            "reads": "11999",
            "writes": "1199",
            "deletes": "14999",
        }[kind]
        for key, value in ctx.extra_headers.items():
            headers[key] = value


def _no_provider_for(ctx: Ctx, path: str, version: str) -> ArmError:
    """ARM's answer to an api-version the Container Instances provider does not serve
    (Azure/azure-cli#30444): it names the location, the type and what is supported.

    The api-version is checked before the token (ARM's order), so this answer comes to clients
    without one too; the body, which names the location, is read only for a client whose token
    is valid: nothing an anonymous client sends is parsed (the location is then the path's, or
    'global': our reading)."""
    location = ""
    body = None
    if ctx.request.content_length and _has_valid_token(ctx):
        with contextlib.suppress(ArmError):
            body = ctx.json()
    if isinstance(body, dict) and isinstance(body.get("location"), str):
        location = normalize_location(body["location"]) or body["location"]
    found = re.search(r"/locations/([^/]+)", path, re.IGNORECASE | re.ASCII)
    if not location and found:
        location = found.group(1)
    kind = re.search(r"/Microsoft\.ContainerInstance/([^/]+)", path, re.IGNORECASE | re.ASCII)
    return ArmError(
        400,
        "NoRegisteredProviderFound",
        f"No registered resource provider found for location '{location or 'global'}' and API "
        f"version '{version}' for type '{kind.group(1) if kind else 'operations'}'. The supported "
        f"api-versions are '{', '.join(ACI_VERSIONS)}'. The supported locations are "
        f"'{', '.join(REGIONS)}'.",
    )


def _has_valid_token(ctx: Ctx) -> bool:
    try:
        ctx.identity.verify(ctx.request.headers.get("Authorization"))
    except ArmError:
        return False
    return True
