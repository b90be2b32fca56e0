"""`make run` and `make tutorial` in a fresh copy of the project, as the current user (root too)."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from newcomer_kit import VENV, newcomer_env

NOTEBOOK_01 = "notebooks/01-manage-container-instances.ipynb"


def code_cells(path: Path) -> int:
    return sum(c["cell_type"] == "code" for c in json.loads(path.read_text())["cells"])


def test_make_run_prints_each_step_where_it_ran_and_the_time(make, clone):
    notebook = clone / NOTEBOOK_01
    before = notebook.read_bytes()
    steps = code_cells(notebook)

    run = make("run")

    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    headers = re.findall(rf"^\[(\d+)/{steps}\] ", out, re.MULTILINE)
    assert headers == [str(n) for n in range(1, steps + 1)], out
    assert f"[1/{steps}] Setup" in out
    assert "Created resource group 'aci-tutorial-rg-" in out  # a step's own output
    assert "Succeeded in" in out
    assert not re.search(r"… \d+ s", out)  # a progress line shows only its final text
    assert re.search(r"^Ran against: local emulator .*, at https://127\.0\.0\.1:\d+$", out, re.M)
    assert re.search(rf"^All {steps} steps done in \d+\.\d s\.$", out, re.M)
    assert "without encryption" not in run.stderr  # no kernel transport warning
    assert "Executing notebook" not in out + run.stderr
    assert notebook.read_bytes() == before  # the committed notebook is not rewritten


def test_make_run_nb_picks_the_other_notebook(make, clone):
    run = make("run", "NB=02")

    assert run.returncode == 0, run.stdout + run.stderr
    assert "Running 02-beyond-the-basics.ipynb" in run.stdout
    steps = code_cells(next((clone / "notebooks").glob("02-*.ipynb")))
    assert f"All {steps} steps done in" in run.stdout


def test_make_run_with_a_notebook_that_does_not_exist_names_the_ones_that_do(make):
    run = make("run", "NB=03")

    assert run.returncode != 0
    assert "No notebook notebooks/03: pick one with make run NB=01 or make run NB=02" in run.stderr


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


def test_a_failing_step_prints_its_short_error_and_exits_non_zero(make):
    env = newcomer_env(
        AZURE_SUBSCRIPTION_ID="11111111-2222-3333-4444-555555555555",
        AZURE_TENANT_ID="11111111-2222-3333-4444-666666666666",
        AZURE_CLIENT_ID="11111111-2222-3333-4444-777777777777",
        AZURE_CLIENT_SECRET="not-a-real-secret",
        AZURE_AUTHORITY_HOST=f"https://127.0.0.1:{closed_port()}",
    )

    run = make("run", env=env)

    assert run.returncode != 0
    assert "[1/" in run.stdout and "[2/" not in run.stdout  # stopped at the setup step
    error = run.stderr[run.stderr.index("This step failed:") :].split("\nStopped after")[0]
    lines = error.splitlines()[1:]
    assert lines[0].strip().startswith("TutorialError: Could not get an access token")
    assert lines[1].strip().startswith("What to do: The sign-in endpoint could not be reached")
    assert "The CA bundle in use:" in lines[1]
    assert any("127.0.0.1" in line for line in lines[2:])  # the SDK's own message, kept
    assert "show_traceback()" in lines[-1]
    assert len(lines) <= 20, error
    assert "Traceback (most recent call last)" not in run.stderr
    assert "not-a-real-secret" not in run.stdout + run.stderr


def wait_for_lab(url: str, token: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90  # a deadline against a hang, not a timing assertion
    while True:
        assert process.poll() is None, f"make tutorial exited: {log.read_text()[-3000:]}"
        try:
            api(url, token, "/api/status")
            return
        except OSError:
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.25)


def api(url: str, token: str, path: str, method: str = "GET") -> bytes:
    request = urllib.request.Request(
        url + path, method=method, headers={"Authorization": f"token {token}"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read()


def test_make_tutorial_serves_the_project_root_and_opens_notebook_01(clone, tmp_path):
    port, token = closed_port(), secrets.token_hex(16)
    lab_args = " ".join(
        [
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
        ]
    )
    home = tmp_path / "jupyter"
    env = newcomer_env(
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        JUPYTER_PLATFORM_DIRS="1",
    )
    log = tmp_path / "make-tutorial.log"
    url = f"http://127.0.0.1:{port}"
    command = ["make", "-C", str(clone), f"VENV={VENV}", "-o", f"{VENV}/.installed", "tutorial"]
    with log.open("w") as output:
        process = subprocess.Popen(
            [*command, f"LAB_ARGS={lab_args}"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_lab(url, token, process, log)
        root = json.loads(api(url, token, "/api/contents/"))
        names = {item["name"] for item in root["content"]}
        assert {"README.md", "Makefile", "notebooks", "helpers"} <= names  # the project's root
        notebook = json.loads(api(url, token, "/api/contents/" + NOTEBOOK_01 + "?content=0"))
        assert notebook["type"] == "notebook"
        api(url, token, "/api/shutdown", method="POST")
        assert process.wait(timeout=30) == 0, log.read_text()[-3000:]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    text = log.read_text()
    assert f"/lab/tree/{NOTEBOOK_01}" in text  # the address it opens is notebook 01's
    assert "Running as root is not recommended" not in text
    if os.getuid() == 0:
        assert "--allow-root" in text  # the command make ran, as root
