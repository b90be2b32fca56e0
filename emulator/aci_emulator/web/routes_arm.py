"""Azure Resource Manager itself: cloud metadata, subscriptions, providers, resource groups.

Each handler parses the request, calls the backend (`ctx.cloud.resources`, and `ctx.cloud.aci`
for the resources a group holds) and hands the result to render_arm, which builds the JSON.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from werkzeug import Response

from aci_emulator.backend import arm_paths, rules_arm
from aci_emulator.backend.aci.store import list_key
from aci_emulator.backend.resources.service import PROVIDERS
from aci_emulator.backend.resources.validation import check_resource_group_name
from aci_emulator.web import parse_arm
from aci_emulator.web import render_arm as render
from aci_emulator.web.responses import empty_response, json_response, paged, retry_after
from aci_emulator.web.routing import Router

RG = "/subscriptions/{sub}/resourcegroups/{rg}"
RG_WRITE = "Microsoft.Resources/subscriptions/resourceGroups/write"
RG_DELETE = "Microsoft.Resources/subscriptions/resourceGroups/delete"


def register(router: Router) -> None:
    add = router.add
    add("GET", "/metadata/endpoints", metadata, authenticated=False)
    add("GET", "/subscriptions", list_subscriptions, api_versions="resources")
    add("GET", "/tenants", list_tenants, api_versions="resources")
    add("GET", "/subscriptions/{sub}", get_subscription, api_versions="resources")
    add("GET", "/subscriptions/{sub}/providers", list_providers, api_versions="resources")
    add("GET", "/subscriptions/{sub}/providers/{namespace}", get_provider, api_versions="resources")
    add(
        "POST",
        "/subscriptions/{sub}/providers/{namespace}/register",
        register_provider,
        api_versions="resources",
        action="Microsoft.Resources/subscriptions/providers/register/action",
    )
    add(
        "GET", "/subscriptions/{sub}/resourcegroups", list_resource_groups, api_versions="resources"
    )
    add("HEAD", RG, resource_group_exists, api_versions="resources")
    add("GET", RG, get_resource_group, api_versions="resources")
    add("PUT", RG, put_resource_group, api_versions="resources", action=RG_WRITE)
    add("PATCH", RG, patch_resource_group, api_versions="resources", action=RG_WRITE)
    add("DELETE", RG, delete_resource_group, api_versions="resources", action=RG_DELETE)
    add(
        "GET",
        "/subscriptions/{sub}/operationresults/{operation}",
        operation_result,
        api_versions="resources",
    )
    add("GET", f"{RG}/resources", list_resources_in_group, api_versions="resources")
    add("GET", "/subscriptions/{sub}/resources", list_resources, api_versions="resources")
    # Any other ARM path: ARM's own routing answers it (backend/arm_paths.py).
    for template in ("/subscriptions/{rest*}", "/providers/{rest*}"):
        add("*", template, unserved, authenticated=False, fallback=True)


def front_door(ctx, path: str) -> str:
    """What ARM checks of a request before it routes it, in ARM's order: the api-version
    (before any token: MicrosoftDocs/feedback#2279), the token (janeczku/rancher-letsencrypt#89
    and others), then the subscription's form. The api-version as sent, a repeated one joined
    by commas as ASP.NET joins them."""
    version = ",".join(ctx.request.args.getlist("api-version"))
    if not version:
        raise rules_arm.missing_api_version()
    ctx.token = ctx.identity.verify(ctx.request.headers.get("Authorization"))
    rules_arm.check_subscription_segment(path)
    return version


def unserved(ctx, rest: str, method_mismatch: bool = False) -> Response:
    """A path no route serves, after ARM's front door: then the subscription's existence, and
    ARM's own routing's answer."""
    request = ctx.request
    path = re.sub(r"/{2,}", "/", request.path)
    version = front_door(ctx, path)
    found = rules_arm.SUBSCRIPTION_SEGMENT.match(path)
    if found:
        ctx.sub = ctx.cloud.subscription(found.group(1), ctx.token.tenant_id)
    uri = ctx.base_url + request.full_path.rstrip("?")
    raise arm_paths.refusal(request.method, path, version, uri, method_mismatch)


def metadata(ctx) -> Response:
    return json_response(render.metadata(ctx.base_url))


def list_subscriptions(ctx) -> Response:
    return json_response(
        render.subscriptions(ctx.cloud.resources.tenant_subscriptions(ctx.token.tenant_id))
    )


def get_subscription(ctx, sub: str) -> Response:
    return json_response(render.subscription(ctx.sub))


def list_tenants(ctx) -> Response:
    return json_response(render.tenants(ctx.token.tenant_id))


def _provider(ctx, namespace: str) -> dict:
    state = ctx.cloud.resources.provider_state(ctx.sub, namespace)
    return render.provider(ctx.sub.id, namespace, state)


def list_providers(ctx, sub: str) -> Response:
    return json_response(render.providers([_provider(ctx, ns) for ns in PROVIDERS]))


def get_provider(ctx, sub: str, namespace: str) -> Response:
    return json_response(_provider(ctx, namespace))


def register_provider(ctx, sub: str, namespace: str) -> Response:
    ctx.cloud.resources.register_provider(ctx.sub, namespace)
    return json_response(_provider(ctx, namespace))


def _tag_filter(ctx) -> Callable[[dict[str, str] | None], bool]:
    """Which tags a list keeps: all, or those its $filter matches (the rule: TagFilter)."""
    found = parse_arm.tag_filter(ctx.request.args.get("$filter"))
    return found.matches if found is not None else lambda tags: True


def list_resource_groups(ctx, sub: str) -> Response:
    keep = _tag_filter(ctx)
    groups = [rg for rg in ctx.cloud.resources.list_resource_groups(ctx.sub) if keep(rg.tags)]
    return json_response(
        paged(
            ctx,
            groups,
            ctx.config.page_size,
            _render_each(render.resource_group),
            key=lambda rg: rg.name.lower(),
        )
    )


def resource_group_exists(ctx, sub: str, rg: str) -> Response:
    return empty_response(204 if ctx.cloud.resources.resource_group_exists(ctx.sub, rg) else 404)


def get_resource_group(ctx, sub: str, rg: str) -> Response:
    check_resource_group_name(rg)  # before the lookup, as ARM (Azure/azure-cli#14481)
    return json_response(render.resource_group(ctx.cloud.resources.get_resource_group(ctx.sub, rg)))


def put_resource_group(ctx, sub: str, rg: str) -> Response:
    request = parse_arm.resource_group(rg, ctx.json())
    group, created = ctx.cloud.resources.create_or_update_resource_group(ctx.sub, rg, request)
    return json_response(render.resource_group(group), 201 if created else 200)


def patch_resource_group(ctx, sub: str, rg: str) -> Response:
    check_resource_group_name(rg)  # before the lookup, as ARM (Azure/azure-cli#14481)
    update = parse_arm.resource_group_update(ctx.json())
    group = ctx.cloud.resources.update_resource_group(ctx.sub, rg, update)
    return json_response(render.resource_group(group))


def _operation_headers(ctx, operation_id: str) -> dict[str, str]:
    version = ctx.request.args.get("api-version")
    return {
        "Location": f"{ctx.base_url}/subscriptions/{ctx.sub.id}/operationresults/"
        f"{operation_id}?api-version={version}",
        **retry_after(ctx),
    }


def delete_resource_group(ctx, sub: str, rg: str) -> Response:
    check_resource_group_name(rg)  # before the lookup, as ARM (Azure/azure-cli#14481)
    op = ctx.cloud.resources.delete_resource_group(ctx.sub, rg)
    return empty_response(202, _operation_headers(ctx, op.id))


def operation_result(ctx, sub: str, operation: str) -> Response:
    op = ctx.cloud.resources.delete_operation(operation)
    if op.status == "Pending":
        return empty_response(202, _operation_headers(ctx, op.id))
    return empty_response(200)


def _render_each(render_one):
    return lambda items: [render_one(item) for item in items]


def list_resources_in_group(ctx, sub: str, rg: str) -> Response:
    keep = _tag_filter(ctx)
    groups = [cg for cg in ctx.cloud.aci.list_container_groups(ctx.sub, rg) if keep(cg.tags)]
    page = paged(
        ctx, groups, ctx.config.page_size, _render_each(render.generic_resource), key=list_key
    )
    return json_response(page)


def list_resources(ctx, sub: str) -> Response:
    keep = _tag_filter(ctx)
    groups = [cg for cg in ctx.cloud.aci.list_container_groups(ctx.sub) if keep(cg.tags)]
    page = paged(
        ctx, groups, ctx.config.page_size, _render_each(render.generic_resource), key=list_key
    )
    return json_response(page)
