"""Container Instances' rules for a container group, one function per category of evidence.

Each rule refuses what Azure was seen refusing, in Azure's words (the cases are in
tests/fidelity/errors/<category>.yaml; emulator/README.md's error table names them), and
nothing more: where no real answer shows a refusal, the emulator accepts. They run once the
body's types and required properties have been checked (validation.py), on the body as sent.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from aci_emulator.backend import schema
from aci_emulator.backend.aci import request_schema, rules_containers
from aci_emulator.errors import bad_request, invalid_content

# The api-version that introduced `subnetIds`; before it a private group needs a network
# profile (our reading of the REST specs' history: 2021-07-01 is the first to define it).
SUBNET_IDS_SINCE = "2021-07-01"
# The api-version that introduced managed identities for container groups (Azure's own text).
IDENTITY_SINCE = "2018-10-01"
# The api-version that let a registry credential name an identity (Azure's troubleshooting page
# for registry pulls with a managed identity).
REGISTRY_IDENTITY_SINCE = "2021-07-01"
# Images whose manifest says Windows; offline, Microsoft's Windows base images by their name.
WINDOWS_IMAGE_PREFIXES = ("mcr.microsoft.com/windows/", "mcr.microsoft.com/windows:")
LABELS = (("cpu", "Cpu"), ("memoryInGB", "MemoryInGB"))
# Members Azure returns beyond the spec (recorded; web/render_aci.py's RETURNED_BEYOND_SPEC):
# Azure's own type has them, so a GET, modify, PUT round trip may send them back.
RETURNED_BEYOND_THE_SPEC = (
    "provisioningTimeoutInSeconds",
    "isCustomProvisioningTimeout",
    "imageRegistryCredentials.isDelegatedIdentity",
)
# A network profile is a Microsoft.Network/networkProfiles resource (any casing, as ARM ids).
NETWORK_PROFILE_ID = re.compile(
    r"/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Network/networkProfiles/[^/]+",
    re.IGNORECASE,
)


# The subscription an ARM resource id names.
SUBSCRIPTION_OF_ID = re.compile(r"^/subscriptions/([^/]+)/", re.IGNORECASE)


def check_all(
    name: str, body: dict[str, Any], api_version: str | None, subscription_id: str | None = None
) -> None:
    """Every category's rules, in the order below, on a body validation.py has accepted."""
    props = body["properties"]
    check_resources(name, props)
    check_registries(name, props)
    check_identity(name, props, body.get("identity"), api_version)
    check_image_os(name, props)
    check_networking(name, props, api_version, subscription_id)
    rules_containers.check_environment(name, props, api_version)
    rules_containers.check_volume_mounts(props)
    check_volumes(props)
    check_diagnostics(props)
    check_confidential(props)
    rules_containers.check_confidential_security_context(props)
    check_spot(props)


# -- the body's members -------------------------------------------------------------------------
def check_known_members(props: dict[str, Any], api_version: str | None) -> None:
    """A member no vendored REST spec defines at its place, anywhere in the group's properties,
    is refused by the service's deserializer (request_schema.py has the evidence); so are
    members the CLI's newer shapes add or Azure returns beyond the spec, at the group's level."""
    if not request_schema.applies_to(api_version):
        return
    extra = {name.lower() for name in _properties_of(schema.CONTAINER_GROUP)}
    extra |= {name.lower() for name in RETURNED_BEYOND_THE_SPEC}  # sent back by a GET-then-PUT
    try:
        request_schema.check_properties(props, also_known=frozenset(extra))
    except request_schema.UnknownMember as err:
        raise invalid_content(str(err)) from err


def _properties_of(shape: schema.Obj) -> dict[str, Any]:
    inner = shape.fields["properties"]
    return inner.fields if isinstance(inner, schema.Obj) else {}


def _version_before(api_version: str | None, since: str) -> bool:
    return api_version is not None and api_version[:10] < since


def member(obj: dict[str, Any], name: str) -> Any:
    """A property in any casing: Azure reads member names case-insensitively."""
    wanted = name.lower()
    return next((v for k, v in obj.items() if k.lower() == wanted), None)


def _lower(value: Any) -> str:
    return value.lower() if isinstance(value, str) else ""


