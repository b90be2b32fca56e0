"""`python -m aci_emulator serve` as a separate process, reached with nothing but its info file."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from aci_builders import group
from azure.identity import ClientSecretCredential
from azure.mgmt.containerinstance import ContainerInstanceManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient

from aci_emulator.__main__ import build_config, cli_lines, parse_args
from aci_emulator.testing import ServerProcess

INFO_KEYS = {
    "arm_endpoint",
    "authority_host",
    "ca_bundle",
    "tenant_id",
    "subscription_id",
    "client_id",
    "client_secret",
}


@pytest.fixture
def server(tmp_path) -> Iterator[ServerProcess]:
    running = ServerProcess(tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    running.start(timeout=30)
    try:
        yield running
    finally:
        running.stop(signal.SIGKILL)


def test_serve_info_file_sdk_and_sigterm(server):
    process, info_file, info = server.process, server.info_file, server.info

    assert set(info) == INFO_KEYS
    assert stat.S_IMODE(os.stat(info_file).st_mode) == 0o600  # it holds a secret
    assert info["arm_endpoint"].startswith("https://127.0.0.1:")
    assert not info["arm_endpoint"].endswith(":0")
    # Nothing but the info file's values.
    credential = ClientSecretCredential(
        info["tenant_id"],
        info["client_id"],
        info["client_secret"],
        authority=info["authority_host"],
        disable_instance_discovery=True,
        connection_verify=info["ca_bundle"],
    )
    common = {"base_url": info["arm_endpoint"], "connection_verify": info["ca_bundle"]}
    rm = ResourceManagementClient(credential, info["subscription_id"], **common)
    aci = ContainerInstanceManagementClient(credential, info["subscription_id"], **common)
    rm.resource_groups.create_or_update("cli-rg", {"location": "eastus"})
    created = aci.container_groups.begin_create_or_update("cli-rg", "hello", group()).result()
    assert created.provisioning_state == "Succeeded"
    assert aci.container_groups.get("cli-rg", "hello").instance_view.state == "Running"
    assert aci.container_groups.begin_delete("cli-rg", "hello").result().name == "hello"
    rm.resource_groups.begin_delete("cli-rg").result()

    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=30)

    assert process.returncode == 0
    assert "emulator stopped" in stdout
    assert "az login --service-principal" in stdout
    assert info["client_secret"] in stdout  # printed for the person who started it
    assert stderr == ""  # quiet: no request log, no warning
    assert not Path(info["ca_bundle"]).exists()  # its temporary CA is cleaned up


def test_sigint_stops_it_too(server):
    process = server.process

    process.send_signal(signal.SIGINT)
    stdout, _ = process.communicate(timeout=30)

    assert process.returncode == 0
    assert "emulator stopped" in stdout


def test_build_config_from_arguments():
    config = build_config(
        parse_args(
            [
                "serve",
                "--port",
                "0",
                "--provisioning-seconds",
                "2.5",
                "--quota-cores",
                "20",
                "--retry-after",
                "0",
            ]
        )
    )
    assert (config.port, config.provisioning_seconds, config.quota_cores) == (0, 2.5, 20)
    assert config.retry_after is None  # 0 sends none
    assert config.deterministic is False

    realistic = build_config(parse_args(["serve", "--realistic"]))
    assert realistic.provisioning_seconds == 8.0
    assert realistic.retry_after is None
    assert realistic.port == 8443
    # serve looks images up in their registry unless told not to; in process it never does.
    assert realistic.image_lookup is True
    assert build_config(parse_args(["serve", "--no-image-lookup"])).image_lookup is False


def test_cli_lines_name_the_endpoint_and_the_principal(info):
    lines = cli_lines(info)

    assert f"export REQUESTS_CA_BUNDLE={info.ca_bundle}" in lines
    assert any(f"--endpoint-resource-manager {info.arm_endpoint}/" in line for line in lines)
    assert lines[-1] == (
        f"az login --service-principal -u {info.client_id} -p {info.client_secret} "
        f"--tenant {info.tenant_id}"
    )
