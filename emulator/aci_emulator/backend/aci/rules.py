"""Container Instances' rules for a container group, one function per category of evidence.

Each rule refuses what Azure was seen refusing, in Azure's words (the cases are in
tests/fidelity/errors/<category>.yaml; emulator/README.md's error table names them), and
nothing more: where no real answer shows a refusal, the emulator accepts. They run on the
models a request was read into (web/parse_aci.py, where its types, required members, enums and
the rules of validation.py were checked), before the service changes any state.
"""

from __future__ import annotations

import base64
import binascii
import re

from aci_emulator.backend.aci import rules_containers
from aci_emulator.backend.aci.models import (
    ContainerGroupRequest,
    ContainerGroupSpec,
    ResourceLimits,
    ResourceRequests,
)
from aci_emulator.backend.validation import format_number
from aci_emulator.errors import bad_request

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
# A network profile is a Microsoft.Network/networkProfiles resource (any casing, as ARM ids).
NETWORK_PROFILE_ID = re.compile(
    r"/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Network/networkProfiles/[^/]+",
    re.IGNORECASE | re.ASCII,
)


# The subscription an ARM resource id names.
SUBSCRIPTION_OF_ID = re.compile(r"^/subscriptions/([^/]+)/", re.IGNORECASE | re.ASCII)


def check_all(
    request: ContainerGroupRequest, name: str, subscription_id: str | None = None
) -> None:
    """Every category's rules, in the order below, on a request web/parse_aci.py has read."""
    spec, api_version = request.spec, request.api_version
    check_resources(name, spec)
    check_registries(name, spec)
    check_identity(name, request)
    check_image_os(name, spec)
    check_networking(name, spec, api_version, subscription_id)
    rules_containers.check_environment(name, spec, api_version)
    rules_containers.check_volume_mounts(spec)
    check_volumes(spec)
    check_diagnostics(spec)
    check_confidential(spec)
    rules_containers.check_confidential_security_context(spec)
    check_spot(spec)


def _version_before(api_version: str | None, since: str) -> bool:
    return api_version is not None and api_version[:10] < since


def _lower(value: str | None) -> str:
    return value.lower() if isinstance(value, str) else ""


def _requirement_json(requests: ResourceRequests, limits: ResourceLimits) -> str:
    """The container's resources as the service serialises them in its message: .NET's JSON
    writer, memory before CPU, doubles as 4.0 and 1.5."""
    # Message text, not an answer: the JSON quoted inside an error's message (render builds
    # every answer's JSON).
    parts = []
    for key, values in (("requests", requests), ("limits", limits)):
        inner = ",".join(
            f'"{label}":{float(value)!r}'
            for label, value in (("memoryInGB", values.memory_in_gb), ("cpu", values.cpu))
            if value is not None
        )
        parts.append(f'"{key}":{{{inner}}}')
    return "{" + ",".join(parts) + "}"


# -- resource requests and limits -----------------------------------------------------------------
def check_resources(name: str, spec: ContainerGroupSpec) -> None:
    """A limit below its request (virtual-kubelet/virtual-kubelet#143, docker/compose-cli#357),
    then a limit above what the whole group requests (virtual-kubelet/azure-aci#149, #17,
    docker/compose-cli#743, MicrosoftDocs/azure-docs#29780, virtual-kubelet/virtual-kubelet#153).
    CPU is checked before memory; Azure's "contain group" typo is kept."""
    resources = [
        (c, c.requests, c.limits or ResourceLimits()) for c in spec.containers if c.requests
    ]
    totals = {
        "Cpu": round(sum(float(r.cpu) for _, r, _ in resources), 6),
        "MemoryInGB": round(sum(float(r.memory_in_gb) for _, r, _ in resources), 6),
    }
    for container, requests, limits in resources:
        for label, limit, request in _pairs(requests, limits):
            if limit is not None and float(limit) < float(request):
                raise bad_request(
                    "ResourceLimitsLessThanRequests",
                    f"The resource requirement '{_requirement_json(requests, limits)}' in "
                    f"container '{container.name}' of contain group '{name}' is invalid. "
                    f"The '{label}' limit value must be greater than or equal to the request "
                    "value.",
                )
    for container, requests, limits in resources:
        for label, limit, _ in _pairs(requests, limits):
            if limit is not None and float(limit) > totals[label]:
                raise bad_request(
                    "ContainerLimitGreaterThanContainerGroupTotalRequest",
                    f"The '{label}' limit '{format_number(limit)}' in container "
                    f"'{container.name}' is greater than the total request "
                    f"'{format_number(totals[label])}' of container group '{name}'.",
                )


