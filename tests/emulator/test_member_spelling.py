"""Every spelling meets every rule: Azure reads member names in any case (Json.NET), so a body
whose names differ from the spec's only in case is read, checked and stored as the spec's
spelling; its errors name the members as they were written. The count limits come first."""

from __future__ import annotations

import random
from typing import Any

import pytest
from aci_builders import ACI_API, HELLO, RG_API, unique
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Objects whose keys are data, not member names: left as they are.
MAPS = ("tags", "userAssignedIdentities", "secret", "keyValuePairs", "metadata")


def _valid(label: str | None = None) -> dict[str, Any]:
    ip: dict[str, Any] = {"type": "Public", "ports": [{"port": 80, "protocol": "TCP"}]}
    if label:
        ip["dnsNameLabel"] = label
    return {
        "location": "eastus",
        "tags": {"Owner": "me"},
        "properties": {
            "osType": "Linux",
            "restartPolicy": "OnFailure",
            "sku": "Standard",
            "ipAddress": ip,
            "volumes": [{"name": "cache", "emptyDir": {}}],
            "containers": [
                {
                    "name": "app",
                    "properties": {
                        "image": HELLO,
                        "command": ["node", "index.js"],
                        "ports": [{"port": 80}],
                        "environmentVariables": [
                            {"name": "MODE", "value": "demo"},
                            {"name": "KEY", "secureValue": "not-a-secret"},
                        ],
                        "volumeMounts": [{"name": "cache", "mountPath": "/cache"}],
                        "resources": {"requests": {"cpu": 1, "memoryInGB": 1.5}},
                    },
                }
            ],
        },
    }


