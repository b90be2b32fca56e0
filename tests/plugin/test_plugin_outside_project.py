"""The plugin as another project sees it: a test file in a folder outside this repository, run
with this environment's `python -m pytest`, no conftest.py, no path set up by this project."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = Path(__file__).with_name("outside_sample.py")


def run_pytest(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHON"))}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=folder,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def user_project(tmp_path: Path) -> Path:
    folder = tmp_path / "user-project"
    folder.mkdir()
    assert ROOT not in folder.parents  # really outside this project
    shutil.copy(SAMPLE, folder / "test_my_azure_code.py")
    return folder


def test_a_test_file_outside_the_project_passes_with_only_the_installed_plugin(user_project):
    result = run_pytest(user_project)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 passed" in result.stdout
    assert not list(user_project.glob("conftest.py"))


# The first test runs before any fixture was used; the second uses one.
SMALL_TEST_FILE = """
import sys


def test_loading_the_plugin_imported_neither_the_emulator_nor_the_sdk():
    assert "aci_emulator.pytest_plugin" in sys.modules
    heavy = ("aci_emulator.server", "aci_emulator.testing", "azure", "werkzeug", "trustme", "jwt")
    assert [name for name in heavy if name in sys.modules] == []


def test_uses_the_fixture(azure_emulator):
    assert len(azure_emulator.subscription_id) == 36
    assert "aci_emulator.server" in sys.modules
"""


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    (tmp_path / "test_small.py").write_text(SMALL_TEST_FILE)
    return tmp_path


def test_with_autoload_disabled_p_loads_the_plugin_and_it_imports_nothing_heavy(small_project):
    result = run_pytest(
        small_project, "-p", "aci_emulator.pytest_plugin", PYTEST_DISABLE_PLUGIN_AUTOLOAD="1"
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_without_autoload_nor_p_there_is_no_fixture(small_project):
    result = run_pytest(small_project, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")

    assert result.returncode == 1
    assert "fixture 'azure_emulator' not found" in result.stdout
    assert "1 failed, 1 error" in result.stdout  # not even its module was imported


def test_naming_the_autoloaded_plugin_again_is_harmless(small_project):
    result = run_pytest(small_project, "-p", "aci_emulator.pytest_plugin")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
