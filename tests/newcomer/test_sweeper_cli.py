"""The sweeper's command line speaks its own flags and says where it looks and how it signs in."""

from __future__ import annotations

import re

import pytest
from azure.identity import ClientSecretCredential
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.resources.models import ResourceGroup

from aci_emulator import Emulator, EmulatorConfig
from aci_emulator.__main__ import notebook_variables
from helpers.cleanup.__main__ import main


@pytest.fixture
def server(tmp_path, monkeypatch):
    emulator = Emulator(EmulatorConfig())
    info = emulator.start()
    monkeypatch.chdir(tmp_path)  # no .env here or above
    monkeypatch.delenv("ACI_TUTORIAL_RESOURCE_GROUP", raising=False)
    monkeypatch.delenv("AZURE_LOCATION", raising=False)
    for name, value in notebook_variables(info).items():
        monkeypatch.setenv(name, value)
    yield info
    emulator.stop()


def test_a_listing_says_to_rerun_with_yes_and_its_header_names_no_new_group(server, capsys):
    credential = ClientSecretCredential(
        server.tenant_id,
        server.client_id,
        server.client_secret,
        authority=server.authority_host,
        disable_instance_discovery=True,
        connection_verify=server.ca_bundle,
    )
    resources = ResourceManagementClient(
        credential,
        server.subscription_id,
        base_url=server.arm_endpoint,
        connection_verify=server.ca_bundle,
    )
    tags = {
        "created-by": "aci-notebook-tutorial",
        "tutorial-run": "old001",
        "created-at": "2020-01-01T00:00:00+00:00",
    }
    resources.resource_groups.create_or_update(
        "aci-tutorial-rg-old001", ResourceGroup(location="eastus", tags=tags)
    )

    assert main(["--older-than", "1h"]) == 0

    out = capsys.readouterr().out
    header = out.splitlines()[0]
    assert header.startswith(
        "Looking in: local emulator server (nothing is created in Azure), https://127.0.0.1:"
    )
    assert "credential DefaultAzureCredential" in header
    assert "aci-tutorial-rg-" not in header  # the run's would-be group is irrelevant here
    assert re.search(r"^\s*found\s+resource group 'aci-tutorial-rg-old001'", out, re.M), out
    assert "rerun with --yes to delete it" in out
    assert "delete=True" not in out
    assert resources.resource_groups.check_existence("aci-tutorial-rg-old001")  # only listed


def test_help_explains_target_selection_and_credentials(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    for words in (
        "AZURE_SUBSCRIPTION_ID",
        "ACI_TUTORIAL_TARGET",
        ".env",
        "the environment wins",
        "DefaultAzureCredential",
        "az login",
        "managed identity",
        "--yes",
    ):
        assert words in text, words
