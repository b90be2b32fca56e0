"""Entra ID tokens and how ARM checks them, through azure-identity and the management clients."""

from __future__ import annotations

import uuid

import jwt
import pytest
import requests
from aci_builders import (
    ARM_SCOPE,
    OTHER_SUBSCRIPTION,
    OTHER_TENANT,
    clients_for,
    credential_for,
    group,
    unique,
)
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.identity import ClientSecretCredential, DefaultAzureCredential, EnvironmentCredential
from azure.mgmt.resource.resources import ResourceManagementClient


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


# -- getting tokens --------------------------------------------------------------------------------
def test_client_secret_credential_gets_a_jwt_with_the_expected_claims(info, sdk):
    access = sdk.credential.get_token(ARM_SCOPE)

    claims = claims_of(access.token)
    header = jwt.get_unverified_header(access.token)
    assert header["alg"] == "RS256" and header["kid"]
    assert claims["tid"] == info.tenant_id
    assert claims["appid"] == info.client_id
    assert uuid.UUID(claims["oid"])  # an object id, not the client id
    assert claims["oid"] != info.client_id
    assert claims["aud"] == "https://management.azure.com"
    assert claims["iss"] == f"https://sts.windows.net/{info.tenant_id}/"
    assert claims["exp"] - claims["iat"] == 3599
    assert access.expires_on == pytest.approx(claims["exp"], abs=5)


def test_environment_credential_with_connection_verify(info, monkeypatch):
    monkeypatch.setenv("AZURE_TENANT_ID", info.tenant_id)
    monkeypatch.setenv("AZURE_CLIENT_ID", info.client_id)
    monkeypatch.setenv("AZURE_CLIENT_SECRET", info.client_secret)
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", info.authority_host)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)

    credential = EnvironmentCredential(
        disable_instance_discovery=True, connection_verify=info.ca_bundle
    )
    token = credential.get_token(ARM_SCOPE).token

    assert claims_of(token)["appid"] == info.client_id
    rm = ResourceManagementClient(
        credential,
        info.subscription_id,
        base_url=info.arm_endpoint,
        connection_verify=info.ca_bundle,
    )
    name = unique("env-rg")
    assert rm.resource_groups.create_or_update(name, {"location": "westus"}).name == name
    rm.resource_groups.begin_delete(name).result()


def test_environment_and_default_credential_with_requests_ca_bundle(info, monkeypatch, rg):
    monkeypatch.setenv("AZURE_TENANT_ID", info.tenant_id)
    monkeypatch.setenv("AZURE_CLIENT_ID", info.client_id)
    monkeypatch.setenv("AZURE_CLIENT_SECRET", info.client_secret)
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", info.authority_host)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", info.ca_bundle)

    env_token = EnvironmentCredential(disable_instance_discovery=True).get_token(ARM_SCOPE)
    assert claims_of(env_token.token)["tid"] == info.tenant_id

    default = DefaultAzureCredential(disable_instance_discovery=True)
    rm = ResourceManagementClient(default, info.subscription_id, base_url=info.arm_endpoint)
    assert rg in [g.name for g in rm.resource_groups.list()]


def test_wrong_secret_is_invalid_client(info, emu):
    credential = credential_for(emu, secret="not-the-secret")

    with pytest.raises(ClientAuthenticationError) as err:
        credential.get_token(ARM_SCOPE)

    assert "AADSTS7000215" in err.value.message
    assert "Invalid client secret provided" in err.value.message

    # The token endpoint's answer itself (azure-identity keeps only the description).
    response = requests.post(
        f"{info.authority_host}/{info.tenant_id}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": info.client_id,
            "client_secret": "not-the-secret",
            "scope": ARM_SCOPE,
        },
        verify=info.ca_bundle,
        timeout=10,
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.json()["error_codes"] == [7000215]
    assert response.json()["error_description"].startswith("AADSTS7000215: ")


def test_unknown_client_is_aadsts700016(emu):
    credential = credential_for(emu, client_id="99999999-0000-4000-8000-000000000000", secret="x")

    with pytest.raises(ClientAuthenticationError) as err:
        credential.get_token(ARM_SCOPE)

    assert "AADSTS700016" in err.value.message
    assert "99999999-0000-4000-8000-000000000000" in err.value.message
    assert "was not found in the directory" in err.value.message


