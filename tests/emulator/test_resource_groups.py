"""Resource groups through azure-mgmt-resource, and their wire details through raw HTTPS."""

from __future__ import annotations

import pytest
from aci_builders import RG_API, group, unique
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.mgmt.resource.resources.models import ResourceGroup, ResourceGroupPatchable


def test_put_answers_201_then_200(raw, rg_name, rm):
    path = raw.rg_path(rg_name)

    first = raw.request("PUT", path, api_version=RG_API, json={"location": "eastus"})
    second = raw.request(
        "PUT", path, api_version=RG_API, json={"location": "eastus", "tags": {"a": "b"}}
    )

    try:
        assert first.status_code == 201
        assert second.status_code == 200
        body = second.json()
        assert body["id"] == f"/subscriptions/{raw.subscription_id}/resourceGroups/{rg_name}"
        assert body["name"] == rg_name
        assert body["type"] == "Microsoft.Resources/resourceGroups"
        assert body["location"] == "eastus"
        assert body["tags"] == {"a": "b"}
        assert body["properties"] == {"provisioningState": "Succeeded"}
        assert second.headers["Content-Type"] == "application/json; charset=utf-8"
        assert second.headers["x-ms-request-id"]
        assert second.headers["x-ms-ratelimit-remaining-subscription-writes"]
    finally:
        rm.resource_groups.begin_delete(rg_name).result()


def test_create_get_and_check_existence_with_the_sdk(rm, raw, rg_name):
    assert rm.resource_groups.check_existence(rg_name) is False
    assert raw.request("HEAD", raw.rg_path(rg_name), api_version=RG_API).status_code == 404

    created = rm.resource_groups.create_or_update(
        rg_name, ResourceGroup(location="West Europe", tags={"owner": "tests"})
    )
    try:
        assert created.name == rg_name
        assert created.location == "westeurope"  # normalised
        assert created.properties.provisioning_state == "Succeeded"
        assert rm.resource_groups.check_existence(rg_name) is True
        head = raw.request("HEAD", raw.rg_path(rg_name), api_version=RG_API)
        assert head.status_code == 204
        assert head.content == b""
        fetched = rm.resource_groups.get(rg_name)
        assert (fetched.id, fetched.location, fetched.tags) == (
            created.id,
            "westeurope",
            {"owner": "tests"},
        )
    finally:
        rm.resource_groups.begin_delete(rg_name).result()


def test_update_tags_with_patch(rm, rg):
    updated = rm.resource_groups.update(rg, ResourceGroupPatchable(tags={"env": "test", "n": "1"}))

    assert updated.tags == {"env": "test", "n": "1"}
    assert rm.resource_groups.get(rg).tags == {"env": "test", "n": "1"}
    assert rm.resource_groups.get(rg).location == "eastus"  # untouched


def test_list_with_a_tag_filter(rm, rg_name):
    marker = unique("marker")
    names = [f"{rg_name}-{i}" for i in range(3)]
    rm.resource_groups.create_or_update(names[0], {"location": "eastus", "tags": {marker: "yes"}})
    rm.resource_groups.create_or_update(names[1], {"location": "eastus", "tags": {marker: "no"}})
    rm.resource_groups.create_or_update(names[2], {"location": "eastus"})
    try:
        by_value = rm.resource_groups.list(filter=f"tagName eq '{marker}' and tagValue eq 'yes'")
        assert [g.name for g in by_value] == [names[0]]
        by_name = rm.resource_groups.list(filter=f"tagName eq '{marker}'")
        assert sorted(g.name for g in by_name) == names[:2]
        everything = [g.name for g in rm.resource_groups.list()]
        assert set(names) <= set(everything)
    finally:
        for name in names:
            rm.resource_groups.begin_delete(name).result()


def test_unsupported_filter_is_refused(rm):
    with pytest.raises(HttpResponseError) as err:
        list(rm.resource_groups.list(filter="location eq 'eastus'"))

    assert err.value.status_code == 400
    assert err.value.error.code == "InvalidFilterInQueryString"
    assert "location eq 'eastus'" in err.value.error.message


