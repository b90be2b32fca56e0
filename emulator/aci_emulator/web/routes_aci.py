"""Microsoft.ContainerInstance, every operation of API 2023-05-01 (and the CLI's 2024-05-01-preview).

Each handler parses the request, calls the backend (`ctx.cloud.aci`) and hands the result to
render_aci, which builds the JSON.
"""

from __future__ import annotations

import functools
import json

from werkzeug import Response

from aci_emulator.backend.aci.store import list_key
from aci_emulator.backend.locations import container_instances_region
from aci_emulator.errors import not_implemented
from aci_emulator.web import api_specs, parse_aci, parse_arm
from aci_emulator.web import render_aci as render
from aci_emulator.web.responses import (
    empty_response,
    json_response,
    json_text_response,
    paged,
    retry_after,
)
from aci_emulator.web.routing import Router

NS = "/providers/Microsoft.ContainerInstance"
CG = "/subscriptions/{sub}/resourcegroups/{rg}" + NS + "/containerGroups/{name}"
WRITE = "Microsoft.ContainerInstance/containerGroups/write"
DELETE = "Microsoft.ContainerInstance/containerGroups/delete"


def register(router: Router) -> None:
    def add(methods: str, template: str, handler, action: str = "") -> None:
        router.add(methods, template, _spec_status(handler), api_versions="aci", action=action)

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


def _spec_status(handler):
    """The handler, its success status taken from the requested version's spec: where the spec
    lists one status for the operation, that one (before 2021-03-01 a start answers 204, then 202;
    SDK 7.0.0's begin_start accepts only 204); where it lists several, the handler's choice."""

    @functools.wraps(handler)
    def answer(ctx, **params) -> Response:
        response = handler(ctx, **params)
        if 200 <= response.status_code < 300:
            status = api_specs.answer_status(
                _api(ctx), ctx.request.method, ctx.request.path, response.status_code
            )
            if status != response.status_code:
                response.status_code = status
                if status == 204:  # a 204 has no body
                    response.set_data(b"")
                    response.headers.remove("Content-Type")
        return response

    return answer


def _api(ctx) -> str | None:
    """The api-version asked for: the answer takes its shape (render_aci, api_specs)."""
    return ctx.request.args.get("api-version")


def _async_headers(ctx, op) -> dict[str, str]:
    return {
        "Azure-AsyncOperation": f"{ctx.base_url}/subscriptions/{ctx.sub.id}{NS}/locations/"
        f"{op.location}/operations/{op.id}?api-version=2018-06-01",
        **retry_after(ctx),
    }


def _list_page(ctx, page: list) -> list:
    """Bring up to date and render only the page asked for (a list may hold thousands)."""
    return [render.container_group(cg, "list", _api(ctx)) for cg in ctx.cloud.aci.advance(page)]


def list_all(ctx, sub: str) -> Response:
    groups = ctx.cloud.aci.list_container_groups(ctx.sub, advance=False)
    page = paged(
        ctx, groups, ctx.config.page_size, lambda items: _list_page(ctx, items), key=list_key
    )
    return json_response(page)


def list_in_group(ctx, sub: str, rg: str) -> Response:
    groups = ctx.cloud.aci.list_container_groups(ctx.sub, rg, advance=False)
    page = paged(
        ctx, groups, ctx.config.page_size, lambda items: _list_page(ctx, items), key=list_key
    )
    return json_response(page)


def get(ctx, sub: str, rg: str, name: str) -> Response:
    cg = ctx.cloud.aci.get_container_group(ctx.sub, rg, name)
    return json_response(render.container_group(cg, "get", _api(ctx)))


def create_or_update(ctx, sub: str, rg: str, name: str) -> Response:
    request = parse_aci.container_group(name, ctx.json(), _api(ctx))
    written: list[str] = []

    def write(cg) -> None:  # the answer, written before the group is stored
        written.append(json.dumps(render.container_group(cg, "create", _api(ctx))))

    cg, created, op = ctx.cloud.aci.create_or_update_container_group(
        ctx.sub, rg, name, request, before_storing=write
    )
    return json_text_response(written[0], 201 if created else 200, _async_headers(ctx, op))


def update(ctx, sub: str, rg: str, name: str) -> Response:
    tags = parse_arm.tags_update(ctx.json())
    cg = ctx.cloud.aci.update_container_group_tags(ctx.sub, rg, name, tags)
    return json_response(render.container_group(cg, "get", _api(ctx)))


def delete(ctx, sub: str, rg: str, name: str) -> Response:
    cg = ctx.cloud.aci.delete_container_group(ctx.sub, rg, name)
    if cg is None:
        return empty_response(204)
    return json_response(render.container_group(cg, "get", _api(ctx)))


def restart(ctx, sub: str, rg: str, name: str) -> Response:
    op = ctx.cloud.aci.restart(ctx.sub, rg, name)
    return empty_response(204, _async_headers(ctx, op))


def stop(ctx, sub: str, rg: str, name: str) -> Response:
    ctx.cloud.aci.stop(ctx.sub, rg, name)
    return empty_response(204)


def start(ctx, sub: str, rg: str, name: str) -> Response:
    op = ctx.cloud.aci.start(ctx.sub, rg, name)
    return empty_response(202, _async_headers(ctx, op))


def logs(ctx, sub: str, rg: str, name: str, container: str) -> Response:
    tail = parse_aci.tail(ctx.request.args.get("tail"))
    lines = ctx.cloud.aci.logs(ctx.sub, rg, name, container, tail)
    with_time = ctx.request.args.get("timestamps", "false").lower() == "true"
    return json_response(render.logs(lines, timestamps=with_time, api_version=_api(ctx)))


def exec_command(ctx, sub: str, rg: str, name: str, container: str) -> Response:
    ctx.cloud.aci.container_exists(ctx.sub, rg, name, container)
    raise not_implemented("containers.execute_command (no terminal exists in the emulator)")


def attach(ctx, sub: str, rg: str, name: str, container: str) -> Response:
    ctx.cloud.aci.container_exists(ctx.sub, rg, name, container)
    raise not_implemented("containers.attach (no terminal exists in the emulator)")


def outbound_endpoints(ctx, sub: str, rg: str, name: str) -> Response:
    ctx.cloud.aci.get_container_group(ctx.sub, rg, name)
    return json_response(render.outbound_endpoints())


def _location(location: str) -> str:
    # Refused as a create in such a region is, naming the locations' type (Azure/acr#406).
    return container_instances_region(location, "Microsoft.ContainerInstance/locations")


def usages(ctx, sub: str, location: str) -> Response:
    region = _location(location)
    used = ctx.cloud.aci.usage(ctx.sub, region)
    return json_response(render.usages(ctx.sub.id, region, used, _api(ctx)))


def capabilities(ctx, sub: str, location: str) -> Response:
    return json_response(render.capabilities(_location(location), _api(ctx)))


def cached_images(ctx, sub: str, location: str) -> Response:
    _location(location)
    return json_response(render.cached_images(_api(ctx)))


def operation_status(ctx, sub: str, location: str, operation: str) -> Response:
    op = ctx.cloud.aci.container_operation(ctx.sub, location, operation)
    # The SDK waits for the Retry-After of the latest poll; without it, 30 s (its default).
    headers = retry_after(ctx) if op.status == "Pending" else {}
    return json_response(render.container_operation(op), 200, headers)


def list_operations(ctx) -> Response:
    return json_response(render.operations_list(_api(ctx)))
