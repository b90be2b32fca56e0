"""The instance view of init containers (the REST spec's InitContainerPropertiesDefinition has
one; no recording shows it, so its content is our reading): each ran to completion before the
containers were pulled."""

from __future__ import annotations

from aci_builders import group
from azure.mgmt.containerinstance.models import InitContainerDefinition


def with_inits(*names: str):
    definition = group()
    definition.init_containers = [
        InitContainerDefinition(name=name, image="busybox", command=["echo", name])
        for name in names
    ]
    return definition


def test_init_containers_ran_to_completion_before_the_containers(make_emulator):
    slow = make_emulator(provisioning_seconds=0.05)
    rg = slow.create_rg()
    slow.aci.container_groups.begin_create_or_update(rg, "inits", with_inits("a", "b")).result()
    shown = slow.aci.container_groups.get(rg, "inits")

    app_pulled = shown.containers[0].instance_view.events[0]
    assert app_pulled.name == "Pulling"
    finished = []
    for init in shown.init_containers:
        view = init.instance_view
        assert view.restart_count == 0
        assert view.current_state.state == "Terminated"
        assert view.current_state.detail_status == "Completed"
        assert view.current_state.exit_code == 0
        assert [e.name for e in view.events] == ["Pulling", "Pulled", "Started"]
        assert view.events[0].message.startswith('pulling image "busybox@sha256:')
        assert view.current_state.finish_time <= app_pulled.first_timestamp
        finished.append(view.current_state.finish_time)
    assert finished == sorted(finished)  # one after the other


def test_a_stop_leaves_a_completed_init_container_as_it_was(aci, rg, cg_name):
    aci.container_groups.begin_create_or_update(rg, cg_name, with_inits("setup")).result()
    aci.container_groups.stop(rg, cg_name)
    shown = aci.container_groups.get(rg, cg_name)

    assert shown.containers[0].instance_view.current_state.detail_status == "Stopped"
    assert shown.init_containers[0].instance_view.current_state.detail_status == "Completed"
    listed = next(g for g in aci.container_groups.list_by_resource_group(rg) if g.name == cg_name)
    assert listed.init_containers[0].instance_view is None
