"""Container instances: container groups and what is done to them (create, update, delete,
start, stop, restart), their logs, and the status of their operations.

Every public method takes the cloud's one lock (shared with the resource manager), so
concurrent requests see a consistent state; nothing here blocks while holding it.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from collections.abc import Callable
from datetime import datetime

from aci_emulator.backend.aci import identities, images, lifecycle, quota, rules, updates
from aci_emulator.backend.aci.dns import DnsLabels
from aci_emulator.backend.aci.models import (
    CG_TYPE,
    Container,
    ContainerGroup,
    ContainerGroupRequest,
    ContainerGroupSpec,
)
from aci_emulator.backend.aci.quota import check_regional_limits
from aci_emulator.backend.aci.store import GroupStore
from aci_emulator.backend.aci.validation import check_group_name
from aci_emulator.backend.locations import container_instances_region
from aci_emulator.backend.operations import Operation, OperationKind, OperationStore
from aci_emulator.backend.registry import RegistryLookup
from aci_emulator.backend.resources.models import ResourceGroup, Subscription
from aci_emulator.backend.resources.service import ResourceManager
from aci_emulator.clock import Clock
from aci_emulator.config import EmulatorConfig
from aci_emulator.errors import (
    ArmError,
    bad_request,
    container_group_transitioning,
    container_log_not_available,
    operation_not_found,
    resource_group_being_deleted,
    resource_not_found,
)
from aci_emulator.faults import FaultInjector


class ContainerInstances:
    def __init__(
        self,
        config: EmulatorConfig,
        clock: Clock,
        faults: FaultInjector,
        lock: threading.RLock,
        resources: ResourceManager,
        operations: OperationStore,
    ) -> None:
        self.config = config
        self.clock = clock
        self.faults = faults
        self.lock = lock
        self.resources = resources
        self.operations = operations
        self.dns_labels = DnsLabels()
        self._stores: dict[str, GroupStore] = {}  # by subscription id (lower case)
        self.registry = (
            RegistryLookup(config.image_lookup_timeout, config.registry_endpoints)
            if config.image_lookup
            else None
        )
        resources.deleters.append(self._forget_resource_group)

    def _store_of(self, sub: Subscription) -> GroupStore:
        return self._stores.setdefault(sub.id.lower(), GroupStore())

    def _cg(self, sub: Subscription, rg_name: str, name: str) -> ContainerGroup:
        rg = self.resources.resource_group(sub, rg_name)
        cg = self._store_of(sub).get(rg.name, name)
        if cg is None:
            raise resource_not_found(CG_TYPE, name, rg.name)
        lifecycle.advance(cg, self.clock, self.config)
        return cg

    def get_container_group(self, sub: Subscription, rg_name: str, name: str) -> ContainerGroup:
        with self.lock:
            self.resources.require_registered(sub)
            return self._cg(sub, rg_name, name)

    def list_container_groups(
        self, sub: Subscription, rg_name: str | None = None, *, advance: bool = True
    ) -> list[ContainerGroup]:
        """The groups, sorted; `advance=False` leaves bringing them up to date to `advance()`."""
        with self.lock:
            self.resources.require_registered(sub)
            rg_key = None
            if rg_name is not None:
                rg_key = self.resources.resource_group(sub, rg_name).name.lower()
            groups = self._store_of(sub).sorted(rg_key)
            if advance:
                for cg in groups:
                    lifecycle.advance(cg, self.clock, self.config)
            return list(groups)

    def advance(self, groups: list[ContainerGroup]) -> list[ContainerGroup]:
        """Bring these groups up to date with the time that has passed (e.g. one page of a list)."""
        with self.lock:
            for cg in groups:
                lifecycle.advance(cg, self.clock, self.config)
            return groups

    def create_or_update_container_group(
        self,
        sub: Subscription,
        rg_name: str,
        name: str,
        request: ContainerGroupRequest,
        before_storing: Callable[[ContainerGroup], None] | None = None,
    ) -> tuple[ContainerGroup, bool, Operation]:
        """Check everything, build the new group aside, then store it in steps that cannot
        fail: a request that fails at any point leaves the state as it was. `before_storing`
        is given the group built aside, last before it is stored (the route writes its answer
        there: an answer that cannot be written leaves nothing behind)."""
        rules.check_all(request, name, sub.id)  # the corpus's rules, by category (rules.py)
        spec, tags = request.spec, request.tags
        region = container_instances_region(request.location, CG_TYPE)
        # Asked before taking the lock: a registry may take seconds to answer.
        pullable = self._look_up_images(spec)
        with self.lock:
            self.resources.require_registered(sub)
            rg = self.resources.resource_group(sub, rg_name)
            if rg.state == "Deleting":  # else the group would outlive its resource group
                raise resource_group_being_deleted(rg.name)
            store = self._store_of(sub)
            existing = store.get(rg.name, name)
            if existing is not None:
                require_settled(existing, self.clock, self.config)
                updates.check_secrets_sent_again(spec)
                updates.check_update(existing, spec, region)
            self._check_images(name, spec, pullable)
            quota.require_cores(store, self.config.quota_cores, region, spec.cores, existing)
            check_regional_limits(region, spec)  # after the quota, which counts first
            resource_id = (
                f"/subscriptions/{sub.id}/resourceGroups/{rg.name}/providers/{CG_TYPE}/{name}"
            )
            label = spec.ip_address.dns_name_label if spec.ip_address else None
            if label:
                self.dns_labels.check_free(region, label, name, resource_id)
            # The new group, built aside: an update works on a copy of the stored one.
            if existing is not None:
                cg = _copy(existing)
                cg.spec, cg.location, cg.tags = spec, region, tags
                cg.provisioning_state = "Pending"
            else:
                cg = ContainerGroup(
                    subscription_id=sub.id,
                    resource_group=rg.name,
                    name=name,
                    location=region,
                    tags=tags,
                    spec=spec,
                    identity=identities.assign_ids(request.identity, resource_id, sub.tenant_id),
                    zones=request.zones,
                    ip=None,
                    created=self.clock.now(),
                )
            if spec.ip_address:
                cg.ip = cg.ip or self.clock.public_ip(resource_id)
            # Taken last, once nothing can refuse the request: a refused one keeps its fault.
            failures = self.faults.take("PUT", resource_id, ("provisioning",))
            cg.failure = (failures[0].code, failures[0].message) if failures else None
            lifecycle.begin_run(cg, self.clock, self.config)
            op = self._new_operation("create", cg)
            if before_storing is not None:
                before_storing(cg)
            # Storing: plain assignments from here on.
            if existing is not None:
                self.dns_labels.release(existing)
            store.put(cg)
            self.dns_labels.claim(cg)
            self.operations.add(op)
            return cg, existing is None, op

    def _look_up_images(self, spec: ContainerGroupSpec) -> dict[str, bool]:
        """What registries say of the images no credential is given for (empty when lookups are
        off, or a registry did not answer: the rule decides those)."""
        if self.registry is None:
            return {}
        answers = {}
        for container in spec.containers + spec.init_containers:
            if images.registry_of(container.image) not in spec.registry_servers:
                answer = self.registry.is_pullable(container.image)
                if answer is not None:
                    answers[container.image] = answer
        return answers

    def _check_images(self, group: str, spec: ContainerGroupSpec, pullable: dict) -> None:
        """Every image that cannot be pulled; two or more are one MultipleErrorsOccurred, each
        error joined as 'status':'code':'message' (AvtsVivek/Az204WthTerraform, 2022)."""
        unauthenticated = images.servers_without_password(spec.registry_credentials)
        servers = set(spec.registry_servers) - unauthenticated
        failed: list[str] = []
        for container in spec.containers + spec.init_containers:
            image = container.image
            accessible = pullable.get(image)
            if accessible is None or images.registry_of(image) in unauthenticated:
                accessible = images.registry_of(image) not in unauthenticated and (
                    images.is_accessible(image, self.config.inaccessible_images, servers)
                )
            if not accessible and image not in failed:
                failed.append(image)
        messages = [
            f"The image '{image}' in container group '{group}' is not accessible. Please check "
            "the image and registry credential."
            for image in failed
        ]
        if len(messages) == 1:
            raise bad_request("InaccessibleImage", messages[0])
        if messages:
            joined = ";".join(f"'BadRequest':'InaccessibleImage':'{m}'" for m in messages)
            raise bad_request("MultipleErrorsOccurred", f"Multiple error occurred: {joined}.")

    def update_container_group_tags(
        self, sub: Subscription, rg_name: str, name: str, tags: dict[str, str] | None
    ) -> ContainerGroup:
        with self.lock:
            self.resources.require_registered(sub)
            cg = self._cg(sub, rg_name, name)
            if tags is not None:
                cg.tags = tags
            return cg

    def delete_container_group(
        self, sub: Subscription, rg_name: str, name: str
    ) -> ContainerGroup | None:
        check_group_name(name)
        with self.lock:
            self.resources.require_registered(sub)
            rg = self.resources.resource_group(sub, rg_name)
            cg = self._store_of(sub).get(rg.name, name)
            if cg is None:
                return None
            lifecycle.advance(cg, self.clock, self.config)
            self._forget(sub, cg)
            return cg

    def _forget_resource_group(self, sub: Subscription, rg: ResourceGroup) -> None:
        store = self._store_of(sub)
        for cg in store.in_resource_group(rg.name.lower()):
            self._forget(sub, cg)

    def _forget(self, sub: Subscription, cg: ContainerGroup) -> None:
        self.dns_labels.release(cg)
        self._store_of(sub).remove(cg)
        self.operations.cancel_all_of(
            cg.resource_id, f"The container group '{cg.name}' was deleted."
        )

    def restart(self, sub: Subscription, rg_name: str, name: str) -> Operation:
        return self._run_again(sub, rg_name, name, "restart")

    def stop(self, sub: Subscription, rg_name: str, name: str) -> None:
        with self.lock:
            self.resources.require_registered(sub)
            cg = _copy(self._cg(sub, rg_name, name))
            require_settled(cg, self.clock, self.config)
            lifecycle.stop(cg, self.clock)
            self._store_of(sub).put(cg)

    def start(self, sub: Subscription, rg_name: str, name: str) -> Operation:
        return self._run_again(sub, rg_name, name, "start")

    def _run_again(
        self, sub: Subscription, rg_name: str, name: str, kind: OperationKind
    ) -> Operation:
        """Start or restart: the containers run anew; a restart first kills the running ones."""
        with self.lock:
            self.resources.require_registered(sub)
            cg = self._cg(sub, rg_name, name)
            require_settled(cg, self.clock, self.config)
            if kind == "restart" and cg.phase == "stopped":
                # Azure/azure-cli#8136: a stopped group is started, not restarted; the status
                # and the code are our reading (a conflict with the group's state).
                raise ArmError(
                    409,
                    "ContainerGroupStopped",
                    f"Container Group '{cg.name}' in resource group '{rg_name}' is stopped",
                )
            if cg.phase == "stopped":  # a stopped group uses no cores until it runs again
                store = self._store_of(sub)
                quota.require_cores(store, self.config.quota_cores, cg.location, cg.cores, cg)
            cg = _copy(cg)
            restart = kind == "restart"
            if restart:
                now = self.clock.now()
                for cname, state in cg.containers.items():
                    if state.state == "Running":
                        lifecycle.kill(cg, cname, state, now)
            lifecycle.begin_run(cg, self.clock, self.config, restart=restart)
            op = self._new_operation(kind, cg)
            self._store_of(sub).put(cg)
            return self.operations.add(op)

    def _new_operation(self, kind: OperationKind, cg: ContainerGroup) -> Operation:
        return Operation(
            id=self.clock.operation_id(kind, cg.resource_id),
            kind=kind,
            target_id=cg.resource_id,
            location=cg.location,
            start_time=self.clock.now(),
            done_mono=cg.ready_mono,
            error=cg.failure,
        )

    def container_operation(self, sub: Subscription, location: str, op_id: str) -> Operation:
        with self.lock:
            op = self.operations.get(op_id)
            if (
                op is None
                or op.kind == "delete-resource-group"
                or f"/subscriptions/{sub.id}/".lower() not in op.target_id.lower() + "/"
            ):
                raise operation_not_found(op_id)
            if op.status == "Pending" and self.clock.monotonic() >= op.done_mono:
                parts = op.target_id.split("/")
                cg = self._store_of(sub).get(parts[4], parts[-1])
                if cg is not None:  # first, so that it ends after what the group shows
                    lifecycle.advance(cg, self.clock, self.config)
                    op.events = [
                        copy.copy(e) for state in cg.containers.values() for e in state.events
                    ]
                op.status = "Failed" if op.error else "Succeeded"
                op.end_time = self.clock.now()
            return op

    def logs(
        self, sub: Subscription, rg_name: str, name: str, container: str, tail: int | None = None
    ) -> list[tuple[datetime, str]]:
        """A container's log lines with their times; `tail`: only the last so many (none when
        not positive)."""
        with self.lock:
            self.resources.require_registered(sub)
            cg = self._cg(sub, rg_name, name)
            spec = _container(cg, container)
            state = cg.containers.get(spec.name)
            if state is None or state.start_time is None:
                raise container_log_not_available(spec.name, cg.name)
            lines = lifecycle.log_lines(cg, spec, self.clock, self.config)
            if tail is None:
                return lines
            return lines[-tail:] if tail > 0 else []

    def container_exists(
        self, sub: Subscription, rg_name: str, name: str, container: str
    ) -> ContainerGroup:
        with self.lock:
            cg = self._cg(sub, rg_name, name)
            _container(cg, container)
            return cg

    def usage(self, sub: Subscription, location: str) -> quota.RegionUsage:
        with self.lock:
            return quota.usage(self._store_of(sub), location, self.config.quota_cores)


def _copy(cg: ContainerGroup) -> ContainerGroup:
    """A copy to change: what a request changes is stored only once nothing can fail."""
    return dataclasses.replace(
        cg, containers=copy.deepcopy(cg.containers), group_events=list(cg.group_events)
    )


def _container(cg: ContainerGroup, name: str) -> Container:
    """A container of the group by name, or ARM's ContainerNotFound."""
    container = cg.container(name)
    if container is None:
        raise ArmError(
            404,
            "ContainerNotFound",
            f"The container '{name}' does not exist in container group '{cg.name}'.",
        )
    return container


def require_settled(cg: ContainerGroup, clock: Clock, config: EmulatorConfig) -> None:
    """A group still being placed (created, updated, started, restarted) takes no other write
    but a delete: Azure answers 409 ContainerGroupTransitioning (sources in the README)."""
    lifecycle.advance(cg, clock, config)
    if cg.phase == "provisioning":
        raise container_group_transitioning(cg.name)
