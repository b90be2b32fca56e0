"""What Azure fills in or leaves out of a container group it returns: the managed identities'
ids, no `ports` on an init container (its spec defines none), and `isCreatedFromStandbyPool`
where the requested version defines it."""

from __future__ import annotations

import uuid

import pytest
from aci_builders import ACI_API, group
from azure.mgmt.containerinstance.models import (
    ContainerGroupIdentity,
    InitContainerDefinition,
    UserAssignedIdentities,
)

UAI = (
    "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ManagedIdentity/"
    "userAssignedIdentities/{name}"
)


def user_identity(info, rg: str, name: str) -> str:
    return UAI.format(sub=info.subscription_id, rg=rg, name=name)


def test_a_system_assigned_identity_comes_back_with_its_principal_and_tenant(
    aci, rg, cg_name, info
):
    definition = group(identity=ContainerGroupIdentity(type="SystemAssigned"))

    created = aci.container_groups.begin_create_or_update(rg, cg_name, definition).result()
    fetched = aci.container_groups.get(rg, cg_name)

    # Recorded: Azure CLI test_container_create_with_msi.yaml, `identity` of the 201 and the get.
    assert created.identity.type == "SystemAssigned"
    assert uuid.UUID(created.identity.principal_id)
    assert created.identity.tenant_id == info.tenant_id
    assert fetched.identity.principal_id == created.identity.principal_id
    assert created.identity.user_assigned_identities is None


def test_each_group_has_a_principal_of_its_own(aci, rg, info):
    first = aci.container_groups.begin_create_or_update(
        rg, "first", group(identity=ContainerGroupIdentity(type="SystemAssigned"))
    ).result()
    second = aci.container_groups.begin_create_or_update(
        rg, "second", group(identity=ContainerGroupIdentity(type="SystemAssigned"))
    ).result()

    assert first.identity.principal_id != second.identity.principal_id


def test_user_assigned_identities_come_back_with_their_principal_and_client_ids(aci, rg, info):
    one, two = user_identity(info, rg, "one"), user_identity(info, rg, "two")
    identity = ContainerGroupIdentity(
        type="SystemAssigned, UserAssigned",
        user_assigned_identities={one: UserAssignedIdentities(), two: UserAssignedIdentities()},
    )

    created = aci.container_groups.begin_create_or_update(
        rg, "both", group(identity=identity)
    ).result()
    again = aci.container_groups.begin_create_or_update(
        rg,
        "again",
        group(
            identity=ContainerGroupIdentity(
                type="UserAssigned", user_assigned_identities={one: UserAssignedIdentities()}
            )
        ),
    ).result()

    assigned = created.identity.user_assigned_identities
    assert set(assigned) == {one, two}
    for ids in assigned.values():
        assert uuid.UUID(ids.principal_id) and uuid.UUID(ids.client_id)
    assert assigned[one].principal_id != assigned[two].principal_id
    assert uuid.UUID(created.identity.principal_id)  # the system-assigned one beside them
    assert created.identity.tenant_id == info.tenant_id
    # A user-assigned identity exists on its own: every group using it shows the same ids,
    # and the tenant beside it (recorded), but no system-assigned principal.
    shared = again.identity.user_assigned_identities[one]
    assert (shared.principal_id, shared.client_id) == (
        assigned[one].principal_id,
        assigned[one].client_id,
    )
    assert again.identity.tenant_id == info.tenant_id
    assert again.identity.principal_id is None


def test_no_identity_is_none(aci, rg, cg_name):
    created = aci.container_groups.begin_create_or_update(rg, cg_name, group()).result()

    assert created.identity is None


def test_an_init_container_comes_back_without_ports(aci, raw, rg, cg_name):
    definition = group(
        init_containers=[InitContainerDefinition(name="init", image="busybox", command=["true"])]
    )
    aci.container_groups.begin_create_or_update(rg, cg_name, definition).result()

    body = raw.request("GET", raw.cg_path(rg, cg_name), api_version=ACI_API).json()

    init = body["properties"]["initContainers"][0]["properties"]
    # The spec's InitContainerPropertiesDefinition has no `ports` (2023-05-01 and later).
    assert "ports" not in init
    assert init["image"] == "busybox"
    assert body["properties"]["containers"][0]["properties"]["ports"] == [{"port": 80}]


@pytest.mark.parametrize(
    ("api_version", "filled"),
    [("2023-05-01", False), ("2024-05-01-preview", True), ("2025-09-01", True)],
)
def test_a_group_from_no_standby_pool_says_so_where_the_version_defines_it(
    aci, raw, rg, cg_name, api_version, filled
):
    aci.container_groups.begin_create_or_update(rg, cg_name, group()).result()

    got = raw.request("GET", raw.cg_path(rg, cg_name), api_version=api_version).json()
    listed = raw.request(
        "GET", raw.cg_path(rg, cg_name).rsplit("/", 1)[0], api_version=api_version
    ).json()["value"]

    # Read-only from 2024-05-01-preview. Recorded `false`: Azure CLI
    # test_container_create_with_acr.yaml (2024-05-01-preview); also the REST spec's 2025-09-01
    # examples (ContainerGroupsUpdate, ContainerGroupsDelete, ContainerGroupsGetPriority).
    for answer in (got, *listed):
        if filled:
            assert answer["properties"]["isCreatedFromStandbyPool"] is False
        else:
            assert "isCreatedFromStandbyPool" not in answer["properties"]
