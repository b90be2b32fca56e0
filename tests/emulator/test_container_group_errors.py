"""Every rule the service checks on a container group, as the SDK user meets it: code and message."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
import requests
from aci_builders import ACI_API, NS, container, group, unique
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.containerinstance.models import (
    ContainerPort,
    InitContainerDefinition,
    IpAddress,
    Port,
    Volume,
)


@pytest.fixture(scope="module")
def rg(sdk) -> Iterator[str]:
    """One resource group for the whole module: every test uses its own group and label names."""
    name = sdk.create_rg(unique("errors-rg"))
    yield name
    sdk.rm.resource_groups.begin_delete(name).result()


def create_error(aci, rg, name, definition) -> HttpResponseError:
    with pytest.raises(HttpResponseError) as err:
        aci.container_groups.begin_create_or_update(rg, name, definition)
    with pytest.raises(ResourceNotFoundError):  # nothing was created
        aci.container_groups.get(rg, name)
    return err.value


def invalid_content(detail: str) -> str:
    return f"The request content was invalid and could not be deserialized: '{detail}'."


def deserializer_error(detail: str) -> re.Pattern[str]:
    """ARM's message for a body its deserializer refuses: the path, then Json.NET's line and
    position (Azure/azure-sdk-for-js#36767: "Path '', line 1, position 22.")."""
    return re.compile(
        re.escape(f"The request content was invalid and could not be deserialized: '{detail}")
        + r", line \d+, position \d+\.'\."
    )


# -- names ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["under_score", "-lead", "trail-", "dou--ble", "x" * 64])
def test_invalid_group_name(aci, rg, name):
    error = create_error(aci, rg, name, group())

    assert error.status_code == 400
    assert error.error.code == "InvalidContainerGroupName"
    assert error.error.message.startswith(f"The container group name '{name}' is invalid.")
    assert "'[a-z0-9]([-a-z0-9]*[a-z0-9])?'" in error.error.message


def test_longest_valid_group_name(aci, rg):
    name = "a" * 63
    assert aci.container_groups.begin_create_or_update(rg, name, group()).result().name == name


@pytest.mark.parametrize("cname", ["App", "my_app", "-app", "x" * 64])
def test_invalid_container_name(aci, rg, cg_name, cname):
    error = create_error(aci, rg, cg_name, group(container(name=cname, ports=[80])))

    assert error.status_code == 400
    assert error.error.code == "InvalidContainerName"
    assert error.error.message == (
        f"The container name '{cname}' in container group '{cg_name}' is invalid. The container "
        "name must contain no more than 63 characters and must match the regex "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?' (e.g. 'my-name')."
    )


def test_duplicate_container_name(aci, rg, cg_name):
    error = create_error(
        aci, rg, cg_name, group(container(ports=[80]), container(cpu=0.5, memory=0.5))
    )

    assert error.error.code == "DuplicateContainerName"
    assert f"The container name 'app' in container group '{cg_name}' is used more than once" in (
        error.error.message
    )


@pytest.mark.parametrize("image", ["MCR.microsoft.com/Upper:tag", "bad image", "repo:"])
def test_invalid_image_name(aci, rg, cg_name, image):
    error = create_error(aci, rg, cg_name, group(container(image=image, ports=[80])))

    assert error.error.code == "InvalidImageName"
    assert f"The image name '{image}' of container 'app' in container group '{cg_name}'" in (
        error.error.message
    )


@pytest.mark.parametrize("label", ["ab", "1abc", "abcd-", "Abcde", "a" * 64, "ab_cd"])
def test_invalid_dns_label(aci, rg, cg_name, label):
    error = create_error(aci, rg, cg_name, group(dns_label=label))

    assert error.status_code == 400
    assert error.error.code == "InvalidDnsNameLabel"
    assert error.error.message == (
        f"The DNS name label '{label}' in container group '{cg_name}' is invalid. It can contain "
        "only lowercase letters, numbers and hyphens. The first character must be a letter. The "
        "last character must be a letter or number. The value must be between 5 and 63 "
        "characters long."
    )


def test_invalid_volume_name(aci, rg, cg_name):
    error = create_error(aci, rg, cg_name, group(volumes=[Volume(name="Vol_1", empty_dir={})]))

    assert error.error.code == "InvalidVolumeName"
    assert (
        f"The volume name 'Vol_1' in container group '{cg_name}' is invalid" in error.error.message
    )


def test_a_short_volume_name_is_accepted(aci, rg, cg_name):
    # Lenient where no real answer shows a refusal: 'data' is a common name for a volume.
    poller = aci.container_groups.begin_create_or_update(
        rg, cg_name, group(volumes=[Volume(name="data", empty_dir={})])
    )

    assert poller.result().volumes[0].name == "data"


@pytest.mark.parametrize(
    "variable", ["MY-VAR", "has space", "x" * 64, "ünïcode", "discovery.type", "1ST"]
)
def test_invalid_environment_variable_name(aci, rg, cg_name, variable):
    error = create_error(aci, rg, cg_name, group(container(env={variable: "1"}, ports=[80])))

    # Azure's code and text as users pasted them (Azure/azure-cli#21047, Azure/aci-deploy#89).
    assert error.status_code == 400
    assert error.error.code == "InvalidContainerEnvironmentVariable"
    assert error.error.message == (
        f"The environment variable name in container 'app' of container group '{cg_name}' is "
        "invalid. A valid environment variable name must start with alphabetic character or "
        "'_', followed by a string of alphanumeric characters or '_' (e.g. 'my_name',  or "
        "'MY_NAME',  or 'MyName')."
    )


def test_environment_variable_names_azure_accepts(aci, rg, cg_name):
    env = {"_private": "1", "MyName": "2", "my_name_2": "3"}
    created = aci.container_groups.begin_create_or_update(
        rg, cg_name, group(container(env=env, ports=[80]))
    ).result()

    assert [e.name for e in created.containers[0].environment_variables] == list(env)


# -- ports and IP address ---------------------------------------------------------------------------
@pytest.mark.parametrize("port", [0, 70000, -1])
def test_invalid_port(aci, rg, cg_name, port):
    error = create_error(aci, rg, cg_name, group(container(ports=[port]), ports=[port]))

    assert error.status_code == 400
    assert error.error.code == "InvalidPort"
    assert error.error.message == (
        f"The port '{port}' in container group '{cg_name}' is invalid. A port must be an integer "
        "between 1 and 65535."
    )


def test_ip_ports_must_be_exposed_by_a_container(aci, rg, cg_name):
    error = create_error(aci, rg, cg_name, group(container(ports=[8080]), ports=[443, 80, 8080]))

    # hashicorp/terraform-provider-azurerm#5091: "Following ports '443,80' in the 'ipAddress' …"
    assert error.status_code == 400
    assert error.error.code == "UnreferencedIpAddressPorts"
    assert error.error.message == (
        "Following ports '443,80' in the 'ipAddress' are not used by any container in container "
        f"group '{cg_name}'."
    )


def test_ip_address_ports_cannot_be_empty(aci, rg, cg_name):
    definition = group(container(ports=[80]))
    definition.ip_address.ports = []

    error = create_error(aci, rg, cg_name, definition)

    # hashicorp/terraform-provider-azurerm#1697 and #11102, Azure/ResourceModules#2205.
    assert error.status_code == 400
    assert error.error.code == "MissingIpAddressPorts"
    assert error.error.message == (
        f"The ports in the 'ipAddress' of container group '{cg_name}' cannot be empty."
    )


def test_ip_address_needs_a_type(aci, rg, cg_name):
    definition = group(container(ports=[80]), public=False)
    definition.ip_address = IpAddress(ports=[Port(port=80)], type=None)

    error = create_error(aci, rg, cg_name, definition)

    assert error.error.code == "InvalidRequestContent"
    assert deserializer_error(
        "Required property 'type' not found in JSON. Path 'properties.ipAddress'"
    ).fullmatch(error.error.message)


def test_bad_protocol(aci, rg, cg_name):
    definition = group(container(ports=[80]), public=False)
    definition.containers[0].ports = [ContainerPort(port=80, protocol="SCTP")]

    error = create_error(aci, rg, cg_name, definition)

    assert error.error.code == "InvalidRequestContent"
    assert 'Error converting value "SCTP"' in error.error.message
    assert "Allowed values: TCP, UDP" in error.error.message


# -- required fields and enums ----------------------------------------------------------------------
@pytest.mark.parametrize(("os_type", "shown"), [(None, "<null>"), ("Plan9", "Plan9")])
def test_missing_or_unknown_os_type(aci, rg, cg_name, os_type, shown):
    error = create_error(aci, rg, cg_name, group(os_type=os_type))

    assert error.status_code == 400
    assert error.error.code == "InvalidOsType"
    assert error.error.message == (
        f"The 'osType' for container group '{shown}' is invalid. The value must be one of "
        "'Windows,Linux'."
    )


def test_missing_containers(aci, rg, cg_name):
    definition = group()
    definition.containers = []

    error = create_error(aci, rg, cg_name, definition)

    assert error.error.code == "InvalidRequestContent"
    assert deserializer_error(
        "Required property 'containers' not found in JSON. Path 'properties'"
    ).fullmatch(error.error.message)


def test_missing_location(aci, rg, cg_name):
    error = create_error(aci, rg, cg_name, group(location=None))

    assert error.error.code == "InvalidRequestContent"
    assert "Required property 'location' not found in JSON" in error.error.message


@pytest.mark.parametrize(
    ("missing", "kwargs"), [("Cpu", {"cpu": None}), ("MemoryInGB", {"memory": None})]
)
def test_missing_resource_request(aci, rg, cg_name, missing, kwargs):
    error = create_error(aci, rg, cg_name, group(container(ports=[80], **kwargs)))

    assert error.status_code == 400
    assert error.error.code == "ResourceSomeRequestsNotSpecified"
    assert error.error.message.startswith(f"The '{missing}' request is not specified in ")
    # Azure's text names its .NET type and writes "contain group" (virtual-kubelet/virtual-kubelet#50).
    assert (
        "'Microsoft.Azure.CloudConsole.Providers.Common.Entities.ComputeResources' in container "
        f"'app' of contain group '{cg_name}'." in error.error.message
    )


def test_missing_resource_requests(aci, rg, cg_name):
    error = create_error(aci, rg, cg_name, group(container(ports=[80], cpu=None, memory=None)))

    assert error.status_code == 400
    assert error.error.code == "ResourceRequestsNotSpecified"
    assert "The resource requests are not specified in container 'app'" in error.error.message
    assert f"'{cg_name}'" in error.error.message


def test_missing_image(aci, rg, cg_name):
    definition = group(container(ports=[80]))
    definition.containers[0].image = None

    error = create_error(aci, rg, cg_name, definition)

    assert deserializer_error(
        "Required property 'image' not found in JSON. Path 'properties.containers[0].properties'"
    ).fullmatch(error.error.message)


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        ("restart_policy", "Sometimes", "Always, OnFailure, Never"),
        ("sku", "Premium", "Standard, Dedicated, Confidential"),
    ],
)
def test_bad_enum(aci, rg, cg_name, field, value, allowed):
    error = create_error(aci, rg, cg_name, group(**{field: value}))

    assert error.status_code == 400
    assert error.error.code == "InvalidRequestContent"
    assert f'Error converting value "{value}"' in error.error.message
    assert f"Allowed values: {allowed}." in error.error.message


