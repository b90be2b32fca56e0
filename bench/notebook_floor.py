"""Notebook 01 executed headlessly against the embedded emulator, against the floor.

The floor is a generated notebook that only imports what notebook 01 needs (kernel start plus
the SDK, helpers and emulator imports). Both run with the same tool (nbclient, cwd
notebooks/), interleaved, N times each; the ratio of the medians is what the tutorial itself
costs on top of starting Python and importing the SDK.

The emulator is imported as notebook 01 uses it: its server's modules (`aci_emulator.server`,
where `helpers` finds `Emulator`), not only the package, whose `__init__` loads the server on
first use. The floor of the earlier rounds, which imported the package alone, runs beside it
(the "import-only floor"), so that a ratio can be compared with theirs.
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
IMPORT_ONLY_FLOOR_SOURCE = (
    "import azure.identity\n"
    "import azure.mgmt.containerinstance\n"
    "import azure.mgmt.resource.resources\n"
    "import aci_emulator\n"
    "import helpers\n"
)
# What notebook 01 imports of the emulator (helpers.context: `from aci_emulator import Emulator,
# EmulatorConfig`), without what using `Emulator` starts (its signing key): modules only.
FLOOR_SOURCE = IMPORT_ONLY_FLOOR_SOURCE + "import aci_emulator.server\n"
TARGET = 1.5


def floor_notebook(source: str = FLOOR_SOURCE) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])


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
    actions = {
        "import-only floor": lambda: execute(floor_notebook(IMPORT_ONLY_FLOOR_SOURCE)),
        "floor": lambda: execute(floor_notebook()),
        "notebook": lambda: execute(nbformat.from_dict(tutorial)),
    }
    for action in actions.values():  # warms the file system cache for each
        action()
    times = stats.interleave(actions, runs)
    medians = {name: stats.median(values) for name, values in times.items()}
    floor, import_only = medians["floor"], medians["import-only floor"]
    ratio = stats.ratio(medians["notebook"], floor)
    old_ratio = stats.ratio(medians["notebook"], import_only)
    result.headers = [
        "notebook",
        "median",
        "min–max (s)",
        "ratio to the floor",
        "ratio to the import-only floor",
    ]
    labels = {
        "floor": "floor: kernel + imports, the emulator's server too (1 cell)",
        "import-only floor": "import-only floor of the earlier rounds: the package alone (1 cell)",
        "notebook": f"{NOTEBOOK.name} ({code_cells} code cells)",
    }
    result.rows = [
        [
            label,
            stats.sec(medians[name]),
            stats.spread(times[name]),
            stats.times(stats.ratio(medians[name], floor)),
            stats.times(stats.ratio(medians[name], import_only)),
        ]
        for name, label in labels.items()
    ]
    result.targets.append(Target("notebook / floor", ratio, TARGET))
    result.targets.append(
        Target("notebook / import-only floor of the earlier rounds", old_ratio, TARGET)
    )
    result.notes.append(
        f"{runs} runs of each, interleaved, with nbclient in a fresh kernel (cwd notebooks/, "
        "ACI_TUTORIAL_TARGET=emulator), after one untimed run of each and with the project's "
        "packages compiled. The floor imports azure.identity, azure.mgmt.containerinstance, "
        "azure.mgmt.resource.resources, helpers and the emulator as notebook 01 uses it "
        "(aci_emulator.server, where Emulator is). The import-only floor, the floor of the "
        "rounds before 2026-12-05, imported the package aci_emulator alone, whose server "
        "loads on first use: the same target against it is the one earlier rounds measured."
    )
    return result
