"""Hostile clients of the admin routes and of the token checks: input no SDK sends.

The admin routes validate a fault completely before it exists: a fault whose option has the
wrong type used to be stored, and every ARM request it matched then failed with a 500 until the
faults were cleared. Loopback means 127.0.0.0/8, ::1 and IPv4-mapped loopback (how 127.0.0.1
reaches a server bound to '::'). A token signed with the emulator's own key but with a claim of
the wrong type, or another issuer, is refused with 401, as ARM refuses a token it cannot use; a
malformed client_secret_basic header at the token endpoint is Entra ID's 400 `invalid_request`,
AADSTS9002313 "Invalid request. Request is malformed or invalid." (the text users quote, e.g.
https://github.com/AzureAD/microsoft-authentication-library-for-android/issues/558). Each test
writes its row of the "Hostile clients" table in docs/reliability.md.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
import requests
from reliability_kit import REPORT, EmulatorServer

from aci_emulator import Emulator, EmulatorConfig
from aci_emulator.web.routes_admin import is_loopback

RG_API = "2021-04-01"
ARM_SCOPE = "https://management.azure.com/.default"


@dataclass
class Admin:
    emu: Emulator

    def url(self, path: str) -> str:
        return self.emu.info.arm_endpoint + path

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return requests.request(
            method, self.url(path), verify=self.emu.info.ca_bundle, timeout=30, **kwargs
        )

    def token(self) -> str:
        info = self.emu.info
        answer = self.call(
            "POST",
            f"/{info.tenant_id}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": info.client_id,
                "client_secret": info.client_secret,
                "scope": ARM_SCOPE,
            },
        )
        assert answer.status_code == 200, answer.text
        return answer.json()["access_token"]

    def arm(self, token: str, path: str = "/resourcegroups") -> requests.Response:
        sub = f"/subscriptions/{self.emu.info.subscription_id}"
        return self.call(
            "GET",
            sub + path,
            params={"api-version": RG_API},
            headers={"Authorization": f"Bearer {token}"},
        )


@pytest.fixture(scope="module")
def admin() -> Iterator[Admin]:
    with Emulator(EmulatorConfig()) as emu:
        yield Admin(emu)


def error_of(response: requests.Response, status: int, code: str, text: str) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    assert text in error["message"], error["message"]
    return f"{status} `{code}`: “{error['message']}”"


# -- faults -------------------------------------------------------------------------------------
BAD_FAULTS = [
    ({"kind": "status", "times": "x"}, "'times' must be a whole number or null."),
    ({"kind": "status", "times": 0}, "'times' must be at least 1, or null."),
    ({"kind": "status", "times": True}, "'times' must be a whole number or null."),
    ({"kind": "status", "status": "503"}, "'status' must be a whole number."),
    ({"kind": "latency", "seconds": "2"}, "'seconds' must be a number."),
    ({"kind": "latency", "seconds": 1e9}, "'seconds' must be between 0 and 300.0."),
    ({"kind": "latency", "seconds": -1}, "'seconds' must be between 0 and 300.0."),
    ({"kind": "status", "probability": "0.5"}, "'probability' must be a number."),
    ({"kind": "status", "retry_after": "soon"}, "'retry_after' must be a number or null."),
    ({"kind": "status", "path": "^/(a|aa)+$"}, "'path' is a glob matched against the whole path"),
    ({"kind": "status", "path": 5}, "'path' must be a string."),
    ({"kind": "status", "method": "FETCH"}, "'method' must be '*' or one of GET"),
    ({"kind": "status", "seed": 1.5}, "'seed' must be a whole number."),
    ({"kind": 7}, "'kind' must be a string."),
]


@pytest.mark.parametrize(("fault", "message"), BAD_FAULTS, ids=[str(f) for f, _ in BAD_FAULTS])
def test_a_mistyped_fault_is_refused_and_arm_keeps_answering(admin, fault, message):
    answer = admin.call("POST", "/_emulator/faults", json=fault)

    observed = error_of(answer, 400, "InvalidFault", message)
    assert admin.call("GET", "/_emulator/faults").json() == {"value": []}
    assert admin.arm(admin.token()).status_code == 200
    REPORT.hostile_client(
        f"admin POST /_emulator/faults {fault}",
        "400 `InvalidFault` naming the option; no fault stored; ARM calls still 200",
        f"{observed}; faults []; ARM GET 200",
    )


@pytest.mark.parametrize("body", ["[1, 2]", "null", '"status"', "{"])
def test_a_fault_body_that_is_not_an_object_is_refused(admin, body):
    answer = admin.call(
        "POST", "/_emulator/faults", data=body, headers={"Content-Type": "application/json"}
    )

    if body == "{":
        observed = error_of(answer, 400, "InvalidRequestContent", "could not be deserialized")
    else:
        observed = error_of(answer, 400, "InvalidRequestContent", "must be a JSON object")
    assert admin.call("GET", "/_emulator/faults").json() == {"value": []}
    REPORT.hostile_client(
        f"admin POST /_emulator/faults with the body `{body}`",
        "400 `InvalidRequestContent`, no fault stored",
        f"{observed}; faults []",
    )


@pytest.mark.parametrize(
    "body",
    [{"registrationState": "Bogus"}, {"registrationState": 1}, {"subscriptionId": 5}, [1]],
    ids=["unknown state", "numeric state", "numeric subscription", "array"],
)
def test_a_bad_provider_state_is_refused(admin, body):
    path = "/_emulator/providers/Microsoft.ContainerInstance"

    answer = admin.call("PUT", path, json=body)

    code = "InvalidRequestContent" if isinstance(body, list) else "InvalidProviderState"
    observed = error_of(answer, 400, code, "")
    token = admin.token()
    providers = admin.arm(token, "/providers/Microsoft.ContainerInstance")
    assert providers.status_code == 200
    assert providers.json()["registrationState"] == "Registered"
    REPORT.hostile_client(
        f"admin PUT {path} with {body}",
        "400, the provider stays Registered",
        f"{observed}; provider Registered",
    )


def test_a_valid_fault_still_fires_once(admin):
    fault = {"kind": "status", "status": 503, "times": 1, "path": "**/resourcegroups**"}

    assert admin.call("POST", "/_emulator/faults", json=fault).status_code == 201
    token = admin.token()

    assert admin.arm(token).status_code == 503
    assert admin.arm(token).status_code == 200


# -- loopback -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("::ffff:127.9.9.9", True),
        ("fe80::1%lo", False),
        ("10.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("2001:db8::1", False),
        ("", False),
        ("not-an-address", False),
    ],
)
def test_loopback_is_127_0_0_0_8_and_1_and_mapped(address, loopback):
    assert is_loopback(address) is loopback


def test_admin_routes_answer_127_0_0_1_on_a_server_bound_to_all_addresses(tmp_path, artifact_dir):
    server = EmulatorServer(tmp_path, artifact_dir / "admin-dual-stack", "--host", "::")
    with server:
        assert server.info["arm_endpoint"].startswith("https://127.0.0.1:")
        answer = server.admin("GET", "faults")

    assert answer.status_code == 200, answer.text
    assert answer.json() == {"value": []}
    REPORT.hostile_client(
        "admin GET /_emulator/faults from 127.0.0.1 to `serve --host ::` (seen as "
        "::ffff:127.0.0.1)",
        "200: IPv4-mapped loopback is loopback",
        f"{answer.status_code} {answer.json()}",
    )


# -- tokens -------------------------------------------------------------------------------------
def own_token(admin: Admin, **changes: Any) -> str:
    """A token signed with this emulator's key: what it issues, with some claims changed."""
    identity = admin.emu.identity
    now = int(time.time())
    principal = identity.principals[admin.emu.info.client_id]
    claims = {
        "aud": "https://management.azure.com/",
        "iss": identity.issuer,
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "tid": identity.tenant_id,
        "oid": principal.object_id,
        "sub": principal.object_id,
        "appid": principal.client_id,
    }
    claims.update(changes)
    # Signed as raw JSON: PyJWT's encode() itself refuses some of these claims.
    payload = json.dumps(claims).encode()
    return jwt.PyJWS().encode(payload, identity._key, "RS256", {"kid": identity.key_id})