def _pairs(
    requests: ResourceRequests, limits: ResourceLimits
) -> list[tuple[str, float | None, float]]:
    """(label, limit, request) for CPU, then memory."""
    return [
        ("Cpu", limits.cpu, requests.cpu),
        ("MemoryInGB", limits.memory_in_gb, requests.memory_in_gb),
    ]


# -- images and registries ------------------------------------------------------------------------
def check_registries(name: str, spec: ContainerGroupSpec) -> None:
    """More credentials than containers (docker/cli#3610); each credential is of exactly one
    type, a username or an identity (MicrosoftDocs/SupportArticles-docs:
    acr-image-pull-failures-managed-identity.md, Azure's "Resitry" typo in the code kept;
    neither one is refused the same way, our reading of "exactly one")."""
    if len(spec.registry_credentials) > len(spec.containers):
        raise bad_request(
            "MoreImageRegistryCredentialsThanContainers",
            f"More image registry credentials provided than containers in container group "
            f"'{name}'.",
        )
    for credential in spec.registry_credentials:
        if bool(credential.username) == bool(credential.identity):
            raise bad_request(
                "AmbiguousImageResitryCredentialType",
                f"The registry credential type in the 'imageRegistryCredentials' of container "
                f"group '{name}' cannot be detected. Please set exactly one of username or "
                "identity",
            )


def check_image_os(name: str, spec: ContainerGroupSpec) -> None:
    """A Windows image in a Linux group (docker-archive/cloud-integration-beta#14). Azure reads
    the image's manifest; offline, Microsoft's Windows base images are known by name."""
    if spec.os_type != "Linux":
        return
    for container in spec.containers + spec.init_containers:
        if container.image.lower().startswith(WINDOWS_IMAGE_PREFIXES):
            raise bad_request(
                "ImageOsTypeNotMatchContainerGroup",
                f"The container image '{container.image}' doesn't support specified OS 'Linux' "
                f"for container group '{name}'.",
            )


# -- identities ---------------------------------------------------------------------------------
def check_identity(name: str, request: ContainerGroupRequest) -> None:
    """No managed identity before its api-version (MicrosoftDocs/azure-docs#54196); a registry
    credential's identity must be one of the group's user-assigned identities
    (MicrosoftDocs/azure-docs#117644: Azure's typographic quotes and missing full stop kept; a
    2026 troubleshooting page shows straight quotes and a full stop, our reading: retyped), and
    may not be named before its api-version."""
    api_version = request.api_version
    if request.identity_has_members and _version_before(api_version, IDENTITY_SINCE):
        raise bad_request(
            "ManagedIdentityNotSupported",
            "Managed service identity is not supported for container groups before version "
            f"'{IDENTITY_SINCE}'",
        )
    if request.identity_sent and request.spec.os_type == "Windows":
        # Azure/azure-rest-api-specs#18122: refused even with type None (2022).
        raise bad_request(
            "IdentityNotSupportedOnWindows",
            "Managed service identity is not supported for Windows container groups.",
        )
    identity = request.identity
    assigned = {rid.lower() for rid in identity.user_assigned} if identity else set()
    for credential in request.spec.registry_credentials:
        wanted = credential.identity
        if wanted is not None and _version_before(api_version, REGISTRY_IDENTITY_SINCE):
            # MicrosoftDocs/SupportArticles-docs: acr-image-pull-failures-managed-identity.md
            raise bad_request(
                "InvalidImageRegistryCredentialType",
                f"Identity in 'imageRegistryCredentials' of container group '{name}' is not "
                "supported.",
            )
        if wanted and wanted.lower() not in assigned:
            raise bad_request(
                "InvalidImageRegistryIdentity",
                f"The identity in the 'imageRegistryCredentials' of container group ‘{name}’ "
                "not found in container group identity list",
            )