def _containers(props: dict[str, Any], init: bool = True) -> list[dict[str, Any]]:
    return list(props.get("containers") or []) + list(
        (props.get("initContainers") or []) if init else []
    )


def _number(value: Any) -> str:
    """A number as the service's .NET code prints it: 3, 1.5, 0.3."""
    return str(int(value)) if float(value).is_integer() else str(float(value))


def _requirement_json(requests: dict[str, Any], limits: dict[str, Any]) -> str:
    """The container's resources as the service serialises them in its message: .NET's JSON
    writer, memory before CPU, doubles as 4.0 and 1.5."""
    parts = []
    for key, values in (("requests", requests), ("limits", limits)):
        inner = ",".join(
            f'"{field}":{float(values[field])!r}'
            for field in ("memoryInGB", "cpu")
            if values.get(field) is not None
        )
        parts.append(f'"{key}":{{{inner}}}')
    return "{" + ",".join(parts) + "}"


# -- resource requests and limits -----------------------------------------------------------------
def check_resources(name: str, props: dict[str, Any]) -> None:
    """A limit below its request (virtual-kubelet/virtual-kubelet#143, docker/compose-cli#357),
    then a limit above what the whole group requests (virtual-kubelet/azure-aci#149, #17,
    docker/compose-cli#743, MicrosoftDocs/azure-docs#29780, virtual-kubelet/virtual-kubelet#153).
    CPU is checked before memory; Azure's "contain group" typo is kept."""
    containers = _containers(props, init=False)
    resources = [(c, c["properties"].get("resources") or {}) for c in containers]
    totals = {
        field: round(sum(float((r.get("requests") or {})[field]) for _, r in resources), 6)
        for field, _ in LABELS
    }
    for container, res in resources:
        requests, limits = res.get("requests") or {}, res.get("limits") or {}
        for field, label in LABELS:
            if limits.get(field) is not None and float(limits[field]) < float(requests[field]):
                raise bad_request(
                    "ResourceLimitsLessThanRequests",
                    f"The resource requirement '{_requirement_json(requests, limits)}' in "
                    f"container '{container['name']}' of contain group '{name}' is invalid. "
                    f"The '{label}' limit value must be greater than or equal to the request "
                    "value.",
                )
    for container, res in resources:
        limits = res.get("limits") or {}
        for field, label in LABELS:
            if limits.get(field) is not None and float(limits[field]) > totals[field]:
                raise bad_request(
                    "ContainerLimitGreaterThanContainerGroupTotalRequest",
                    f"The '{label}' limit '{_number(limits[field])}' in container "
                    f"'{container['name']}' is greater than the total request "
                    f"'{_number(totals[field])}' of container group '{name}'.",
                )


# -- images and registries ------------------------------------------------------------------------
def check_registries(name: str, props: dict[str, Any]) -> None:
    """More credentials than containers (docker/cli#3610); each credential is of exactly one
    type, a username or an identity (MicrosoftDocs/SupportArticles-docs:
    acr-image-pull-failures-managed-identity.md, Azure's "Resitry" typo in the code kept;
    neither one is refused the same way, our reading of "exactly one")."""
    credentials = props.get("imageRegistryCredentials") or []
    if len(credentials) > len(props.get("containers") or []):
        raise bad_request(
            "MoreImageRegistryCredentialsThanContainers",
            f"More image registry credentials provided than containers in container group "
            f"'{name}'.",
        )
    for credential in credentials:
        if bool(credential.get("username")) == bool(credential.get("identity")):
            raise bad_request(
                "AmbiguousImageResitryCredentialType",
                f"The registry credential type in the 'imageRegistryCredentials' of container "
                f"group '{name}' cannot be detected. Please set exactly one of username or "
                "identity",
            )


def check_image_os(name: str, props: dict[str, Any]) -> None:
    """A Windows image in a Linux group (docker-archive/cloud-integration-beta#14). Azure reads
    the image's manifest; offline, Microsoft's Windows base images are known by name."""
    if _lower(props.get("osType")) != "linux":
        return
    for container in _containers(props):
        image = container["properties"]["image"]
        if image.lower().startswith(WINDOWS_IMAGE_PREFIXES):
            raise bad_request(
                "ImageOsTypeNotMatchContainerGroup",
                f"The container image '{image}' doesn't support specified OS 'Linux' for "
                f"container group '{name}'.",
            )


