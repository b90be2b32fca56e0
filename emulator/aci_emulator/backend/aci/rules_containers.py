"""Container Instances' rules for what a container holds: its environment variables, its
volume mounts and the volumes a group's OS can mount, its security context.

As in rules.py, each rule refuses what Azure was seen refusing, in Azure's words, and cites its
evidence (the cases in tests/fidelity/errors/, emulator/README.md's error table).
"""

from __future__ import annotations

from aci_emulator.backend.aci.models import ContainerGroupSpec, SecurityContext
from aci_emulator.errors import bad_request

# The api-version that introduced secure environment variables (Azure's own text names it).
SECURE_VALUE_SINCE = "2018-06-01"
# Volume types by their member in a volume, and how a message names them: Azure's words for
# an Azure File volume (virtual-kubelet/virtual-kubelet#367); the others are our reading.
VOLUME_KINDS = (
    ("azure_file", "Azure file"),
    ("empty_dir", "Empty directory"),
    ("secret", "Secret"),
    ("git_repo", "Git repo"),
)


def check_environment(group: str, spec: ContainerGroupSpec, api_version: str | None) -> None:
    """A variable has one of `value` and `secureValue`, not both (mage-ai/mage-ai#4872; one
    with neither is accepted: no real answer refuses it, our reading); no `secureValue` before
    the version that introduced it (Azure/azure-cli#6643)."""
    for container in spec.containers + spec.init_containers:
        for variable in container.environment_variables:
            value, secure = variable.value, variable.secure_value
            if value is not None and secure is not None:
                raise bad_request(
                    "InvalidEnvironmentVariable",
                    f"The environment variable '{variable.name}' in container "
                    f"'{container.name}' of container group '{group}' is invalid. One and "
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


def check_volume_mounts(spec: ContainerGroupSpec) -> None:
    """A mount path with a colon, on every OS (virtual-kubelet/virtual-kubelet#367: a Windows
    drive letter; the Azure CLI refuses one itself before sending, in other words:
    azure-cli's container/_validators.py), checked before the volumes a Windows group cannot
    mount: none of Azure File (the same issue), emptyDir, secret and gitRepo (the docs' pages
    for each: "currently restricted to Linux containers")."""
    containers = spec.containers + spec.init_containers
    for container in containers:
        for mount in container.volume_mounts:
            if mount.mount_path is not None and ":" in mount.mount_path:
                raise bad_request(
                    "InvalidVolumeMountPath",
                    f"The volume mount path '{mount.mount_path}' in container "
                    f"'{container.name}' is invalid. It can't contain ':'.",
                )
    defined = {volume.name for volume in spec.volumes}
    for container in containers:
        missing = [
            str(mount.name) for mount in container.volume_mounts if mount.name not in defined
        ]
        if missing:
            # virtual-kubelet/virtual-kubelet#367 (Azure's missing space kept); several names
            # joined by commas is our reading.
            raise bad_request(
                "VolumesNotFound",
                f"Volumes '{','.join(dict.fromkeys(missing))}' in container "
                f"'{container.name}'are not found.",
            )
    if spec.os_type != "Windows":
        return
    for volume in spec.volumes:
        kinds = [kind for field, kind in VOLUME_KINDS if getattr(volume, field)]
        if kinds:
            raise bad_request(
                "WindowsContainersVolumeNotSupported",
                f"{kinds[0]} volumes are not supported for Windows containers.",
            )


def check_confidential_security_context(spec: ContainerGroupSpec) -> None:
    """A confidential group's containers may set little of their security context (Azure's
    grammar kept)."""
    if spec.sku != "Confidential":
        return
    for container in spec.containers + spec.init_containers:
        context = container.security_context
        if context is not None and _beyond_confidential(context):
            raise bad_request(
                "SecurityContextNotSupported",
                f"Some SecurityContext properties in container '{container.name}' is not "
                'supported. Only the "Privileged" flag is supported.',
            )


def _beyond_confidential(context: SecurityContext) -> bool:
    """Does the context set more than a confidential group was seen taking? Azure says only
    `privileged` (MicrosoftDocs/azure-docs#123837, refusing a seccompProfile), yet it created a
    confidential group whose context also held allowPrivilegeEscalation and empty capabilities
    (recorded: test_container_create_with_confidential_sku, 2023). Capabilities that add or drop
    one are refused (our reading of "only"), as is every other member."""
    capabilities = context.capabilities
    return (
        context.run_as_group is not None
        or context.run_as_user is not None
        or context.seccomp_profile is not None
        or (capabilities is not None and bool(capabilities.add or capabilities.drop))
    )
