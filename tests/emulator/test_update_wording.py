"""A redeploy that changes what only a delete may change: Azure's newest wording names the
property and both values (MicrosoftDocs/azure-docs#31168, 2024), for every such property."""

from __future__ import annotations

import pytest
from aci_builders import container, group
from azure.core.exceptions import HttpResponseError
from azure.mgmt.containerinstance.models import ContainerGroupDiagnostics, LogAnalytics
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

POLICIES = ["Always", "OnFailure", "Never"]
SETTINGS = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def refused(aci, rg, name, first, second) -> str:
    aci.container_groups.begin_create_or_update(rg, name, first).result()
    with pytest.raises(HttpResponseError) as err:
        aci.container_groups.begin_create_or_update(rg, name, second)
    aci.container_groups.begin_delete(rg, name).result()
    assert err.value.status_code == 400
    assert err.value.error.code == "InvalidContainerGroupUpdate"
    return err.value.error.message


def expected(name: str, prop: str, old: str, new: str) -> str:
    return (
        f"The updates on container group '{name}' are invalid. If you are going to update the "
        f'{prop} (old "{old}", new "{new}") for a container group, you must delete it first and '
        "then create a new one."
    )


@SETTINGS
@given(policies=st.permutations(POLICIES))
def test_restart_policy_is_named_with_both_values(aci, rg, cg_name, policies):
    old, new = policies[:2]
    message = refused(aci, rg, cg_name, group(restart_policy=old), group(restart_policy=new))
    assert message == expected(cg_name, "RestartPolicy", old, new)


@SETTINGS
@given(
    cpus=st.lists(st.sampled_from([0.5, 1.0, 1.25, 2.0]), min_size=2, max_size=2, unique=True),
)
def test_cpu_is_named_with_both_values(aci, rg, cg_name, cpus):
    old, new = cpus
    message = refused(
        aci,
        rg,
        cg_name,
        group(container(ports=[80], cpu=old)),
        group(container(ports=[80], cpu=new)),
    )
    assert message == expected(cg_name, "Cpu", f"{old:g}", f"{new:g}")


def test_memory_then_the_first_change_in_azures_order(aci, rg, cg_name):
    first = group(container(ports=[80], memory=1.5), restart_policy="Never")
    second = group(container(ports=[80], memory=3.0), restart_policy="Always")
    message = refused(aci, rg, cg_name, first, second)
    assert message == expected(cg_name, "RestartPolicy", "Never", "Always")

    message = refused(
        aci,
        rg,
        cg_name,
        group(container(ports=[80], memory=1.5)),
        group(container(ports=[80], memory=3.0)),
    )
    assert message == expected(cg_name, "MemoryInGB", "1.5", "3")


def older_sentence(name: str) -> str:
    return (
        f"The updates on container group '{name}' are invalid. If you are going to update the "
        "os type, restart policy, network profile, CPU, memory or GPU resources for a container "
        "group, you must delete it first and then create a new one."
    )


def analytics(workspace_id: str) -> ContainerGroupDiagnostics:
    return ContainerGroupDiagnostics(
        log_analytics=LogAnalytics(workspace_id=workspace_id, workspace_key="key")
    )


@SETTINGS
@given(
    workspaces=st.lists(
        st.text("abcdef0123456789-", min_size=1, max_size=12), min_size=2, max_size=2, unique=True
    )
)
def test_a_log_analytics_workspace_changed_is_refused_with_the_older_sentence(
    aci, rg, cg_name, workspaces
):
    # Adding Log Analytics to a running group: MicrosoftDocs/azure-docs#65195.
    old, new = workspaces
    message = refused(
        aci, rg, cg_name, group(diagnostics=analytics(old)), group(diagnostics=analytics(new))
    )
    assert message == older_sentence(cg_name)


def test_log_analytics_added_is_refused_with_the_older_sentence(aci, rg, cg_name):
    message = refused(aci, rg, cg_name, group(), group(diagnostics=analytics("workspace")))
    assert message == older_sentence(cg_name)


def test_a_redeploy_compares_what_the_diagnostics_name_not_how_they_are_written(aci, rg, cg_name):
    # Empty diagnostics name no workspace, as absent ones (our reading); the same workspace
    # sent again, with the same settings, is no change.
    groups = aci.container_groups
    groups.begin_create_or_update(rg, cg_name, group()).result()
    again = groups.begin_create_or_update(
        rg, cg_name, group(diagnostics=ContainerGroupDiagnostics())
    )
    assert again.result().provisioning_state == "Succeeded"
    groups.begin_delete(rg, cg_name).result()
    groups.begin_create_or_update(rg, cg_name, group(diagnostics=analytics("w1"))).result()
    same = groups.begin_create_or_update(rg, cg_name, group(diagnostics=analytics("w1")))
    assert same.result().provisioning_state == "Succeeded"
    groups.begin_delete(rg, cg_name).result()
