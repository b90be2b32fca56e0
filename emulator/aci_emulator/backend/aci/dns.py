"""DNS name labels: one container group per label and region, as in Azure's DNS zone."""

from __future__ import annotations

from aci_emulator.backend.aci.models import ContainerGroup
from aci_emulator.errors import bad_request


class DnsLabels:
    def __init__(self) -> None:
        self._owners: dict[tuple[str, str], str] = {}  # (location, label) -> resource id (lower)

    def check_free(self, location: str, label: str, group: str, resource_id: str) -> None:
        owner = self._owners.get((location, label))
        if owner is not None and owner != resource_id.lower():
            raise bad_request(
                "DnsNameLabelAlreadyTaken",
                f"The DNS name label '{label}' in container group '{group}' is not "
                "available. Try using a different label.",
            )

    def claim(self, cg: ContainerGroup) -> None:
        label = _label(cg)
        if label:
            self._owners[(cg.location, label)] = cg.resource_id.lower()

    def release(self, cg: ContainerGroup) -> None:
        label = _label(cg)
        if label and self._owners.get((cg.location, label)) == cg.resource_id.lower():
            del self._owners[(cg.location, label)]


def _label(cg: ContainerGroup) -> str | None:
    return cg.spec.ip_address.dns_name_label if cg.spec.ip_address else None
