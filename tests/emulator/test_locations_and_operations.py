"""The subscription-level endpoints: locations (usages, capabilities, cached images), the
operations list, async operation lookups, and resource provider registration."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from aci_builders import ACI_API, NS, container, group, unique
from azure.core.exceptions import HttpResponseError
from azure.mgmt.core.policies import _base


def usage_of(aci, location="eastus"):
    return {u.name.value: (u.current_value, u.limit) for u in aci.location.list_usage(location)}


def test_usages_reflect_the_groups(make_emulator):
    fresh = make_emulator(quota_cores=10)
    rg = fresh.create_rg()
    assert usage_of(fresh.aci) == {"ContainerGroups": (0, 100), "StandardCores": (0, 10)}

    fresh.aci.container_groups.begin_create_or_update(
        rg, "one", group(container(cpu=1), public=False)
    ).result()
    fresh.aci.container_groups.begin_create_or_update(
        rg, "two", group(container(cpu=2), location="East US", public=False)
    ).result()
    fresh.aci.container_groups.begin_create_or_update(
        rg, "west", group(container(cpu=3), location="westus", public=False)
    ).result()

    assert usage_of(fresh.aci) == {"ContainerGroups": (2, 100), "StandardCores": (3, 10)}
    assert usage_of(fresh.aci, "westus") == {"ContainerGroups": (1, 100), "StandardCores": (3, 10)}
    (cores,) = [
        u for u in fresh.aci.location.list_usage("eastus") if u.name.value == "StandardCores"
    ]
    assert cores.unit == "Count"
    assert cores.name.localized_value == "Standard Cores"

    fresh.aci.container_groups.stop(rg, "two")  # a stopped group holds no cores
    assert usage_of(fresh.aci)["StandardCores"] == (1, 10)
    fresh.aci.container_groups.begin_delete(rg, "one").result()
    assert usage_of(fresh.aci) == {"ContainerGroups": (0, 100), "StandardCores": (0, 10)}


def test_usages_of_an_unknown_location(aci):
    with pytest.raises(HttpResponseError) as err:
        list(aci.location.list_usage("atlantis"))

    assert err.value.status_code == 400
    assert err.value.error.code == "LocationNotAvailableForResourceType"
    assert err.value.error.message.startswith(
        "The provided location 'atlantis' is not available for resource type "
        "'Microsoft.ContainerInstance/locations'. List of available regions for the resource "
        "type is 'eastus,eastus2,"
    )


@pytest.mark.parametrize("region", ["westcentralus", "West Central US", "ukwest", "koreasouth"])
def test_every_region_offering_container_instances_is_accepted(aci, rg, region):
    created = aci.container_groups.begin_create_or_update(
        rg, unique("cg"), group(location=region, public=False)
    ).result()

    assert created.location == region.replace(" ", "").lower()


def test_create_in_a_region_without_container_instances(aci, rg):
    with pytest.raises(HttpResponseError) as err:
        aci.container_groups.begin_create_or_update(
            rg, unique("cg"), group(location="atlantis", public=False)
        )

    # Azure/acr#406: what ARM answers for a region the resource type is not offered in.
    assert err.value.status_code == 400
    assert err.value.error.code == "LocationNotAvailableForResourceType"
    assert err.value.error.message.startswith(
        "The provided location 'atlantis' is not available for resource type "
        "'Microsoft.ContainerInstance/containerGroups'. List of available regions for the "
        "resource type is 'eastus,"
    )


def test_capabilities(aci):
    capabilities = list(aci.location.list_capabilities("eastus"))

    assert {(c.os_type, c.ip_address_type) for c in capabilities} == {
        ("Linux", "Public"),
        ("Linux", "Private"),
        ("Windows", "Public"),
        ("Windows", "Private"),
    }
    for capability in capabilities:
        assert capability.resource_type == "containerGroups"
        assert capability.location == "East US"
        assert capability.capabilities.max_cpu == 4.0
        assert capability.capabilities.max_memory_in_gb == 16.0


def test_cached_images(aci):
    images = list(aci.location.list_cached_images("westeurope"))

    assert ("Linux", "mcr.microsoft.com/azuredocs/aci-helloworld:latest") in {
        (i.os_type, i.image) for i in images
    }
    assert {i.os_type for i in images} == {"Linux", "Windows"}


def test_operations_list(aci):
    operations = {op.name: op for op in aci.operations.list()}

    for action in ("containerGroups/read", "containerGroups/write", "containerGroups/delete"):
        assert f"Microsoft.ContainerInstance/{action}" in operations
    read = operations["Microsoft.ContainerInstance/containerGroups/read"]
    assert read.display.provider == "Microsoft Container Instance"
    assert read.origin == "User"


def test_async_operation_of_another_kind_or_unknown_is_not_found(raw):
    response = raw.request(
        "GET",
        f"/subscriptions/{{sub}}/{NS}/locations/eastus/operations/nope",
        api_version="2018-06-01",
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "OperationNotFound"
    assert "'nope'" in response.json()["error"]["message"]


# -- provider registration --------------------------------------------------------------------------
def test_sdk_registers_the_provider_by_itself(make_emulator, monkeypatch):
    fresh = make_emulator()
    cloud = fresh.emulator.cloud
    sub = cloud.subscription(fresh.info.subscription_id)
    cloud.set_provider_state(sub, "Microsoft.ContainerInstance", "NotRegistered")
    rg = fresh.create_rg()
    # The SDK sleeps 10 s before it checks the registration; skip the wait, keep the requests.
    slept: list[float] = []
    monkeypatch.setattr(_base, "time", SimpleNamespace(sleep=slept.append))

    assert fresh.rm.providers.get("Microsoft.ContainerInstance").registration_state == (
        "NotRegistered"
    )
    raw = fresh.raw()
    refused = raw.request(
        "GET", f"/subscriptions/{{sub}}/{NS}/containerGroups", api_version=ACI_API
    )
    assert refused.status_code == 409
    assert refused.json()["error"] == {
        "code": "MissingSubscriptionRegistration",
        "message": "The subscription is not registered to use namespace "
        "'Microsoft.ContainerInstance'. See https://aka.ms/rps-not-found for how to register "
        "subscriptions.",
    }

    created = fresh.aci.container_groups.begin_create_or_update(rg, "auto", group()).result()

    assert created.provisioning_state == "Succeeded"
    assert slept == [10]  # registered at the first check
    assert fresh.rm.providers.get("Microsoft.ContainerInstance").registration_state == (
        "Registered"
    )
