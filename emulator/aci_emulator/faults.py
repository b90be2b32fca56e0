"""Fault injection: make the emulator fail the way Azure does, on purpose and reproducibly.

A fault matches requests by method and a path glob, and fires for the next `times` matching
requests, or with a `probability` drawn from a seeded generator. The glob is matched against the
whole path, in any case: `*` stands for any characters but `/` (one segment or part of one),
`**` for any characters, `/` included, and `?` for one character but `/`
(`**/containerGroups/*` is any container group; `**/logs` any container's logs). Globs, not
regular expressions: a pattern is matched in time linear in the path (path_glob.py). Kinds:

- ``status``: answer 429, 500, 503 … in ARM's error envelope (429/503 carry Retry-After);
- ``latency``: add `seconds` before the request is handled;
- ``drop``: close the connection without an answer;
- ``provisioning``: a create or redeploy whose long-running operation ends ``Failed`` with
  `code` and `message` (for example InaccessibleImage, or a region out of capacity).

A provider that is not registered yet is set on the cloud itself (see `Emulator.faults`).
"""

from __future__ import annotations

import itertools
import random
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from aci_emulator.path_glob import PathGlob

KINDS = ("status", "latency", "drop", "provisioning")
HTTP_METHODS = ("GET", "HEAD", "PUT", "PATCH", "POST", "DELETE")
MAX_LATENCY_SECONDS = 300.0  # beyond it a client gives up long before the fault ends
STATUS_CODES = {
    429: (
        "SubscriptionRequestsThrottled",
        "Number of requests for subscription exceeded. Please try again after '{retry}' seconds.",
    ),
    500: ("InternalServerError", "Encountered an internal server error."),
    502: ("BadGateway", "The gateway did not receive a response in time."),
    503: (
        "ServiceUnavailable",
        "The service is temporarily unavailable. Please try again after '{retry}' seconds.",
    ),
    504: (
        "GatewayTimeout",
        "The gateway did not receive a response within the specified time period.",
    ),
}


@dataclass
class Fault:
    kind: str
    method: str = "*"
    path: str = "/subscriptions/**"  # by default: every ARM call, not the token endpoint
    times: int | None = 1  # None: unlimited (use with probability)
    probability: float = 1.0
    seed: int = 0
    status: int = 503
    retry_after: float | None = 1
    seconds: float = 0.0
    code: str = "InaccessibleImage"
    message: str = "The image in the container group is not accessible."
    id: int = 0
    fired: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)
    _glob: PathGlob = field(default=None, repr=False, compare=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        # Every option is checked before the fault exists: a bad one would otherwise surface
        # later, as an error in every request the fault matches.
        for name in ("kind", "method", "path", "code", "message"):
            _check(isinstance(getattr(self, name), str), f"'{name}' must be a string.")
        for name, optional in (("times", True), ("seed", False), ("status", False)):
            value = getattr(self, name)
            _check(
                (optional and value is None) or _is_int(value),
                f"'{name}' must be a whole number{' or null' if optional else ''}.",
            )
        for name, optional in (("probability", False), ("retry_after", True), ("seconds", False)):
            value = getattr(self, name)
            _check(
                (optional and value is None) or _is_number(value),
                f"'{name}' must be a number{' or null' if optional else ''}.",
            )
        if self.kind not in KINDS:
            raise ValueError(f"Unknown fault kind '{self.kind}'; use one of {', '.join(KINDS)}.")
        if self.kind == "status" and self.status not in STATUS_CODES:
            raise ValueError(
                f"Status {self.status} is not injectable; use one of {sorted(STATUS_CODES)}."
            )
        _check(self.times is None or self.times >= 1, "'times' must be at least 1, or null.")
        _check(0.0 <= self.probability <= 1.0, "'probability' must be between 0 and 1.")
        _check(
            0.0 <= self.seconds <= MAX_LATENCY_SECONDS,
            f"'seconds' must be between 0 and {MAX_LATENCY_SECONDS}.",
        )
        _check(
            self.retry_after is None or 0.0 <= self.retry_after <= MAX_LATENCY_SECONDS,
            f"'retry_after' must be between 0 and {MAX_LATENCY_SECONDS}, or null.",
        )
        _check(
            self.method == "*" or self.method.upper() in HTTP_METHODS,
            f"'method' must be '*' or one of {', '.join(HTTP_METHODS)}.",
        )
        self._glob = PathGlob(self.path)  # raises ValueError naming 'path'
        self._rng = random.Random(self.seed)

    def matches(self, method: str, path: str) -> bool:
        return self.method in ("*", method.upper()) and self._glob.matches(path)

    def public(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if not k.startswith("_")}

    def error(self) -> tuple[int, str, str, dict[str, str]]:
        """Status, code, message and headers of a `status` fault."""
        code, template = STATUS_CODES[self.status]
        retry = self.retry_after if self.retry_after is not None else 0
        headers = {}
        if self.status in (429, 503) and self.retry_after is not None:
            headers["Retry-After"] = f"{self.retry_after:g}"
        return self.status, code, template.format(retry=f"{retry:g}"), headers


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


class FaultInjector:
    """The active faults of one emulator; safe to use from many request threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            fault.id = next(self._ids)
            self._faults.append(fault)
            return fault

    def inject(self, kind: str, **options: Any) -> Fault:
        """Add a fault; see the module docstring for kinds and options."""
        return self.add(Fault(kind=kind, **options))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def active(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def take(self, method: str, path: str, kinds: tuple[str, ...]) -> list[Fault]:
        """The faults that fire for this request; each firing uses up one of its `times`."""
        fired: list[Fault] = []
        with self._lock:
            for fault in list(self._faults):
                if fault.kind not in kinds or not fault.matches(method, path):
                    continue
                if fault.probability < 1.0 and fault._rng.random() >= fault.probability:
                    continue
                fault.fired += 1
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                fired.append(fault)
        return fired
