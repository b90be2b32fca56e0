"""Container Instances' rules for what a container holds: its environment variables, its
volume mounts and the volumes a group's OS can mount, its security context.

As in rules.py, each rule refuses what Azure was seen refusing, in Azure's words, and cites its
evidence (the cases in tests/fidelity/errors/, emulator/README.md's error table).
"""

from __future__ import annotations

from typing import Any

from aci_emulator.errors import bad_request, invalid_content

# The api-version that introduced secure environment variables (Azure's own text names it).
SECURE_VALUE_SINCE = "2018-06-01"
# Volume types by their member in a volume, and how a message names them: Azure's words for
# an Azure File volume (virtual-kubelet/virtual-kubelet#367); the others are our reading.
VOLUME_KINDS = (
    ("azurefile", "Azure file"),
    ("emptydir", "Empty directory"),
    ("secret", "Secret"),
    ("gitrepo", "Git repo"),
)
# Security context members a confidential group was seen taking: Azure says only `privileged`
# (MicrosoftDocs/azure-docs#123837, refusing a seccompProfile), yet it created a confidential
# group whose context also held allowPrivilegeEscalation and empty capabilities (recorded:
# test_container_create_with_confidential_sku, 2023). Capabilities that add or drop one are
# refused (our reading of "only").
CONFIDENTIAL_SECURITY_CONTEXT = frozenset({"privileged", "allowprivilegeescalation"})


def _member(obj: dict[str, Any], name: str) -> Any:
    wanted = name.lower()
    return next((v for k, v in obj.items() if k.lower() == wanted), None)


def _containers(props: dict[str, Any]) -> list[dict[str, Any]]:
    return list(props.get("containers") or []) + list(props.get("initContainers") or [])


def check_environment(group: str, props: dict[str, Any], api_version: str | None) -> None:
    """A variable has one of `value` and `secureValue`, not both (mage-ai/mage-ai#4872; one
    with neither is accepted: no real answer refuses it, our reading); no `secureValue` before
    the version that introduced it (Azure/azure-cli#6643)."""
    for container in _containers(props):
        for variable in container["properties"].get("environmentVariables") or []:
            value, secure = _member(variable, "value"), _member(variable, "secureValue")
            if value is not None and secure is not None:
                raise bad_request(
                    "InvalidEnvironmentVariable",
                    f"The environment variable '{variable.get('name')}' in container "
                    f"'{container['name']}' of container group '{group}' is invalid. One and "
                    "only one property of 'value' and 'secureValue' can be specified in an "
                    "environment variable.",
                )
            if secure is not None and api_version and api_version[:10] < SECURE_VALUE_SINCE:
                # The code is our reading (the source shows only the text).
                raise bad_request(
                    "SecureEnvironmentVariableNotSupported",
                    "The secure environment variable is not supported before version "
                    f"'{SECURE_VALUE_SINCE}'.",
                )


def check_volume_mounts(props: dict[str, Any]) -> None:
    """A mount path with a colon, on every OS (virtual-kubelet/virtual-kubelet#367: a Windows
    drive letter; the Azure CLI refuses one itself before sending, in other words:
    azure-cli's container/_validators.py), checked before the volumes a Windows group cannot
    mount: none of Azure File (the same issue), emptyDir, secret and gitRepo (the docs' pages
    for each: "currently restricted to Linux containers")."""
    for container in _containers(props):
        for mount in container["properties"].get("volumeMounts") or []:
            path = mount.get("mountPath")
            if isinstance(path, str) and ":" in path:
                raise bad_request(
                    "InvalidVolumeMountPath",
                    f"The volume mount path '{path}' in container '{container['name']}' is "
                    "invalid. It can't contain ':'.",
                )
    defined = {volume.get("name") for volume in props.get("volumes") or []}
    for container in _containers(props):
        missing = [
            str(mount.get("name"))
            for mount in container["properties"].get("volumeMounts") or []
            if mount.get("name") not in defined
        ]
        if missing:
            # virtual-kubelet/virtual-kubelet#367 (Azure's missing space kept); several names
            # joined by commas is our reading.
            raise bad_request(
                "VolumesNotFound",
                f"Volumes '{','.join(dict.fromkeys(missing))}' in container "
                f"'{container['name']}'are not found.",
            )
    if str(props.get("osType")).lower() != "windows":
        return
    for volume in props.get("volumes") or []:
        for key, kind in VOLUME_KINDS:
            if _member(volume, key) is not None:
                raise bad_request(
                    "WindowsContainersVolumeNotSupported",
                    f"{kind} volumes are not supported for Windows containers.",
                )


def check_confidential_security_context(props: dict[str, Any]) -> None:
    """A confidential group's containers may set little of their security context (see
    CONFIDENTIAL_SECURITY_CONTEXT; Azure's grammar kept)."""
    if str(props.get("sku")).lower() != "confidential":
        return
    for container in _containers(props):
        context = container["properties"].get("securityContext") or {}
        capabilities = _member(context, "capabilities") or {}
        if any(
            k.lower() not in CONFIDENTIAL_SECURITY_CONTEXT
            and not (k.lower() == "capabilities" and not any(capabilities.values()))
            for k in context
        ):
            raise bad_request(
                "SecurityContextNotSupported",
                f"Some SecurityContext properties in container '{container['name']}' is not "
                'supported. Only the "Privileged" flag is supported.',
            )


# Json.NET's words for an object where its type is a list (gbowerman/azurerm#29 names the type
# of environment variables; other lists keep the schema's words, their type names unknown).
ENVIRONMENT_LIST_TYPE = (
    "Microsoft.Azure.CloudConsole.Providers.Data.Definition.ContainerEnvironmentVariable[]"
)


def check_environment_lists(body: Any) -> None:
    """Environment variables sent as an object where Json.NET reads a list: its own words."""
    props = body.get("properties") if isinstance(body, dict) else None
    if not isinstance(props, dict):
        return
    for kind in ("containers", "initContainers"):
        containers = props.get(kind)
        for i, container in enumerate(containers if isinstance(containers, list) else []):
            cprops = container.get("properties") if isinstance(container, dict) else None
            if isinstance(cprops, dict) and isinstance(cprops.get("environmentVariables"), dict):
                raise invalid_content(
                    'Cannot deserialize the current JSON object (e.g. {"name":"value"}) into '
                    f"type '{ENVIRONMENT_LIST_TYPE}' because the type requires a JSON array "
                    "(e.g. [1,2,3]) to deserialize correctly.\r\nTo fix this error either change "
                    "the JSON to a JSON array (e.g. [1,2,3]) or change the deserialized type so "
                    "that it is a normal .NET type (e.g. not a primitive type like integer, not a "
                    "collection type like an array or List<T>) that can be deserialized from a "
                    "JSON object. JsonObjectAttribute can also be added to the type to force it "
                    "to deserialize from a JSON object.\r\nPath "
                    f"'properties.{kind}[{i}].properties.environmentVariables'"
                )
