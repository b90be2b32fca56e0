"""Every long-running operation of both management packages, sync and async, under the plugin's
defaults, from code that names no emulator: DefaultAzureCredential() and the clients built with
nothing but the subscription id, as code written for Azure builds them.

The slow variant keeps each operation in progress for a while, so that the SDK polls with the
emulator's Retry-After (whole seconds, as ARM sends it: azure-mgmt-resource 26 reads a resource
group delete's as an int) and the routed transports keep the polls short.
"""

from __future__ import annotations

import asyncio
import os

import pytest
from azure.core.exceptions import ResourceNotFoundError
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

GROUP = ContainerGroup(
    location="eastus",
    os_type="Linux",
    tags={"v": "1"},
    containers=[
        Container(
            name="web",
            image="mcr.microsoft.com/azuredocs/aci-helloworld",
            resources=ResourceRequirements(requests=ResourceRequests(cpu=1, memory_in_gb=1.5)),
        )
    ],
)
TIMINGS = [
    pytest.param({}, id="defaults"),
    pytest.param(
        {"provisioning_seconds": 0.3, "resource_group_delete_seconds": 0.3, "retry_after": 1},
        id="in-progress-with-retry-after",
    ),
]


def lifecycle() -> list[str]:
    """Each operation in turn, with what the resource looks like after it."""
    subscription = os.environ["AZURE_SUBSCRIPTION_ID"]
    credential = DefaultAzureCredential()
    resources = ResourceManagementClient(credential, subscription)
    aci = ContainerInstanceManagementClient(credential, subscription)
    seen = []
    resources.resource_groups.create_or_update("rg", {"location": "eastus"})
    group = aci.container_groups.begin_create_or_update("rg", "cg", GROUP).result()
    seen.append(f"create {group.provisioning_state}")
    group = aci.container_groups.update("rg", "cg", {"tags": {"v": "2"}})
    seen.append(f"update {group.tags['v']}")
    aci.container_groups.stop("rg", "cg")
    seen.append(f"stop {aci.container_groups.get('rg', 'cg').instance_view.state}")
    aci.container_groups.begin_start("rg", "cg").result()
    seen.append(f"start {aci.container_groups.get('rg', 'cg').instance_view.state}")
    aci.container_groups.begin_restart("rg", "cg").result()
    seen.append(f"restart {aci.container_groups.get('rg', 'cg').instance_view.state}")
    deleted = aci.container_groups.begin_delete("rg", "cg").result()
    seen.append(f"delete {deleted.name}")
    resources.resource_groups.begin_delete("rg").result()
    seen.append(f"resource group exists {resources.resource_groups.check_existence('rg')}")
    return seen


async def lifecycle_aio() -> list[str]:
    subscription = os.environ["AZURE_SUBSCRIPTION_ID"]
    seen = []
    async with (
        AsyncDefaultAzureCredential() as credential,
        AsyncResourceManagementClient(credential, subscription) as resources,
        AsyncContainerInstanceManagementClient(credential, subscription) as aci,
    ):
        groups = aci.container_groups
        await resources.resource_groups.create_or_update("rg", {"location": "eastus"})
        group = await (await groups.begin_create_or_update("rg", "cg", GROUP)).result()
        seen.append(f"create {group.provisioning_state}")
        group = await groups.update("rg", "cg", {"tags": {"v": "2"}})
        seen.append(f"update {group.tags['v']}")
        await groups.stop("rg", "cg")
        seen.append(f"stop {(await groups.get('rg', 'cg')).instance_view.state}")
        await (await groups.begin_start("rg", "cg")).result()
        seen.append(f"start {(await groups.get('rg', 'cg')).instance_view.state}")
        await (await groups.begin_restart("rg", "cg")).result()
        seen.append(f"restart {(await groups.get('rg', 'cg')).instance_view.state}")
        deleted = await (await groups.begin_delete("rg", "cg")).result()
        seen.append(f"delete {deleted.name}")
        await (await resources.resource_groups.begin_delete("rg")).result()
        exists = await resources.resource_groups.check_existence("rg")
        seen.append(f"resource group exists {exists}")
    await asyncio.sleep(0.05)  # aiohttp finishes closing its TLS connections
    return seen


EXPECTED = [
    "create Succeeded",
    "update 2",
    "stop Stopped",
    "start Running",
    "restart Running",
    "delete cg",
    "resource group exists False",
]


def retry_after_values(azure_emulator) -> set[str]:
    config = azure_emulator.config
    return {str(config.retry_after)} if config.retry_after is not None else set()


@pytest.mark.parametrize("timing", TIMINGS)
def test_every_operation_sync(azure_emulator, timing):
    for name, value in timing.items():
        setattr(azure_emulator.config, name, value)

    assert lifecycle() == EXPECTED
    deletes = [r for r in azure_emulator.requests if r.method == "DELETE"]
    assert [r.status for r in deletes] == [200, 202]  # ACI's delete is done at once, ARM's not
    polls = [r for r in azure_emulator.requests if "/operationresults/" in r.path]
    assert polls and polls[-1].status == 200


@pytest.mark.parametrize("timing", TIMINGS)
def test_every_operation_async(azure_emulator, timing):
    for name, value in timing.items():
        setattr(azure_emulator.config, name, value)

    assert asyncio.run(lifecycle_aio()) == EXPECTED
    polls = [r for r in azure_emulator.requests if "/operationresults/" in r.path]
    assert polls and polls[-1].status == 200


@pytest.mark.azure_emulator(retry_after_seconds=1)
def test_the_former_setting_name_still_works_and_says_so(recwarn, azure_emulator):
    # recwarn, set up before the fixture, holds what the marker's old name warned.
    [warned] = [w for w in recwarn if issubclass(w.category, DeprecationWarning)]
    assert str(warned.message) == "The setting retry_after_seconds= is now retry_after=."
    assert azure_emulator.config.retry_after == 1


def test_copying_a_config_does_not_warn_of_the_former_name():
    import dataclasses
    import warnings

    from aci_emulator import EmulatorConfig

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        copied = dataclasses.replace(EmulatorConfig(retry_after=2), page_size=3)
    assert (copied.retry_after, copied.page_size) == (2, 3)


def test_a_fractional_retry_after_is_refused_by_name():
    from aci_emulator import EmulatorConfig

    with pytest.raises(ValueError, match="retry_after must be whole seconds"):
        EmulatorConfig(retry_after=0.05)


def test_the_resource_group_is_gone_for_the_sdk_too(azure_emulator):
    lifecycle()
    aci = ContainerInstanceManagementClient(
        DefaultAzureCredential(), azure_emulator.subscription_id
    )
    with pytest.raises(ResourceNotFoundError) as raised:
        aci.container_groups.get("rg", "cg")
    assert raised.value.error.code == "ResourceGroupNotFound"