def test_bad_priority(aci, rg, cg_name):
    # Azure names a priority's choices itself (its troubleshooting page for Spot errors).
    error = create_error(aci, rg, cg_name, group(priority="Urgent"))

    assert error.status_code == 400
    assert error.error.code == "PriorityNotSpecified"
    assert error.error.message == (
        f"The 'Priority' must be one of 'Regular,Spot' for container group '{cg_name}'."
    )


def test_bad_dns_label_scope(aci, rg, cg_name):
    definition = group(dns_label=unique("scope"))
    definition.ip_address.auto_generated_domain_name_label_scope = "Everywhere"

    error = create_error(aci, rg, cg_name, definition)

    assert error.error.code == "InvalidRequestContent"
    assert 'Error converting value "Everywhere"' in error.error.message
    assert "Unsecure" in error.error.message


def test_missing_properties(raw, rg, cg_name):
    response = raw.request(
        "PUT", raw.cg_path(rg, cg_name), api_version=ACI_API, json={"location": "eastus"}
    )

    assert response.status_code == 400
    assert deserializer_error(
        "Required property 'properties' not found in JSON. Path ''"
    ).fullmatch(response.json()["error"]["message"])


def test_enums_are_case_insensitive_and_echoed_canonically(aci, rg, cg_name):
    created = aci.container_groups.begin_create_or_update(
        rg, cg_name, group(restart_policy="onfailure", os_type="linux")
    ).result()

    assert (created.restart_policy, created.os_type) == ("OnFailure", "Linux")