BAD_CLAIMS = [
    ({"exp": "2099-01-01"}, "InvalidAuthenticationToken", "'exp', 'nbf' and 'iat' claims"),
    ({"exp": True}, "InvalidAuthenticationToken", "'exp', 'nbf' and 'iat' claims"),
    ({"iat": [1]}, "InvalidAuthenticationToken", ""),
    ({"tid": 7}, "InvalidAuthenticationToken", "'tid', 'oid' and 'appid' claims strings"),
    ({"appid": {"a": 1}}, "InvalidAuthenticationToken", "'tid', 'oid' and 'appid'"),
    ({"oid": None}, "InvalidAuthenticationToken", "could not be validated"),
    (
        {"iss": "https://sts.windows.net/00000000-0000-0000-0000-000000000bad/"},
        "InvalidAuthenticationTokenTenant",
        "The access token is from the wrong issuer 'https://sts.windows.net/00000000-0000-",
    ),
    ({"iss": "https://attacker.example/"}, "InvalidAuthenticationTokenTenant", "wrong issuer"),
    ({"iss": None}, "InvalidAuthenticationToken", "could not be validated"),
    ({"iss": 42}, "InvalidAuthenticationTokenTenant", "wrong issuer '42'"),
]


@pytest.mark.parametrize(
    ("changes", "code", "text"), BAD_CLAIMS, ids=[str(c) for c, _, _ in BAD_CLAIMS]
)
def test_a_token_of_the_emulators_own_key_with_bad_claims_is_401(admin, changes, code, text):
    answer = admin.arm(own_token(admin, **changes))

    observed = error_of(answer, 401, code, text)
    REPORT.hostile_client(
        f"ARM GET with a token signed by the emulator's own key, claims changed: {changes}",
        "401, as ARM refuses a token it cannot use",
        observed,
    )


