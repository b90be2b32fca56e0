"""Records to wire JSON, as ARM returns them: defaults filled in, secrets never echoed.

The shapes follow recorded live traffic (tests/fidelity replays it): `tags` come back as sent,
`{}` included; optional properties appear only when Azure returns them.
"""

from __future__ import annotations

import copy
from typing import Any

from aci_emulator.backend import lifecycle
from aci_emulator.backend.models import ContainerGroup, Operation, ResourceGroup
from aci_emulator.clock import iso


def resource_group(rg: ResourceGroup) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": f"/subscriptions/{rg.subscription_id}/resourceGroups/{rg.name}",
        "name": rg.name,
        "type": "Microsoft.Resources/resourceGroups",
        "location": rg.location,
        "properties": {"provisioningState": rg.state},
    }
    if rg.tags is not None:
        body["tags"] = rg.tags
    if rg.managed_by:
        body["managedBy"] = rg.managed_by
    return body


def container_group(
    cg: ContainerGroup, *, instance_view: bool, container_views: bool = True
) -> dict[str, Any]:
    """The group as `get` (with instance view) or `list` (without) returns it.

    The answer to a create has the group's instance view but none per container
    (`container_views=False`), as recorded.
    """
    props = copy.deepcopy(cg.properties)
    hide_secrets(props)
    for container in props["containers"] + props["initContainers"]:
        cprops = container["properties"]
        cprops.setdefault("ports", [])
        state = cg.containers.get(container["name"])
        if (
            instance_view
            and container_views
            and state is not None
            and container in props["containers"]
        ):
            view: dict[str, Any] = {
                "restartCount": state.restart_count,
                "currentState": lifecycle.container_state_wire(state),
            }
            if state.previous:
                view["previousState"] = state.previous
            if state.events:  # Azure leaves the key out while there are none
                view["events"] = [e.to_wire(iso) for e in state.events]
            cprops["instanceView"] = view
    if props.get("ipAddress"):
        ip = props["ipAddress"]
        if cg.ip:
            ip["ip"] = cg.ip
        if ip.get("dnsNameLabel"):
            ip["fqdn"] = f"{ip['dnsNameLabel']}.{cg.location}.azurecontainer.io"
    props["provisioningState"] = cg.provisioning_state
    props["provisioningTimeoutInSeconds"] = 1800
    props["isCustomProvisioningTimeout"] = False
    if instance_view:
        props["instanceView"] = {
            "events": [e.to_wire(iso) for e in cg.group_events],
            "state": lifecycle.group_state(cg),
        }
    body: dict[str, Any] = {
        "id": cg.resource_id,
        "name": cg.name,
        "type": "Microsoft.ContainerInstance/containerGroups",
        "location": cg.location,
        "properties": props,
    }
    if cg.tags is not None:
        body["tags"] = cg.tags
    if cg.identity:
        body["identity"] = cg.identity
    if cg.zones:
        body["zones"] = cg.zones
    return body


def _pop(obj: Any, name: str) -> None:
    """Remove a property whatever its casing: Azure reads property names case-insensitively."""
    if isinstance(obj, dict):
        for key in [k for k in obj if isinstance(k, str) and k.lower() == name.lower()]:
            del obj[key]


def _get(obj: Any, name: str) -> Any:
    if isinstance(obj, dict):
        for key, value in obj.items():
            if isinstance(key, str) and key.lower() == name.lower():
                return value
    return None


def _items(obj: Any, name: str) -> list[Any]:
    value = _get(obj, name)
    return value if isinstance(value, list) else []


def hide_secrets(props: dict[str, Any]) -> None:
    """Drop every secret Azure never returns, whatever the casing of its name (in place).

    An environment variable's `secureValue` (the name stays), a registry `password`, an Azure
    Files `storageAccountKey`, a secret volume's contents (`"secret": {}`), the Log Analytics
    `workspaceKey` and an extension's `protectedSettings`.
    """
    for container in _items(props, "containers") + _items(props, "initContainers"):
        for variable in _items(_get(container, "properties"), "environmentVariables"):
            _pop(variable, "secureValue")
    for credential in _items(props, "imageRegistryCredentials"):
        _pop(credential, "password")
    for volume in _items(props, "volumes"):
        _pop(_get(volume, "azureFile"), "storageAccountKey")
        for key in [k for k in volume if isinstance(k, str) and k.lower() == "secret"]:
            volume[key] = {}
    _pop(_get(_get(props, "diagnostics"), "logAnalytics"), "workspaceKey")
    for extension in _items(props, "extensions"):
        _pop(_get(extension, "properties"), "protectedSettings")


def container_operation(op: Operation) -> dict[str, Any]:
    """The async-operation status: Azure sends no `endTime`, and `properties.events` holds the
    containers' events once the operation has finished (empty while it is Pending)."""
    done = op.status != "Pending"
    body: dict[str, Any] = {
        "id": op.target_id,
        "status": op.status,
        "startTime": iso(op.start_time),
        "properties": {"events": [e.to_wire(iso) for e in op.events] if done else []},
    }
    if op.status in ("Failed", "Canceled") and op.error:
        body["error"] = {"code": op.error[0], "message": op.error[1]}
    return body
