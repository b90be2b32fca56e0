"""A user's test file, copied into a folder outside this project and run there (no conftest.py).

It uses only the documented fixtures and attributes: unchanged code, sync clients, async
clients, code that configures itself from the environment, an error case, faults and per-test
settings.
"""

import asyncio
import os

import pytest
from azure.core.exceptions import HttpResponseError
from azure.identity import DefaultAzureCredential
from azure.mgmt.containerinstance import ContainerInstanceManagementClient
from azure.mgmt.containerinstance.aio import (
    ContainerInstanceManagementClient as AsyncContainerInstanceManagementClient,
)
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.resources.aio import (
    ResourceManagementClient as AsyncResourceManagementClient,
)

GROUP = {
    "location": "eastus",
    "os_type": "Linux",
    "containers": [
        {
            "name": "app",
            "image": "mcr.microsoft.com/azuredocs/aci-helloworld",
            "resources": {"requests": {"cpu": 1.0, "memory_in_gb": 1.5}},
        }
    ],
}


def test_sync_clients(azure_emulator):
    kwargs = azure_emulator.client_kwargs
    resources = ResourceManagementClient(
        azure_emulator.credential, azure_emulator.subscription_id, **kwargs
    )
    aci = ContainerInstanceManagementClient(
        azure_emulator.credential, azure_emulator.subscription_id, **kwargs
    )
    assert list(resources.resource_groups.list()) == []  # a fresh, empty subscription
    resources.resource_groups.create_or_update("rg", {"location": "eastus"})
    group = aci.container_groups.begin_create_or_update("rg", "app", GROUP).result()
    assert group.provisioning_state == "Succeeded"


def test_async_clients(azure_emulator):
    async def main():
        credential, sub = azure_emulator.async_credential, azure_emulator.subscription_id
        kwargs = azure_emulator.client_kwargs
        async with (
            credential,
            AsyncResourceManagementClient(credential, sub, **kwargs) as resources,
            AsyncContainerInstanceManagementClient(credential, sub, **kwargs) as aci,
        ):
            await resources.resource_groups.create_or_update("rg", {"location": "eastus"})
            poller = await aci.container_groups.begin_create_or_update("rg", "app", GROUP)
            group = await poller.result()
            names = [g.name async for g in aci.container_groups.list()]
        await asyncio.sleep(0.05)  # aiohttp finishes closing its TLS connections
        return group, names

    group, names = asyncio.run(main())
    assert group.provisioning_state == "Succeeded"
    assert names == ["app"]


def test_code_configured_from_the_environment(azure_emulator_env):
    assert os.environ["AZURE_SUBSCRIPTION_ID"] == azure_emulator_env.subscription_id
    credential = DefaultAzureCredential(disable_instance_discovery=True)
    resources = ResourceManagementClient(
        credential,
        os.environ["AZURE_SUBSCRIPTION_ID"],
        base_url=os.environ["AZURE_RESOURCE_MANAGER_ENDPOINT"],
    )
    resources.resource_groups.create_or_update("from-env", {"location": "eastus"})
    assert [rg.name for rg in resources.resource_groups.list()] == ["from-env"]


@pytest.mark.azure_emulator(quota_cores=0.5)
def test_an_error_case(azure_emulator):
    assert azure_emulator.config.quota_cores == 0.5
    kwargs = azure_emulator.client_kwargs
    resources = ResourceManagementClient(
        azure_emulator.credential, azure_emulator.subscription_id, **kwargs
    )
    aci = ContainerInstanceManagementClient(
        azure_emulator.credential, azure_emulator.subscription_id, **kwargs
    )
    resources.resource_groups.create_or_update("rg", {"location": "eastus"})
    with pytest.raises(HttpResponseError) as raised:
        aci.container_groups.begin_create_or_update("rg", "app", GROUP).result()
    assert raised.value.error.code == "ContainerGroupQuotaReached"


def test_a_fault(azure_emulator):
    azure_emulator.faults.inject("status", status=500, method="GET", path="**/resourcegroups")
    resources = ResourceManagementClient(
        azure_emulator.credential,
        azure_emulator.subscription_id,
        retry_total=0,
        **azure_emulator.client_kwargs,
    )
    with pytest.raises(HttpResponseError) as raised:
        list(resources.resource_groups.list())
    assert raised.value.status_code == 500
    assert raised.value.error.code == "InternalServerError"


def test_unchanged_code(azure_emulator):
    """Code written for Azure, with no emulator settings at all."""
    credential = DefaultAzureCredential()
    subscription = os.environ["AZURE_SUBSCRIPTION_ID"]
    resources = ResourceManagementClient(credential, subscription)
    aci = ContainerInstanceManagementClient(credential, subscription)
    resources.resource_groups.create_or_update("rg", {"location": "eastus"})
    aci.container_groups.begin_create_or_update("rg", "app", GROUP).result()
    resources.resource_groups.begin_delete("rg").result()

    assert list(resources.resource_groups.list()) == []
    assert ("DELETE", 202) in [(r.method, r.status) for r in azure_emulator.requests]
