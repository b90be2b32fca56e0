"""A redeploy that changes what only a delete may change: Azure's newest wording names the
property and both values (MicrosoftDocs/azure-docs#31168, 2024), for every such property."""

from __future__ import annotations

import pytest
from aci_builders import container, group
from azure.core.exceptions import HttpResponseError
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
