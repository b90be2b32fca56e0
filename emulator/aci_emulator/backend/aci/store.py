"""One subscription's container groups, with what is derived from them kept up to date."""

from __future__ import annotations

from dataclasses import dataclass, field

from aci_emulator.backend.aci.models import ContainerGroup


def list_key(cg: ContainerGroup) -> str:
    """A group's place in a list: by resource group, then name (NUL sorts before any character
    a name may hold, so this orders as the pair does)."""
    return f"{cg.resource_group.lower()}\x00{cg.name}"


@dataclass
class GroupStore:
    groups: dict[tuple[str, str], ContainerGroup] = field(default_factory=dict)  # (rg, name)
    # Cores of all container groups per region, stopped or not: an upper bound of the usage
    # that spares the quota check a sum over every group on every create.
    cores_by_location: dict[str, float] = field(default_factory=dict)
    # Container groups in list order, per resource group key (None: all), kept until a group
    # is added or removed: a paged list asks again for every page.
    sorted_groups: dict[str | None, list[ContainerGroup]] = field(default_factory=dict)

    @staticmethod
    def key(cg: ContainerGroup) -> tuple[str, str]:
        return cg.resource_group.lower(), cg.name.lower()

    def get(self, rg_name: str, name: str) -> ContainerGroup | None:
        return self.groups.get((rg_name.lower(), name.lower()))

    def put(self, cg: ContainerGroup) -> None:
        """Store a new group, or a new version of a stored one (same cores: an update cannot
        change them)."""
        if self.key(cg) not in self.groups:
            self.cores_by_location[cg.location] = (
                self.cores_by_location.get(cg.location, 0.0) + cg.cores
            )
        self.groups[self.key(cg)] = cg
        self.sorted_groups.clear()

    def remove(self, cg: ContainerGroup) -> None:
        del self.groups[self.key(cg)]
        self.sorted_groups.clear()
        self.cores_by_location[cg.location] -= cg.cores

    def in_resource_group(self, rg_key: str) -> list[ContainerGroup]:
        return [cg for key, cg in self.groups.items() if key[0] == rg_key]

    def sorted(self, rg_key: str | None) -> list[ContainerGroup]:
        """The groups of a resource group (None: all) in list order."""
        groups = self.sorted_groups.get(rg_key)
        if groups is None:
            groups = sorted(
                (cg for key, cg in self.groups.items() if rg_key in (None, key[0])),
                key=list_key,
            )
            self.sorted_groups[rg_key] = groups
        return groups
