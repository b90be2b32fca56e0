"""The error corpus's rules over generated inputs, not only its examples.

Each property states a rule as the corpus shows it (tests/fidelity/errors/, emulator/README.md's
error table) in a few lines of its own, and checks the emulator against it for inputs Hypothesis
draws: the examples a rule was written from are one point each of these classes.
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Iterator

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aci_emulator import Emulator, EmulatorConfig
from aci_emulator.backend.rules_arm import RESOURCES_VERSIONS
from aci_emulator.testing import raw_token
from aci_emulator.web.app import ACI_VERSIONS

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
HELLO = "mcr.microsoft.com/azuredocs/aci-helloworld"
GUID = re.compile(r"^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$", re.IGNORECASE)


class Wire:
    """Raw HTTPS with a real token, to one emulator."""

    def __init__(self, emulator: Emulator) -> None:
        info = emulator.info
        self.info = info
        self.token = raw_token(info)
        self.session = requests.Session()

    def call(self, method: str, path: str, api_version: str, body: dict | None = None):
        return self.session.request(
            method,
            self.info.arm_endpoint + path,
            params={"api-version": api_version},
            json=body,
            headers={"Authorization": f"Bearer {self.token}"},
            verify=self.info.ca_bundle,
            timeout=30,
        )

    def group(self, name: str, body: dict) -> requests.Response:
        path = (
            f"/subscriptions/{self.info.subscription_id}/resourceGroups/rules-rg/providers/"
            f"Microsoft.ContainerInstance/containerGroups/{name}"
        )
        return self.call("PUT", path, "2023-05-01", body)


@pytest.fixture(scope="module")
def wire() -> Iterator[Wire]:
    with Emulator(EmulatorConfig(quota_cores=100_000)) as emulator:
        w = Wire(emulator)
        rg = f"/subscriptions/{emulator.info.subscription_id}/resourcegroups/rules-rg"
        assert w.call("PUT", rg, "2025-04-01", {"location": "eastus"}).status_code in (200, 201)
        yield w


def group_body(containers: list[dict]) -> dict:
    return {"location": "eastus", "properties": {"osType": "Linux", "containers": containers}}


# -- resource requests and limits -----------------------------------------------------------------
def fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def expected_limits_error(containers: list[tuple[float, float, float | None, float | None]]):
    """The rule in the corpus's words: a limit below its request first (CPU before memory, each
    container in turn), then a limit above the group's total request."""
    totals = (round(sum(c[0] for c in containers), 6), round(sum(c[1] for c in containers), 6))
    for cpu, memory, cpu_limit, memory_limit in containers:
        for request, limit in ((cpu, cpu_limit), (memory, memory_limit)):
            if limit is not None and limit < request:
                return "ResourceLimitsLessThanRequests"
    for i, (_, _, cpu_limit, memory_limit) in enumerate(containers):
        for label, limit, total in (
            ("Cpu", cpu_limit, totals[0]),
            ("MemoryInGB", memory_limit, totals[1]),
        ):
            if limit is not None and limit > total:
                return (
                    "ContainerLimitGreaterThanContainerGroupTotalRequest",
                    f"The '{label}' limit '{fmt(limit)}' in container 'c{i}' is greater than the "
                    f"total request '{fmt(total)}' of container group",
                )
    return None


tenths = st.integers(min_value=1, max_value=13).map(lambda n: n / 10)
containers_strategy = st.lists(
    st.tuples(tenths, tenths, st.none() | tenths, st.none() | tenths), min_size=1, max_size=3
)


@SETTINGS
@given(containers=containers_strategy)
def test_limits_against_requests_and_the_groups_total(wire, containers):
    body = group_body(
        [
            {
                "name": f"c{i}",
                "properties": {
                    "image": HELLO,
                    "resources": {
                        "requests": {"cpu": cpu, "memoryInGB": memory},
                        **(
                            {"limits": {k: v for k, v in (("cpu", cl), ("memoryInGB", ml)) if v}}
                            if cl or ml
                            else {}
                        ),
                    },
                },
            }
            for i, (cpu, memory, cl, ml) in enumerate(containers)
        ]
    )
    name = f"limits-{uuid.uuid4().hex[:8]}"
    answer = wire.group(name, body)
    expected = expected_limits_error(containers)
    if expected is None:
        assert answer.status_code in (200, 201), answer.text
        return
    error = answer.json()["error"]
    assert answer.status_code == 400
    if isinstance(expected, tuple):
        assert error["code"] == expected[0]
        assert error["message"].startswith(expected[1])
    else:
        assert error["code"] == expected
        assert f" of contain group '{name}' is invalid. The '" in error["message"]


