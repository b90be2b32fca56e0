"""Microsoft.ContainerInstance, every operation of API 2023-05-01 (and the CLI's 2024-05-01-preview)."""

from __future__ import annotations

from werkzeug import Response

from aci_emulator.backend.locations import REGIONS, normalize_location
from aci_emulator.clock import iso
from aci_emulator.errors import ArmError, not_implemented
from aci_emulator.web import render
from aci_emulator.web.responses import empty_response, json_response, paged, retry_after
from aci_emulator.web.routing import Router

NS = "/providers/Microsoft.ContainerInstance"
CG = "/subscriptions/{sub}/resourcegroups/{rg}" + NS + "/containerGroups/{name}"
WRITE = "Microsoft.ContainerInstance/containerGroups/write"
DELETE = "Microsoft.ContainerInstance/containerGroups/delete"


def register(router: Router) -> None:
    def add(methods: str, template: str, handler, action: str = "") -> None:
        router.add(methods, template, handler, api_versions="aci", action=action)

    add("GET", NS + "/operations", list_operations)
    add("GET", "/subscriptions/{sub}" + NS + "/containerGroups", list_all)
    add("GET", "/subscriptions/{sub}/resourcegroups/{rg}" + NS + "/containerGroups", list_in_group)
    add("GET", CG, get)
    add("PUT", CG, create_or_update, WRITE)
    add("PATCH", CG, update, WRITE)
    add("DELETE", CG, delete, DELETE)
    add(
        "POST",
        CG + "/restart",
        restart,
        "Microsoft.ContainerInstance/containerGroups/restart/action",
    )
    add("POST", CG + "/stop", stop, "Microsoft.ContainerInstance/containerGroups/stop/action")
    add("POST", CG + "/start", start, "Microsoft.ContainerInstance/containerGroups/start/action")
    add("GET", CG + "/containers/{container}/logs", logs)
    add(
        "POST",
        CG + "/containers/{container}/exec",
        exec_command,
        "Microsoft.ContainerInstance/containerGroups/containers/exec/action",
    )
    add(
        "POST",
        CG + "/containers/{container}/attach",
        attach,
        "Microsoft.ContainerInstance/containerGroups/containers/attach/action",
    )
    add("GET", CG + "/outboundNetworkDependenciesEndpoints", outbound_endpoints)
    loc = "/subscriptions/{sub}" + NS + "/locations/{location}"
    add("GET", loc + "/usages", usages)
    add("GET", loc + "/capabilities", capabilities)
    add("GET", loc + "/cachedImages", cached_images)
    add("GET", loc + "/operations/{operation}", operation_status)


def _async_headers(ctx, op) -> dict[str, str]:
    return {
        "Azure-AsyncOperation": f"{ctx.base_url}/subscriptions/{ctx.sub.id}{NS}/locations/"
        f"{op.location}/operations/{op.id}?api-version=2018-06-01",
        **retry_after(ctx),
    }


def _list_page(ctx, page: list) -> list:
    """Bring up to date and render only the page asked for (a list may hold thousands)."""
    return [render.container_group(cg, instance_view=False) for cg in ctx.cloud.advance(page)]


def list_all(ctx, sub: str) -> Response:
    groups = ctx.cloud.list_container_groups(ctx.sub, advance=False)
    page = paged(ctx, groups, ctx.config.page_size, lambda items: _list_page(ctx, items))
    return json_response(page)


def list_in_group(ctx, sub: str, rg: str) -> Response:
    groups = ctx.cloud.list_container_groups(ctx.sub, rg, advance=False)
    page = paged(ctx, groups, ctx.config.page_size, lambda items: _list_page(ctx, items))
    return json_response(page)


def get(ctx, sub: str, rg: str, name: str) -> Response:
    cg = ctx.cloud.get_container_group(ctx.sub, rg, name)
    return json_response(render.container_group(cg, instance_view=True))


def create_or_update(ctx, sub: str, rg: str, name: str) -> Response:
    cg, created, op = ctx.cloud.create_or_update_container_group(
        ctx.sub, rg, name, ctx.json(), ctx.request.args.get("api-version")
    )
    body = render.container_group(cg, instance_view=True, container_views=False)
    body["properties"].get("ipAddress", {}).pop("ip", None)  # Azure's 201 body has no IP yet
    return json_response(body, 201 if created else 200, _async_headers(ctx, op))


def update(ctx, sub: str, rg: str, name: str) -> Response:
    cg = ctx.cloud.update_container_group_tags(ctx.sub, rg, name, ctx.json())
    return json_response(render.container_group(cg, instance_view=True))


