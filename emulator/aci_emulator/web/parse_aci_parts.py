"""The parts of a container group's body that only the corpus's rules read, each read into its
model (backend/aci/models.py): volumes, mounts, security contexts, limits, probes, registry
credentials, subnets, the network profile, diagnostics and confidential properties.

They run once the body's types are checked and its nulls dropped (parse_aci.py): a member is
either absent or of its spec's type. The network profile is the exception (no request type
covers it) and is read as whatever it is.
"""

from __future__ import annotations

from typing import Any

from aci_emulator.backend.aci.models import (
    AzureFileVolume,
    Capabilities,
    ConfidentialComputeProperties,
    Diagnostics,
    GitRepoVolume,
    Gpu,
    LogAnalytics,
    NetworkProfile,
    Probe,
    RegistryCredential,
    ResourceLimits,
    SecurityContext,
    SubnetId,
    Volume,
    VolumeMount,
)


def counts(body: Any) -> tuple[int, int, int, int]:
    """Containers, volumes, ports of the IP address and environment variables, counted on the
    body as sent, before its names are folded or its types checked: names are looked up in any
    case (the last spelling wins, as when they are folded) and a value of the wrong type counts
    as nothing (the type check refuses it next)."""
    props = _member(body, "properties")
    containers = _items(_member(props, "containers"))
    init = _items(_member(props, "initContainers"))
    variables = sum(
        len(_items(_member(_member(c, "properties"), "environmentVariables")))
        for c in containers + init
    )
    return (
        len(containers),
        len(_items(_member(props, "volumes"))),
        len(_items(_member(_member(props, "ipAddress"), "ports"))),
        variables,
    )


def _member(obj: Any, name: str) -> Any:
    """A member of an object in any case, the last spelling winning; None if not an object."""
    if not isinstance(obj, dict):
        return None
    lower = name.lower()
    found = None
    for key, value in obj.items():
        if isinstance(key, str) and key.lower() == lower:
            found = value
    return found


def _items(value: Any) -> list:
    return value if isinstance(value, list) else []


def resource_limits(limits: dict[str, Any] | None) -> ResourceLimits | None:
    if limits is None:
        return None
    return ResourceLimits(limits.get("cpu"), limits.get("memoryInGB"), gpu(limits.get("gpu")))


def gpu(sent: dict[str, Any] | None) -> Gpu | None:
    return Gpu(sent.get("count"), sent.get("sku")) if sent is not None else None


def probe(sent: dict[str, Any] | None) -> Probe | None:
    if sent is None:
        return None
    return Probe((sent.get("httpGet") or {}).get("port"))


def volume_mount(sent: dict[str, Any]) -> VolumeMount:
    return VolumeMount(sent.get("name"), sent.get("mountPath"), sent.get("readOnly"))


def security_context(sent: dict[str, Any] | None) -> SecurityContext | None:
    if sent is None:
        return None
    capabilities = sent.get("capabilities")
    return SecurityContext(
        privileged=sent.get("privileged"),
        allow_privilege_escalation=sent.get("allowPrivilegeEscalation"),
        capabilities=(
            Capabilities(capabilities.get("add"), capabilities.get("drop"))
            if capabilities is not None
            else None
        ),
        run_as_group=sent.get("runAsGroup"),
        run_as_user=sent.get("runAsUser"),
        seccomp_profile=sent.get("seccompProfile"),
    )


def volume(sent: dict[str, Any]) -> Volume:
    azure_file, git_repo = sent.get("azureFile"), sent.get("gitRepo")
    return Volume(
        name=sent["name"],
        azure_file=(
            AzureFileVolume(
                azure_file.get("shareName"),
                azure_file.get("storageAccountName"),
                azure_file.get("storageAccountKey"),
                azure_file.get("readOnly"),
            )
            if azure_file is not None
            else None
        ),
        empty_dir=sent.get("emptyDir") is not None,
        secret=sent.get("secret"),
        git_repo=(
            GitRepoVolume(
                git_repo.get("repository"), git_repo.get("directory"), git_repo.get("revision")
            )
            if git_repo is not None
            else None
        ),
    )


def registry_credential(sent: dict[str, Any]) -> RegistryCredential:
    return RegistryCredential(
        server=sent["server"],
        username=sent.get("username"),
        password=sent.get("password"),
        identity=sent.get("identity"),
        identity_url=sent.get("identityUrl"),
    )


def subnet_id(sent: dict[str, Any]) -> SubnetId:
    return SubnetId(sent.get("id"), sent.get("name"))


def network_profile(props: dict[str, Any]) -> NetworkProfile | None:
    """Whatever was sent: only an object has an id."""
    if "networkProfile" not in props:
        return None
    sent = props["networkProfile"]
    is_object = isinstance(sent, dict)
    return NetworkProfile(
        is_object=is_object,
        id=sent.get("id") if is_object else None,
        given=bool(sent),
    )


def diagnostics(sent: dict[str, Any] | None) -> Diagnostics | None:
    if sent is None:
        return None
    analytics = sent.get("logAnalytics")
    return Diagnostics(
        log_analytics=(
            LogAnalytics(
                workspace_id=analytics.get("workspaceId"),
                workspace_key=analytics.get("workspaceKey"),
                log_type=analytics.get("logType"),
                metadata=analytics.get("metadata"),
                workspace_resource_id=analytics.get("workspaceResourceId"),
            )
            if analytics is not None
            else None
        ),
    )


def confidential_compute(sent: dict[str, Any] | None) -> ConfidentialComputeProperties | None:
    return ConfidentialComputeProperties(sent.get("ccePolicy")) if sent is not None else None