# -- identities ---------------------------------------------------------------------------------
def check_identity(
    name: str, props: dict[str, Any], identity: dict[str, Any] | None, api_version: str | None
) -> None:
    """No managed identity before its api-version (MicrosoftDocs/azure-docs#54196); a registry
    credential's identity must be one of the group's user-assigned identities
    (MicrosoftDocs/azure-docs#117644: Azure's typographic quotes and missing full stop kept; a
    2026 troubleshooting page shows straight quotes and a full stop, our reading: retyped), and
    may not be named before its api-version."""
    if identity and _version_before(api_version, IDENTITY_SINCE):
        raise bad_request(
            "ManagedIdentityNotSupported",
            "Managed service identity is not supported for container groups before version "
            f"'{IDENTITY_SINCE}'",
        )
    if identity is not None and _lower(props.get("osType")) == "windows":
        # Azure/azure-rest-api-specs#18122: refused even with type None (2022).
        raise bad_request(
            "IdentityNotSupportedOnWindows",
            "Managed service identity is not supported for Windows container groups.",
        )
    assigned = {key.lower() for key in ((identity or {}).get("userAssignedIdentities") or {})}
    for credential in props.get("imageRegistryCredentials") or []:
        wanted = credential.get("identity")
        if wanted is not None and _version_before(api_version, REGISTRY_IDENTITY_SINCE):
            # MicrosoftDocs/SupportArticles-docs: acr-image-pull-failures-managed-identity.md
            raise bad_request(
                "InvalidImageRegistryCredentialType",
                f"Identity in 'imageRegistryCredentials' of container group '{name}' is not "
                "supported.",
            )
        if isinstance(wanted, str) and wanted and wanted.lower() not in assigned:
            raise bad_request(
                "InvalidImageRegistryIdentity",
                f"The identity in the 'imageRegistryCredentials' of container group ‘{name}’ "
                "not found in container group identity list",
            )


# -- networking ---------------------------------------------------------------------------------
def check_networking(
    name: str, props: dict[str, Any], api_version: str | None, subscription_id: str | None = None
) -> None:
    """A private address needs a subnet (cocallaw/terraform-azure-tailscale-subnet-router#13);
    before `subnetIds` existed, a network profile (Azure/azure-sdk-for-js#20984,
    CompositionalIT/farmer#125; its code in aztfmod/terraform-azurerm-caf#1145). A public address cannot join a virtual network
    (hashicorp/terraform-provider-azurerm#19579)."""
    ip = props.get("ipAddress") or {}
    if _lower(ip.get("type")) == "private" and ip.get("dnsNameLabel") is not None:
        # Azure/aci-deploy#53: answered before the missing subnet; the code is our reading.
        raise bad_request(
            "DnsNameLabelNotSupportedForPrivateIp",
            "DNS name label for container group is only supported when IP Address type is public.",
        )
    for subnet in props.get("subnetIds") or []:
        found = SUBSCRIPTION_OF_ID.match(str(subnet.get("id") or ""))
        if subscription_id and found and found.group(1).lower() != subscription_id.lower():
            # MicrosoftDocs/azure-docs#94486 (the code; the text is our reading).
            raise bad_request(
                "SubnetAndContainerGroupMustBeInSameSubscription",
                f"The subnet '{subnet['id']}' and container group '{name}' must be in the same "
                "subscription.",
            )
    profile = props.get("networkProfile")
    if isinstance(profile, dict) and not NETWORK_PROFILE_ID.fullmatch(str(profile.get("id"))):
        # hashicorp/terraform-provider-azurerm#6562: a subnet's id where a profile's belongs.
        raise bad_request(
            "InvalidNetworkProfile",
            f"Network profile '{profile.get('id')}' is invalid for container group '{name}'.",
        )
    if _lower(ip.get("type")) == "public" and (
        props.get("subnetIds") or props.get("networkProfile")
    ):
        raise bad_request(
            "InvalidIpAddressTypeForNetworkProfile",
            "IP Address type can't be public when network profile is set.",
        )
    if _lower(ip.get("type")) != "private" or props.get("networkProfile"):
        return
    if _version_before(api_version, SUBNET_IDS_SINCE):
        raise bad_request(
            "PrivateIPAddressNotSupported",
            f"IP Address type in container group '{name}' is invalid. Private IP address is only "
            "supported when network profile is defined.",
        )
    if not props.get("subnetIds"):
        raise bad_request(
            "PrivateIpWithoutSubnetNotSupported",
            f"IP Address type in container group '{name}' is invalid. Private IP address is only "
            "supported when a subnet ID is defined.",
        )


