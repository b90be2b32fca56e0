"""Operations on a container group that is still transitioning (its containers still being placed
after a create, an update, a start or a restart), through the real SDK. Azure answers a start,
a stop, a restart and a PUT of such a group 409 ContainerGroupTransitioning "The container group
'<name>' is still transitioning, please retry later." (MicrosoftDocs/SupportArticles-docs'
container-group-transitioning-state.md; a start right after a create, an ARM redeploy and an SDK
retry loop found by text search; docker-archive/compose-cli#1187 for stop and restart), and the
refusal changes nothing; a delete is accepted, logs are not available yet, a read shows Pending.
"""

from __future__ import annotations

import pytest
from aci_builders import container, group
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
REFUSED = ["start", "stop", "restart", "update"]
# Long enough that every request of a test meets the group still being placed.
PLACING_SECONDS = 600.0


def perform(aci, rg: str, name: str, operation: str):
    groups = aci.container_groups
    return {
        "start": lambda: groups.begin_start(rg, name),
        "stop": lambda: groups.stop(rg, name),
        "restart": lambda: groups.begin_restart(rg, name),
        "update": lambda: groups.begin_create_or_update(
            rg, name, group(container(cpu=2.0), public=False, tags={"changed": "yes"})
        ),
    }[operation]()


@pytest.fixture
def placing(make_emulator):
    return make_emulator(provisioning_seconds=PLACING_SECONDS)


@SETTINGS
@given(operations=st.lists(st.sampled_from(REFUSED), min_size=1, max_size=4), data=st.data())
def test_every_write_but_delete_is_refused_while_transitioning(placing, operations, data):
    rg = placing.create_rg()
    name = data.draw(st.from_regex(r"[a-z][a-z0-9]{2,20}", fullmatch=True))
    placing.aci.container_groups.begin_create_or_update(
        rg, name, group(container(), public=False, tags={"v": "1"})
    )
    before = placing.aci.container_groups.get(rg, name).as_dict()
    assert before["instance_view"]["state"] == "Pending"
    for operation in operations:
        with pytest.raises(HttpResponseError) as refused:
            perform(placing.aci, rg, name, operation)
        assert refused.value.status_code == 409, operation
        assert refused.value.error.code == "ContainerGroupTransitioning"
        assert refused.value.error.message == (
            f"The container group '{name}' is still transitioning, please retry later."
        )
        assert placing.aci.container_groups.get(rg, name).as_dict() == before, operation
    placing.aci.container_groups.begin_delete(rg, name).result()
    with pytest.raises(ResourceNotFoundError):
        placing.aci.container_groups.get(rg, name)


def test_a_group_once_placed_takes_them_again(make_emulator):
    """The same operations are accepted once the group runs (the SDK's poller waits for it)."""
    quick = make_emulator(provisioning_seconds=0.05)
    rg = quick.create_rg()
    quick.aci.container_groups.begin_create_or_update(
        rg, "placed", group(container(), public=False)
    ).result()
    quick.aci.container_groups.stop(rg, "placed")
    quick.aci.container_groups.begin_start(rg, "placed").result()
    quick.aci.container_groups.begin_restart(rg, "placed").result()
    updated = quick.aci.container_groups.begin_create_or_update(
        rg, "placed", group(container(), public=False, tags={"changed": "yes"})
    ).result()
    assert updated.tags == {"changed": "yes"}
    assert quick.aci.container_groups.get(rg, "placed").instance_view.state == "Running"
