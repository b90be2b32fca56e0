"""Each api-version answers with the statuses its own REST spec lists (aci_emulator/specs), and
the SDK pointed at a version of any era can call every operation.

The walk below sends every operation the emulator serves at every vendored version and checks
each successful answer against the responses that version's spec lists for the operation: the
one status where it lists one, one of them where it lists several (the emulator's choice, from
recorded traffic). Evidence that the spec decides: SDK 7.0.0 (api 2019-12-01) accepts only the
204 its spec lists for a start, and raises on a 202.
"""

from __future__ import annotations

from typing import Any

import pytest
from aci_builders import NS, Raw, group
from azure.mgmt.containerinstance import ContainerInstanceManagementClient
from spec_properties import properties_of

from aci_emulator.web import api_specs, routes_aci
from aci_emulator.web.app import ACI_VERSIONS
from aci_emulator.web.render_aci import RETURNED_BEYOND_SPEC
from aci_emulator.web.routing import Router

LOC = f"/subscriptions/{{sub}}/{NS}/locations/eastus"


def operations(rg: str, cg: str) -> list[tuple[str, str, str]]:
    """(name, method, path) of every operation the emulator serves, in an order that works:
    create, read, act on, delete."""
    base = f"/subscriptions/{{sub}}/resourceGroups/{rg}/{NS}/containerGroups"
    one = f"{base}/{cg}"
    return [
        ("create", "PUT", one),
        ("update by PUT", "PUT", one),
        ("get", "GET", one),
        ("list", "GET", f"/subscriptions/{{sub}}/{NS}/containerGroups"),
        ("list in group", "GET", base),
        ("update tags", "PATCH", one),
        ("logs", "GET", f"{one}/containers/app/logs"),
        ("exec", "POST", f"{one}/containers/app/exec"),
        ("attach", "POST", f"{one}/containers/app/attach"),
        ("outbound endpoints", "GET", f"{one}/outboundNetworkDependenciesEndpoints"),
        ("restart", "POST", f"{one}/restart"),
        ("stop", "POST", f"{one}/stop"),
        ("start", "POST", f"{one}/start"),
        ("usages", "GET", f"{LOC}/usages"),
        ("capabilities", "GET", f"{LOC}/capabilities"),
        ("cached images", "GET", f"{LOC}/cachedImages"),
        ("operations", "GET", f"/{NS}/operations"),
        ("delete", "DELETE", one),
        ("delete again", "DELETE", one),
    ]


def test_the_walk_covers_every_route_the_emulator_serves():
    router = Router()
    routes_aci.register(router)
    served = {(m, r.pattern.pattern) for r in router.routes for m in r.methods}
    walked = set()
    for _, method, path in operations("rg", "cg"):
        concrete = path.replace("{sub}", "0")
        for route in router.routes:
            if method in route.methods and route.pattern.match(concrete):
                walked.add((method, route.pattern.pattern))
    # The async-operation status is polled at 2018-06-01, outside these specs (test below).
    status_poll = {(m, p) for m, p in served if "/locations/" in p and "/operations/" in p}
    assert len(status_poll) == 1
    assert walked == served - status_poll


def body(name: str, method: str) -> Any:
    if method == "PUT":
        return group().serialize()
    if method == "PATCH":
        return {"tags": {"walked": "yes"}}
    if name == "exec":
        return {"command": "/bin/sh", "terminalSize": {"rows": 24, "cols": 80}}
    return None


# Answered 501 at every version: the emulator has no terminal to run or attach to.
NOT_IMPLEMENTED = {"exec", "attach"}


def assert_in_shape(group_answer: dict, version: str) -> None:
    shape = api_specs.for_version(version)
    assert shape is not None and shape.version == version
    beyond = {key.split(".", 1)[1] for key in RETURNED_BEYOND_SPEC.get(version, ())}
    assert set(group_answer) <= set(properties_of(shape, "ContainerGroup")), version
    assert set(group_answer["properties"]) - _group_properties(shape) <= beyond, version
    assert group_answer["properties"]["containers"][0]["name"] == "app"


@pytest.mark.parametrize("version", api_specs.vendored_versions())
def test_every_operation_answers_a_status_its_version_spec_lists(raw: Raw, rg, cg_name, version):
    for name, method, path in operations(rg, cg_name):
        answer = raw.request(method, path, api_version=version, json=body(name, method))
        if name in NOT_IMPLEMENTED:
            assert answer.status_code == 501, (version, name, answer.text)
            continue
        assert 200 <= answer.status_code < 300, (version, name, answer.text)
        concrete = raw.url(path).split("/", 3)[3]
        listed = api_specs.success_statuses(version, method, concrete)
        if listed is None:
            # Not defined yet at this version: the nearest spec defining it gives the status.
            newer = [v for v in api_specs.vendored_versions() if v > version]
            defining = [v for v in newer if api_specs.success_statuses(v, method, concrete)]
            assert defining, (version, name)
            listed = api_specs.success_statuses(defining[0], method, concrete)
        assert answer.status_code in listed, (version, name, answer.status_code, listed)
        if len(listed) == 1:
            assert answer.status_code == listed[0], (version, name)
        if answer.status_code == 204:
            assert answer.content == b"", (version, name)
        if name in ("create", "get"):  # and in the version's own shape
            assert_in_shape(answer.json(), version)