# -- names ----------------------------------------------------------------------------------------
@SETTINGS
@given(name=st.text(alphabet="abcXYZ09-_", min_size=1, max_size=66))
def test_group_names_are_case_insensitive(wire, name):
    valid = (
        len(name) <= 63
        and re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", name.lower()) is not None
        and "--" not in name
    )
    answer = wire.group(name, group_body([_container()]))
    if valid:
        assert answer.status_code in (200, 201), answer.text
    else:
        assert answer.status_code == 400
        assert answer.json()["error"]["code"] == "InvalidContainerGroupName"


def _container() -> dict:
    return {
        "name": "app",
        "properties": {"image": HELLO, "resources": {"requests": {"cpu": 0.1, "memoryInGB": 0.1}}},
    }


# -- networking -----------------------------------------------------------------------------------
def expected_networking_error(ip_type: str | None, subnet: bool) -> str | None:
    """A public address cannot join a virtual network (hashicorp/terraform-provider-azurerm#19579);
    a private one needs a subnet (cocallaw/terraform-azure-tailscale-subnet-router#13)."""
    kind = (ip_type or "").lower()
    if kind == "public" and subnet:
        return "InvalidIpAddressTypeForNetworkProfile"
    if kind == "private" and not subnet:
        return "PrivateIpWithoutSubnetNotSupported"
    return None


casings = st.sampled_from(["Public", "public", "PUBLIC", "Private", "private", "PRIVATE"])


@SETTINGS
@given(ip_type=st.none() | casings, subnet=st.booleans())
def test_an_address_type_against_a_subnet(wire, ip_type, subnet):
    container = _container()
    container["properties"]["ports"] = [{"port": 80}]
    body = group_body([container])
    if ip_type is not None:
        body["properties"]["ipAddress"] = {"type": ip_type, "ports": [{"port": 80}]}
    if subnet:
        vnet = f"/subscriptions/{wire.info.subscription_id}/resourceGroups/rules-rg/providers/"
        body["properties"]["subnetIds"] = [
            {"id": vnet + "Microsoft.Network/virtualNetworks/vnet/subnets/aci"}
        ]
    answer = wire.group(f"net-{uuid.uuid4().hex[:8]}", body)
    expected = expected_networking_error(ip_type, subnet)
    if expected is None:
        assert answer.status_code in (200, 201), answer.text
    else:
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["code"] == expected


# -- Spot and confidential groups -----------------------------------------------------------------
def expected_sku_error(
    priority: str | None, sku: str | None, address: bool, gpu: bool = False
) -> str | None:
    """Spot runs in the Standard SKU only, without GPUs or inbound connections; a priority is
    Regular or Spot (MicrosoftDocs/SupportArticles-docs: error-codes-spot-container-creation.md)."""
    if priority is not None and priority.lower() not in ("regular", "spot"):
        return "PriorityNotSpecified"
    if (priority or "").lower() == "spot":
        if (sku or "standard").lower() != "standard":
            return "SpotPriorityContainerGroupNotSupportedInSku"
        if gpu:
            return "SpotPriorityContainerGroupWithGPUResourcesNotSupported"
        if address:
            return "SpotPriorityContainerGroupNotSupportedForInboundConnectivity"
    return None


@SETTINGS
@given(
    priority=st.none() | st.sampled_from(["Regular", "spot", "SPOT", "Spot", "Low", ""]),
    sku=st.none() | st.sampled_from(["Standard", "dedicated", "Confidential"]),
    address=st.booleans(),
    gpu=st.booleans(),
)
def test_spot_against_sku_gpu_and_address(wire, priority, sku, address, gpu):
    container = _container()
    container["properties"]["ports"] = [{"port": 80}]
    if gpu:
        container["properties"]["resources"]["requests"]["gpu"] = {"count": 1, "sku": "V100"}
    body = group_body([container])
    if priority is not None:
        body["properties"]["priority"] = priority
    if sku is not None:
        body["properties"]["sku"] = sku
    if address:
        body["properties"]["ipAddress"] = {"type": "Public", "ports": [{"port": 80}]}
    name = f"spot-{uuid.uuid4().hex[:8]}"
    answer = wire.group(name, body)
    expected = expected_sku_error(priority, sku, address, gpu)
    if expected is None:
        assert answer.status_code in (200, 201), answer.text
        return
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == expected
    if expected == "SpotPriorityContainerGroupNotSupportedInSku":
        assert f"in '{sku.capitalize()}' Sku." in error["message"]
    if expected == "PriorityNotSpecified":
        assert error["message"].endswith(f"for container group '{name}'.")


