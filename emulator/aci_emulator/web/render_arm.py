"""Azure Resource Manager's own answers as wire JSON: the only place that builds them."""

from __future__ import annotations

from typing import Any

from aci_emulator.backend.aci.models import ContainerGroup
from aci_emulator.backend.locations import REGIONS
from aci_emulator.backend.resources.models import ResourceGroup, Subscription
from aci_emulator.backend.resources.service import ACI
from aci_emulator.errors import RG_TYPE

# The api-versions a provider lists for each of its resource types.
ACI_API_VERSIONS = ["2024-05-01-preview", "2023-05-01", "2022-09-01", "2021-10-01"]
ACI_RESOURCE_TYPES = (
    "containerGroups",
    "locations",
    "locations/usages",
    "locations/capabilities",
    "locations/operations",
    "operations",
)


def metadata(base: str) -> dict[str, Any]:
    """The cloud's endpoints, as `az cloud register --endpoint-resource-manager` reads them."""
    return {
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


def subscription(sub: Subscription) -> dict[str, Any]:
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


def subscriptions(subs: list[Subscription]) -> dict[str, Any]:
    return {
        "value": [subscription(s) for s in subs],
        "count": {"type": "Total", "value": len(subs)},
    }


def tenants(tenant: str) -> dict[str, Any]:
    return {
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


def provider(sub_id: str, namespace: str, state: str) -> dict[str, Any]:
    canonical = ACI if namespace.lower() == ACI.lower() else namespace
    types = []
    if canonical == ACI:
        locations = list(REGIONS.values())
        types = [
            {"resourceType": t, "locations": locations, "apiVersions": ACI_API_VERSIONS}
            for t in ACI_RESOURCE_TYPES
        ]
    return {
        "id": f"/subscriptions/{sub_id}/providers/{canonical}",
        "namespace": canonical,
        "registrationState": state,
        "registrationPolicy": "RegistrationRequired",
        "resourceTypes": types,
    }


def providers(each: list[dict[str, Any]]) -> dict[str, Any]:
    return {"value": each}


def resource_group(rg: ResourceGroup) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": rg.resource_id,
        "name": rg.name,
        "type": RG_TYPE,
        "location": rg.location,
        "properties": {"provisioningState": rg.state},
    }
    if rg.tags is not None:
        body["tags"] = rg.tags
    if rg.managed_by:
        body["managedBy"] = rg.managed_by
    return body


def generic_resource(cg: ContainerGroup) -> dict[str, Any]:
    """A resource as `resources.list` shows it, whatever its provider."""
    body: dict[str, Any] = {
        "id": cg.resource_id,
        "name": cg.name,
        "type": "Microsoft.ContainerInstance/containerGroups",
        "location": cg.location,
    }
    if cg.tags:
        body["tags"] = cg.tags
    return body
