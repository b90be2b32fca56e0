"""Microsoft.ContainerInstance's answers as wire JSON: the only place that builds them.

The shapes follow recorded live traffic (tests/fidelity replays it): `tags` come back as sent,
`{}` included; optional properties appear only when Azure returns them; secrets never.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

from aci_emulator.backend.aci import lifecycle
from aci_emulator.backend.aci.models import (
    CG_TYPE,
    Container,
    ContainerGroup,
    ContainerState,
    Event,
    Identity,
    IpAddress,
    Port,
    RunSnapshot,
)
from aci_emulator.backend.aci.quota import MAX_CPU_PER_GROUP, MAX_MEMORY_PER_GROUP, RegionUsage
from aci_emulator.backend.locations import REGIONS
from aci_emulator.backend.operations import Operation
from aci_emulator.clock import iso
from aci_emulator.web import api_specs

NS = "/providers/Microsoft.ContainerInstance"

# get: with the instance view; list: without; create: the answer to a PUT, which has the
# group's instance view but none per container, and no IP address yet (as recorded).
View = Literal["get", "list", "create"]


# What Azure returned beyond the spec that shapes an answer, by that spec's version. Recorded:
# every Azure CLI container recording at 2023-05-01 (May 2023) has both timeouts, which its spec
# does not define; at 2021-09-01 Azure returned neither (test_container_create_with_msi, February
# 2023); at 2024-05-01-preview Azure returned both and a registry credential's
# `isDelegatedIdentity` (test_container_create_with_acr, October 2024).
TIMEOUTS = frozenset(
    {"properties.provisioningTimeoutInSeconds", "properties.isCustomProvisioningTimeout"}
)
RETURNED_BEYOND_SPEC: dict[str, frozenset[str]] = {
    "2023-05-01": TIMEOUTS,
    "2024-05-01-preview": TIMEOUTS | {"properties.imageRegistryCredentials.isDelegatedIdentity"},
}


def container_group(cg: ContainerGroup, view: View, api_version: str | None) -> dict[str, Any]:
    """The group as the requested api-version's spec shapes it (see api_specs)."""
    return _shaped(_container_group(cg, view), "ContainerGroup", api_version)


def _shaped(body: Any, definition: str, api_version: str | None) -> Any:
    """The body as the requested version's spec defines `definition` (see api_specs)."""
    shape = api_specs.for_version(api_version)
    if shape is None or definition not in shape.definitions:
        return body
    beyond = RETURNED_BEYOND_SPEC.get(shape.version, frozenset())
    return shape.prune(body, shape.definition(definition), beyond)


def _container_group(cg: ContainerGroup, view: View) -> dict[str, Any]:
    spec = cg.spec
    props: dict[str, Any] = copy.deepcopy(spec.as_sent)
    props["sku"] = spec.sku
    props["containers"] = [
        _container(c, cg.containers.get(c.name) if view == "get" else None) for c in spec.containers
    ]
    props["initContainers"] = [
        _container(c, cg.containers.get(lifecycle.init_key(c.name)) if view == "get" else None)
        for c in spec.init_containers
    ]
    if spec.restart_policy_sent:
        props["restartPolicy"] = spec.restart_policy
    props["osType"] = spec.os_type
    if spec.priority is not None:
        props["priority"] = spec.priority
    if spec.cce_policy is not None:
        confidential = dict(props.get("confidentialComputeProperties") or {})
        confidential["ccePolicy"] = spec.cce_policy
        props["confidentialComputeProperties"] = confidential
    # A private address is the subnet's to give: the answer to the PUT has no `ipAddress` at all
    # until it is assigned (recorded: Azure CLI test_container_create_with_vnet, 2021-09-01).
    private = spec.ip_address is not None and str(spec.ip_address.type).lower() == "private"
    if spec.ip_address is not None and not (private and view == "create"):
        props["ipAddress"] = _ip_address(spec.ip_address, cg, with_ip=view != "create")
    hide_secrets(props)
    for credential in _every(props, "imageRegistryCredentials"):
        # Recorded false for a username and password (test_container_create_with_acr); kept
        # only where a version returns it (RETURNED_BEYOND_SPEC). Our reading: false for all.
        if isinstance(credential, dict):
            credential["isDelegatedIdentity"] = False
    props["provisioningState"] = cg.provisioning_state
    # Read-only from 2024-05-01-preview (pruned where the spec lacks it): `false` for a group that
    # came from no standby pool, recorded (Azure CLI test_container_create_with_acr, 2024) and in
    # the REST spec's 2025-09-01 examples (ContainerGroupsUpdate, ContainerGroupsDelete, ...).
    props["isCreatedFromStandbyPool"] = False
    props["provisioningTimeoutInSeconds"] = 1800
    props["isCustomProvisioningTimeout"] = False
    if view != "list":
        props["instanceView"] = {
            "events": _events(cg.group_events),
            "state": lifecycle.group_state(cg),
        }
    body: dict[str, Any] = {
        "id": cg.resource_id,
        "name": cg.name,
        "type": CG_TYPE,
        "location": cg.location,
        "properties": props,
    }
    if cg.tags is not None:
        body["tags"] = cg.tags
    if cg.identity:
        body["identity"] = _identity(cg.identity)
    if cg.zones:
        body["zones"] = cg.zones
    return body


