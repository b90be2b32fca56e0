"""The request log as a test reads it: Resource Manager's requests apart from the credentials'
Entra ID requests, and paths matched as ARM matches them, whatever casing each client sends."""

from __future__ import annotations

import pytest
from azure.identity import DefaultAzureCredential
from azure.mgmt.containerinstance import ContainerInstanceManagementClient
from azure.mgmt.containerinstance.models import (
    Container,
    ContainerGroup,
    ResourceRequests,
    ResourceRequirements,
)
from azure.mgmt.resource.resources import ResourceManagementClient
from hypothesis import given
from hypothesis import strategies as st

from aci_emulator.request_log import LoggedRequest

GROUP = ContainerGroup(
    location="eastus",
    os_type="Linux",
    containers=[
        Container(
            name="web",
            image="mcr.microsoft.com/azuredocs/aci-helloworld",
            resources=ResourceRequirements(requests=ResourceRequests(cpu=1, memory_in_gb=1)),
        )
    ],
)


@pytest.fixture
def deployed(azure_emulator):
    credential = DefaultAzureCredential()
    sub = azure_emulator.subscription_id
    ResourceManagementClient(credential, sub).resource_groups.create_or_update(
        "rg", {"location": "eastus"}
    )
    aci = ContainerInstanceManagementClient(credential, sub)
    aci.container_groups.begin_create_or_update("rg", "web", GROUP).result()
    return azure_emulator


def test_each_client_sends_its_own_casing_and_either_finds_it(deployed):
    sub = deployed.subscription_id
    # As sent: the resource client's lowercase, the Container Instances client's camel case.
    sent = {r.path for r in deployed.requests if r.method == "PUT"}
    assert f"/subscriptions/{sub}/resourcegroups/rg" in sent
    group = f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.ContainerInstance"
    assert f"{group}/containerGroups/web" in sent

    [rg] = deployed.requests_to("PUT", f"/subscriptions/{sub}/resourceGroups/rg")
    assert rg.path == f"/subscriptions/{sub}/resourcegroups/rg" and rg.status == 201
    lower = f"/subscriptions/{sub}/resourcegroups/rg/providers/microsoft.containerinstance"
    [create] = deployed.requests_to("put", f"{lower}/containergroups/web?api-version=x")
    assert create.path == f"{group}/containerGroups/web" and create.status == 201
    assert deployed.requests_to("DELETE", f"/subscriptions/{sub}/resourceGroups/rg") == []


def test_arm_requests_leave_out_entra_ids(deployed):
    entra = [r for r in deployed.requests if r.service == "entra"]
    assert {r.path.split("/", 2)[2] for r in entra} >= {
        "v2.0/.well-known/openid-configuration",
        "oauth2/v2.0/token",
    }
    assert deployed.arm_requests == [r for r in deployed.requests if r not in entra]
    assert all(r.path.startswith("/subscriptions/") for r in deployed.arm_requests)


def test_the_emulators_admin_routes_are_neither():
    assert LoggedRequest("PUT", "/_emulator/providers/x", "", 200).service == "emulator"


PATH = st.lists(st.from_regex(r"[A-Za-z0-9.-]{1,12}", fullmatch=True), min_size=1, max_size=6)


@given(segments=PATH, flips=st.lists(st.booleans(), min_size=80, max_size=80))
def test_a_path_is_found_in_any_casing_and_only_that_path(segments, flips):
    path = "/" + "/".join(segments)
    logged = LoggedRequest("GET", path, "api-version=1", 200)
    recased = "".join(c.swapcase() if flip else c for c, flip in zip(path, flips, strict=False))
    recased += path[len(flips) :]

    assert logged.is_to("get", recased) and logged.is_to("GET", recased + "/")
    assert not logged.is_to("PUT", path)
    assert not logged.is_to("GET", path + "/x")
