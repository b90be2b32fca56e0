"""One clock: what a run prints about time agrees with what Azure (here the emulator) reports.

The in-process emulator plays a live run's minutes in a fraction of a second. A wait's duration
then reads the emulated time, with the real time beside it, so that it agrees with the events,
the operation and the tags: the tag is stamped before the request, the events fall within the
wait that saw them, and the wait lasted at least as long as the events say.
"""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from unittest import mock

from azure.mgmt.containerinstance.models import (
    Container,
    ContainerGroup,
    ResourceRequests,
    ResourceRequirements,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aci_emulator import EmulatorConfig
from helpers import connect, ensure_resource_group, wait_for, wait_until_terminated

DURATION = re.compile(r" in (\d+\.\d) s(?: emulated \((\d+\.\d+) s real\))?")
# A tag shows whole seconds, a duration tenths; a wait starts a moment after its request was sent
# (real milliseconds, at most a second on a loaded machine). Two clocks differ by far more.
SLACK = timedelta(seconds=2)
ROUNDING = timedelta(seconds=0.05)


def group(ctx, image: str, restart_policy: str = "Always") -> ContainerGroup:
    return ContainerGroup(
        location=ctx.location,
        os_type="Linux",
        restart_policy=restart_policy,
        containers=[
            Container(
                name="only",
                image=image,
                resources=ResourceRequirements(requests=ResourceRequests(cpu=1, memory_in_gb=1)),
            )
        ],
        tags=ctx.tags(),
    )


def duration(line: str) -> tuple[timedelta, float | None]:
    match = DURATION.search(line)
    assert match, line
    real = float(match[2]) if match[2] else None
    return timedelta(seconds=float(match[1])), real


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    provisioning=st.floats(min_value=0.05, max_value=0.25),
    task=st.floats(min_value=0.05, max_value=0.3),
    scale=st.sampled_from([1.0, 64.0, 300.0]),
)
def test_durations_tags_and_events_read_one_clock(provisioning, task, scale):
    config = EmulatorConfig.compressed_live(
        provisioning_seconds=provisioning, task_seconds=task, time_scale=scale
    )
    with mock.patch.object(EmulatorConfig, "compressed_live", return_value=config):
        ctx = connect(environ={})
    with ctx:
        ensure_resource_group(ctx)
        definition = group(ctx, "mcr.microsoft.com/azuredocs/aci-wordcount", "Never")
        tagged = datetime.fromisoformat(definition.tags["created-at"])
        out = io.StringIO()
        poller = ctx.aci.container_groups.begin_create_or_update(
            ctx.resource_group, "task", definition
        )
        wait_for(poller, "create container group 'task'", stream=out)
        created, real = duration(out.getvalue())
        finished = wait_until_terminated(ctx, ctx.resource_group, "task", stream=out)
        ran, _ = duration(out.getvalue().splitlines()[-1])

    events = {e.name: e.last_timestamp for e in finished.containers[0].instance_view.events}
    state = finished.containers[0].instance_view.current_state
    # The tag, stamped before the request, precedes every event of the create.
    assert tagged <= events["Pulling"] + SLACK
    # The create's wait lasted until the container started, by the same clock.
    assert events["Started"] - tagged <= created + SLACK
    assert created + ROUNDING >= events["Started"] - events["Pulling"]
    # The task's wait saw it run from start to end: its duration is the run's length at least.
    assert ran + SLACK >= state.finish_time - state.start_time
    if scale > 1:  # the emulated time is shown (3 s at least here), the real one beside it
        assert real is not None and real < created.total_seconds()


def test_an_emulator_at_live_pace_still_names_both_clocks_and_they_agree():
    """An emulated clock at real pace: both figures, always, and the same."""
    config = EmulatorConfig.compressed_live(time_scale=1.0)
    with mock.patch.object(EmulatorConfig, "compressed_live", return_value=config):
        ctx = connect(environ={})
    with ctx:
        ensure_resource_group(ctx)
        out = io.StringIO()
        poller = ctx.aci.container_groups.begin_create_or_update(
            ctx.resource_group, "web", group(ctx, "mcr.microsoft.com/azuredocs/aci-helloworld")
        )
        wait_for(poller, "create container group 'web'", stream=out)
    found = re.search(r" in (\d+\.\d) s emulated \((\d+\.\d\d) s real\) — live, ", out.getvalue())
    assert found, out.getvalue()
    assert abs(float(found[1]) - float(found[2])) <= 0.2


def test_list_usage_answers_a_pay_as_you_go_subscription_s_limits_and_counts_what_runs():
    """Limits of "Resource availability & quota limits for ACI" (Microsoft Learn,
    container-instances-resource-and-quota-limits): 100 container groups and 100 standard cores
    per region and subscription."""
    with connect(environ={}) as ctx:

        def usage() -> dict[str, tuple[float, float]]:
            return {
                u.name.value: (u.current_value, u.limit)
                for u in ctx.aci.location.list_usage(ctx.location)
            }

        assert usage() == {"ContainerGroups": (0, 100), "StandardCores": (0, 100)}
        ensure_resource_group(ctx)
        definition = group(ctx, "mcr.microsoft.com/azuredocs/aci-helloworld")
        definition.containers[0].resources.requests.cpu = 2
        ctx.aci.container_groups.begin_create_or_update(
            ctx.resource_group, "web", definition
        ).result()
        assert usage() == {"ContainerGroups": (1, 100), "StandardCores": (2, 100)}
        ctx.aci.container_groups.begin_delete(ctx.resource_group, "web").result()
        assert usage() == {"ContainerGroups": (0, 100), "StandardCores": (0, 100)}


def test_an_emulated_wait_polls_every_two_seconds_of_its_clock_as_live():
    """Live, the tutorial's clients poll every 2 s; offline they poll every 2 s of the emulated
    clock, so the polls a trace shows fit in the duration the wait prints."""
    from helpers.machinery.wire import recording

    ctx = connect(environ={})
    with ctx:
        assert ctx.aci._config.polling_interval == ctx.polling_interval
        ensure_resource_group(ctx)
        out = io.StringIO()
        with recording() as wire:
            poller = ctx.aci.container_groups.begin_create_or_update(
                ctx.resource_group, "web", group(ctx, "mcr.microsoft.com/azuredocs/aci-helloworld")
            )
            wait_for(poller, "create container group 'web'", stream=out)
        created, _ = duration(out.getvalue())
    polls = [x for x in wire.exchanges if x.method == "GET"]
    assert polls, out.getvalue()
    assert len(polls) * 2.0 <= created.total_seconds() + 2.0 + ROUNDING.total_seconds()
