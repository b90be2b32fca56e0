"""What a redeploy of an existing container group may not change (it must be deleted first)."""

from __future__ import annotations

from aci_emulator.backend.aci.models import ContainerGroup, ContainerGroupSpec, LogAnalytics
from aci_emulator.backend.validation import format_number
from aci_emulator.errors import bad_request


def check_secrets_sent_again(spec: ContainerGroupSpec) -> None:
    """An update must send the secrets again, since Azure never returns them: an Azure File
    volume without its key is refused (hashicorp/terraform-provider-azurerm#26631, a tags-only
    re-PUT; Azure/azure-rest-api-specs#29821: the code; the text is our reading). A create
    without one is accepted (no refusal found: our reading)."""
    for volume in spec.volumes:
        if volume.azure_file is not None and not volume.azure_file.storage_account_key:
            raise bad_request(
                "InvalidStorageAccountKey",
                f"The storage account key of the Azure File volume '{volume.name}' is "
                "missing or empty. Azure never returns it: send it again on every update.",
            )


def check_update(existing: ContainerGroup, spec: ContainerGroupSpec, location: str) -> None:
    """What a redeploy may change only by deleting and creating the group again. Azure's newest
    wording names the property and both values (MicrosoftDocs/azure-docs#31168, 2024:
    'RestartPolicy (old "OnFailure", new "Always")'); the other properties' names are their
    .NET names (our reading). A network profile or diagnostics change keeps the older sentence
    that lists the properties (MicrosoftDocs/azure-docs#65195): its values are objects, and
    diagnostics hold a workspace key, which is never quoted."""
    old = existing.spec
    changed = _first_scalar_change(existing, old, spec, location)
    if changed is not None:
        prop, before, after = changed
        raise bad_request(
            "InvalidContainerGroupUpdate",
            f"The updates on container group '{existing.name}' are invalid. If you are going "
            f'to update the {prop} (old "{before}", new "{after}") for a container group, you '
            "must delete it first and then create a new one.",
        )
    # The network profile, as Azure's older message lists it, and diagnostics (adding Log
    # Analytics to a running group: MicrosoftDocs/azure-docs#65195): what they name, not how
    # they were written (an empty object names nothing, as an absent one).
    if _network_profile_id(old) != _network_profile_id(spec) or _log_analytics(
        old
    ) != _log_analytics(spec):
        raise bad_request(
            "InvalidContainerGroupUpdate",
            f"The updates on container group '{existing.name}' are invalid. If you are going "
            "to update the os type, restart policy, network profile, CPU, memory or GPU "
            "resources for a container group, you must delete it first and then create a "
            "new one.",
        )


def _first_scalar_change(
    existing: ContainerGroup, old: ContainerGroupSpec, new: ContainerGroupSpec, location: str
) -> tuple[str, object, object] | None:
    """The first property a redeploy may not change that it does change, with both values, in
    the order of Azure's older message (os type, restart policy, CPU, memory, GPU)."""

    def ip_type(s: ContainerGroupSpec) -> str:
        return s.ip_address.type if s.ip_address else ""

    pairs: list[tuple[str, object, object]] = [
        ("OsType", old.os_type, new.os_type),
        ("RestartPolicy", old.restart_policy, new.restart_policy),
    ]
    before = {c.name: c.requests for c in old.containers}
    for container in new.containers:
        was, now = before.get(container.name), container.requests
        if was is not None and now is not None:
            pairs += [
                ("Cpu", format_number(was.cpu), format_number(now.cpu)),
                ("MemoryInGB", format_number(was.memory_in_gb), format_number(now.memory_in_gb)),
                ("Gpu", _gpu(was.gpu), _gpu(now.gpu)),
            ]
    pairs += [
        ("Sku", old.sku, new.sku),
        ("IpAddressType", ip_type(old), ip_type(new)),
        ("Location", existing.location, location),
    ]
    if sorted(before) != sorted(c.name for c in new.containers):
        # A container added or removed changes the group's resources (our reading: the
        # group's total CPU is named).
        pairs.append(("Cpu", format_number(old.cores), format_number(new.cores)))
    return next(((p, a, b) for p, a, b in pairs if a != b), None)


def _network_profile_id(spec: ContainerGroupSpec) -> object:
    return spec.network_profile.id if spec.network_profile is not None else None


def _log_analytics(spec: ContainerGroupSpec) -> LogAnalytics | None:
    return spec.diagnostics.log_analytics if spec.diagnostics is not None else None


def _gpu(gpu: object) -> str:
    return "" if gpu is None else f"{getattr(gpu, 'count', '')} {getattr(gpu, 'sku', '')}"
