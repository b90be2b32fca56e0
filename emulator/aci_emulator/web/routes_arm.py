"""Azure Resource Manager itself: cloud metadata, subscriptions, providers, resource groups."""

from __future__ import annotations

import re

from werkzeug import Response

from aci_emulator.backend.cloud import ACI
from aci_emulator.backend.locations import REGIONS
from aci_emulator.errors import ArmError
from aci_emulator.web import render
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


def metadata(ctx) -> Response:
    base = ctx.base_url
    return json_response(
        {
            "name": "AzureLocalEmulator",
            "portal": base,
            "resourceManager": f"{base}/",
            "authentication": {
                "loginEndpoint": base,
                "audiences": [
                    "https://management.core.windows.net/",
                    "https://management.azure.com/",
                ],
                "tenant": "common",
                "identityProvider": "AAD",
            },
            "media": base,
            "graphAudience": "https://graph.windows.net/",
            "graph": "https://graph.windows.net/",
            "microsoftGraphResourceId": "https://graph.microsoft.com/",
            "gallery": base,
            "batch": "https://batch.core.windows.net/",
            "sqlManagement": "https://management.core.windows.net:8443/",
            "vmImageAliasDoc": f"{base}/vmImageAliasDoc",
            "suffixes": {
                "acrLoginServer": "azurecr.io",
                "keyVaultDns": "vault.azure.net",
                "storage": "core.windows.net",
                "sqlServerHostname": "database.windows.net",
                "azureDataLakeStoreFileSystem": "azuredatalakestore.net",
                "azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
            },
        }
    )


def _subscription_body(sub) -> dict:
    return {
        "id": f"/subscriptions/{sub.id}",
        "subscriptionId": sub.id,
        "tenantId": sub.tenant_id,
        "displayName": sub.display_name,
        "state": "Enabled",
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off",
        },
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
    }


def list_subscriptions(ctx) -> Response:
    subs = ctx.cloud.tenant_subscriptions(ctx.token.tenant_id)
    return json_response(
        {
            "value": [_subscription_body(s) for s in subs],
            "count": {"type": "Total", "value": len(subs)},
        }
    )


def get_subscription(ctx, sub: str) -> Response:
    return json_response(_subscription_body(ctx.sub))


def list_tenants(ctx) -> Response:
    tenant = ctx.token.tenant_id
    return json_response(
        {
            "value": [
                {
                    "id": f"/tenants/{tenant}",
                    "tenantId": tenant,
                    "tenantCategory": "Home",
                    "displayName": "Local emulator directory",
                    "defaultDomain": "emulator.localhost",
                    "domains": ["emulator.localhost"],
                    "tenantType": "AAD",
                }
            ]
        }
    )


def _provider_body(ctx, namespace: str) -> dict:
    state = ctx.cloud.provider_state(ctx.sub, namespace)
    canonical = ACI if namespace.lower() == ACI.lower() else namespace
    types = []
    if canonical == ACI:
        locations = list(REGIONS.values())
        types = [
            {
                "resourceType": t,
                "locations": locations,
                "apiVersions": ["2024-05-01-preview", "2023-05-01", "2022-09-01", "2021-10-01"],
            }
            for t in (
                "containerGroups",
                "locations",
                "locations/usages",
                "locations/capabilities",
                "locations/operations",
                "operations",
            )
        ]
    return {
        "id": f"/subscriptions/{ctx.sub.id}/providers/{canonical}",
        "namespace": canonical,
        "registrationState": state,
        "registrationPolicy": "RegistrationRequired",
        "resourceTypes": types,
    }


def list_providers(ctx, sub: str) -> Response:
    return json_response(
        {"value": [_provider_body(ctx, ns) for ns in (ACI, "Microsoft.Resources")]}
    )


def get_provider(ctx, sub: str, namespace: str) -> Response:
    return json_response(_provider_body(ctx, namespace))