def test_unknown_tenant_is_aadsts90002(info):
    credential = ClientSecretCredential(
        OTHER_TENANT,
        info.client_id,
        info.client_secret,
        authority=info.authority_host,
        disable_instance_discovery=True,
        connection_verify=info.ca_bundle,
    )

    with pytest.raises(ClientAuthenticationError) as err:
        credential.get_token(ARM_SCOPE)

    assert "AADSTS90002" in err.value.message
    assert OTHER_TENANT in err.value.message


def test_scope_of_another_resource_is_refused(sdk):
    with pytest.raises(ClientAuthenticationError) as err:
        sdk.credential.get_token("https://graph.microsoft.com/.default")

    assert "AADSTS500011" in err.value.message
    assert "https://graph.microsoft.com" in err.value.message


def test_cli_style_audience_is_accepted_by_arm(sdk, raw):
    # The Azure CLI asks for https://management.core.windows.net//.default (double slash).
    token = sdk.credential.get_token("https://management.core.windows.net//.default").token

    assert claims_of(token)["aud"] == "https://management.core.windows.net/"
    response = raw.request(
        "GET", "/subscriptions/{sub}/resourcegroups", api_version="2022-09-01", token=token
    )
    assert response.status_code == 200


# -- ARM checking tokens ---------------------------------------------------------------------------
def rg_list(raw, token="default", sub="{sub}"):
    return raw.request(
        "GET", f"/subscriptions/{sub}/resourcegroups", api_version="2025-04-01", token=token
    )


def test_missing_authorization_header_is_authentication_failed(raw):
    response = rg_list(raw, token=None)

    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "AuthenticationFailed",
        "message": "Authentication failed. The 'Authorization' header is missing.",
    }


def test_non_bearer_authorization_header_is_refused(raw):
    response = raw.request(
        "GET",
        "/subscriptions/{sub}/resourcegroups",
        api_version="2025-04-01",
        token=None,
        headers={"Authorization": "Basic dXNlcjpwYXNz"},
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "AuthenticationFailedInvalidHeader"
    assert "invalid format" in response.json()["error"]["message"]


def test_malformed_token_is_invalid_authentication_token(raw):
    response = rg_list(raw, token="not.a.jwt")

    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "InvalidAuthenticationToken"
    assert "The access token is invalid" in error["message"]


def test_token_of_another_emulator_instance_is_refused(make_emulator, raw, info):
    other = make_emulator()  # same tenant and client ids, a different signing key
    foreign = other.token()
    assert claims_of(foreign)["tid"] == info.tenant_id

    response = rg_list(raw, token=foreign)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "InvalidAuthenticationToken"
    assert "not signed by this authority" in response.json()["error"]["message"]

    # The same through the SDK: the other instance's credential against this instance's ARM.
    rm = ResourceManagementClient(
        other.credential,
        info.subscription_id,
        base_url=info.arm_endpoint,
        connection_verify=info.ca_bundle,
    )
    with pytest.raises(ClientAuthenticationError) as err:
        rm.resource_groups.get("anything")
    assert err.value.status_code == 401
    assert err.value.error.code == "InvalidAuthenticationToken"


def test_a_key_prepared_ahead_serves_one_instance_only():
    """The key `from aci_emulator import Emulator` starts making goes to the next emulator
    alone: the one after makes its own, so tokens never cross instances."""
    from aci_emulator import identity

    identity.prepare_signing_key()
    identity.prepare_signing_key()  # a second call while one waits makes no second key
    first = identity.Identity(tenant_id="t", issuer_base="https://127.0.0.1:1")
    second = identity.Identity(tenant_id="t", issuer_base="https://127.0.0.1:1")
    numbers = [i._key.private_numbers().p for i in (first, second)]
    assert numbers[0] != numbers[1]
    assert identity._prepared is None


def test_expired_token_is_expired_authentication_token(make_emulator):
    short = make_emulator(token_lifetime_seconds=0)  # every token is expired when it is issued
    token = short.token()
    claims = claims_of(token)
    assert claims["exp"] == claims["iat"]

    response = rg_list(short.raw(), token=token)
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "ExpiredAuthenticationToken"
    assert error["message"].startswith("The access token expiry UTC time '")
    assert "' is earlier than current UTC time '" in error["message"]

    with pytest.raises(ClientAuthenticationError) as err:
        list(short.rm.resource_groups.list())
    assert err.value.status_code == 401
    assert err.value.error.code == "ExpiredAuthenticationToken"


def test_subscription_of_another_tenant_is_invalid_authentication_token_tenant(raw, info, emu):
    response = rg_list(raw, sub=OTHER_SUBSCRIPTION)

    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "InvalidAuthenticationTokenTenant"
    assert f"https://sts.windows.net/{info.tenant_id}/" in error["message"]
    assert f"https://sts.windows.net/{OTHER_TENANT}/" in error["message"]

    other = clients_for(emu, subscription_id=OTHER_SUBSCRIPTION)
    with pytest.raises(ClientAuthenticationError) as err:
        other.rm.resource_groups.create_or_update("x", {"location": "eastus"})
    assert err.value.error.code == "InvalidAuthenticationTokenTenant"


def test_unknown_subscription_is_subscription_not_found(raw, emu):
    unknown = "33333333-3333-4333-8333-333333333333"

    response = rg_list(raw, sub=unknown)
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "SubscriptionNotFound",
        "message": f"The subscription '{unknown}' could not be found.",
    }

    with pytest.raises(HttpResponseError) as err:
        list(clients_for(emu, subscription_id=unknown).aci.container_groups.list())
    assert err.value.status_code == 404
    assert err.value.error.code == "SubscriptionNotFound"


