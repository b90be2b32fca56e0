"""Unchanged code under the plugin (Azure's public endpoints routed to the emulator), and the
conventions of pytest plugins: an overridable config fixture, a request log, injected faults
that must fire, and isolation that leaves nothing of a test to the next."""

from __future__ import annotations

import asyncio
import os
import re

# Imported before any pytester run, as in test_plugin_fixtures.py.
import azure.identity
import azure.identity.aio  # noqa: F401
import pytest
from azure.core import AsyncPipelineClient, PipelineClient
from azure.core.exceptions import AzureError
from azure.core.pipeline.transport import AioHttpTransport, RequestsTransport
from azure.core.rest import HttpRequest
from azure.identity import DefaultAzureCredential
from azure.mgmt.resource.resources import ResourceManagementClient
from hypothesis import assume, given
from hypothesis import strategies as st

from aci_emulator.sdk_redirect import (
    ARM_HOSTS,
    AZURE_DOMAINS,
    LOGIN_HOSTS,
    AzureHostNotEmulated,
    Routes,
)
from aci_emulator.server import EmulatorInfo

pytest_plugins = ["pytester"]
ORIGINAL_SENDS = (RequestsTransport.__dict__["send"], AioHttpTransport.__dict__["send"])


def run(pytester, *args: str):
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", *args)


def test_unchanged_code_reaches_the_emulator_with_the_environment_it_sets(azure_emulator):
    assert os.environ["AZURE_SUBSCRIPTION_ID"] == azure_emulator.subscription_id
    assert "AZURE_AUTHORITY_HOST" not in os.environ  # the public authority, routed here
    client = ResourceManagementClient(DefaultAzureCredential(), azure_emulator.subscription_id)
    client.resource_groups.create_or_update("rg", {"location": "eastus"})

    assert [g.name for g in client.resource_groups.list()] == ["rg"]
    token = next(r for r in azure_emulator.requests if r.path.endswith("/oauth2/v2.0/token"))
    assert (token.method, token.status) == ("POST", 200)
    assert token.path == f"/{azure_emulator.info.tenant_id}/oauth2/v2.0/token"


@pytest.mark.parametrize(
    "url",
    [
        "https://myvault.vault.azure.net/secrets/a?api-version=7.4",
        "https://account.blob.core.windows.net/container",
        "https://management.usgovcloudapi.net/subscriptions",
        "http://169.254.169.254/metadata/identity/oauth2/token",
    ],
)
def test_another_azure_host_fails_at_once_naming_the_emulator_and_the_fixture(azure_emulator, url):
    host = url.split("/")[2]
    with PipelineClient(f"https://{host}") as client, pytest.raises(AzureHostNotEmulated) as raised:
        client.send_request(HttpRequest("GET", url))

    message = str(raised.value)
    assert message.startswith(f"GET {url.split('?')[0]} was not sent")
    assert "azure_emulator fixture" in message and "aci_emulator" in message
    assert "route_azure_hosts=False" in message
    # Not an azure-core error: the SDK's retry policy retries only those, so it fails at once.
    assert not isinstance(raised.value, AzureError)


def test_the_aio_transport_refuses_it_too(azure_emulator):
    async def send() -> None:
        async with AsyncPipelineClient("https://x.vault.azure.net") as client:
            await client.send_request(HttpRequest("GET", "https://x.vault.azure.net/keys"))

    with pytest.raises(AzureHostNotEmulated, match="azure_emulator fixture"):
        asyncio.run(send())


def test_hosts_that_are_not_azure_are_left_alone(azure_emulator):
    from aci_emulator.sdk_redirect import active_routes

    routes = active_routes()
    assert routes is not None
    assert routes.route("GET", "https://pypi.org/simple/") is None
    assert routes.route("GET", "https://example.com/azure.com") is None
    assert routes.route("GET", "https://management.azure.com/subscriptions?x=1") == (
        f"{azure_emulator.info.arm_endpoint}/subscriptions?x=1"
    )


