"""The resource manager: subscriptions and their tenants, resource providers, resource groups
and their deletes.

Every public method takes the cloud's one lock (shared with the other services), so concurrent
requests see a consistent state; nothing here blocks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from aci_emulator.backend.operations import Operation, OperationStore
from aci_emulator.backend.resources.models import (
    RegistrationState,
    ResourceGroup,
    ResourceGroupRequest,
    ResourceGroupUpdate,
    Subscription,
)
from aci_emulator.clock import Clock
from aci_emulator.config import EmulatorConfig
from aci_emulator.errors import (
    ArmError,
    resource_group_being_deleted,
    resource_group_not_found,
    wrong_tenant,
)

ACI = "Microsoft.ContainerInstance"
# The namespaces the emulator serves, each registered in a new subscription.
PROVIDERS = (ACI, "Microsoft.Resources")

# Called, under the lock, for each resource group a delete starts on: the services that keep
# resources in it forget them.
ResourceGroupDeleter = Callable[[Subscription, ResourceGroup], None]


class ResourceManager:
    def __init__(
        self,
        config: EmulatorConfig,
        clock: Clock,
        lock: threading.RLock,
        operations: OperationStore,
    ) -> None:
        self.config = config
        self.clock = clock
        self.lock = lock
        self.operations = operations
        self.subscriptions: dict[str, Subscription] = {}
        # Resource group deletes still running, with the group instance each one deletes:
        # checked on every request, so kept apart from the operation store.
        self._pending_deletes: dict[str, tuple[Operation, ResourceGroup]] = {}
        self.deleters: list[ResourceGroupDeleter] = []

    # -- subscriptions and providers ------------------------------------------------------------
    def add_subscription(self, sub_id: str, tenant_id: str, name: str) -> Subscription:
        with self.lock:
            sub = Subscription(sub_id, tenant_id, name)
            for namespace in PROVIDERS:
                sub.providers[namespace.lower()] = "Registered"
            self.subscriptions[sub_id.lower()] = sub
            return sub

    def subscription(self, sub_id: str, tenant_id: str | None = None) -> Subscription:
        """The subscription, checked against the caller's tenant as ARM does."""
        sub = self.subscriptions.get(sub_id.lower())
        if sub is None:
            raise ArmError(
                404, "SubscriptionNotFound", f"The subscription '{sub_id}' could not be found."
            )
        if tenant_id is not None and tenant_id.lower() != sub.tenant_id.lower():
            raise wrong_tenant(
                f"https://sts.windows.net/{tenant_id}/",
                f"https://sts.windows.net/{sub.tenant_id}/",
                sub.tenant_id,
            )
        return sub

    def tenant_subscriptions(self, tenant_id: str) -> list[Subscription]:
        with self.lock:
            return [
                s for s in self.subscriptions.values() if s.tenant_id.lower() == tenant_id.lower()
            ]

    def provider_state(self, sub: Subscription, namespace: str) -> RegistrationState:
        with self.lock:
            return sub.providers.get(namespace.lower(), "NotRegistered")

    def set_provider_state(
        self, sub: Subscription, namespace: str, state: RegistrationState
    ) -> None:
        with self.lock:
            sub.providers[namespace.lower()] = state

    def register_provider(self, sub: Subscription, namespace: str) -> RegistrationState:
        with self.lock:
            sub.providers[namespace.lower()] = "Registered"
            return "Registered"

    def require_registered(self, sub: Subscription, namespace: str = ACI) -> None:
        if self.provider_state(sub, namespace) != "Registered":
            raise ArmError(
                409,
                "MissingSubscriptionRegistration",
                f"The subscription is not registered to use namespace '{namespace}'. See "
                "https://aka.ms/rps-not-found for how to register subscriptions.",
            )

    # -- resource groups ------------------------------------------------------------------------
    def finish_deletes(self) -> None:
        """Complete the resource group deletes whose time has come."""
        if not self._pending_deletes:
            return
        mono = self.clock.monotonic()
        for op, rg in list(self._pending_deletes.values()):
            if op.status == "Pending" and mono >= op.done_mono:
                self.clock.reach(
                    op.start_time + self.clock.shown(self.config.resource_group_delete_seconds)
                )
                op.status, op.end_time = "Succeeded", self.clock.now()
                del self._pending_deletes[op.id]
                owner = self.subscriptions.get(rg.subscription_id.lower())
                # Only the instance this delete was for: a group re-created under the same
                # name after it is another group.
                if owner is not None and owner.resource_groups.get(rg.name.lower()) is rg:
                    del owner.resource_groups[rg.name.lower()]

    def resource_group(self, sub: Subscription, name: str) -> ResourceGroup:
        """The group (callers hold the lock), or ARM's ResourceGroupNotFound."""
        self.finish_deletes()
        rg = sub.resource_groups.get(name.lower())
        if rg is None:
            raise resource_group_not_found(name)
        return rg

    def get_resource_group(self, sub: Subscription, name: str) -> ResourceGroup:
        with self.lock:
            return self.resource_group(sub, name)

    def resource_group_exists(self, sub: Subscription, name: str) -> bool:
        with self.lock:
            self.finish_deletes()
            return name.lower() in sub.resource_groups

    def create_or_update_resource_group(
        self, sub: Subscription, name: str, request: ResourceGroupRequest
    ) -> tuple[ResourceGroup, bool]:
        with self.lock:
            self.finish_deletes()
            existing = sub.resource_groups.get(name.lower())
            if existing is not None:
                if existing.state == "Deleting":
                    raise resource_group_being_deleted(existing.name)
                if existing.location != request.location:
                    # ARM names the location as it was sent ('West Europe', 'East US':
                    # microsoft/vscode-azurefunctions#889, Azure/pcs-cli#400).
                    shown = request.location_as_sent or request.location
                    raise ArmError(
                        409,
                        "InvalidResourceGroupLocation",
                        f"Invalid resource group location '{shown}'. The Resource "
                        f"group already exists in location '{existing.location}'.",
                    )
                existing.tags = request.tags
                if request.sets_managed_by:
                    existing.managed_by = request.managed_by
                return existing, False
            rg = ResourceGroup(
                sub.id,
                name,
                request.location,
                request.tags,
                request.managed_by,
                created=self.clock.now(),
            )
            sub.resource_groups[name.lower()] = rg
            return rg, True

    def update_resource_group(
        self, sub: Subscription, name: str, update: ResourceGroupUpdate
    ) -> ResourceGroup:
        with self.lock:
            rg = self.resource_group(sub, name)
            if update.tags is not None:
                rg.tags = update.tags
            if update.sets_managed_by:
                rg.managed_by = update.managed_by
            return rg

    def delete_resource_group(self, sub: Subscription, name: str) -> Operation:
        """Delete the group and everything in it; the returned operation tracks completion."""
        with self.lock:
            rg = self.resource_group(sub, name)
            if rg.delete_operation is not None:  # already being deleted: the same operation
                return rg.delete_operation
            op = Operation(
                id=self.clock.operation_id("rg-delete", sub.id, rg.name),
                kind="delete-resource-group",
                target_id=rg.resource_id,
                location=rg.location,
                start_time=self.clock.now(),
                done_mono=self.clock.monotonic() + self.config.resource_group_delete_seconds,
            )
            for forget in self.deleters:
                forget(sub, rg)
            rg.state = "Deleting"
            rg.delete_operation = op
            self.operations.add(op)
            self._pending_deletes[op.id] = (op, rg)
            self.finish_deletes()
            return op

    def list_resource_groups(self, sub: Subscription) -> list[ResourceGroup]:
        with self.lock:
            self.finish_deletes()
            return sorted(sub.resource_groups.values(), key=lambda rg: rg.name.lower())

    def delete_operation(self, op_id: str) -> Operation:
        """A resource group delete's operation, brought up to date; else OperationNotFound."""
        with self.lock:
            op = self.operations.require(op_id, ("delete-resource-group",))
            if op.subscription_key in self.subscriptions:
                self.finish_deletes()
            return op
