"""The regional quota of cores: one rule for every path that makes a group use cores."""

from __future__ import annotations

from dataclasses import dataclass

from aci_emulator.backend.aci.models import CG_TYPE, ContainerGroup, ContainerGroupSpec
from aci_emulator.backend.aci.store import GroupStore
from aci_emulator.backend.validation import format_number
from aci_emulator.errors import ArmError, bad_request

# What one container group may request in a region (the capabilities the emulator reports).
MAX_CPU_PER_GROUP = 4.0
MAX_MEMORY_PER_GROUP = 16.0
# The container groups a subscription may have in a region, as reported (not enforced).
MAX_GROUPS_PER_REGION = 100


def require_cores(
    store: GroupStore,
    limit: float,
    location: str,
    requested: float,
    group: ContainerGroup | None,
) -> None:
    """Create, update, start and restart: the running groups of the region other than `group`,
    plus what is asked, within the limit."""
    if store.cores_by_location.get(location, 0.0) + requested <= limit - 1e-9:
        return  # under the quota even counting stopped groups and this one's old self
    usage = sum(
        cg.cores
        for cg in store.groups.values()
        if cg.location == location and cg is not group and cg.phase != "stopped"
    )
    if usage + requested > limit:
        raise bad_request(
            "ContainerGroupQuotaReached",
            f"Resource type '{CG_TYPE}' container group quota 'StandardCores' exceeded in "
            f"region '{location}'. Limit: '{format_number(limit)}', Usage: "
            f"'{format_number(usage)}' Requested: '{format_number(requested)}'.",
        )


@dataclass(frozen=True)
class RegionUsage:
    """What a subscription uses of a region's quotas, and their limits."""

    container_groups: int
    container_group_limit: int
    cores: float
    core_limit: float


def usage(store: GroupStore, location: str, core_limit: float) -> RegionUsage:
    """The groups that are not stopped, and their cores."""
    groups = [
        cg for cg in store.groups.values() if cg.location == location and cg.phase != "stopped"
    ]
    return RegionUsage(
        container_groups=len(groups),
        container_group_limit=MAX_GROUPS_PER_REGION,
        cores=sum(cg.cores for cg in groups),
        core_limit=core_limit,
    )


def check_regional_limits(location: str, spec: ContainerGroupSpec) -> None:
    """A group asking for more than a region offers one group (4 CPU, 16 GB) gets Azure's
    capacity answer: 409 ServiceUnavailable, naming the group's total request."""
    requests = [c.requests for c in spec.containers if c.requests]
    cpu = round(sum(r.cpu for r in requests), 6)  # 3 x 0.1 is 0.3, not 0.30000000004
    memory = round(sum(r.memory_in_gb for r in requests), 6)
    if cpu > MAX_CPU_PER_GROUP or memory > MAX_MEMORY_PER_GROUP:
        raise ArmError(
            409,
            "ServiceUnavailable",
            f"The requested resource is not available in the location '{location}' at this "
            "moment. Please retry with a different resource request or in another location. "
            f"Resource requested: '{format_number(cpu)}' CPU '{format_number(memory)}' GB memory "
            f"'{spec.os_type}' OS",
        )