@SETTINGS
@given(policy=st.binary(min_size=1, max_size=60), encode=st.booleans())
def test_a_confidential_policy_is_base64(wire, policy, encode):
    text = base64.b64encode(policy).decode() if encode else policy.decode("latin-1")
    body = group_body([_container()])
    body["properties"]["sku"] = "Confidential"
    body["properties"]["confidentialComputeProperties"] = {"ccePolicy": text}
    answer = wire.group(f"cce-{uuid.uuid4().hex[:8]}", body)
    try:
        valid = bool(text.strip()) and base64.b64decode(text.strip(), validate=True) is not None
    except ValueError:
        valid = False
    if valid:
        assert answer.status_code in (200, 201), answer.text
    else:
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["code"] == "InvalidCcePolicy"


# -- registry credentials with an identity --------------------------------------------------------
@SETTINGS
@given(version=st.sampled_from([v for v in ACI_VERSIONS if v >= "2018-10-01"]))
def test_a_registry_identity_needs_its_api_version(wire, version):
    """Before 2021-07-01 a registry credential names no identity (MicrosoftDocs/SupportArticles-docs:
    acr-image-pull-failures-managed-identity.md); from it, the group's own identity is accepted."""
    uami = (
        f"/subscriptions/{wire.info.subscription_id}/resourceGroups/rules-rg/providers/"
        "Microsoft.ManagedIdentity/userAssignedIdentities/acr-pull"
    )
    container = _container()
    container["properties"]["image"] = "myregistry.azurecr.io/app:1"
    body = group_body([container])
    body["identity"] = {"type": "UserAssigned", "userAssignedIdentities": {uami: {}}}
    body["properties"]["imageRegistryCredentials"] = [
        {"server": "myregistry.azurecr.io", "identity": uami}
    ]
    name = f"acr-{uuid.uuid4().hex[:8]}"
    path = (
        f"/subscriptions/{wire.info.subscription_id}/resourceGroups/rules-rg/providers/"
        f"Microsoft.ContainerInstance/containerGroups/{name}"
    )
    answer = wire.call("PUT", path, version, body)
    if version < "2021-07-01":
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"] == {
            "code": "InvalidImageRegistryCredentialType",
            "message": f"Identity in 'imageRegistryCredentials' of container group '{name}' is "
            "not supported.",
        }
    else:
        assert answer.status_code in (200, 201), answer.text


@SETTINGS
@given(username=st.booleans(), identity=st.booleans())
def test_a_registry_credential_is_of_exactly_one_type(wire, username, identity):
    """A username or an identity, not both (MicrosoftDocs/SupportArticles-docs:
    acr-image-pull-failures-managed-identity.md); neither is refused alike (our reading)."""
    uami = (
        f"/subscriptions/{wire.info.subscription_id}/resourceGroups/rules-rg/providers/"
        "Microsoft.ManagedIdentity/userAssignedIdentities/acr-pull"
    )
    container = _container()
    container["properties"]["image"] = "myregistry.azurecr.io/app:1"
    body = group_body([container])
    body["identity"] = {"type": "UserAssigned", "userAssignedIdentities": {uami: {}}}
    credential: dict = {"server": "myregistry.azurecr.io"}
    if username:
        credential |= {"username": "myregistry", "password": "not-a-secret"}
    if identity:
        credential["identity"] = uami
    body["properties"]["imageRegistryCredentials"] = [credential]
    name = f"cred-{uuid.uuid4().hex[:8]}"
    answer = wire.group(name, body)
    if username != identity:
        assert answer.status_code in (200, 201), answer.text
        return
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == {
        "code": "AmbiguousImageResitryCredentialType",
        "message": "The registry credential type in the 'imageRegistryCredentials' of container "
        f"group '{name}' cannot be detected. Please set exactly one of username or identity",
    }


