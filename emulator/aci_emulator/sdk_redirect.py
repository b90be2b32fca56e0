"""Azure's public endpoints answered by the emulator, for code that names no emulator at all.

While `route_to_emulator(info)` is active, the Azure SDK's own HTTP transports (azure-core's
RequestsTransport and AioHttpTransport: every sync and `aio` management client, and the
azure-identity credentials, whose MSAL client sends through the same transports) send requests
for Resource Manager (management.azure.com) and Entra ID (login.microsoftonline.com and its
aliases, tenant discovery included) to the emulator instead, trusting its CA for those
connections only. A request to any other Azure host fails at once, without leaving the machine.
The SDK's sleeps (between polls of a long-running operation, before a retry, and azure-mgmt-core's
fixed 10 s wait while it registers a resource provider) are shortened too, so neither ARM's
whole-second Retry-After nor the SDK's default 30 s polling make a test wait. A token request for
a resource other than Resource Manager fails at once too, naming the emulator.

The seam is the one moto uses for botocore (its HTTP send): the transport classes' `send`,
`sleep` and aiohttp's SSL context are patched while routing is active, and restored after
(with the `sleep` that azure-mgmt-core's registration policy sees); and MSAL's instance
discovery, which the emulator does not serve, is answered for the public cloud, and its managed
identity client with an error naming the emulator (no managed identity is emulated).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from aci_emulator.identity import PUBLIC_AUDIENCES
from aci_emulator.server import EmulatorInfo

ARM_HOSTS = ("management.azure.com",)
LOGIN_HOSTS = ("login.microsoftonline.com", "login.windows.net", "login.microsoft.com")
# Domains of Azure's services in the public and sovereign clouds, and the instance metadata
# service that managed identity asks: refused while routing, as the emulator serves none of them.
AZURE_DOMAINS = (
    "azure.com",
    "azure.net",
    "azure.us",
    "azure.cn",
    "windows.net",
    "microsoftonline.com",
    "microsoftonline.us",
    "microsoft.com",
    "azurecr.io",
    "azure-api.net",
    "azurewebsites.net",
    "azurecontainer.io",
    "azureedge.net",
    "cloudapp.net",
    "trafficmanager.net",
    "usgovcloudapi.net",
    "chinacloudapi.cn",
)
METADATA_HOSTS = ("169.254.169.254",)
# Token endpoints of Entra ID (v2.0 asks for `scope`, v1 for `resource`), and the scopes that
# name no resource (OpenID Connect's own).
TOKEN_PATH = re.compile(r"^/[^/]+/oauth2/(v2\.0/)?token$")
RESERVED_SCOPES = ("openid", "profile", "offline_access", "email")
_OFF_SWITCH = (
    "To let this request leave the machine, turn routing off: "
    "@pytest.mark.azure_emulator(route_azure_hosts=False), or the azure_emulator_config fixture."
)


def _origin(resource: str) -> str:
    """scheme://host of a resource or scope URI (a scope's path names a permission)."""
    parts = urlsplit(resource.strip())
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}" if parts.netloc else resource


class AzureHostNotEmulated(RuntimeError):
    """A request for an Azure host that the emulator does not serve. Not an azure-core error on
    purpose: the SDK's retry policy would otherwise retry it."""


