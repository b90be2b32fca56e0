"""Request validation as the service does it: names, required fields, enums, ports, limits.

The SDKs validate nothing client-side, so every rule here is what a user meets first. A body's
types are checked first, all of them in one pass (schema.py): the rules may rely on them.
Messages follow Azure's wording where a real payload is known (see emulator/README.md).
"""

from __future__ import annotations

import base64
import re
from typing import Any

from aci_emulator.backend import rules_container_group, schema
from aci_emulator.errors import ArmError, bad_request

# Group names are read case-insensitively, as ARM reads names: Azure took 'myIMG',
# 'ForTesting' and 'MyContainerGroup' (MicrosoftDocs/azure-docs#37604, CompositionalIT/farmer#210,
# #125). Container names stay lowercase.
GROUP_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", re.IGNORECASE)
CONTAINER_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_LABEL = re.compile(r"^[a-z][-a-z0-9]{3,61}[a-z0-9]$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
VOLUME_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
RESOURCE_GROUP_NAME = re.compile(r"^[-\w._()]{1,90}$")
IMAGE_REFERENCE = re.compile(
    r"^(?:[a-zA-Z0-9.-]+(?::\d+)?/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*"
    r"(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$"
)

OS_TYPES = ("Linux", "Windows")
RESTART_POLICIES = ("Always", "OnFailure", "Never")
SKUS = ("Standard", "Dedicated", "Confidential")
PRIORITIES = ("Regular", "Spot")
IP_TYPES = ("Public", "Private")
PROTOCOLS = ("TCP", "UDP")
DNS_SCOPES = ("Unsecure", "TenantReuse", "SubscriptionReuse", "ResourceGroupReuse", "Noreuse")

# What one container group may request in a region (the capabilities the emulator reports).
MAX_CPU_PER_GROUP = 4.0
MAX_MEMORY_PER_GROUP = 16.0
# Limits Azure enforces (sources in emulator/README.md, "Limits").
MAX_CONTAINERS = 60  # per container group
MAX_TAGS = 50  # per resource or resource group
MAX_TAG_NAME = 512
MAX_TAG_VALUE = 256


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


def invalid_content(detail: str) -> ArmError:
    return bad_request(
        "InvalidRequestContent",
        f"The request content was invalid and could not be deserialized: '{detail}'.",
    )


def required(obj: dict[str, Any], key: str, path: str) -> Any:
    value = obj.get(key)
    if value is None or value == "" or value == []:
        raise invalid_content(f"Required property '{key}' not found in JSON. Path '{path}'")
    return value


def enum(obj: dict[str, Any], key: str, path: str, allowed: tuple[str, ...], default: str) -> str:
    value = obj.get(key)
    if value is None:
        return default
    for choice in allowed:
        if isinstance(value, str) and value.lower() == choice.lower():
            return choice
    raise invalid_content(
        f"Error converting value \"{value}\" to type '{key}'. Allowed values: "
        f"{', '.join(allowed)}. Path '{path}.{key}'"
    )


def number(obj: dict[str, Any], key: str, path: str) -> float:
    value = required(obj, key, path)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid_content(f"Could not convert '{value}' to a number. Path '{path}.{key}'")
    return float(value)


def check_group_name(name: str) -> None:
    if not (1 <= len(name) <= 63 and GROUP_NAME.fullmatch(name) and "--" not in name):
        raise bad_request(
            "InvalidContainerGroupName",
            f"The container group name '{name}' is invalid. The container group name must contain "
            "no more than 63 characters and must match the regex '[a-z0-9]([-a-z0-9]*[a-z0-9])?' "
            "(e.g. 'my-name'), without consecutive hyphens.",
        )


def check_resource_group_name(name: str) -> None:
    if RESOURCE_GROUP_NAME.fullmatch(name) and not name.endswith("."):
        return
    if len(name) > 90:
        raise bad_request(
            "InvalidResourceGroup",
            f"The provided resource group name '{name}' is too long. The name can be at most 90 "
            "characters long.",
        )
    bad = "".join(sorted({c for c in name if not (c.isalnum() or c in "-._()")})) or name[-1:]
    raise bad_request(
        "InvalidResourceGroup",
        f"The provided resource group name '{name}' has these invalid characters: '{bad}'. "
        "The name can only be a letter, digit, '-', '.', '(', ')' or '_'.",
    )


def check_types(body: Any, shape: schema.Type) -> None:
    """The whole body against the API's types, before any rule looks at a value."""
    try:
        schema.check(body, shape)
    except schema.TypeMismatch as err:
        raise invalid_content(str(err)) from err


def check_body(body: Any, shape: schema.Type = schema.RESOURCE_UPDATE) -> None:
    """A PUT or PATCH body of a resource (group): its types, then Azure's limits on tags."""
    check_types(body, shape)
    check_tags(body.get("tags") or {})


def check_tags(tags: dict[str, str]) -> None:
    if len(tags) > MAX_TAGS:
        raise bad_request(
            "InvalidTags",
            f"Too many tags specified. Requested tag count - '{len(tags)}'. Maximum number of "
            f"tags allowed - '{MAX_TAGS}'.",
        )
    for name, value in tags.items():
        if not name.strip():
            raise bad_request(
                "InvalidTagName",
                "The tag name must be non-null, non-empty and non-whitespace only. Please "
                "provide an actual value.",
            )
        if len(name) > MAX_TAG_NAME:
            raise bad_request(
                "InvalidTagNameLength",
                f"Tag name too large. Following tag name '{name[:40]}...' exceeded the maximum "
                f"length. Maximum allowed length for tag name - '{MAX_TAG_NAME}' characters.",
            )
        if len(value) > MAX_TAG_VALUE:
            raise bad_request(
                "InvalidTagValueLength",
                f"Tag value too large. Following tag value '{value[:40]}...' exceeded the "
                f"maximum length. Maximum allowed length for tag value - '{MAX_TAG_VALUE}' "
                "characters.",
            )


def validate_container_group(
    name: str, body: dict[str, Any], api_version: str | None = None
) -> dict[str, Any]:
    """Check a PUT body and return its properties with the service's defaults filled in."""
    check_group_name(name)
    check_body(body, schema.CONTAINER_GROUP)  # from here on every value has its spec's type
    body = schema.without_nulls(body)
    props = _validate_container_group(name, body)
    rules_container_group.check_all(name, props, body, api_version)
    return props


def _validate_container_group(name: str, body: dict[str, Any]) -> dict[str, Any]:
    required(body, "location", "")
    props = required(body, "properties", "")
    if not isinstance(props, dict):
        raise invalid_content("Unexpected value for 'properties'. Path 'properties'")
    props = dict(props)
    containers = required(props, "containers", "properties")
    if len(containers) > MAX_CONTAINERS:
        raise bad_request(
            "TooManyContainers",
            f"The container group '{name}' has {len(containers)} containers. A container group "
            f"may have at most {MAX_CONTAINERS} containers.",
        )
    os_type = props.get("osType")
    if not isinstance(os_type, str) or os_type.lower() not in ("linux", "windows"):
        shown = "<null>" if os_type is None else os_type
        raise bad_request(
            "InvalidOsType",
            f"The 'osType' for container group '{shown}' is invalid. The value must be one of "
            "'Windows,Linux'.",
        )
    props["osType"] = enum(props, "osType", "properties", OS_TYPES, "")
    props["restartPolicy"] = enum(props, "restartPolicy", "properties", RESTART_POLICIES, "Always")
    props["sku"] = enum(props, "sku", "properties", SKUS, "Standard")
    if props["sku"] == "Confidential":
        # Without a policy of its own, a confidential group runs under an allow-all one, which
        # Azure returns (recorded: test_container_create_with_confidential_sku).
        confidential = dict(props.get("confidentialComputeProperties") or {})
        confidential.setdefault("ccePolicy", ALLOW_ALL_CCE_POLICY)
        props["confidentialComputeProperties"] = confidential
    if props.get("priority") is not None:  # returned only when sent, as recorded
        props["priority"] = enum(props, "priority", "properties", PRIORITIES, "Regular")
    props["containers"] = [_container(name, c, i) for i, c in enumerate(containers)]
    props["initContainers"] = [
        _container(name, c, i, init=True) for i, c in enumerate(props.get("initContainers") or [])
    ]
    _unique_container_names(name, props["containers"] + props["initContainers"])
    for credential in props.get("imageRegistryCredentials") or []:
        required(credential, "server", "properties.imageRegistryCredentials")
    if props.get("ipAddress") is not None:
        props["ipAddress"] = _ip_address(name, props["ipAddress"], props["containers"])
    for volume in props.get("volumes") or []:
        vname = required(volume, "name", "properties.volumes")
        if not (5 <= len(vname) <= 63 and VOLUME_NAME.fullmatch(vname)):
            raise bad_request(
                "InvalidVolumeName",
                f"The volume name '{vname}' in container group '{name}' is invalid. The volume name "
                "must be between 5 and 63 characters long, contain only lowercase letters, numbers "
                "and hyphens, and start and end with a letter or number.",
            )
    return props


def _container(group: str, container: dict[str, Any], index: int, init: bool = False) -> dict:
    kind = "initContainers" if init else "containers"
    path = f"properties.{kind}[{index}]"
    cname = required(container, "name", path)
    if not (len(cname) <= 63 and CONTAINER_NAME.fullmatch(cname)):
        raise bad_request(
            "InvalidContainerName",
            f"The container name '{cname}' in container group '{group}' is invalid. The container "
            "name must contain no more than 63 characters and must match the regex "
            "'[a-z0-9]([-a-z0-9]*[a-z0-9])?' (e.g. 'my-name').",
        )
    cprops = dict(required(container, "properties", path))
    image = required(cprops, "image", f"{path}.properties")
    if not isinstance(image, str) or not IMAGE_REFERENCE.fullmatch(image):
        raise bad_request(
            "InvalidImageName",
            f"The image name '{image}' of container '{cname}' in container group '{group}' is not "
            "a valid image reference. Use '<registry>/<repository>:<tag>', in lowercase.",
        )
    if not init:
        requests = (cprops.get("resources") or {}).get("requests") or {}
        if requests.get("cpu") is None and requests.get("memoryInGB") is None:
            raise bad_request(
                "ResourceRequestsNotSpecified",
                f"The resource requests are not specified in container '{cname}' of contain group "
                f"'{group}'. Both memory and CPU requests are required since API version "
                "'2017-07-01-preview'.",
            )
        for key, label in (("cpu", "Cpu"), ("memoryInGB", "MemoryInGB")):
            if requests.get(key) is None:
                # The service names its own .NET type, and writes "contain group"
                # (virtual-kubelet/virtual-kubelet#50).
                raise bad_request(
                    "ResourceSomeRequestsNotSpecified",
                    f"The '{label}' request is not specified in "
                    "'Microsoft.Azure.CloudConsole.Providers.Common.Entities.ComputeResources' in "
                    f"container '{cname}' of contain group '{group}'. It is required since API "
                    "version '2017-07-01-preview'.",
                )
        rpath = f"{path}.properties.resources.requests"
        cpu = number(requests, "cpu", rpath)
        memory = number(requests, "memoryInGB", rpath)
        if cpu <= 0 or memory <= 0:
            raise bad_request(
                "InvalidContainerResourceRequests",
                f"The resource requests of container '{cname}' in container group '{group}' are "
                "invalid: CPU and memory must be greater than 0.",
            )
    cprops["ports"] = [
        _port(group, p, f"{path}.properties.ports") for p in cprops.get("ports") or []
    ]
    cprops["environmentVariables"] = [
        _environment_variable(group, cname, e) for e in cprops.get("environmentVariables") or []
    ]
    return {"name": cname, "properties": cprops}


def _unique_container_names(group: str, containers: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for container in containers:
        if container["name"] in seen:
            raise bad_request(
                "DuplicateContainerName",
                f"The container name '{container['name']}' in container group '{group}' is used "
                "more than once. Container names must be unique within a container group.",
            )
        seen.add(container["name"])


def _port(group: str, port: dict[str, Any], path: str) -> dict[str, Any]:
    number_ = required(port, "port", path)
    if isinstance(number_, bool) or not isinstance(number_, int) or not 1 <= number_ <= 65535:
        raise bad_request(
            "InvalidPort",
            f"The port '{number_}' in container group '{group}' is invalid. A port must be an "
            "integer between 1 and 65535.",
        )
    result = {"port": number_}
    if port.get("protocol") is not None:
        result["protocol"] = enum(port, "protocol", path, PROTOCOLS, "TCP")
    return result


def _environment_variable(group: str, container: str, variable: dict[str, Any]) -> dict:
    vname = required(variable, "name", "environmentVariables")
    if not ENV_NAME.fullmatch(vname):
        # Azure's text, two spaces before each "or" included (Azure/azure-cli#21047).
        raise bad_request(
            "InvalidContainerEnvironmentVariable",
            f"The environment variable name in container '{container}' of container group "
            f"'{group}' is invalid. A valid environment variable name must start with alphabetic "
            "character or '_', followed by a string of alphanumeric characters or '_' "
            "(e.g. 'my_name',  or 'MY_NAME',  or 'MyName').",
        )
    result = {"name": vname}
    # Property names are read case-insensitively, as Azure does ('SecureValue' is a secure value).
    by_lower = {k.lower(): v for k, v in variable.items() if isinstance(k, str)}
    for key in ("value", "secureValue"):
        if by_lower.get(key.lower()) is not None:
            result[key] = str(by_lower[key.lower()])
    return result


def _ip_address(group: str, ip: dict[str, Any], containers: list[dict]) -> dict[str, Any]:
    path = "properties.ipAddress"
    if ip.get("ports") == []:
        raise bad_request(
            "MissingIpAddressPorts",
            f"The ports in the 'ipAddress' of container group '{group}' cannot be empty.",
        )
    ports = required(ip, "ports", path)
    result = dict(ip)
    result["ports"] = [_port(group, p, f"{path}.ports") for p in ports]
    for p in result["ports"]:
        p.setdefault("protocol", "TCP")
    result["type"] = enum(ip, "type", path, IP_TYPES, "")
    if not result["type"]:
        raise invalid_content(f"Required property 'type' not found in JSON. Path '{path}'")
    exposed = {p["port"] for c in containers for p in c["properties"]["ports"]}
    missing = [p["port"] for p in result["ports"] if p["port"] not in exposed]
    if missing:
        raise bad_request(
            "UnreferencedIpAddressPorts",
            f"Following ports '{','.join(map(str, missing))}' in the 'ipAddress' are not used by "
            f"any container in container group '{group}'.",
        )
    label = ip.get("dnsNameLabel")
    # Azure returns the reuse scope only beside a DNS name label (recorded: sent, not returned).
    result.pop("autoGeneratedDomainNameLabelScope", None)
    if label is not None:
        if not (isinstance(label, str) and DNS_LABEL.fullmatch(label)):
            raise bad_request(
                "InvalidDnsNameLabel",
                f"The DNS name label '{label}' in container group '{group}' is invalid. It can "
                "contain only lowercase letters, numbers and hyphens. The first character must be "
                "a letter. The last character must be a letter or number. The value must be "
                "between 5 and 63 characters long.",
            )
        result["autoGeneratedDomainNameLabelScope"] = enum(
            ip, "autoGeneratedDomainNameLabelScope", path, DNS_SCOPES, "Unsecure"
        )
    return result


def check_regional_limits(location: str, props: dict[str, Any]) -> None:
    """A group asking for more than a region offers one group (4 CPU, 16 GB) gets Azure's
    capacity answer: 409 ServiceUnavailable, naming the group's total request."""
    requests = [c["properties"]["resources"]["requests"] for c in props["containers"]]
    cpu = round(sum(float(r["cpu"]) for r in requests), 6)  # 3 x 0.1 is 0.3, not 0.30000000004
    memory = round(sum(float(r["memoryInGB"]) for r in requests), 6)
    if cpu > MAX_CPU_PER_GROUP or memory > MAX_MEMORY_PER_GROUP:
        raise ArmError(
            409,
            "ServiceUnavailable",
            f"The requested resource is not available in the location '{location}' at this "
            "moment. Please retry with a different resource request or in another location. "
            f"Resource requested: '{format_number(cpu)}' CPU '{format_number(memory)}' GB memory "
            f"'{props['osType']}' OS",
        )


def format_number(value: float) -> str:
    """1.0 as '1', 1.5 as '1.5': numbers as the service writes them in messages."""
    return str(int(value)) if float(value).is_integer() else str(value)