# -- volumes and the body's members ---------------------------------------------------------------
@SETTINGS
@given(names=st.lists(st.sampled_from(["data-a", "data-b", "cache1", "logs-x"]), max_size=5))
def test_volume_names_are_unique(wire, names):
    """DuplicateVolumes names the first repeated volume (virtual-kubelet/azure-aci#303)."""
    body = group_body([_container()])
    body["properties"]["volumes"] = [{"name": n, "emptyDir": {}} for n in names]
    answer = wire.group(f"vol-{uuid.uuid4().hex[:8]}", body)
    repeated = next((n for i, n in enumerate(names) if n in names[:i]), None)
    if repeated is None:
        assert answer.status_code in (200, 201), answer.text
        return
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == {
        "code": "DuplicateVolumes",
        "message": f"Duplicate volumes '{repeated}' are found.",
    }


@SETTINGS
@given(member=st.from_regex(r"[a-zA-Z][a-zA-Z0-9]{0,20}", fullmatch=True))
def test_an_unknown_member_of_a_group_s_properties_is_refused(wire, member):
    """Azure's deserializer refuses a member ContainerGroupPropertiesDefinition lacks
    (prefect-archive/prefect-azure#103); the spec's members (any casing) pass."""
    known = {k.lower() for k in group_body([])["properties"]} | {
        "sku", "restartpolicy", "volumes", "initcontainers", "imageregistrycredentials",
        "ipaddress", "diagnostics", "subnetids", "dnsconfig", "encryptionproperties",
        "priority", "confidentialcomputeproperties", "extensions", "containergroupprofile",
        "provisioningstate", "instanceview",
    }  # fmt: skip
    body = group_body([_container()])
    # A known member keeps its spec's value (an empty list or object is valid for each).
    body["properties"].setdefault(member, {"x": 1} if member.lower() not in known else None)
    if body["properties"][member] is None:
        del body["properties"][member]
    answer = wire.group(f"mem-{uuid.uuid4().hex[:8]}", body)
    if member.lower() in known:
        assert answer.status_code in (200, 201), answer.text
        return
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "InvalidRequestContent"
    assert error["message"].startswith(
        "The request content was invalid and could not be deserialized: 'Could not find member "
        f"'{member}' on object of type 'ContainerGroupPropertiesDefinition'. Path "
        f"'properties.{member}', line 1, position "
    )


# -- the ARM layer --------------------------------------------------------------------------------
@SETTINGS
@given(segment=st.text(alphabet="abcdef0123456789-XYZ", min_size=1, max_size=45))
def test_a_malformed_subscription_is_named_before_it_is_looked_up(wire, segment):
    path = f"/subscriptions/{segment}/resourcegroups/some-rg"
    answer = wire.call("GET", path, "2025-04-01")
    if GUID.fullmatch(segment):
        assert answer.json()["error"]["code"] == "SubscriptionNotFound"
        return
    assert answer.status_code == 400
    assert answer.json()["error"] == {
        "code": "InvalidSubscriptionId",
        "message": f"The provided subscription identifier '{segment[:36]}' is malformed or "
        "invalid.",
    }


dates = st.dates().map(lambda d: d.isoformat()) | st.sampled_from(RESOURCES_VERSIONS)


@SETTINGS
@given(version=st.tuples(dates, st.sampled_from(["", "-preview"])).map("".join))
def test_resource_group_versions_are_the_ones_arm_lists(wire, version):
    path = f"/subscriptions/{wire.info.subscription_id}/resourcegroups/rules-rg"
    answer = wire.call("GET", path, version)
    if version in RESOURCES_VERSIONS:
        assert answer.status_code == 200
        return
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "InvalidApiVersionParameter"
    assert error["message"] == (
        f"The api-version '{version}' is invalid. The supported versions are "
        f"'{','.join(RESOURCES_VERSIONS)}'."
    )


# -- identities on Windows, network profiles, what an update may change ---------------------------
@SETTINGS
@given(
    os_type=st.sampled_from(["Linux", "Windows", "windows"]),
    identity=st.none() | st.sampled_from(["None", "SystemAssigned"]),
)
def test_a_windows_group_takes_no_identity(wire, os_type, identity):
    """Azure/azure-rest-api-specs#18122: any identity on a Windows group, even type None."""
    container = _container()
    if os_type.lower() == "windows":
        container["properties"]["image"] = "mcr.microsoft.com/windows/nanoserver:ltsc2022"
    body = group_body([container])
    body["properties"]["osType"] = os_type
    if identity is not None:
        body["identity"] = {"type": identity}
    answer = wire.group(f"win-{uuid.uuid4().hex[:8]}", body)
    if identity is None or os_type.lower() != "windows":
        assert answer.status_code in (200, 201), answer.text
        return
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == {
        "code": "IdentityNotSupportedOnWindows",
        "message": "Managed service identity is not supported for Windows container groups.",
    }


