"""pytest fixtures for testing your own Azure SDK code against the emulator.

Registered on install (entry point group `pytest11`), so no conftest.py is needed:

    def test_deploy(azure_emulator):          # code that builds DefaultAzureCredential() and
        assert my_code.deploy() == "..."      # its clients for Azure runs unchanged

    @pytest.mark.azure_emulator(quota_cores=1)        # per-test settings (EmulatorConfig fields)
    @pytest.mark.azure_emulator(realistic=True)       # live-like timing (compressed_live=True)
    @pytest.mark.azure_emulator(route_azure_hosts=False)  # explicit settings only (client_kwargs)

    def test_from_environment(azure_emulator_env): ...  # the emulator's AZURE_* variables set

One emulator serves the whole test session (started by the first test that asks for it); each
test gets it reset to a new instance's state with a new subscription id and its own settings
(`azure_emulator_config`, then markers). During the test the SDK's transports send Azure's
public endpoints to it (sdk_redirect.py), the emulator's request log fills `azure_emulator.requests`,
and a fault injected that never fires fails the test at teardown.
This module is imported by every pytest run once the package is installed, so it imports
nothing but pytest until a fixture is used.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from aci_emulator.server import Emulator
    from aci_emulator.testing import EmulatedSubscription

MARKER = "azure_emulator"
# Variables that would steer azure-identity away from the emulator's service principal, or
# (while Azure's hosts are routed here) name endpoints that are not Azure's public ones.
_DIVERTING = ("AZURE_TOKEN_CREDENTIALS",)
_ROUTED_DIVERTING = (
    "AZURE_AUTHORITY_HOST",
    "AZURE_RESOURCE_MANAGER_ENDPOINT",
    "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    "AZURE_USERNAME",
    "AZURE_PASSWORD",
    "AZURE_FEDERATED_TOKEN_FILE",
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(realistic=False, compressed_live=False, **settings): settings of the "
        "test's emulated Azure subscription (aci_emulator.EmulatorConfig fields, e.g. "
        "quota_cores=2, provisioning_seconds=1, and the plugin's route_azure_hosts, "
        "poll_seconds, assert_all_faults_fired); realistic=True times like live ACI, "
        "compressed_live=True runs live ACI's sequence of states in about a second. A test "
        "with the marker uses the azure_emulator fixture",
    )


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Remember whether the test itself failed: then its unfired faults are no news."""
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


@pytest.fixture(scope="session")
def azure_emulator_server() -> Iterator[Emulator]:
    """The one emulator of the test session (per xdist worker); tests use `azure_emulator`."""
    from aci_emulator.server import Emulator

    with Emulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def azure_emulator_config() -> dict[str, Any]:
    """Settings for every test in its scope (override it in a conftest.py or test module, as
    pytest-recording's `vcr_config`); a test's marker adds to them and wins."""
    return {}


def _settings(request: pytest.FixtureRequest, base: dict[str, Any]) -> dict[str, Any]:
    """`base`, then the test's markers; a closer marker (function over class over module) wins."""
    settings: dict[str, Any] = dict(base)
    for mark in reversed(list(request.node.iter_markers(MARKER))):
        if mark.args:
            raise TypeError(f"@pytest.mark.{MARKER} takes keyword arguments only: {mark.args!r}")
        settings.update(mark.kwargs)
    return settings


@pytest.fixture
def azure_emulator(
    request: pytest.FixtureRequest,
    azure_emulator_server: Emulator,
    azure_emulator_config: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[EmulatedSubscription]:
    """A fresh, empty Azure subscription: credential, async_credential, subscription_id,
    client_kwargs, env, faults, config, requests (arm_requests, requests_to). Unless route_azure_hosts=False, the SDK's
    transports reach it for Azure's public endpoints, and the environment names its principal."""
    from aci_emulator.sdk_redirect import route_to_emulator
    from aci_emulator.testing import EmulatedSubscription, split_settings

    plugin, settings = split_settings(_settings(request, azure_emulator_config))
    subscription = EmulatedSubscription.fresh(azure_emulator_server, **settings)
    with contextlib.ExitStack() as stack:
        stack.callback(subscription.close)
        if plugin["route_azure_hosts"]:
            for name in (*_DIVERTING, *_ROUTED_DIVERTING):
                monkeypatch.delenv(name, raising=False)
            for name, value in subscription.routed_env.items():
                monkeypatch.setenv(name, value)
            stack.enter_context(route_to_emulator(subscription.info, plugin["poll_seconds"]))
        subscription.start_request_log()
        stack.callback(subscription.stop_request_log)
        yield subscription
        unfired = subscription.unfired_faults()
        azure_emulator_server.faults.clear()  # a fault left over must not hit the next test
        failed = request.node.stash.get(_CALL_FAILED, False)
        if unfired and plugin["assert_all_faults_fired"] and not failed:
            listed = "; ".join(
                f"{f.kind} {f.method} {f.path!r}"
                + (f" status={f.status}" if f.kind == "status" else "")
                for f in unfired
            )
            pytest.fail(
                f"{len(unfired)} injected fault(s) never fired: {listed}. The code under test "
                "did not send the request they match. If that is expected, mark the test "
                f"@pytest.mark.{MARKER}(assert_all_faults_fired=False).",
                pytrace=False,
            )


@pytest.fixture(autouse=True)
def _azure_emulator_for_the_marker(request: pytest.FixtureRequest) -> None:
    """A test with the marker gets the emulator (and routing) without naming the fixture."""
    if "azure_emulator" not in request.fixturenames and request.node.get_closest_marker(MARKER):
        request.getfixturevalue("azure_emulator")


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
