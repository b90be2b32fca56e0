"""A secret of any JSON type, at each of the six places Azure never returns, is never shown.

A `secureValue` sent as a number was once quoted back in the 400 ("Unexpected value
'987654321' for 'secureValue'"). Hypothesis sends every JSON type (integers, floats, booleans,
strings, arrays and objects holding them) at every secret property (web/request_types.py,
SECRET_PROPERTIES): the answer, the GET and the list never hold the value, and a refusal names
the property rather than the value.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from reliability_kit import IMAGE, REPORT, raw_token

from aci_emulator import Emulator, EmulatorConfig

MARK = 987654321987
PLACES = (
    "secureValue",
    "password",
    "storageAccountKey",
    "secret",
    "workspaceKey",
    "protectedSettings",
)
# Values that carry MARK (as a number, or its digits in a string), of every JSON type.
SCALARS = st.sampled_from([MARK, -MARK, MARK + 0.5, float(MARK), str(MARK), f"{MARK}e0"])
SECRETS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(st.one_of(inner, st.booleans(), st.none()), min_size=1, max_size=3),
        st.dictionaries(st.sampled_from(["k", "value", "x"]), inner, min_size=1, max_size=2),
    ),
    max_leaves=4,
)
TALLY: dict[int, int] = {}


@pytest.fixture(scope="module")
def arm() -> Iterator[tuple[requests.Session, str]]:
    with Emulator(EmulatorConfig()) as emu:
        session = requests.Session()
        session.trust_env = False
        session.verify = emu.info.ca_bundle
        session.headers["Authorization"] = f"Bearer {raw_token(emu.info)}"
        session.headers["Content-Type"] = "application/json"
        sub = f"{emu.info.arm_endpoint}/subscriptions/{emu.info.subscription_id}"
        created = session.put(
            f"{sub}/resourcegroups/typed-rg?api-version=2025-04-01", json={"location": "eastus"}
        )
        assert created.status_code == 201
        yield session, sub
        session.close()


def with_secret(place: str, value: Any) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": "app",
        "properties": {"image": IMAGE, "resources": {"requests": {"cpu": 1, "memoryInGB": 1.5}}},
    }
    props: dict[str, Any] = {"osType": "Linux", "containers": [container]}
    if place == "secureValue":
        container["properties"]["environmentVariables"] = [{"name": "S", "secureValue": value}]
    elif place == "password":
        props["imageRegistryCredentials"] = [
            {"server": "a.azurecr.io", "username": "u", "password": value}
        ]
    elif place == "storageAccountKey":
        share = {"shareName": "s", "storageAccountName": "acct", "storageAccountKey": value}
        props["volumes"] = [{"name": "share", "azureFile": share}]
    elif place == "secret":
        props["volumes"] = [{"name": "secret1", "secret": {"k": value}}]
    elif place == "workspaceKey":
        props["diagnostics"] = {"logAnalytics": {"workspaceId": "w", "workspaceKey": value}}
    else:
        extension = {"extensionType": "kube-proxy", "version": "1.0", "protectedSettings": value}
        props["extensions"] = [{"name": "ext", "properties": extension}]
    return {"location": "eastus", "properties": props}


@settings(max_examples=80, deadline=None, derandomize=True, database=None)
@given(place=st.sampled_from(PLACES), value=SECRETS)
def test_a_secret_of_any_json_type_is_never_shown(arm, place, value):
    session, sub = arm
    url = f"{sub}/resourceGroups/typed-rg/providers/Microsoft.ContainerInstance/containerGroups/cg"
    api = "?api-version=2023-05-01"
    put = session.put(url + api, data=json.dumps(with_secret(place, value)))
    try:
        answers = [
            put,
            session.get(url + api),
            session.get(f"{sub}/providers/Microsoft.ContainerInstance/containerGroups{api}"),
        ]
        assert put.status_code < 500, put.text[:300]
        for answer in answers:
            assert str(MARK) not in answer.text, (place, value, answer.text[:300])
        if put.status_code >= 400:
            assert place.lower() in put.json()["error"]["message"].lower(), put.text
        TALLY[put.status_code] = TALLY.get(put.status_code, 0) + 1
    finally:
        session.delete(url + api)


def test_report_row():
    REPORT.hostile_client(
        "secrets of every JSON type (numbers, booleans, strings, arrays, objects) at each of the "
        "six secret places (generated)",
        "never in an answer, a GET or a list; a refusal names the property, not the value",
        ", ".join(f"{n}× {status}" for status, n in sorted(TALLY.items())) + "; nothing shown",
    )