# -- volumes --------------------------------------------------------------------------------------
def check_volumes(props: dict[str, Any]) -> None:
    """Volume names unique in the group (virtual-kubelet/azure-aci#303: names compared as sent,
    our reading, since volume names are lowercase anyway). Mount paths and the volumes an OS
    can mount: rules_containers.py."""
    seen: set[str] = set()
    for volume in props.get("volumes") or []:
        vname = volume.get("name")
        if vname in seen:
            raise bad_request("DuplicateVolumes", f"Duplicate volumes '{vname}' are found.")
        seen.add(vname)


# -- diagnostics ----------------------------------------------------------------------------------
def check_diagnostics(props: dict[str, Any]) -> None:
    """Metadata, even empty, only with the ContainerInsights log type: beside
    ContainerInstanceLogs (Azure/azure-rest-api-specs#9768,
    hashicorp/terraform-provider-azurerm#13650) or with no log type at all, which Azure names
    '<null>' (hashicorp/terraform-provider-azurerm#4013; the text as for a log type, our
    reading)."""
    analytics = (props.get("diagnostics") or {}).get("logAnalytics") or {}
    log_type = analytics.get("logType")
    if analytics.get("metadata") is not None and _lower(log_type) != "containerinsights":
        shown = "<null>" if log_type is None else str(log_type)
        raise bad_request(
            "LogAnalyticsMetadataNotAllowed",
            f"Log Analytics metadata is not allowed for log type: '{shown}'.",
        )


# -- confidential and priority SKUs ---------------------------------------------------------------
def check_confidential(props: dict[str, Any]) -> None:
    """An empty policy for a confidential group (microsoft/confidential-ai#9); no policy at all
    gets the service's default one (validation.py)."""
    if _lower(props.get("sku")) != "confidential":
        return
    policy = (props.get("confidentialComputeProperties") or {}).get("ccePolicy")
    if isinstance(policy, str) and not policy.strip():
        raise bad_request(
            "InvalidCcePolicy",
            "The CCE Policy cannot be left empty for Confidential Container Groups.",
        )
    if isinstance(policy, str) and not _is_base64(policy):
        # MicrosoftDocs/SupportArticles-docs: common-confidential-container-errors.md; the code
        # is our reading (the empty policy's).
        raise bad_request("InvalidCcePolicy", "The CCE Policy is not valid Base64.")


def _is_base64(text: str) -> bool:
    try:
        base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def check_spot(props: dict[str, Any]) -> None:
    """A Spot group runs in the Standard SKU only, requests no GPU and takes no inbound
    connections (MicrosoftDocs/SupportArticles-docs: error-codes-spot-container-creation.md). The SKU is
    named as the group's SKU is returned; a private address counts as inbound (our reading)."""
    if _lower(props.get("priority")) != "spot":
        return
    sku = _lower(props.get("sku")) or "standard"
    if sku != "standard":
        raise bad_request(
            "SpotPriorityContainerGroupNotSupportedInSku",
            f"Spot Priority Container Group is not supported in '{sku.capitalize()}' Sku.",
        )
    if any(
        ((c["properties"].get("resources") or {}).get("requests") or {}).get("gpu")
        for c in _containers(props, init=False)
    ):
        raise bad_request(
            "SpotPriorityContainerGroupWithGPUResourcesNotSupported",
            "Spot Priority Container Groups that include containers requesting GPU resources are "
            "not supported.",
        )
    if props.get("ipAddress"):
        raise bad_request(
            "SpotPriorityContainerGroupNotSupportedForInboundConnectivity",
            "Spot Priority is not supported for container groups with inbound connectivity.",
        )
