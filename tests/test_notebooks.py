"""Run every notebook with strict nbval (outputs compared), on the default path: the emulator."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks_to_run():
    assert len(NOTEBOOKS) >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_reproduces_its_committed_outputs(path):
    command = [
        sys.executable,
        "-m",
        "pytest",
        "--nbval",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        "tests/nbval_sanitize.cfg",
        "-p",
        "no:cacheprovider",
        "-q",
        str(path.relative_to(ROOT)),
    ]
    # notebooks/conftest.py removes every setting: the run takes the default path (the emulator).
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    # One nbval item per code cell: none skipped, none left uncompared.
    cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    assert f"{len(cells)} passed" in run.stdout, run.stdout[-2000:]


def test_ctrl_c_during_a_run_ends_with_one_line_and_status_130():
    """As a terminal sends it: SIGINT to the whole process group of `make run`'s script."""
    notebook = NOTEBOOKS[-1]
    run = subprocess.Popen(
        [sys.executable, "scripts/run_notebook.py", str(notebook.relative_to(ROOT))],
        cwd=ROOT,
        env={**os.environ, "ACI_TUTORIAL_TARGET": "emulator"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert run.stdout is not None
    for line in run.stdout:
        if line.startswith("[3/"):  # mid-run: the kernel and its emulator are up
            os.killpg(run.pid, signal.SIGINT)
            break
    rest, errors = run.communicate(timeout=120)
    assert run.returncode == 130
    assert errors == ""
    last = rest.strip().splitlines()
    assert len([line for line in last if line.startswith("Interrupted")]) == 1
    assert re.fullmatch(
        r"Interrupted in step \d+/\d+ after \d+\.\d s; the kernel is stopped, nothing is left: "
        r"the emulator stopped with it\.",
        last[-1],
    )
