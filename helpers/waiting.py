"""Wait for a long-running operation, or for a run-once task to end, showing state and time.

Progress is one line rewritten with a carriage return. Jupyter and nbclient keep only the
text after the last ``\\r``, so a saved notebook holds just the final line,
``<what>: <State> in <seconds> s``, whose duration a sanitize pattern can replace.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO, TypeVar

from azure.core.polling import LROPoller
from azure.mgmt.containerinstance.models import ContainerGroup

from .errors import TutorialError, explain

T = TypeVar("T")


class WaitTimeoutError(TutorialError, TimeoutError):
    """What was awaited did not happen in time; the message says what state it is in."""


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    get_ipython = getattr(shell, "get_ipython", None)
    return get_ipython is not None and type(get_ipython()).__name__ == "ZMQInteractiveShell"


def _state(poller: LROPoller) -> str:
    status = str(poller.status() or "Unknown")
    return status[:1].upper() + status[1:]  # "succeeded" when a call finished at once


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


def wait_for(
    poller: LROPoller[T],
    what: str,
    *,
    stream: TextIO | None = None,
    tick: float = 0.5,
) -> T:
    """Wait for ``poller`` while showing its state; return its result.

    A failure is re-raised with advice when it is a known Azure error (see ``explain``).
    """
    line = _Line(stream or sys.stdout)
    start = time.monotonic()
    while not poller.done():
        line.show(f"{what}: {_state(poller)} … {time.monotonic() - start:.0f} s")
        poller.wait(tick)
    try:
        result = poller.result()
    except Exception as err:
        line.show(f"{what}: Failed after {time.monotonic() - start:.1f} s", final=True)
        explained = explain(err)
        if explained is None:
            raise
        raise explained from err
    line.show(f"{what}: {_state(poller)} in {time.monotonic() - start:.1f} s", final=True)
    return result


def _terminated(group: ContainerGroup) -> bool:
    views = [c.instance_view for c in group.containers or []]
    return bool(views) and all(
        view is not None
        and view.current_state is not None
        and view.current_state.state == "Terminated"
        for view in views
    )


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
    ending ``<what>: Terminated in <seconds> s``. Raises TutorialError if the group fails to
    provision, and WaitTimeoutError (also a TimeoutError) after ``timeout`` seconds.
    """
    what = f"run container group {name!r}"
    line = _Line(stream or sys.stdout)
    tick = ctx.polling_interval if tick is None else tick
    start = time.monotonic()
    while True:
        try:
            group = ctx.aci.container_groups.get(resource_group, name)
        except Exception as err:
            explained = explain(err)
            if explained is None:
                raise
            raise explained from err
        elapsed = time.monotonic() - start
        if _terminated(group):
            line.show(f"{what}: Terminated in {elapsed:.1f} s", final=True)
            return group
        state = _group_state(group)
        if group.provisioning_state == "Failed":
            line.show(f"{what}: Failed after {elapsed:.1f} s", final=True)
            raise TutorialError(
                f"Container group {name!r} failed to start.",
                "Read the events of its containers (get() and summarize()) for the reason, "
                "e.g. an image that cannot be pulled; fix the definition and create it again.",
            )
        if elapsed >= timeout:
            line.show(f"{what}: {state} after {elapsed:.1f} s", final=True)
            raise WaitTimeoutError(
                f"Container group {name!r} is still {state} after {timeout:.0f} s.",
                "A run-once task needs restart_policy Never or OnFailure, and a command that "
                "exits. Read its logs (containers.list_logs) to see what it is doing, then wait "
                "again with a longer timeout, or stop or delete it.",
            )
        line.show(f"{what}: {state} … {elapsed:.0f} s")
        time.sleep(tick)
