"""The regional quota of cores: one rule for every path that makes a group use cores."""

from __future__ import annotations

from aci_emulator.backend.aci.models import ContainerGroup
from aci_emulator.backend.aci.store import GroupStore
from aci_emulator.backend.validation import format_number
from aci_emulator.errors import bad_request

CG_TYPE = "Microsoft.ContainerInstance/containerGroups"


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


def usage(store: GroupStore, location: str) -> dict[str, float]:
    groups = [
        cg for cg in store.groups.values() if cg.location == location and cg.phase != "stopped"
    ]
    return {
        "ContainerGroups": float(len(groups)),
        "StandardCores": sum(cg.cores for cg in groups),
    }
