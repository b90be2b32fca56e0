"""Answers shaped by the REST spec of the requested api-version (aci_emulator/specs): a property
the version's schema does not define is not returned, whatever a client sent."""

from __future__ import annotations

import hashlib
import json
import uuid
from importlib import resources

import pytest
from aci_builders import ACI_API, group
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spec_properties import properties_of

from aci_emulator.web import api_specs
from aci_emulator.web.app import ACI_VERSIONS
from aci_emulator.web.render_aci import RETURNED_BEYOND_SPEC

SPEC = json.loads(
    (resources.files("aci_emulator") / "specs" / f"{ACI_API}.json").read_text(encoding="utf-8")
)
GROUP_PROPERTIES = SPEC["definitions"]["ContainerGroupProperties"]["properties"]["properties"]
CONTAINER_PROPERTIES = SPEC["definitions"]["ContainerProperties"]["properties"]
# Names no version defines: letters, so that they are valid JSON keys of any casing.
unknown_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=12).filter(
    lambda name: (
        name.lower()
        not in {
            *(k.lower() for k in GROUP_PROPERTIES["properties"]),
            *(k.lower() for k in CONTAINER_PROPERTIES),
        }
    )
)


def wire_definition() -> dict:
    return group().serialize()


OLDEST = api_specs.vendored_versions()[0]


def test_a_member_a_newer_version_defines_is_taken_but_not_returned(raw, rg, cg_name):
    """Azure's model is one for every version: a member another version defines is read, and
    the answer is shaped by the requested version (configMap came after the oldest spec)."""
    definition = wire_definition()
    definition["properties"]["containers"][0]["properties"]["configMap"] = {
        "keyValuePairs": {"KEY": "value"}
    }

    put = raw.request("PUT", raw.cg_path(rg, cg_name), api_version=OLDEST, json=definition)
    get = raw.request("GET", raw.cg_path(rg, cg_name), api_version=OLDEST)

    assert put.status_code in (200, 201), put.text
    for answer in (put.json(), get.json()):
        props = answer["properties"]
        assert "configMap" not in props["containers"][0]["properties"]
        # What the spec defines and the client sent is returned.
        assert props["osType"] == "Linux"
        assert props["ipAddress"]["ports"] == [{"protocol": "TCP", "port": 80}]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(group_name=unknown_names, container_name=unknown_names)
def test_members_no_version_defines_are_refused(raw, rg, group_name, container_name):
    """Azure's deserializer refuses a member its types lack, at any depth
    (prefect-archive/prefect-azure#103: the group's properties; virtual-kubelet/virtual-kubelet#64:
    an emptyDir volume; tests/fidelity/errors/)."""
    cg = f"shape-{group_name[:20]}"
    for place, name, type_name, path in (
        ("container", container_name, "ContainerProperties", "containers[0].properties."),
        ("group", group_name, "ContainerGroupPropertiesDefinition", ""),
    ):
        definition = wire_definition()
        target = definition["properties"]
        if place == "container":
            target = target["containers"][0]["properties"]
        target[name] = {"sent": True}
        refused = raw.request("PUT", raw.cg_path(rg, cg), api_version=ACI_API, json=definition)
        assert refused.status_code == 400
        assert refused.json()["error"]["message"].startswith(
            "The request content was invalid and could not be deserialized: 'Could not find "
            f"member '{name}' on object of type '{type_name}'. Path 'properties.{path}{name}', "
            "line 1, position "
        )
    assert raw.request("GET", raw.cg_path(rg, cg), api_version=ACI_API).status_code == 404


def test_every_property_returned_is_in_the_spec_or_recorded_beyond_it(raw, rg, cg_name):
    raw.request("PUT", raw.cg_path(rg, cg_name), api_version=ACI_API, json=wire_definition())
    props = raw.request("GET", raw.cg_path(rg, cg_name), api_version=ACI_API).json()["properties"]

    beyond = {key for key in props if key not in GROUP_PROPERTIES["properties"]}

    assert beyond == {"provisioningTimeoutInSeconds", "isCustomProvisioningTimeout"}
    assert set(CONTAINER_PROPERTIES) >= set(props["containers"][0]["properties"])


def test_a_version_without_a_vendored_spec_takes_the_nearest_older_one():
    vendored = api_specs.vendored_versions()

    assert ACI_API in vendored
    assert api_specs.spec_version(ACI_API) == ACI_API
    newer = max(vendored) + "-preview"  # sorts after every vendored version of that date
    assert api_specs.spec_version(newer) == max(vendored)
    assert api_specs.spec_version("2017-08-01-preview") == min(vendored)


def test_an_older_version_is_answered_in_its_own_shape(aci, raw, rg, cg_name):
    definition = group(dns_label=f"label-{cg_name}"[:40], zones=["1"], priority="Regular")
    aci.container_groups.begin_create_or_update(rg, cg_name, definition).result()

    newer = raw.request("GET", raw.cg_path(rg, cg_name), api_version=ACI_API).json()
    older = raw.request("GET", raw.cg_path(rg, cg_name), api_version="2021-09-01").json()

    # 2023-05-01 defines them all; its answers also carry the recorded provisioning timeout.
    assert newer["zones"] == ["1"]
    assert newer["properties"]["priority"] == "Regular"
    assert newer["properties"]["ipAddress"]["autoGeneratedDomainNameLabelScope"] == "Unsecure"
    assert newer["properties"]["provisioningTimeoutInSeconds"] == 1800
    # The 2021-09-01 spec defines none of these (and Azure returned no timeout at that version).
    assert "zones" not in older
    for key in ("priority", "provisioningTimeoutInSeconds", "isCustomProvisioningTimeout"):
        assert key not in older["properties"]
    assert "autoGeneratedDomainNameLabelScope" not in older["properties"]["ipAddress"]
    # What it defines stays: the same group, in the older shape.
    assert older["properties"]["ipAddress"]["fqdn"] == newer["properties"]["ipAddress"]["fqdn"]
    assert older["properties"]["sku"] == "Standard"
    assert older["properties"]["initContainers"] == []


