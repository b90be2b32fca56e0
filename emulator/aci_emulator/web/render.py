"""Records to wire JSON, as ARM returns them: defaults filled in, secrets never echoed."""

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
    if rg.tags:
        body["tags"] = rg.tags
    if rg.managed_by:
        body["managedBy"] = rg.managed_by
    return body


def container_group(cg: ContainerGroup, *, instance_view: bool) -> dict[str, Any]:
    """The group as `get` (with instance view) or `list` (without) returns it."""
    props = copy.deepcopy(cg.properties)
    for container in props["containers"] + props["initContainers"]:
        cprops = container["properties"]
        cprops["environmentVariables"] = [
            _without_secret(e) for e in cprops["environmentVariables"]
        ]
        cprops.setdefault("ports", [])
        state = cg.containers.get(container["name"])
        if instance_view and state is not None and container in props["containers"]:
            view: dict[str, Any] = {
                "restartCount": state.restart_count,
                "currentState": lifecycle.container_state_wire(state),
                "events": [e.to_wire(iso) for e in state.events],
            }
            if state.previous:
                view["previousState"] = state.previous
            cprops["instanceView"] = view
    for credential in props.get("imageRegistryCredentials") or []:
        credential.pop("password", None)
    for volume in props.get("volumes") or []:
        if "azureFile" in volume:
            volume["azureFile"].pop("storageAccountKey", None)
        if "secret" in volume:
            volume["secret"] = {}
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
    if cg.tags:
        body["tags"] = cg.tags
    if cg.identity:
        body["identity"] = cg.identity
    if cg.zones:
        body["zones"] = cg.zones
    return body


def _without_secret(variable: dict[str, str]) -> dict[str, str]:
    if "secureValue" in variable:
        return {"name": variable["name"]}
    return dict(variable)


def container_operation(op: Operation) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": op.target_id,
        "status": op.status,
        "startTime": iso(op.start_time),
        "properties": {"events": []},
    }
    if op.end_time:
        body["endTime"] = iso(op.end_time)
    if op.status in ("Failed", "Canceled") and op.error:
        body["error"] = {"code": op.error[0], "message": op.error[1]}
    return body
