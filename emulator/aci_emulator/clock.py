"""Time and identifiers, real or deterministic.

Transitions (provisioning, run-once tasks) always use real monotonic time; only what is shown
(timestamps, IPs, operation ids) becomes stable in deterministic mode, so that regression-tested
notebook outputs do not change from run to run.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

# Shown instead of the real time in deterministic mode.
DETERMINISTIC_EPOCH = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, deterministic: bool) -> None:
        self.deterministic = deterministic
        self._ticks = itertools.count()
        self._lock = threading.Lock()

    @staticmethod
    def monotonic() -> float:
        return time.monotonic()

    def now(self) -> datetime:
        """Wall time to show; deterministic mode advances one second per call."""
        if self.deterministic:
            with self._lock:
                return DETERMINISTIC_EPOCH + timedelta(seconds=next(self._ticks))
        return datetime.now(timezone.utc)

    def operation_id(self, *parts: str) -> str:
        if self.deterministic:
            with self._lock:
                n = next(self._ticks)
            return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join((*parts, str(n)))))
        return str(uuid.uuid4())

    def public_ip(self, resource_id: str) -> str:
        """An address from the documentation range 20.x, stable per resource id when deterministic."""
        seed = resource_id.lower() if self.deterministic else uuid.uuid4().hex
        digest = hashlib.sha256(seed.encode()).digest()
        return f"20.{digest[0] % 200 + 20}.{digest[1]}.{digest[2] % 250 + 2}"


def iso(moment: datetime) -> str:
    """ARM's timestamp format: ISO 8601 in UTC with a Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