@pytest.mark.parametrize(
    ("version", "status"),
    [
        ("2018-09-01", 204),  # its spec has no start: the nearest that does (2018-10-01)
        ("2018-10-01", 204),
        ("2019-12-01", 204),  # SDK 7.0.0's begin_start accepts only this
        ("2020-11-01", 204),
        ("2021-03-01", 202),  # the spec lists only 202 (Azure was seen answering 204 too)
        ("2021-10-01", 202),  # 202 and 204 listed: 202, as recorded at 2023-05-01
        ("2023-05-01", 202),
        ("2025-09-01", 202),
    ],
)
def test_a_start_answers_the_status_of_its_era(raw: Raw, rg, cg_name, version, status):
    path = raw.cg_path(rg, cg_name)
    created = raw.request("PUT", path, api_version=version, json=group().serialize())
    raw.request("POST", f"{path}/stop", api_version=version)

    started = raw.request("POST", f"{path}/start", api_version=version)

    assert created.status_code == 201, created.text
    assert started.status_code == status
    assert started.content == b""
    assert "Azure-AsyncOperation" in started.headers


def test_a_version_without_its_own_spec_answers_with_the_nearest_older_specs_status(
    raw: Raw, rg, cg_name
):
    unvendored = [v for v in ACI_VERSIONS if v not in api_specs.vendored_versions()]
    path = raw.cg_path(rg, cg_name)
    raw.request("PUT", path, api_version="2023-05-01", json=group().serialize())

    for version in unvendored:
        spec = api_specs.spec_version(version)
        # That spec's start, or (2018-09-01 has none) the nearest vendored spec's that has one.
        listed = api_specs.defining_statuses(spec, "POST", path.replace("{sub}", "s") + "/start")
        raw.request("POST", f"{path}/stop", api_version=version)
        started = raw.request("POST", f"{path}/start", api_version=version)
        assert listed is not None
        assert started.status_code in listed, (version, spec)
        if len(listed) == 1:
            assert started.status_code == listed[0], version


def test_the_status_poll_answers_200_at_its_own_version(raw: Raw, rg, cg_name):
    path = raw.cg_path(rg, cg_name)
    created = raw.request("PUT", path, api_version="2019-12-01", json=group().serialize())

    poll = raw.request("GET", created.headers["Azure-AsyncOperation"])

    assert "api-version=2018-06-01" in created.headers["Azure-AsyncOperation"]
    assert poll.status_code == 200
    assert poll.json()["status"] in ("Succeeded", "Pending")


# One version per SDK era: 7.x (2019-12-01), 8.x (2020-11-01), 9.x (2021-10-01), 10.1 (2023-05-01),
# 10.2.0b1 (2024-05-01-preview), 10.2.0b2 (2026-06-01-preview), and the oldest and newest specs.
ERAS = [
    "2018-10-01",
    "2019-12-01",
    "2020-11-01",
    "2021-03-01",
    "2021-10-01",
    "2023-05-01",
    "2024-05-01-preview",
    "2025-09-01",
    "2026-06-01-preview",
]


@pytest.mark.parametrize("version", ERAS)
def test_the_sdk_pointed_at_each_era_calls_every_operation(make_emulator, version):
    sdk = make_emulator(retry_after=0)
    info = sdk.info
    aci = ContainerInstanceManagementClient(
        sdk.credential,
        info.subscription_id,
        base_url=info.arm_endpoint,
        connection_verify=info.ca_bundle,
        api_version=version,
    )
    rg = sdk.create_rg()
    statuses: list[tuple[str, int]] = []

    def hook(response) -> None:
        request = response.http_request
        if "/operations/" not in request.url:
            statuses.append((request.method, response.http_response.status_code))

    created = aci.container_groups.begin_create_or_update(
        rg, "era", group(tags={"era": version}), raw_response_hook=hook
    ).result()
    got = aci.container_groups.get(rg, "era")
    listed = [g.name for g in aci.container_groups.list_by_resource_group(rg)]
    everywhere = [g.name for g in aci.container_groups.list()]
    tagged = aci.container_groups.update(rg, "era", {"tags": {"k": "v"}})
    aci.container_groups.begin_restart(rg, "era").result()
    aci.container_groups.stop(rg, "era")
    aci.container_groups.begin_start(rg, "era", raw_response_hook=hook).result()
    running = aci.container_groups.get(rg, "era")
    logs = aci.containers.list_logs(rg, "era", "app", tail=5)
    usages = list(aci.location.list_usage("eastus"))
    capabilities = list(aci.location.list_capabilities("eastus"))
    images = list(aci.location.list_cached_images("eastus"))
    operation_names = [op.name for op in aci.operations.list()]
    aci.container_groups.begin_delete(rg, "era").result()

    assert created.provisioning_state == "Succeeded"
    assert got.containers[0].image == created.containers[0].image
    assert listed == ["era"] and "era" in everywhere
    assert tagged.tags == {"k": "v"}
    assert running.instance_view.state == "Running"
    assert isinstance(logs.content, str)
    assert usages and capabilities and images and operation_names
    assert not [g for g in aci.container_groups.list_by_resource_group(rg)]
    # What the version's spec defines reaches the SDK's model, and only that.
    spec = api_specs.for_version(version)
    assert spec is not None
    defines_sku = "sku" in _group_properties(spec)
    assert (got.sku == "Standard") == defines_sku, version
    assert (got.init_containers == []) == ("initContainers" in _group_properties(spec)), version
    start = api_specs.success_statuses(spec.version, "POST", _start_path(info, rg))
    assert start is not None
    assert statuses[0] == ("PUT", 201)
    (start_status,) = [status for method, status in statuses if method == "POST"]
    assert start_status in start, (version, statuses)
    if len(start) == 1:
        assert start_status == start[0], version


def _group_properties(spec: api_specs.Spec) -> set[str]:
    return set(properties_of(spec, properties_of(spec, "ContainerGroup")["properties"]))


def _start_path(info, rg: str) -> str:
    return (
        f"/subscriptions/{info.subscription_id}/resourceGroups/{rg}/{NS}/containerGroups/era/start"
    )