def test_the_control_token_of_the_emulators_own_key_is_accepted(admin):
    assert admin.arm(own_token(admin)).status_code == 200


def basic(value: str) -> str:
    return "Basic " + base64.b64encode(value.encode()).decode()


BAD_BASIC = [
    ("Basic !!!notbase64", "not base64"),
    ("Basic " + base64.b64encode(b"\xff\xfe:x").decode(), "base64 of bytes that are not UTF-8"),
    (basic("no-colon-here"), "base64 of a value without ':'"),
    ("Basic ====", "padding only"),
]


@pytest.mark.parametrize(("header", "what"), BAD_BASIC, ids=[w for _, w in BAD_BASIC])
def test_a_malformed_basic_header_at_the_token_endpoint_is_400(admin, header, what):
    info = admin.emu.info
    answer = admin.call(
        "POST",
        f"/{info.tenant_id}/oauth2/v2.0/token",
        data={"grant_type": "client_credentials", "scope": ARM_SCOPE},
        headers={"Authorization": header},
    )

    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["error"] == "invalid_request"
    assert body["error_codes"] == [9002313]
    assert body["error_description"] == (
        "AADSTS9002313: Invalid request. Request is malformed or invalid."
    )
    REPORT.hostile_client(
        f"token request whose Basic client credentials are {what}",
        "400 `invalid_request` AADSTS9002313, as Entra ID answers a malformed request",
        f"{answer.status_code} `{body['error']}`: “{body['error_description']}”",
    )


def test_a_well_formed_basic_header_signs_in(admin):
    info = admin.emu.info
    answer = admin.call(
        "POST",
        f"/{info.tenant_id}/oauth2/v2.0/token",
        data={"grant_type": "client_credentials", "scope": ARM_SCOPE},
        headers={"Authorization": basic(f"{info.client_id}:{info.client_secret}")},
    )

    assert answer.status_code == 200, answer.text
    assert admin.arm(answer.json()["access_token"]).status_code == 200
