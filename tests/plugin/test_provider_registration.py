"""A provider that is not registered: azure-mgmt-core registers it and waits a fixed 10 s before
each check of its state (ARMAutoResourceProviderRegistrationPolicy), a wait that the routed
transports' cap on the SDK's sleeps covers too, for unchanged code, sync and async."""

from __future__ import annotations

import asyncio
import time

import azure.identity.aio
import pytest
from azure.identity import DefaultAzureCredential
from azure.mgmt.containerinstance import ContainerInstanceManagementClient
from azure.mgmt.containerinstance.aio import (
    ContainerInstanceManagementClient as AsyncContainerInstanceManagementClient,
)

from aci_emulator.testing import POLL_SECONDS

PROVIDER = "Microsoft.ContainerInstance"


@pytest.fixture
def unregistered(azure_emulator, azure_emulator_server):
    azure_emulator_server.set_provider_state(PROVIDER)
    return azure_emulator


def registrations(azure_emulator) -> list[tuple[str, int]]:
    return [
        (r.method, r.status)
        for r in azure_emulator.requests
        if r.path.lower().endswith(f"/providers/{PROVIDER.lower()}/register")
    ]


def test_the_sdks_registration_wait_is_capped(unregistered, monkeypatch):
    slept: list[float] = []
    real_sleep = time.sleep

    def recording_sleep(seconds: float) -> None:
        slept.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", recording_sleep)
    aci = ContainerInstanceManagementClient(DefaultAzureCredential(), unregistered.subscription_id)

    assert list(aci.container_groups.list()) == []  # after MissingSubscriptionRegistration
    assert registrations(unregistered) == [("POST", 200)]
    assert slept and max(slept) <= POLL_SECONDS  # the policy asked for 10 s


def test_the_async_registration_wait_is_capped(unregistered, monkeypatch):
    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def recording_sleep(seconds: float, *args: object) -> object:
        slept.append(seconds)
        return await real_sleep(seconds, *args)

    async def list_groups() -> list:
        async with (
            azure.identity.aio.DefaultAzureCredential() as credential,
            AsyncContainerInstanceManagementClient(credential, unregistered.subscription_id) as aci,
        ):
            groups = [group async for group in aci.container_groups.list()]
        await real_sleep(0.05)  # aiohttp closes its TLS connections
        return groups

    monkeypatch.setattr(asyncio, "sleep", recording_sleep)
    assert asyncio.run(list_groups()) == []
    assert registrations(unregistered) == [("POST", 200)]
    assert slept and max(slept) <= POLL_SECONDS


def test_the_wait_is_the_real_one_again_after_the_test():
    from azure.mgmt.core.policies import _base, _base_async

    assert _base.time is time
    assert _base_async.asyncio is asyncio