def test_names_are_case_insensitive(rm):
    name = unique("MyRG")
    rm.resource_groups.create_or_update(name, {"location": "eastus"})
    try:
        fetched = rm.resource_groups.get(name.lower())
        assert fetched.name == name  # the name as created
        assert rm.resource_groups.check_existence(name.upper()) is True
        again = rm.resource_groups.create_or_update(name.lower(), {"location": "eastus"})
        assert again.name == name
        assert [g.name for g in rm.resource_groups.list() if g.name.lower() == name.lower()] == [
            name
        ]
    finally:
        rm.resource_groups.begin_delete(name.upper()).result()
    assert rm.resource_groups.check_existence(name) is False


@pytest.mark.parametrize(
    ("name", "bad"),
    [("rg with spaces!", " !"), ("rg*star", "*"), ("rg#hash&amp", "#&"), ("ends-with-dot.", ".")],
)
def test_invalid_name(rm, name, bad):
    with pytest.raises(HttpResponseError) as err:
        rm.resource_groups.create_or_update(name, {"location": "eastus"})

    assert err.value.status_code == 400
    assert err.value.error.code == "InvalidResourceGroup"
    assert err.value.error.message == (
        f"The provided resource group name '{name}' has these invalid characters: '{bad}'. "
        "The name can only be a letter, digit, '-', '.', '(', ')' or '_'."
    )


def test_unicode_letters_and_allowed_punctuation_are_valid(rm):
    name = unique("grüße_(a).b")
    try:
        assert rm.resource_groups.create_or_update(name, {"location": "eastus"}).name == name
    finally:
        rm.resource_groups.begin_delete(name).result()


def test_too_long_name(rm):
    with pytest.raises(HttpResponseError) as err:
        rm.resource_groups.create_or_update("r" * 91, {"location": "eastus"})

    assert err.value.status_code == 400
    assert err.value.error.code == "InvalidResourceGroup"
    assert "at most 90 characters" in err.value.error.message


def test_missing_location(rm, rg_name):
    with pytest.raises(HttpResponseError) as err:
        rm.resource_groups.create_or_update(rg_name, {"tags": {"a": "b"}})

    assert err.value.status_code == 400
    assert err.value.error.code == "LocationRequired"
    assert err.value.error.message == "The location property is required for this definition."
    assert rm.resource_groups.check_existence(rg_name) is False


def test_unknown_location(rm, rg_name):
    with pytest.raises(HttpResponseError) as err:
        rm.resource_groups.create_or_update(rg_name, {"location": "atlantis"})

    assert err.value.status_code == 400
    assert err.value.error.code == "LocationNotAvailableForResourceGroup"
    assert "The provided location 'atlantis' is not available for resource group" in (
        err.value.error.message
    )
    assert "eastus" in err.value.error.message


def test_moving_an_existing_group_to_another_location_is_refused(rm, rg):
    with pytest.raises(ResourceExistsError) as err:
        rm.resource_groups.create_or_update(rg, {"location": "westus"})

    assert err.value.status_code == 409
    assert err.value.error.code == "InvalidResourceGroupLocation"
    assert "already exists in location 'eastus'" in err.value.error.message


def test_get_missing_group(rm, rg_name):
    with pytest.raises(ResourceNotFoundError) as err:
        rm.resource_groups.get(rg_name)

    assert err.value.status_code == 404
    assert err.value.error.code == "ResourceGroupNotFound"
    assert err.value.error.message == f"Resource group '{rg_name}' could not be found."


def test_delete_answers_202_with_a_location_to_poll(raw, rm, rg_name):
    rm.resource_groups.create_or_update(rg_name, {"location": "eastus"})

    response = raw.request("DELETE", raw.rg_path(rg_name), api_version=RG_API)

    assert response.status_code == 202
    assert response.content == b""
    location = response.headers["Location"]
    assert location.startswith(
        f"{raw.endpoint}/subscriptions/{raw.subscription_id}/operationresults/"
    )
    assert "api-version=" in location
    assert response.headers["Retry-After"] == "1"
    assert "Azure-AsyncOperation" not in response.headers
    done = raw.request("GET", location)
    assert done.status_code == 200
    assert rm.resource_groups.check_existence(rg_name) is False


