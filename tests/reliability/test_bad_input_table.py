"""Inputs users really type or configure wrong, and the error each one gets, asserted row by row.

Names are checked twice: by the helpers' validators before any call (the rule is named), and
sent raw through the SDK, which validates nothing, to see what the service answers. The
configuration rows go through connect(), as the notebook's setup cell does.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import jwt
import pytest
from azure.core.credentials import AccessToken, AccessTokenInfo
from azure.core.exceptions import HttpResponseError
from azure.mgmt.containerinstance.models import (
    Container,
    ContainerGroup,
    ContainerPort,
    IpAddress,
    Port,
    ResourceRequests,
    ResourceRequirements,
)
from azure.mgmt.resource.resources.models import ResourceGroup
from reliability_kit import IMAGE, excerpt, tutorial_env, use_identity

from aci_emulator import Emulator, EmulatorConfig
from helpers import (
    ConfigurationError,
    InvalidNameError,
    TutorialError,
    connect,
    ensure_resource_group,
    explain,
    explain_errors,
    validate_container_group_name,
    validate_container_name,
    validate_dns_label,
    validate_resource_group_name,
)
from helpers.clients import make_clients

GROUP = "bad-input-rg"
WRONG_SECRET = "not-the-secret-0123456789"  # a wrong value a user might paste


@dataclass
class World:
    emu: Emulator
    env: dict[str, str]
    ctx: Any  # a helpers AzureContext with the emulator's Contributor principal
    monkeypatch: pytest.MonkeyPatch

    def connect_with(self, **changes: str | None):
        env = {k: v for k, v in {**self.env, **changes}.items() if v is not None}
        use_identity(self.monkeypatch, env)
        try:
            return connect(environ=env)
        finally:
            use_identity(self.monkeypatch, self.env)


@pytest.fixture(scope="module")
def world():
    # A quota of 10 standard cores, as smaller subscriptions have, so that the quota row is reached.
    config = EmulatorConfig(quota_cores=10)
    with pytest.MonkeyPatch.context() as monkeypatch, Emulator(config) as emu:
        env = tutorial_env(emu.info)
        use_identity(monkeypatch, env)
        monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
        with connect(environ=env) as ctx:
            ctx.resources.resource_groups.create_or_update(GROUP, ResourceGroup(location="eastus"))
            yield World(emu, env, ctx, monkeypatch)


def group(
    *,
    container: str = "hello",
    image: str = IMAGE,
    cpu: float = 1.0,
    memory: float = 1.5,
    containers: int = 1,
    dns_label: str | None = None,
    public_port: int = 80,
    os_type: str | None = "Linux",
    location: str = "eastus",
) -> ContainerGroup:
    return ContainerGroup(
        location=location,
        os_type=os_type,
        containers=[
            Container(
                name=container if containers == 1 else f"{container}{i}",
                image=image,
                resources=ResourceRequirements(
                    requests=ResourceRequests(cpu=cpu, memory_in_gb=memory)
                ),
                ports=[ContainerPort(port=80)],
            )
            for i in range(containers)
        ],
        ip_address=IpAddress(
            type="Public", ports=[Port(port=public_port)], dns_name_label=dns_label
        ),
    )


def create(world: World, name: str = "cg", **options: Any):
    """A create sent raw through the SDK, as the notebook's step 4 sends it."""
    poller = world.ctx.aci.container_groups.begin_create_or_update(GROUP, name, group(**options))
    return poller.result()


@dataclass
class Case:
    what: str  # the input, as the user typed it
    where: str  # where it is caught
    attempt: Callable[[World], Any]  # must raise
    code: str  # the ARM code, the AADSTS code, or the helpers' error class
    message: str  # how the message starts (a regular expression, matched at the start)
    advice: str | None = None  # a phrase of the helpers' advice, if the error gets any

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


SERVICE = "service (sent raw through the SDK)"
SETUP = "setup cell (`connect()`)"