def _identity(identity: Identity) -> dict[str, Any]:
    """As sent, with the ids Azure fills in (read-only in the spec: ContainerGroupIdentity's
    principalId and tenantId, UserAssignedIdentities' principalId and clientId)."""
    wire: dict[str, Any] = copy.deepcopy(identity.as_sent)
    if identity.system_assigned is not None:
        wire["principalId"] = identity.system_assigned.principal_id
    if identity.tenant_id is not None:
        wire["tenantId"] = identity.tenant_id
    if identity.user_assigned_ids:
        wire["userAssignedIdentities"] = {
            rid: {"principalId": ids.principal_id, "clientId": ids.client_id}
            for rid, ids in identity.user_assigned_ids.items()
        }
    return wire


def _container(container: Container, state: ContainerState | None) -> dict[str, Any]:
    """A container or an init container (the spec leaves out what an init container lacks,
    such as `ports`)."""
    props: dict[str, Any] = copy.deepcopy(container.as_sent)
    props["image"] = container.image
    if container.command is not None:
        props["command"] = list(container.command)
    props["ports"] = [_port(p) for p in container.ports]
    props["environmentVariables"] = [
        {"name": e.name, "value": e.value} if e.value is not None else {"name": e.name}
        for e in container.environment_variables
    ]
    if state is not None:
        instance_view: dict[str, Any] = {
            "restartCount": state.restart_count,
            "currentState": _run_state(state.snapshot()),
        }
        if state.previous:
            instance_view["previousState"] = _run_state(state.previous)
        if state.events:  # Azure leaves the key out while there are none
            instance_view["events"] = _events(state.events)
        props["instanceView"] = instance_view
    return {"name": container.name, "properties": props}


def _port(port: Port) -> dict[str, Any]:
    return (
        {"port": port.port}
        if port.protocol is None
        else {"port": port.port, "protocol": port.protocol}
    )


def _ip_address(ip: IpAddress, cg: ContainerGroup, *, with_ip: bool) -> dict[str, Any]:
    wire: dict[str, Any] = copy.deepcopy(ip.as_sent)
    wire["ports"] = [_port(p) for p in ip.ports]
    wire["type"] = ip.type
    if ip.dns_name_label is not None:
        wire["dnsNameLabel"] = ip.dns_name_label
        wire["autoGeneratedDomainNameLabelScope"] = ip.dns_name_label_scope
    if cg.ip:
        wire["ip"] = cg.ip
    if not with_ip:
        wire.pop("ip", None)
    if ip.dns_name_label:
        wire["fqdn"] = f"{ip.dns_name_label}.{cg.location}.azurecontainer.io"
    return wire


