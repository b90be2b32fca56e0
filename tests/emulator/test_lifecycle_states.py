"""Every lifecycle operation in every state a group can be in, over generated sequences, through
the SDK. What each state answers (emulator/README.md, "Lifecycle operations by state"):

- absent (never created, or deleted): every operation on the group is 404 ResourceNotFound
  (ARM's text, user reports), a delete 204, a PUT creates it;
- running: stop, start, restart, an update (a redeploy of the same definition), logs and delete
  are accepted; exec and attach are the emulator's honest 501;
- stopped: a restart is 409 ContainerGroupStopped (Azure/azure-cli#8136: start it instead), a
  start runs the containers anew, a second stop is accepted, an update deploys the group anew
  (MicrosoftDocs/azure-docs: "Once a container group is stopped ... the group is deployed as
  new"), logs keep what the containers printed (our reading).
"""

from __future__ import annotations

import pytest
from aci_builders import group
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

OPERATIONS = ["stop", "start", "restart", "update", "logs", "exec", "attach", "delete", "get"]
EXEC = {"command": "/bin/sh", "terminal_size": {"rows": 24, "cols": 80}}


def perform(aci, rg: str, name: str, operation: str):
    groups, containers = aci.container_groups, aci.containers
    return {
        "stop": lambda: groups.stop(rg, name),
        "start": lambda: groups.begin_start(rg, name).result(),
        "restart": lambda: groups.begin_restart(rg, name).result(),
        "update": lambda: groups.begin_create_or_update(rg, name, group()).result(),
        "logs": lambda: containers.list_logs(rg, name, "app"),
        "exec": lambda: containers.execute_command(rg, name, "app", EXEC),
        "attach": lambda: containers.attach(rg, name, "app"),
        "delete": lambda: groups.begin_delete(rg, name).result(),
        "get": lambda: groups.get(rg, name),
    }[operation]()


def next_state(state: str, operation: str) -> str:
    if operation == "delete":
        return "absent"
    if state == "absent":  # a PUT creates the group again
        return "running" if operation == "update" else "absent"
    if operation == "stop":
        return "stopped"
    if operation in ("start", "update"):
        return "running"
    return state


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=st.lists(st.sampled_from(OPERATIONS), min_size=1, max_size=8))
def test_each_operation_answers_as_its_state_says(aci, rg, cg_name, operations):
    aci.container_groups.begin_create_or_update(rg, cg_name, group()).result()
    state = "running"
    for operation in operations:
        if state == "absent" and operation not in ("delete", "update"):
            with pytest.raises(ResourceNotFoundError) as missing:
                perform(aci, rg, cg_name, operation)
            assert missing.value.error.code == "ResourceNotFound"
            assert missing.value.error.message == (
                f"The Resource 'Microsoft.ContainerInstance/containerGroups/{cg_name}' under "
                f"resource group '{rg}' was not found. For more details please go to "
                "https://aka.ms/ARMResourceNotFoundFix"
            )
        elif operation in ("exec", "attach"):
            with pytest.raises(HttpResponseError) as gap:
                perform(aci, rg, cg_name, operation)
            assert gap.value.status_code == 501
            assert gap.value.error.code == "NotImplemented"
        elif state == "stopped" and operation == "restart":
            with pytest.raises(HttpResponseError) as stopped:
                perform(aci, rg, cg_name, operation)
            assert stopped.value.status_code == 409
            assert stopped.value.error.code == "ContainerGroupStopped"
        else:
            answer = perform(aci, rg, cg_name, operation)
            if operation == "get":
                assert (
                    answer.instance_view.state
                    == {"running": "Running", "stopped": "Stopped"}[state]
                )
            if operation == "logs":
                assert answer.content == "listening on port 80\n"
        state = next_state(state, operation)
    if state != "absent":
        shown = aci.container_groups.get(rg, cg_name).instance_view.state
        assert shown == {"running": "Running", "stopped": "Stopped"}[state]
        aci.container_groups.begin_delete(rg, cg_name).result()


def test_a_pending_group_has_no_logs_yet_and_can_be_deleted(make_emulator):
    """While the containers are being placed: logs are 404 ContainerLogNotAvailable
    (virtual-kubelet/virtual-kubelet#237), the group reads Pending, and a delete is accepted."""
    slow = make_emulator(provisioning_seconds=60.0)
    rg = slow.create_rg()
    slow.aci.container_groups.begin_create_or_update(rg, "slow", group())

    with pytest.raises(HttpResponseError) as early:
        slow.aci.containers.list_logs(rg, "slow", "app")
    assert early.value.status_code == 404
    assert early.value.error.code == "ContainerLogNotAvailable"
    assert early.value.error.message == (
        "Log of container 'app' in container group 'slow' is not available yet. Please check "
        "container 'InstanceView' for more information or retry later."
    )
    assert slow.aci.container_groups.get(rg, "slow").instance_view.state == "Pending"
    slow.aci.container_groups.begin_delete(rg, "slow").result()
    with pytest.raises(ResourceNotFoundError):
        slow.aci.container_groups.get(rg, "slow")
