"""The emulator's clock and its compressed live-like timeline, through the real SDK.

What a live run shows (Azure CLI recording test_container_create.yaml in Azure/azure-cli,
src/azure-cli/azure/cli/command_modules/container/tests/latest/recordings/): the PUT answers
201 with provisioningState Pending, the operation reports Pending until the group runs, the
events Pulling, Pulled, Created and Started follow each other over seconds. The compressed
timeline plays that in a fraction of a second of real time, with live-like times shown.
"""

from __future__ import annotations

import ipaddress
import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from aci_builders import HELLO, Clients, clients_for, container, group

from aci_emulator import Emulator, EmulatorConfig

FAST_POLL = {"polling_interval": 0.05}
DOCUMENTATION_RANGES = [
    ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
]


@pytest.fixture(scope="module")
def live_like() -> Iterator[Clients]:
    # The tutorial's preset, with transitions long enough that a loaded machine still sees
    # each state: these tests check the sequence, not how short it is.
    config = EmulatorConfig.compressed_live(
        deterministic=False, provisioning_seconds=0.6, resource_group_delete_seconds=0.6
    )
    with Emulator(config) as emulator:
        yield clients_for(emulator)


def _events(cg) -> dict[str, datetime]:
    return {e.name: e.last_timestamp for e in cg.containers[0].instance_view.events}


def test_default_config_stays_instant():
    config = EmulatorConfig()
    assert (config.provisioning_seconds, config.task_seconds, config.time_scale) == (0, 0, 1)


@pytest.mark.parametrize("deterministic", [True, False])
def test_public_ips_come_from_documentation_ranges(make_emulator, deterministic):
    emu = make_emulator(deterministic=deterministic, quota_cores=100)
    rg = emu.create_rg()
    for n in range(12):
        emu.aci.container_groups.begin_create_or_update(rg, f"web-{n}", group()).result()
        ip = ipaddress.ip_address(emu.aci.container_groups.get(rg, f"web-{n}").ip_address.ip)
        assert any(ip in network for network in DOCUMENTATION_RANGES), ip


def test_shown_times_are_the_real_time(make_emulator):
    emu = make_emulator()
    rg = emu.create_rg()
    before = datetime.now(timezone.utc)
    emu.aci.container_groups.begin_create_or_update(rg, "web", group()).result()
    cg = emu.aci.container_groups.get(rg, "web")
    after = datetime.now(timezone.utc)

    for moment in _events(cg).values():
        assert before - timedelta(seconds=1) <= moment <= after + timedelta(seconds=1)


def test_create_is_pending_with_events_then_running(live_like):
    rg = live_like.create_rg()
    started = time.monotonic()
    poller = live_like.aci.container_groups.begin_create_or_update(rg, "web", group(), **FAST_POLL)
    pending = live_like.aci.container_groups.get(rg, "web")
    poller.result()
    took = time.monotonic() - started
    cg = live_like.aci.container_groups.get(rg, "web")

    assert pending.provisioning_state == "Pending"
    assert pending.instance_view.state == "Pending"
    assert cg.provisioning_state == "Succeeded"
    assert cg.instance_view.state == "Running"
    assert took < 3
    events = _events(cg)
    assert list(events) == ["Pulling", "Pulled", "Started"]  # no Created event, as recorded
    assert events["Pulling"] < events["Pulled"] < events["Started"]
    # Live-like: the pull and start take seconds, not the fraction of a second they took here.
    assert events["Started"] - events["Pulling"] >= timedelta(seconds=2)
    assert cg.containers[0].instance_view.current_state.start_time == events["Started"]
    assert events["Started"] - datetime.now(timezone.utc) < timedelta(minutes=5)


def test_operation_polls_see_pending_then_succeeded(live_like):
    rg = live_like.create_rg()
    seen: list[str] = []

    def record(response):
        if "/operations/" in response.http_request.url:
            seen.append(json.loads(response.http_response.text())["status"])

    live_like.aci.container_groups.begin_create_or_update(
        rg, "web", group(), raw_response_hook=record, **FAST_POLL
    ).result()

    assert seen[0] == "Pending"
    assert seen[-1] == "Succeeded"


def test_task_runs_then_terminates_with_its_exit_code(live_like):
    rg = live_like.create_rg()
    task = group(
        container(image=HELLO, command=["/bin/sh", "-c", "echo done; exit 2"]),
        public=False,
        restart_policy="Never",
    )
    live_like.aci.container_groups.begin_create_or_update(rg, "task", task, **FAST_POLL).result()
    running = live_like.aci.container_groups.get(rg, "task")
    time.sleep(0.5)
    ended = live_like.aci.container_groups.get(rg, "task")

    assert running.containers[0].instance_view.current_state.state == "Running"
    state = ended.containers[0].instance_view.current_state
    assert (state.state, state.exit_code, ended.instance_view.state) == ("Terminated", 2, "Failed")
    ran = state.finish_time - state.start_time
    assert timedelta(seconds=5) <= ran <= timedelta(seconds=30)


def test_resource_group_delete_answers_202_before_it_is_gone(live_like):
    rg = live_like.create_rg()
    statuses: list[int] = []
    live_like.rm.resource_groups.begin_delete(
        rg, raw_response_hook=lambda r: statuses.append(r.http_response.status_code), **FAST_POLL
    ).result()

    assert statuses[0] == 202  # the DELETE itself
    assert statuses[1] == 202  # a poll while it is in progress
    assert statuses[-1] == 200
    assert not live_like.rm.resource_groups.check_existence(rg)


def test_restart_counts_each_container_restarted_in_place(aci, rg, cg_name):
    aci.container_groups.begin_create_or_update(rg, cg_name, group()).result()
    first = aci.container_groups.get(rg, cg_name).containers[0].instance_view

    aci.container_groups.begin_restart(rg, cg_name).result()
    view = aci.container_groups.get(rg, cg_name).containers[0].instance_view
    aci.container_groups.begin_restart(rg, cg_name).result()
    again = aci.container_groups.get(rg, cg_name).containers[0].instance_view

    assert first.restart_count == 0
    assert view.restart_count == 1
    assert again.restart_count == 2
    assert view.previous_state.state == "Terminated"
    assert view.previous_state.detail_status == "Killed"
    assert view.previous_state.start_time == first.current_state.start_time
    assert view.current_state.state == "Running"


def test_start_after_stop_places_new_containers_counted_from_zero(aci, rg, cg_name):
    aci.container_groups.begin_create_or_update(rg, cg_name, group()).result()
    aci.container_groups.begin_restart(rg, cg_name).result()
    aci.container_groups.stop(rg, cg_name)
    aci.container_groups.begin_start(rg, cg_name).result()
    view = aci.container_groups.get(rg, cg_name).containers[0].instance_view

    assert view.restart_count == 0
    assert view.current_state.state == "Running"
