"""A fresh copy of the project, as a newcomer's clone, driven through its Makefile.

The copy holds the files git knows (committed or not yet, minus what .gitignore excludes). It
reuses this test run's virtual environment (`VENV=` and `-o` keep make from reinstalling it), so
a `make` target costs what the command itself costs.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from newcomer_kit import ROOT, VENV, newcomer_env


@pytest.fixture(scope="session")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    target = tmp_path_factory.mktemp("clone") / "aci-tutorial"
    for name in filter(None, (f.decode() for f in files)):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.fixture
def make(clone: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """`make TARGET` in the clone with this environment's venv, as the current user."""

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 300):
        command = ["make", "-C", str(clone), f"VENV={VENV}", "-o", f"{VENV}/.installed", *args]
        return subprocess.run(
            command,
            env=env or newcomer_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )

    return run