def names() -> list[Case]:
    """Each bad name twice: the helpers' validator, then the service."""
    rows = [
        ("container group name", "My_Group", validate_container_group_name,
         lambda w, n: create(w, n), "InvalidContainerGroupName",
         "The container group name 'My_Group' is invalid"),
        ("container group name", "web--app", validate_container_group_name,
         lambda w, n: create(w, n), "InvalidContainerGroupName",
         "The container group name 'web--app' is invalid"),
        ("container group name", "a" * 64, validate_container_group_name,
         lambda w, n: create(w, n), "InvalidContainerGroupName",
         "The container group name 'a{64}' is invalid"),
        ("container name", "Hello", validate_container_name,
         lambda w, n: create(w, container=n), "InvalidContainerName",
         "The container name 'Hello' in container group 'cg' is invalid"),
        ("container name", "web_1", validate_container_name,
         lambda w, n: create(w, container=n), "InvalidContainerName",
         "The container name 'web_1' in container group 'cg' is invalid"),
        ("DNS name label", "1web-app", validate_dns_label,
         lambda w, n: create(w, dns_label=n), "InvalidDnsNameLabel",
         "The DNS name label '1web-app' in container group 'cg' is invalid"),
        ("DNS name label", "web", validate_dns_label,
         lambda w, n: create(w, dns_label=n), "InvalidDnsNameLabel",
         "The DNS name label 'web' in container group 'cg' is invalid"),
        ("resource group name", "my rg!", validate_resource_group_name,
         lambda w, n: w.ctx.resources.resource_groups.create_or_update(
             n, ResourceGroup(location="eastus")), "InvalidResourceGroup",
         "The provided resource group name 'my rg!' has these invalid characters: ' !'"),
        ("resource group name", "rg.", validate_resource_group_name,
         lambda w, n: w.ctx.resources.resource_groups.create_or_update(
             n, ResourceGroup(location="eastus")), "InvalidResourceGroup",
         "The provided resource group name 'rg.' has these invalid characters: '.'"),
        ("resource group name", "r" * 91, validate_resource_group_name,
         lambda w, n: w.ctx.resources.resource_groups.create_or_update(
             n, ResourceGroup(location="eastus")), "InvalidResourceGroup",
         "The provided resource group name 'r{91}' is too long"),
    ]  # fmt: skip
    cases = []
    for kind, name, validate, send, code, message in rows:
        shown = f"{kind} {name!r}" if len(name) < 20 else f"{kind} of {len(name)} × {name[0]!r}"
        cases.append(
            Case(
                shown,
                f"helpers: `{validate.__name__}`",
                lambda w, validate=validate, name=name: validate(name),
                "InvalidNameError",
                re.escape(f"Invalid {kind} {name!r}: "),
                f"Choose a {kind} that fits: ",
            )
        )
        cases.append(
            Case(
                shown,
                SERVICE,
                lambda w, send=send, name=name: send(w, name),
                code,
                message,
                "names have 1-63"
                if code.startswith("InvalidContainer")
                else "Resource group names have 1-90"
                if code == "InvalidResourceGroup"
                else "DNS name label is invalid",
            )
        )
    return cases


def _expired_token(world: World):
    """A token kept past its expiry (EmulatorConfig(token_lifetime_seconds=1)), then used."""
    with Emulator(EmulatorConfig(token_lifetime_seconds=1)) as short:
        info = short.info
        env = tutorial_env(info)
        with world.connect_with(**env) as ctx:
            token = ctx.credential.get_token("https://management.azure.com/.default")

        class KeptToken:  # e.g. a token copied from `az account get-access-token`
            def get_token(self, *scopes, **kwargs):
                return AccessToken(token.token, token.expires_on)

            def get_token_info(self, *scopes, **kwargs):
                return AccessTokenInfo(token.token, token.expires_on)

        # Past the expiry the token itself states (the client's expires_on may round earlier).
        expiry = jwt.decode(token.token, options={"verify_signature": False})["exp"]
        while time.time() <= expiry:
            time.sleep(0.1)
        _, aci = make_clients(
            KeptToken(),
            info.subscription_id,
            arm_endpoint=info.arm_endpoint,
            ca_bundle=info.ca_bundle,
        )
        with explain_errors():
            list(aci.container_groups.list())


