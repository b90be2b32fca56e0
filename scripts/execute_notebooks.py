"""Execute notebooks in place against the local emulator, as their committed outputs must be.

    .venv/bin/python scripts/execute_notebooks.py notebooks/*.ipynb

The kernel runs in the notebook's folder with this interpreter, on the default path a new reader
takes: every setting (ACI_TUTORIAL_TARGET, AZURE_SUBSCRIPTION_ID, ...) is removed from its
environment and a .env from the notebooks' folder upward is refused, so `connect()` picks the
local emulator by itself (auto, no subscription) and nothing live ends up in the outputs. The
setup cell's output is checked to say so before the notebook is written. Streams are
coalesced (progress lines rewritten with '\\r' keep only their final text) and no timing
metadata is recorded, so a re-run changes only what really changed.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helpers.machinery.settings import default_path_environment  # noqa: E402

EMULATOR_TARGET = "local emulator (in this process"


def _setup_output(notebook: nbformat.NotebookNode) -> str:
    """The text of the first code cell that calls connect()."""
    for cell in notebook.cells:
        if cell.cell_type == "code" and "connect()" in cell.source:
            return "\n".join(
                str(output.get("text", "")) + str(output.get("data", {}).get("text/plain", ""))
                for output in cell.get("outputs", [])
            )
    return ""


def execute(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    # IPC (sockets in a private folder) instead of TCP, as scripts/run_notebook.py: the kernel
    # then has no reason to warn about unencrypted traffic.
    sockets = Path(tempfile.mkdtemp(prefix="execute-notebook-"))
    kernel = {"transport": "ipc", "connection_file": str(sockets / "kernel.json")}
    client = NotebookClient(
        notebook,
        config=Config({"KernelManager": kernel}),
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        coalesce_streams=True,
        record_timing=False,
    )
    try:
        client.execute()
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    if EMULATOR_TARGET not in _setup_output(notebook):
        raise SystemExit(
            f"{path.name}: the setup cell did not pick the local emulator; not written"
        )
    nbformat.write(notebook, path)


def main(paths: list[str]) -> None:
    for name in paths:
        folder = Path(name).resolve().parent
        environment = default_path_environment(os.environ, folder)
        os.environ.clear()
        os.environ.update(environment)
        execute(Path(name).resolve())
        print(f"executed {name}")


if __name__ == "__main__":
    main(sys.argv[1:])
