"""A refused request changes nothing: injected faults, groups, quota, DNS labels and operations
are as they were, whichever stage refuses it (the body's counts, names, types, identities; the
service's quota, images and DNS labels)."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from aci_builders import ACI_API, HELLO, Clients, container, group, unique
from azure.core.exceptions import HttpResponseError
from azure.mgmt.containerinstance.models import ContainerGroupIdentity, UserAssignedIdentities
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

LOCATION = "eastus"
QUOTA = 4  # cores; the kept group uses 1
BODY_REFUSALS = 5  # the first refusals below are of the body alone; the others, the service's


def _body(name_label: str | None = None, cpu: float = 1.0) -> dict[str, Any]:
    ip: dict[str, Any] = {"type": "Public", "ports": [{"port": 80, "protocol": "TCP"}]}
    if name_label:
        ip["dnsNameLabel"] = name_label
    return {
        "location": LOCATION,
        "properties": {
            "osType": "Linux",
            "ipAddress": ip,
            "containers": [
                {
                    "name": "app",
                    "properties": {
                        "image": HELLO,
                        "ports": [{"port": 80}],
                        "resources": {"requests": {"cpu": cpu, "memoryInGB": 1.5}},
                    },
                }
            ],
        },
    }


def _identity(key: str) -> dict[str, Any]:
    return {"type": "UserAssigned", "userAssignedIdentities": {key: {}}}


# Each kind of refusal: how to change a valid body, and the code Azure answers. They come from
# every stage: counts, spelling, types, identities, rules, and the service's own checks.
def _refusals(taken_label: str) -> dict[str, tuple[Any, str]]:
    def changed(change):
        def make() -> dict[str, Any]:
            body = _body()
            change(body, body["properties"], body["properties"]["containers"][0]["properties"])
            return body

        return make

    return {
        "too many volumes": (
            changed(lambda b, p, c: p.update(Volumes=[{"name": 5}] * 21)),
            "TooManyVolumes",
        ),
        "a port out of range, spelled otherwise": (
            changed(
                lambda b, p, c: (
                    p.pop("ipAddress")
                    and p.update(IpAddress={"TYPE": "Public", "Ports": [{"PORT": 0}]})
                )
            ),
            "InvalidPort",
        ),
        "a restart policy of the wrong type, spelled otherwise": (
            changed(lambda b, p, c: p.update(RestartPolicy={"not": "an enum"})),
            "InvalidRequestContent",
        ),
        "an identity key that is not an id": (
            changed(lambda b, p, c: b.update(identity=_identity("not-an-id"))),
            "LinkedInvalidPropertyId",
        ),
        "an identity key with a lone surrogate": (
            changed(lambda b, p, c: b.update(identity=_identity("\ud800"))),
            "LinkedInvalidPropertyId",
        ),
        "an image nobody can pull": (
            changed(lambda b, p, c: c.update(image="myregistry.azurecr.io/app:1")),
            "InaccessibleImage",
        ),
        "more cores than the quota": (
            changed(lambda b, p, c: c["resources"]["requests"].update(cpu=QUOTA)),
            "ContainerGroupQuotaReached",
        ),
        "a DNS label another group holds": (
            changed(lambda b, p, c: p["ipAddress"].update(dnsNameLabel=taken_label)),
            "DnsNameLabelAlreadyTaken",
        ),
    }


def _state(sdk: Clients) -> dict[str, Any]:
    emu = sdk.emulator
    faults = requests.get(
        f"{sdk.info.arm_endpoint}/_emulator/faults", verify=sdk.info.ca_bundle, timeout=30
    )
    aci = emu.cloud.aci
    return {
        "faults": faults.json()["value"],
        "groups": [g.as_dict() for g in sdk.aci.container_groups.list()],
        "usage": [(u.name.value, u.current_value) for u in sdk.aci.location.list_usage(LOCATION)],
        "dns labels": dict(aci.dns_labels._owners),
        "operations": len(aci.operations),
    }


@pytest.fixture
def arranged(make_emulator):
    """An emulator with a group that holds a DNS label, a provisioning fault waiting for the
    next create of `target`, and a resource group to create it in."""
    sdk = make_emulator(quota_cores=QUOTA)
    rg = sdk.create_rg(location=LOCATION)
    label = unique("held")
    held = group(dns_label=label, location=LOCATION)
    sdk.aci.container_groups.begin_create_or_update(rg, unique("kept"), held).result()
    target = unique("target")
    sdk.emulator.faults.inject(
        "provisioning", code="InaccessibleImage", message="Not today.", path=f"**/{target}"
    )
    return sdk, rg, target, label


@settings(
    max_examples=24,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(kind=st.integers(min_value=0, max_value=7), update=st.booleans())
def test_a_refused_request_changes_nothing(arranged, kind, update):
    sdk, rg, target, label = arranged
    refusals = list(_refusals(label).items())
    what, (make, code) = refusals[kind]
    name = target
    if update and kind < BODY_REFUSALS:  # a refused update of the group that exists
        name = next(iter(sdk.aci.container_groups.list_by_resource_group(rg))).name
    before = _state(sdk)
    raw = sdk.raw()
    answer = raw.request("PUT", raw.cg_path(rg, name), api_version=ACI_API, json=make())
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, code), what
    assert _state(sdk) == before, what


def test_the_fault_fires_at_the_first_create_that_is_not_refused(arranged):
    sdk, rg, target, _ = arranged
    raw = sdk.raw()
    refused = _body()
    refused["identity"] = _identity("\ud800")
    answer = raw.request("PUT", raw.cg_path(rg, target), api_version=ACI_API, json=refused)
    assert answer.json()["error"]["code"] == "LinkedInvalidPropertyId"
    poller = sdk.aci.container_groups.begin_create_or_update(rg, target, group())
    with pytest.raises(HttpResponseError) as raised:
        poller.result()
    assert (raised.value.error.code, raised.value.error.message) == (
        "InaccessibleImage",
        "Not today.",
    )
    assert sdk.emulator.faults.active() == []


# -- user-assigned identities are resource ids -----------------------------------------------

IDENTITY_PREFIX = (
    "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/ids"
    "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/"
)


def _with_identity(key: str):
    identity = ContainerGroupIdentity(
        type="UserAssigned", user_assigned_identities={key: UserAssignedIdentities()}
    )
    return group(container(), identity=identity, public=False)


def _linked_invalid(key: str) -> str:
    return (
        f"Property id '{key}' at path '' is invalid. Expect fully qualified resource Id that "
        "start with '/subscriptions/{subscriptionId}' or '/providers/{resourceProviderNamespace}/'."
    )


@pytest.mark.parametrize(
    "key",
    [
        "not-an-id",
        "70792f8c-c632-4cb3-9ac8-c280cabd35f1",  # a principal id (Azure/azure-cli#25401)
        "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/ids/providers"
        "/Microsoft.Storage/storageAccounts/store",  # a resource of another type
        IDENTITY_PREFIX + "a b",  # a character no name holds
        IDENTITY_PREFIX + "id/extra",
        IDENTITY_PREFIX,
    ],
)
def test_an_identity_key_that_is_not_an_identitys_id_is_refused(sdk, rg, cg_name, key):
    with pytest.raises(HttpResponseError) as raised:
        sdk.aci.container_groups.begin_create_or_update(rg, cg_name, _with_identity(key))
    assert raised.value.status_code == 400
    assert raised.value.error.code == "LinkedInvalidPropertyId"
    assert raised.value.error.message == _linked_invalid(key)
    assert [g.name for g in sdk.aci.container_groups.list_by_resource_group(rg)] == []


def test_a_lone_surrogate_in_an_identity_key_is_refused_not_a_500(sdk, rg, cg_name):
    with pytest.raises(HttpResponseError) as raised:
        sdk.aci.container_groups.begin_create_or_update(rg, cg_name, _with_identity("\ud800"))
    assert raised.value.status_code == 400
    assert raised.value.error.code == "LinkedInvalidPropertyId"
    # The body reader reads a lone surrogate as Json.NET does, as U+FFFD (web/body.py).
    assert raised.value.error.message == _linked_invalid("\ufffd")


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.from_regex(r"[A-Za-z0-9][-_A-Za-z0-9]{2,40}", fullmatch=True),
    case=st.sampled_from([str.lower, str.upper, str]),
)
def test_an_identitys_id_in_any_case_is_accepted(sdk, name, case):
    rg = sdk.create_rg()
    key = case(IDENTITY_PREFIX) + name
    created = sdk.aci.container_groups.begin_create_or_update(
        rg, unique("cg"), _with_identity(key)
    ).result()
    assert list(created.identity.user_assigned_identities) == [key]
    sdk.rm.resource_groups.begin_delete(rg).result()


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(key=st.text(max_size=12))
def test_any_other_identity_key_is_refused_naming_it(sdk, rg, key):
    with pytest.raises(HttpResponseError) as raised:
        sdk.aci.container_groups.begin_create_or_update(rg, unique("cg"), _with_identity(key))
    assert raised.value.status_code == 400
    assert raised.value.error.code == "LinkedInvalidPropertyId"
    shown = key.encode("utf-8", "backslashreplace").decode("utf-8")
    assert raised.value.error.message == _linked_invalid(shown)


def test_the_state_compared_shows_a_request_that_is_not_refused(arranged):
    """The comparison above can fail: an accepted create changes every part of it."""
    sdk, rg, target, _ = arranged
    before = _state(sdk)
    raw = sdk.raw()
    answer = raw.request(
        "PUT", raw.cg_path(rg, target), api_version=ACI_API, json=_body(unique("label"))
    )
    assert answer.status_code == 201
    after = _state(sdk)
    assert [after[part] == before[part] for part in before] == [False] * len(before)