def _run_state(run: RunSnapshot) -> dict[str, Any]:
    wire: dict[str, Any] = {"state": run.state, "detailStatus": run.detail}
    if run.start_time:
        wire["startTime"] = iso(run.start_time)
    if run.finish_time:
        wire["finishTime"] = iso(run.finish_time)
    if run.exit_code is not None:
        wire["exitCode"] = run.exit_code
    return wire


def _events(events: Iterable[Event]) -> list[dict[str, Any]]:
    return [
        {
            "count": e.count,
            "firstTimestamp": iso(e.first),
            "lastTimestamp": iso(e.last),
            "name": e.name,
            "message": e.message,
            "type": e.type,
        }
        for e in events
    ]


def _pop(obj: Any, name: str) -> None:
    """Remove a property whatever its casing: Azure reads property names case-insensitively."""
    if isinstance(obj, dict):
        for key in [k for k in obj if isinstance(k, str) and k.lower() == name.lower()]:
            del obj[key]


def hide_secrets(props: dict[str, Any]) -> None:
    """Drop every secret Azure never returns, whatever the casing of its name (in place).

    An environment variable's `secureValue` (the name stays), a registry `password`, an Azure
    Files `storageAccountKey`, a secret volume's contents (`"secret": {}`), the Log Analytics
    `workspaceKey` and an extension's `protectedSettings`. Bodies never hold one property under
    two casings (web/body.py refuses them); every spelling of a parent is visited all the same.
    """
    for container in _every(props, "containers") + _every(props, "initContainers"):
        for variable in _every(_every(container, "properties"), "environmentVariables"):
            _pop(variable, "secureValue")
    for credential in _every(props, "imageRegistryCredentials"):
        _pop(credential, "password")
    for volume in _every(props, "volumes"):
        for share in _every(volume, "azureFile"):
            _pop(share, "storageAccountKey")
        for key in [k for k in volume if isinstance(k, str) and k.lower() == "secret"]:
            if isinstance(volume, dict):
                volume[key] = {}
    for log_analytics in _every(_every(props, "diagnostics"), "logAnalytics"):
        _pop(log_analytics, "workspaceKey")
    for extension in _every(props, "extensions"):
        for settings in _every(extension, "properties"):
            _pop(settings, "protectedSettings")


def _every(parents: Any, name: str) -> list[Any]:
    """The values of `name`, in every casing, in each of `parents` (an object or a list of
    them); a list value contributes its items."""
    found: list[Any] = []
    for parent in parents if isinstance(parents, list) else [parents]:
        if not isinstance(parent, dict):
            continue
        for key, value in parent.items():
            if isinstance(key, str) and key.lower() == name.lower():
                found.extend(value if isinstance(value, list) else [value])
    return found


def container_operation(op: Operation) -> dict[str, Any]:
    """The async-operation status: Azure sends no `endTime`, and `properties.events` holds the
    containers' events once the operation has finished (empty while it is Pending)."""
    done = op.status != "Pending"
    body: dict[str, Any] = {
        "id": op.target_id,
        "status": op.status,
        "startTime": iso(op.start_time),
        "properties": {"events": _events(op.events) if done else []},
    }
    if op.status in ("Failed", "Canceled") and op.error:
        body["error"] = {"code": op.error[0], "message": op.error[1]}
    return body


def logs(
    lines: list[tuple[datetime, str]], *, timestamps: bool, api_version: str | None
) -> dict[str, Any]:
    """A container's log: its lines, each after its moment when asked; null when empty."""
    text = "".join(
        (f"{iso(moment)[:-1]}0000Z {line}\n" if timestamps else f"{line}\n")
        for moment, line in lines
    )
    return _shaped({"content": text or None}, "Logs", api_version)


def usages(
    sub_id: str, location: str, used: RegionUsage, api_version: str | None
) -> dict[str, Any]:
    # Each quota as Azure names it: its name, its display name, in use, its limit.
    quotas = [
        ("ContainerGroups", "Container Groups", used.container_groups, used.container_group_limit),
        ("StandardCores", "Standard Cores", used.cores, used.core_limit),
    ]
    value = [
        {
            "id": f"/subscriptions/{sub_id}{NS}/locations/{location}/usages/{key}",
            "unit": "Count",
            "currentValue": _count(current),
            "limit": _count(limit),
            "name": {"value": key, "localizedValue": label},
        }
        for key, label, current, limit in quotas
    ]
    return _shaped({"value": value}, "UsageListResult", api_version)