def test_routing_ends_with_the_test_and_can_be_turned_off(pytester, monkeypatch):
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    pytester.makepyfile(
        """
        import os
        import pytest
        from azure.core.pipeline.transport import AioHttpTransport, RequestsTransport

        def test_routed(azure_emulator):
            assert RequestsTransport.__dict__["send"].__name__ == "routed_send"
            assert AioHttpTransport.__dict__["send"].__name__ == "routed_send"

        @pytest.mark.azure_emulator(route_azure_hosts=False)
        def test_off(azure_emulator):
            assert RequestsTransport.__dict__["send"].__name__ == "send"
            assert "AZURE_SUBSCRIPTION_ID" not in os.environ

        @pytest.mark.azure_emulator(quota_cores=1)
        def test_the_marker_alone_routes_too():
            assert RequestsTransport.__dict__["send"].__name__ == "routed_send"
            assert "AZURE_SUBSCRIPTION_ID" in os.environ

        def test_after():
            assert RequestsTransport.__dict__["send"].__name__ == "send"
            assert "AZURE_SUBSCRIPTION_ID" not in os.environ
        """
    )
    run(pytester).assert_outcomes(passed=4)
    assert (RequestsTransport.__dict__["send"], AioHttpTransport.__dict__["send"]) == (
        ORIGINAL_SENDS
    )


def test_a_fault_that_never_fired_fails_the_test_unless_it_says_so(pytester):
    pytester.makepyfile(
        """
        import pytest

        def test_forgets(azure_emulator):
            azure_emulator.faults.inject("status", status=503, method="PUT", path="**/nothing/**")

        @pytest.mark.azure_emulator(assert_all_faults_fired=False)
        def test_says_so(azure_emulator):
            azure_emulator.faults.inject("status", status=503, method="PUT", path="**/nothing/**")
        """
    )
    result = run(pytester)
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_forgets*",
            "*1 injected fault(s) never fired: status PUT '**/nothing/**' status=503.*"
            "assert_all_faults_fired=False*",
        ]
    )


def test_the_config_fixture_is_overridable_and_a_marker_wins(pytester):
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="module")
        def azure_emulator_config():
            return {"quota_cores": 2, "page_size": 7}
        """
    )
    pytester.makepyfile(
        """
        import pytest

        def test_from_the_config(azure_emulator):
            assert (azure_emulator.config.quota_cores, azure_emulator.config.page_size) == (2, 7)

        @pytest.mark.azure_emulator(quota_cores=5)
        def test_the_marker_wins(azure_emulator):
            assert (azure_emulator.config.quota_cores, azure_emulator.config.page_size) == (5, 7)
        """
    )
    run(pytester).assert_outcomes(passed=2)


def test_nothing_a_test_adds_is_visible_to_the_next(pytester):
    pytester.makepyfile(
        """
        from datetime import timedelta

        import pytest
        from azure.core.exceptions import ClientAuthenticationError
        from azure.identity import ClientSecretCredential, DefaultAzureCredential
        from azure.mgmt.resource.resources import ResourceManagementClient

        from aci_emulator import EmulatorConfig

        SCOPE = "https://management.azure.com/.default"
        left = {}

        @pytest.mark.azure_emulator(assert_all_faults_fired=False, quota_cores=1, page_size=1)
        def test_adds_everything(azure_emulator, azure_emulator_server):
            emu, info = azure_emulator_server, azure_emulator.info
            emu.add_principal("11111111-1111-4111-8111-111111111111", "s-added", "Reader")
            emu.identity.add_principal(info.client_id, "s-rotated")  # the default's secret
            azure_emulator.config.client_secret = "s-rotated"  # and the config's copy of it
            azure_emulator.faults.inject("status", status=500, times=None)
            azure_emulator.config.provisioning_seconds = 30
            emu.clock.reach(emu.clock.now() + timedelta(days=3))
            emu.set_provider_state("Microsoft.ContainerInstance")
            left.update(subscription=azure_emulator.subscription_id, now=emu.clock.now())
            assert ClientSecretCredential(
                info.tenant_id, "11111111-1111-4111-8111-111111111111", "s-added"
            ).get_token(SCOPE).token

        def test_sees_none_of_it(azure_emulator, azure_emulator_server):
            emu, info = azure_emulator_server, azure_emulator.info
            with pytest.raises(ClientAuthenticationError, match="AADSTS700016"):
                ClientSecretCredential(
                    info.tenant_id, "11111111-1111-4111-8111-111111111111", "s-added"
                ).get_token(SCOPE)
            with pytest.raises(ClientAuthenticationError, match="AADSTS7000215"):
                ClientSecretCredential(info.tenant_id, info.client_id, "s-rotated").get_token(SCOPE)
            assert azure_emulator.faults.active() == []
            config = azure_emulator.config
            defaults = EmulatorConfig()  # the settings of a new instance
            assert (config.quota_cores, config.page_size, config.provisioning_seconds) == (
                defaults.quota_cores, defaults.page_size, defaults.provisioning_seconds
            )
            assert emu.clock.now() < left["now"]
            assert azure_emulator.subscription_id != left["subscription"]
            client = ResourceManagementClient(DefaultAzureCredential(), azure_emulator.subscription_id)
            provider = client.providers.get("Microsoft.ContainerInstance")
            assert provider.registration_state == "Registered"
            assert list(client.resource_groups.list()) == []
        """
    )
    run(pytester).assert_outcomes(passed=2)


def test_a_failing_test_is_not_also_blamed_for_its_unfired_faults(pytester):
    pytester.makepyfile(
        """
        def test_fails_first(azure_emulator):
            azure_emulator.faults.inject("status", status=503, method="PUT", path="**/nothing/**")
            assert 1 == 2
        """
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)
    assert "never fired" not in result.stdout.str()


def test_the_plugins_own_settings_are_checked_by_name(pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.azure_emulator(route_azure_hosts="no")
        def test_a(azure_emulator):
            pass

        @pytest.mark.azure_emulator(poll_seconds=-1)
        def test_b(azure_emulator):
            pass
        """
    )
    result = run(pytester)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*TypeError: route_azure_hosts must be True or False, not 'no'.",
            "*TypeError: poll_seconds must be a number of seconds, 0 or more, not -1.",
        ]
    )


