"""The unmodified Azure CLI (2.91.0) works against the emulator: `az login`, `az group`, `az container`.

Each command runs in a fresh process with its own `AZURE_CONFIG_DIR`, reaches the emulator the way
a private Azure cloud is reached (`az cloud register`), and its JSON output is checked the way a
user would read it. The CLI never shortens its 30 s polling itself, so every command finishing in
seconds shows that the emulator's long-running responses carry a small `Retry-After`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from azure_cli_runner import AzRunner

pytestmark = pytest.mark.cli

CLOUD = "AzureLocalEmulator"
IMAGE = "mcr.microsoft.com/azuredocs/aci-helloworld"
SECRET_VALUE = f"never-shown-{uuid.uuid4().hex}"
LOCATION = "eastus"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@dataclass
class LoggedIn:
    az: AzRunner
    info: dict[str, str]
    cloud: dict[str, Any]
    instance_discovery: dict[str, Any]
    accounts: list[dict[str, Any]]


@pytest.fixture(scope="module")
def cli(az_runner: AzRunner) -> LoggedIn:
    """The CLI pointed at the emulator and logged in with its service principal."""
    az, info = az_runner, az_runner.server.info
    az(
        "cloud",
        "register",
        "--name",
        CLOUD,
        "--endpoint-resource-manager",
        info["arm_endpoint"] + "/",
        "--endpoint-active-directory",
        info["authority_host"],
        "--endpoint-active-directory-resource-id",
        "https://management.core.windows.net/",
        output=None,
    )
    az("cloud", "set", "--name", CLOUD, output=None)
    cloud = az("cloud", "show").json()
    az("config", "set", "core.instance_discovery=false", output=None)
    instance_discovery = az("config", "get", "core.instance_discovery").json()
    accounts = az(
        "login",
        "--service-principal",
        "--username",
        info["client_id"],
        "--password",
        info["client_secret"],
        "--tenant",
        info["tenant_id"],
    ).json()
    return LoggedIn(az, info, cloud, instance_discovery, accounts)


def test_cloud_register_and_login(cli: LoggedIn) -> None:
    info = cli.info
    assert cli.cloud["name"] == CLOUD
    assert cli.cloud["isActive"] is True
    assert cli.cloud["endpoints"]["resourceManager"] == info["arm_endpoint"] + "/"
    assert cli.cloud["endpoints"]["activeDirectory"] == info["authority_host"]
    assert cli.instance_discovery["value"].lower() == "false"

    assert len(cli.accounts) == 1
    account = cli.accounts[0]
    assert account["id"] == info["subscription_id"]
    assert account["tenantId"] == info["tenant_id"]
    assert account["homeTenantId"] == info["tenant_id"]
    assert account["state"] == "Enabled"
    assert account["isDefault"] is True
    assert account["cloudName"] == CLOUD
    assert account["user"] == {"name": info["client_id"], "type": "servicePrincipal"}

    shown = cli.az("account", "show").json()
    assert shown["id"] == info["subscription_id"]


def test_resource_groups(cli: LoggedIn) -> None:
    az, sub = cli.az, cli.info["subscription_id"]
    rg = unique("rg-cli")

    created = az(
        "group", "create", "--name", rg, "--location", LOCATION, "--tags", "purpose=cli-test"
    ).json()
    assert created["id"] == f"/subscriptions/{sub}/resourceGroups/{rg}"
    assert created["name"] == rg
    assert created["location"] == LOCATION
    assert created["type"] == "Microsoft.Resources/resourceGroups"
    assert created["properties"]["provisioningState"] == "Succeeded"
    assert created["tags"] == {"purpose": "cli-test"}

    shown = az("group", "show", "--name", rg).json()
    assert shown["id"] == created["id"]
    assert shown["location"] == LOCATION

    listed = az("group", "list").json()
    assert rg in [group["name"] for group in listed]
    tagged = az("group", "list", "--tag", "purpose=cli-test").json()
    assert rg in [group["name"] for group in tagged]

    assert az("group", "exists", "--name", rg).json() is True
    assert az("group", "exists", "--name", unique("rg-absent")).json() is False

    missing = az("group", "show", "--name", unique("rg-absent"), check=False)
    assert missing.returncode != 0
    assert "ResourceGroupNotFound" in missing.stderr

    assert az("group", "delete", "--name", rg, "--yes", output=None).stdout.strip() == ""
    assert az("group", "exists", "--name", rg).json() is False


def _create_args(rg: str, name: str, label: str) -> list[str]:
    return [
        "container",
        "create",
        "--resource-group",
        rg,
        "--name",
        name,
        "--image",
        IMAGE,
        "--os-type",
        "Linux",
        "--cpu",
        "1",
        "--memory",
        "1.5",
        "--dns-name-label",
        label,
        "--ports",
        "80",
        "--environment-variables",
        "GREETING=hello",
        "COLOR=blue",
        "--secure-environment-variables",
        f"API_KEY={SECRET_VALUE}",
        "--restart-policy",
        "OnFailure",
    ]


def _environment(group: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["name"]: v for v in group["containers"][0]["environmentVariables"]}


def test_container_lifecycle(cli: LoggedIn) -> None:
    az, sub = cli.az, cli.info["subscription_id"]
    rg, name, label = unique("rg-aci"), unique("hello"), unique("cli-hello")
    group_id = (
        f"/subscriptions/{sub}/resourceGroups/{rg}"
        "/providers/Microsoft.ContainerInstance/containerGroups/" + name
    )
    az("group", "create", "--name", rg, "--location", LOCATION)

    created = az(*_create_args(rg, name, label)).json()
    assert created["id"] == group_id
    assert created["name"] == name
    assert created["resourceGroup"] == rg
    assert created["type"] == "Microsoft.ContainerInstance/containerGroups"
    assert created["location"] == LOCATION
    assert created["provisioningState"] == "Succeeded"
    assert created["osType"] == "Linux"
    assert created["restartPolicy"] == "OnFailure"
    assert created["sku"] == "Standard"
    ip = created["ipAddress"]
    assert ip["type"] == "Public"
    assert ip["dnsNameLabel"] == label
    assert ip["fqdn"] == f"{label}.{LOCATION}.azurecontainer.io"
    assert ip["ports"] == [{"port": 80, "protocol": "TCP"}]
    assert ip["ip"]
    container = created["containers"][0]
    assert container["name"] == name
    assert container["image"] == IMAGE
    assert container["ports"] == [{"port": 80, "protocol": "TCP"}]
    assert container["resources"]["requests"]["cpu"] == 1.0
    assert container["resources"]["requests"]["memoryInGb"] == 1.5
    env = _environment(created)
    assert env["GREETING"]["value"] == "hello"
    assert env["COLOR"]["value"] == "blue"
    assert env["API_KEY"].get("value") is None
    assert env["API_KEY"].get("secureValue") is None

    shown = az("container", "show", "--resource-group", rg, "--name", name).json()
    assert shown["id"] == group_id
    assert shown["provisioningState"] == "Succeeded"
    assert shown["instanceView"]["state"] == "Running"
    assert shown["containers"][0]["instanceView"]["currentState"]["state"] == "Running"
    assert shown["ipAddress"]["fqdn"] == ip["fqdn"]
    assert _environment(shown)["API_KEY"].get("secureValue") is None

    in_subscription = az("container", "list").json()
    listed = [g for g in in_subscription if g["id"] == group_id]
    assert len(listed) == 1
    assert listed[0]["instanceView"] is None  # list results carry no instance view
    in_group = az("container", "list", "--resource-group", rg).json()
    assert [g["name"] for g in in_group] == [name]

    # `az container logs` prints the log text itself, not JSON.
    logs = az("container", "logs", "--resource-group", rg, "--name", name, output=None)
    assert "listening on port 80" in logs.stdout

    assert az("container", "restart", "--resource-group", rg, "--name", name).stdout == ""
    after_restart = az("container", "show", "--resource-group", rg, "--name", name).json()
    assert after_restart["instanceView"]["state"] == "Running"

    assert az("container", "stop", "--resource-group", rg, "--name", name).stdout == ""
    stopped = az("container", "show", "--resource-group", rg, "--name", name).json()
    assert stopped["instanceView"]["state"] == "Stopped"

    assert az("container", "start", "--resource-group", rg, "--name", name).stdout == ""
    started = az("container", "show", "--resource-group", rg, "--name", name).json()
    assert started["instanceView"]["state"] == "Running"
    assert started["containers"][0]["instanceView"]["currentState"]["state"] == "Running"

    deleted = az("container", "delete", "--resource-group", rg, "--name", name, "--yes").json()
    assert deleted["id"] == group_id  # ACI answers a delete with the deleted group
    assert az("container", "list", "--resource-group", rg).json() == []
    gone = az("container", "show", "--resource-group", rg, "--name", name, check=False)
    assert gone.returncode != 0
    assert "ResourceNotFound" in gone.stderr

    az("group", "delete", "--name", rg, "--yes", output=None)
    _assert_secret_never_shown(cli.az)


def test_group_delete_removes_its_container_groups(cli: LoggedIn) -> None:
    az = cli.az
    rg, other_rg = unique("rg-doomed"), unique("rg-kept")
    az("group", "create", "--name", rg, "--location", LOCATION)
    az("group", "create", "--name", other_rg, "--location", LOCATION)
    doomed = [unique("web"), unique("api")]
    kept = unique("kept")
    for name in doomed:
        az(*_create_args(rg, name, unique("lbl")))
    az(
        "container",
        "create",
        "--resource-group",
        other_rg,
        "--name",
        kept,
        "--image",
        IMAGE,
        "--os-type",
        "Linux",
        "--cpu",
        "0.5",
        "--memory",
        "0.5",
    )
    in_group = {g["name"] for g in az("container", "list", "--resource-group", rg).json()}
    assert in_group == set(doomed)

    assert az("group", "delete", "--name", rg, "--yes", output=None).stdout.strip() == ""

    assert az("group", "exists", "--name", rg).json() is False
    remaining = {g["name"] for g in az("container", "list").json()}
    assert not remaining & set(doomed)
    assert kept in remaining

    az("group", "delete", "--name", other_rg, "--yes", output=None)
    assert kept not in {g["name"] for g in az("container", "list").json()}
    _assert_secret_never_shown(cli.az)


def test_create_without_os_type_or_resources_is_refused_as_in_azure(cli: LoggedIn) -> None:
    """CLI 2.91 sends no osType and no resources unless asked; Azure refuses such a group."""
    az = cli.az
    rg = unique("rg-refused")
    az("group", "create", "--name", rg, "--location", LOCATION)

    no_os = az(
        "container",
        "create",
        "--resource-group",
        rg,
        "--name",
        unique("no-os"),
        "--image",
        IMAGE,
        "--cpu",
        "1",
        "--memory",
        "1.5",
        check=False,
    )
    assert no_os.returncode != 0
    assert "(InvalidOsType)" in no_os.stderr

    no_resources = az(
        "container",
        "create",
        "--resource-group",
        rg,
        "--name",
        unique("no-res"),
        "--image",
        IMAGE,
        "--os-type",
        "Linux",
        check=False,
    )
    assert no_resources.returncode != 0
    assert "(ResourceRequestsNotSpecified)" in no_resources.stderr

    assert az("container", "list", "--resource-group", rg).json() == []
    az("group", "delete", "--name", rg, "--yes", output=None)


def _assert_secret_never_shown(az: AzRunner) -> None:
    """The secure environment variable's value appears in no stdout or stderr of any command."""
    assert any(SECRET_VALUE in " ".join(r.args) for r in az.history), "the secret was never sent"
    for result in az.history:
        assert SECRET_VALUE not in result.stdout, f"`az {' '.join(result.args[:2])}` showed it"
        assert SECRET_VALUE not in result.stderr, f"`az {' '.join(result.args[:2])}` showed it"
