"""The two management clients of the tutorial, aimed at the chosen endpoint."""

from __future__ import annotations

from azure.core.credentials import TokenCredential
from azure.mgmt.containerinstance import ContainerInstanceManagementClient

# In azure-mgmt-resource 26 the package root no longer exports the client.
from azure.mgmt.resource.resources import ResourceManagementClient

from .machinery.wire import WIRE_TAP

# ACI sends no Retry-After, so the SDK would sleep its default 30 s between polls.
LIVE_POLLING_INTERVAL = 2.0
# An in-process emulator is polled every 2 s of its clock, as live (so a wait's polls and its
# duration agree), and at least every 0.05 s of real time.
EMULATOR_POLLING_CAP = 0.05


def emulator_polling_interval(time_scale: float) -> float:
    """Real seconds between polls of an emulator whose clock runs ``time_scale`` times real."""
    return min(LIVE_POLLING_INTERVAL / max(time_scale, 1.0), EMULATOR_POLLING_CAP)


# Sovereign clouds issue tokens for their own ARM audience; everything else (the public
# cloud, the emulator) uses the clients' default, https://management.azure.com/.default.
_SOVEREIGN_AUDIENCES = {
    "https://management.usgovcloudapi.net": "https://management.usgovcloudapi.net/.default",
    "https://management.chinacloudapi.cn": "https://management.chinacloudapi.cn/.default",
}


def arm_scope(arm_endpoint: str) -> str:
    """The token scope for an ARM endpoint."""
    return _SOVEREIGN_AUDIENCES.get(
        arm_endpoint.rstrip("/"), "https://management.azure.com/.default"
    )


def make_clients(
    credential: TokenCredential,
    subscription_id: str,
    *,
    arm_endpoint: str,
    ca_bundle: str | None = None,
    polling_interval: float = LIVE_POLLING_INTERVAL,
) -> tuple[ResourceManagementClient, ContainerInstanceManagementClient]:
    """A ResourceManagementClient and a ContainerInstanceManagementClient sharing one setup."""
    options: dict = {
        "base_url": arm_endpoint,
        "credential_scopes": [arm_scope(arm_endpoint)],
        "polling_interval": polling_interval,
        "per_retry_policies": [WIRE_TAP],  # for show_http(); idle unless one is open
    }
    if ca_bundle:
        options["connection_verify"] = ca_bundle
    resources = ResourceManagementClient(credential, subscription_id, **options)
    aci = ContainerInstanceManagementClient(credential, subscription_id, **options)
    return resources, aci
