"""Wait for a long-running operation, or for a run-once task to end, showing state and time.

What a wait does with the SDK: ``poller.status()`` and ``poller.done()`` until the operation
ends, then ``poller.result()``; for a task, ``container_groups.get`` until every container's
``instance_view.current_state.state`` is ``Terminated``.

Progress is one line rewritten with a carriage return. Jupyter and nbclient keep only the
text after the last ``\\r``, so a saved notebook holds just the final line: the states the wait
saw and how long it took, ``<what>: Pending → Succeeded in <seconds> s``, whose duration a
sanitize pattern can replace. Durations read the run's one clock (see ``clock``): against the
in-process emulator, the emulated live time with the real time beside it, and how long the
same step typically takes live.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO, TypeVar
from urllib.parse import urlsplit

from azure.core.polling import LROPoller
from azure.mgmt.containerinstance.models import ContainerGroup

from .clock import Stopwatch, clock_for
from .errors import TutorialError, explain
from .wire import _json, recording, reported_state

T = TypeVar("T")

FINAL_STATES = ("Succeeded", "Failed", "Canceled", "Terminated")
# What each step takes live (first matching start of the `what` text). ACI pulls and starts a
# small image in about 10 s (Azure CLI recording test_container_create.yaml: PUT 11:42:57,
# Started 11:43:06); larger images take longer. Its DELETE answers 200 at once, with nothing to
# poll (same recording). No recording the project follows times a start, a restart or a
# redeploy (Microsoft's update page: a redeploy is faster than a create): the emulator paces
# them as a create, and a resource group delete shorter than live. A run-once task's wait
# begins once it has started, so it lasts as long as the task runs.
TYPICAL_LIVE = (
    ("create", "typically 10 s to a minute, longer for a large image"),
    ("update", "not recorded; faster than a create (cached layers); the emulator paces it as one"),
    ("restart", "not recorded; the emulator paces a restart as a create"),
    ("start", "not recorded; a new deployment, which the emulator paces as a create"),
    ("delete resource group", "typically 1 to 2 minutes; the emulator paces it shorter"),
    ("delete", "one request: its 200 answer ends the operation"),
    ("run", "as long as the task runs"),
)
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class WaitTimeoutError(TutorialError, TimeoutError):
    """What was awaited did not happen in time; the message says what state it is in."""


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    get_ipython = getattr(shell, "get_ipython", None)
    return get_ipython is not None and type(get_ipython()).__name__ == "ZMQInteractiveShell"


def _state(poller: LROPoller) -> str:
    status = str(poller.status() or "Unknown")
    return status[:1].upper() + status[1:]  # "succeeded" when a call finished at once


def typical_live(what: str) -> str | None:
    """How long the step ``what`` takes against live Azure, as far as recordings tell."""
    for start, typical in TYPICAL_LIVE:
        if what.startswith(start):
            return typical
    return None


def _initial_response(poller: LROPoller) -> Any:
    method = getattr(poller, "polling_method", None)
    return getattr(method(), "_initial_response", None) if method else None


def _url(poller: LROPoller) -> str:
    initial = _initial_response(poller)
    return getattr(getattr(initial, "http_request", None), "url", "") or ""


def _emulated(poller: LROPoller) -> bool:
    """Does the poller talk to a Resource Manager on this machine (an emulator)?"""
    return urlsplit(_url(poller)).hostname in LOOPBACK


def _initial_state(poller: LROPoller) -> str:
    """The state the first response reported (ACI's 201 says Pending), else the poller's."""
    initial = getattr(_initial_response(poller), "http_response", None)
    try:
        state = reported_state(_json(initial.text())) if initial is not None else None
    except Exception:  # a body that cannot be read: the poller's own word will do
        state = None
    return state or _state(poller)


class _States:
    """The distinct states a wait saw, in order."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def note(self, state: str) -> None:
        if not self.seen or self.seen[-1] != state:
            self.seen.append(state)

    def __str__(self) -> str:
        # 'InProgress' is the SDK's word before the service named a state (ACI says 'Pending').
        named = [s for s in self.seen if s not in FINAL_STATES and s != "InProgress"]
        shown = [s for s in self.seen if s != "InProgress"] if named else self.seen
        return " → ".join(shown)


class _Line:
    """One status line, rewritten in place where the output understands '\\r'."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = _in_notebook() or stream.isatty()
        self.pad = stream.isatty()  # a terminal keeps old characters a shorter line leaves
        self.width = 0

    def show(self, text: str, final: bool = False) -> None:
        if not (self.live or final):
            return
        padding = " " * max(0, self.width - len(text)) if self.pad else ""
        self.width = max(self.width, len(text))
        prefix = "\r" if self.live else ""
        self.stream.write(prefix + text + padding + ("\n" if final else ""))
        self.stream.flush()


def _live_note(what: str, emulated: bool) -> str:
    typical = typical_live(what) if emulated else None
    return f" — live, {typical}" if typical else ""


def wait_for(
    poller: LROPoller[T],
    what: str,
    *,
    stream: TextIO | None = None,
    tick: float = 0.05,
) -> T:
    """Wait for ``poller`` while showing its state; return its result.

    The final line names the states seen, e.g. ``Pending → Succeeded``, and the time taken.
    A failure is re-raised with advice when it is a known Azure error (see ``explain``).
    """
    line = _Line(stream or sys.stdout)
    note = _live_note(what, _emulated(poller))
    states, sampled = _States(), _States()
    watch = Stopwatch(clock_for(_url(poller)))
    states.note(_initial_state(poller))
    # The polls' answers as the tutorial's clients received them: none is missed, however
    # short a state; other clients' pollers are sampled instead.
    with recording() as wire:
        while not poller.done():
            sampled.note(_state(poller))
            line.show(f"{what}: {sampled} … {watch.real():.0f} s")
            poller.wait(tick)
        try:
            result = poller.result()
            error = None
        except Exception as err:
            error = err
    polled = [reported_state(x.body) for x in wire.exchanges]
    for state in [s for s in polled if s] or sampled.seen:
        states.note(state)
    if error is not None:
        states.note("Failed")
        line.show(f"{what}: {states} after {watch.text()}{note}", final=True)
        explained = explain(error)
        if explained is None:
            raise error
        raise explained from error
    states.note(_state(poller))
    line.show(f"{what}: {states} in {watch.text()}{note}", final=True)
    return result


def _terminated(group: ContainerGroup) -> bool:
    views = [c.instance_view for c in group.containers or []]
    return bool(views) and all(
        view is not None
        and view.current_state is not None
        and view.current_state.state == "Terminated"
        for view in views
    )


def _exit_codes(group: ContainerGroup) -> str:
    codes = [
        str(c.instance_view.current_state.exit_code)
        for c in group.containers or []
        if c.instance_view and c.instance_view.current_state
    ]
    return f" (exit code {', '.join(codes)})" if codes else ""


def _group_state(group: ContainerGroup) -> str:
    view = group.instance_view
    return str((view.state if view else None) or group.provisioning_state or "Unknown")


def wait_until_terminated(
    ctx: Any,
    resource_group: str,
    name: str,
    *,
    timeout: float = 600.0,
    tick: float | None = None,
    stream: TextIO | None = None,
) -> ContainerGroup:
    """Poll ``get`` until every container of a run-once group has terminated; return the group.

    ``ctx`` is an AzureContext. Progress shows like ``wait_for``: one line rewritten in place,
    ending ``<what>: Running → Terminated (exit code 0) in <seconds> s``. Raises TutorialError
    if the group fails to provision, and WaitTimeoutError (also a TimeoutError) after
    ``timeout`` seconds.
    """
    what = f"run container group {name!r}"
    note = _live_note(what, bool(getattr(ctx, "emulated", False)))
    line = _Line(stream or sys.stdout)
    tick = ctx.polling_interval if tick is None else tick
    states = _States()
    watch = Stopwatch(clock_for(getattr(ctx, "arm_endpoint", "")))
    while True:
        try:
            group = ctx.aci.container_groups.get(resource_group, name)
        except Exception as err:
            explained = explain(err)
            if explained is None:
                raise
            raise explained from err
        elapsed = watch.real()
        if _terminated(group):
            states.note("Terminated")
            text = f"{what}: {states}{_exit_codes(group)} in {watch.text()}{note}"
            line.show(text, final=True)
            return group
        state = _group_state(group)
        states.note(state)
        if group.provisioning_state == "Failed":
            line.show(f"{what}: {states} after {watch.text()}", final=True)
            raise TutorialError(
                f"Container group {name!r} failed to start.",
                "Read the events of its containers (get() and summarize()) for the reason, "
                "e.g. an image that cannot be pulled; fix the definition and create it again.",
            )
        if elapsed >= timeout:
            line.show(f"{what}: {states} after {watch.text()}", final=True)
            raise WaitTimeoutError(
                f"Container group {name!r} is still {state} after {timeout:.0f} s.",
                "A run-once task needs restart_policy Never or OnFailure, and a command that "
                "exits. Read its logs (containers.list_logs) to see what it is doing, then wait "
                "again with a longer timeout, or stop or delete it.",
            )
        line.show(f"{what}: {states} … {elapsed:.0f} s")
        time.sleep(tick)
