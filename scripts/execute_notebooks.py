"""Execute notebooks in place against the local emulator, as their committed outputs must be.

    .venv/bin/python scripts/execute_notebooks.py notebooks/*.ipynb

The kernel runs in the notebook's folder with this interpreter. ACI_TUTORIAL_TARGET=emulator is
forced so that a .env with a live subscription never ends up in committed outputs. Streams are
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
    nbformat.write(notebook, path)


def main(paths: list[str]) -> None:
    os.environ["ACI_TUTORIAL_TARGET"] = "emulator"
    for name in paths:
        execute(Path(name).resolve())
        print(f"executed {name}")


if __name__ == "__main__":
    main(sys.argv[1:])