def register_provider(ctx, sub: str, namespace: str) -> Response:
    ctx.cloud.register_provider(ctx.sub, namespace)
    return json_response(_provider_body(ctx, namespace))


TAG_FILTER = re.compile(
    r"^\s*tagName\s+eq\s+'(?P<name>[^']*)'(\s+and\s+tagValue\s+eq\s+'(?P<value>[^']*)')?\s*$",
    re.IGNORECASE,
)


def _tag_filter(ctx):
    expression = ctx.request.args.get("$filter")
    if not expression:
        return lambda tags: True
    found = TAG_FILTER.match(expression)
    if not found:
        raise ArmError(
            400,
            "InvalidFilterInQueryString",
            f"Invalid $filter '{expression}' specified in the query string. The local emulator "
            "supports \"tagName eq '<name>'\" optionally followed by \"and tagValue eq '<value>'\".",
        )
    name, value = found.group("name"), found.group("value")

    def matches(tags: dict[str, str]) -> bool:
        keys = {k.lower(): v for k, v in (tags or {}).items()}
        return name.lower() in keys and (value is None or keys[name.lower()] == value)

    return matches


def list_resource_groups(ctx, sub: str) -> Response:
    keep = _tag_filter(ctx)
    groups = [
        render.resource_group(rg) for rg in ctx.cloud.list_resource_groups(ctx.sub) if keep(rg.tags)
    ]
    return json_response(paged(ctx, groups, ctx.config.page_size))


def resource_group_exists(ctx, sub: str, rg: str) -> Response:
    return empty_response(204 if ctx.cloud.resource_group_exists(ctx.sub, rg) else 404)


def get_resource_group(ctx, sub: str, rg: str) -> Response:
    return json_response(render.resource_group(ctx.cloud.get_resource_group(ctx.sub, rg)))


def put_resource_group(ctx, sub: str, rg: str) -> Response:
    group, created = ctx.cloud.create_or_update_resource_group(ctx.sub, rg, ctx.json())
    return json_response(render.resource_group(group), 201 if created else 200)


def patch_resource_group(ctx, sub: str, rg: str) -> Response:
    return json_response(
        render.resource_group(ctx.cloud.update_resource_group(ctx.sub, rg, ctx.json()))
    )


def _operation_headers(ctx, operation_id: str) -> dict[str, str]:
    version = ctx.request.args.get("api-version")
    return {
        "Location": f"{ctx.base_url}/subscriptions/{ctx.sub.id}/operationresults/"
        f"{operation_id}?api-version={version}",
        **retry_after(ctx),
    }


def delete_resource_group(ctx, sub: str, rg: str) -> Response:
    op = ctx.cloud.delete_resource_group(ctx.sub, rg)
    return empty_response(202, _operation_headers(ctx, op.id))


def operation_result(ctx, sub: str, operation: str) -> Response:
    op = ctx.cloud.operation(operation)
    if op is None or op.kind != "delete-resource-group":
        raise ArmError(404, "OperationNotFound", f"The operation '{operation}' could not be found.")
    if op.status == "Pending":
        return empty_response(202, _operation_headers(ctx, op.id))
    return empty_response(200)


def _generic(cg) -> dict:
    body = {
        "id": cg.resource_id,
        "name": cg.name,
        "type": "Microsoft.ContainerInstance/containerGroups",
        "location": cg.location,
    }
    if cg.tags:
        body["tags"] = cg.tags
    return body


def list_resources_in_group(ctx, sub: str, rg: str) -> Response:
    keep = _tag_filter(ctx)
    groups = [_generic(cg) for cg in ctx.cloud.list_container_groups(ctx.sub, rg) if keep(cg.tags)]
    return json_response(paged(ctx, groups, ctx.config.page_size))


def list_resources(ctx, sub: str) -> Response:
    keep = _tag_filter(ctx)
    groups = [_generic(cg) for cg in ctx.cloud.list_container_groups(ctx.sub) if keep(cg.tags)]
    return json_response(paged(ctx, groups, ctx.config.page_size))
