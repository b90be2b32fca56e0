"""How ARM routes paths the emulator does not serve, by class (backend/arm_paths.py): unknown
namespaces, unknown Container Instances types, ARM's own paths, doubled slashes, empty segments,
wrong-case segments and missing names. Never a 500, and a 501 only where ARM would route the
request to a provider the emulator lacks."""

from __future__ import annotations

import pytest
from aci_builders import group, wire_group
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aci_emulator.backend import arm_namespaces, arm_paths

ACI_VERSION = "2023-05-01"
WIRE_GROUP = wire_group()
RG_VERSION = "2025-04-01"
METHODS = st.sampled_from(["GET", "PUT", "POST", "PATCH", "DELETE"])
EXAMPLES = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# Namespace-shaped names ARM does not list (e.g. 'Microsoft.Container', 'mailjet.email').
UNKNOWN_NAMESPACES = st.from_regex(
    r"[A-Za-z][a-z]{2,9}\.[A-Za-z][a-z]{2,11}", fullmatch=True
).filter(lambda name: not arm_namespaces.is_known(name))
NAMES = st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True)
UNKNOWN_ACI_TYPES = st.from_regex(r"[a-z][a-zA-Z]{2,14}", fullmatch=True).filter(
    lambda name: name.lower() not in arm_paths.aci_types()
)


@EXAMPLES
@given(namespace=UNKNOWN_NAMESPACES, kind=NAMES, name=NAMES, method=METHODS)
def test_an_unknown_namespace_is_invalid_at_every_scope(raw, rg, namespace, kind, name, method):
    for path in (
        f"/subscriptions/{{sub}}/resourceGroups/{rg}/providers/{namespace}/{kind}/{name}",
        f"/subscriptions/{{sub}}/providers/{namespace}/{kind}",
        f"/providers/{namespace}/{kind}",
    ):
        response = raw.request(method, path, api_version=ACI_VERSION, json={})
        assert response.status_code == 400, path
        assert response.json()["error"] == {
            "code": "InvalidResourceNamespace",
            "message": f"The resource namespace '{namespace}' is invalid.",
        }


@EXAMPLES
@given(
    kind=UNKNOWN_ACI_TYPES,
    name=NAMES,
    method=METHODS,
    version=st.sampled_from([ACI_VERSION, "2024-05-01-preview", "2019-12-01"]),
)
def test_a_type_container_instances_lacks_is_an_invalid_resource_type(
    raw, rg, kind, name, method, version
):
    namespace = "microsoft.CONTAINERinstance"  # echoed as sent
    path = f"/subscriptions/{{sub}}/resourceGroups/{rg}/providers/{namespace}/{kind}/{name}"
    response = raw.request(method, path, api_version=version, json={})

    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "InvalidResourceType",
        "message": f"The resource type could not be found in the namespace '{namespace}' for api "
        f"version '{version}'.",
    }


@EXAMPLES
@given(tail=st.lists(NAMES, min_size=1, max_size=3), method=METHODS)
def test_arms_own_paths_check_its_versions_then_have_no_route(raw, rg, tail, method):
    """Below a resource group, anything but providers/{namespace}/... is ARM's own path."""
    path = f"/subscriptions/{{sub}}/resourceGroups/{rg}/x{'/'.join(tail)}"
    refused = raw.request(method, path, api_version=ACI_VERSION)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "InvalidApiVersionParameter"

    unrouted = raw.request(method, path, api_version=RG_VERSION)
    assert unrouted.status_code == 404
    error = unrouted.json()["error"]
    assert "code" not in error
    assert error["message"].startswith(
        "No HTTP resource was found that matches the request URI 'https://127.0.0.1:"
    )
    assert error["message"].endswith(f"/x{'/'.join(tail)}?api-version={RG_VERSION}'.")


def test_an_empty_resource_group_segment_is_arms_own_path(raw, rg):
    """`resourceGroups//providers/...`: the slashes read as one, 'providers' is the group and
    the rest is no provider path, so Microsoft.Resources' versions are checked."""
    path = "/subscriptions/{sub}/resourceGroups//providers/Microsoft.ContainerInstance/containerGroups/web"
    for method in ("GET", "PUT", "DELETE"):
        response = raw.request(method, path, api_version=ACI_VERSION, json=WIRE_GROUP)
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "InvalidApiVersionParameter"
        assert error["message"].startswith(f"The api-version '{ACI_VERSION}' is invalid.")


def test_an_empty_resource_group_name_has_no_route(raw):
    """`az group create` with an empty name sent `PUT .../resourcegroups/`."""
    response = raw.request(
        "PUT",
        "/subscriptions/{sub}/resourcegroups/",
        api_version="2022-09-01",
        json={"location": "eastus"},
    )
    assert response.status_code == 404
    assert response.json()["error"]["message"].endswith("/resourcegroups/?api-version=2022-09-01'.")


@EXAMPLES
@given(
    slashes=st.lists(st.integers(min_value=1, max_value=3), min_size=6, max_size=6),
    upper=st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_doubled_slashes_and_case_route_as_the_plain_path(raw, rg, aci, slashes, upper):
    """ARM reads `//` as `/` and matches segments in any case: the same group is found."""
    name = "routed"
    aci.container_groups.begin_create_or_update(rg, name, group()).result()
    segments = [
        "subscriptions",
        "{sub}",
        "resourceGroups",
        rg,
        "providers",
        "Microsoft.ContainerInstance",
        "containerGroups",
        name,
    ]
    shaped = [
        segment.upper() if flip and segment not in ("{sub}", rg, name) else segment
        for segment, flip in zip(segments, upper + [False, False], strict=True)
    ]
    path = "".join(
        "/" * count + segment for count, segment in zip(slashes + [1, 1], shaped, strict=True)
    )
    response = raw.request("GET", path, api_version=ACI_VERSION)

    assert response.status_code == 200, path
    assert response.json()["name"] == name


def test_a_missing_group_name_is_not_a_write(raw, rg):
    """PUT on the collection (no name): the provider's path takes no PUT (our reading: 405)."""
    path = f"/subscriptions/{{sub}}/resourceGroups/{rg}/providers/Microsoft.ContainerInstance/containerGroups/"
    response = raw.request("PUT", path, api_version=ACI_VERSION, json=WIRE_GROUP)
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "MethodNotAllowed"


@pytest.mark.parametrize(
    "path",
    [
        "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/sa",
        "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerInstance/containerGroupProfiles/p",
        "/subscriptions/{sub}/providers/Microsoft.StandbyPool/standbyContainerGroupPools",
    ],
)
def test_a_known_namespace_the_emulator_lacks_is_an_honest_501(raw, rg, path):
    response = raw.request("GET", path.replace("{rg}", rg), api_version="2024-05-01-preview")
    assert response.status_code == 501
    assert response.json()["error"]["code"] == "NotImplemented"


def test_the_front_door_comes_first(raw, rg):
    """The api-version before the token, the token before the namespace."""
    path = f"/subscriptions/{{sub}}/resourceGroups/{rg}/providers/Contoso.Nothing/things/x"
    missing = raw.request("GET", path, token=None)
    assert missing.json()["error"]["code"] == "MissingApiVersionParameter"
    anonymous = raw.request("GET", path, api_version=ACI_VERSION, token=None)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "AuthenticationFailed"
