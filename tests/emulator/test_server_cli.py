"""`python -m aci_emulator serve` as a separate process, reached with nothing but its info file."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
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


# -- files, signals, ports ---------------------------------------------------------------------
def read_info(path: Path, process: subprocess.Popen, timeout: float = 30.0) -> dict[str, str]:
    """The info file once it is complete (a deadline against hangs, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited early: {process.communicate()}")
        try:
            return json.loads(path.read_text())
        except (FileNotFoundError, ValueError):
            time.sleep(0.02)
    raise AssertionError("the server wrote no info file")


def serve(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    """`serve` with its own temporary folder (TMPDIR), so that what it leaves can be counted."""
    scratch = tmp_path / "tmp"
    scratch.mkdir(exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "aci_emulator", "serve", "--no-image-lookup", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(scratch)},
    )


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_every_stop_signal_removes_its_files_and_its_ca(tmp_path, signame):
    info_file, env_file = tmp_path / "info.json", tmp_path / ".env"
    process = serve(
        tmp_path, "--port", "0", "--info-file", str(info_file), "--env-file", str(env_file)
    )
    try:
        info = read_info(info_file, process)
        assert env_file.exists() and Path(info["ca_bundle"]).exists()

        process.send_signal(getattr(signal, signame))
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()

    assert process.returncode == 0, stderr
    assert stderr == ""
    assert "emulator stopped" in stdout
    assert not info_file.exists() and not env_file.exists()
    assert list((tmp_path / "tmp").iterdir()) == []  # its temporary CA folder is gone


def test_a_busy_port_is_one_line_naming_the_port_and_the_fix(tmp_path):
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        process = serve(tmp_path, "--port", str(port), "--info-file", str(tmp_path / "i.json"))
        stdout, stderr = process.communicate(timeout=60)

    assert process.returncode == 1
    assert stdout == ""
    assert stderr.count("\n") == 1, stderr  # one line, no traceback
    assert f"port {port} on 127.0.0.1 is already in use" in stderr
    assert "--port 0" in stderr
    assert list((tmp_path / "tmp").iterdir()) == []  # no temporary CA folder left
    assert not (tmp_path / "i.json").exists()


def refused(tmp_path: Path, *args: str) -> str:
    process = serve(tmp_path, "--port", "0", *args)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 2, (stdout, stderr)
    assert stderr.count("\n") == 1, stderr
    assert list((tmp_path / "tmp").iterdir()) == []
    return stderr


@pytest.mark.parametrize("option", ["--info-file", "--env-file"])
def test_a_file_of_the_users_is_never_overwritten(tmp_path, option):
    theirs = tmp_path / "theirs.txt"
    theirs.write_text('{"mine": true}\n')
    theirs.chmod(0o644)

    message = refused(tmp_path, option, str(theirs))

    assert f"{option} {theirs} exists and was not written by this command" in message
    assert theirs.read_text() == '{"mine": true}\n'
    assert stat.S_IMODE(theirs.stat().st_mode) == 0o644


@pytest.mark.parametrize("option", ["--info-file", "--env-file"])
def test_a_symlink_is_never_followed(tmp_path, option):
    target = tmp_path / "target.txt"
    target.write_text("precious\n")
    link = tmp_path / "link"
    link.symlink_to(target)
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")

    for path in (link, dangling):
        assert "is a symbolic link; it is never followed" in refused(tmp_path, option, str(path))

    assert target.read_text() == "precious\n"
    assert not (tmp_path / "nowhere").exists()


def test_files_are_new_and_owner_only_and_only_its_own_are_removed(tmp_path):
    info_file, env_file = tmp_path / "info.json", tmp_path / ".env"
    # What a killed server left: its own format, replaced, never a user's file.
    info_file.write_text(json.dumps(dict.fromkeys(INFO_KEYS, "stale")))
    info_file.chmod(0o644)
    process = serve(
        tmp_path, "--port", "0", "--info-file", str(info_file), "--env-file", str(env_file)
    )
    try:
        info = read_info(info_file, process)
        deadline = time.monotonic() + 30  # against a hang, not a timing assertion
        while (info["client_secret"] == "stale" or not env_file.exists()) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.02)
            info = read_info(info_file, process)
        modes = {stat.S_IMODE(path.stat().st_mode) for path in (info_file, env_file)}
        # The user puts a file of their own where the .env was: stop must leave it alone.
        env_file.unlink()
        env_file.write_text("MINE=1\n")
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()

    assert modes == {0o600}
    assert process.returncode == 0, stderr
    assert not info_file.exists()
    assert env_file.read_text() == "MINE=1\n"


def test_sigterm_does_not_wait_for_an_injected_300_s_latency(tmp_path):
    import threading

    import requests

    info_file = tmp_path / "info.json"
    process = serve(tmp_path, "--port", "0", "--info-file", str(info_file))
    try:
        info = read_info(info_file, process)
        common = {"verify": info["ca_bundle"], "timeout": 30}
        fault = requests.post(
            f"{info['arm_endpoint']}/_emulator/faults",
            json={"kind": "latency", "seconds": 300, "path": "/metadata/**"},
            **common,
        )
        assert fault.status_code == 201, fault.text
        outcome: list[object] = []

        def held() -> None:
            try:
                outcome.append(
                    requests.get(
                        f"{info['arm_endpoint']}/metadata/endpoints?api-version=2022-09-01",
                        **common,
                    )
                )
            except requests.ConnectionError as err:
                outcome.append(err)

        client = threading.Thread(target=held, daemon=True)
        client.start()
        faults = f"{info['arm_endpoint']}/_emulator/faults"
        guard = time.monotonic() + 30  # against a hang, not a timing assertion
        while requests.get(faults, **common).json()["value"]:  # fired (once): held now
            assert time.monotonic() < guard and client.is_alive(), outcome
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)  # far less than the fault's 300 s
        client.join(30)
    finally:
        if process.poll() is None:
            process.kill()

    assert process.returncode == 0
    assert stderr == ""  # no never-awaited coroutine, no traceback
    assert "emulator stopped" in stdout
    assert isinstance(outcome[0], requests.ConnectionError), outcome


@pytest.mark.parametrize("option", ["--info-file", "--env-file"])
def test_a_missing_folder_is_one_line_before_anything_starts(tmp_path, option):
    path = tmp_path / "missing" / "file"

    message = refused(tmp_path, option, str(path))

    assert f"{option} {path}: the folder {path.parent} does not exist." in message


def test_limit_flags_reach_the_servers_limits_and_bad_values_are_refused(capsys):
    config = build_config(parse_args(["serve", "--max-connections", "50", "--body-seconds", "5"]))

    assert (config.limits.max_connections, config.limits.body_seconds) == (50, 5.0)
    assert config.limits.max_body_bytes == 4 * 2**20  # the others keep their defaults

    for bad in (["--body-seconds", "0"], ["--max-connections", "-1"], ["--body-seconds", "nan"]):
        with pytest.raises(SystemExit) as exit_info:
            parse_args(["serve", *bad])
        assert exit_info.value.code == 2
        assert "must be" in capsys.readouterr().err
