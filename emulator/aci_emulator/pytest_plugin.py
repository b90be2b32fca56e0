"""pytest fixtures for testing your own Azure SDK code against the emulator.

Registered on install (entry point group `pytest11`), so no conftest.py is needed:

    def test_deploy(azure_emulator):
        aci = ContainerInstanceManagementClient(
            azure_emulator.credential, azure_emulator.subscription_id, **azure_emulator.client_kwargs
        )

    @pytest.mark.azure_emulator(quota_cores=1)        # per-test settings (EmulatorConfig fields)
    @pytest.mark.azure_emulator(realistic=True)       # live-like timing (compressed_live=True)

    def test_from_environment(azure_emulator_env): ...  # AZURE_* variables set for the test

One emulator serves the whole test session (started by the first test that asks for it); each
test gets it reset to an empty cloud with a new subscription id, its own settings and no faults.
This module is imported by every pytest run once the package is installed, so it imports
nothing but pytest until a fixture is used.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from aci_emulator.server import Emulator
    from aci_emulator.testing import EmulatedSubscription

MARKER = "azure_emulator"
# Variables that would steer azure-identity away from the emulator's service principal.
_DIVERTING = ("AZURE_TOKEN_CREDENTIALS",)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(realistic=False, compressed_live=False, **settings): settings of the "
        "test's emulated Azure subscription (aci_emulator.EmulatorConfig fields, e.g. "
        "quota_cores=2, provisioning_seconds=1); realistic=True times like live ACI, "
        "compressed_live=True runs live ACI's sequence of states in about a second",
    )


@pytest.fixture(scope="session")
def azure_emulator_server() -> Iterator[Emulator]:
    """The one emulator of the test session (per xdist worker); tests use `azure_emulator`."""
    from aci_emulator.server import Emulator

    with Emulator() as emulator:
        yield emulator


def _settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The test's marker settings; a closer marker (function over class over module) wins."""
    settings: dict[str, Any] = {}
    for mark in reversed(list(request.node.iter_markers(MARKER))):
        if mark.args:
            raise TypeError(f"@pytest.mark.{MARKER} takes keyword arguments only: {mark.args!r}")
        settings.update(mark.kwargs)
    return settings


@pytest.fixture
def azure_emulator(
    request: pytest.FixtureRequest, azure_emulator_server: Emulator
) -> Iterator[EmulatedSubscription]:
    """A fresh, empty Azure subscription: credential, async_credential, subscription_id,
    client_kwargs, env, faults, config."""
    from aci_emulator.testing import EmulatedSubscription

    subscription = EmulatedSubscription.fresh(azure_emulator_server, **_settings(request))
    try:
        yield subscription
    finally:
        subscription.close()
        azure_emulator_server.faults.clear()  # a fault left over must not hit the next test


@pytest.fixture
def azure_emulator_env(
    azure_emulator: EmulatedSubscription, monkeypatch: pytest.MonkeyPatch
) -> EmulatedSubscription:
    """`azure_emulator`, with its `env` in os.environ for the test (restored afterwards)."""
    for name in _DIVERTING:
        if name in os.environ:
            monkeypatch.delenv(name)
    for name, value in azure_emulator.env.items():
        monkeypatch.setenv(name, value)
    return azure_emulator
