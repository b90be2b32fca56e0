"""How container groups move through time: provisioning, restart, stop and start, run-once tasks
and restart policies."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from aci_builders import ACI_API, WORDCOUNT, container, group, task
from azure.core.exceptions import HttpResponseError

from aci_emulator.backend.aci import lifecycle


def wait_until(condition: Callable[[], object], timeout: float = 10.0, step: float = 0.05):
    """Poll until the condition holds (a deadline against hangs, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(step)


# -- provisioning -----------------------------------------------------------------------------------
def test_create_passes_through_pending(make_emulator):
    slow = make_emulator(provisioning_seconds=1.0)
    rg = slow.create_rg()

    poller = slow.aci.container_groups.begin_create_or_update(rg, "slow", group())

    seen = []

    def finished():
        seen.append(poller.status())
        return poller.done()

    wait_until(finished, step=0.01)
    created = poller.result()

    # "InProgress" before the first poll; then ACI's own word while it runs: "Pending".
    assert seen[0] in ("InProgress", "Pending")
    assert "Pending" in seen

    assert poller.status() == "Succeeded"
    assert created.provisioning_state == "Succeeded"
    assert created.instance_view.state == "Running"
    assert created.containers[0].instance_view.current_state.state == "Running"


def test_async_operation_says_pending_then_succeeded(make_emulator):
    slow = make_emulator(provisioning_seconds=1.0)
    rg = slow.create_rg()
    raw = slow.raw()

    put = raw.request("PUT", raw.cg_path(rg, "slow"), api_version=ACI_API, json=group().serialize())
    operation = put.headers["Azure-AsyncOperation"]
    first = raw.request("GET", operation)
    group_during = raw.request("GET", raw.cg_path(rg, "slow"), api_version=ACI_API).json()

    assert put.status_code == 201
    assert first.status_code == 200
    assert first.json()["status"] == "Pending"
    # Each poll tells the SDK when to come back; without it the SDK waits its default 30 s.
    assert first.headers["Retry-After"] == "1"
    assert first.json()["properties"] == {"events": []}  # empty while Pending, as recorded
    assert "endTime" not in first.json()
    assert group_during["properties"]["provisioningState"] == "Pending"
    assert group_during["properties"]["instanceView"]["state"] == "Pending"

    final = wait_until(
        lambda: (r := raw.request("GET", operation).json())["status"] != "Pending" and r
    )
    assert final["status"] == "Succeeded"
    # Recorded live answers carry no endTime, and the containers' events once done.
    assert set(final) == {"id", "status", "startTime", "properties"}
    assert [e["name"] for e in final["properties"]["events"]][:2] == ["Pulling", "Pulled"]
    assert "Retry-After" not in raw.request("GET", operation).headers
    after = raw.request("GET", raw.cg_path(rg, "slow"), api_version=ACI_API).json()
    assert after["properties"]["provisioningState"] == "Succeeded"
    assert after["properties"]["instanceView"]["state"] == "Running"


def test_deleting_a_group_while_it_provisions_cancels_its_operation(make_emulator):
    slow = make_emulator(provisioning_seconds=1.0)
    rg = slow.create_rg()
    poller = slow.aci.container_groups.begin_create_or_update(rg, "gone", group())

    slow.aci.container_groups.begin_delete(rg, "gone").result()

    with pytest.raises(HttpResponseError) as err:
        poller.result()
    assert err.value.error.code == "Canceled"
    assert "The container group 'gone' was deleted." in err.value.error.message


# -- restart, stop, start ---------------------------------------------------------------------------
def test_restart(aci, rg, cg_name):
    aci.container_groups.begin_create_or_update(rg, cg_name, group()).result()

    poller = aci.container_groups.begin_restart(rg, cg_name)
    assert poller.result() is None

    assert poller.status() == "Succeeded"
    cg = aci.container_groups.get(rg, cg_name)
    assert cg.instance_view.state == "Running"
    view = cg.containers[0].instance_view
    assert view.current_state.state == "Running"
    names = [e.name for e in view.events]
    assert "Killing" in names
    assert names.count("Started") == 1  # the same event, counted twice
    started = next(e for e in view.events if e.name == "Started")
    assert started.count == 2


def test_raw_restart_answers_204_with_an_async_operation(aci, raw, rg, cg_name):
    aci.container_groups.begin_create_or_update(rg, cg_name, group()).result()

    response = raw.request("POST", raw.cg_path(rg, cg_name) + "/restart", api_version=ACI_API)

    assert response.status_code == 204
    assert raw.request("GET", response.headers["Azure-AsyncOperation"]).json()["status"] == (
        "Succeeded"
    )


def test_stop_then_start(aci, rg, cg_name):
    aci.container_groups.begin_create_or_update(rg, cg_name, group()).result()

    assert aci.container_groups.stop(rg, cg_name) is None

    stopped = aci.container_groups.get(rg, cg_name)
    assert stopped.instance_view.state == "Stopped"
    state = stopped.containers[0].instance_view.current_state
    assert (state.state, state.detail_status) == ("Terminated", "Stopped")
    assert "Killing" in [e.name for e in stopped.containers[0].instance_view.events]

    poller = aci.container_groups.begin_start(rg, cg_name)
    poller.result()

    assert poller.status() == "Succeeded"
    started = aci.container_groups.get(rg, cg_name)
    assert started.instance_view.state == "Running"
    assert started.containers[0].instance_view.current_state.state == "Running"


def test_start_of_a_stopped_group_needs_quota(make_emulator):
    small = make_emulator(quota_cores=2)
    rg = small.create_rg()
    small.aci.container_groups.begin_create_or_update(
        rg, "a", group(container(cpu=2), public=False)
    ).result()
    small.aci.container_groups.stop(rg, "a")
    # Its cores are free while it is stopped; someone else takes them.
    small.aci.container_groups.begin_create_or_update(
        rg, "b", group(container(cpu=2), public=False)
    ).result()

    with pytest.raises(HttpResponseError) as err:
        small.aci.container_groups.begin_start(rg, "a")

    assert err.value.status_code == 400
    assert err.value.error.code == "ContainerGroupQuotaReached"
    assert "Limit: '2', Usage: '2' Requested: '2'." in err.value.error.message


def test_stop_of_a_missing_group(aci, rg, cg_name):
    with pytest.raises(HttpResponseError) as err:
        aci.container_groups.stop(rg, cg_name)

    assert err.value.status_code == 404
    assert err.value.error.code == "ResourceNotFound"


# -- run-once tasks ---------------------------------------------------------------------------------
def test_wordcount_task_succeeds(aci, rg, cg_name):
    definition = task(image=WORDCOUNT, NumWords="5", MinLength="8")

    aci.container_groups.begin_create_or_update(rg, cg_name, definition).result()
    cg = aci.container_groups.get(rg, cg_name)

    assert cg.restart_policy == "Never"
    assert cg.instance_view.state == "Succeeded"
    state = cg.containers[0].instance_view.current_state
    assert state.state == "Terminated"
    assert state.exit_code == 0
    assert state.detail_status == "Completed"
    assert state.finish_time is not None
    logs = aci.containers.list_logs(rg, cg_name, "app").content
    assert "CLAUDIUS" in logs
    assert "HAMLET" not in logs  # shorter than MinLength
    assert logs.count("(") == 5  # five words


@pytest.fixture
def no_backoff(monkeypatch):
    """A container that may restart does so at once: a restart not seen is one not made."""
    monkeypatch.setattr(lifecycle, "RESTART_BACKOFF_SECONDS", 0.0)


def test_failing_task_is_never_restarted_under_never(aci, rg, cg_name, no_backoff):
    definition = task("/bin/sh", "-c", "echo oops; exit 3")

    aci.container_groups.begin_create_or_update(rg, cg_name, definition).result()
    aci.container_groups.get(rg, cg_name)
    cg = aci.container_groups.get(rg, cg_name)

    assert cg.instance_view.state == "Failed"
    view = cg.containers[0].instance_view
    assert view.current_state.state == "Terminated"
    assert view.current_state.exit_code == 3
    assert view.current_state.detail_status == "Error"
    assert view.restart_count == 0
    assert aci.containers.list_logs(rg, cg_name, "app").content == "oops\n"


def test_on_failure_restarts_a_failing_task_after_the_backoff(make_emulator, monkeypatch):
    monkeypatch.setattr(lifecycle, "RESTART_BACKOFF_SECONDS", 0.2)
    fresh = make_emulator(task_seconds=0.1)
    rg = fresh.create_rg()
    definition = task("/bin/sh", "-c", "echo oops; exit 3", restart_policy="OnFailure")
    fresh.aci.container_groups.begin_create_or_update(rg, "retry", definition).result()

    def restarted():
        cg = fresh.aci.container_groups.get(rg, "retry")
        return cg if cg.containers[0].instance_view.restart_count >= 1 else None

    cg = wait_until(restarted)

    view = cg.containers[0].instance_view
    assert view.previous_state.state == "Terminated"
    assert view.previous_state.exit_code == 3
    assert view.previous_state.detail_status == "Error"
    started = next(e for e in view.events if e.name == "Started")
    assert started.count == view.restart_count + 1
    # Each end of the run gets Killing, Normal, naming the container's id (recorded:
    # test_container_create_with_msi, a run-once container restarted under Always).
    failed = next(e for e in view.events if e.name == "Killing")
    assert failed.type == "Normal"
    assert re.fullmatch(r"Killing container with id [0-9a-f]{64}\.", failed.message)


def test_on_failure_does_not_restart_a_successful_task(aci, rg, cg_name, no_backoff):
    definition = task("/bin/sh", "-c", "echo fine", restart_policy="OnFailure")

    aci.container_groups.begin_create_or_update(rg, cg_name, definition).result()
    aci.container_groups.get(rg, cg_name)
    cg = aci.container_groups.get(rg, cg_name)

    assert cg.instance_view.state == "Succeeded"
    assert cg.containers[0].instance_view.current_state.exit_code == 0
    assert cg.containers[0].instance_view.restart_count == 0


def test_always_restarts_even_a_successful_task(aci, rg, cg_name, no_backoff):
    definition = task("/bin/sh", "-c", "echo again", restart_policy="Always")

    aci.container_groups.begin_create_or_update(rg, cg_name, definition).result()
    cg = aci.container_groups.get(rg, cg_name)

    assert cg.containers[0].instance_view.restart_count >= 1
    assert cg.containers[0].instance_view.previous_state.exit_code == 0
    assert cg.instance_view.state == "Running"


def test_a_long_running_service_is_not_a_task(aci, rg, cg_name):
    definition = task("/bin/sh", "-c", "while true; do echo tick; sleep 1; done")

    aci.container_groups.begin_create_or_update(rg, cg_name, definition).result()
    cg = aci.container_groups.get(rg, cg_name)

    assert cg.instance_view.state == "Running"
    assert cg.containers[0].instance_view.current_state.state == "Running"
