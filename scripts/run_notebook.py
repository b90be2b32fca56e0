"""Run a notebook headless and show what each step prints, as `make run` does.

    .venv/bin/python scripts/run_notebook.py notebooks/01-manage-container-instances.ipynb

Cells run in order in a fresh kernel (this interpreter, in the notebook's folder), exactly as in
JupyterLab: against Azure or the local emulator, whichever the setup cell picks. The notebook file
is never written. Each step's text output is printed when the step ends; at the end, where the run
went and how long it took. A failing cell prints its short error and the exit status is 1.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from traitlets import Bool
from traitlets.config import Config

ANSI = re.compile(r"\x1b\[[0-9;]*m")
MAX_ERROR_LINES = 25


def final_text(stream: str) -> str:
    """A stream as a terminal leaves it: a line rewritten with '\\r' keeps its last text."""
    lines = (line.rsplit("\r", 1)[-1] for line in stream.split("\n"))
    return "\n".join(line for line in lines if line.strip())


def text_of(output: dict[str, Any]) -> str:
    """What a terminal can show of one output: streams, plain text, errors."""
    kind = output["output_type"]
    if kind == "stream":
        return final_text(output["text"])
    if kind in ("execute_result", "display_data"):
        return output.get("data", {}).get("text/plain", "")
    if kind == "error":
        return ANSI.sub("", "\n".join(output["traceback"]))
    return ""


def cell_text(outputs: list[dict[str, Any]]) -> str:
    """A cell's text output, its consecutive stream pieces joined first (progress updates)."""
    parts: list[str] = []
    stream = ""
    for output in outputs:
        if output["output_type"] == "stream":
            stream += output["text"]
            continue
        if stream:
            parts.append(final_text(stream))
            stream = ""
        if output["output_type"] != "error":
            parts.append(text_of(output))
    if stream:
        parts.append(final_text(stream))
    return "\n".join(part.rstrip("\n") for part in parts if part.strip())


def step_titles(notebook: nbformat.NotebookNode) -> dict[int, str]:
    """The title of each code cell: the last markdown heading above it."""
    titles: dict[int, str] = {}
    heading = ""
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    heading = line.lstrip("#").strip()
        elif cell.cell_type == "code":
            titles[index] = heading
    return titles


def setup_value(notebook: nbformat.NotebookNode, key: str) -> str | None:
    """A row of the setup cell's context table, such as 'target': where this run went."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            for line in text_of(output).splitlines():
                if line.strip().startswith(key + "  "):
                    return line.strip()[len(key) :].strip()
    return None


def indent(text: str) -> str:
    return "\n".join("    " + line for line in text.rstrip("\n").splitlines())


def short_error(output: dict[str, Any]) -> str:
    """The helpers' errors render short already; any other error is cut to its last lines."""
    lines = text_of(output).rstrip("\n").splitlines()
    if len(lines) > MAX_ERROR_LINES:
        lines = ["…"] + lines[-MAX_ERROR_LINES:]
    return "\n".join(lines)


class StepClient(NotebookClient):
    """On a terminal, shows each output the moment it arrives: a progress line rewritten with
    '\\r' then updates in place (a live create waits minutes). Elsewhere (a log, a pipe), each
    step's output is shown once it ends, with only the final text of such lines."""

    live = Bool(False)

    def output(self, outs: list, msg: dict, display_id: str | None, cell_index: int) -> Any:
        out = super().output(outs, msg, display_id, cell_index)
        if self.live and out is not None and out.output_type != "error":
            raw = out.text if out.output_type == "stream" else text_of(out) + "\n"
            sys.stdout.write(raw.replace("\n", "\n    ").replace("\r", "\r    "))
            sys.stdout.flush()
        return out


def run(path: Path) -> int:
    notebook = nbformat.read(path, as_version=4)
    titles = step_titles(notebook)
    code_cells = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    # IPC (sockets in a private folder) instead of TCP: the kernel then has no reason to warn
    # about unencrypted traffic. The folder is absolute: the kernel runs in the notebook's folder.
    sockets = Path(tempfile.mkdtemp(prefix="run-notebook-"))
    kernel = {"transport": "ipc", "connection_file": str(sockets / "kernel.json")}
    client = StepClient(
        notebook,
        config=Config({"KernelManager": kernel}),
        kernel_name="python3",
        timeout=900,
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        live=sys.stdout.isatty(),
    )
    started = time.monotonic()

    def on_cell_start(cell: Any, cell_index: int, **_: Any) -> None:
        if cell.cell_type != "code":
            return
        number = code_cells.index(cell_index) + 1
        title = titles.get(cell_index) or "(untitled)"
        print(f"[{number}/{len(code_cells)}] {title}", flush=True)
        if client.live:
            sys.stdout.write("    ")

    def on_cell_executed(cell: Any, cell_index: int, **_: Any) -> None:
        if cell.cell_type != "code":
            return
        if client.live:
            sys.stdout.write("\r")  # the next header starts on the indented line's left
            return
        text = cell_text(cell.outputs)
        if text:
            print(indent(text), flush=True)

    client.on_cell_start = on_cell_start
    client.on_cell_executed = on_cell_executed
    print(f"Running {path.name} ({len(code_cells)} steps); the notebook file is not changed.")
    try:
        client.execute()
    except CellExecutionError:
        failed = next(
            (o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"),
            None,
        )
        print("\nThis step failed:", file=sys.stderr)
        print(indent(short_error(failed) if failed else "(no error output)"), file=sys.stderr)
        print(f"\nStopped after {time.monotonic() - started:.1f} s.", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    target = setup_value(notebook, "target") or "unknown (the setup cell printed no target)"
    endpoint = setup_value(notebook, "Resource Manager endpoint")
    print(f"\nRan against: {target}" + (f", at {endpoint}" if endpoint else ""))
    print(f"All {len(code_cells)} steps done in {time.monotonic() - started:.1f} s.")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_file():
        names = ", ".join(p.name for p in sorted(Path("notebooks").glob("*.ipynb")))
        print(f"usage: run_notebook.py NOTEBOOK (one of: {names})", file=sys.stderr)
        return 2
    return run(Path(argv[0]).resolve())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
