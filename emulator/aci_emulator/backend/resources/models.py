"""What the resource manager keeps: subscriptions and their resource groups."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from aci_emulator.backend.operations import Operation

RegistrationState = Literal["Registered", "NotRegistered", "Registering", "Unregistering"]
ResourceGroupState = Literal["Succeeded", "Deleting"]


@dataclass
class ResourceGroup:
    subscription_id: str
    name: str
    location: str
    tags: dict[str, str] | None  # as sent; None when never sent
    managed_by: str | None = None
    state: ResourceGroupState = "Succeeded"
    created: datetime | None = None
    delete_operation: Operation | None = None  # the one delete of this group instance

    @property
    def resource_id(self) -> str:
        return f"/subscriptions/{self.subscription_id}/resourceGroups/{self.name}"


@dataclass
class Subscription:
    id: str
    tenant_id: str
    display_name: str
    resource_groups: dict[str, ResourceGroup] = field(default_factory=dict)  # by lower name
    providers: dict[str, RegistrationState] = field(default_factory=dict)  # by lower namespace


@dataclass(frozen=True)
class TagFilter:
    """A list's $filter on tags: a tag's name, and optionally its value."""

    name: str
    value: str | None = None

    def matches(self, tags: dict[str, str] | None) -> bool:
        """A tag's name compares in any case (as ARM keeps tag names); its value exactly."""
        keys = {k.lower(): v for k, v in (tags or {}).items()}
        name = self.name.lower()
        return name in keys and (self.value is None or keys[name] == self.value)


@dataclass(frozen=True)
class ResourceGroupRequest:
    """A PUT of a resource group, validated."""

    location: str
    tags: dict[str, str] | None
    managed_by: str | None
    sets_managed_by: bool  # `managedBy` was in the body (null included: it clears it)
    location_as_sent: str = ""  # ARM names it so when it refuses it ('West Europe')


@dataclass(frozen=True)
class ResourceGroupUpdate:
    """A PATCH of a resource group: what it changes (None: unchanged)."""

    tags: dict[str, str] | None
    managed_by: str | None
    sets_managed_by: bool