SPECS = resources.files("aci_emulator") / "specs"
SPEC_PATH = "specification/containerinstance/resource-manager/Microsoft.ContainerInstance/"


def vendored_spec(version: str) -> dict:
    return json.loads((SPECS / f"{version}.json").read_text(encoding="utf-8"))


def group_property_names(version: str) -> set[str]:
    """The names a version defines in a group's `properties`, read from its spec with every
    $ref and allOf followed (the group schema is an allOf of Resource and a named or inline
    object, by version; TypeSpec-generated specs refer to ARM's common types)."""
    shape = api_specs.for_version(version)
    return set(properties_of(shape, properties_of(shape, "ContainerGroup")["properties"]))


def test_every_vendored_spec_is_listed_in_sources_as_the_file_it_is():
    rows = {
        line.split()[0]: line.split()[1:]
        for line in (SPECS / "SOURCES").read_text(encoding="utf-8").splitlines()
        if line.endswith("/containerInstance.json")
    }

    for version in api_specs.vendored_versions():
        commit, blob, path = rows.pop(f"{version}.json")
        data = (SPECS / f"{version}.json").read_bytes()
        assert hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest() == blob, version
        assert len(commit) == 40 and path.startswith(SPEC_PATH)
        assert path.endswith(f"/{version}/containerInstance.json")
        assert vendored_spec(version)["info"]["version"] == version
    assert rows == {}, "SOURCES lists a spec that is not vendored"


def test_every_served_version_takes_its_own_spec_or_the_nearest_older_one():
    vendored = api_specs.vendored_versions()

    for version in ACI_VERSIONS:
        chosen = api_specs.spec_version(version)
        if version in vendored:
            assert chosen == version
        elif version > min(vendored):
            assert chosen == max(v for v in vendored if v < version)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(version=st.sampled_from(api_specs.vendored_versions()), zones=st.booleans())
def test_each_vendored_version_returns_only_what_its_spec_defines(raw, rg, version, zones):
    definition = wire_definition()
    if zones:
        definition["zones"] = ["1"]
    name = f"shape-{uuid.uuid4().hex[:12]}"
    top_level = set(properties_of(api_specs.for_version(version), "ContainerGroup"))
    defined = group_property_names(version)
    beyond = {key.split(".", 1)[1] for key in RETURNED_BEYOND_SPEC.get(version, ())}
    path = raw.cg_path(rg, name)

    put = raw.request("PUT", path, api_version=version, json=definition)
    get = raw.request("GET", path, api_version=version)
    listed = raw.request("GET", path.rsplit("/", 1)[0], api_version=version)

    assert put.status_code in (200, 201), put.text
    mine = [item for item in listed.json()["value"] if item["name"] == name]
    assert len(mine) == 1
    for answer in (put.json(), get.json(), *mine):
        assert set(answer["properties"]) - defined <= beyond, version
        assert set(answer) <= top_level | {"properties", "identity"}, version
        # Sent zones come back where the version defines them (2021-09-01 on), only there.
        assert ("zones" in answer) == (zones and "zones" in top_level), version
        assert answer["properties"]["osType"] == "Linux"
        assert answer["properties"]["containers"][0]["properties"]["image"]


# By version, what a group's answer holds beyond the common core: from each spec, and from what
# recordings show Azure returning beyond it (RETURNED_BEYOND_SPEC).
VERSION_ADDS = {
    # Defined by none of these: the timeouts, the pool flag, a credential's delegation flag.
    "2022-10-01-preview": set(),
    # The one spec defining the timeout (not isCustomProvisioningTimeout).
    "2023-02-01-preview": {"provisioningTimeoutInSeconds"},
    # Recorded beyond the spec: every Azure CLI container recording of May 2023.
    "2023-05-01": {"provisioningTimeoutInSeconds", "isCustomProvisioningTimeout"},
    # Spec (pool flag) and recorded (timeouts, delegation flag): test_container_create_with_acr.
    "2024-05-01-preview": {
        "provisioningTimeoutInSeconds",
        "isCustomProvisioningTimeout",
        "isCreatedFromStandbyPool",
        "isDelegatedIdentity",
    },
    "2025-09-01": {"isCreatedFromStandbyPool"},
}
OPTIONAL = {
    "provisioningTimeoutInSeconds",
    "isCustomProvisioningTimeout",
    "isCreatedFromStandbyPool",
    "isDelegatedIdentity",
}


@pytest.mark.parametrize(("version", "adds"), sorted(VERSION_ADDS.items()))
def test_each_version_adds_what_its_spec_or_recordings_show(raw, rg, version, adds):
    definition = wire_definition()
    definition["properties"]["imageRegistryCredentials"] = [
        {"server": "index.docker.io", "username": "someone", "password": "not-returned"}
    ]
    name = f"adds-{uuid.uuid4().hex[:12]}"

    put = raw.request("PUT", raw.cg_path(rg, name), api_version=version, json=definition)
    got = raw.request("GET", raw.cg_path(rg, name), api_version=version).json()

    assert put.status_code in (200, 201), put.text
    props = got["properties"]
    (credential,) = props["imageRegistryCredentials"]
    present = {key for key in OPTIONAL if key in props} | (
        {"isDelegatedIdentity"} if "isDelegatedIdentity" in credential else set()
    )
    assert present == adds
    assert "password" not in credential
