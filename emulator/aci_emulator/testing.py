"""One test's view of a running emulator: a fresh subscription, credentials and client settings.

The pytest plugin hands one of these to each test (`azure_emulator`); it also serves any other
test runner:

    with Emulator() as emu:
        sub = EmulatedSubscription.fresh(emu)
        client = ContainerInstanceManagementClient(sub.credential, sub.subscription_id,
                                                   **sub.client_kwargs)

azure-identity (and aiohttp, for `async_credential`) are imported only when used.

Also the project's one way to run the emulator as a separate process (`ServerProcess`, as a
user runs `python -m aci_emulator serve`) and to fetch a raw token (`raw_token`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
import warnings
from functools import cached_property
from typing import TYPE_CHECKING, Any

from aci_emulator.__main__ import notebook_variables
from aci_emulator.config import EmulatorConfig
from aci_emulator.request_log import LoggedRequest, RequestLog
from aci_emulator.server import Emulator, EmulatorInfo
from aci_emulator.server_process import ServerProcess, raw_token

__all__ = [
    "EmulatedSubscription",
    "LoggedRequest",
    "ServerProcess",
    "config_for_test",
    "raw_token",
    "split_settings",
]

if TYPE_CHECKING:
    from azure.identity import ClientSecretCredential
    from azure.identity.aio import ClientSecretCredential as AsyncClientSecretCredential

    from aci_emulator.faults import Fault, FaultInjector

# The variables of `env`: the notebook's, but for its choice of target (ACI_TUTORIAL_TARGET).
_ENV = ("AZURE_", "REQUESTS_CA_BUNDLE")
ARM_SCOPE = "https://management.azure.com/.default"
# Seconds between polls of a long-running operation: `client_kwargs`' polling_interval, which the
# SDK uses when the emulator sends no Retry-After (`realistic`, as live ACI), and the longest
# sleep of the SDK's transports while Azure's endpoints are routed here (see sdk_redirect.py), which
# covers ARM's whole-second Retry-After and the SDK's default 30 s polling of unchanged code.
POLL_SECONDS = 0.05
# Settings of the pytest plugin itself, beside EmulatorConfig's, with their defaults.
PLUGIN_DEFAULTS: dict[str, Any] = {
    # The SDK's transports send management.azure.com and login.microsoftonline.com here, and
    # refuse other Azure hosts (sdk_redirect.py).
    "route_azure_hosts": True,
    # The longest sleep of the SDK's transports while routed (polls, retries).
    "poll_seconds": POLL_SECONDS,
    # A fault that never fired fails the test at teardown (as responses' unused requests do).
    "assert_all_faults_fired": True,
}
# Settings fixed while the server runs (its address and identity): never set per test.
FIXED = frozenset(Emulator.FIXED_SETTINGS)
# Former names of settings: one name per setting across faults, the marker and serve's flags.
RENAMED = {"retry_after_seconds": "retry_after"}


def split_settings(settings: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the plugin's own settings, with defaults filled in; the emulator's settings)."""
    plugin = {**PLUGIN_DEFAULTS, **{k: v for k, v in settings.items() if k in PLUGIN_DEFAULTS}}
    for name in ("route_azure_hosts", "assert_all_faults_fired"):
        if not isinstance(plugin[name], bool):
            raise TypeError(f"{name} must be True or False, not {plugin[name]!r}.")
    seconds = plugin["poll_seconds"]
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds >= 0:
        raise TypeError(f"poll_seconds must be a number of seconds, 0 or more, not {seconds!r}.")
    return plugin, {k: v for k, v in settings.items() if k not in PLUGIN_DEFAULTS}


def _current_names(settings: dict[str, Any]) -> dict[str, Any]:
    for old, new in RENAMED.items():
        if old in settings:
            warnings.warn(f"The setting {old}= is now {new}=.", DeprecationWarning, stacklevel=4)
            settings = {new: settings[old], **{k: v for k, v in settings.items() if k != old}}
    return settings


def _subscription_id(pinned: object) -> str:
    """`pinned` (a subscription id: a GUID, as Azure's), or a new one."""
    if pinned is None:
        return str(uuid.uuid4())
    try:
        uuid.UUID(pinned if isinstance(pinned, str) and len(pinned) == 36 else "")
    except ValueError:
        raise TypeError(
            f"subscription_id must be a GUID, as Azure's are, not {pinned!r}."
        ) from None
    return str(pinned)


