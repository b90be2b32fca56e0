"""A client of an Azure service the emulator does not serve asks for its token first: while
routed, that token request fails at once, naming the emulator, the fixture, the resource asked
for and the off switch, through azure-identity's credentials as the user's code builds them."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urlencode

# Imported before any pytester run, as in test_plugin_fixtures.py.
import azure.identity.aio
import pytest
from azure.core import AsyncPipelineClient, PipelineClient
from azure.core.exceptions import ClientAuthenticationError
from azure.core.pipeline.policies import (
    AsyncBearerTokenCredentialPolicy,
    BearerTokenCredentialPolicy,
)
from azure.core.rest import HttpRequest
from azure.identity import (
    CredentialUnavailableError,
    DefaultAzureCredential,
    ManagedIdentityCredential,
)
from hypothesis import given
from hypothesis import strategies as st

from aci_emulator.identity import PUBLIC_AUDIENCES
from aci_emulator.sdk_redirect import AZURE_DOMAINS, AzureHostNotEmulated, Routes
from aci_emulator.server import EmulatorInfo

# (a service's URL, the scope its SDK client asks for): Storage's and Key Vault's, as
# azure-storage-blob and azure-keyvault-secrets build their BearerTokenCredentialPolicy.
SERVICES = [
    ("https://account.blob.core.windows.net/container", "https://storage.azure.com/.default"),
    ("https://myvault.vault.azure.net/secrets/a", "https://vault.azure.net/.default"),
]


def assert_names_all_a_user_needs(message: str, scope: str) -> None:
    assert f"A token for {scope} was not requested" in message
    assert "aci_emulator" in message and "azure_emulator fixture" in message
    assert "route_azure_hosts=False" in message


def token_requests(azure_emulator) -> list:
    return [r for r in azure_emulator.requests if r.path.endswith("/token")]


@pytest.mark.parametrize(("url", "scope"), SERVICES)
def test_default_credential_fails_at_once_naming_the_emulator(azure_emulator, url, scope):
    credential = DefaultAzureCredential()
    policy = BearerTokenCredentialPolicy(credential, scope)
    with (
        PipelineClient(url, policies=[policy]) as client,
        pytest.raises(ClientAuthenticationError) as raised,
    ):
        client.send_request(HttpRequest("GET", url))

    # DefaultAzureCredential reports its first credential's error in its own message.
    assert "EnvironmentCredential" in raised.value.message
    assert_names_all_a_user_needs(raised.value.message, scope)
    assert token_requests(azure_emulator) == []  # refused before it was sent, and not retried


def test_the_async_credential_fails_the_same_way(azure_emulator):
    url, scope = SERVICES[0]

    async def send() -> None:
        async with azure.identity.aio.DefaultAzureCredential() as credential:
            policy = AsyncBearerTokenCredentialPolicy(credential, scope)
            async with AsyncPipelineClient(url, policies=[policy]) as client:
                await client.send_request(HttpRequest("GET", url))

    with pytest.raises(ClientAuthenticationError) as raised:
        asyncio.run(send())
    assert_names_all_a_user_needs(raised.value.message, scope)
    assert token_requests(azure_emulator) == []


def test_the_fixtures_own_credential_is_refused_such_a_token_too(azure_emulator):
    scope = SERVICES[1][1]
    with pytest.raises(ClientAuthenticationError) as raised:
        azure_emulator.credential.get_token(scope)
    # azure-identity wraps it ("Authentication failed: ...") and chains it.
    assert isinstance(raised.value.__cause__, AzureHostNotEmulated)
    assert_names_all_a_user_needs(raised.value.message, scope)


def test_a_token_for_resource_manager_is_still_issued(azure_emulator):
    token = DefaultAzureCredential().get_token("https://management.azure.com//.default")
    assert token.token.count(".") == 2  # a JWT
    assert [r.status for r in token_requests(azure_emulator)] == [200]


def test_managed_identity_names_the_emulator(azure_emulator):
    resource = "https://management.azure.com"
    with pytest.raises(CredentialUnavailableError) as raised:
        ManagedIdentityCredential().get_token(f"{resource}/.default")

    message = raised.value.message
    # azure-identity's words first, then the description of MSAL's error result.
    assert message.startswith("ManagedIdentityCredential authentication unavailable")
    assert "Token request error: (managed_identity_not_emulated) No managed identity" in message
    assert f"was asked for a token for {resource}:" in message
    assert "aci_emulator" in message and "azure_emulator fixture" in message
    assert "route_azure_hosts=False" in message
    assert azure_emulator.requests == []  # nothing was sent, to Azure or to the emulator


def test_the_async_managed_identity_names_the_emulator_in_its_cause(azure_emulator):
    """azure.identity.aio's ManagedIdentityCredential sends its own request (no MSAL) and
    replaces any exception of it with its own message (`except Exception` in
    ImdsCredential._request_token): the emulator is named in the exception it chains, which a
    traceback shows as the direct cause."""

    async def get_token() -> None:
        async with azure.identity.aio.ManagedIdentityCredential() as credential:
            await credential.get_token("https://management.azure.com/.default")

    with pytest.raises(CredentialUnavailableError) as raised:
        asyncio.run(get_token())

    assert raised.value.message.startswith("ManagedIdentityCredential authentication unavailable")
    cause = raised.value.__cause__
    assert isinstance(cause, AzureHostNotEmulated)
    assert str(cause).startswith("GET http://169.254.169.254/metadata/identity/oauth2/token was")
    assert "azure_emulator fixture" in str(cause) and "route_azure_hosts=False" in str(cause)


# -- which token requests are refused, for generated resources -----------------------------------
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
LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
TOKEN_URLS = st.sampled_from(
    [
        "https://login.microsoftonline.com/t/oauth2/v2.0/token",
        "https://LOGIN.windows.net/t/oauth2/token",
        "https://127.0.0.1:8443/t/oauth2/v2.0/token",
    ]
)
RESERVED = st.lists(st.sampled_from(["openid", "profile", "offline_access"]), max_size=3)


@given(
    url=TOKEN_URLS,
    labels=st.lists(LABEL, min_size=1, max_size=3),
    domain=st.sampled_from(AZURE_DOMAINS),
    permission=st.sampled_from([".default", "user_impersonation", ""]),
    reserved=RESERVED,
    encoding=st.sampled_from(["dict", "str", "bytes"]),
)
def test_a_token_for_any_other_resource_is_refused(
    url, labels, domain, permission, reserved, encoding
):
    resource = "https://" + ".".join([*labels, domain])
    if resource in PUBLIC_AUDIENCES:
        return  # Resource Manager's own names are served (below)
    scope = f"{resource}/{permission}" if permission else resource
    # v1 asks for one resource, v2.0 for scopes (OpenID Connect's among them).
    if url.endswith("/oauth2/token"):
        form = {"resource": [scope]}
    else:
        form = {"scope": [" ".join([*reserved, scope])]}
    # A form as azure-identity passes it (a dict), or encoded as a request body carries it.
    body = {"dict": form, "str": urlencode(form, doseq=True)}.get(encoding)
    body = urlencode(form, doseq=True).encode() if body is None else body
    with pytest.raises(AzureHostNotEmulated, match=f"A token for {re.escape(scope)} was not"):
        ROUTES.refuse_unserved_token("POST", url, body)


@given(
    url=TOKEN_URLS,
    audience=st.sampled_from([*PUBLIC_AUDIENCES, "https://127.0.0.1:8443"]),
    suffix=st.sampled_from(["/.default", "//.default", "/", ""]),
    reserved=RESERVED,
)
def test_a_token_for_resource_manager_is_sent(url, audience, suffix, reserved):
    scope = audience.upper() + suffix if suffix == "" else audience + suffix
    ROUTES.refuse_unserved_token("POST", url, {"scope": [" ".join([*reserved, scope])]})


def test_requests_other_than_token_requests_are_not_looked_at():
    form = {"scope": ["https://storage.azure.com/.default"]}
    ROUTES.refuse_unserved_token(
        "GET", "https://login.microsoftonline.com/t/oauth2/v2.0/token", form
    )
    ROUTES.refuse_unserved_token("POST", "https://example.com/t/oauth2/v2.0/token", form)
    ROUTES.refuse_unserved_token("POST", "https://login.microsoftonline.com/t/v2.0/x", form)


def test_msal_asks_managed_identity_again_after_the_test():
    from msal.managed_identity import ManagedIdentityClient

    assert ManagedIdentityClient.acquire_token_for_client.__name__ == "acquire_token_for_client"
