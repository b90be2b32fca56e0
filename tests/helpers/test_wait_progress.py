import io

import pytest
from azure.mgmt.containerinstance.models import ContainerGroup

from helpers.machinery.errors import TutorialError
from helpers.machinery.waiting import (
    WaitTimeoutError,
    typical_live,
    wait_for,
    wait_until_terminated,
)


class FakePoller:
    """Runs through the given states, one per wait(); then returns or raises."""

    def __init__(self, states, result=None, error=None):
        self.states = list(states)
        self._result = result
        self.error = error

    def done(self):
        return len(self.states) <= 1

    def status(self):
        return self.states[0]

    def wait(self, timeout=None):
        self.states.pop(0)

    def result(self):
        if self.error:
            raise self.error
        return self._result


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_plain_output_holds_only_the_final_line():
    out = io.StringIO()
    assert (
        wait_for(
            FakePoller(["Pending", "Pending", "Succeeded"], "cg"), "create x", stream=out, tick=0
        )
        == "cg"
    )
    assert out.getvalue().startswith("create x: Pending → Succeeded in ")
    assert out.getvalue().endswith(" s\n")
    assert out.getvalue().count("\n") == 1


def test_a_terminal_sees_progress_rewritten_in_place():
    out = Tty()
    wait_for(FakePoller(["InProgress", "Succeeded"], 1), "op", stream=out, tick=0)
    text = out.getvalue()
    assert text.startswith("\rop: InProgress … 0 s")
    assert "\rop: InProgress → Succeeded in " in text


def test_an_operation_that_finished_at_once_reads_well():
    out = io.StringIO()
    wait_for(FakePoller(["succeeded"]), "delete y", stream=out)
    assert out.getvalue().startswith("delete y: Succeeded in 0.0 s")


def test_a_failed_operation_is_explained(arm_error):
    err = arm_error(400, "InaccessibleImage", "The image 'x' is not accessible.")
    out = io.StringIO()
    with pytest.raises(TutorialError) as caught:
        wait_for(FakePoller(["Failed"], error=err), "create z", stream=out)
    assert caught.value.code == "InaccessibleImage"
    assert out.getvalue().startswith("create z: Failed after ")


def group_in(state, *, provisioning="Succeeded", containers=1):
    """A run-once group as get() returns it: every container in `state` (None: no view yet)."""
    container = {
        "properties": {
            "image": "mcr.microsoft.com/azuredocs/aci-wordcount",
            "resources": {"requests": {"cpu": 1.0, "memoryInGB": 1.5}},
        }
    }
    if state is not None:
        container["properties"]["instanceView"] = {
            "currentState": {"state": state, "exitCode": 0 if state == "Terminated" else None}
        }
    group_state = {"Terminated": "Succeeded", None: "Pending"}.get(state, "Running")
    return ContainerGroup.deserialize(
        {
            "name": "task",
            "location": "eastus",
            "properties": {
                "provisioningState": provisioning,
                "osType": "Linux",
                "instanceView": {"state": group_state},
                "containers": [{**container, "name": f"c{i}"} for i in range(containers)],
            },
        }
    )


class FakeContext:
    """What wait_until_terminated needs of an AzureContext: aci.container_groups.get."""

    polling_interval = 0

    def __init__(self, groups):
        self.groups = list(groups)
        self.calls = 0
        self.aci = self
        self.container_groups = self

    def get(self, resource_group, name):
        self.calls += 1
        group = self.groups.pop(0) if len(self.groups) > 1 else self.groups[0]
        if isinstance(group, Exception):
            raise group
        return group


def test_waits_until_every_container_has_terminated():
    ctx = FakeContext([group_in(None), group_in("Running", containers=2), group_in("Terminated")])
    out = io.StringIO()
    finished = wait_until_terminated(ctx, "rg", "task", stream=out)
    assert ctx.calls == 3
    assert finished.containers[0].instance_view.current_state.exit_code == 0
    assert out.getvalue().startswith(
        "run container group 'task': Pending → Running → Terminated (exit code 0) in "
    )
    assert out.getvalue().count("\n") == 1  # plain output: the final line only


def test_a_terminal_sees_the_group_state_while_waiting():
    out = Tty()
    wait_until_terminated(
        FakeContext([group_in("Running"), group_in("Terminated")]), "rg", "task", stream=out
    )
    assert "\rrun container group 'task': Running … 0 s" in out.getvalue()


def test_a_task_that_does_not_end_times_out():
    out = io.StringIO()
    with pytest.raises(WaitTimeoutError) as caught:
        wait_until_terminated(
            FakeContext([group_in("Running")]), "rg", "task", timeout=0.05, tick=0.01, stream=out
        )
    assert isinstance(caught.value, TimeoutError)
    assert "still Running" in str(caught.value) and "restart_policy" in caught.value.advice
    assert out.getvalue().startswith("run container group 'task': Running after ")


def test_a_group_that_failed_to_start_is_reported_at_once():
    ctx = FakeContext([group_in("Waiting", provisioning="Failed")])
    with pytest.raises(TutorialError) as caught:
        wait_until_terminated(ctx, "rg", "task", stream=io.StringIO())
    assert ctx.calls == 1
    assert "failed to start" in str(caught.value)


def test_a_missing_group_is_explained(arm_error):
    missing = arm_error(404, "ResourceNotFound", "The Resource 'task' was not found.")
    with pytest.raises(TutorialError) as caught:
        wait_until_terminated(FakeContext([missing]), "rg", "task", stream=io.StringIO())
    assert caught.value.code == "ResourceNotFound"


def test_the_sdk_placeholder_state_gives_way_to_the_service_s_own():
    out = io.StringIO()
    wait_for(FakePoller(["InProgress", "Pending", "Succeeded"]), "create x", stream=out, tick=0)
    assert out.getvalue().startswith("create x: Pending → Succeeded in ")


def test_a_failure_names_the_states_seen(arm_error):
    err = arm_error(400, "InaccessibleImage", "The image 'x' is not accessible.")
    out = io.StringIO()
    with pytest.raises(TutorialError):
        wait_for(FakePoller(["Pending", "Failed"], error=err), "create z", stream=out, tick=0)
    assert out.getvalue().startswith("create z: Pending → Failed after ")


@pytest.mark.parametrize(
    ("what", "typical"),
    [
        ("create container group 'a'", "typically 10 s to a minute, longer for a large image"),
        ("delete resource group 'rg'", "typically 1 to 2 minutes; the emulator paces it shorter"),
        ("delete container group 'a'", "one request: its 200 answer ends the operation"),
        ("restart container group 'a'", "not recorded; the emulator paces a restart as a create"),
        (
            "start container group 'a'",
            "not recorded; a new deployment, which the emulator paces as a create",
        ),
        ("list things", None),
    ],
)
def test_typical_live_durations_by_step(what, typical):
    assert typical_live(what) == typical


def test_a_poller_without_a_local_endpoint_shows_no_live_note():
    out = io.StringIO()
    wait_for(FakePoller(["Succeeded"]), "create x", stream=out)
    assert "live" not in out.getvalue()


def test_a_task_wait_against_the_emulator_says_what_live_takes():
    ctx = FakeContext([group_in("Running"), group_in("Terminated")])
    ctx.emulated = True
    out = io.StringIO()
    wait_until_terminated(ctx, "rg", "task", stream=out)
    assert out.getvalue().endswith(" s — live, as long as the task runs\n")