@dataclass
class Routes:
    """Where Azure's public endpoints go, and how long the SDK may sleep at most."""

    info: EmulatorInfo
    poll_seconds: float = 0.05
    _context: ssl.SSLContext | None = field(default=None, repr=False)

    @property
    def emulator_netloc(self) -> str:
        return urlsplit(self.info.arm_endpoint).netloc.lower()

    def route(self, method: str, url: str) -> str | None:
        """The URL to send instead; None when the URL is not an Azure one (sent as it is)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
        if parts.netloc.lower() == self.emulator_netloc:
            return url
        if host in ARM_HOSTS or host in LOGIN_HOSTS:
            target = self.info.arm_endpoint if host in ARM_HOSTS else self.info.authority_host
            base = urlsplit(target)
            return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))
        if host in METADATA_HOSTS or any(
            host == domain or host.endswith("." + domain) for domain in AZURE_DOMAINS
        ):
            raise AzureHostNotEmulated(
                f"{method} {parts.scheme}://{host}{parts.path} was not sent: in a test that uses "
                "the azure_emulator fixture, the Azure SDK reaches the local aci_emulator instead "
                f"of Azure, and the emulator serves only {', '.join(ARM_HOSTS)} (resource groups, "
                f"Container Instances) and {LOGIN_HOSTS[0]} (tokens). {_OFF_SWITCH}"
            )
        return None

    def served_resources(self) -> tuple[str, ...]:
        """The resources the emulator issues tokens for (scheme://host): Resource Manager, under
        its public names and its own address."""
        return tuple(_origin(r) for r in (*PUBLIC_AUDIENCES, self.info.arm_endpoint))

    def refuse_unserved_token(self, method: str, url: str, body: Any) -> None:
        """Raise AzureHostNotEmulated for a token request for a resource the emulator issues no
        tokens for: a client of another Azure service asks for its token before it reaches its
        own (refused) host, and would otherwise get Entra ID's AADSTS500011 from the emulator,
        which never names it. Token requests go to Entra ID's public hosts, or to the emulator
        itself: its discovery document names its own token endpoint, so MSAL posts there."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
        if host not in LOGIN_HOSTS and parts.netloc.lower() != self.emulator_netloc:
            return
        if method.upper() != "POST":
            return
        if not TOKEN_PATH.match(parts.path):
            return
        form = _form_fields(body)  # read for token requests only, not for every ARM body
        asked = [s for v in form.get("scope", []) for s in v.split() if s not in RESERVED_SCOPES]
        asked += form.get("resource", [])
        served = self.served_resources()
        unserved = [r for r in asked if _origin(r) not in served]
        if unserved:
            raise AzureHostNotEmulated(
                f"A token for {', '.join(unserved)} was not requested: in a test that uses the "
                "azure_emulator fixture, the Azure SDK's token requests reach the local "
                "aci_emulator instead of Entra ID, and it issues tokens only for Resource Manager "
                f"({PUBLIC_AUDIENCES[0]}/.default); the client asking is for a service the "
                f"emulator does not serve. {_OFF_SWITCH}"
            )

    def ssl_context(self) -> ssl.SSLContext:
        """One context trusting the emulator's CA, so that aiohttp reuses its connections."""
        if self._context is None:
            self._context = ssl.create_default_context(cafile=self.info.ca_bundle)
        return self._context


_lock = threading.Lock()
_active: list[Routes] = []
_originals: dict[tuple[type | ModuleType, str], Any] = {}


def active_routes() -> Routes | None:
    return _active[-1] if _active else None


def _prepare(request: Any, options: dict[str, Any]) -> dict[str, Any]:
    """Aim `request` at the emulator when it is for Azure, and trust the emulator's CA then."""
    routes = active_routes()
    if routes is None:
        return options
    routes.refuse_unserved_token(request.method, request.url, _body_of(request))
    target = routes.route(request.method, request.url)
    if target is None:
        return options
    request.url = target
    return {**options, "connection_verify": routes.info.ca_bundle}


def _body_of(request: Any) -> Any:
    """A request's body: azure-core's two request types keep it apart."""
    body = getattr(request, "content", None)
    return getattr(request, "data", None) if body is None else body


def _form_fields(body: Any) -> dict[str, list[str]]:
    """The fields of a form body (a dict, as azure-identity passes it, or its encoded text)."""
    if isinstance(body, dict):
        return {
            str(k): [str(x) for x in v] if isinstance(v, (list, tuple)) else [str(v)]
            for k, v in body.items()
        }
    if isinstance(body, (bytes, str)):
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        return parse_qs(text)
    return {}


def _sleep_seconds(duration: float) -> float:
    routes = active_routes()
    return duration if routes is None else min(duration, routes.poll_seconds)


def _patch_requests() -> None:
    from azure.core.pipeline.transport import RequestsTransport

    send = RequestsTransport.send

    def routed_send(self: Any, request: Any, **kwargs: Any) -> Any:
        return send(self, request, **_prepare(request, kwargs))

    def short_sleep(self: Any, duration: float) -> None:
        time.sleep(_sleep_seconds(duration))

    _replace(RequestsTransport, "send", routed_send)
    _replace(RequestsTransport, "sleep", short_sleep)


def _patch_aiohttp() -> None:
    try:
        from azure.core.pipeline.transport import AioHttpTransport
    except ImportError:  # aiohttp is not installed: no aio client can run either
        return

    send = AioHttpTransport.send
    build_ssl = AioHttpTransport._build_ssl_config

    async def routed_send(self: Any, request: Any, **kwargs: Any) -> Any:
        return await send(self, request, **_prepare(request, kwargs))

    async def short_sleep(self: Any, duration: float) -> None:
        await asyncio.sleep(_sleep_seconds(duration))

    def cached_ssl(self: Any, cert: Any, verify: Any) -> Any:
        routes = active_routes()
        if routes is not None and not cert and verify == routes.info.ca_bundle:
            return routes.ssl_context()
        return build_ssl(self, cert, verify)

    _replace(AioHttpTransport, "send", routed_send)
    _replace(AioHttpTransport, "sleep", short_sleep)
    _replace(AioHttpTransport, "_build_ssl_config", cached_ssl)


class _CappedSleeps:
    """A module (time or asyncio) whose `sleep` is capped while routed: what one module of the
    SDK sees in place of the real one; everything else is the real module's."""

    def __init__(self, module: ModuleType, sleep: Any) -> None:
        self._module = module
        self.sleep = sleep

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


def _patch_registration_wait() -> None:
    """azure-mgmt-core registers a resource provider that ARM reports as not registered
    (ARMAutoResourceProviderRegistrationPolicy) and then waits a fixed 10 s before each check of
    its state, with `time.sleep(10)` / `asyncio.sleep(10)` of its own rather than the
    transport's. Those two modules alone get a capped `sleep`."""
    try:
        from azure.mgmt.core.policies import _base, _base_async
    except ImportError:  # no management client is installed
        return

    def capped_sleep(duration: float) -> None:
        time.sleep(_sleep_seconds(duration))

    async def capped_async_sleep(duration: float) -> None:
        await asyncio.sleep(_sleep_seconds(duration))

    _replace(_base, "time", _CappedSleeps(time, capped_sleep))
    _replace(_base_async, "asyncio", _CappedSleeps(asyncio, capped_async_sleep))


def _patch_msal() -> None:
    """MSAL asks Entra ID's instance discovery for the aliases of its authority (after a failed
    token request, for one): the emulator serves no such endpoint, so answer it here, for the
    public cloud's hosts only, rather than let a 501 hide the token endpoint's own error."""
    try:
        from msal.application import ClientApplication
    except ImportError:
        return
    metadata = ClientApplication._get_instance_metadata

    def public_cloud_metadata(self: Any, instance: str) -> Any:
        if active_routes() is None or instance not in LOGIN_HOSTS:
            return metadata(self, instance)
        aliases = [*LOGIN_HOSTS, "sts.windows.net"]  # our reading of the public cloud's
        return [
            {
                "preferred_network": LOGIN_HOSTS[0],
                "preferred_cache": LOGIN_HOSTS[1],
                "aliases": aliases,
            }
        ]

    _replace(ClientApplication, "_get_instance_metadata", public_cloud_metadata)
    _patch_msal_managed_identity()


def _patch_msal_managed_identity() -> None:
    """The emulator serves no managed identity. azure-identity's sync ManagedIdentityCredential
    asks MSAL, and replaces any exception of its request with "no response from the IMDS
    endpoint", but passes on the description of an error result, the shape MSAL returns for an
    error the endpoint answers (msal/managed_identity.py, _obtain_token_on_azure_vm): so while
    routed MSAL returns one naming the emulator, without sending anything."""
    try:
        from msal.managed_identity import ManagedIdentityClient
    except ImportError:
        return
    acquire = ManagedIdentityClient.acquire_token_for_client

    def not_emulated(self: Any, *, resource: str, **kwargs: Any) -> Any:
        if active_routes() is None:
            return acquire(self, resource=resource, **kwargs)
        return {
            "error": "managed_identity_not_emulated",  # our own code: no endpoint was asked
            "error_description": (
                f"No managed identity endpoint ({METADATA_HOSTS[0]} or another) was asked for a "
                f"token for {resource}: in a test that uses the azure_emulator fixture, the "
                "Azure SDK reaches the local aci_emulator instead of Azure, and it serves no "
                "managed identity; DefaultAzureCredential() signs in as the emulator's service "
                f"principal (EnvironmentCredential) instead. {_OFF_SWITCH}"
            ),
        }

    _replace(ManagedIdentityClient, "acquire_token_for_client", not_emulated)


def _replace(cls: type | ModuleType, name: str, function: Any) -> None:
    _originals[(cls, name)] = cls.__dict__.get(name)
    setattr(cls, name, function)


def _restore() -> None:
    for (cls, name), original in _originals.items():
        if original is None:
            delattr(cls, name)
        else:
            setattr(cls, name, original)
    _originals.clear()


@contextlib.contextmanager
def route_to_emulator(info: EmulatorInfo, poll_seconds: float = 0.05) -> Iterator[Routes]:
    """Within the block, the SDK's transports send Azure's public endpoints to this emulator."""
    routes = Routes(info, poll_seconds)
    with _lock:
        if not _active:
            _patch_requests()
            _patch_aiohttp()
            _patch_registration_wait()
            _patch_msal()
        _active.append(routes)
    try:
        yield routes
    finally:
        with _lock:
            _active.remove(routes)
            if not _active:
                _restore()
