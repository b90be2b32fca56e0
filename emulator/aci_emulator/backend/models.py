"""The records the emulated cloud keeps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Event:
    name: str
    message: str
    type: str
    first: datetime
    last: datetime
    count: int = 1

    def to_wire(self, iso: Any) -> dict[str, Any]:
        return {
            "count": self.count,
            "firstTimestamp": iso(self.first),
            "lastTimestamp": iso(self.last),
            "name": self.name,
            "message": self.message,
            "type": self.type,
        }


@dataclass
class ContainerState:
    """One container's life: what it is doing now and what it did before."""

    state: str = "Waiting"  # Waiting | Running | Terminated
    detail: str = ""
    start_time: datetime | None = None
    finish_time: datetime | None = None
    exit_code: int | None = None
    started_mono: float = 0.0  # when the current run began (monotonic)
    restart_count: int = 0
    previous: dict[str, Any] | None = None
    events: list[Event] = field(default_factory=list)


@dataclass
class ResourceGroup:
    subscription_id: str
    name: str
    location: str
    tags: dict[str, str] | None  # as sent; None when never sent
    managed_by: str | None = None
    state: str = "Succeeded"  # Succeeded | Deleting
    created: datetime | None = None
    delete_operation: Operation | None = None  # the one delete of this group instance


@dataclass
class ContainerGroup:
    subscription_id: str
    resource_group: str
    name: str
    location: str
    tags: dict[str, str] | None  # as sent; None when never sent
    properties: dict[str, Any]  # as validated, secrets included; never rendered as is
    identity: dict[str, Any] | None
    zones: list[str] | None
    ip: str | None
    created: datetime
    provisioning_state: str = "Pending"  # Pending | Succeeded | Failed
    phase: str = "provisioning"  # provisioning | running | stopped | failed
    ready_mono: float = 0.0
    run_began: datetime | None = None  # shown time the current (re)deploy began
    failure: tuple[str, str] | None = None  # (code, message) the provisioning ends with
    containers: dict[str, ContainerState] = field(default_factory=dict)
    group_events: list[Event] = field(default_factory=list)

    @property
    def cores(self) -> float:
        """CPU cores the containers request (what the regional quota counts)."""
        return requested_cores(self.properties)

    @property
    def resource_id(self) -> str:
        return (
            f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}"
            f"/providers/Microsoft.ContainerInstance/containerGroups/{self.name}"
        )


@dataclass
class Operation:
    """A long-running operation a client polls."""

    id: str
    kind: str  # create | restart | start | delete-resource-group
    target_id: str
    location: str
    start_time: datetime
    done_mono: float
    status: str = "Pending"
    error: tuple[str, str] | None = None
    end_time: datetime | None = None
    events: list[Event] = field(default_factory=list)  # the containers' events when it ended


def requested_cores(properties: dict[str, Any]) -> float:
    """The CPU cores a group's containers request, from its (validated) properties."""
    return float(
        sum(c["properties"]["resources"]["requests"]["cpu"] for c in properties["containers"])
    )