def test_delete_with_the_sdk(rm, rg_name):
    rm.resource_groups.create_or_update(rg_name, {"location": "eastus"})

    poller = rm.resource_groups.begin_delete(rg_name)
    assert poller.result() is None

    assert poller.status() == "Succeeded"
    assert rm.resource_groups.check_existence(rg_name) is False
    with pytest.raises(ResourceNotFoundError) as err:
        rm.resource_groups.begin_delete(rg_name)
    assert err.value.error.code == "ResourceGroupNotFound"


def test_deleting_a_group_deletes_its_container_groups_and_frees_their_labels(sdk, rg_name):
    rm, aci = sdk.rm, sdk.aci
    label = unique("lbl")
    other = unique("test-rg")
    sdk.create_rg(rg_name)
    sdk.create_rg(other)
    try:
        aci.container_groups.begin_create_or_update(rg_name, "web", group(dns_label=label)).result()
        aci.container_groups.begin_create_or_update(rg_name, "web2", group()).result()
        aci.container_groups.begin_create_or_update(other, "kept", group()).result()

        rm.resource_groups.begin_delete(rg_name).result()

        remaining = {(g.id.split("/")[4], g.name) for g in aci.container_groups.list()}
        assert (rg_name, "web") not in remaining and (rg_name, "web2") not in remaining
        assert (other, "kept") in remaining
        # The DNS label is free again, in another group.
        reused = aci.container_groups.begin_create_or_update(
            other, "reuse", group(dns_label=label)
        ).result()
        assert reused.ip_address.fqdn == f"{label}.eastus.azurecontainer.io"
        with pytest.raises(ResourceNotFoundError) as err:
            aci.container_groups.get(rg_name, "web")
        assert err.value.error.code == "ResourceGroupNotFound"
    finally:
        rm.resource_groups.begin_delete(other).result()


def test_slow_delete_polls_202_then_200(make_emulator):
    slow = make_emulator(resource_group_delete_seconds=1.5)
    name = slow.create_rg()
    raw = slow.raw()

    response = raw.request("DELETE", raw.rg_path(name), api_version=RG_API)
    assert response.status_code == 202
    location = response.headers["Location"]

    pending = raw.request("GET", location)
    assert pending.status_code == 202
    assert pending.headers["Location"] == location
    # While it is being deleted the group still exists, says so, and refuses a re-create.
    assert slow.rm.resource_groups.get(name).properties.provisioning_state == "Deleting"
    with pytest.raises(ResourceExistsError) as err:
        slow.rm.resource_groups.create_or_update(name, {"location": "eastus"})
    assert err.value.error.code == "ResourceGroupBeingDeleted"
    # Nor can a container group be created in it (it would outlive its resource group).
    with pytest.raises(ResourceExistsError) as err:
        slow.aci.container_groups.begin_create_or_update(
            name, "late", group(dns_label="late-label")
        )
    assert err.value.status_code == 409
    assert err.value.error.code == "ResourceGroupBeingDeleted"
    assert err.value.error.message == (
        f"The resource group '{name}' is in deprovisioning state and cannot perform this operation."
    )

    # The SDK polls the same kind of Location until it answers 200.
    other = slow.create_rg()
    poller = slow.rm.resource_groups.begin_delete(other)
    assert poller.status() == "InProgress"
    assert not poller.done()
    poller.result()
    assert poller.status() == "Succeeded"
    assert slow.rm.resource_groups.check_existence(other) is False

    assert raw.request("GET", location).status_code == 200
    assert slow.rm.resource_groups.check_existence(name) is False
    assert list(slow.aci.container_groups.list()) == []
    fresh = slow.create_rg()
    created = slow.aci.container_groups.begin_create_or_update(
        fresh, "late", group(dns_label="late-label")
    ).result()
    assert created.ip_address.fqdn == "late-label.eastus.azurecontainer.io"


def test_listing_pages_past_one_page(make_emulator):
    small = make_emulator(page_size=2)
    names = sorted(small.create_rg(f"page-rg-{i}") for i in range(5))

    assert sorted(g.name for g in small.rm.resource_groups.list()) == names

    raw = small.raw()
    first = raw.request("GET", "/subscriptions/{sub}/resourcegroups", api_version=RG_API).json()
    assert len(first["value"]) == 2
    assert first["nextLink"].startswith(raw.endpoint)
    second = raw.request("GET", first["nextLink"]).json()
    assert len(second["value"]) == 2
    assert not {g["name"] for g in first["value"]} & {g["name"] for g in second["value"]}
    third = raw.request("GET", second["nextLink"]).json()
    assert len(third["value"]) == 1 and "nextLink" not in third
    # $top bounds the whole listing, across pages.
    assert [g.name for g in small.rm.resource_groups.list(top=3)] == names[:3]
    assert [g.name for g in small.rm.resource_groups.list(top=1)] == names[:1]