@SETTINGS
@given(
    provider=st.sampled_from(
        ["Microsoft.Network/networkProfiles", "microsoft.network/NETWORKPROFILES",
         "Microsoft.Network/virtualNetworks/vnet/subnets", "Microsoft.Storage/storageAccounts"]
    ),
    leaf=st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True),
)  # fmt: skip
def test_a_network_profile_is_a_network_profile(wire, provider, leaf):
    """hashicorp/terraform-provider-azurerm#6562: a subnet's id where a profile's belongs."""
    profile = (
        f"/subscriptions/{wire.info.subscription_id}/resourceGroups/net/providers/{provider}/{leaf}"
    )
    container = _container()
    container["properties"]["ports"] = [{"port": 80}]
    body = group_body([container])
    body["properties"]["networkProfile"] = {"id": profile}
    body["properties"]["ipAddress"] = {"type": "Private", "ports": [{"port": 80}]}
    name = f"np-{uuid.uuid4().hex[:8]}"
    path = (
        f"/subscriptions/{wire.info.subscription_id}/resourceGroups/rules-rg/providers/"
        f"Microsoft.ContainerInstance/containerGroups/{name}"
    )
    answer = wire.call("PUT", path, "2018-10-01", body)
    if provider.lower() == "microsoft.network/networkprofiles":
        assert answer.status_code in (200, 201), answer.text
        return
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == {
        "code": "InvalidNetworkProfile",
        "message": f"Network profile '{profile}' is invalid for container group '{name}'.",
    }


@SETTINGS
@given(before=st.booleans(), after=st.booleans(), workspace=st.sampled_from(["a", "b"]))
def test_diagnostics_change_only_with_a_new_group(wire, before, after, workspace):
    """Adding Log Analytics to a running group needs a delete first (MicrosoftDocs/azure-docs
    #65195); so does any other change of its diagnostics (our reading); the same is accepted."""

    def body(with_logs: bool, ws: str) -> dict:
        definition = group_body([_container()])
        if with_logs:
            logs = {"workspaceId": f"00000000-0000-0000-0000-00000000000{ws}", "workspaceKey": "k"}
            definition["properties"]["diagnostics"] = {"logAnalytics": logs}
        return definition

    name = f"diag-{uuid.uuid4().hex[:8]}"
    assert wire.group(name, body(before, "a")).status_code in (200, 201)
    answer = wire.group(name, body(after, workspace))
    if (before, "a" if before else None) == (after, workspace if after else None):
        assert answer.status_code in (200, 201), answer.text
        return
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "InvalidContainerGroupUpdate"
    assert answer.json()["error"]["message"].startswith(
        f"The updates on container group '{name}' are invalid."
    )


# -- lifecycle operations in each state -----------------------------------------------------------
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=st.lists(st.sampled_from(["stop", "start", "restart"]), min_size=1, max_size=5))
def test_restart_needs_a_group_that_is_not_stopped(wire, operations):
    """Azure/azure-cli#8136: a stopped group is started, not restarted (409 our reading); stop
    and start are accepted in any state (no real answer refuses them)."""
    name = f"ops-{uuid.uuid4().hex[:8]}"
    assert wire.group(name, group_body([_container()])).status_code in (200, 201)
    path = (
        f"/subscriptions/{wire.info.subscription_id}/resourceGroups/rules-rg/providers/"
        f"Microsoft.ContainerInstance/containerGroups/{name}"
    )
    stopped = False
    for operation in operations:
        answer = wire.call("POST", f"{path}/{operation}", "2023-05-01")
        if operation == "restart" and stopped:
            assert answer.status_code == 409, answer.text
            assert answer.json()["error"] == {
                "code": "ContainerGroupStopped",
                "message": f"Container Group '{name}' in resource group 'rules-rg' is stopped",
            }
            continue
        assert answer.status_code in (202, 204), answer.text
        stopped = operation == "stop"
