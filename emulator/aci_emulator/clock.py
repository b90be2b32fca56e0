"""One clock for everything the emulator shows, and identifiers stable when deterministic.

Shown times (events, logs, operation start and end, creation times) are the real UTC time, so
they agree with the times of the run that uses the emulator. Transitions (provisioning, run-once
tasks, resource group deletes) take real monotonic time; when a config compresses them
(``time_scale`` > 1), the times shown inside a transition are spread over its live-like length
and the clock then runs that much ahead of real time (``reach``), so that nothing shown later is
ever earlier than what was already shown. Deterministic mode makes only the IPs and operation
ids stable; nbval's sanitize file masks timestamps.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

# RFC 5737's documentation ranges (TEST-NET-1, -2 and -3): addresses no one is ever assigned,
# so a public IP the emulator shows can never be someone else's.
DOCUMENTATION_NETWORKS = ("192.0.2", "198.51.100", "203.0.113")


class Clock:
    def __init__(self, deterministic: bool, time_scale: float = 1.0) -> None:
        self.deterministic = deterministic
        self.time_scale = time_scale
        self._ids = itertools.count()
        self._lock = threading.Lock()
        self._ahead = timedelta(0)  # how far shown time runs ahead of real time

    @staticmethod
    def monotonic() -> float:
        return time.monotonic()

    def now(self) -> datetime:
        """The time to show: real UTC time, plus what compressed transitions added."""
        with self._lock:
            return datetime.now(timezone.utc) + self._ahead

    def shown(self, real_seconds: float) -> timedelta:
        """How long ``real_seconds`` of a compressed transition look (live-like)."""
        return timedelta(seconds=real_seconds * self.time_scale)

    def reach(self, moment: datetime) -> None:
        """Make sure the clock shows at least ``moment`` from now on."""
        with self._lock:
            behind = moment - (datetime.now(timezone.utc) + self._ahead)
            if behind > timedelta(0):
                self._ahead += behind

    def operation_id(self, *parts: str) -> str:
        if self.deterministic:
            with self._lock:
                n = next(self._ids)
            return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join((*parts, str(n)))))
        return str(uuid.uuid4())

    def public_ip(self, resource_id: str) -> str:
        """An address in a documentation range (RFC 5737), stable per resource id when
        deterministic."""
        seed = resource_id.lower() if self.deterministic else uuid.uuid4().hex
        digest = hashlib.sha256(seed.encode()).digest()
        network = DOCUMENTATION_NETWORKS[digest[0] % len(DOCUMENTATION_NETWORKS)]
        return f"{network}.{digest[1] % 254 + 1}"


def iso(moment: datetime) -> str:
    """ARM's timestamp format: ISO 8601 in UTC with a Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