def test_cpu_given_as_text(raw, rg, cg_name):
    body = group().serialize()
    body["properties"]["containers"][0]["properties"]["resources"]["requests"]["cpu"] = "one"

    response = raw.request("PUT", raw.cg_path(rg, cg_name), api_version=ACI_API, json=body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "InvalidRequestContent"
    assert "Could not convert 'one' to a number" in response.json()["error"]["message"]


def test_command_must_be_a_list_of_strings(raw, rg, cg_name):
    body = group().serialize()
    body["properties"]["containers"][0]["properties"]["command"] = "echo hi"

    response = raw.request("PUT", raw.cg_path(rg, cg_name), api_version=ACI_API, json=body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "InvalidRequestContent"
    assert "'command'" in response.json()["error"]["message"]


def test_body_that_is_not_json(raw, rg, cg_name):
    response = requests.put(
        raw.url(raw.cg_path(rg, cg_name)),
        params={"api-version": ACI_API},
        data=b'{"location": "eastus", "properties": ',
        headers={"Authorization": f"Bearer {raw.token}", "Content-Type": "application/json"},
        verify=raw.ca_bundle,
        timeout=10,
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "InvalidRequestContent"
    assert response.json()["error"]["message"].startswith(
        "The request content was invalid and could not be deserialized: "
    )


def test_empty_body(raw, rg, cg_name):
    response = raw.request("PUT", raw.cg_path(rg, cg_name), api_version=ACI_API)

    assert response.status_code == 400
    # No text, no place in it: the message stops at the path (our reading for an empty body).
    assert response.json()["error"]["message"] == invalid_content(
        "Required property 'location' not found in JSON. Path ''"
    )


# -- resources --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("cpu", "memory"), [(0, 1.0), (1.0, 0), (-1, 1.0)])
def test_non_positive_resources(aci, rg, cg_name, cpu, memory):
    error = create_error(aci, rg, cg_name, group(container(cpu=cpu, memory=memory, ports=[80])))

    assert error.error.code == "InvalidContainerResourceRequests"
    assert "CPU and memory must be greater than 0" in error.error.message


def capacity_error(aci, rg, name, definition) -> HttpResponseError:
    with pytest.raises(HttpResponseError) as err:
        aci.container_groups.begin_create_or_update(rg, name, definition)
    return err.value


@pytest.mark.parametrize(("cpu", "memory"), [(5, 1.0), (4, 32), (4.5, 20)])
def test_resources_above_what_a_region_offers(aci, rg, cg_name, cpu, memory):
    error = capacity_error(aci, rg, cg_name, group(container(cpu=cpu, memory=memory, ports=[80])))

    # virtual-kubelet/virtual-kubelet#592: a 409 with code ServiceUnavailable, naming the request.
    assert error.status_code == 409
    assert error.error.code == "ServiceUnavailable"
    assert error.error.message == (
        "The requested resource is not available in the location 'eastus' at this moment. "
        "Please retry with a different resource request or in another location. Resource "
        f"requested: '{cpu:g}' CPU '{memory:g}' GB memory 'Linux' OS"
    )


def test_group_total_above_what_a_region_offers(aci, rg, cg_name):
    five = [container(name=f"c{i}", cpu=1, memory=1) for i in range(5)]

    error = capacity_error(aci, rg, cg_name, group(*five, public=False))

    assert error.status_code == 409
    assert error.error.code == "ServiceUnavailable"
    assert error.error.message.endswith("Resource requested: '5' CPU '5' GB memory 'Linux' OS")
    # Four such containers fit.
    assert aci.container_groups.begin_create_or_update(
        rg, cg_name, group(*five[:4], public=False)
    ).result()


def test_quota(make_emulator):
    fresh = make_emulator(quota_cores=10)
    rg = fresh.create_rg()
    for name, cpu in (("a", 4), ("b", 4), ("c", 2)):
        definition = group(container(cpu=cpu, memory=1), public=False)
        fresh.aci.container_groups.begin_create_or_update(rg, name, definition).result()

    with pytest.raises(HttpResponseError) as err:
        fresh.aci.container_groups.begin_create_or_update(
            rg, "d", group(container(cpu=1, memory=1), public=False)
        )

    assert err.value.status_code == 400
    assert err.value.error.code == "ContainerGroupQuotaReached"
    assert err.value.error.message == (
        "Resource type 'Microsoft.ContainerInstance/containerGroups' container group quota "
        "'StandardCores' exceeded in region 'eastus'. Limit: '10', Usage: '10' Requested: '1'."
    )
    # Another region has its own quota; a redeploy of an existing group does not count twice.
    west = group(container(cpu=1, memory=1), location="westus", public=False)
    assert fresh.aci.container_groups.begin_create_or_update(rg, "d", west).result()
    redeploy = group(container(cpu=4, memory=1, env={"V": "2"}), public=False)
    assert fresh.aci.container_groups.begin_create_or_update(rg, "a", redeploy).result()
    # Freeing cores makes room again.
    fresh.aci.container_groups.begin_delete(rg, "c").result()
    fractional = group(container(cpu=1.5, memory=1), public=False)
    fresh.aci.container_groups.begin_create_or_update(rg, "e", fractional).result()
    with pytest.raises(HttpResponseError) as err:
        fresh.aci.container_groups.begin_create_or_update(rg, "f", fractional)
    assert "Limit: '10', Usage: '9.5' Requested: '1.5'." in err.value.error.message
    # Deleting the resource group frees all its cores.
    fresh.rm.resource_groups.begin_delete(rg).result()
    again = fresh.create_rg()
    for name, cpu in (("a", 4), ("b", 4), ("c", 2)):
        definition = group(container(cpu=cpu, memory=1), public=False)
        fresh.aci.container_groups.begin_create_or_update(again, name, definition).result()


# -- DNS labels -------------------------------------------------------------------------------------
def test_dns_label_is_unique_per_region(aci, rg, cg_name):
    label = unique("shared")
    aci.container_groups.begin_create_or_update(rg, cg_name, group(dns_label=label)).result()

    with pytest.raises(HttpResponseError) as err:
        aci.container_groups.begin_create_or_update(rg, cg_name + "-2", group(dns_label=label))
    assert err.value.status_code == 400
    assert err.value.error.code == "DnsNameLabelAlreadyTaken"
    assert err.value.error.message == (
        f"The DNS name label '{label}' in container group '{cg_name}-2' is not available. Try "
        "using a different label."
    )

    # The same label in another region is fine, and so is a redeploy of the owner.
    west = aci.container_groups.begin_create_or_update(
        rg, cg_name + "-3", group(dns_label=label, location="westus")
    ).result()
    assert west.ip_address.fqdn == f"{label}.westus.azurecontainer.io"
    again = aci.container_groups.begin_create_or_update(rg, cg_name, group(dns_label=label))
    assert again.result().ip_address.fqdn == f"{label}.eastus.azurecontainer.io"


def test_dns_label_is_freed_when_the_group_drops_it(aci, rg, cg_name):
    label = unique("moving")
    aci.container_groups.begin_create_or_update(rg, cg_name, group(dns_label=label)).result()

    aci.container_groups.begin_create_or_update(rg, cg_name, group()).result()  # no label now

    other = aci.container_groups.begin_create_or_update(rg, cg_name + "-2", group(dns_label=label))
    assert other.result().ip_address.dns_name_label == label


# -- where the group lives --------------------------------------------------------------------------
def test_unknown_location(aci, rg, cg_name):
    error = create_error(aci, rg, cg_name, group(location="atlantis"))

    assert error.status_code == 400
    assert error.error.code == "LocationNotAvailableForResourceType"
    assert "The provided location 'atlantis' is not available for resource type" in (
        error.error.message
    )


def test_create_in_a_missing_resource_group(aci, rg_name, cg_name):
    with pytest.raises(ResourceNotFoundError) as err:
        aci.container_groups.begin_create_or_update(rg_name, cg_name, group())

    assert err.value.status_code == 404
    assert err.value.error.code == "ResourceGroupNotFound"
    assert err.value.error.message == f"Resource group '{rg_name}' could not be found."


def test_get_of_a_missing_group(aci, rg, cg_name):
    with pytest.raises(ResourceNotFoundError) as err:
        aci.container_groups.get(rg, cg_name)

    assert err.value.status_code == 404
    assert err.value.error.code == "ResourceNotFound"
    assert (
        f"'Microsoft.ContainerInstance/containerGroups/{cg_name}' under resource group '{rg}'"
        in (err.value.error.message)
    )


@pytest.mark.parametrize(
    "change",
    [
        {"cpu": 2.0},
        {"memory": 3.0},
        {"restart_policy": "Never"},
        {"location": "westus"},
        {"public": False},
    ],
)
def test_changing_what_cannot_change(aci, rg, cg_name, change):
    aci.container_groups.begin_create_or_update(rg, cg_name, group()).result()
    resources = {k: change.pop(k) for k in ("cpu", "memory") if k in change}

    with pytest.raises(HttpResponseError) as err:
        aci.container_groups.begin_create_or_update(
            rg, cg_name, group(container(ports=[80], **resources), **change)
        )

    assert err.value.status_code == 400
    assert err.value.error.code == "InvalidContainerGroupUpdate"
    assert err.value.error.message.startswith(
        f"The updates on container group '{cg_name}' are invalid."
    )
    assert "you must delete it first and then create a new one" in err.value.error.message
    assert aci.container_groups.get(rg, cg_name).containers[0].resources.requests.cpu == 1.0


def test_init_containers_are_validated_too(aci, rg, cg_name):
    definition = group(
        init_containers=[InitContainerDefinition(name="Init", image="busybox")],
    )

    error = create_error(aci, rg, cg_name, definition)

    assert error.error.code == "InvalidContainerName"
    assert "The container name 'Init'" in error.error.message


# -- the protocol: api-versions, routes, methods ----------------------------------------------------
def test_missing_api_version(raw, rg, cg_name):
    response = raw.request("GET", raw.cg_path(rg, cg_name))

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "MissingApiVersionParameter",
        "message": "The api-version query parameter (?api-version=) is required for all requests.",
    }


def test_unknown_api_version(aci, raw, rg, cg_name):
    with pytest.raises(HttpResponseError) as err:
        aci.container_groups.begin_create_or_update(
            rg, cg_name, group(location="westeurope"), api_version="2099-01-01"
        )
    # Azure/azure-cli#30444: what ARM answers for a version the provider does not serve.
    assert err.value.status_code == 400
    assert err.value.error.code == "NoRegisteredProviderFound"
    message = err.value.error.message
    assert message.startswith(
        "No registered resource provider found for location 'westeurope' and API version "
        "'2099-01-01' for type 'containerGroups'. The supported api-versions are "
        "'2017-08-01-preview, 2017-10-01-preview, "
    )
    assert ", 2023-05-01, " in message
    assert "'. The supported locations are '" in message and ", westcentralus, " in message

    response = raw.request("GET", raw.rg_path(rg), api_version="1999-01-01")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "InvalidApiVersionParameter"


def test_versions_the_clients_send_are_accepted(raw, rg, cg_name, aci):
    aci.container_groups.begin_create_or_update(rg, cg_name, group()).result()
    for version in ("2023-05-01", "2024-05-01-preview", "2021-10-01"):
        assert raw.request("GET", raw.cg_path(rg, cg_name), api_version=version).status_code == 200
    for version in ("2022-09-01", "2024-11-01", "2025-04-01"):
        assert raw.request("GET", raw.rg_path(rg), api_version=version).status_code == 200


def test_unimplemented_route_is_501_naming_it(aci, raw, rg):
    with pytest.raises(HttpResponseError) as err:
        aci.subnet_service_association_link.begin_delete(rg, "vnet", "subnet")
    assert err.value.status_code == 501
    assert err.value.error.code == "NotImplemented"
    assert "The operation 'DELETE /subscriptions/" in err.value.error.message
    assert "/virtualNetworks/vnet/subnets/subnet/" in err.value.error.message
    assert "is not implemented by the local emulator" in err.value.error.message

    path = f"/subscriptions/{{sub}}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts"
    response = raw.request("GET", path, api_version="2023-01-01")
    assert response.status_code == 501
    assert response.json()["error"]["code"] == "NotImplemented"
    assert "Microsoft.Storage/storageAccounts" in response.json()["error"]["message"]


def test_wrong_method_on_arms_own_path_has_no_route(raw, rg):
    """ARM's route table is per method: a method a resource group path does not take is ARM's
    404 with no code (as `PUT .../resourcegroups/` answered `(None) No HTTP resource ...`)."""
    response = raw.request("POST", raw.rg_path(rg), api_version="2025-04-01")

    assert response.status_code == 404
    error = response.json()["error"]
    assert "code" not in error
    assert error["message"].startswith("No HTTP resource was found that matches the request URI")
    assert f"/resourcegroups/{rg}?api-version=2025-04-01'." in error["message"].lower()


def test_wrong_method_on_a_provider_path_is_405(raw, rg, cg_name):
    response = raw.request("POST", raw.cg_path(rg, cg_name), api_version="2023-05-01")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "MethodNotAllowed"
    assert "'POST'" in response.json()["error"]["message"]


def test_paths_are_case_insensitive(raw, aci, rg, cg_name):
    aci.container_groups.begin_create_or_update(rg, cg_name, group()).result()
    path = f"/SUBSCRIPTIONS/{{sub}}/RESOURCEGROUPS/{rg.upper()}/providers/microsoft.containerinstance/CONTAINERGROUPS/{cg_name}"

    response = raw.request("GET", path, api_version=ACI_API)

    assert response.status_code == 200
    assert response.json()["name"] == cg_name
    assert f"/resourceGroups/{rg}/" in response.json()["id"]


def test_unknown_query_parameters_are_ignored(raw, aci, rg, cg_name):
    created = raw.request(
        "PUT", raw.cg_path(rg, cg_name), api_version=ACI_API, json=group().serialize()
    )
    operation = created.headers["Azure-AsyncOperation"] + "&t=1&c=abc&s=sig&h=hash"

    assert raw.request("GET", operation).json()["status"] == "Succeeded"
    listing = raw.request(
        "GET",
        f"/subscriptions/{{sub}}/{NS}/containerGroups",
        api_version=ACI_API,
        params={"unknown": "x"},
    )
    assert listing.status_code == 200


def minimal_body(**changes):
    body = group(public=False).serialize()
    body.update(changes)
    return body


def wrong_shapes():
    def with_props(**changes):
        body = minimal_body()
        body["properties"].update(changes)
        return body

    def with_container(**changes):
        body = minimal_body()
        body["properties"]["containers"][0]["properties"].update(changes)
        return body

    return {
        "containers-not-a-list": with_props(containers=5),
        "container-not-an-object": with_props(containers=["app"]),
        "ports-not-a-list": with_container(ports=80),
        "env-name-a-number": with_container(environmentVariables=[{"name": 5, "value": "x"}]),
        "volume-name-a-number": with_props(volumes=[{"name": 12345, "emptyDir": {}}]),
        "ip-address-a-string": with_props(ipAddress="public"),
        "registry-credential-a-string": with_props(imageRegistryCredentials=["myregistry"]),
        "tags-a-list": minimal_body(tags=["a"]),
    }


@pytest.mark.parametrize("case", list(wrong_shapes()))
def test_values_of_the_wrong_json_type_are_400_not_500(raw, rg, cg_name, case):
    response = raw.request(
        "PUT", raw.cg_path(rg, cg_name), api_version=ACI_API, json=wrong_shapes()[case]
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "InvalidRequestContent"
    assert response.json()["error"]["message"].startswith(
        "The request content was invalid and could not be deserialized: "
    )


@pytest.mark.parametrize("body", [[1], None, "text", 5])
def test_bodies_that_are_not_objects_are_400_not_500(raw, aci, rg, cg_name, body):
    aci.container_groups.begin_create_or_update(rg, cg_name, group()).result()
    targets = [
        ("PUT", raw.rg_path(rg + "-new"), "2025-04-01"),
        ("PATCH", raw.rg_path(rg), "2025-04-01"),
        ("PUT", raw.cg_path(rg, cg_name + "-new"), ACI_API),
        ("PATCH", raw.cg_path(rg, cg_name), ACI_API),
    ]
    for method, path, version in targets:
        response = requests.request(
            method,
            raw.url(path),
            params={"api-version": version},
            data=json.dumps(body),
            headers={"Authorization": f"Bearer {raw.token}", "Content-Type": "application/json"},
            verify=raw.ca_bundle,
            timeout=10,
        )
        assert response.status_code == 400, (method, path)
        assert response.json()["error"] == {
            "code": "InvalidRequestContent",
            "message": "The request content was invalid and could not be deserialized: "
            "'The request body must be a JSON object'.",
        }