def _list_in(world: World, **changes: str | None):
    with world.connect_with(**changes) as ctx, explain_errors():
        list(ctx.aci.container_groups.list())


def _ensure_group_in(world: World, **changes: str | None):
    with world.connect_with(**changes) as ctx:
        ensure_resource_group(ctx)


def _private_ca_bundle(world: World):
    """A CA file this user may not read, as another user's `serve` leaves it (0600 in a 0700
    folder); root reads every file, so the test drops to an unprivileged user only where it can."""
    folder = Path(tempfile.mkdtemp(prefix="aci-emulator-"))
    bundle = folder / "ca.pem"
    bundle.write_text(Path(world.env["REQUESTS_CA_BUNDLE"]).read_text())
    bundle.chmod(0)
    try:
        if os.geteuid() == 0:  # root reads anything: refuse the open as the kernel would
            denied = PermissionError(13, "Permission denied")
            with mock.patch("helpers.machinery.settings.open", create=True, side_effect=denied):
                return world.connect_with(REQUESTS_CA_BUNDLE=str(bundle))
        return world.connect_with(REQUESTS_CA_BUNDLE=str(bundle))
    finally:
        shutil.rmtree(folder)


def _create_through_helpers(world: World, **options: Any):
    with explain_errors():
        create(world, **options)


def _taken_label(world: World):
    create(world, "first-app", dns_label="team-demo")
    with explain_errors():
        create(world, "second-app", dns_label="team-demo")


