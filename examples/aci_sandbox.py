"""A throw-away sandbox: a new resource group with one container group in it, deleted whole.

Written for Azure and nothing else: the credential and the clients are built the way Azure's
documentation builds them, from the environment (AZURE_SUBSCRIPTION_ID, and whatever
DefaultAzureCredential finds). `test_aci_sandbox.py` tests it, unchanged, against the emulator.
"""

from __future__ import annotations

import os

from azure.identity import DefaultAzureCredential
from azure.identity.aio import DefaultAzureCredential as AsyncDefaultAzureCredential
from azure.mgmt.containerinstance import ContainerInstanceManagementClient
from azure.mgmt.containerinstance.aio import (
    ContainerInstanceManagementClient as AsyncContainerInstanceManagementClient,
)
from azure.mgmt.containerinstance.models import (
    Container,
    ContainerGroup,
    ResourceRequests,
    ResourceRequirements,
)
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.resources.aio import (
    ResourceManagementClient as AsyncResourceManagementClient,
)

IMAGE = "mcr.microsoft.com/azuredocs/aci-helloworld"


def sandbox_group(location: str, image: str = IMAGE) -> ContainerGroup:
    return ContainerGroup(
        location=location,
        os_type="Linux",
        restart_policy="Never",
        containers=[
            Container(
                name="job",
                image=image,
                resources=ResourceRequirements(requests=ResourceRequests(cpu=1, memory_in_gb=1)),
            )
        ],
    )


def create_sandbox(name: str, location: str = "eastus", image: str = IMAGE) -> str:
    """Create resource group `name` with container group `name` in it; its provisioning state."""
    credential = DefaultAzureCredential()
    subscription = os.environ["AZURE_SUBSCRIPTION_ID"]
    resources = ResourceManagementClient(credential, subscription)
    aci = ContainerInstanceManagementClient(credential, subscription)
    resources.resource_groups.create_or_update(name, {"location": location})
    poller = aci.container_groups.begin_create_or_update(name, name, sandbox_group(location, image))
    return poller.result().provisioning_state


def delete_sandbox(name: str) -> None:
    """Delete the resource group and everything in it; wait until it is gone."""
    resources = ResourceManagementClient(
        DefaultAzureCredential(), os.environ["AZURE_SUBSCRIPTION_ID"]
    )
    resources.resource_groups.begin_delete(name).result()


async def create_sandbox_aio(name: str, location: str = "eastus", image: str = IMAGE) -> str:
    """`create_sandbox` with the aio clients."""
    subscription = os.environ["AZURE_SUBSCRIPTION_ID"]
    async with (
        AsyncDefaultAzureCredential() as credential,
        AsyncResourceManagementClient(credential, subscription) as resources,
        AsyncContainerInstanceManagementClient(credential, subscription) as aci,
    ):
        await resources.resource_groups.create_or_update(name, {"location": location})
        poller = await aci.container_groups.begin_create_or_update(
            name, name, sandbox_group(location, image)
        )
        return (await poller.result()).provisioning_state


async def delete_sandbox_aio(name: str) -> None:
    """`delete_sandbox` with the aio clients."""
    async with (
        AsyncDefaultAzureCredential() as credential,
        AsyncResourceManagementClient(credential, os.environ["AZURE_SUBSCRIPTION_ID"]) as resources,
    ):
        await (await resources.resource_groups.begin_delete(name)).result()
