"""The emulated cloud: one lock, and a service per resource provider sharing it.

`resources` is Azure Resource Manager itself (subscriptions, providers, resource groups),
`aci` is Microsoft.ContainerInstance, `operations` the long-running operations clients poll.
Every public method of a service takes the lock, so concurrent requests from many clients see
a consistent state; nothing holding it blocks, so it is held only for microseconds.
"""

from __future__ import annotations

import threading

from aci_emulator.backend.aci.models import ContainerGroup, ContainerGroupRequest
from aci_emulator.backend.aci.service import ContainerInstances
from aci_emulator.backend.operations import Operation, OperationStore
from aci_emulator.backend.registry import RegistryLookup
from aci_emulator.backend.resources.models import (
    RegistrationState,
    ResourceGroup,
    ResourceGroupRequest,
    Subscription,
)
from aci_emulator.backend.resources.service import ResourceManager
from aci_emulator.clock import Clock
from aci_emulator.config import EmulatorConfig
from aci_emulator.faults import FaultInjector

__all__ = ["Cloud", "Subscription"]


class Cloud:
    def __init__(self, config: EmulatorConfig, clock: Clock, faults: FaultInjector) -> None:
        self.config = config
        self.clock = clock
        self.faults = faults
        self.lock = threading.RLock()
        self.operations = OperationStore(clock)
        self.resources = ResourceManager(config, clock, self.lock, self.operations)
        self.aci = ContainerInstances(
            config, clock, faults, self.lock, self.resources, self.operations
        )
        self.resources.add_subscription(
            config.subscription_id, config.tenant_id, "Local emulator subscription"
        )
        for sub_id, tenant in config.extra_subscriptions.items():
            self.resources.add_subscription(sub_id, tenant, "Other tenant's subscription")

    # What the server, the admin routes and the benchmarks call directly.
    @property
    def registry(self) -> RegistryLookup | None:
        """The registry lookups images are checked with (None: decided by name alone)."""
        return self.aci.registry

    def subscription(self, sub_id: str, tenant_id: str | None = None) -> Subscription:
        return self.resources.subscription(sub_id, tenant_id)

    def provider_state(self, sub: Subscription, namespace: str) -> RegistrationState:
        return self.resources.provider_state(sub, namespace)

    def set_provider_state(
        self, sub: Subscription, namespace: str, state: RegistrationState
    ) -> None:
        self.resources.set_provider_state(sub, namespace, state)

    def create_or_update_resource_group(
        self, sub: Subscription, name: str, request: ResourceGroupRequest
    ) -> tuple[ResourceGroup, bool]:
        """A resource group, as its PUT does it (the request read by web/parse_arm.py)."""
        return self.resources.create_or_update_resource_group(sub, name, request)

    def create_or_update_container_group(
        self, sub: Subscription, rg_name: str, name: str, request: ContainerGroupRequest
    ) -> tuple[ContainerGroup, bool, Operation]:
        """A container group, as its PUT does it (the request read by web/parse_aci.py)."""
        return self.aci.create_or_update_container_group(sub, rg_name, name, request)
