"""JupyterLab in headless Chromium: a throwaway JupyterLab server and a browser for the tests.

The server runs from this environment (its kernel is this interpreter) on 127.0.0.1 with a random
port and token, on a temporary copy of notebooks/ so the committed notebooks stay untouched, with
its own settings, workspaces and runtime folders, and with everything that would reach the
network (news, update checks, the PyPI extension manager) turned off. The kernels it starts talk
to the local emulator only: the target is forced to the emulator and no Azure variable is passed.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "test-artifacts" / "browser"

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
# Headless Chromium as root, with nothing of its own reaching out (see also --disable-quic).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SERVER_START_TIMEOUT = 60.0


def find_chromium() -> str | None:
    """The system Chromium (Debian's `chromium` package), or the browser named by $CHROMIUM.

    Playwright's own browser builds are not used: they are downloaded at run time.
    """
    override = os.environ.get("CHROMIUM")
    for candidate in [override] if override else CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def require_chromium() -> str:
    """Chromium's path; a missing Chromium skips the test locally but fails it in CI."""
    path = find_chromium()
    if path is not None:
        return path
    reason = (
        "Chromium is not installed: the JupyterLab browser test needs Debian's chromium package "
        "(apt-get install -y chromium)"
    )
    if os.environ.get("CI", "").lower() not in {"", "0", "false", "no"}:
        pytest.fail(f"{reason}; in CI it is required (.ci/run installs it)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class JupyterLab:
    url: str  # http://127.0.0.1:PORT
    token: str
    root: Path  # the server's root dir: a copy of notebooks/
    log: Path

    def lab_url(self, notebook: str) -> str:
        return f"{self.url}/lab/tree/{notebook}?token={self.token}&reset"

    def api(self, path: str, method: str = "GET", timeout: float = 5.0) -> bytes:
        request = urllib.request.Request(
            f"{self.url}{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()


def _server_env(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AZURE_", "ACI_TUTORIAL_", "JUPYTER", "IPYTHON"))
        and k not in {"REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"}
    }
    env.update(
        # The emulator in the kernel, never a live subscription (no .env is found from /tmp).
        ACI_TUTORIAL_TARGET="emulator",
        # Fresh user-level folders: no user kernelspec, setting or workspace of this machine.
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "lab-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "lab-workspaces"),
        IPYTHONDIR=str(home / "ipython"),
        JUPYTER_PLATFORM_DIRS="1",
        PYTHONUNBUFFERED="1",
    )
    return env


def _lab_settings(folder: Path) -> None:
    """User settings: no "Would you like to get notified about official Jupyter news?" toast,
    no news and no update check from the page (the server side is off as well)."""
    notification = (
        folder / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    )
    notification.parent.mkdir(parents=True, exist_ok=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))


def _stat(pid: int) -> tuple[int, str] | None:
    """A process's parent and start time (which tells it from a later one with the same id)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), fields[19]


def _descendants(pid: int) -> dict[int, str]:
    """Processes started by `pid`, directly or not (kernels run in sessions of their own)."""
    children: dict[int, list[tuple[int, str]]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        stat = _stat(int(entry.name))
        if stat is not None:
            children.setdefault(stat[0], []).append((int(entry.name), stat[1]))
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        for child, started in children.get(todo.pop(), []):
            found[child] = started
            todo.append(child)
    return found


def _stop(process: subprocess.Popen[bytes], lab: JupyterLab) -> None:
    """Shut the server down (it stops its kernels), then kill whatever of it is left."""
    if process.poll() is None:
        descendants = _descendants(process.pid)
        with contextlib.suppress(OSError, urllib.error.URLError):
            lab.api("/api/shutdown", method="POST")
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # the server's own process group
        for pid, started in descendants.items():
            stat = _stat(pid)
            if stat is not None and stat[1] == started:  # still the process it was
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterLab]:
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "notebooks"
    shutil.copytree(
        NOTEBOOKS,
        root,  # what a reader has beside the notebooks; pytest's files are not for them
        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "conftest.py"),
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / "jupyterlab-server.log"
    port, token = free_port(), secrets.token_hex(24)
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.open_browser=False",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        "--ServerApp.allow_root=True",  # CI and containers run as root
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        # Nothing from the network: no news feed, no update check, no PyPI extension manager.
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        "--LabApp.collaborative=False",
    ]
    _lab_settings(base / "home" / "lab-settings")
    lab = JupyterLab(f"http://127.0.0.1:{port}", token, root, log)
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=root,
            env=_server_env(base / "home"),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as one at the end
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"JupyterLab exited with {process.returncode}; see {log}")
            try:
                lab.api("/api/status", timeout=2)
                break
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer within {SERVER_START_TIMEOUT} s: {log}")
                time.sleep(0.25)
        yield lab
    finally:
        _stop(process, lab)


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """A headless system Chromium driven by Playwright."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
