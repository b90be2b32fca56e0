"""`make setup` with the Python asked for: one line for one it cannot use, a rebuild for another.

The Makefile learns an interpreter's version and installation by running it; an interpreter of a
version this machine lacks is a script that answers as that one would. A rebuild is followed only
up to pip, whose index is emptied so that no test downloads the environment.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from newcomer_kit import ROOT, newcomer_env

# The interpreter that built this test run's venv: a real, supported one.
BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)


def make_setup(venv: Path, python: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), "setup", f"VENV={venv}"]
        + [f"PYTHON={python}"],
        env=newcomer_env(**env),
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def impostor(tmp_path: Path, version: str) -> Path:
    """An interpreter that says it is Python VERSION, as the Makefile asks it."""
    path = tmp_path / f"python{version}"
    path.write_text(f'#!/bin/sh\necho "{version} (/opt/python{version})"\n')
    path.chmod(0o755)
    return path


@pytest.mark.parametrize("version", ["2.7.18", "3.8.20", "3.9.18", "3.14.0", "3.15.0a1"])
def test_an_unsupported_python_gets_one_line_and_no_venv(tmp_path, version):
    venv = tmp_path / "venv"
    python = impostor(tmp_path, version)

    run = make_setup(venv, str(python))

    assert run.returncode != 0
    assert run.stdout == ""
    (line,) = run.stderr.splitlines()
    assert f"{python} is Python {version}; this project supports Python 3.10 to 3.13." in line
    assert_suggests_a_python_that_runs(line, "Pick another: ")
    assert not venv.exists()


def test_a_python_that_is_not_there_gets_one_line(tmp_path):
    run = make_setup(tmp_path / "venv", "python3.99")

    assert run.returncode != 0
    (line,) = run.stderr.splitlines()
    assert "No python3.99 found; this project supports Python 3.10 to 3.13." in line
    assert_suggests_a_python_that_runs(line, "Pick one: ")


def assert_suggests_a_python_that_runs(line: str, lead: str) -> None:
    """The advice names an interpreter this machine has (or says to install one)."""
    advice = line.split(lead, 1)[1]
    if advice.startswith("install one"):
        return
    suggested = re.match(r"make setup PYTHON=(python3\.\d+) \(found here: ", advice)
    assert suggested, advice
    assert subprocess.run([suggested.group(1), "-c", ""], check=False).returncode == 0


def venv_version(venv: Path) -> str:
    config = dict(
        line.split(" = ", 1) for line in (venv / "pyvenv.cfg").read_text().splitlines() if line
    )
    return config.get("version_info", config.get("version", ""))


def base_version() -> str:
    return subprocess.run(
        [BASE_PYTHON, "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


NO_INDEX = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": os.devnull, "PIP_CONFIG_FILE": os.devnull}


def test_a_venv_of_another_python_is_rebuilt_with_a_line_saying_so(tmp_path):
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / "bin").mkdir()
    impostor(tmp_path, "3.10.0").rename(venv / "bin" / "python")
    (venv / ".installed").touch()  # complete, up to date, and of another Python

    run = make_setup(venv, BASE_PYTHON, **NO_INDEX)

    rebuilt = [line for line in run.stdout.splitlines() if line.startswith("Rebuilding")]
    assert rebuilt == [
        f"Rebuilding {venv}: it was made by Python 3.10.0 (/opt/python3.10.0), "
        f"and PYTHON={BASE_PYTHON} is Python {base_version()} "
        f"({os.path.realpath(sys.base_prefix)})."
    ], run.stdout + run.stderr
    assert venv_version(venv).startswith(base_version())
    assert not (venv / ".installed").exists()  # pip found no index: not marked ready
    assert run.returncode != 0


def test_a_venv_whose_python_is_gone_is_rebuilt(tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(tmp_path / "uninstalled" / "python3.11")

    run = make_setup(venv, BASE_PYTHON, **NO_INDEX)

    assert f"Rebuilding {venv}: it was made by a Python that no longer runs, " in run.stdout
    assert venv_version(venv).startswith(base_version())


def test_the_same_python_asked_again_keeps_the_venv(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([BASE_PYTHON, "-m", "venv", "--without-pip", str(venv)], check=True)
    (venv / ".installed").touch()

    run = make_setup(venv, BASE_PYTHON, **NO_INDEX)

    assert run.returncode == 0, run.stdout + run.stderr
    assert "Rebuilding" not in run.stdout and "Setting up" not in run.stdout
