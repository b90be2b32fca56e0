"""A room of attendees: many complete tutorial runs at once against one emulator server.

Each run has its own helpers context (connect(environ=...) with ACI_TUTORIAL_TARGET=azure and
the server's details), its own credential and clients, in its own thread. They start together
(a barrier before step 1) and must all succeed, with no name collision, and none may delete
what another created. The durations are recorded for docs/reliability.md, never asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from azure.mgmt.containerinstance.models import (
    Container,
    ContainerGroup,
    ResourceRequests,
    ResourceRequirements,
)
from azure.mgmt.resource.resources.models import ResourceGroup
from reliability_kit import (
    CONCURRENCY_QUOTA,
    IMAGE,
    EmulatorServer,
    TutorialRun,
    admin_clients,
    excerpt,
    inventory,
    leftovers,
    run_tutorial,
    subprocess_env,
    use_identity,
)

from helpers import connect, sweep

RUNS = 12
PROCESSES = 10
HERE = Path(__file__).resolve().parent
SHARED = "workshop-rg"


@pytest.fixture(scope="module")
def server(artifact_dir, tmp_path_factory):
    """One server for the room, with quota for everyone."""
    private = tmp_path_factory.mktemp("concurrent")
    with EmulatorServer(
        private, artifact_dir / "test_concurrent_attendees", "--quota-cores", str(CONCURRENCY_QUOTA)
    ) as running:
        yield running


@pytest.fixture(scope="module")
def referee(server):
    return admin_clients(server.info)


def peak_overlap(spans: list[tuple[float, float]]) -> int:
    events = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    current = peak = 0
    for _, change in events:
        current += change
        peak = max(peak, current)
    return peak


def run_room(env: dict[str, str], runs: int = RUNS, **options) -> tuple[list, list, float]:
    """``runs`` tutorial runs in threads, released together; their results and time spans."""
    barrier = threading.Barrier(runs, timeout=120)
    starts: dict[int, float] = {}

    def attendee(i: int) -> tuple[TutorialRun, tuple[float, float]]:
        def go() -> None:
            barrier.wait()  # everyone has connected: start step 1 together
            starts[i] = time.monotonic()

        run = run_tutorial(env, before={"1 list": go}, **options)
        return run, (starts[i], time.monotonic())

    with ThreadPoolExecutor(max_workers=runs) as pool:
        results = list(pool.map(attendee, range(runs)))
    runs_done = [r for r, _ in results]
    spans = [s for _, s in results]
    wall = max(e for _, e in spans) - min(s for s, _ in spans)
    return runs_done, spans, wall


def assert_unique_names(runs: list[TutorialRun], shared_group: bool) -> None:
    for values in (
        [r.run_id for r in runs],
        [r.names.container_group for r in runs],
        [r.names.dns_label for r in runs],
    ):
        assert len(set(values)) == len(runs), values
    groups = {r.resource_group for r in runs}
    assert groups == {SHARED} if shared_group else len(groups) == len(runs)


def test_attendees_with_their_own_resource_groups(server, referee, monkeypatch, reliability_report):
    use_identity(monkeypatch, server.env)
    baseline = inventory(referee)
    alone, alone_spans, alone_wall = run_room(server.env, runs=1)  # the yardstick
    assert alone[0].succeeded
    reliability_report.figures(
        "one run alone (for comparison)",
        [end - start for start, end in alone_spans],
        alone_wall,
        "1 thread",
        1,
    )

    runs, spans, wall = run_room(server.env)

    for run in runs:
        assert run.succeeded, f"{run.failed_step}: {run.error}"
        assert run.state == "Running" and "listening on port 80" in run.logs
        assert run.listed_in_group == [run.names.container_group]  # its group holds only its own
        assert run.cleanup.entries[0][:2] == (
            "gone",
            f"container group {run.names.container_group!r}",
        )
        assert run.cleanup.deleted == [f"resource group {run.resource_group!r}"]
    assert_unique_names(runs, shared_group=False)
    assert leftovers(referee, baseline) == 0
    assert inventory(referee) == baseline
    reliability_report.figures(
        "own resource group each (the default)",
        [end - start for start, end in spans],
        wall,
        f"{RUNS} threads, one process",
        peak_overlap(spans),
    )


def test_attendees_sharing_one_pre_existing_resource_group(
    server, referee, monkeypatch, reliability_report
):
    resources, aci = referee
    resources.resource_groups.create_or_update(
        SHARED, ResourceGroup(location="eastus", tags={"event": "workshop"})
    )
    bystander = ContainerGroup(
        location="eastus",
        os_type="Linux",
        tags={"owner": "instructor"},
        containers=[
            Container(
                name="demo",
                image=IMAGE,
                resources=ResourceRequirements(requests=ResourceRequests(cpu=1, memory_in_gb=1)),
            )
        ],
    )
    aci.container_groups.begin_create_or_update(SHARED, "instructor-demo", bystander).result()
    use_identity(monkeypatch, server.env)
    baseline = inventory(referee)

    def everything_listed(run: TutorialRun, ctx) -> list[str]:
        """A careless cleanup: every container group in the shared group, not just its own."""
        return [
            g.name
            for g in ctx.aci.container_groups.list_by_resource_group(SHARED)
            if g.name != run.names.container_group
        ]

    env = {**server.env, "ACI_TUTORIAL_RESOURCE_GROUP": SHARED}
    runs, spans, wall = run_room(env, clean_up_also=everything_listed)

    own = {r.names.container_group for r in runs}
    for run in runs:
        assert run.succeeded, f"{run.failed_step}: {run.error}"
        assert not run.record.created
        assert "instructor-demo" in run.listed_in_group
        actions = {what: action for action, what, _ in run.cleanup.entries}
        assert actions.pop(f"container group {run.names.container_group!r}") == "gone"
        assert actions.pop(f"resource group {SHARED!r}") == "kept"
        assert actions.pop("container group 'instructor-demo'") == "kept"
        for what, action in actions.items():  # the other attendees' groups
            assert what.split("'")[1] in own
            assert action in ("kept", "gone"), f"{run.run_id} deleted {what}"
    assert_unique_names(runs, shared_group=True)
    assert leftovers(referee, baseline) == 0
    assert inventory(referee) == baseline
    assert resources.resource_groups.get(SHARED).tags == {"event": "workshop"}
    assert aci.container_groups.get(SHARED, "instructor-demo").instance_view.state == "Running"
    reliability_report.figures(
        "one shared pre-existing resource group (each cleanup is handed every group in it)",
        [end - start for start, end in spans],
        wall,
        f"{RUNS} threads, one process",
        peak_overlap(spans),
    )


def test_attendees_over_a_small_quota_are_told_why_and_clean_up(
    artifact_dir, tmp_path_factory, monkeypatch, reliability_report
):
    private = tmp_path_factory.mktemp("default-quota")
    with EmulatorServer(
        private, artifact_dir / "test_concurrent_default_quota", "--quota-cores", "10"
    ) as server:
        referee = admin_clients(server.info)
        use_identity(monkeypatch, server.env)
        baseline = inventory(referee)

        runs, spans, wall = run_room(server.env)

        completed = [r for r in runs if r.succeeded]
        refused = [r for r in runs if not r.succeeded]
        for run in refused:
            assert run.failed_step == "4 create"
            assert run.error.code == "ContainerGroupQuotaReached"
            assert "quota" in run.error.advice
            assert run.cleanup.deleted == [f"resource group {run.resource_group!r}"]
        # A create is refused only while ten 1-CPU groups exist, and those ten complete.
        assert len(completed) >= 10
        left = leftovers(referee, baseline)
        assert left == 0
    reliability_report.fault(
        "a room",
        f"{RUNS} attendees at once on one server with a quota of 10 cores (--quota-cores 10)",
        "container group PUT (step 4) of the runs beyond the quota",
        "runs over the quota stop with ContainerGroupQuotaReached and advice; every run cleans up",
        f"{len(completed)} completed, {len(refused)} stopped at '4 create' with "
        "ContainerGroupQuotaReached and the quota advice; every cleanup deleted its resource group",
        left,
    )
    reliability_report.figures(
        "a quota of 10 cores (runs beyond it are refused, then clean up)",
        [end - start for start, end in spans],
        wall,
        f"{RUNS} threads, one process",
        peak_overlap(spans),
    )


def test_attendees_as_separate_processes(server, referee, tmp_path, reliability_report):
    """Each attendee its own Python process, as each has their own kernel."""
    baseline = inventory(referee)
    go = tmp_path / "go"
    ready = [tmp_path / f"ready-{i}" for i in range(PROCESSES)]
    env = subprocess_env({**server.env, "PYTHONPATH": str(HERE)})
    processes = [
        subprocess.Popen(
            [sys.executable, str(HERE / "attendee_process.py"), str(path), str(go)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in ready
    ]
    try:
        deadline = time.monotonic() + 120  # a guard against a hang, not a timing assertion
        while not all(path.exists() for path in ready):
            assert all(p.poll() is None for p in processes), [p.communicate() for p in processes]
            assert time.monotonic() < deadline, "not every attendee connected"
            time.sleep(0.02)
        go.touch()  # everyone has connected: start step 1 together
        outputs = [p.communicate(timeout=120) for p in processes]
    finally:
        for p in processes:
            if p.poll() is None:
                p.kill()
                p.communicate()
    results = []
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))

    for result in results:
        assert result["succeeded"], result["error"]
        assert [tuple(e[:2]) for e in result["cleanup"]] == [
            ("gone", f"container group {result['container_group']!r}"),
            ("deleted", f"resource group {result['resource_group']!r}"),
        ]
    for key in ("run_id", "resource_group", "container_group", "dns_label"):
        assert len({r[key] for r in results}) == PROCESSES, key
    assert leftovers(referee, baseline) == 0
    assert inventory(referee) == baseline
    spans = [(r["start"], r["end"]) for r in results]
    reliability_report.figures(
        "own resource group each, every attendee its own process",
        [end - start for start, end in spans],
        max(e for _, e in spans) - min(s for s, _ in spans),
        f"{PROCESSES} processes",
        peak_overlap(spans),
    )


def test_a_group_the_first_attendee_created_is_kept_while_a_later_one_uses_it(
    server, referee, monkeypatch, reliability_report
):
    """ACI_TUTORIAL_RESOURCE_GROUP names a group nobody has created yet; attendees start apart.

    The first creates it (and so owns it); the second finds it existing and creates its own
    container group in it; the first finishes and cleans up while the second still runs.
    """
    use_identity(monkeypatch, server.env)
    baseline = inventory(referee)
    env = {**server.env, "ACI_TUTORIAL_RESOURCE_GROUP": "evening-workshop-rg"}
    first_created, second_created, first_done = (threading.Event() for _ in range(3))

    def first() -> TutorialRun:
        def pause() -> None:
            first_created.set()
            assert second_created.wait(60)

        try:
            return run_tutorial(env, before={"5 get": pause})
        finally:
            first_done.set()

    def second() -> TutorialRun:
        assert first_created.wait(60)

        def pause() -> None:
            second_created.set()
            assert first_done.wait(60)  # the first cleans up while this run's group exists

        return run_tutorial(env, before={"5 get": pause})

    with ThreadPoolExecutor(max_workers=2) as pool:
        one, two = pool.submit(first), pool.submit(second)
        early, late = one.result(), two.result()

    assert early.record.created and not late.record.created
    assert late.succeeded, f"{late.failed_step}: {late.error}"  # nothing of it was deleted
    assert early.succeeded
    kept = {what: (action, why) for action, what, why in early.cleanup.entries}
    action, why = kept["resource group 'evening-workshop-rg'"]
    assert action == "kept" and late.names.container_group in why
    assert late.cleanup.kept == ["resource group 'evening-workshop-rg'"]
    # What is left is the empty group the first run created: tagged, so the sweeper takes it.
    assert leftovers(referee, baseline) == 1
    with connect(environ=server.env) as ctx:
        swept = sweep(ctx, timedelta(0), delete=True)
    assert swept.deleted == ["resource group 'evening-workshop-rg'"]
    left = leftovers(referee, baseline)
    assert left == 0
    reliability_report.fault(
        "a room",
        "ACI_TUTORIAL_RESOURCE_GROUP names a group that does not exist yet; a second attendee "
        "starts while the first is still running",
        "the first attendee's cleanup (it created the group)",
        "the group is kept while it holds another run's container group; the second run "
        "completes; the empty group is left to the sweeper",
        f"second run completed; first run's cleanup: resource group kept ({excerpt(why, 70)}); "
        "1 empty tagged group left, deleted by `sweep(…, delete=True)`",
        left,
    )
