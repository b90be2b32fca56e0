"""A fault's path is a glob matched against the whole path: `*` within a segment, `**` across
segments, `?` one character, in any case. It is matched in time linear in the path, so a
pattern sent by anyone on the host cannot hold a worker (a regular expression such as
`^/(a|aa)+$` once did, for seconds per request)."""

from __future__ import annotations

import re

import pytest
import requests
from azure.core.exceptions import HttpResponseError
from azure.mgmt.containerinstance import ContainerInstanceManagementClient
from azure.mgmt.containerinstance.models import (
    Container,
    ContainerGroup,
    ResourceRequests,
    ResourceRequirements,
)
from azure.mgmt.resource.resources import ResourceManagementClient
from hypothesis import given, settings
from hypothesis import strategies as st

from aci_emulator.faults import Fault
from aci_emulator.path_glob import PathGlob


def _as_regex(pattern: str) -> re.Pattern[str]:
    """The glob's meaning written as a regular expression, to compare with (small inputs only)."""
    parts = re.split(r"(\*\*+|\*|\?)", pattern.lower())
    pieces = {"*": "[^/]*", "?": "[^/]"}
    return re.compile(
        "".join(".*" if p.startswith("**") else pieces.get(p, re.escape(p)) for p in parts if p),
        re.DOTALL,
    )


@settings(max_examples=3000, deadline=None)
@given(
    pattern=st.text(alphabet="aB/*?.", max_size=8),
    path=st.text(alphabet="abAB/.", max_size=10),
)
def test_a_glob_matches_what_its_meaning_says(pattern, path):
    assert PathGlob(pattern).matches(path) == bool(_as_regex(pattern).fullmatch(path.lower()))


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        (
            "**/containerGroups/*",
            "/subscriptions/s/resourceGroups/r/providers/x/containergroups/web",
            True,
        ),
        (
            "**/containerGroups/*",
            "/subscriptions/s/resourceGroups/r/providers/x/containerGroups/web/restart",
            False,
        ),
        ("/subscriptions/**", "/subscriptions/s/resourcegroups", True),
        ("/subscriptions/**", "/tenant/oauth2/v2.0/token", False),
        ("**/logs", "/s/containers/app/logs", True),
        ("**/logs", "/s/containers/app/logs/more", False),
        ("**/resourcegroups/rg?", "/subscriptions/s/resourceGroups/RG1", True),
    ],
)
def test_globs_as_the_documentation_shows_them(pattern, path, matches):
    assert Fault("status", path=pattern).matches("GET", path) is matches


@pytest.mark.parametrize("character", sorted("^$\\|[]{}+"))
def test_a_regular_expression_is_refused_naming_its_character(azure_emulator_server, character):
    info = azure_emulator_server.info
    answer = requests.post(
        f"{info.arm_endpoint}/_emulator/faults",
        json={"kind": "status", "path": f"**/containerGroups/{character}"},
        verify=info.ca_bundle,
        timeout=30,
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == {
        "code": "InvalidFault",
        "message": "'path' is a glob matched against the whole path ('*' within a segment, '**' "
        "across segments, '?' one character), not a regular expression: "
        f"'{character}' has no meaning in it.",
    }
    listed = requests.get(
        f"{info.arm_endpoint}/_emulator/faults", verify=info.ca_bundle, timeout=30
    )
    assert listed.json() == {"value": []}


def test_a_long_pattern_is_refused(azure_emulator_server):
    info = azure_emulator_server.info
    answer = requests.post(
        f"{info.arm_endpoint}/_emulator/faults",
        json={"kind": "status", "path": "*" + "a" * 1024},
        verify=info.ca_bundle,
        timeout=30,
    )
    assert answer.json()["error"] == {
        "code": "InvalidFault",
        "message": "'path' must be a string of at most 1024 characters.",
    }


def test_a_pattern_built_to_backtrack_answers_every_path(azure_emulator_server):
    """Stars between letters, and a path of those letters without the end the pattern wants:
    a backtracking matcher takes exponential time here; the answer comes within the client's
    timeout, and the fault did not fire."""
    info = azure_emulator_server.info
    fault = {"kind": "status", "status": 503, "path": "**a" * 300 + "!"}
    added = requests.post(
        f"{info.arm_endpoint}/_emulator/faults", json=fault, verify=info.ca_bundle, timeout=30
    )
    assert added.status_code == 201
    answer = requests.get(f"{info.arm_endpoint}/" + "a" * 4000, verify=info.ca_bundle, timeout=30)
    assert (answer.status_code, answer.json()["error"]["code"]) == (501, "NotImplemented")
    assert azure_emulator_server.faults.active()[0].fired == 0
    azure_emulator_server.faults.clear()


def test_a_star_stays_within_its_segment_through_the_sdk(azure_emulator):
    """`**/containerGroups/*` is a group, not its containers' logs. (A fresh subscription: the
    session's server may hold what an earlier test left, such as a small quota.)"""
    sub = azure_emulator
    rm = ResourceManagementClient(sub.credential, sub.subscription_id, **sub.client_kwargs)
    aci = ContainerInstanceManagementClient(
        sub.credential, sub.subscription_id, retry_total=0, **sub.client_kwargs
    )
    rm.resource_groups.create_or_update("globs", {"location": "eastus"})
    container = Container(
        name="app",
        image="mcr.microsoft.com/azuredocs/aci-helloworld",
        resources=ResourceRequirements(requests=ResourceRequests(cpu=1, memory_in_gb=1.5)),
    )
    group = ContainerGroup(location="eastus", containers=[container], os_type="Linux")
    aci.container_groups.begin_create_or_update("globs", "web", group).result()
    fault = sub.faults.inject("status", status=500, method="GET", path="**/containerGroups/*")
    logs = aci.containers.list_logs("globs", "web", "app")
    assert logs.content is not None and fault.fired == 0
    with pytest.raises(HttpResponseError) as raised:
        aci.container_groups.get("globs", "web")
    assert (raised.value.status_code, raised.value.error.code) == (500, "InternalServerError")
    assert fault.fired == 1
    rm.resource_groups.begin_delete("globs").result()
