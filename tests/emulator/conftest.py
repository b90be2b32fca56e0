"""Fixtures for the emulator tests: a shared emulator driven by the real SDK, fresh ones on demand
(the pytest plugin's own session emulator, reset, where that fits).

The shared emulator lives for the whole session; every test works in its own uniquely named
resource group, so tests never see each other's container groups. A test that needs a special
configuration (a small quota, slow provisioning, tiny pages) asks `make_emulator` for its own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aci_builders import OTHER_SUBSCRIPTION, OTHER_TENANT, Clients, Raw, clients_for, unique
from azure.core.exceptions import ResourceNotFoundError

from aci_emulator import Emulator, EmulatorConfig
from aci_emulator.testing import EmulatedSubscription

# A subscription of another tenant that the shared emulator also knows.


@pytest.fixture(scope="session")
def emu() -> Iterator[Emulator]:
    # A quota large enough that leftover groups of one test never limit another test.
    config = EmulatorConfig(
        quota_cores=10_000,
        extra_subscriptions={OTHER_SUBSCRIPTION: OTHER_TENANT},
    )
    with Emulator(config) as emulator:
        yield emulator


@pytest.fixture(scope="session")
def sdk(emu: Emulator) -> Clients:
    return clients_for(emu)


@pytest.fixture(scope="session")
def info(emu: Emulator):
    return emu.info


@pytest.fixture(scope="session")
def rm(sdk: Clients):
    return sdk.rm


@pytest.fixture(scope="session")
def aci(sdk: Clients):
    return sdk.aci


@pytest.fixture
def raw(sdk: Clients) -> Raw:
    return sdk.raw()


@pytest.fixture
def rg_name() -> str:
    """A unique resource group name (not created)."""
    return unique("test-rg")


@pytest.fixture
def cg_name() -> str:
    """A unique container group name."""
    return unique("cg")


@pytest.fixture
def rg(sdk: Clients, rg_name: str) -> Iterator[str]:
    """A resource group in eastus, deleted (with everything in it) after the test."""
    sdk.create_rg(rg_name)
    yield rg_name
    with contextlib.suppress(ResourceNotFoundError):  # unless the test deleted it itself
        sdk.rm.resource_groups.begin_delete(rg_name).result()


@pytest.fixture
def make_emulator(azure_emulator_server: Emulator) -> Iterator[Callable[..., Clients]]:
    """An emulator with its own configuration. A test's first is the pytest plugin's session
    emulator, reset to a new instance's state with these settings (microseconds, where a new
    instance costs a certificate authority, a signing key and a server); a second one, or
    settings fixed while a server runs (token lifetime, identities), is a new instance, stopped
    after the test."""
    started: list[Emulator] = []
    shared_in_use = False

    def make(**config: Any) -> Clients:
        nonlocal shared_in_use
        if not shared_in_use and not set(config) & set(Emulator.FIXED_SETTINGS):
            shared_in_use = True
            EmulatedSubscription.fresh(azure_emulator_server, **config)
            return clients_for(azure_emulator_server)
        emulator = Emulator(EmulatorConfig(**config))
        emulator.start()
        started.append(emulator)
        return clients_for(emulator)

    yield make
    for emulator in started:
        emulator.stop()
