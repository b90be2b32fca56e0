"""One test's view of a running emulator: a fresh subscription, credentials and client settings.

The pytest plugin hands one of these to each test (`azure_emulator`); it also serves any other
test runner:

    with Emulator() as emu:
        sub = EmulatedSubscription.fresh(emu)
        client = ContainerInstanceManagementClient(sub.credential, sub.subscription_id,
                                                   **sub.client_kwargs)

azure-identity (and aiohttp, for `async_credential`) are imported only when used.
"""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
from functools import cached_property
from typing import TYPE_CHECKING, Any

from aci_emulator.config import EmulatorConfig
from aci_emulator.server import Emulator, EmulatorInfo

if TYPE_CHECKING:
    from azure.identity import ClientSecretCredential
    from azure.identity.aio import ClientSecretCredential as AsyncClientSecretCredential

    from aci_emulator.faults import FaultInjector

ARM_SCOPE = "https://management.azure.com/.default"
# Seconds between polls of a long-running operation. The emulator's Retry-After (which the SDK
# prefers to any polling interval) is as short, so that code with the SDK's default 30 s polling
# does not wait either; a `realistic` test sends none, as live ACI, and then this applies.
POLL_SECONDS = 0.05
# What differs from EmulatorConfig's defaults in a test: waits as short as the SDK allows.
TEST_DEFAULTS: dict[str, Any] = {"retry_after_seconds": POLL_SECONDS}


def config_for_test(
    emulator: Emulator, *, realistic: bool = False, compressed_live: bool = False, **settings: Any
) -> EmulatorConfig:
    """Settings for one test: TEST_DEFAULTS, or a preset (EmulatorConfig.realistic(),
    EmulatorConfig.compressed_live()), then `settings`.

    The running server's address and identity are kept; the subscription id is new.
    """
    fields = {f.name for f in dataclasses.fields(EmulatorConfig)}
    unknown = sorted(set(settings) - fields)
    if unknown:
        raise TypeError(
            f"Unknown emulator setting(s) {', '.join(unknown)}; use realistic=True, "
            f"compressed_live=True or any of: {', '.join(sorted(fields))}."
        )
    fixed = sorted(set(settings) & set(Emulator.FIXED_SETTINGS))
    if fixed:
        raise TypeError(f"{', '.join(fixed)} cannot be set per test (fixed for the test session).")
    if realistic and compressed_live:
        raise TypeError("Choose one of realistic=True and compressed_live=True.")
    values = {name: getattr(emulator.config, name) for name in Emulator.FIXED_SETTINGS}
    values["subscription_id"] = str(uuid.uuid4())
    if realistic:
        return EmulatorConfig.realistic(**values, **settings)
    if compressed_live:
        return EmulatorConfig.compressed_live(**values, **settings)
    return EmulatorConfig(**{**TEST_DEFAULTS, **values, **settings})


class EmulatedSubscription:
    """A fresh, empty subscription of a running emulator, and how to reach it."""

    def __init__(self, emulator: Emulator) -> None:
        if emulator.info is None:
            raise RuntimeError("Start the emulator first.")
        self.emulator = emulator
        self.info: EmulatorInfo = emulator.info
        self._credentials: list[Any] = []

    @classmethod
    def fresh(cls, emulator: Emulator, **settings: Any) -> EmulatedSubscription:
        """Reset `emulator` to an empty cloud with these settings (see config_for_test); its
        one subscription is new."""
        emulator.reset(config_for_test(emulator, **settings))
        return cls(emulator)

    @property
    def subscription_id(self) -> str:
        return self.info.subscription_id

    @property
    def config(self) -> EmulatorConfig:
        """The settings in force; a change applies from the next request on."""
        return self.emulator.config

    @property
    def faults(self) -> FaultInjector:
        """Fault injection: `faults.inject("status", status=429, times=2)` and so on."""
        return self.emulator.faults

    @property
    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments that aim any azure-mgmt-* client, sync or async, at the emulator."""
        return {
            "base_url": self.info.arm_endpoint,
            "credential_scopes": [ARM_SCOPE],
            "connection_verify": self.info.ca_bundle,
            "polling_interval": POLL_SECONDS,
        }

    @property
    def env(self) -> dict[str, str]:
        """The environment variables of code that configures itself from the environment."""
        return {
            "AZURE_TENANT_ID": self.info.tenant_id,
            "AZURE_CLIENT_ID": self.info.client_id,
            "AZURE_CLIENT_SECRET": self.info.client_secret,
            "AZURE_AUTHORITY_HOST": self.info.authority_host,
            "AZURE_SUBSCRIPTION_ID": self.info.subscription_id,
            "AZURE_RESOURCE_MANAGER_ENDPOINT": self.info.arm_endpoint,
            "REQUESTS_CA_BUNDLE": self.info.ca_bundle,
        }

    def _credential_kwargs(self) -> dict[str, Any]:
        return {
            "tenant_id": self.info.tenant_id,
            "client_id": self.info.client_id,
            "client_secret": self.info.client_secret,
            "authority": self.info.authority_host,
            # A private authority: there is no Entra ID instance metadata to discover.
            "disable_instance_discovery": True,
            "connection_verify": self.info.ca_bundle,
        }

    @cached_property
    def credential(self) -> ClientSecretCredential:
        """A sync azure-identity credential for this subscription's service principal."""
        from azure.identity import ClientSecretCredential

        credential = ClientSecretCredential(**self._credential_kwargs())
        self._credentials.append(credential)
        return credential

    @cached_property
    def async_credential(self) -> AsyncClientSecretCredential:
        """The same, from azure.identity.aio, for the SDK's aio clients (needs aiohttp)."""
        from azure.identity.aio import ClientSecretCredential

        credential = ClientSecretCredential(**self._credential_kwargs())
        self._credentials.append(credential)
        return credential

    def close(self) -> None:
        """Close the credentials handed out; an async one too, when its test ran its loop to the
        end (asyncio.run) and left it open. One whose loop is still open is the test's to close
        (`async with credential:`): it cannot be closed from another loop."""
        for credential in self._credentials:
            result = credential.close()
            if hasattr(result, "__await__"):
                _close_on_a_loop_of_our_own(result)
        self._credentials.clear()


def _close_on_a_loop_of_our_own(closing: Any) -> None:
    import asyncio

    async def run() -> None:
        await closing

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:  # called from a coroutine: blocking its loop would deadlock
        closing.close()
        return
    # RuntimeError, ValueError: its connections belong to a loop that is still open.
    with contextlib.suppress(RuntimeError, ValueError):
        asyncio.run(run())
