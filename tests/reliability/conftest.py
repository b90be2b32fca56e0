"""Fixtures of the reliability suite, and the report it writes when the session ends.

The tests append what they observe to ``reliability_report``; at the end of the session the
tables are written to test-artifacts/reliability.md, and also to docs/reliability.md when
WRITE_DOCS=1 is set and the whole folder ran and passed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability_kit import ARTIFACTS, REPORT, ROOT, EmulatorServer, ReliabilityReport

from aci_emulator import Emulator, EmulatorConfig

ARTIFACT_DIR = ARTIFACTS / "reliability"


@pytest.fixture(scope="session")
def reliability_report() -> ReliabilityReport:
    return REPORT


@pytest.fixture(scope="session")
def artifact_dir() -> Path:
    ARTIFACT_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACT_DIR


@pytest.fixture
def start_emulator() -> Iterator:
    """Start in-process emulators with a given config; all are stopped after the test."""
    started: list[Emulator] = []

    def start(config: EmulatorConfig | None = None) -> Emulator:
        emu = Emulator(config or EmulatorConfig())
        emu.start()
        started.append(emu)
        return emu

    yield start
    for emu in started:
        emu.stop()


@pytest.fixture(scope="module")
def server(artifact_dir, tmp_path_factory, request) -> Iterator[EmulatorServer]:
    """One `python -m aci_emulator serve` process per test module."""
    name = Path(request.module.__file__).stem
    private = tmp_path_factory.mktemp(name)
    with EmulatorServer(private, artifact_dir / name) as running:
        yield running


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    tables = (REPORT.faults, REPORT.bad_input, REPORT.concurrency, REPORT.security)
    if not any((*tables, REPORT.sweeper, REPORT.hostile)):
        return  # the reliability tests did not run in this session
    text = REPORT.markdown()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "reliability.md").write_text(text)
    if os.environ.get("WRITE_DOCS") == "1":
        if session.testsfailed or not REPORT.complete:
            print(
                "\nWRITE_DOCS=1: docs/reliability.md left unchanged "
                "(run the whole tests/reliability folder, and make it pass).",
                file=sys.stderr,
            )
            return
        (ROOT / "docs").mkdir(exist_ok=True)
        (ROOT / "docs" / "reliability.md").write_text(text)
