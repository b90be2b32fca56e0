"""The async variant of `aci_webapp`: the same deployment with the SDK's aio clients."""

from __future__ import annotations

from aci_webapp import IMAGE, web_app_group
from azure.mgmt.containerinstance.aio import ContainerInstanceManagementClient


async def deploy_web_app(
    aci: ContainerInstanceManagementClient,
    resource_group: str,
    name: str,
    *,
    location: str,
    dns_label: str,
    image: str = IMAGE,
    cpu: float = 1.0,
) -> str:
    """Create or update the container group, wait until it is provisioned, return its FQDN."""
    group = web_app_group(location, dns_label, image, cpu)
    poller = await aci.container_groups.begin_create_or_update(resource_group, name, group)
    return (await poller.result()).ip_address.fqdn


async def delete_web_app(
    aci: ContainerInstanceManagementClient, resource_group: str, name: str
) -> None:
    """Delete the container group and wait; a group that is not there is no error (Azure: 204)."""
    poller = await aci.container_groups.begin_delete(resource_group, name)
    await poller.result()
