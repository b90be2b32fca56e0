"""How Azure Resource Manager routes a request that no route of the emulator serves.

ARM reads a path by its shape before any provider sees it (the cases are in
tests/fidelity/errors/arm.yaml; emulator/README.md's error table names them):

- `/providers/{namespace}/...`, `/subscriptions/{s}/providers/{namespace}/...` and
  `/subscriptions/{s}/resourceGroups/{rg}/providers/{namespace}/...` go to the namespace's
  provider. A namespace ARM does not know is `InvalidResourceNamespace` (Azure/aci-connector-k8s#13,
  JulianHayward/Azure-MG-Sub-Governance-Reporting#52); a type the namespace does not have is
  `InvalidResourceType`, 404, worded without the type when no version of it exists
  (JulianHayward/Azure-MG-Sub-Governance-Reporting#297, Azure/azure-cli-extensions#8304).
- Any other path under a subscription is ARM's own (Microsoft.Resources): its api-versions are
  checked first (400 `InvalidApiVersionParameter`), then a path it has no route for is ASP.NET's
  404 "No HTTP resource was found that matches the request URI '...'.", with no code
  (`az group create` with an empty name: `PUT .../resourcegroups/` answered `(None) No HTTP
  resource...`; krnese/AzureDeploy#21). A doubled slash is read as one by ARM (the Azure CLI's
  `providers/Microsoft.ContainerInstance//containerGroups` reached the provider:
  MicrosoftDocs/azure-docs#113243, Azure/azure-cli#30915), so an empty resource group segment
  (`resourceGroups//providers/...`) makes `providers` the group's name and the rest ARM's own.

A namespace ARM knows whose types the emulator does not serve stays an honest 501.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from aci_emulator.backend import arm_namespaces
from aci_emulator.backend.rules_arm import check_resources_api_version
from aci_emulator.errors import ArmError, method_not_allowed, not_implemented

ACI = "microsoft.containerinstance"
RESOURCES = "microsoft.resources"
SPECS = Path(__file__).resolve().parent.parent / "specs"
_TYPE_IN_PATH = re.compile(
    r"/providers/Microsoft\.ContainerInstance/([^/{]+)", re.IGNORECASE | re.ASCII
)


@dataclass(frozen=True)
class PathShape:
    """Who routes a path: ARM itself, or a provider namespace (and the type it names)."""

    owner: Literal["arm", "provider"]
    namespace: str | None = None
    resource_type: str | None = None
    scope: Literal["tenant", "subscription", "resourceGroup"] = "subscription"


class NoHttpResource(ArmError):
    """ARM's own 404 for a path it has no route for: a message and no code."""

    def __init__(self, uri: str) -> None:
        super().__init__(
            404, "", f"No HTTP resource was found that matches the request URI '{uri}'."
        )

    def envelope(self) -> dict[str, Any]:
        return {"error": {"message": self.message}}


@functools.cache
def aci_types() -> frozenset[str]:
    """The resource types Microsoft.ContainerInstance has: every type any vendored REST spec
    of the provider names in a path (lower case)."""
    types: set[str] = set()
    for spec in SPECS.glob("*.json"):
        for path in json.loads(spec.read_text(encoding="utf-8")).get("paths", {}):
            types.update(match.lower() for match in _TYPE_IN_PATH.findall(path))
    return frozenset(types)


def shape_of(path: str) -> PathShape | None:
    """The shape of an ARM path (doubled slashes already read as one); None if not ARM's."""
    parts = path.strip("/").split("/")
    lower = [part.lower() for part in parts]
    if lower[0] == "providers":
        return _provider(parts, 1, "tenant")
    if lower[0] != "subscriptions":
        return None
    rest = lower[2:]
    if rest[:1] == ["providers"]:
        return _provider(parts, 3, "subscription")
    if rest[:1] == ["resourcegroups"] and len(rest) >= 3 and rest[2] == "providers":
        return _provider(parts, 5, "resourceGroup")
    return PathShape("arm")


def _provider(parts: list[str], index: int, scope: Any) -> PathShape:
    namespace = parts[index] if len(parts) > index and parts[index] else None
    resource_type = parts[index + 1] if len(parts) > index + 1 and parts[index + 1] else None
    return PathShape("provider", namespace, resource_type, scope)


def refusal(method: str, path: str, api_version: str, uri: str, method_mismatch: bool) -> ArmError:
    """ARM's answer to a request the emulator has no route for (a 405 or an honest 501 where
    the emulator merely lacks the operation)."""
    shape = shape_of(path)
    if shape is None:
        return not_implemented(f"{method} {path}")
    if shape.owner == "arm" or _is_arms_own_type(shape):
        check_resources_api_version(api_version)
        return NoHttpResource(uri)
    namespace = shape.namespace or ""
    if not arm_namespaces.is_known(namespace):
        return ArmError(
            400, "InvalidResourceNamespace", f"The resource namespace '{namespace}' is invalid."
        )
    if (
        namespace.lower() == ACI
        and shape.resource_type
        and shape.resource_type.lower() not in aci_types()
    ):
        return ArmError(
            404,
            "InvalidResourceType",
            f"The resource type could not be found in the namespace '{namespace}' for api "
            f"version '{api_version}'.",
        )
    if method_mismatch:
        return method_not_allowed(method, path)
    return not_implemented(f"{method} {path}")


def _is_arms_own_type(shape: PathShape) -> bool:
    """Microsoft.Resources' resourceGroups below a resource group: a type ARM has only at the
    subscription's scope, so no route (krnese/AzureDeploy#21)."""
    return (
        (shape.namespace or "").lower() == RESOURCES
        and shape.scope == "resourceGroup"
        and (shape.resource_type or "").lower() == "resourcegroups"
    )
