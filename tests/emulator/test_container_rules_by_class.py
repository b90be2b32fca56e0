"""Container Instances' rules for what a group holds, each over the class Hypothesis draws, not
the example it was read from (tests/fidelity/errors/, emulator/README.md's error table):
environment variables, volumes and mount paths by OS, a private address's DNS label and subnet,
a confidential group's security context, names ARM refuses, members no spec defines.
Through the real SDK where a client can send the input; raw HTTPS where it cannot.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import requests
from aci_builders import ACI_API, HELLO, container, group, wire_group
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.containerinstance.models import (
    AzureFileVolume,
    ConfidentialComputeProperties,
    ContainerGroupSubnetId,
    EnvironmentVariable,
    GitRepoVolume,
    SecurityContextCapabilitiesDefinition,
    SecurityContextDefinition,
    Volume,
    VolumeMount,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aci_emulator.web.app import ACI_VERSIONS

SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
VOLUME_KINDS = {
    "azureFile": "Azure file",
    "emptyDir": "Empty directory",
    "secret": "Secret",
    "gitRepo": "Git repo",
}


def fresh() -> str:
    """A group name no earlier example used (Hypothesis may draw one input twice)."""
    return "cg-" + uuid.uuid4().hex[:12]


def sdk_error(aci, rg: str, name: str, definition: Any) -> HttpResponseError:
    with pytest.raises(HttpResponseError) as err:
        aci.container_groups.begin_create_or_update(rg, name, definition).result()
    with pytest.raises(ResourceNotFoundError):  # nothing was stored
        aci.container_groups.get(rg, name)
    return err.value


# -- environment variables --------------------------------------------------------------------------
@SETTINGS
@given(
    value=st.booleans(),
    secure=st.booleans(),
    variable=st.from_regex(r"[A-Z_]{1,20}", fullmatch=True),
)
def test_a_variable_has_one_of_value_and_secure_value(aci, rg, value, secure, variable):
    name = fresh()
    env = EnvironmentVariable(
        name=variable, value="v" if value else None, secure_value="s" if secure else None
    )
    definition = group(container(ports=[80]))
    definition.containers[0].environment_variables = [env]
    if not (value and secure):  # one, or neither (no real answer refuses neither)
        aci.container_groups.begin_create_or_update(rg, name, definition).result()
        return
    error = sdk_error(aci, rg, name, definition)
    assert error.status_code == 400
    assert error.error.code == "InvalidEnvironmentVariable"
    assert error.error.message == (
        f"The environment variable '{variable}' in container 'app' of container group '{name}' is "
        "invalid. One and only one property of 'value' and 'secureValue' can be specified in an "
        "environment variable."
    )


@SETTINGS
@given(
    version=st.sampled_from(ACI_VERSIONS),
    casing=st.sampled_from(["secureValue", "SecureValue", "securevalue"]),
)
def test_a_secure_value_needs_its_api_version(raw, rg, version, casing):
    name = fresh()
    variables = [{"name": "SECRET", casing: "s"}]
    body = wire_group()
    body["properties"]["containers"][0]["properties"]["environmentVariables"] = variables

    answer = raw.request("PUT", raw.cg_path(rg, name), api_version=version, json=body)

    if version >= "2018-06-01":
        assert answer.status_code in (200, 201), answer.text
        return
    assert answer.status_code == 400
    assert answer.json()["error"] == {
        "code": "SecureEnvironmentVariableNotSupported",
        "message": "The secure environment variable is not supported before version '2018-06-01'.",
    }


# -- volumes and mount paths by OS --------------------------------------------------------------------
def volume(kind: str) -> Volume:
    return Volume(
        name="data",
        azure_file=AzureFileVolume(
            share_name="s", storage_account_name="a", storage_account_key="k"
        )
        if kind == "azureFile"
        else None,
        empty_dir={} if kind == "emptyDir" else None,
        secret={"f": "aGk="} if kind == "secret" else None,
        git_repo=GitRepoVolume(repository="https://example.invalid/r.git")
        if kind == "gitRepo"
        else None,
    )


@SETTINGS
@given(
    kind=st.sampled_from(sorted(VOLUME_KINDS)),
    os_type=st.sampled_from(["Linux", "Windows"]),
    path=st.from_regex(r"/[a-z]{1,8}(/[a-z]{1,8}){0,2}", fullmatch=True),
    colon_at=st.none() | st.integers(0, 30),
)
def test_mount_paths_and_the_volumes_an_os_can_mount(aci, rg, kind, os_type, path, colon_at):
    """A colon anywhere in a mount path is refused on every OS, before what a Windows group
    cannot mount: any volume at all (virtual-kubelet/virtual-kubelet#367, the docs' pages)."""
    name = fresh()
    if colon_at is not None:
        path = path[: colon_at % (len(path) + 1)] + ":" + path[colon_at % (len(path) + 1) :]
    image = "mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2022"
    box = container(image=image if os_type == "Windows" else HELLO, ports=[80])
    box.volume_mounts = [VolumeMount(name="data", mount_path=path)]
    definition = group(box, os_type=os_type, volumes=[volume(kind)])

    if colon_at is None and os_type == "Linux":
        aci.container_groups.begin_create_or_update(rg, name, definition).result()
        return
    error = sdk_error(aci, rg, name, definition)
    assert error.status_code == 400
    if colon_at is not None:
        assert error.error.code == "InvalidVolumeMountPath"
        assert error.error.message == (
            f"The volume mount path '{path}' in container 'app' is invalid. It can't contain ':'."
        )
    else:
        assert error.error.code == "WindowsContainersVolumeNotSupported"
        assert error.error.message == (
            f"{VOLUME_KINDS[kind]} volumes are not supported for Windows containers."
        )


# -- networking -------------------------------------------------------------------------------------
@SETTINGS
@given(
    version=st.sampled_from([v for v in ACI_VERSIONS if v >= "2018-10-01"]),
    subnet=st.booleans(),
)
def test_a_private_address_takes_no_dns_label_whatever_else_is_missing(raw, rg, version, subnet):
    """Azure answered the label's rule though no subnet was sent (Azure/aci-deploy#53)."""
    name = fresh()
    body = wire_group(
        ipAddress={"type": "Private", "dnsNameLabel": "mylabel1", "ports": [{"port": 80}]}
    )
    body["properties"]["containers"][0]["properties"]["ports"] = [{"port": 80}]
    if subnet:
        body["properties"]["subnetIds"] = [
            {
                "id": f"/subscriptions/{raw.subscription_id}/resourceGroups/n/providers/Microsoft.Network/virtualNetworks/v/subnets/s"
            }
        ]

    answer = raw.request("PUT", raw.cg_path(rg, name), api_version=version, json=body)

    assert answer.status_code == 400
    assert answer.json()["error"] == {
        "code": "DnsNameLabelNotSupportedForPrivateIp",
        "message": "DNS name label for container group is only supported when IP Address type is public.",
    }


@SETTINGS
@given(other=st.booleans(), upper=st.booleans())
def test_a_subnet_is_in_the_group_s_subscription(aci, raw, rg, other, upper):
    name = fresh()
    sub = str(uuid.uuid4()) if other else raw.subscription_id
    sub = sub.upper() if upper else sub
    subnet_id = f"/subscriptions/{sub}/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/v/subnets/aci"
    definition = group(
        container(ports=[80]), public=False, subnet_ids=[ContainerGroupSubnetId(id=subnet_id)]
    )
    definition.ip_address = None

    if not other:  # the same subscription in any casing
        aci.container_groups.begin_create_or_update(rg, name, definition).result()
        return
    error = sdk_error(aci, rg, name, definition)
    assert error.status_code == 400
    assert error.error.code == "SubnetAndContainerGroupMustBeInSameSubscription"
    assert error.error.message == (
        f"The subnet '{subnet_id}' and container group '{name}' must be in the same subscription."
    )


# -- a confidential group's security context ---------------------------------------------------------
@SETTINGS
@given(
    privileged=st.none() | st.booleans(),
    escalation=st.none() | st.booleans(),
    run_as_user=st.none() | st.integers(0, 1000),
    seccomp=st.none() | st.just("eyJkZWZhdWx0QWN0aW9uIjoiU0NNUF9BQ1RfQUxMT1cifQ=="),
    added=st.lists(st.sampled_from(["NET_ADMIN", "SYS_TIME"]), max_size=2),
    sku=st.sampled_from(["Confidential", "Standard"]),
)
def test_what_a_confidential_group_s_security_context_may_hold(
    aci, rg, privileged, escalation, run_as_user, seccomp, added, sku
):
    name = fresh()
    context = SecurityContextDefinition(
        privileged=privileged,
        allow_privilege_escalation=escalation,
        run_as_user=run_as_user,
        seccomp_profile=seccomp,
        capabilities=SecurityContextCapabilitiesDefinition(add=added or None),
    )
    box = container(ports=[80])
    box.security_context = context
    definition = group(box, sku=sku)
    if sku == "Confidential":
        definition.confidential_compute_properties = ConfidentialComputeProperties()
    refused = sku == "Confidential" and (run_as_user is not None or seccomp or added)

    if not refused:
        aci.container_groups.begin_create_or_update(rg, name, definition).result()
        return
    error = sdk_error(aci, rg, name, definition)
    assert error.status_code == 400
    assert error.error.code == "SecurityContextNotSupported"
    assert error.error.message == (
        "Some SecurityContext properties in container 'app' is not supported. Only the "
        '"Privileged" flag is supported.'
    )


# -- names ARM refuses ------------------------------------------------------------------------------
@SETTINGS
@given(
    base=st.from_regex(r"[a-z][a-z0-9]{0,20}", fullmatch=True),
    tail=st.text(". ", min_size=1, max_size=3),
)
def test_a_name_ending_with_a_dot_or_a_space_is_refused_by_arm(aci, rg, base, tail):
    name = base + tail

    expected = (
        f"The provided resource name '{name}' has these invalid trailing characters: '{tail}'. "
        "The name can not end with characters: '. '."
    )

    error = sdk_error(aci, rg, name, group())
    with pytest.raises(HttpResponseError) as deleted:
        aci.container_groups.begin_delete(rg, name).result()

    for refused in (error, deleted.value):
        assert refused.status_code == 400
        assert refused.error.code == "InvalidResourceNameTrailingCharacters"
        assert refused.error.message == expected


# -- members no vendored spec defines ----------------------------------------------------------------
PLACES = {
    # where in the group's properties, the type Azure names, how to put a member there
    "emptyDir": ("EmptyDirVolume", "volumes[0].emptyDir"),
    "azureFile": ("AzureFileVolume", "volumes[0].azureFile"),
    "requests": ("ResourceRequests", "containers[0].properties.resources.requests"),
    "port": ("Port", "ipAddress.ports[0]"),
    "container": ("ContainerProperties", "containers[0].properties"),
}


def _at(body: dict[str, Any], dotted: str) -> dict[str, Any]:
    node: Any = body["properties"]
    for part in dotted.replace("]", "").replace("[", ".").split("."):
        node = node[int(part)] if part.isdigit() else node[part]
    return node


@SETTINGS
@given(
    place=st.sampled_from(sorted(PLACES)),
    member=st.from_regex(r"[a-z][a-zA-Z]{2,15}", fullmatch=True),
    version=st.sampled_from([v for v in ACI_VERSIONS if v <= "2025-09-01"]),
)
def test_a_member_no_spec_defines_is_refused_at_any_depth(raw, rg, place, member, version):
    name = fresh()
    type_name, where = PLACES[place]
    body = wire_group(
        volumes=[
            {"name": "data", "emptyDir": {}}
            if place != "azureFile"
            else {
                "name": "data",
                "azureFile": {
                    "shareName": "s",
                    "storageAccountName": "a",
                    "storageAccountKey": "k",
                },
            }
        ],
        ipAddress={"type": "Public", "ports": [{"port": 80}]},
    )
    body["properties"]["containers"][0]["properties"]["ports"] = [{"port": 80}]
    target = _at(body, where)
    known = {key.lower() for key in target} | {"name", "protocol", "gpu", "limits"}
    if member.lower() in known or member.lower() in {
        "readonly",
        "sharename",
        "storageaccountname",
        "storageaccountkey",
        "image",
        "command",
        "ports",
        "environmentvariables",
        "resources",
        "volumemounts",
        "livenessprobe",
        "readinessprobe",
        "securitycontext",
        "configmap",
        "instanceview",
        "cpu",
        "memoryingb",
        "port",
        "secretreference",
        "storageaccountkeyreference",
    }:
        return
    target[member] = "x"
    text = json.dumps(body)
    # Json.NET reports the member once its name and colon are read.
    position = text.index(f'"{member}":') + len(member) + 3

    answer = requests.put(
        raw.url(raw.cg_path(rg, name)),
        params={"api-version": version},
        data=text,
        headers={"Authorization": f"Bearer {raw.token}", "Content-Type": "application/json"},
        verify=raw.ca_bundle,
        timeout=30,
    )

    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["message"] == (
        "The request content was invalid and could not be deserialized: 'Could not find member "
        f"'{member}' on object of type '{type_name}'. Path 'properties.{where}.{member}', line 1, "
        f"position {position}.'."
    )


@pytest.mark.parametrize("version", ACI_VERSIONS)
def test_a_get_sent_back_as_it_came_is_accepted_at_every_version(raw, rg, version):
    """What Azure returns (read-only members such as an init container's instance view, and
    members beyond the spec such as a registry credential's isDelegatedIdentity) is a member its
    types have: a round trip is not refused for members it does not know."""
    name = fresh()
    body = wire_group(
        imageRegistryCredentials=[
            {"server": "myregistry.azurecr.io", "username": "u", "password": "p"}
        ],
        volumes=[{"name": "cache", "emptyDir": {}}],
        initContainers=[{"name": "init", "properties": {"image": HELLO, "command": ["true"]}}],
    )
    body["properties"]["containers"][0]["properties"]["volumeMounts"] = [
        {"name": "cache", "mountPath": "/cache"}
    ]
    assert raw.request("PUT", raw.cg_path(rg, name), api_version=version, json=body).ok

    got = raw.request("GET", raw.cg_path(rg, name), api_version=version).json()
    for credential in got["properties"].get("imageRegistryCredentials") or []:
        credential["password"] = "p"  # never returned: a round trip sends it again
    again = raw.request("PUT", raw.cg_path(rg, name), api_version=version, json=got)

    assert again.status_code == 200, again.text


def test_the_first_unknown_member_in_the_text_is_the_one_named(raw, rg):
    """Json.NET reads the text in order and stops at the first member a type lacks."""
    body = wire_group(volumes=[{"name": "data", "emptyDir": {"medium": ""}}])
    body["properties"]["containers"][0]["properties"]["sizeLimit"] = "1Gi"
    body["properties"]["zzzLast"] = True

    answer = raw.request("PUT", raw.cg_path(rg, fresh()), api_version=ACI_API, json=body)

    assert answer.status_code == 400
    assert (
        "Could not find member 'sizeLimit' on object of type 'ContainerProperties'"
        in (answer.json()["error"]["message"])
    )


# -- mounts, ports and diagnostics measured on an independent batch ---------------------------------
@SETTINGS
@given(
    defined=st.lists(st.sampled_from(["data", "logs", "cache"]), unique=True, max_size=2),
    mounted=st.lists(st.sampled_from(["data", "logs", "cache", "Config"]), unique=True, min_size=1),
)
def test_a_mount_names_a_volume_of_the_group(aci, rg, defined, mounted):
    """VolumesNotFound names the mounts no volume of the group answers, in mount order
    (virtual-kubelet/virtual-kubelet#367; the join of several names is our reading)."""
    app = container()
    app.volume_mounts = [VolumeMount(name=m, mount_path=f"/mnt/{m.lower()}") for m in mounted]
    definition = group(app, public=False)
    definition.volumes = [Volume(name=d, empty_dir={}) for d in defined]
    missing = [m for m in mounted if m not in defined]
    name = fresh()
    if not missing:
        aci.container_groups.begin_create_or_update(rg, name, definition).result()
        return
    err = sdk_error(aci, rg, name, definition)
    assert err.status_code == 400 and err.error.code == "VolumesNotFound"
    assert err.error.message == f"Volumes '{','.join(missing)}' in container 'app'are not found."


@SETTINGS
@given(
    group_protocol=st.sampled_from(["TCP", "UDP", "tcp", "udp", None]),
    container_protocol=st.sampled_from(["TCP", "UDP", None]),
)
def test_a_group_port_is_used_only_by_a_container_port_of_its_protocol(
    raw, rg, group_protocol, container_protocol
):
    """UnreferencedIpAddressPorts counts a port with its protocol, TCP when none is sent
    (Azure/azure-libraries-for-net#216: UDP on the group, TCP on the container)."""
    port = {"port": 4900} | ({"protocol": container_protocol} if container_protocol else {})
    ip_port = {"port": 4900} | ({"protocol": group_protocol} if group_protocol else {})
    body = wire_group(ipAddress={"type": "Public", "ports": [ip_port]})
    body["properties"]["containers"][0]["properties"]["ports"] = [port]
    name = fresh()
    answer = raw.request("PUT", raw.cg_path(rg, name), api_version=ACI_API, json=body)
    if (group_protocol or "TCP").upper() == (container_protocol or "TCP").upper():
        assert answer.status_code == 201, answer.text
        return
    assert answer.status_code == 400
    assert answer.json()["error"] == {
        "code": "UnreferencedIpAddressPorts",
        "message": "Following ports '4900' in the 'ipAddress' are not used by any container in "
        f"container group '{name}'.",
    }


@SETTINGS
@given(log_type=st.sampled_from([None, "ContainerInstanceLogs", "ContainerInsights"]))
def test_log_analytics_metadata_goes_with_container_insights_alone(raw, rg, log_type):
    analytics = {"workspaceId": str(uuid.uuid4()), "workspaceKey": "a2V5", "metadata": {"k": "v"}}
    if log_type:
        analytics["logType"] = log_type
    body = wire_group(diagnostics={"logAnalytics": analytics})
    answer = raw.request("PUT", raw.cg_path(rg, fresh()), api_version=ACI_API, json=body)
    if log_type == "ContainerInsights":
        assert answer.status_code == 201, answer.text
        return
    assert answer.status_code == 400
    assert answer.json()["error"] == {
        "code": "LogAnalyticsMetadataNotAllowed",
        "message": f"Log Analytics metadata is not allowed for log type: '{log_type or '<null>'}'.",
    }
