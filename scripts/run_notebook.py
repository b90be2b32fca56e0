"""Run a notebook headless and show what each step prints, as `make run` does.

    .venv/bin/python scripts/run_notebook.py notebooks/01-manage-container-instances.ipynb

Cells run in order in a fresh kernel (this interpreter, in the notebook's folder), exactly as in
JupyterLab: against Azure or the local emulator, whichever the setup cell picks. The notebook file
is never written. Each step's text output is printed when the step ends; at the end, where the run
went and how long it took. A failing cell prints its short error and the exit status is 1.
Ctrl-C stops the kernel (the in-process emulator with it) and ends with one line, status 130.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import re
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError
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
    ctrl_c: StopOnCtrlC | None = None

    async def async_start_new_kernel(self, **kwargs: Any) -> None:
        if self.ctrl_c:
            self.ctrl_c.install()  # in place of the handler nbclient has just installed
        await super().async_start_new_kernel(**kwargs)

    async def async_execute_cell(self, cell: Any, cell_index: int, *args: Any, **kw: Any) -> Any:
        if self.ctrl_c and self.ctrl_c.pressed:
            raise KeyboardInterrupt  # no step starts after Ctrl-C
        return await super().async_execute_cell(cell, cell_index, *args, **kw)

    def output(self, outs: list, msg: dict, display_id: str | None, cell_index: int) -> Any:
        out = super().output(outs, msg, display_id, cell_index)
        if self.live and out is not None and out.output_type != "error":
            raw = out.text if out.output_type == "stream" else text_of(out) + "\n"
            sys.stdout.write(raw.replace("\n", "\n    ").replace("\r", "\r    "))
            sys.stdout.flush()
        return out


class StopOnCtrlC:
    """Ctrl-C: interrupt the running cell, shut the kernel down (its emulator stops and removes
    its files); the run then ends with one line and exit status 130, as a shell reports SIGINT.

    nbclient replaces the process's SIGINT handler with one on its event loop; this one takes
    its place as the kernel starts, and does the same cleanup after interrupting the cell."""

    def __init__(self, client: NotebookClient) -> None:
        self.client = client
        self.pressed = False
        self.installed = False
        self.step = 0  # the step running now (1-based), 0 before the first

    def install(self) -> None:
        if not self.installed:
            # Windows event loops take no signal handlers: there Ctrl-C keeps nbclient's way.
            with contextlib.suppress(NotImplementedError, RuntimeError):
                asyncio.get_event_loop().add_signal_handler(signal.SIGINT, self.on_ctrl_c)
            self.installed = True

    def on_ctrl_c(self) -> None:
        if not self.pressed:
            self.pressed = True
            asyncio.ensure_future(self.stop_kernel())

    async def stop_kernel(self) -> None:
        with contextlib.suppress(Exception):
            await self.client.km.interrupt_kernel()
            await asyncio.sleep(0.5)  # the cell ends with KeyboardInterrupt; the kernel idles
        await self.client._async_cleanup_kernel()
        atexit.unregister(self.client._cleanup_kernel)  # done: nothing left for exit time


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

    ctrl_c = StopOnCtrlC(client)

    client.ctrl_c = ctrl_c

    def note_step(cell: Any, cell_index: int, **_: Any) -> None:
        if cell.cell_type == "code" and not ctrl_c.pressed:
            ctrl_c.step = code_cells.index(cell_index) + 1
        on_cell_start(cell, cell_index)

    client.on_cell_start = note_step
    client.on_cell_executed = on_cell_executed
    print(f"Running {path.name} ({len(code_cells)} steps); the notebook file is not changed.")
    # The kernel process's own log (not the cells' output): shown only if the kernel dies.
    kernel_log = tempfile.TemporaryFile("w+")  # noqa: SIM115 (closed in the finally below)
    try:
        client.execute(stderr=kernel_log)
    except BaseException as err:
        if not (ctrl_c.pressed or isinstance(err, KeyboardInterrupt)):
            if isinstance(err, DeadKernelError):
                kernel_log.seek(0)
                print(kernel_log.read()[-3000:], file=sys.stderr)
            if not isinstance(err, (CellExecutionError, DeadKernelError)):
                raise
        else:
            where = f"in step {ctrl_c.step}/{len(code_cells)}" if ctrl_c.step else "at the start"
            sys.stdout.write("\r" if client.live else "")
            target = setup_value(notebook, "target") or ""
            left = (
                "nothing is left: the emulator stopped with it"
                if target.startswith("local emulator (in this process")
                else "what the run created remains: "
                ".venv/bin/python -m helpers.cleanup --older-than 0m lists it"
            )
            elapsed = time.monotonic() - started
            print(f"Interrupted {where} after {elapsed:.1f} s; the kernel is stopped, {left}.")
            return 130
        failed = next(
            (o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"),
            None,
        )
        print("\nThis step failed:", file=sys.stderr)
        print(indent(short_error(failed) if failed else "(no error output)"), file=sys.stderr)
        print(f"\nStopped after {time.monotonic() - started:.1f} s.", file=sys.stderr)
        return 1
    finally:
        kernel_log.close()
        shutil.rmtree(sockets, ignore_errors=True)
    target = setup_value(notebook, "target") or "unknown (the setup cell printed no target)"
    endpoint = setup_value(notebook, "Resource Manager endpoint")
    print(f"\nRan against: {target}" + (f", at {endpoint}" if endpoint else ""))
    print(f"All {len(code_cells)} steps done in {time.monotonic() - started:.1f} s.")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_file():
        notebooks = sorted(Path("notebooks").glob("*.ipynb"))
        names = ", ".join(p.name for p in notebooks)
        picks = " or ".join(f"make run NB={p.name[:2]}" for p in notebooks)
        asked = argv[0] if argv else "nothing"
        print(f"No notebook {asked}: pick one with {picks} ({names}).", file=sys.stderr)
        return 2
    try:
        return run(Path(argv[0]).resolve())
    except KeyboardInterrupt:  # before the kernel ran: nothing was created
        print("\nInterrupted before the first step; nothing ran.", flush=True)
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
