"""`python -m aci_emulator serve` hands the notebook its variables and cleans up after itself."""

from __future__ import annotations

import os
import secrets
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from dotenv import dotenv_values
from newcomer_kit import ROOT, newcomer_env

VARIABLES = [
    "ACI_TUTORIAL_TARGET",
    "AZURE_SUBSCRIPTION_ID",
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_RESOURCE_MANAGER_ENDPOINT",
    "AZURE_AUTHORITY_HOST",
    "REQUESTS_CA_BUNDLE",
]


def serve(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        # No registry lookups: the tests must not depend on the network.
        [sys.executable, "-m", "aci_emulator", "serve", "--port", "0", "--no-image-lookup", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_until_serving(process: subprocess.Popen[str]) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + 60  # against a hang, not a timing assertion
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        assert line, f"the server exited: {process.communicate()}"
        lines.append(line.rstrip("\n"))
        if line.startswith("# Serving"):
            return lines
    raise AssertionError("no '# Serving' line")


@pytest.fixture
def stop():
    started: list[subprocess.Popen[str]] = []
    yield started.append
    for process in started:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_serve_prints_exports_writes_env_file_and_removes_both_files(tmp_path, stop):
    env_file, info_file = tmp_path / ".env", tmp_path / "info.json"
    process = serve("--env-file", str(env_file), "--info-file", str(info_file))
    stop(process)

    lines = read_until_serving(process)

    exports = [shlex.split(line)[1] for line in lines if line.startswith("export ")]
    notebook = dict(item.split("=", 1) for item in exports[: len(VARIABLES)])
    assert list(notebook) == VARIABLES
    assert notebook["ACI_TUTORIAL_TARGET"] == "azure"
    assert notebook["AZURE_RESOURCE_MANAGER_ENDPOINT"].startswith("https://127.0.0.1:")
    assert Path(notebook["REQUESTS_CA_BUNDLE"]).is_file()
    assert "--verbose" in lines[-1]
    # Without --workshop the certificate is the starter's alone, and the output says how to share.
    assert any(line.startswith("# Only you can read the CA certificate above") for line in lines)
    assert "start the server with --workshop." in " ".join(lines)
    assert stat.S_IMODE(os.stat(env_file).st_mode) == 0o600  # it holds the client secret
    assert dotenv_values(env_file) == notebook

    # The notebook's own connect(), in the project folder where that .env lies, reaches the server.
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "from helpers import connect\nwith connect() as ctx: print(ctx.where())",
        ],
        cwd=tmp_path,
        env=newcomer_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.startswith(
        "local emulator server (nothing is created in Azure), "
        f"{notebook['AZURE_RESOURCE_MANAGER_ENDPOINT']}"
    )

    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0 and "emulator stopped" in out, err
    assert not env_file.exists() and not info_file.exists()
    assert not Path(notebook["REQUESTS_CA_BUNDLE"]).exists()


def test_serve_never_overwrites_an_env_file_of_the_users(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("AZURE_SUBSCRIPTION_ID=mine\n")

    run = subprocess.run(
        [sys.executable, "-m", "aci_emulator", "serve", "--port", "0", "--env-file", str(env_file)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert run.returncode == 2
    assert f"--env-file {env_file} exists and was not written by this command" in run.stderr
    assert env_file.read_text() == "AZURE_SUBSCRIPTION_ID=mine\n"


def test_readme_server_section_uses_the_printed_variables():
    readme = (ROOT / "README.md").read_text()
    assert "python -m aci_emulator serve --port 8443 --env-file .env" in readme
    assert "`export` lines" in readme and "--verbose" in readme
    assert "the `arm_endpoint`" not in readme  # no hand mapping from the info file any more


# -- a workshop on a shared host ---------------------------------------------------------------
ATTENDEE_CLIENT = """
import json, ssl, sys, urllib.parse, urllib.request
ca, endpoint, tenant, client_id, secret, private = sys.argv[1:]
context = ssl.create_default_context(cafile=ca)
form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": client_id,
    "client_secret": secret, "scope": "https://management.azure.com/.default"}).encode()
with urllib.request.urlopen(f"{endpoint}/{tenant}/oauth2/v2.0/token", form, context=context) as r:
    print(r.status, "token" if json.load(r)["access_token"] else "no-token")
try:
    open(private).read()
    print("read-private")
except PermissionError:
    print("private-denied")
"""
# The attendee's Python: the system's (this run's venv may sit where only its owner can go).
SYSTEM_PYTHON = shutil.which("python3", path="/usr/bin:/bin")
USERADD, USERDEL, RUNUSER = (shutil.which(tool) for tool in ("useradd", "userdel", "runuser"))


@pytest.mark.skipif(
    not hasattr(os, "geteuid")
    or os.geteuid() != 0
    or not (USERADD and USERDEL and RUNUSER and SYSTEM_PYTHON),
    reason="a second Unix user needs root, useradd, runuser and a system python3",
)
def test_a_second_unix_user_reaches_a_workshop_server_with_only_the_printed_lines(stop):
    user = f"aciw{secrets.token_hex(3)}"
    shared = Path(tempfile.mkdtemp(prefix="aci-workshop-test-"))
    shared.chmod(0o755)  # the info file's folder is open: only the file's own mode protects it
    info_file = shared / "info.json"
    subprocess.run([USERADD, "--no-create-home", "--shell", "/bin/sh", user], check=True)
    try:
        process = serve("--workshop", "--info-file", str(info_file))
        stop(process)
        lines = read_until_serving(process)
        exports = dict(
            shlex.split(line)[1].split("=", 1) for line in lines if line.startswith("export ")
        )
        ca = exports["REQUESTS_CA_BUNDLE"]

        attendee = subprocess.run(
            [RUNUSER, "-u", user, "--", SYSTEM_PYTHON, "-c", ATTENDEE_CLIENT, ca]
            + [exports["AZURE_AUTHORITY_HOST"], exports["AZURE_TENANT_ID"]]
            + [exports["AZURE_CLIENT_ID"], exports["AZURE_CLIENT_SECRET"], str(info_file)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd="/",
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        )
        workshop_line = next(line for line in lines if line.startswith("# Workshop"))
        ca_mode = stat.S_IMODE(os.stat(ca).st_mode)
        info_mode = stat.S_IMODE(os.stat(info_file).st_mode)
        ca_text = Path(ca).read_text()

        process.send_signal(signal.SIGHUP)
        out, err = process.communicate(timeout=30)
    finally:
        subprocess.run([USERDEL, user], check=False)
        shutil.rmtree(shared, ignore_errors=True)

    assert attendee.returncode == 0, attendee.stderr
    assert attendee.stdout.split() == ["200", "token", "private-denied"]
    assert ca in workshop_line  # the output names where the certificate is
    assert (ca_mode, info_mode) == (0o644, 0o600)
    assert "PRIVATE KEY" not in ca_text
    assert process.returncode == 0 and "emulator stopped" in out, err
    assert not Path(ca).exists() and not Path(ca).parent.exists()
