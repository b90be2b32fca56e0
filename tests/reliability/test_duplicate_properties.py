"""A property sent twice in one JSON object, in any casing, never slips a secret past the renderer.

ARM's deserializer reads property names case-insensitively, so `imageRegistryCredentials` and
`ImageRegistryCredentials` name one property. A body that names one property twice is refused
at parse time with 400 `InvalidRequestContent` naming it (web/body.py; our reading: Json.NET
would keep one of the two), so no later code sees two spellings. Hypothesis puts a case-variant
twin of a property, at any depth of a full body, carrying secrets; the answer must be that 400,
nothing stored, and no secret in any answer or in the emulator's log, at every api-version the
clients send.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_kit import IMAGE, REPORT, LogRecorder, raw_token, recording_emulator_log

from aci_emulator import Emulator, EmulatorConfig

API_VERSIONS = ("2021-09-01", "2023-05-01", "2024-05-01-preview")
NS = "providers/Microsoft.ContainerInstance"
RG = "dup-rg"
MARK = "S3CRETMARK"


class Arm:
    def __init__(self, emu: Emulator, log: LogRecorder) -> None:
        self.emu, self.log = emu, log
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = emu.info.ca_bundle
        self.session.headers["Authorization"] = f"Bearer {raw_token(emu.info)}"
        self.session.headers["Content-Type"] = "application/json"
        self.sub = f"/subscriptions/{emu.info.subscription_id}"

    def call(self, method: str, path: str, api: str, data: str | None = None) -> requests.Response:
        url = f"{self.emu.info.arm_endpoint}{path}?api-version={api}"
        return self.session.request(method, url, data=data, timeout=60)

    def cg(self, name: str) -> str:
        return f"{self.sub}/resourceGroups/{RG}/{NS}/containerGroups/{name}"

    def every_answer(self, name: str, api: str) -> list[requests.Response]:
        return [
            self.call("GET", self.cg(name), api),
            self.call("GET", f"{self.sub}/{NS}/containerGroups", api),
            self.call("GET", f"{self.sub}/resourceGroups/{RG}/{NS}/containerGroups", api),
        ]


@pytest.fixture(scope="module")
def arm() -> Iterator[Arm]:
    with recording_emulator_log() as recorder, Emulator(EmulatorConfig(quota_cores=100_000)) as emu:
        arm = Arm(emu, recorder)
        created = arm.call(
            "PUT",
            f"{arm.sub}/resourcegroups/{RG}",
            "2025-04-01",
            json.dumps({"location": "eastus"}),
        )
        assert created.status_code == 201, created.text
        yield arm
        arm.session.close()


def full_body(secret: str) -> dict[str, Any]:
    """A group with every secret Azure hides, each holding `secret`."""
    container = {
        "name": "app",
        "properties": {
            "image": IMAGE,
            "resources": {"requests": {"cpu": 1, "memoryInGB": 1.5}},
            "environmentVariables": [{"name": "TOKEN", "secureValue": secret}],
            "volumeMounts": [{"name": "share1", "mountPath": "/m"}],
        },
    }
    return {
        "location": "eastus",
        "properties": {
            "osType": "Linux",
            "containers": [container],
            "imageRegistryCredentials": [
                {"server": "a.azurecr.io", "username": "u", "password": secret}
            ],
            "volumes": [
                {
                    "name": "share1",
                    "azureFile": {
                        "shareName": "s",
                        "storageAccountName": "acct",
                        "storageAccountKey": secret,
                    },
                },
                {"name": "secret1", "secret": {"k": secret}},
            ],
            "diagnostics": {"logAnalytics": {"workspaceId": "w", "workspaceKey": secret}},
            "extensions": [
                {
                    "name": "ext",
                    "properties": {
                        "extensionType": "kube-proxy",
                        "version": "1.0",
                        "protectedSettings": {"key": secret},
                    },
                }
            ],
        },
    }


def objects(value: Any, path: tuple = ()) -> Iterator[tuple]:
    """The path of every JSON object in `value` that has at least one property."""
    if isinstance(value, dict):
        if value:
            yield path
        for key, child in value.items():
            yield from objects(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from objects(child, (*path, index))


def at(body: Any, path: tuple) -> Any:
    for step in path:
        body = body[step]
    return body


def other_casing(name: str, flips: list[bool]) -> str:
    """`name` with the case of some letters swapped; never `name` itself."""
    twin = "".join(c.swapcase() if flip else c for c, flip in zip(name, flips, strict=True))
    return twin if twin != name else name.swapcase()


# The probe's instances: a camelCase parent and its PascalCase twin holding the secret.
PROBE_TWINS = [
    ("imageRegistryCredentials", "ImageRegistryCredentials"),
    ("diagnostics", "Diagnostics"),
    ("volumes", "Volumes"),
    ("extensions", "Extensions"),
]


@pytest.mark.parametrize("api", API_VERSIONS)
@pytest.mark.parametrize(("first", "twin"), PROBE_TWINS)
def test_a_secret_under_a_twin_parent_is_refused_and_never_shown(arm, api, first, twin):
    body = full_body("ok")
    props = body["properties"]
    props[twin] = json.loads(json.dumps(props[first]).replace('"ok"', f'"{MARK}"'))
    name = f"twin-{first.lower()[:10]}-{api[:4]}"
    put = arm.call("PUT", arm.cg(name), api, json.dumps(body))

    assert put.status_code == 400, put.text
    error = put.json()["error"]
    assert error["code"] == "InvalidRequestContent"
    assert f"'{first}'" in error["message"] and f"'{twin}'" in error["message"], error
    assert "case-insensitive" in error["message"]
    answers = [put, *arm.every_answer(name, api)]
    assert answers[1].status_code == 404
    assert all(MARK not in a.text for a in answers)
    assert MARK not in "\n".join(arm.log.lines)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_property_twice_at_any_depth_in_any_casing_is_refused_and_no_secret_shows(arm, data):
    secret = f"{MARK}-{data.draw(st.integers(0, 10**6), label='n')}"
    body = full_body("ok")
    spots = list(objects(body))
    path = data.draw(st.sampled_from(spots), label="object")
    target = at(body, path)
    name = data.draw(st.sampled_from(sorted(target)), label="property")
    flips = data.draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    twin = other_casing(name, flips)
    same = data.draw(st.booleans(), label="exact duplicate")
    # The twin carries the secret: a copy of the property's value with every secret in it, or
    # the secret itself. An exact duplicate has to be written as JSON text.
    value = json.loads(json.dumps(target[name]).replace('"ok"', f'"{secret}"'))
    if value == target[name]:
        value = secret
    api = data.draw(st.sampled_from(API_VERSIONS), label="api-version")
    if same:
        text = json.dumps(body)
        original = json.dumps({name: target[name]})[1:-1]
        assert original in text
        text = text.replace(original, f"{original}, {json.dumps(name)}: {json.dumps(value)}", 1)
        shown_twin = name
    else:
        target[twin] = copy.deepcopy(value)
        text = json.dumps(body)
        shown_twin = twin

    log_start = len(arm.log.lines)
    put = arm.call("PUT", arm.cg("dup"), api, text)

    assert put.status_code == 400, (path, name, twin, put.text[:300])
    error = put.json()["error"]
    assert error["code"] == "InvalidRequestContent", error
    assert f"'{shown_twin}'" in error["message"], error
    answers = [put, *arm.every_answer("dup", api)]
    assert answers[1].status_code == 404, answers[1].text[:300]
    for answer in answers:
        assert secret not in answer.text
    assert secret not in "\n".join(arm.log.lines[log_start:])
    COUNTS["refused"] += 1


COUNTS = {"refused": 0}


def test_report_row(arm):
    """The row of the hostile-client table (after the generated test above)."""
    REPORT.hostile_client(
        "one property twice in a JSON object, in another casing or the same, at any depth of a "
        "full body, carrying secrets (generated), at 2021-09-01, 2023-05-01, 2024-05-01-preview",
        "400 `InvalidRequestContent` naming the property; nothing stored; no secret in any "
        "answer or log",
        f"{COUNTS['refused']} generated bodies refused; none stored; no secret shown",
    )