def test_subscriptions_list_holds_only_the_tokens_tenant(raw, info):
    response = raw.request("GET", "/subscriptions", api_version="2022-12-01")

    assert response.status_code == 200
    subs = response.json()["value"]
    assert [s["subscriptionId"] for s in subs] == [info.subscription_id]
    assert subs[0]["tenantId"] == info.tenant_id
    assert subs[0]["state"] == "Enabled"


# -- authorization ---------------------------------------------------------------------------------
@pytest.fixture
def reader(emu):
    client_id = str(uuid.uuid4())
    emu.add_principal(client_id, "reader-secret", role="Reader")
    return clients_for(emu, credential_for(emu, client_id, "reader-secret"))


def test_reader_may_read(reader, rg, sdk, cg_name):
    sdk.aci.container_groups.begin_create_or_update(rg, cg_name, group()).result()

    assert reader.rm.resource_groups.get(rg).name == rg
    assert reader.rm.resource_groups.check_existence(rg) is True
    assert rg in [g.name for g in reader.rm.resource_groups.list()]
    assert reader.aci.container_groups.get(rg, cg_name).name == cg_name
    assert [g.name for g in reader.aci.container_groups.list_by_resource_group(rg)] == [cg_name]


def test_reader_may_not_write(reader, rg, sdk, cg_name):
    oid = claims_of(reader.token())["oid"]

    with pytest.raises(HttpResponseError) as err:
        reader.rm.resource_groups.create_or_update(unique("rg"), {"location": "eastus"})
    assert err.value.status_code == 403
    assert err.value.error.code == "AuthorizationFailed"
    assert f"The client '{oid}' with object id '{oid}' does not have authorization" in (
        err.value.error.message
    )
    assert "'Microsoft.Resources/subscriptions/resourceGroups/write'" in err.value.error.message

    with pytest.raises(HttpResponseError) as err:
        reader.aci.container_groups.begin_create_or_update(rg, cg_name, group())
    assert err.value.status_code == 403
    assert err.value.error.code == "AuthorizationFailed"
    assert "'Microsoft.ContainerInstance/containerGroups/write'" in err.value.error.message
    assert f"/resourceGroups/{rg}/".lower() in err.value.error.message.lower()

    with pytest.raises(HttpResponseError) as err:
        reader.rm.resource_groups.begin_delete(rg)
    assert err.value.status_code == 403
    assert "resourceGroups/delete" in err.value.error.message

    # Nothing was written.
    assert sdk.rm.resource_groups.check_existence(rg) is True
    assert list(sdk.aci.container_groups.list_by_resource_group(rg)) == []


def test_generated_client_secrets_never_look_like_a_command_line_option() -> None:
    # `az login --service-principal -u … -p <secret>` (the lines `serve` prints) reads a secret
    # starting with '-' as an option; token_urlsafe alone starts with '-' once in 64 draws.
    from aci_emulator.config import EmulatorConfig

    secrets_drawn = {EmulatorConfig().client_secret for _ in range(2000)}
    assert len(secrets_drawn) == 2000
    assert not [s for s in secrets_drawn if s.startswith("-")]