# -- networking ---------------------------------------------------------------------------------
def check_networking(
    name: str, spec: ContainerGroupSpec, api_version: str | None, subscription_id: str | None = None
) -> None:
    """A private address needs a subnet (cocallaw/terraform-azure-tailscale-subnet-router#13);
    before `subnetIds` existed, a network profile (Azure/azure-sdk-for-js#20984,
    CompositionalIT/farmer#125; its code in aztfmod/terraform-azurerm-caf#1145). A public address
    cannot join a virtual network (hashicorp/terraform-provider-azurerm#19579)."""
    ip_type = spec.ip_address.type if spec.ip_address else None
    label = spec.ip_address.dns_name_label if spec.ip_address else None
    if ip_type == "Private" and label is not None:
        # Azure/aci-deploy#53: answered before the missing subnet; the code is our reading.
        raise bad_request(
            "DnsNameLabelNotSupportedForPrivateIp",
            "DNS name label for container group is only supported when IP Address type is public.",
        )
    for subnet in spec.subnet_ids:
        found = SUBSCRIPTION_OF_ID.match(str(subnet.id or ""))
        if subscription_id and found and found.group(1).lower() != subscription_id.lower():
            # MicrosoftDocs/azure-docs#94486 (the code; the text is our reading).
            raise bad_request(
                "SubnetAndContainerGroupMustBeInSameSubscription",
                f"The subnet '{subnet.id}' and container group '{name}' must be in the same "
                "subscription.",
            )
    profile = spec.network_profile
    if (
        profile is not None
        and profile.is_object
        and not NETWORK_PROFILE_ID.fullmatch(str(profile.id))
    ):
        # hashicorp/terraform-provider-azurerm#6562: a subnet's id where a profile's belongs.
        raise bad_request(
            "InvalidNetworkProfile",
            f"Network profile '{profile.id}' is invalid for container group '{name}'.",
        )
    profile_given = profile is not None and profile.given
    if ip_type == "Public" and (spec.subnet_ids or profile_given):
        raise bad_request(
            "InvalidIpAddressTypeForNetworkProfile",
            "IP Address type can't be public when network profile is set.",
        )
    if ip_type != "Private" or profile_given:
        return
    if _version_before(api_version, SUBNET_IDS_SINCE):
        raise bad_request(
            "PrivateIPAddressNotSupported",
            f"IP Address type in container group '{name}' is invalid. Private IP address is only "
            "supported when network profile is defined.",
        )
    if not spec.subnet_ids:
        raise bad_request(
            "PrivateIpWithoutSubnetNotSupported",
            f"IP Address type in container group '{name}' is invalid. Private IP address is only "
            "supported when a subnet ID is defined.",
        )


# -- volumes --------------------------------------------------------------------------------------
def check_volumes(spec: ContainerGroupSpec) -> None:
    """Volume names unique in the group (virtual-kubelet/azure-aci#303: names compared as sent,
    our reading, since volume names are lowercase anyway). Mount paths and the volumes an OS
    can mount: rules_containers.py."""
    seen: set[str] = set()
    for volume in spec.volumes:
        if volume.name in seen:
            raise bad_request("DuplicateVolumes", f"Duplicate volumes '{volume.name}' are found.")
        seen.add(volume.name)


# -- diagnostics ----------------------------------------------------------------------------------
def check_diagnostics(spec: ContainerGroupSpec) -> None:
    """Metadata, even empty, only with the ContainerInsights log type: beside
    ContainerInstanceLogs (Azure/azure-rest-api-specs#9768,
    hashicorp/terraform-provider-azurerm#13650) or with no log type at all, which Azure names
    '<null>' (hashicorp/terraform-provider-azurerm#4013; the text as for a log type, our
    reading)."""
    analytics = spec.diagnostics.log_analytics if spec.diagnostics else None
    if analytics is None:
        return
    log_type = analytics.log_type
    if analytics.metadata is not None and _lower(log_type) != "containerinsights":
        shown = "<null>" if log_type is None else str(log_type)
        raise bad_request(
            "LogAnalyticsMetadataNotAllowed",
            f"Log Analytics metadata is not allowed for log type: '{shown}'.",
        )


# -- confidential and priority SKUs ---------------------------------------------------------------
def check_confidential(spec: ContainerGroupSpec) -> None:
    """An empty policy for a confidential group (microsoft/confidential-ai#9); no policy at all
    gets the service's default one (web/parse_aci.py)."""
    if spec.sku != "Confidential":
        return
    policy = spec.confidential_compute.cce_policy if spec.confidential_compute else None
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


def check_spot(spec: ContainerGroupSpec) -> None:
    """A Spot group runs in the Standard SKU only, requests no GPU and takes no inbound
    connections (MicrosoftDocs/SupportArticles-docs: error-codes-spot-container-creation.md).
    The SKU is named as the group's SKU is returned; a private address counts as inbound (our
    reading)."""
    if spec.priority != "Spot":
        return
    if spec.sku != "Standard":
        raise bad_request(
            "SpotPriorityContainerGroupNotSupportedInSku",
            f"Spot Priority Container Group is not supported in '{spec.sku}' Sku.",
        )
    if any(
        c.requests.gpu.count is not None or c.requests.gpu.sku is not None
        for c in spec.containers
        if c.requests and c.requests.gpu
    ):
        raise bad_request(
            "SpotPriorityContainerGroupWithGPUResourcesNotSupported",
            "Spot Priority Container Groups that include containers requesting GPU resources are "
            "not supported.",
        )
    if spec.ip_address is not None:
        raise bad_request(
            "SpotPriorityContainerGroupNotSupportedForInboundConnectivity",
            "Spot Priority is not supported for container groups with inbound connectivity.",
        )
