"""When restarts of run-once containers are dated: a restart the emulator catches up on when a
group is observed late is dated as it happened, a backoff after the run it follows finished."""

from __future__ import annotations

import time
from datetime import timedelta

from aci_builders import task

from aci_emulator.backend.aci import lifecycle


def test_catch_up_restarts_are_dated_from_the_previous_finish(make_emulator, monkeypatch):
    """Restarts that happened while nobody looked are dated as they happened: each one a backoff
    after the run before it finished, not from the moment the group is observed."""
    backoff, task_time = 0.2, 0.1
    monkeypatch.setattr(lifecycle, "RESTART_BACKOFF_SECONDS", backoff)
    fresh = make_emulator(task_seconds=task_time)
    rg = fresh.create_rg()
    definition = task("/bin/sh", "-c", "echo again", restart_policy="Always")
    fresh.aci.container_groups.begin_create_or_update(rg, "catch-up", definition).result()

    time.sleep(4 * (task_time + backoff))  # several runs and restarts, none of them observed
    view = fresh.aci.container_groups.get(rg, "catch-up").containers[0].instance_view

    assert view.restart_count >= 2
    first_start = next(e for e in view.events if e.name == "Started").first_timestamp
    period = timedelta(seconds=task_time + backoff)
    # Run n (counting from 0) starts n periods after the first: no restart dated from "now".
    assert view.current_state.start_time == first_start + view.restart_count * period
    assert view.current_state.start_time == view.previous_state.finish_time + timedelta(
        seconds=backoff
    )
