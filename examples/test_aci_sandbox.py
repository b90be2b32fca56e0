"""Tests of aci_sandbox, whose code names no emulator: asking for the `azure_emulator` fixture
is enough. Inside such a test the Azure SDK reaches the emulator for management.azure.com and
login.microsoftonline.com, and the environment holds the emulator's service principal and the
test's subscription (AZURE_SUBSCRIPTION_ID), so DefaultAzureCredential() works as written.
"""

from __future__ import annotations

import asyncio

import pytest
from aci_sandbox import create_sandbox, create_sandbox_aio, delete_sandbox, delete_sandbox_aio
from azure.core.exceptions import HttpResponseError
from azure.identity import DefaultAzureCredential
from azure.mgmt.resource.resources import ResourceManagementClient


def resource_groups(azure_emulator) -> list[str]:
    client = ResourceManagementClient(DefaultAzureCredential(), azure_emulator.subscription_id)
    return [group.name for group in client.resource_groups.list()]


def test_creates_then_deletes_the_sandbox(azure_emulator):
    assert create_sandbox("sandbox-1") == "Succeeded"
    assert resource_groups(azure_emulator) == ["sandbox-1"]

    delete_sandbox("sandbox-1")

    assert resource_groups(azure_emulator) == []
    # Paths match in any case, as ARM's: the resource client sends `resourcegroups`.
    group = f"/subscriptions/{azure_emulator.subscription_id}/resourceGroups/sandbox-1"
    assert [r.status for r in azure_emulator.requests_to("DELETE", group)] == [202]


def test_the_same_with_the_aio_clients(azure_emulator):
    async def scenario() -> str:
        state = await create_sandbox_aio("sandbox-2")
        await delete_sandbox_aio("sandbox-2")
        await asyncio.sleep(0.05)  # aiohttp finishes closing its TLS connections
        return state

    assert asyncio.run(scenario()) == "Succeeded"
    assert resource_groups(azure_emulator) == []


@pytest.mark.azure_emulator(quota_cores=0.5)
def test_a_full_quota_reaches_the_code_as_azures_error(azure_emulator):
    with pytest.raises(HttpResponseError) as raised:
        create_sandbox("sandbox-3")
    assert raised.value.error.code == "ContainerGroupQuotaReached"
