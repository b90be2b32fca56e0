"""The long-running operations clients poll, and how long they are remembered.

Callers hold the cloud's lock (see cloud.py); nothing here takes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from aci_emulator.backend.aci.models import Event
from aci_emulator.clock import Clock
from aci_emulator.errors import operation_not_found

OperationKind = Literal["create", "restart", "start", "delete-resource-group"]
OperationStatus = Literal["Pending", "Succeeded", "Failed", "Canceled"]

# Finished operations are kept for polling this long, and at most this many (our reading:
# Azure documents no retention; a client polls an operation within seconds of starting it).
OPERATION_RETENTION_SECONDS = 15 * 60.0
MAX_FINISHED_OPERATIONS = 1000


@dataclass
class Operation:
    """A long-running operation a client polls."""

    id: str
    kind: OperationKind
    target_id: str
    location: str
    start_time: datetime
    done_mono: float
    status: OperationStatus = "Pending"
    error: tuple[str, str] | None = None
    end_time: datetime | None = None
    events: list[Event] = field(default_factory=list)  # the containers' events when it ended

    @property
    def subscription_key(self) -> str:
        """The (lower-case) subscription id of the resource it acts on."""
        return self.target_id.split("/")[2].lower()


class OperationStore:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        # Oldest first; finished ones expire (see _expire).
        self.operations: dict[str, Operation] = {}
        # A resource's operations, by its id (lower case): what deleting it cancels.
        self._of_target: dict[str, dict[str, Operation]] = {}

    def __len__(self) -> int:
        return len(self.operations)

    def get(self, op_id: str) -> Operation | None:
        return self.operations.get(op_id)

    def require(self, op_id: str, kinds: tuple[OperationKind, ...]) -> Operation:
        """The operation if it is one of these kinds, else ARM's OperationNotFound."""
        op = self.operations.get(op_id)
        if op is None or op.kind not in kinds:
            raise operation_not_found(op_id)
        return op

    def add(self, op: Operation) -> Operation:
        self._expire()
        self.operations[op.id] = op
        if op.kind != "delete-resource-group":
            self._of_target.setdefault(op.target_id.lower(), {})[op.id] = op
        return op

    def cancel_all_of(self, target_id: str, message: str) -> None:
        """Cancel what is still running on a resource that is gone."""
        for op in self._of_target.pop(target_id.lower(), {}).values():
            if op.status == "Pending":
                op.status, op.end_time = "Canceled", self.clock.now()
                op.error = ("Canceled", message)

    def _expire(self) -> None:
        """Forget the oldest operations once they are finished and either old or too many:
        without this every create would be remembered for the life of the emulator."""
        mono = self.clock.monotonic()
        while self.operations:
            op = next(iter(self.operations.values()))
            finished = op.status != "Pending" or mono >= op.done_mono
            old = mono >= op.done_mono + OPERATION_RETENTION_SECONDS
            if not (finished and (old or len(self.operations) >= MAX_FINISHED_OPERATIONS)):
                return  # oldest first: the ones behind it started later
            del self.operations[op.id]
            of_target = self._of_target.get(op.target_id.lower())
            if of_target is not None:
                of_target.pop(op.id, None)
                if not of_target:
                    del self._of_target[op.target_id.lower()]