# -- which URLs go where, for generated hosts and paths ------------------------------------------
LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
PATH = st.lists(st.from_regex(r"[A-Za-z0-9._~-]{1,12}", fullmatch=True), max_size=5).map(
    lambda parts: "/" + "/".join(parts)
)
QUERY = st.from_regex(r"([a-z-]{1,10}=[A-Za-z0-9.-]{0,10})?", fullmatch=True)
ROUTES = Routes(
    EmulatorInfo(
        arm_endpoint="https://127.0.0.1:8443",
        authority_host="https://127.0.0.1:8443",
        ca_bundle="/nonexistent/ca.pem",
        tenant_id="t",
        subscription_id="s",
        client_id="c",
        client_secret="x",
    )
)


@given(host=st.sampled_from([*ARM_HOSTS, *LOGIN_HOSTS]), path=PATH, query=QUERY)
def test_arm_and_login_keep_their_path_and_query_on_the_emulator(host, path, query):
    url = f"https://{host.upper() if len(path) % 2 else host}{path}" + (
        f"?{query}" if query else ""
    )
    routed = ROUTES.route("GET", url)
    assert routed == "https://127.0.0.1:8443" + path + (f"?{query}" if query else "")


@given(labels=st.lists(LABEL, min_size=1, max_size=3), domain=st.sampled_from(AZURE_DOMAINS))
def test_every_other_host_of_an_azure_domain_is_refused(labels, domain):
    host = ".".join([*labels, domain])
    assume(host not in (*ARM_HOSTS, *LOGIN_HOSTS))
    with pytest.raises(AzureHostNotEmulated, match=f"https://{re.escape(host)}/x was not sent"):
        ROUTES.route("PUT", f"https://{host}/x?y=1")


@given(labels=st.lists(LABEL, min_size=1, max_size=3), tld=st.sampled_from(["org", "io", "dev"]))
def test_hosts_outside_azure_are_sent_as_they_are(labels, tld):
    host = ".".join([*labels, tld])
    assume(not any(host.endswith(d) for d in AZURE_DOMAINS))
    assert ROUTES.route("GET", f"https://{host}/azure.com/management.azure.com") is None


def test_no_repr_shows_the_client_secret(azure_emulator):
    secret = azure_emulator.config.client_secret
    assert secret and secret not in repr(azure_emulator.config)
    assert secret not in repr(azure_emulator.info)