CASES = [
    *names(),
    Case(
        "ACI_TUTORIAL_TARGET=cloud",
        SETUP,
        lambda w: w.connect_with(ACI_TUTORIAL_TARGET="cloud"),
        "ConfigurationError",
        re.escape("ACI_TUTORIAL_TARGET='cloud' is not a known target."),
        "Set ACI_TUTORIAL_TARGET to auto (the default), azure or emulator",
    ),
    Case(
        "ACI_TUTORIAL_TARGET=azure without AZURE_SUBSCRIPTION_ID",
        SETUP,
        lambda w: w.connect_with(AZURE_SUBSCRIPTION_ID=None),
        "ConfigurationError",
        re.escape("ACI_TUTORIAL_TARGET=azure but AZURE_SUBSCRIPTION_ID is not set."),
        "Set AZURE_SUBSCRIPTION_ID (az account show --query id -o tsv)",
    ),
    Case(
        "AZURE_SUBSCRIPTION_ID=my-subscription (a name, not the id)",
        SETUP,
        lambda w: w.connect_with(AZURE_SUBSCRIPTION_ID="my-subscription"),
        "ConfigurationError",
        re.escape("AZURE_SUBSCRIPTION_ID='my-subscription' is not a subscription id."),
        "Set AZURE_SUBSCRIPTION_ID to a GUID",
    ),
    Case(
        "subscription id 'my-subscription'",
        SERVICE,
        lambda w: list(
            make_clients(
                w.ctx.credential,
                "my-subscription",
                arm_endpoint=w.ctx.arm_endpoint,
                ca_bundle=w.env["REQUESTS_CA_BUNDLE"],
            )[1].container_groups.list()
        ),
        # ARM refuses a malformed id before looking it up (Azure/apiops#460, velero-io/velero#4737).
        "InvalidSubscriptionId",
        re.escape(
            "The provided subscription identifier 'my-subscription' is malformed or invalid."
        ),
        None,
    ),
    Case(
        "AZURE_SUBSCRIPTION_ID of another subscription (a well-formed, unknown GUID)",
        "step 1 (list), through the helpers",
        lambda w: _list_in(w, AZURE_SUBSCRIPTION_ID="11111111-2222-4333-8444-000000000000"),
        "SubscriptionNotFound",
        re.escape("(SubscriptionNotFound) The subscription '11111111-2222-4333-8444-000000000000'"),
        "Check AZURE_SUBSCRIPTION_ID (az account list -o table) and AZURE_TENANT_ID",
    ),
    Case(
        "AZURE_LOCATION=east-us",
        SETUP,
        lambda w: w.connect_with(AZURE_LOCATION="east-us"),
        "ConfigurationError",
        re.escape("AZURE_LOCATION='east-us' is not a region name."),
        "Set AZURE_LOCATION to a region such as eastus or westeurope",
    ),
    Case(
        "AZURE_LOCATION=westeu (no such region)",
        "step 3 (resource group), through the helpers",
        lambda w: _ensure_group_in(w, AZURE_LOCATION="westeu"),
        "LocationNotAvailableForResourceGroup",
        re.escape("(LocationNotAvailableForResourceGroup) The provided location 'westeu' is not"),
        "Set AZURE_LOCATION to a region name",
    ),
    Case(
        "container group location 'westeu'",
        SERVICE,
        lambda w: create(w, location="westeu"),
        "LocationNotAvailableForResourceType",
        re.escape("The provided location 'westeu' is not available for resource type"),
        "Container Instances is not offered in this region",
    ),
    Case(
        "ACI_TUTORIAL_RESOURCE_GROUP='my rg!'",
        SETUP,
        lambda w: w.connect_with(ACI_TUTORIAL_RESOURCE_GROUP="my rg!"),
        "ConfigurationError",
        re.escape("ACI_TUTORIAL_RESOURCE_GROUP='my rg!' is not a valid name: 1-90 letters"),
        "Set ACI_TUTORIAL_RESOURCE_GROUP to a name of 1-90 letters",
    ),
    Case(
        "AZURE_RESOURCE_MANAGER_ENDPOINT=http://… (not TLS)",
        SETUP,
        lambda w: w.connect_with(AZURE_RESOURCE_MANAGER_ENDPOINT="http://127.0.0.1:8443"),
        "ConfigurationError",
        re.escape("AZURE_RESOURCE_MANAGER_ENDPOINT='http://127.0.0.1:8443' is not an https:// URL"),
        "Azure SDK clients send tokens only over TLS",
    ),
    Case(
        "REQUESTS_CA_BUNDLE=/no/such/ca.pem",
        SETUP,
        lambda w: w.connect_with(REQUESTS_CA_BUNDLE="/no/such/ca.pem"),
        "ConfigurationError",
        re.escape("REQUESTS_CA_BUNDLE='/no/such/ca.pem' is not a file."),
        "Point REQUESTS_CA_BUNDLE at a PEM file",
    ),
    Case(
        "REQUESTS_CA_BUNDLE of an emulator server that has stopped (a .env written by hand)",
        SETUP,
        lambda w: w.connect_with(REQUESTS_CA_BUNDLE="/tmp/aci-emulator-gone0000/ca.pem"),
        "ConfigurationError",
        re.escape("REQUESTS_CA_BUNDLE='/tmp/aci-emulator-gone0000/ca.pem' is gone: the emulator"),
        "Paste the lines the running server prints now into .env",
    ),
    Case(
        "REQUESTS_CA_BUNDLE another user's server keeps private (no --workshop)",
        SETUP,
        _private_ca_bundle,
        "ConfigurationError",
        r"REQUESTS_CA_BUNDLE='[^']*aci-emulator-\w+/ca\.pem' cannot be read by you \(permission",
        "ask them to start it with --workshop",
    ),
    Case(
        "REQUESTS_CA_BUNDLE not set for an emulator server (its CA is not trusted)",
        SETUP,
        lambda w: w.connect_with(REQUESTS_CA_BUNDLE=None),
        "(no code: certificate verify failed)",
        "Could not get an access token: .*CERTIFICATE_VERIFY_FAILED",
        "point REQUESTS_CA_BUNDLE at its CA certificate",
    ),
    Case(
        "AZURE_AUTHORITY_HOST and endpoint on a port where nothing listens",
        SETUP,
        lambda w: w.connect_with(
            AZURE_AUTHORITY_HOST="https://127.0.0.1:9",
            AZURE_RESOURCE_MANAGER_ENDPOINT="https://127.0.0.1:9",
        ),
        "(no code: connection refused)",
        "Could not get an access token: .*Connection refused",
        "The sign-in endpoint could not be reached",
    ),
    Case(
        "AZURE_RESOURCE_MANAGER_ENDPOINT on a port where nothing listens",
        "step 1 (list), through the helpers",
        lambda w: _list_in(w, AZURE_RESOURCE_MANAGER_ENDPOINT="https://127.0.0.1:9"),
        "(no code: connection refused)",
        "Could not reach the endpoint: .*Connection refused",
        "Check the network connection, AZURE_RESOURCE_MANAGER_ENDPOINT",
    ),
    Case(
        "AZURE_CLIENT_SECRET wrong",
        SETUP,
        lambda w: w.connect_with(AZURE_CLIENT_SECRET=WRONG_SECRET),
        "AADSTS7000215",
        "Could not get an access token: .*AADSTS7000215: Invalid client secret provided",
        "Sign in with `az login`",
    ),
    Case(
        "AZURE_CLIENT_ID of no application in the tenant",
        SETUP,
        lambda w: w.connect_with(AZURE_CLIENT_ID="99999999-9999-4999-8999-999999999999"),
        "AADSTS700016",
        "Could not get an access token: .*AADSTS700016: Application with identifier",
        "Sign in with `az login`",
    ),
    Case(
        "AZURE_TENANT_ID of another tenant",
        SETUP,
        lambda w: w.connect_with(AZURE_TENANT_ID="99999999-9999-4999-8999-999999999999"),
        "AADSTS90002",
        "Could not get an access token: .*AADSTS90002: Tenant '99999999",
        "Sign in with `az login`",
    ),
    Case(
        "an access token kept past its expiry (token_lifetime_seconds=1)",
        "step 1 (list), through the helpers",
        _expired_token,
        "ExpiredAuthenticationToken",
        re.escape("(ExpiredAuthenticationToken) The access token expiry UTC time"),
        "Your sign-in expired",
    ),
    Case(
        "cpu=0",
        SERVICE,
        lambda w: create(w, cpu=0),
        "InvalidContainerResourceRequests",
        re.escape("The resource requests of container 'hello' in container group 'cg' are"),
    ),
    Case(
        "cpu=5 (more than a region offers one group)",
        SERVICE,
        lambda w: create(w, cpu=5),
        "ServiceUnavailable",
        re.escape("The requested resource is not available in the location 'eastus' at this"),
        "The region is busy",
    ),
    Case(
        "memory_in_gb=20 (more than a region offers one group)",
        SERVICE,
        lambda w: create(w, memory=20),
        "ServiceUnavailable",
        re.escape("The requested resource is not available in the location 'eastus' at this"),
        "The region is busy",
    ),
    Case(
        "3 containers × 4 CPU (12 cores, over a regional quota of 10)",
        "step 4 (create), through the helpers",
        lambda w: _create_through_helpers(w, cpu=4, containers=3),
        "ContainerGroupQuotaReached",
        re.escape("(ContainerGroupQuotaReached) Resource type 'Microsoft.ContainerInstance/"),
        "The region's standard-core quota is used up (location.list_usage shows the limit",
    ),
    Case(
        "image mcr.microsoft.com/azuredocs/aci-helloworld-doesnotexist",
        "step 4 (create), through the helpers",
        lambda w: _create_through_helpers(
            w, image="mcr.microsoft.com/azuredocs/aci-helloworld-doesnotexist"
        ),
        "InaccessibleImage",
        re.escape("(InaccessibleImage) The image 'mcr.microsoft.com/azuredocs/aci-helloworld-"),
        "ACI could not pull the image",
    ),
    Case(
        "image myregistry.azurecr.io/app:v1 without registry credentials",
        "step 4 (create), through the helpers",
        lambda w: _create_through_helpers(w, image="myregistry.azurecr.io/app:v1"),
        "InaccessibleImage",
        re.escape("(InaccessibleImage) The image 'myregistry.azurecr.io/app:v1'"),
        "a private registry needs image_registry_credentials",
    ),
    Case(
        "image 'ACI Hello World' (not an image reference)",
        SERVICE,
        lambda w: create(w, image="ACI Hello World"),
        "InvalidImageName",
        re.escape("The image name 'ACI Hello World' of container 'hello' in container group"),
    ),
    Case(
        "DNS name label already used by another group in the region",
        "step 4 (create), through the helpers",
        _taken_label,
        "DnsNameLabelAlreadyTaken",
        re.escape(
            "The DNS name label 'team-demo' in container group 'second-app' is not available"
        ),
        "The DNS name label is invalid or already used in this region",
    ),
    Case(
        "public port 8080 that no container exposes",
        SERVICE,
        lambda w: create(w, public_port=8080),
        "UnreferencedIpAddressPorts",
        re.escape("Following ports '8080' in the 'ipAddress' are not used by any container in"),
    ),
    Case(
        "os_type left out",
        SERVICE,
        lambda w: create(w, os_type=None),
        "InvalidOsType",
        re.escape("The 'osType' for container group"),
    ),
]