def delete(ctx, sub: str, rg: str, name: str) -> Response:
    cg = ctx.cloud.delete_container_group(ctx.sub, rg, name)
    if cg is None:
        return empty_response(204)
    return json_response(render.container_group(cg, instance_view=True))


def restart(ctx, sub: str, rg: str, name: str) -> Response:
    op = ctx.cloud.restart(ctx.sub, rg, name)
    return empty_response(204, _async_headers(ctx, op))


def stop(ctx, sub: str, rg: str, name: str) -> Response:
    ctx.cloud.stop(ctx.sub, rg, name)
    return empty_response(204)


def start(ctx, sub: str, rg: str, name: str) -> Response:
    op = ctx.cloud.start(ctx.sub, rg, name)
    return empty_response(202, _async_headers(ctx, op))


def logs(ctx, sub: str, rg: str, name: str, container: str) -> Response:
    lines = ctx.cloud.logs(ctx.sub, rg, name, container)
    tail = ctx.request.args.get("tail")
    if tail is not None:
        try:
            count = int(tail)
        except ValueError as err:
            raise ArmError(
                400,
                "InvalidRequestParameter",
                f"The value '{tail}' of query parameter 'tail' is not an integer.",
            ) from err
        lines = lines[-count:] if count > 0 else []
    with_time = ctx.request.args.get("timestamps", "false").lower() == "true"
    text = "".join(
        (f"{iso(moment)[:-1]}0000Z {line}\n" if with_time else f"{line}\n")
        for moment, line in lines
    )
    return json_response({"content": text or None})


def exec_command(ctx, sub: str, rg: str, name: str, container: str) -> Response:
    ctx.cloud.container_exists(ctx.sub, rg, name, container)
    raise not_implemented("containers.execute_command (no terminal exists in the emulator)")


def attach(ctx, sub: str, rg: str, name: str, container: str) -> Response:
    ctx.cloud.container_exists(ctx.sub, rg, name, container)
    raise not_implemented("containers.attach (no terminal exists in the emulator)")


def outbound_endpoints(ctx, sub: str, rg: str, name: str) -> Response:
    ctx.cloud.get_container_group(ctx.sub, rg, name)
    return json_response([])


def _location(location: str) -> str:
    normalized = normalize_location(location)
    if normalized is None:  # worded as for a create in such a region (Azure/acr#406)
        raise ArmError(
            400,
            "LocationNotAvailableForResourceType",
            f"The provided location '{location}' is not available for resource type "
            "'Microsoft.ContainerInstance/locations'. List of available regions for the resource "
            f"type is '{','.join(REGIONS)}'.",
        )
    return normalized


def usages(ctx, sub: str, location: str) -> Response:
    used = ctx.cloud.usage(ctx.sub, _location(location))
    limits = {
        "ContainerGroups": (100, "Container Groups"),
        "StandardCores": (ctx.config.quota_cores, "Standard Cores"),
    }
    value = [
        {
            "id": f"/subscriptions/{ctx.sub.id}{NS}/locations/{_location(location)}/usages/{key}",
            "unit": "Count",
            "currentValue": int(used[key]) if float(used[key]).is_integer() else used[key],
            "limit": int(limit) if float(limit).is_integer() else limit,
            "name": {"value": key, "localizedValue": label},
        }
        for key, (limit, label) in limits.items()
    ]
    return json_response({"value": value})


def capabilities(ctx, sub: str, location: str) -> Response:
    region = REGIONS[_location(location)]
    value = [
        {
            "resourceType": "containerGroups",
            "osType": os_type,
            "location": region,
            "ipAddressType": ip_type,
            "gpu": "None",
            "capabilities": {"maxMemoryInGB": 16.0, "maxCpu": 4.0, "maxGpuCount": 0.0},
        }
        for os_type in ("Linux", "Windows")
        for ip_type in ("Public", "Private")
    ]
    return json_response({"value": value})


def cached_images(ctx, sub: str, location: str) -> Response:
    _location(location)
    value = [
        {"osType": "Windows", "image": "mcr.microsoft.com/windows/servercore:ltsc2022"},
        {"osType": "Windows", "image": "mcr.microsoft.com/windows/nanoserver:ltsc2022"},
        {"osType": "Linux", "image": "mcr.microsoft.com/azuredocs/aci-helloworld:latest"},
    ]
    return json_response({"value": value})


def operation_status(ctx, sub: str, location: str, operation: str) -> Response:
    op = ctx.cloud.container_operation(ctx.sub, location, operation)
    # The SDK waits for the Retry-After of the latest poll; without it, 30 s (its default).
    headers = retry_after(ctx) if op.status == "Pending" else {}
    return json_response(render.container_operation(op), 200, headers)


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


def list_operations(ctx) -> Response:
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
    return json_response({"value": value})