def config_for_test(
    emulator: Emulator, *, realistic: bool = False, compressed_live: bool = False, **settings: Any
) -> EmulatorConfig:
    """Settings for one test: EmulatorConfig's defaults, or a preset (EmulatorConfig.realistic(),
    EmulatorConfig.compressed_live()), then `settings`.

    The running server's address and identity are kept; the subscription id is new, unless
    `subscription_id` pins one.
    """
    settings = _current_names(settings)
    fixed = sorted(set(settings) & FIXED)
    if fixed:
        raise TypeError(f"{', '.join(fixed)} cannot be set per test (fixed for the test session).")
    per_test = sorted({f.name for f in dataclasses.fields(EmulatorConfig)} - FIXED)
    unknown = sorted(set(settings) - set(per_test))
    if unknown:
        raise TypeError(
            f"Unknown emulator setting(s) {', '.join(unknown)}; use realistic=True, "
            f"compressed_live=True, any of {', '.join(PLUGIN_DEFAULTS)} (pytest plugin) or any "
            f"of: {', '.join(per_test)}."
        )
    if realistic and compressed_live:
        raise TypeError("Choose one of realistic=True and compressed_live=True.")
    values = {name: getattr(emulator.config, name) for name in Emulator.FIXED_SETTINGS}
    # A new subscription per test, unless the test pins one (code that keeps its subscription id
    # or its client for the session then finds the same, emptied, subscription each test).
    values["subscription_id"] = _subscription_id(settings.pop("subscription_id", None))
    if realistic:
        return EmulatorConfig.realistic(**values, **settings)
    if compressed_live:
        return EmulatorConfig.compressed_live(**values, **settings)
    return EmulatorConfig(**values, **settings)


class EmulatedSubscription:
    """A fresh, empty subscription of a running emulator, and how to reach it."""

    def __init__(self, emulator: Emulator) -> None:
        if emulator.info is None:
            raise RuntimeError("Start the emulator first.")
        self.emulator = emulator
        self.info: EmulatorInfo = emulator.info
        self._credentials: list[Any] = []
        self._log = RequestLog()

    @classmethod
    def fresh(cls, emulator: Emulator, **settings: Any) -> EmulatedSubscription:
        """Reset `emulator` to a new instance's state with these settings (see config_for_test):
        an empty cloud, a new subscription, no faults, a new clock, and only the service
        principal it started with, with its first secret."""
        if emulator.info is not None:  # a test may have changed the config's copy of the identity
            for name in ("tenant_id", "client_id", "client_secret"):
                setattr(emulator.config, name, getattr(emulator.info, name))
        emulator.reset(config_for_test(emulator, **settings))
        if emulator.identity is not None and emulator.info is not None:
            emulator.identity.reset(emulator.info.client_id, emulator.info.client_secret)
        return cls(emulator)

    @property
    def requests(self) -> list[LoggedRequest]:
        """The requests the emulator answered since `start_request_log()` (the plugin starts it
        before the test), oldest first."""
        return list(self._log.entries)

    @property
    def arm_requests(self) -> list[LoggedRequest]:
        """`requests` to Resource Manager alone: without the credentials' discovery and token
        requests to Entra ID, or the emulator's admin routes."""
        return [r for r in self._log.entries if r.service == "arm"]

    def requests_to(self, method: str, path: str) -> list[LoggedRequest]:
        """The requests answered for `method` `path` (any query), the path compared
        case-insensitively, as ARM compares it: `resourceGroups` and `resourcegroups` alike."""
        return [r for r in self._log.entries if r.is_to(method, path)]

    def start_request_log(self) -> None:
        self._log.attach()

    def stop_request_log(self) -> None:
        self._log.detach()

    def unfired_faults(self) -> list[Fault]:
        """The faults injected that have not fired once."""
        return [fault for fault in self.faults.active() if fault.fired == 0]

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
        """The environment variables of code that configures itself from the environment, and
        names the emulator's endpoints (the notebook's, but for its choice of target)."""
        return {k: v for k, v in notebook_variables(self.info).items() if k.startswith(_ENV)}

    @property
    def routed_env(self) -> dict[str, str]:
        """What unchanged code reads while Azure's endpoints are routed here: the service
        principal (for EnvironmentCredential, first in DefaultAzureCredential) and the
        subscription; no endpoint, as the code's are Azure's own."""
        names = ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET")
        return {k: v for k, v in self.env.items() if k in (*names, "AZURE_SUBSCRIPTION_ID")}

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
