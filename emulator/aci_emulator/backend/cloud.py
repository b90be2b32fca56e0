"""The emulated cloud: subscriptions, resource groups, container groups and their operations.

Every public method takes the one lock, so concurrent requests from many clients see a
consistent state; nothing here blocks, so the lock is held only for microseconds.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from dataclasses import dataclass, field
from typing import Any

from aci_emulator.backend import images, lifecycle, schema
from aci_emulator.backend.locations import normalize_location, region_list
from aci_emulator.backend.models import ContainerGroup, Operation, ResourceGroup, requested_cores
from aci_emulator.backend.registry import RegistryLookup
from aci_emulator.backend.validation import (
    check_body,
    check_group_name,
    check_regional_limits,
    check_resource_group_name,
    format_number,
    validate_container_group,
)
from aci_emulator.clock import Clock
from aci_emulator.config import EmulatorConfig
from aci_emulator.errors import (
    ArmError,
    bad_request,
    not_found,
    resource_group_not_found,
    resource_not_found,
)
from aci_emulator.faults import FaultInjector

ACI = "Microsoft.ContainerInstance"
CG_TYPE = f"{ACI}/containerGroups"
# A redeploy may change these only by deleting and creating the group again.
IMMUTABLE = ("osType", "restartPolicy", "sku")
# Finished operations are kept for polling this long, and at most this many (our reading:
# Azure documents no retention; a client polls an operation within seconds of starting it).
OPERATION_RETENTION_SECONDS = 15 * 60.0
MAX_FINISHED_OPERATIONS = 1000


@dataclass
class Subscription:
    id: str
    tenant_id: str
    display_name: str
    resource_groups: dict[str, ResourceGroup] = field(default_factory=dict)
    container_groups: dict[tuple[str, str], ContainerGroup] = field(default_factory=dict)
    providers: dict[str, str] = field(default_factory=dict)  # namespace (lower) -> state
    # Cores of all container groups per region, stopped or not: an upper bound of the usage
    # that spares the quota check a sum over every group on every create.
    cores_by_location: dict[str, float] = field(default_factory=dict)
    # Container groups in list order, per resource group key (None: all), kept until a group
    # is added or removed: a paged list asks again for every page.
    sorted_groups: dict[str | None, list[ContainerGroup]] = field(default_factory=dict)


class Cloud:
    def __init__(self, config: EmulatorConfig, clock: Clock, faults: FaultInjector) -> None:
        self.config = config
        self.clock = clock
        self.faults = faults
        self.lock = threading.RLock()
        self.subscriptions: dict[str, Subscription] = {}
        # Operations clients poll, oldest first; finished ones expire (see _expire_operations).
        self.operations: dict[str, Operation] = {}
        # Resource group deletes still running, with the group instance each one deletes:
        # checked on every request, so kept apart from `operations`.
        self._pending_rg_deletes: dict[str, tuple[Operation, ResourceGroup]] = {}
        # A container group's operations, by its id (lower case): what its delete cancels.
        self._operations_of: dict[str, dict[str, Operation]] = {}
        self.dns_labels: dict[tuple[str, str], str] = {}
        self.registry = (
            RegistryLookup(config.image_lookup_timeout, config.registry_endpoints)
            if config.image_lookup
            else None
        )
        self.add_subscription(
            config.subscription_id, config.tenant_id, "Local emulator subscription"
        )
        for sub_id, tenant in config.extra_subscriptions.items():
            self.add_subscription(sub_id, tenant, "Other tenant's subscription")

    # -- subscriptions and providers ------------------------------------------------------------
    def add_subscription(self, sub_id: str, tenant_id: str, name: str) -> Subscription:
        with self.lock:
            sub = Subscription(sub_id, tenant_id, name)
            for namespace in (ACI, "Microsoft.Resources"):
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
            raise ArmError(
                401,
                "InvalidAuthenticationTokenTenant",
                f"The access token is from the wrong issuer 'https://sts.windows.net/{tenant_id}/'. "
                f"It must match the tenant 'https://sts.windows.net/{sub.tenant_id}/' associated "
                "with this subscription. Please use the authority (URL) "
                f"'https://login.windows.net/{sub.tenant_id}' to get the token.",
            )
        return sub

    def tenant_subscriptions(self, tenant_id: str) -> list[Subscription]:
        with self.lock:
            return [
                s for s in self.subscriptions.values() if s.tenant_id.lower() == tenant_id.lower()
            ]

    def provider_state(self, sub: Subscription, namespace: str) -> str:
        with self.lock:
            return sub.providers.get(namespace.lower(), "NotRegistered")

    def set_provider_state(self, sub: Subscription, namespace: str, state: str) -> None:
        with self.lock:
            sub.providers[namespace.lower()] = state

    def register_provider(self, sub: Subscription, namespace: str) -> str:
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
    def _finish_deletes(self, sub: Subscription) -> None:
        if not self._pending_rg_deletes:
            return
        mono = self.clock.monotonic()
        for op, rg in list(self._pending_rg_deletes.values()):
            if op.status == "Pending" and mono >= op.done_mono:
                self.clock.reach(
                    op.start_time + self.clock.shown(self.config.resource_group_delete_seconds)
                )
                op.status, op.end_time = "Succeeded", self.clock.now()
                del self._pending_rg_deletes[op.id]
                owner = self.subscriptions.get(rg.subscription_id.lower())
                # Only the instance this delete was for: a group re-created under the same
                # name after it is another group.
                if owner is not None and owner.resource_groups.get(rg.name.lower()) is rg:
                    del owner.resource_groups[rg.name.lower()]

    def _rg(self, sub: Subscription, name: str) -> ResourceGroup:
        self._finish_deletes(sub)
        rg = sub.resource_groups.get(name.lower())
        if rg is None:
            raise resource_group_not_found(name)
        return rg

    def get_resource_group(self, sub: Subscription, name: str) -> ResourceGroup:
        with self.lock:
            return self._rg(sub, name)

    def resource_group_exists(self, sub: Subscription, name: str) -> bool:
        with self.lock:
            self._finish_deletes(sub)
            return name.lower() in sub.resource_groups

    def create_or_update_resource_group(
        self, sub: Subscription, name: str, body: dict[str, Any]
    ) -> tuple[ResourceGroup, bool]:
        check_resource_group_name(name)
        check_body(body, schema.RESOURCE_GROUP)
        raw_location = body.get("location")
        if not raw_location:
            raise bad_request(
                "LocationRequired", "The location property is required for this definition."
            )
        location = normalize_location(str(raw_location))
        if location is None:
            raise bad_request(
                "LocationNotAvailableForResourceGroup",
                f"The provided location '{raw_location}' is not available for resource group. "
                f"List of available regions is '{region_list()}'.",
            )
        with self.lock:
            self._finish_deletes(sub)
            existing = sub.resource_groups.get(name.lower())
            if existing is not None:
                if existing.state == "Deleting":
                    raise ArmError(
                        409,
                        "ResourceGroupBeingDeleted",
                        f"The resource group '{existing.name}' is in deprovisioning state and "
                        "cannot perform this operation.",
                    )
                if existing.location != location:
                    # ARM names the location as it was sent ('West Europe', 'East US':
                    # microsoft/vscode-azurefunctions#889, Azure/pcs-cli#400).
                    raise ArmError(
                        409,
                        "InvalidResourceGroupLocation",
                        f"Invalid resource group location '{raw_location}'. The Resource group "
                        f"already exists in location '{existing.location}'.",
                    )
                existing.tags = _tags(body)
                if "managedBy" in body:
                    existing.managed_by = body["managedBy"]
                return existing, False
            rg = ResourceGroup(
                sub.id,
                name,
                location,
                _tags(body),
                body.get("managedBy"),
                created=self.clock.now(),
            )
            sub.resource_groups[name.lower()] = rg
            return rg, True

    def update_resource_group(
        self, sub: Subscription, name: str, body: dict[str, Any]
    ) -> ResourceGroup:
        check_body(body, schema.RESOURCE_GROUP)
        with self.lock:
            rg = self._rg(sub, name)
            if body.get("tags") is not None:
                rg.tags = dict(body["tags"])
            if "managedBy" in body:
                rg.managed_by = body["managedBy"]
            return rg

    def delete_resource_group(self, sub: Subscription, name: str) -> Operation:
        """Delete the group and everything in it; the returned operation tracks completion."""
        with self.lock:
            rg = self._rg(sub, name)
            if rg.delete_operation is not None:  # already being deleted: the same operation
                return rg.delete_operation
            op = Operation(
                id=self.clock.operation_id("rg-delete", sub.id, rg.name),
                kind="delete-resource-group",
                target_id=f"/subscriptions/{sub.id}/resourceGroups/{rg.name}",
                location=rg.location,
                start_time=self.clock.now(),
                done_mono=self.clock.monotonic() + self.config.resource_group_delete_seconds,
            )
            for key in [k for k in sub.container_groups if k[0] == rg.name.lower()]:
                self._forget_container_group(sub, sub.container_groups[key])
            rg.state = "Deleting"
            rg.delete_operation = op
            self._add_operation(op)
            self._pending_rg_deletes[op.id] = (op, rg)
            self._finish_deletes(sub)
            return op

    def list_resource_groups(self, sub: Subscription) -> list[ResourceGroup]:
        with self.lock:
            self._finish_deletes(sub)
            return sorted(sub.resource_groups.values(), key=lambda rg: rg.name.lower())

    def operation(self, op_id: str) -> Operation | None:
        with self.lock:
            op = self.operations.get(op_id)
            if op is not None and op.kind == "delete-resource-group":
                sub = self.subscriptions.get(op.target_id.split("/")[2].lower())
                if sub:
                    self._finish_deletes(sub)
            return op

    # -- container groups -----------------------------------------------------------------------
    def _cg(self, sub: Subscription, rg_name: str, name: str) -> ContainerGroup:
        rg = self._rg(sub, rg_name)
        cg = sub.container_groups.get((rg.name.lower(), name.lower()))
        if cg is None:
            raise resource_not_found(CG_TYPE, name, rg.name)
        lifecycle.advance(cg, self.clock, self.config)
        return cg

    def get_container_group(self, sub: Subscription, rg_name: str, name: str) -> ContainerGroup:
        with self.lock:
            self.require_registered(sub)
            return self._cg(sub, rg_name, name)

    def list_container_groups(
        self, sub: Subscription, rg_name: str | None = None, *, advance: bool = True
    ) -> list[ContainerGroup]:
        """The groups, sorted; `advance=False` leaves bringing them up to date to `advance()`."""
        with self.lock:
            self.require_registered(sub)
            rg_key = self._rg(sub, rg_name).name.lower() if rg_name is not None else None
            groups = sub.sorted_groups.get(rg_key)
            if groups is None:
                groups = sorted(
                    (cg for key, cg in sub.container_groups.items() if rg_key in (None, key[0])),
                    key=lambda cg: (cg.resource_group.lower(), cg.name),
                )
                sub.sorted_groups[rg_key] = groups
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
        body: dict[str, Any],
        api_version: str | None = None,
    ) -> tuple[ContainerGroup, bool, Operation]:
        """Validate everything, build the new group aside, then store it in steps that cannot
        fail: a request that fails at any point leaves the state as it was."""
        properties = validate_container_group(name, body, api_version)
        raw_location = body["location"]
        location = normalize_location(raw_location)
        if location is None:
            raise bad_request(
                "LocationNotAvailableForResourceType",
                f"The provided location '{raw_location}' is not available for resource type "
                f"'{CG_TYPE}'. List of available regions for the resource type is '{region_list()}'.",
            )
        # Asked before taking the lock: a registry may take seconds to answer.
        pullable = self._look_up_images(properties)
        with self.lock:
            self.require_registered(sub)
            rg = self._rg(sub, rg_name)
            if rg.state == "Deleting":  # else the group would outlive its resource group
                raise ArmError(
                    409,
                    "ResourceGroupBeingDeleted",
                    f"The resource group '{rg.name}' is in deprovisioning state and cannot "
                    "perform this operation.",
                )
            key = (rg.name.lower(), name.lower())
            existing = sub.container_groups.get(key)
            if existing is not None:
                self._check_update(existing, properties, location)
            self._check_images(name, properties, pullable)
            self._require_cores(sub, location, requested_cores(properties), existing)
            check_regional_limits(location, properties)  # after the quota, which counts first
            label = (properties.get("ipAddress") or {}).get("dnsNameLabel")
            resource_id = (
                f"/subscriptions/{sub.id}/resourceGroups/{rg.name}/providers/{CG_TYPE}/{name}"
            )
            if label:
                owner = self.dns_labels.get((location, label))
                if owner is not None and owner != resource_id.lower():
                    raise bad_request(
                        "DnsNameLabelAlreadyTaken",
                        f"The DNS name label '{label}' in container group '{name}' is not "
                        "available. Try using a different label.",
                    )
            failures = self.faults.take("PUT", resource_id, ("provisioning",))
            # The new group, built aside: an update works on a copy of the stored one.
            if existing is not None:
                cg = self._copy(existing)
                cg.properties, cg.location = properties, location
                cg.tags = _tags(body)
                cg.provisioning_state = "Pending"
            else:
                cg = ContainerGroup(
                    subscription_id=sub.id,
                    resource_group=rg.name,
                    name=name,
                    location=location,
                    tags=_tags(body),
                    properties=properties,
                    identity=body.get("identity"),
                    zones=body.get("zones"),
                    ip=None,
                    created=self.clock.now(),
                )
            if properties.get("ipAddress"):
                cg.ip = cg.ip or self.clock.public_ip(resource_id)
            cg.failure = (failures[0].code, failures[0].message) if failures else None
            lifecycle.begin_run(cg, self.clock, self.config)
            op = self._new_operation("create", cg)
            # Storing: plain assignments from here on.
            if existing is not None:
                self._release_label(existing)
            else:
                sub.cores_by_location[location] = (
                    sub.cores_by_location.get(location, 0.0) + cg.cores
                )
            self._store(sub, cg)
            if label:
                self.dns_labels[(location, label)] = resource_id.lower()
            self._add_operation(op)
            return cg, existing is None, op

    def _check_update(self, existing: ContainerGroup, properties: dict, location: str) -> None:
        old = existing.properties

        def sizes(props: dict) -> dict[str, tuple]:
            return {
                c["name"]: tuple(sorted(c["properties"]["resources"]["requests"].items()))
                for c in props["containers"]
            }

        changed = any(old.get(k) != properties.get(k) for k in IMMUTABLE)
        changed = changed or sizes(old) != sizes(properties) or existing.location != location
        changed = changed or (old.get("ipAddress") or {}).get("type") != (
            properties.get("ipAddress") or {}
        ).get("type")
        if changed:
            raise bad_request(
                "InvalidContainerGroupUpdate",
                f"The updates on container group '{existing.name}' are invalid. If you are going "
                "to update the os type, restart policy, network profile, CPU, memory or GPU "
                "resources for a container group, you must delete it first and then create a "
                "new one.",
            )

    def _look_up_images(self, properties: dict) -> dict[str, bool]:
        """What registries say of the images no credential is given for (empty when lookups are
        off, or a registry did not answer: the rule decides those)."""
        if self.registry is None:
            return {}
        servers = _credential_servers(properties)
        answers = {}
        for container in properties["containers"] + properties["initContainers"]:
            image = container["properties"]["image"]
            if images.registry_of(image) not in servers:
                answer = self.registry.is_pullable(image)
                if answer is not None:
                    answers[image] = answer
        return answers

    def _check_images(self, group: str, properties: dict, pullable: dict[str, bool]) -> None:
        servers = _credential_servers(properties)
        for container in properties["containers"] + properties["initContainers"]:
            image = container["properties"]["image"]
            accessible = pullable.get(image)
            if accessible is None:
                accessible = images.is_accessible(image, self.config.inaccessible_images, servers)
            if not accessible:
                raise bad_request(
                    "InaccessibleImage",
                    f"The image '{image}' in container group '{group}' is not accessible. Please "
                    "check the image and registry credential.",
                )

    def _require_cores(
        self, sub: Subscription, location: str, requested: float, group: ContainerGroup | None
    ) -> None:
        """The quota rule, for every path that makes a group use cores (create, update, start,
        restart): the running groups of the region other than `group`, plus what is asked."""
        limit = self.config.quota_cores
        if sub.cores_by_location.get(location, 0.0) + requested <= limit - 1e-9:
            return  # under the quota even counting stopped groups and this one's old self
        usage = sum(
            cg.cores
            for cg in sub.container_groups.values()
            if cg.location == location and cg is not group and cg.phase != "stopped"
        )
        if usage + requested > limit:
            raise bad_request(
                "ContainerGroupQuotaReached",
                f"Resource type '{CG_TYPE}' container group quota 'StandardCores' exceeded in "
                f"region '{location}'. Limit: '{format_number(limit)}', Usage: "
                f"'{format_number(usage)}' Requested: '{format_number(requested)}'.",
            )

    def update_container_group_tags(
        self, sub: Subscription, rg_name: str, name: str, body: dict[str, Any]
    ) -> ContainerGroup:
        check_body(body)
        with self.lock:
            self.require_registered(sub)
            cg = self._cg(sub, rg_name, name)
            if body.get("tags") is not None:
                cg.tags = dict(body["tags"])
            return cg

    def delete_container_group(
        self, sub: Subscription, rg_name: str, name: str
    ) -> ContainerGroup | None:
        check_group_name(name)
        with self.lock:
            self.require_registered(sub)
            rg = self._rg(sub, rg_name)
            cg = sub.container_groups.get((rg.name.lower(), name.lower()))
            if cg is None:
                return None
            lifecycle.advance(cg, self.clock, self.config)
            self._forget_container_group(sub, cg)
            return cg

    def _forget_container_group(self, sub: Subscription, cg: ContainerGroup) -> None:
        self._release_label(cg)
        del sub.container_groups[(cg.resource_group.lower(), cg.name.lower())]
        sub.sorted_groups.clear()
        sub.cores_by_location[cg.location] -= cg.cores
        for op in self._operations_of.pop(cg.resource_id.lower(), {}).values():
            if op.status == "Pending":
                op.status, op.end_time = "Canceled", self.clock.now()
                op.error = ("Canceled", f"The container group '{cg.name}' was deleted.")

    def _release_label(self, cg: ContainerGroup) -> None:
        label = (cg.properties.get("ipAddress") or {}).get("dnsNameLabel")
        if label and self.dns_labels.get((cg.location, label)) == cg.resource_id.lower():
            del self.dns_labels[(cg.location, label)]

    def restart(self, sub: Subscription, rg_name: str, name: str) -> Operation:
        return self._run_again(sub, rg_name, name, "restart")

    def stop(self, sub: Subscription, rg_name: str, name: str) -> None:
        with self.lock:
            self.require_registered(sub)
            cg = self._copy(self._cg(sub, rg_name, name))
            lifecycle.stop(cg, self.clock)
            self._store(sub, cg)

    def start(self, sub: Subscription, rg_name: str, name: str) -> Operation:
        return self._run_again(sub, rg_name, name, "start")

    def _run_again(self, sub: Subscription, rg_name: str, name: str, kind: str) -> Operation:
        """Start or restart: the containers run anew; a restart first kills the running ones."""
        with self.lock:
            self.require_registered(sub)
            cg = self._cg(sub, rg_name, name)
            if cg.phase == "stopped":  # a stopped group uses no cores until it runs again
                self._require_cores(sub, cg.location, cg.cores, cg)
            cg = self._copy(cg)
            restart = kind == "restart"
            if restart:
                now = self.clock.now()
                for cname, state in cg.containers.items():
                    if state.state == "Running":
                        lifecycle.add_event(
                            state.events, "Killing", f"Killing container {cname}", now
                        )
            lifecycle.begin_run(cg, self.clock, self.config, restart=restart)
            op = self._new_operation(kind, cg)
            self._store(sub, cg)
            return self._add_operation(op)

    @staticmethod
    def _copy(cg: ContainerGroup) -> ContainerGroup:
        """A copy to change: what a request changes is stored only once nothing can fail."""
        return dataclasses.replace(
            cg, containers=copy.deepcopy(cg.containers), group_events=list(cg.group_events)
        )

    @staticmethod
    def _store(sub: Subscription, cg: ContainerGroup) -> None:
        sub.container_groups[(cg.resource_group.lower(), cg.name.lower())] = cg
        sub.sorted_groups.clear()

    def _new_operation(self, kind: str, cg: ContainerGroup) -> Operation:
        return Operation(
            id=self.clock.operation_id(kind, cg.resource_id),
            kind=kind,
            target_id=cg.resource_id,
            location=cg.location,
            start_time=self.clock.now(),
            done_mono=cg.ready_mono,
            error=cg.failure,
        )

    def _add_operation(self, op: Operation) -> Operation:
        self._expire_operations()
        self.operations[op.id] = op
        if op.kind != "delete-resource-group":
            self._operations_of.setdefault(op.target_id.lower(), {})[op.id] = op
        return op

    def _expire_operations(self) -> None:
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
            of_target = self._operations_of.get(op.target_id.lower())
            if of_target is not None:
                of_target.pop(op.id, None)
                if not of_target:
                    del self._operations_of[op.target_id.lower()]

    def container_operation(self, sub: Subscription, location: str, op_id: str) -> Operation:
        with self.lock:
            op = self.operations.get(op_id)
            if (
                op is None
                or op.kind == "delete-resource-group"
                or f"/subscriptions/{sub.id}/".lower() not in op.target_id.lower() + "/"
            ):
                raise ArmError(
                    404, "OperationNotFound", f"The operation '{op_id}' could not be found."
                )
            if op.status == "Pending" and self.clock.monotonic() >= op.done_mono:
                rg_key, name = (
                    op.target_id.split("/")[4].lower(),
                    op.target_id.split("/")[-1].lower(),
                )
                cg = sub.container_groups.get((rg_key, name))
                if cg is not None:  # first, so that it ends after what the group shows
                    lifecycle.advance(cg, self.clock, self.config)
                    op.events = [
                        copy.copy(e) for state in cg.containers.values() for e in state.events
                    ]
                op.status = "Failed" if op.error else "Succeeded"
                op.end_time = self.clock.now()
            return op

    def logs(self, sub: Subscription, rg_name: str, name: str, container: str) -> list:
        with self.lock:
            self.require_registered(sub)
            cg = self._cg(sub, rg_name, name)
            spec = _container_spec(cg, container)
            lifecycle.advance(cg, self.clock, self.config)
            state = cg.containers.get(spec["name"])
            if state is None or state.start_time is None:
                # A container that has not started yet has no log at all
                # (virtual-kubelet/virtual-kubelet#237).
                raise not_found(
                    "ContainerLogNotAvailable",
                    f"Log of container '{spec['name']}' in container group '{cg.name}' is not "
                    "available yet. Please check container 'InstanceView' for more information "
                    "or retry later.",
                )
            return lifecycle.log_lines(cg, spec, self.clock, self.config)

    def container_exists(
        self, sub: Subscription, rg_name: str, name: str, container: str
    ) -> ContainerGroup:
        with self.lock:
            cg = self._cg(sub, rg_name, name)
            _container_spec(cg, container)
            return cg

    def usage(self, sub: Subscription, location: str) -> dict[str, float]:
        with self.lock:
            groups = [
                cg
                for cg in sub.container_groups.values()
                if cg.location == location and cg.phase != "stopped"
            ]
            return {
                "ContainerGroups": float(len(groups)),
                "StandardCores": sum(cg.cores for cg in groups),
            }


def _credential_servers(properties: dict) -> set[str]:
    return {c.get("server", "").lower() for c in properties.get("imageRegistryCredentials") or []}


def _tags(body: dict[str, Any]) -> dict[str, str] | None:
    """Tags as sent, `{}` included; None when the body has none (Azure then returns none)."""
    tags = body.get("tags")
    return dict(tags) if tags is not None else None


def _container_spec(cg: ContainerGroup, container: str) -> dict:
    """A container of the group by name, or ARM's ContainerNotFound."""
    for spec in cg.properties["containers"]:
        if spec["name"] == container:
            return spec
    raise ArmError(
        404,
        "ContainerNotFound",
        f"The container '{container}' does not exist in container group '{cg.name}'.",
    )
