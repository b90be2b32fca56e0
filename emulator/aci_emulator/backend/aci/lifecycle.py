"""How a container group moves through time: provisioning, running, run-once tasks, stop.

Transitions are computed lazily, whenever the group is observed, from monotonic time; so
nothing runs in the background and the state is the same whoever asks.

Events are worded as the newest recordings of live Azure show them (tests/fidelity/recordings,
2023: test_container_create_with_msi, _spot_priority, _with_confidential_sku, _with_zone):
`pulling image "alpine@sha256:…"` and `Successfully pulled image "…"` name the repository at its
digest, `Started container` names no container, a container that ends (or is stopped or
restarted) gets `Killing container with id <64 hex>.`, and there is no `Created` event. A 2020
recording (test_container_git_repo_volume_mount) still shows `Created container` and the image
as written: the newer recordings are followed.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import datetime, timedelta

from aci_emulator.backend.aci import images
from aci_emulator.backend.aci.models import (
    Container,
    ContainerGroup,
    ContainerState,
    Event,
    EventType,
)
from aci_emulator.clock import Clock
from aci_emulator.config import EmulatorConfig

RESTART_BACKOFF_SECONDS = 10.0


def container_run(group: ContainerGroup, container: Container) -> images.ContainerRun:
    repos = {images.repository(c.image) for c in group.spec.containers}
    return images.ContainerRun(
        image=container.image,
        command=tuple(container.command or ()),
        environment={
            e.name: e.value if e.value is not None else (e.secure_value or "")
            for e in container.environment_variables
        },
        has_sidecar="aci-tutorial-sidecar" in repos,
    )


def add_event(
    events: list[Event], name: str, message: str, now: datetime, kind: EventType = "Normal"
) -> None:
    for event in events:
        if event.name == name and event.message == message:
            event.count += 1
            event.last = now
            return
    events.append(Event(name, message, kind, now, now))


def pulled_reference(image: str) -> str:
    """The image as pull events name it: its repository at a digest ('alpine:latest' was pulled
    as 'alpine@sha256:…'). Offline, the digest is derived from the reference (our reading)."""
    if "@sha256:" in image:
        return image
    last = image.rsplit("/", 1)[-1]
    repository = image[: len(image) - len(last)] + last.split(":", 1)[0]
    return f"{repository}@sha256:{hashlib.sha256(image.encode()).hexdigest()}"


def container_id(group: ContainerGroup, name: str) -> str:
    """The id a Killing event names: one per container and run (the recording's restarts in
    place keep it), new with each deploy, start or restart (our reading)."""
    began = group.run_began.isoformat() if group.run_began else ""
    return hashlib.sha256(f"{group.resource_id.lower()}|{name}|{began}".encode()).hexdigest()


def kill(group: ContainerGroup, name: str, state: ContainerState, now: datetime) -> None:
    add_event(
        state.events, "Killing", f"Killing container with id {container_id(group, name)}.", now
    )


def _killed_since_started(state: ContainerState) -> bool:
    latest: dict[str, datetime] = {}
    for event in state.events:
        latest[event.name] = max(event.last, latest.get(event.name, event.last))
    return "Killing" in latest and latest["Killing"] >= latest.get("Started", latest["Killing"])


def begin_run(
    group: ContainerGroup, clock: Clock, config: EmulatorConfig, *, restart: bool = False
) -> None:
    """(Re)deploy the containers: they wait until provisioning completes.

    Running containers a redeploy replaces are killed first (a restart has already done so).
    A restart restarts each container in place, so its restart count goes up and its previous
    state is the run it killed; a start or a redeploy places new containers, counted from 0
    (our reading of the REST spec's "the number of times that the container instance has been
    restarted", as Kubernetes, which ACI's instance view mirrors, counts restarts in place).
    """
    now = clock.now()
    old = group.containers
    for name, state in old.items():  # named by the run they belong to, so before it changes
        if state.state == "Running" and not _killed_since_started(state):
            kill(group, name, state, now)
    group.phase = "provisioning"
    group.run_began = now
    group.ready_mono = clock.monotonic() + config.provisioning_seconds
    group.containers = {}
    for container in group.spec.containers:
        previous = old.get(container.name)
        fresh = ContainerState(events=previous.events if previous else [])
        if restart and previous is not None and previous.start_time is not None:
            fresh.restart_count = previous.restart_count + 1
            fresh.previous = previous.snapshot()
            if previous.state == "Running":
                fresh.previous = dataclasses.replace(
                    fresh.previous, state="Terminated", detail="Killed", finish_time=now
                )
        group.containers[container.name] = fresh
    for init in group.spec.init_containers:
        previous = old.get(init_key(init.name))
        group.containers[init_key(init.name)] = ContainerState(
            events=previous.events if previous else []
        )


def init_key(name: str) -> str:
    """Where an init container's state is kept beside the containers' (a container name
    cannot hold a colon, so the keys never collide)."""
    return f"init:{name}"


def stop(group: ContainerGroup, clock: Clock) -> None:
    now = clock.now()
    for name, state in group.containers.items():
        if name.startswith("init:"):
            continue  # it ran to completion before the containers started
        if state.state == "Running":
            kill(group, name, state, now)
        state.previous = None
        state.state, state.detail = "Terminated", "Stopped"
        state.finish_time = state.finish_time if state.exit_code is not None else now
        state.exit_code = state.exit_code if state.exit_code is not None else 0
    group.phase = "stopped"


def advance(group: ContainerGroup, clock: Clock, config: EmulatorConfig) -> None:
    """Bring the group up to date with the time that has passed since it was last observed."""
    mono = clock.monotonic()
    if group.phase == "provisioning" and mono >= group.ready_mono:
        if group.failure:
            _fail(group, clock)
        else:
            _start_containers(group, clock, config)
    if group.phase == "running":
        for container in group.spec.containers:
            _advance_container(group, container, clock, config, mono)


# When, within a create's Pending time, each event happens (shares of it; Azure CLI recording
# test_container_create.yaml: Pulling after 6 s of 9, Pulled after 8, Started at 9).
EVENT_SHARES = (("Pulling", 0.65), ("Pulled", 0.85), ("Started", 1.0))


def _start_containers(group: ContainerGroup, clock: Clock, config: EmulatorConfig) -> None:
    began = group.run_began or clock.now()
    span = clock.shown(config.provisioning_seconds)
    # A millisecond apart at least, so that they sort after a Killing of the run they replace
    # even when provisioning is instant (ARM timestamps have milliseconds).
    moments = {
        name: began + span * share + timedelta(milliseconds=n + 1)
        for n, (name, share) in enumerate(EVENT_SHARES)
    }
    _run_init_containers(group, began, span)
    for container in group.spec.containers:
        state = group.containers[container.name]
        image = pulled_reference(container.image)
        add_event(state.events, "Pulling", f'pulling image "{image}"', moments["Pulling"])
        add_event(state.events, "Pulled", f'Successfully pulled image "{image}"', moments["Pulled"])
        add_event(state.events, "Started", "Started container", moments["Started"])
        state.state, state.detail, state.start_time = "Running", "", moments["Started"]
        state.finish_time, state.exit_code = None, None
        state.started_mono = group.ready_mono
    clock.reach(moments["Started"])
    group.phase = "running"
    group.provisioning_state = "Succeeded"


def _run_init_containers(group: ContainerGroup, began: datetime, span: timedelta) -> None:
    """Each init container runs to completion, one after the other, before the containers are
    pulled (the first 60% of the window): pulled, started, terminated with exit code 0 and
    detailStatus "Completed", as a run-once container ends (our reading: the REST spec defines
    the init container's instance view; no recording shows one)."""
    inits = group.spec.init_containers
    for n, init in enumerate(inits):
        state = group.containers[init_key(init.name)]
        image = pulled_reference(init.image)
        slot = span * 0.6 / len(inits)
        start = began + slot * n + timedelta(milliseconds=1)
        add_event(state.events, "Pulling", f'pulling image "{image}"', start)
        pulled = start + slot * 0.3
        add_event(state.events, "Pulled", f'Successfully pulled image "{image}"', pulled)
        started = start + slot * 0.5
        add_event(state.events, "Started", "Started container", started)
        state.state, state.detail, state.start_time = "Terminated", "Completed", started
        state.finish_time, state.exit_code = start + slot * 0.9, 0


def _fail(group: ContainerGroup, clock: Clock) -> None:
    now = clock.now()
    code, message = group.failure or ("Failed", "")
    for container in group.spec.containers:
        state = group.containers[container.name]
        add_event(state.events, "Failed", message, now, kind="Warning")
        state.state, state.detail = "Waiting", code
    group.phase = "failed"
    group.provisioning_state = "Failed"


def _advance_container(
    group: ContainerGroup, container: Container, clock: Clock, config: EmulatorConfig, mono: float
) -> None:
    run = container_run(group, container)
    if not images.runs_once(run):
        return
    state = group.containers[container.name]
    policy = group.spec.restart_policy
    code = images.exit_code(run)
    # Bounded: a run-once container under 'Always' restarts at most once per backoff period.
    for _ in range(100):
        if state.state == "Running" and mono >= state.started_mono + config.task_seconds:
            now = (state.start_time or clock.now()) + clock.shown(config.task_seconds)
            clock.reach(now)
            state.state, state.exit_code, state.finish_time = "Terminated", code, now
            state.detail = "Completed" if code == 0 else "Error"
            # The recording's run-once container, restarted under Always, gets a Normal
            # Killing event each time it ends (test_container_create_with_msi, 2023).
            kill(group, container.name, state, now)
        restarts = policy == "Always" or (policy == "OnFailure" and code != 0)
        if not (state.state == "Terminated" and restarts):
            return
        next_start = state.started_mono + config.task_seconds + RESTART_BACKOFF_SECONDS
        if mono < next_start:
            return
        # Dated from the run it follows, read before it is cleared: a restart caught up on
        # later happened a backoff after that run finished, not a backoff after "now".
        finished = state.finish_time or clock.now()
        state.previous = state.snapshot()
        state.restart_count += 1
        state.state, state.detail, state.exit_code, state.finish_time = "Running", "", None, None
        restarted = finished + clock.shown(RESTART_BACKOFF_SECONDS)
        clock.reach(restarted)
        state.start_time, state.started_mono = restarted, next_start
        add_event(state.events, "Started", "Started container", state.start_time)


def group_state(group: ContainerGroup) -> str:
    """The group's instanceView.state: Pending, Running, Stopped, Succeeded or Failed."""
    if group.phase == "provisioning":
        return "Pending"
    if group.phase in ("stopped",):
        return "Stopped"
    if group.phase == "failed":
        return "Failed"
    states = list(group.containers.values())
    if any(s.state != "Terminated" for s in states):
        return "Running"
    return "Succeeded" if all(s.exit_code == 0 for s in states) else "Failed"


def log_lines(
    group: ContainerGroup, container: Container, clock: Clock, config: EmulatorConfig
) -> list[tuple[datetime, str]]:
    """The container's output, each line with its moment.

    A compressed timeline treats reading the logs like waiting for them: the clock then shows
    at least the moment of the last line, so that nothing shown later is earlier.
    """
    state = group.containers.get(container.name)
    if state is None or state.start_time is None:
        return []
    lines = images.log_lines(container_run(group, container), state.start_time)
    if lines and config.time_scale > 1:
        clock.reach(max(moment for moment, _ in lines))
    return lines