def _respelled(value: Any, rng: random.Random, map_keys: bool = False) -> Any:
    """The same body with each member name in a case of its own (map keys as they are)."""
    if isinstance(value, list):
        return [_respelled(item, rng) for item in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        spelled = key if map_keys else "".join(rng.choice((c.lower(), c.upper())) for c in key)
        out[spelled] = _respelled(item, rng, map_keys=key in MAPS)
    return out


def _keys(value: Any, map_keys: bool = False) -> set[str]:
    """Every member name of a JSON value (not the keys of maps)."""
    if isinstance(value, list):
        return set().union(*(_keys(item) for item in value)) if value else set()
    if not isinstance(value, dict):
        return set()
    names = set() if map_keys else set(value)
    for key, item in value.items():
        names |= _keys(item, map_keys=key in MAPS)
    return names


def _comparable(answer: dict[str, Any]) -> dict[str, Any]:
    """A GET's answer without what differs from group to group (name, id, address, times)."""
    props = dict(answer["properties"])
    props.pop("instanceView", None)
    props["ipAddress"] = {k: v for k, v in props["ipAddress"].items() if k not in ("ip", "fqdn")}
    props["ipAddress"].pop("dnsNameLabel", None)
    props["containers"] = [
        {**c, "properties": {k: v for k, v in c["properties"].items() if k != "instanceView"}}
        for c in props["containers"]
    ]
    return {k: v for k, v in answer.items() if k not in ("id", "name")} | {"properties": props}


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_a_body_in_any_spelling_is_stored_and_answered_as_the_specs(raw, rg, seed):
    canonical, name = raw.cg_path(rg, unique("canonical")), unique("respelled")
    sent = _valid(unique("label"))
    assert raw.request("PUT", canonical, api_version=ACI_API, json=sent).status_code == 201
    body = _respelled(_valid(unique("label")), random.Random(seed))
    created = raw.request("PUT", raw.cg_path(rg, name), api_version=ACI_API, json=body)
    assert created.status_code == 201, created.text
    expected = _comparable(raw.request("GET", canonical, api_version=ACI_API).json())
    got = raw.request("GET", raw.cg_path(rg, name), api_version=ACI_API).json()
    assert _comparable(got) == expected
    assert _keys(created.json()) <= _keys(got) and _keys(got) == _keys(
        raw.request("GET", canonical, api_version=ACI_API).json()
    )


def _refused(change) -> dict[str, Any]:
    body = _valid()
    change(body["properties"], body["properties"]["containers"][0]["properties"])
    return body


# What the attack sent in another spelling, here in the spec's: each meets a rule or a type.
REFUSED = {
    "a port out of range": (
        lambda p, c: p["ipAddress"]["ports"][0].update(port=99999),
        "InvalidPort",
        "The port '99999' in container group '{group}' is invalid. A port must be an integer "
        "between 1 and 65535.",
    ),
    "a protocol no one knows": (
        lambda p, c: p["ipAddress"]["ports"][0].update(protocol="BOGUS"),
        "InvalidRequestContent",
        "The request content was invalid and could not be deserialized: 'Error converting value "
        "\"BOGUS\" to type 'protocol'. Allowed values: TCP, UDP. Path '{path}''.",
    ),
    "a restart policy that is an object": (
        lambda p, c: p.update(restartPolicy={"not": "an enum"}),
        "InvalidRequestContent",
        "The request content was invalid and could not be deserialized: 'Unexpected token "
        "StartObject when parsing enum. Path '{path}', line 1, position {position}.'.",
    ),
    "a sku that is an array": (
        lambda p, c: p.update(sku=[1, 2]),
        "InvalidRequestContent",
        "The request content was invalid and could not be deserialized: 'Unexpected token "
        "StartArray when parsing enum. Path '{path}', line 1, position {position}.'.",
    ),
    "ports that are a string": (
        lambda p, c: c.update(ports="not a list"),
        "InvalidRequestContent",
        "The request content was invalid and could not be deserialized: 'Unexpected value 'not "
        "a list' for 'ports': expected an array. Path '{path}', line 1, position {position}.'.",
    ),
    "a variable without a name": (
        lambda p, c: c.update(environmentVariables=[{"name": "", "value": "x"}]),
        "InvalidRequestContent",
        "The request content was invalid and could not be deserialized: 'Required property "
        "'name' not found in JSON. Path 'environmentVariables''.",
    ),
}


@pytest.mark.parametrize("what", list(REFUSED))
@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_a_refused_body_is_refused_in_any_spelling(raw, rg, what, seed):
    change, code, _ = REFUSED[what]
    name = unique("cg")
    path = raw.cg_path(rg, name)
    canonical = raw.request("PUT", path, api_version=ACI_API, json=_refused(change)).json()
    respelled = raw.request(
        "PUT", path, api_version=ACI_API, json=_respelled(_refused(change), random.Random(seed))
    ).json()
    assert canonical["error"]["code"] == respelled["error"]["code"] == code
    # The same message, but for the path, which names the members as they were written.
    assert _without_place(canonical["error"]["message"]) == _without_place(
        respelled["error"]["message"]
    )
    assert raw.request("GET", path, api_version=ACI_API).status_code == 404


def _without_place(message: str) -> str:
    head, _, tail = message.partition("Path '")
    return head + "Path …" if tail else message


@pytest.mark.parametrize("what", list(REFUSED))
def test_the_messages_of_refused_bodies(raw, rg, what):
    """The messages above, whole, for the spellings the attack used (the spec's in lowercase
    initial, a capital one)."""
    change, code, message = REFUSED[what]
    name = unique("cg")
    body = _respelled(_refused(change), random.Random(0))
    answer = raw.request("PUT", raw.cg_path(rg, name), api_version=ACI_API, json=body).json()
    assert answer["error"]["code"] == code
    shown = answer["error"]["message"]
    if "{path}" in message:
        path = shown.partition("Path '")[2].partition("'")[0]
        assert path.lower().startswith("properties.")  # as written: checked below in any case
        position = shown.partition("position ")[2].partition(".")[0] or "0"
        message = message.format(path=path, position=position)
    assert shown == message.format(group=name)


def test_an_error_names_members_as_they_were_written(raw, rg):
    body = {
        "Location": "eastus",
        "PROPERTIES": {"osType": "Linux", "RestartPolicy": {"not": "an enum"}, "containers": []},
    }
    text = raw.request("PUT", raw.cg_path(rg, unique("cg")), api_version=ACI_API, json=body)
    assert text.json()["error"]["message"] == (
        "The request content was invalid and could not be deserialized: 'Unexpected token "
        "StartObject when parsing enum. Path 'PROPERTIES.RestartPolicy', line 1, position 75.'."
    )


# -- resource groups and tags -------------------------------------------------------------------


def test_resource_group_members_in_any_case_are_read(raw, rm):
    name = unique("rg")
    body = {"LOCATION": "westeurope", "Tags": {"Team": "Blue"}}
    assert raw.request("PUT", raw.rg_path(name), api_version=RG_API, json=body).status_code == 201
    created = rm.resource_groups.get(name)
    assert (created.location, created.tags) == ("westeurope", {"Team": "Blue"})
    patched = raw.request("PATCH", raw.rg_path(name), api_version=RG_API, json={"TAGS": {}})
    assert patched.json()["tags"] == {}
    rm.resource_groups.begin_delete(name).result()


def test_resource_group_tags_in_any_case_meet_their_type(raw):
    name = unique("rg")
    body = {"location": "westeurope", "TAGS": {"a": 5}}
    answer = raw.request("PUT", raw.rg_path(name), api_version=RG_API, json=body)
    assert answer.status_code == 400
    assert answer.json()["error"] == {
        "code": "InvalidRequestContent",
        "message": "The request content was invalid and could not be deserialized: 'Unexpected "
        "value '5' for 'a': expected a string. Path 'TAGS.a', line 1, position 42.'.",
    }
    assert raw.request("GET", raw.rg_path(name), api_version=RG_API).status_code == 404


def test_container_group_tags_in_any_case_are_patched(raw, rg):
    path = raw.cg_path(rg, unique("cg"))
    assert raw.request("PUT", path, api_version=ACI_API, json=_valid()).status_code == 201
    patched = raw.request("PATCH", path, api_version=ACI_API, json={"Tags": {"Stage": "test"}})
    assert patched.json()["tags"] == {"Stage": "test"}


# -- counts first -------------------------------------------------------------------------------

TOO_MANY = {
    # What is counted, a spelling, how many, an item of a wrong type: the count answers first.
    "volumes": ("Volumes", 21, {"name": 5}, "TooManyVolumes", "21 volumes", "20 volumes"),
    "containers": ("CONTAINERS", 61, 5, "TooManyContainers", "61 containers", "60 containers"),
}


@pytest.mark.parametrize("what", list(TOO_MANY))
def test_counts_are_checked_before_types(raw, rg, what):
    spelled, count, item, code, has, limit = TOO_MANY[what]
    body = _valid()
    del body["properties"][what]
    body["properties"][spelled] = [item] * count
    name = unique("cg")
    answer = raw.request("PUT", raw.cg_path(rg, name), api_version=ACI_API, json=body)
    assert answer.json()["error"] == {
        "code": code,
        "message": f"The container group '{name}' has {has}. A container group may have at "
        f"most {limit}.",
    }


def test_variables_are_counted_before_they_are_read(raw, rg):
    body = _valid()
    container = body["properties"]["containers"][0]["properties"]
    del container["environmentVariables"]
    container["EnvironmentVariables"] = [{"name": 5}] * 1001
    name = unique("cg")
    answer = raw.request("PUT", raw.cg_path(rg, name), api_version=ACI_API, json=body)
    assert answer.json()["error"] == {
        "code": "TooManyEnvironmentVariables",
        "message": f"The container group '{name}' has 1001 environment variables. A container "
        "group may have at most 1000 environment variables.",
    }


def test_a_body_of_30000_volumes_is_refused_by_its_count(raw, rg):
    """Within the body's values limit (Limits.max_json_values: three values a volume here), the
    count answers before any walk of the volumes."""
    body = _valid()
    body["properties"]["volumes"] = [{"name": f"v{i}", "emptyDir": {}} for i in range(30_000)]
    name = unique("cg")
    answer = raw.request("PUT", raw.cg_path(rg, name), api_version=ACI_API, json=body)
    assert answer.json()["error"]["code"] == "TooManyVolumes"
    assert "has 30000 volumes" in answer.json()["error"]["message"]
