"""The plugin's fixtures and marker, used directly (the plugin is installed here too) and, where
a claim spans tests, through pytester runs of small test files."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import importlib.metadata
import os
import warnings

# Imported here, before any pytester run: an in-process run forgets the modules it imported
# first, and a second copy of azure-identity or msal would not recognise the first's errors.
import azure.identity
import azure.identity.aio  # noqa: F401
import pytest
from azure.core.exceptions import ServiceRequestError
from azure.mgmt.containerinstance import ContainerInstanceManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.resources.aio import (
    ResourceManagementClient as AsyncResourceManagementClient,
)
from hypothesis import assume, given
from hypothesis import strategies as st

from aci_emulator import Emulator, EmulatorConfig
from aci_emulator.testing import POLL_SECONDS, config_for_test

# pytester runs small test files in-process, with the installed plugin loaded as in any project.
pytest_plugins = ["pytester"]


def resources_for(sub) -> ResourceManagementClient:
    return ResourceManagementClient(sub.credential, sub.subscription_id, **sub.client_kwargs)


def test_the_distribution_installs_one_package_and_registers_the_plugin():
    emulator = importlib.metadata.distribution("aci-emulator")
    tutorial = importlib.metadata.distribution("aci-notebook-tutorial")

    assert emulator.read_text("top_level.txt").split() == ["aci_emulator"]
    assert tutorial.read_text("top_level.txt").split() == ["helpers"]
    [plugin] = [ep for ep in emulator.entry_points if ep.group == "pytest11"]
    assert plugin.value == "aci_emulator.pytest_plugin"


def test_each_test_gets_a_fresh_empty_subscription(pytester):
    pytester.makepyfile(
        """
        import pytest
        from azure.core.exceptions import ResourceNotFoundError
        from azure.mgmt.resource.resources import ResourceManagementClient

        seen = []

        def client(sub, sub_id=None):
            return ResourceManagementClient(
                sub.credential, sub_id or sub.subscription_id, **sub.client_kwargs
            )

        def test_first(azure_emulator):
            client(azure_emulator).resource_groups.create_or_update("rg", {"location": "eastus"})
            seen.append(azure_emulator.subscription_id)

        def test_second(azure_emulator):
            assert azure_emulator.subscription_id != seen[0]
            assert list(client(azure_emulator).resource_groups.list()) == []
            with pytest.raises(ResourceNotFoundError) as raised:
                list(client(azure_emulator, seen[0]).resource_groups.list())
            assert raised.value.error.code == "SubscriptionNotFound"
        """
    )
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_faults_do_not_outlive_their_test(pytester):
    pytester.makepyfile(
        """
        import pytest
        from azure.mgmt.resource.resources import ResourceManagementClient

        @pytest.mark.azure_emulator(assert_all_faults_fired=False)
        def test_leaves_a_fault(azure_emulator):
            azure_emulator.faults.inject("status", status=500, times=None)

        def test_sees_none(azure_emulator):
            assert azure_emulator.faults.active() == []
            client = ResourceManagementClient(
                azure_emulator.credential, azure_emulator.subscription_id,
                retry_total=0, **azure_emulator.client_kwargs,
            )
            assert list(client.resource_groups.list()) == []
        """
    )
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)


@pytest.mark.azure_emulator(quota_cores=3, page_size=2)
def test_the_marker_sets_the_tests_emulator(azure_emulator):
    aci = ContainerInstanceManagementClient(
        azure_emulator.credential, azure_emulator.subscription_id, **azure_emulator.client_kwargs
    )
    assert azure_emulator.config.quota_cores == 3
    usage = {u.name.value: u.limit for u in aci.location.list_usage("eastus")}
    assert usage["StandardCores"] == 3
    resources = resources_for(azure_emulator)
    for name in ("a", "b", "c"):
        resources.resource_groups.create_or_update(name, {"location": "eastus"})
    pages = list(resources.resource_groups.list().by_page())
    assert [len(list(page)) for page in pages] == [2, 1]


def test_without_a_marker_waits_are_short(azure_emulator):
    assert azure_emulator.config.quota_cores == 100  # a pay-as-you-go subscription's
    assert azure_emulator.config.provisioning_seconds == 0
    assert azure_emulator.config.retry_after == 1  # whole seconds, as ARM sends it
    assert azure_emulator.client_kwargs["polling_interval"] == POLL_SECONDS


@pytest.mark.azure_emulator(realistic=True, provisioning_seconds=2)
def test_realistic_behaves_like_live_aci(azure_emulator):
    config = azure_emulator.config
    assert (config.retry_after, config.deterministic) == (None, False)
    assert config.provisioning_seconds == 2  # a setting beside realistic wins
    resources_for(azure_emulator).resource_groups.create_or_update("rg", {"location": "eastus"})
    aci = ContainerInstanceManagementClient(
        azure_emulator.credential, azure_emulator.subscription_id, **azure_emulator.client_kwargs
    )
    group = {
        "location": "eastus",
        "os_type": "Linux",
        "containers": [
            {
                "name": "app",
                "image": "mcr.microsoft.com/azuredocs/aci-helloworld",
                "resources": {"requests": {"cpu": 1, "memory_in_gb": 1}},
            }
        ],
    }
    poller = aci.container_groups.begin_create_or_update("rg", "app", group)
    assert not poller.done()
    assert aci.container_groups.get("rg", "app").provisioning_state != "Succeeded"
    assert poller.result().provisioning_state == "Succeeded"


@pytest.mark.azure_emulator(compressed_live=True)
def test_compressed_live_is_a_preset_too(azure_emulator):
    assert azure_emulator.config.time_scale > 1
    assert azure_emulator.config.retry_after is None


@pytest.mark.azure_emulator(quota_cores=1, page_size=5)
class TestClassMarker:
    @pytest.mark.azure_emulator(quota_cores=2)
    def test_the_closest_marker_wins(self, azure_emulator):
        assert (azure_emulator.config.quota_cores, azure_emulator.config.page_size) == (2, 5)


def test_bad_settings_are_named(pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.azure_emulator(quota_core=1)
        def test_misspelt(azure_emulator):
            pass

        @pytest.mark.azure_emulator(tenant_id="x")
        def test_fixed(azure_emulator):
            pass
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*TypeError: Unknown emulator setting(s) quota_core; use realistic=True, *",
            "*TypeError: tenant_id cannot be set per test (fixed for the test session).",
        ]
    )


def listed_settings(unknown: str) -> list[str]:
    """The names that the unknown-setting message offers instead."""
    with pytest.raises(TypeError) as raised:
        config_for_test(Emulator(), **{unknown: 1})
    message = str(raised.value)
    assert message.startswith(f"Unknown emulator setting(s) {unknown}; use realistic=True, ")
    return message.rsplit("or any of: ", 1)[1].rstrip(".").split(", ")


@given(unknown=st.from_regex(r"[a-z][a-z_]{0,20}", fullmatch=True))
def test_every_setting_the_message_offers_may_be_set_per_test(unknown):
    names = {f.name for f in dataclasses.fields(EmulatorConfig)}
    assume(unknown not in names and unknown != "retry_after_seconds")
    listed = listed_settings(unknown)

    assert set(listed) == names - set(Emulator.FIXED_SETTINGS)  # none fixed for the session
    defaults = EmulatorConfig()
    emulator = Emulator()
    for name in listed:
        value = getattr(defaults, name)
        if name == "subscription_id":
            value = "00000000-0000-4000-8000-0000000000ff"
        assert getattr(config_for_test(emulator, **{name: value}), name) == value


def test_env_lists_what_environment_configured_code_reads(azure_emulator):
    env = azure_emulator.env
    info = azure_emulator.info
    assert env == {
        "AZURE_TENANT_ID": info.tenant_id,
        "AZURE_CLIENT_ID": info.client_id,
        "AZURE_CLIENT_SECRET": info.client_secret,
        "AZURE_AUTHORITY_HOST": info.authority_host,
        "AZURE_SUBSCRIPTION_ID": azure_emulator.subscription_id,
        "AZURE_RESOURCE_MANAGER_ENDPOINT": info.arm_endpoint,
        "REQUESTS_CA_BUNDLE": info.ca_bundle,
    }


def test_the_env_fixture_sets_the_environment_for_the_test_only(pytester, monkeypatch):
    monkeypatch.setenv("AZURE_TENANT_ID", "before")
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "AzureCliCredential")
    monkeypatch.delenv("AZURE_CLIENT_SECRET", raising=False)
    pytester.makepyfile(
        """
        import os

        def test_set(azure_emulator_env):
            assert os.environ["AZURE_TENANT_ID"] == azure_emulator_env.info.tenant_id
            assert os.environ["AZURE_CLIENT_SECRET"] == azure_emulator_env.info.client_secret
            assert "AZURE_TOKEN_CREDENTIALS" not in os.environ

        def test_restored():
            assert os.environ["AZURE_TENANT_ID"] == "before"
            assert os.environ["AZURE_TOKEN_CREDENTIALS"] == "AzureCliCredential"
            assert "AZURE_CLIENT_SECRET" not in os.environ
        """
    )
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)
    assert os.environ["AZURE_TENANT_ID"] == "before"


async def list_groups(sub, **kwargs) -> list[str]:
    async with AsyncResourceManagementClient(
        sub.async_credential, sub.subscription_id, **kwargs
    ) as client:
        names = [rg.name async for rg in client.resource_groups.list()]
    await asyncio.sleep(0.05)  # aiohttp finishes closing its TLS connections
    return names


@pytest.mark.azure_emulator(route_azure_hosts=False)  # routed, the emulator's CA is trusted
def test_aio_clients_need_the_ca_bundle_as_connection_verify(azure_emulator):
    kwargs = dict(azure_emulator.client_kwargs)
    assert kwargs["connection_verify"] == azure_emulator.info.ca_bundle
    assert asyncio.run(list_groups(azure_emulator, **kwargs)) == []

    del kwargs["connection_verify"]
    with pytest.raises(ServiceRequestError, match="CERTIFICATE_VERIFY_FAILED"):
        asyncio.run(list_groups(azure_emulator, retry_total=0, **kwargs))


def test_credentials_are_closed_after_the_test_and_closing_twice_is_harmless(pytester):
    pytester.makepyfile(
        """
        import asyncio

        kept = []

        def test_uses_both_credentials(azure_emulator):
            scope = "https://management.azure.com/.default"
            assert azure_emulator.credential.get_token(scope).token

            async def token():
                async with azure_emulator.async_credential as credential:
                    return await credential.get_token(scope)

            assert asyncio.run(token()).token
            kept.extend([azure_emulator.credential, azure_emulator.async_credential])

        def test_they_were_closed():
            sync, async_ = (c._client._pipeline._transport for c in kept)
            assert sync.session is None and async_.session is None
        """
    )
    # Garbage of earlier tests in this process (an SDK client never closed keeps its pooled
    # connection) must not be collected, and warn, inside the "-W error" run.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=2)
    assert "Unclosed" not in result.stdout.str() + result.stderr.str()


def test_an_unregistered_provider_is_registered_by_the_sdk(azure_emulator, azure_emulator_server):
    azure_emulator_server.set_provider_state("Microsoft.ContainerInstance")
    resources = resources_for(azure_emulator)
    assert resources.providers.get("Microsoft.ContainerInstance").registration_state == (
        "NotRegistered"
    )
    aci = ContainerInstanceManagementClient(
        azure_emulator.credential, azure_emulator.subscription_id, **azure_emulator.client_kwargs
    )

    assert list(aci.container_groups.list()) == []  # after MissingSubscriptionRegistration
    assert resources.providers.get("Microsoft.ContainerInstance").registration_state == (
        "Registered"
    )


def test_a_pinned_subscription_id_serves_clients_kept_for_the_session(pytester, monkeypatch):
    """Code that builds its client once (at import, or cached) keeps the first test's
    subscription id: a new id per test answers it SubscriptionNotFound, a pinned one does not,
    and each test still starts from an empty subscription."""
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="module")
        def azure_emulator_config():
            return {"subscription_id": "00000000-0000-4000-8000-0000000000aa"}
        """
    )
    pytester.makepyfile(
        """
        import functools
        import os
        import pytest
        from azure.core.exceptions import HttpResponseError
        from azure.identity import DefaultAzureCredential
        from azure.mgmt.resource.resources import ResourceManagementClient

        @functools.cache
        def client():  # the user's module-level client, built on first use
            return ResourceManagementClient(
                DefaultAzureCredential(), os.environ["AZURE_SUBSCRIPTION_ID"]
            )

        def test_first(azure_emulator):
            assert azure_emulator.subscription_id == "00000000-0000-4000-8000-0000000000aa"
            client().resource_groups.create_or_update("kept", {"location": "eastus"})

        def test_second_reuses_the_client(azure_emulator):
            assert list(client().resource_groups.list()) == []

        @pytest.mark.azure_emulator(subscription_id=None)
        def test_a_new_id_again(azure_emulator):
            assert azure_emulator.subscription_id != "00000000-0000-4000-8000-0000000000aa"
            with pytest.raises(HttpResponseError) as raised:
                list(client().resource_groups.list())
            assert raised.value.error.code == "SubscriptionNotFound"

        @pytest.mark.azure_emulator(subscription_id="my-subscription")
        def test_not_a_guid(azure_emulator):
            pass
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        ["*TypeError: subscription_id must be a GUID, as Azure's are, not 'my-subscription'."]
    )


def test_printing_the_config_shows_no_secret(azure_emulator, capsys):
    print(azure_emulator.config)

    shown = capsys.readouterr().out
    assert azure_emulator.info.client_secret not in shown
    assert "client_secret=***" in shown and "quota_cores=100.0" in shown


@given(secret=st.text(st.characters(codec="ascii", categories=["L", "N"]), min_size=12))
def test_no_secret_appears_in_a_configs_repr(secret):
    assume(secret not in repr(EmulatorConfig(client_secret="x")))  # e.g. part of an id
    config = EmulatorConfig(client_secret=secret)
    assert secret not in repr(config) and secret not in str(config)
    assert config.client_secret == secret  # masked when shown, not changed
