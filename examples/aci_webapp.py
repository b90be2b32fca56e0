"""Deploy a web app to Azure Container Instances: one container group with a public DNS name.

Code written for Azure and nothing else; `test_aci_webapp.py` tests it against the local
emulator with the aci-emulator pytest fixtures.
"""

from __future__ import annotations

import os

from azure.mgmt.containerinstance import ContainerInstanceManagementClient
from azure.mgmt.containerinstance.models import (
    Container,
    ContainerGroup,
    ContainerPort,
    IpAddress,
    Port,
    ResourceRequests,
    ResourceRequirements,
)

IMAGE = "mcr.microsoft.com/azuredocs/aci-helloworld"


def web_app_group(
    location: str, dns_label: str, image: str = IMAGE, cpu: float = 1.0, memory_gb: float = 1.5
) -> ContainerGroup:
    """One container serving HTTP on port 80, reachable at <dns_label>.<location>.azurecontainer.io."""
    return ContainerGroup(
        location=location,
        os_type="Linux",
        containers=[
            Container(
                name="web",
                image=image,
                resources=ResourceRequirements(
                    requests=ResourceRequests(cpu=cpu, memory_in_gb=memory_gb)
                ),
                ports=[ContainerPort(port=80)],
            )
        ],
        ip_address=IpAddress(type="Public", dns_name_label=dns_label, ports=[Port(port=80)]),
    )


def deploy_web_app(
    aci: ContainerInstanceManagementClient,
    resource_group: str,
    name: str,
    *,
    location: str,
    dns_label: str,
    image: str = IMAGE,
    cpu: float = 1.0,
) -> str:
    """Create or update the container group, wait until it is provisioned, return its FQDN.

    Errors are the SDK's: HttpResponseError with `.error.code` (ContainerGroupQuotaReached,
    InaccessibleImage …). Throttling (429) is retried by the SDK's retry policy.
    """
    group = web_app_group(location, dns_label, image, cpu)
    poller = aci.container_groups.begin_create_or_update(resource_group, name, group)
    return poller.result().ip_address.fqdn


def delete_web_app(aci: ContainerInstanceManagementClient, resource_group: str, name: str) -> None:
    """Delete the container group and wait; a group that is not there is no error (Azure: 204)."""
    aci.container_groups.begin_delete(resource_group, name).result()


def client_from_environment() -> ContainerInstanceManagementClient:
    """The client as code configured by AZURE_* variables builds it (live or emulated alike)."""
    from azure.identity import DefaultAzureCredential

    credential = DefaultAzureCredential(
        # A private authority (such as the emulator's) has no instance metadata to discover.
        disable_instance_discovery="AZURE_AUTHORITY_HOST" in os.environ,
    )
    return ContainerInstanceManagementClient(
        credential,
        os.environ["AZURE_SUBSCRIPTION_ID"],
        base_url=os.environ.get("AZURE_RESOURCE_MANAGER_ENDPOINT", "https://management.azure.com"),
    )
