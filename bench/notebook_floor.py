"""Notebook 01 executed headlessly against the embedded emulator, against the floor.

The floor is a generated notebook that only imports what notebook 01 needs (kernel start plus
the SDK, helpers and emulator imports). Both run with the same tool (nbclient, cwd
notebooks/), interleaved, N times each; the ratio of the medians is what the tutorial itself
costs on top of starting Python and importing the SDK.
"""

from __future__ import annotations

import compileall
import os
import subprocess
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from bench import stats
from bench.report import Result, Target

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
NOTEBOOK = NOTEBOOKS / "01-manage-container-instances.ipynb"
# The project's own packages, compiled before the runs as an installed package is (pip compiles
# what it installs). Without it, where PYTHONDONTWRITEBYTECODE is set (CI, containers) every
# kernel compiles them from source again: a cost of this machine, not of the tutorial.
OWN_PACKAGES = (ROOT / "helpers", ROOT / "emulator" / "aci_emulator")
FLOOR_SOURCE = (
    "import azure.identity\n"
    "import azure.mgmt.containerinstance\n"
    "import azure.mgmt.resource.resources\n"
    "import aci_emulator\n"
    "import helpers\n"
)
TARGET = 1.5


def floor_notebook() -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_SOURCE)])


def execute(notebook: nbformat.NotebookNode) -> None:
    """Run every cell in a fresh kernel of this environment, as `jupyter execute` would."""
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    # The emulator target whatever .env says; the kernel's own stderr (ZMQ chatter) is dropped,
    # the cells' output still arrives through the protocol and an error still raises.
    env = {**os.environ, "ACI_TUTORIAL_TARGET": "emulator"}
    client.execute(env=env, stderr=subprocess.DEVNULL)


def run(runs: int) -> Result:
    result = Result("notebook", "1. Offline notebook vs the floor")
    if not NOTEBOOK.exists():
        result.skipped = f"{NOTEBOOK.relative_to(ROOT)} does not exist yet"
        return result
    tutorial = nbformat.read(NOTEBOOK, as_version=4)
    code_cells = sum(1 for cell in tutorial.cells if cell.cell_type == "code")
    for package in OWN_PACKAGES:
        compileall.compile_dir(package, quiet=1)
    # Warm the file system cache for both.
    execute(floor_notebook())
    execute(nbformat.from_dict(tutorial))
    times = stats.interleave(
        {
            "floor": lambda: execute(floor_notebook()),
            "notebook": lambda: execute(nbformat.from_dict(tutorial)),
        },
        runs,
    )
    floor, notebook = stats.median(times["floor"]), stats.median(times["notebook"])
    ratio = stats.ratio(notebook, floor)
    result.headers = ["notebook", "median", "min–max (s)", "ratio"]
    result.rows = [
        [
            "floor: kernel + imports (1 cell)",
            stats.sec(floor),
            stats.spread(times["floor"]),
            "1.00×",
        ],
        [
            f"{NOTEBOOK.name} ({code_cells} code cells)",
            stats.sec(notebook),
            stats.spread(times["notebook"]),
            stats.times(ratio),
        ],
    ]
    result.targets.append(Target("notebook / floor", ratio, TARGET))
    result.notes.append(
        f"{runs} runs of each, interleaved, with nbclient in a fresh kernel (cwd notebooks/, "
        "ACI_TUTORIAL_TARGET=emulator), after one untimed run of each and with the project's "
        "packages compiled. The floor imports azure.identity, azure.mgmt.containerinstance, "
        "azure.mgmt.resource.resources, emulator and helpers."
    )
    return result
