"""One clock for every time a run shows: tags, durations, and the times Azure reports.

Live, and against an emulator server, that is the UTC time of this machine (the server shows
real time too). The in-process emulator plays a live run's minutes in a fraction of a second: its
clock shows the emulated live time (events, logs, operations), and so the tags and the durations
of waits read that same clock, with the real elapsed time beside it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlsplit

Now = Callable[[], datetime]

# "host:port" of an in-process emulator -> its clock, so that a wait finds it from a poller.
_EMULATED: dict[str, Now] = {}


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}"


def register(arm_endpoint: str, now: Now) -> Callable[[], None]:
    """Make ``now`` the clock of everything sent to ``arm_endpoint``; returns the undo."""
    key = _key(arm_endpoint)
    _EMULATED[key] = now
    return lambda: _EMULATED.pop(key, None)


def clock_for(url: str) -> Now | None:
    """The emulated clock of the endpoint ``url`` belongs to, or None (real time)."""
    return _EMULATED.get(_key(url)) if url else None


@dataclass
class Stopwatch:
    """Elapsed time on the shown clock, and on the real one when the two differ."""

    emulated: Now | None = None

    def __post_init__(self) -> None:
        self._real = time.monotonic()
        self._shown = self.emulated() if self.emulated else None

    def real(self) -> float:
        return time.monotonic() - self._real

    def text(self) -> str:
        """'9.6 s' live; '9.6 s emulated (0.04 s real)' on an emulated clock, always both
        (the real time to the hundredth: an emulated wait often takes less than 0.1 s)."""
        real = self.real()
        if self.emulated is None or self._shown is None:
            return f"{real:.1f} s"
        shown = (self.emulated() - self._shown).total_seconds()
        return f"{shown:.1f} s emulated ({real:.2f} s real)"