def _count(value: float) -> int | float:
    """A whole number as an integer (as recorded: "currentValue": 1), a fraction as it is."""
    return int(value) if float(value).is_integer() else value


def capabilities(location: str, api_version: str | None) -> dict[str, Any]:
    value = [
        {
            "resourceType": "containerGroups",
            "osType": os_type,
            "location": REGIONS[location],
            "ipAddressType": ip_type,
            "gpu": "None",
            "capabilities": {
                "maxMemoryInGB": MAX_MEMORY_PER_GROUP,
                "maxCpu": MAX_CPU_PER_GROUP,
                "maxGpuCount": 0.0,
            },
        }
        for os_type in ("Linux", "Windows")
        for ip_type in ("Public", "Private")
    ]
    return _shaped({"value": value}, "CapabilitiesListResult", api_version)


def outbound_endpoints() -> list[str]:
    """A container group's network dependencies: "always an empty list" (the REST spec)."""
    return []


def cached_images(api_version: str | None) -> dict[str, Any]:
    value = [
        {"osType": "Windows", "image": "mcr.microsoft.com/windows/servercore:ltsc2022"},
        {"osType": "Windows", "image": "mcr.microsoft.com/windows/nanoserver:ltsc2022"},
        {"osType": "Linux", "image": "mcr.microsoft.com/azuredocs/aci-helloworld:latest"},
    ]
    return _shaped({"value": value}, "CachedImagesListResult", api_version)


OPERATIONS = [
    ("containerGroups/read", "Container Group", "Get Container Group", "Get all container groups."),
    (
        "containerGroups/write",
        "Container Group",
        "Create or Update Container Group",
        "Create or update a specific container group.",
    ),
    (
        "containerGroups/delete",
        "Container Group",
        "Delete Container Group",
        "Delete the specific container group.",
    ),
    (
        "containerGroups/restart/action",
        "Container Group",
        "Restart Container Group",
        "Restarts a specific container group.",
    ),
    (
        "containerGroups/stop/action",
        "Container Group",
        "Stop Container Group",
        "Stops a specific container group.",
    ),
    (
        "containerGroups/start/action",
        "Container Group",
        "Start Container Group",
        "Starts a specific container group.",
    ),
    (
        "containerGroups/containers/logs/read",
        "Container Logs",
        "Get Container Logs",
        "Get the logs for a specific container.",
    ),
    (
        "containerGroups/containers/exec/action",
        "Container",
        "Container Exec",
        "Exec into a specific container.",
    ),
    (
        "containerGroups/containers/attach/action",
        "Container",
        "Container Attach",
        "Attach to the output stream of a container.",
    ),
    ("locations/usages/read", "Usage", "Get Usage", "Get the usage for a specific location."),
    (
        "locations/capabilities/read",
        "Capabilities",
        "Get Capabilities",
        "Get the capabilities for a specific location.",
    ),
    (
        "locations/cachedImages/read",
        "Cached Images",
        "Get Cached Images",
        "Gets the cached images for the platform in a specific region.",
    ),
    (
        "operations/read",
        "Operations",
        "List Operations",
        "List the operations for Azure Container Instance service.",
    ),
]


def operations_list(api_version: str | None) -> dict[str, Any]:
    """What Microsoft.ContainerInstance/operations lists: the provider's actions."""
    value = [
        {
            "name": f"Microsoft.ContainerInstance/{name}",
            "display": {
                "provider": "Microsoft Container Instance",
                "resource": resource,
                "operation": operation,
                "description": description,
            },
            "origin": "User",
        }
        for name, resource, operation, description in OPERATIONS
    ]
    return _shaped({"value": value}, "OperationListResult", api_version)
