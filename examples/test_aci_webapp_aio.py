"""The async variant against the emulator: the SDK's aio clients with `async_credential`.

Each test runs its coroutine with `run` (asyncio.run), so no async test plugin is needed; with
pytest-asyncio or anyio the bodies are the same, marked async.
"""

from __future__ import annotations

import asyncio

import pytest
from aci_webapp_aio import delete_web_app, deploy_web_app
from azure.core.exceptions import HttpResponseError
from azure.mgmt.containerinstance.aio import ContainerInstanceManagementClient
from azure.mgmt.resource.resources.aio import ResourceManagementClient

LOCATION = "westeurope"


def run(coroutine):
    """asyncio.run, leaving aiohttp a moment to finish closing its TLS connections.

    Without it, a connection still closing when the loop ends is reported as an unclosed
    transport (aiohttp's documentation, "Graceful Shutdown", recommends this short sleep).
    """

    async def main():
        try:
            return await coroutine
        finally:
            await asyncio.sleep(0.05)

    return asyncio.run(main())


async def deploy_and_delete(azure_emulator) -> tuple[str, list[str]]:
    credential, sub = azure_emulator.async_credential, azure_emulator.subscription_id
    async with (
        credential,
        ResourceManagementClient(credential, sub, **azure_emulator.client_kwargs) as resources,
        ContainerInstanceManagementClient(credential, sub, **azure_emulator.client_kwargs) as aci,
    ):
        await resources.resource_groups.create_or_update("web-rg", {"location": LOCATION})
        fqdn = await deploy_web_app(
            aci, "web-rg", "web", location=LOCATION, dns_label="my-async-app"
        )
        await delete_web_app(aci, "web-rg", "web")
        left = [group.name async for group in aci.container_groups.list()]
    return fqdn, left


def test_deploys_and_deletes_with_the_aio_clients(azure_emulator):
    fqdn, left = run(deploy_and_delete(azure_emulator))

    assert fqdn == "my-async-app.westeurope.azurecontainer.io"
    assert left == []


@pytest.mark.azure_emulator(quota_cores=0.5)
def test_errors_are_the_same_sdk_exceptions(azure_emulator):
    with pytest.raises(HttpResponseError) as raised:
        run(deploy_and_delete(azure_emulator))

    assert raised.value.error.code == "ContainerGroupQuotaReached"
    assert "Limit: '0.5', Usage: '0' Requested: '1'" in raised.value.error.message


def test_throttling_is_retried_through(azure_emulator):
    throttle = azure_emulator.faults.inject(
        "status", status=429, retry_after=1, method="PUT", path="**/containerGroups/*", times=2
    )

    fqdn, _ = run(deploy_and_delete(azure_emulator))

    assert fqdn == "my-async-app.westeurope.azurecontainer.io"
    assert throttle.fired == 2
