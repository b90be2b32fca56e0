"""Answers shaped by the REST spec of the requested api-version (aci_emulator/specs): a property
the version's schema does not define is not returned, whatever a client sent."""

from __future__ import annotations

import json
from importlib import resources

from aci_builders import ACI_API, group
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aci_emulator.web import api_specs

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


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(group_name=unknown_names, container_name=unknown_names)
def test_properties_the_spec_does_not_define_are_not_returned(raw, rg, group_name, container_name):
    definition = wire_definition()
    definition["properties"][group_name] = {"sent": True}
    definition["properties"]["containers"][0]["properties"][container_name] = "sent"
    cg = f"shape-{group_name[:20]}"

    put = raw.request("PUT", raw.cg_path(rg, cg), api_version=ACI_API, json=definition)
    get = raw.request("GET", raw.cg_path(rg, cg), api_version=ACI_API)

    assert put.status_code in (200, 201), put.text
    for answer in (put.json(), get.json()):
        props = answer["properties"]
        assert group_name not in props
        assert container_name not in props["containers"][0]["properties"]
        # What the spec defines and the client sent is returned.
        assert props["osType"] == "Linux"
        assert props["ipAddress"]["ports"] == [{"protocol": "TCP", "port": 80}]


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
