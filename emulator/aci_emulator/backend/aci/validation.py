"""The rules a container group's parts meet as its request is read: names, images, resource
requests, ports, environment variable names, the IP address and its DNS name label.

web/parse_aci.py reads a PUT body into models and calls these on each value as it reads it, in
the order Azure was seen answering (so that, of several errors, the same one is named); the
rules of the corpus run on the whole request afterwards (rules.py). The SDKs validate nothing
client-side, so every rule here is what a user meets first. Messages follow Azure's wording
where a real payload is known (see emulator/README.md).
"""

from __future__ import annotations

import base64
import re
from typing import get_args

from aci_emulator.backend import rules_arm
from aci_emulator.backend.aci.models import (
    Container,
    DnsNameLabelScope,
    IpAddressType,
    OsType,
    Port,
    Priority,
    Protocol,
    RestartPolicy,
    Sku,
)
from aci_emulator.errors import bad_request, invalid_port, invalid_resource_requests

# Group names are read case-insensitively, as ARM reads names: Azure took 'myIMG',
# 'ForTesting' and 'MyContainerGroup' (MicrosoftDocs/azure-docs#37604, CompositionalIT/farmer#210,
# #125). Container names stay lowercase.
GROUP_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", re.IGNORECASE | re.ASCII)
CONTAINER_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_LABEL = re.compile(r"^[a-z][-a-z0-9]{3,61}[a-z0-9]$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
VOLUME_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
IMAGE_REFERENCE = re.compile(
    r"^(?:[a-zA-Z0-9.-]+(?::\d+)?/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*"
    r"(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$"
)

# The spec's enums, in its order (a message lists them so): the models' Literal types.
OS_TYPES: tuple[str, ...] = get_args(OsType)
RESTART_POLICIES: tuple[str, ...] = get_args(RestartPolicy)
SKUS: tuple[str, ...] = get_args(Sku)
PRIORITIES: tuple[str, ...] = get_args(Priority)
IP_TYPES: tuple[str, ...] = get_args(IpAddressType)
PROTOCOLS: tuple[str, ...] = get_args(Protocol)
DNS_SCOPES: tuple[str, ...] = get_args(DnsNameLabelScope)

# Counts and numeric steps Azure documents: bounds.py.


# A confidential computing enforcement policy (Rego, base64) that allows every action.
ALLOW_ALL_CCE_POLICY = base64.b64encode(
    "\n".join(
        ["package policy", "", 'api_svn := "0.10.0"', ""]
        + [
            f'{rule} := {{"allowed": true}}'
            for rule in (
                "mount_device",
                "unmount_device",
                "mount_overlay",
                "unmount_overlay",
                "create_container",
                "exec_in_container",
                "exec_external",
                "shutdown_container",
                "signal_container_process",
                "get_properties",
                "dump_stacks",
                "runtime_logging",
            )
        ]
    ).encode()
).decode()


def check_group_name(name: str) -> None:
    rules_arm.check_resource_name(name)  # ARM's own rule comes first
    if not (1 <= len(name) <= 63 and GROUP_NAME.fullmatch(name) and "--" not in name):
        raise bad_request(
            "InvalidContainerGroupName",
            f"The container group name '{name}' is invalid. The container group name must contain "
            "no more than 63 characters and must match the regex '[a-z0-9]([-a-z0-9]*[a-z0-9])?' "
            "(e.g. 'my-name'), without consecutive hyphens.",
        )


def check_os_type(sent: str | None) -> None:
    """Named in the service's own words before the enum's converter sees it."""
    if not isinstance(sent, str) or sent.lower() not in ("linux", "windows"):
        shown = "<null>" if sent is None else sent
        raise bad_request(
            "InvalidOsType",
            f"The 'osType' for container group '{shown}' is invalid. The value must be one of "
            "'Windows,Linux'.",
        )


def priority(name: str, sent: str | None) -> Priority:
    """Azure names the choices itself (MicrosoftDocs/SupportArticles-docs:
    error-codes-spot-container-creation.md), not as a deserializer would."""
    for choice in get_args(Priority):
        if isinstance(sent, str) and sent.lower() == choice.lower():
            return choice
    raise bad_request(
        "PriorityNotSpecified",
        f"The 'Priority' must be one of '{','.join(PRIORITIES)}' for container group '{name}'.",
    )


def check_container_name(group: str, cname: str) -> None:
    if not (len(cname) <= 63 and CONTAINER_NAME.fullmatch(cname)):
        raise bad_request(
            "InvalidContainerName",
            f"The container name '{cname}' in container group '{group}' is invalid. The container "
            "name must contain no more than 63 characters and must match the regex "
            "'[a-z0-9]([-a-z0-9]*[a-z0-9])?' (e.g. 'my-name').",
        )


def check_image(group: str, cname: str, image: str) -> None:
    if not isinstance(image, str) or not IMAGE_REFERENCE.fullmatch(image):
        raise bad_request(
            "InvalidImageName",
            f"The image name '{image}' of container '{cname}' in container group '{group}' is not "
            "a valid image reference. Use '<registry>/<repository>:<tag>', in lowercase.",
        )


def check_requests_given(group: str, cname: str, cpu: object, memory: object) -> None:
    """Both CPU and memory are requested (the service's words, per missing one)."""
    if cpu is None and memory is None:
        raise bad_request(
            "ResourceRequestsNotSpecified",
            f"The resource requests are not specified in container '{cname}' of contain group "
            f"'{group}'. Both memory and CPU requests are required since API version "
            "'2017-07-01-preview'.",
        )
    for value, label in ((cpu, "Cpu"), (memory, "MemoryInGB")):
        if value is None:
            # The service names its own .NET type, and writes "contain group"
            # (virtual-kubelet/virtual-kubelet#50).
            raise bad_request(
                "ResourceSomeRequestsNotSpecified",
                f"The '{label}' request is not specified in "
                "'Microsoft.Azure.CloudConsole.Providers.Common.Entities.ComputeResources' in "
                f"container '{cname}' of contain group '{group}'. It is required since API "
                "version '2017-07-01-preview'.",
            )


def check_requests_positive(group: str, cname: str, cpu: float, memory: float) -> None:
    if cpu <= 0 or memory <= 0:
        raise invalid_resource_requests(
            f"The resource requests of container '{cname}' in container group '{group}' are "
            "invalid: CPU and memory must be greater than 0.",
        )


def check_unique_container_names(group: str, containers: list[Container]) -> None:
    seen: set[str] = set()
    for container in containers:
        if container.name in seen:
            raise bad_request(
                "DuplicateContainerName",
                f"The container name '{container.name}' in container group '{group}' is used "
                "more than once. Container names must be unique within a container group.",
            )
        seen.add(container.name)


def check_volume_name(group: str, vname: str) -> None:
    # No real answer shows a volume name refused: the container names' rule, with no
    # minimum length (short names such as 'data' are common), is our reading.
    if not (len(vname) <= 63 and VOLUME_NAME.fullmatch(vname)):
        raise bad_request(
            "InvalidVolumeName",
            f"The volume name '{vname}' in container group '{group}' is invalid. The volume name "
            "must contain no more than 63 characters and must match the regex "
            "'[a-z0-9]([-a-z0-9]*[a-z0-9])?' (e.g. 'my-name').",
        )


def check_port_number(group: str, number_: object) -> int:
    if isinstance(number_, bool) or not isinstance(number_, int) or not 1 <= number_ <= 65535:
        raise invalid_port(str(number_), f"in container group '{group}'")
    return number_


def check_environment_variable_name(group: str, container: str, vname: str) -> None:
    if not ENV_NAME.fullmatch(vname):
        # Azure's text, two spaces before each "or" included (Azure/azure-cli#21047).
        raise bad_request(
            "InvalidContainerEnvironmentVariable",
            f"The environment variable name in container '{container}' of container group "
            f"'{group}' is invalid. A valid environment variable name must start with alphabetic "
            "character or '_', followed by a string of alphanumeric characters or '_' "
            "(e.g. 'my_name',  or 'MY_NAME',  or 'MyName').",
        )


def check_ip_ports_not_empty(group: str, empty: bool) -> None:
    if empty:
        raise bad_request(
            "MissingIpAddressPorts",
            f"The ports in the 'ipAddress' of container group '{group}' cannot be empty.",
        )


def check_ip_ports_used(group: str, ports: list[Port], containers: list[Container]) -> None:
    """A port counts with its protocol (TCP when none is sent): UDP on the group and TCP on the
    container is not used (Azure/azure-libraries-for-net#216)."""
    exposed = {(p.port, str(p.protocol or "TCP").upper()) for c in containers for p in c.ports}
    missing = [p.port for p in ports if (p.port, str(p.protocol).upper()) not in exposed]
    if missing:
        raise bad_request(
            "UnreferencedIpAddressPorts",
            f"Following ports '{','.join(map(str, missing))}' in the 'ipAddress' are not used by "
            f"any container in container group '{group}'.",
        )


def check_dns_label(group: str, label: object) -> None:
    if not (isinstance(label, str) and DNS_LABEL.fullmatch(label)):
        raise bad_request(
            "InvalidDnsNameLabel",
            f"The DNS name label '{label}' in container group '{group}' is invalid. It can "
            "contain only lowercase letters, numbers and hyphens. The first character must be "
            "a letter. The last character must be a letter or number. The value must be "
            "between 5 and 63 characters long.",
        )
