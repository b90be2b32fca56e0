"""The real Azure CLI against the emulator: its own virtual environment, a server, a runner.

The CLI pins other versions of azure-core and the management SDKs than the project does, so it
lives in its own virtual environment under `.cache/` (git-ignored), installed from PyPI once and
reused while its version matches. The emulator runs as a separate server process, the way a user
starts it for the CLI.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure_cli_runner import AzRunner

from aci_emulator.testing import ServerProcess

AZURE_CLI_VERSION = "2.91.0"
ROOT = Path(__file__).resolve().parents[2]
AZ_VENV = ROOT / ".cache" / "azure-cli-venv"


def _installed_version(python: Path) -> str | None:
    if not python.exists():
        return None
    probe = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('azure-cli'))"],
        capture_output=True,
        text=True,
    )
    return probe.stdout.strip() if probe.returncode == 0 else None


def announce(config: pytest.Config, text: str) -> None:
    """A line on the terminal now, past pytest's capture: a long install should not look hung."""
    capture = config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\n{text}", flush=True)


@pytest.fixture(scope="session")
def az_executable(pytestconfig: pytest.Config) -> Path:
    """`az` from azure-cli==2.91.0 in .cache/azure-cli-venv, installed if absent or different."""
    python = AZ_VENV / "bin" / "python"
    az = AZ_VENV / "bin" / "az"
    AZ_VENV.parent.mkdir(parents=True, exist_ok=True)
    with open(AZ_VENV.parent / "azure-cli-venv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one installer at a time (parallel test runs)
        if _installed_version(python) == AZURE_CLI_VERSION and az.exists():
            return az
        announce(
            pytestconfig,
            f"Installing azure-cli=={AZURE_CLI_VERSION} into {AZ_VENV} for the Azure CLI "
            "tests: about 700 MB from PyPI, 1-2 minutes, once (reused while the version matches).",
        )
        shutil.rmtree(AZ_VENV, ignore_errors=True)
        # The base interpreter, not this venv's: the CLI's venv must not depend on ours.
        venv.EnvBuilder(with_pip=True, clear=True, symlinks=os.name != "nt").create(AZ_VENV)
        install = subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--quiet",
                f"azure-cli=={AZURE_CLI_VERSION}",
            ],
            capture_output=True,
            text=True,
        )
        if install.returncode != 0 or _installed_version(python) != AZURE_CLI_VERSION:
            shutil.rmtree(AZ_VENV, ignore_errors=True)
            pytest.fail(
                f"Could not install azure-cli=={AZURE_CLI_VERSION} from PyPI into {AZ_VENV}:\n"
                + (install.stdout + install.stderr)[-3000:]
            )
    return az


@pytest.fixture(scope="session")
def emulator_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """`python -m aci_emulator serve --port 0` in its own process, with its request log."""
    workdir = tmp_path_factory.mktemp("emulator-server")
    server = ServerProcess(workdir, "--verbose", stderr=workdir / "server.log")
    try:
        server.start()
    except RuntimeError as err:
        pytest.fail(str(err))
    try:
        yield server
    finally:
        server.stop(timeout=10)


@pytest.fixture(scope="module")
def az_env(tmp_path_factory: pytest.TempPathFactory, emulator_server: ServerProcess) -> dict:
    """A clean environment: own config directory, the emulator's CA, no telemetry or prompts."""
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        AZURE_CONFIG_DIR=str(tmp_path_factory.mktemp("azure-config")),
        REQUESTS_CA_BUNDLE=emulator_server.info["ca_bundle"],
        AZURE_CORE_COLLECT_TELEMETRY="false",
        AZURE_CORE_SURVEY_MESSAGE="false",
        AZURE_CORE_NO_COLOR="1",
        AZURE_CORE_ONLY_SHOW_ERRORS="true",
        AZURE_CORE_DISABLE_PROGRESS_BAR="true",
        AZURE_EXTENSION_USE_DYNAMIC_INSTALL="no",
    )
    return env


@pytest.fixture(scope="module")
def az_runner(az_executable: Path, az_env: dict, emulator_server: ServerProcess) -> AzRunner:
    return AzRunner(az_executable, az_env, emulator_server)