def test_paging_keeps_a_filter_with_special_characters(make_emulator):
    small = make_emulator(page_size=2)
    value = "a+b&c=d e"
    wanted = [small.create_rg(f"tagged-{i}", tags={"k": value}) for i in range(3)]
    small.create_rg("untagged", tags={"k": "other"})

    listed = [
        g.name
        for g in small.rm.resource_groups.list(filter=f"tagName eq 'k' and tagValue eq '{value}'")
    ]

    assert listed == wanted


def test_generic_resource_listing_shows_the_container_groups(sdk, rg):
    sdk.aci.container_groups.begin_create_or_update(rg, "tagged", group(tags={"k": "v"})).result()
    sdk.aci.container_groups.begin_create_or_update(rg, "plain", group()).result()

    in_group = {(r.name, r.type) for r in sdk.rm.resources.list_by_resource_group(rg)}
    tagged = [r.id for r in sdk.rm.resources.list(filter="tagName eq 'k' and tagValue eq 'v'")]

    assert in_group == {
        ("tagged", "Microsoft.ContainerInstance/containerGroups"),
        ("plain", "Microsoft.ContainerInstance/containerGroups"),
    }
    assert any(
        i.endswith(
            f"/resourceGroups/{rg}/providers/Microsoft.ContainerInstance/containerGroups/tagged"
        )
        for i in tagged
    )
    assert not any(i.endswith("/plain") for i in tagged)


def test_a_bad_name_is_refused_on_every_method_before_the_lookup(rm):
    """`az group show -g '""'` got InvalidResourceGroup, not ResourceGroupNotFound
    (Azure/azure-cli#14481): ARM checks the name before it looks the group up."""
    for call in (
        lambda: rm.resource_groups.get('bad"name'),
        lambda: rm.resource_groups.update('bad"name', {"tags": {}}),
        lambda: rm.resource_groups.begin_delete('bad"name'),
    ):
        with pytest.raises(HttpResponseError) as caught:
            call()
        assert caught.value.status_code == 400
        assert caught.value.error.code == "InvalidResourceGroup"
        assert "has these invalid characters: '\"'" in caught.value.error.message


@pytest.mark.parametrize("region", ["italynorth", "spaincentral", "Poland Central", "jioindiawest"])
def test_a_resource_group_may_live_in_any_region_arm_lists(rm, region):
    """ARM's 2024 list of resource-group regions (MicrosoftDocs/executable-docs#74), wider
    than the regions that offer Container Instances."""
    group = rm.resource_groups.create_or_update("rg-" + region[:5].lower(), {"location": region})
    assert group.location == "".join(region.split()).lower()


def test_an_unknown_region_gets_arms_list_of_regions(rm):
    with pytest.raises(HttpResponseError) as caught:
        rm.resource_groups.create_or_update("rg-china", {"location": "chinanorth2"})
    assert caught.value.error.code == "LocationNotAvailableForResourceGroup"
    assert caught.value.error.message == (
        "The provided location 'chinanorth2' is not available for resource group. List of "
        "available regions is 'eastasia,southeastasia,australiaeast,australiasoutheast,"
        "brazilsouth,canadacentral,canadaeast,switzerlandnorth,germanywestcentral,eastus2,eastus,"
        "centralus,northcentralus,francecentral,uksouth,ukwest,centralindia,southindia,"
        "jioindiawest,italynorth,japaneast,japanwest,koreacentral,koreasouth,mexicocentral,"
        "northeurope,norwayeast,polandcentral,qatarcentral,spaincentral,swedencentral,uaenorth,"
        "westcentralus,westeurope,westus2,westus,southcentralus,westus3,southafricanorth,"
        "australiacentral,australiacentral2,israelcentral,westindia,centraluseuap,eastus2euap'."
    )