def observed_code(err: BaseException) -> str:
    code = getattr(err, "code", None) or getattr(getattr(err, "error", None), "code", None)
    if code:
        return code
    aadsts = re.search(r"AADSTS\d+", str(err))
    if aadsts:
        return aadsts[0]
    if isinstance(err, ConfigurationError | InvalidNameError):
        return type(err).__name__
    cause = re.search(r"CERTIFICATE_VERIFY_FAILED|Connection refused", str(err))
    return {"CERTIFICATE_VERIFY_FAILED": "(no code: certificate verify failed)"}.get(
        cause[0] if cause else "", "(no code: connection refused)" if cause else "(no code)"
    )


def readable(message: str) -> str:
    """DefaultAzureCredential's message opens with boilerplate; the table shows the cause."""
    if "Authentication failed: " in message:
        head, cause = message.split("Authentication failed: ", 1)
        return f"{head.split(':')[0]}: … {cause}"
    return message


@pytest.mark.parametrize("case", CASES, ids=str)
def test_bad_input_gets_a_clear_error(world, reliability_report, case):
    with pytest.raises(Exception) as caught:
        case.attempt(world)
    err = caught.value

    assert observed_code(err) == case.code, err
    if case.where == SERVICE:
        assert isinstance(err, HttpResponseError)
        message = err.error.message  # what the service said, unchanged by the SDK
        explained = explain(err)
        advice = explained.advice if explained else None
    else:
        assert isinstance(err, TutorialError), err
        message, advice = err.message, err.advice
        if err.code:  # an ARM error keeps its code and the SDK's exception
            assert err.original is not None and err.original.error.code == case.code
    assert re.match(case.message, message, re.DOTALL), message
    if case.advice is None:
        assert advice is None  # no advice invented: the service's message is the explanation
    else:
        assert case.advice in advice, advice
    if WRONG_SECRET in case.what or case.code == "AADSTS7000215":
        assert WRONG_SECRET not in str(err)  # the wrong secret is not echoed either
    shown = excerpt(readable(message), 80) + (f" — advice: {excerpt(advice, 60)}" if advice else "")
    reliability_report.input(case.what, case.where, case.code, shown)
