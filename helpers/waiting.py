"""Wait for a long-running operation and show its state and elapsed time while it runs.

Progress is one line rewritten with a carriage return. Jupyter and nbclient keep only the
text after the last ``\\r``, so a saved notebook holds just the final line,
``<what>: <State> in <seconds> s``, whose duration a sanitize pattern can replace.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO, TypeVar

from azure.core.polling import LROPoller

from .errors import explain

T = TypeVar("T")


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
