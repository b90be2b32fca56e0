"""The tutorial where people use it: each notebook opened in JupyterLab and run from its menus.

In headless Chromium: Edit → Clear Outputs of All Cells, then Run → Run All Cells, and a check of
what a reader sees: every code cell ran, once, in order, in this kernel; nothing went to stderr
and nothing raised; every mermaid diagram is drawn (an SVG picture, not code); a container group
summary is the HTML table of helpers/display.py; the cleanup cell says what it deleted; the page
reached nothing beyond 127.0.0.1.

Screenshots go to test-artifacts/browser/. With UPDATE_DOCS_SCREENSHOT=1 the one of notebook 01's
container group summary is also copied to docs/jupyterlab-notebook-01.png (committed), so a
plain test run never rewrites a tracked file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
# 01-manage-container-instances, 02-beyond-the-basics once it exists, and any later one.
EXISTING = sorted(path.name for path in NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
DOCS_SCREENSHOT = ROOT / "docs" / "jupyterlab-notebook-01.png"
DOCS_SCREENSHOT_MAX_BYTES = 600_000

VIEWPORT = {"width": 1280, "height": 1600}
STEP_TIMEOUT_MS = 60_000  # page load, kernel start, one UI action
RUN_ALL_TIMEOUT_S = 120.0
LOCAL_HOSTS = {"127.0.0.1", "localhost"}

CELLS = ".jp-NotebookPanel .jp-Notebook .jp-Cell"
# The status bar's kernel item: "No Kernel | Initializing", "<kernel> | Connecting", then idle.
# (The toolbar's execution indicator says idle before the kernel even exists.)
KERNEL_IDLE = re.compile(r"^(?!No Kernel).+ \| Idle$")
HTML_OUTPUT = ".jp-OutputArea-output[data-mime-type='text/html']"
# A traceback and anything written to stderr (warnings included) are rendered with this type.
STDERR_OUTPUT = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
NUMBERED = re.compile(r"\[\d+\]:")


def _source(cell: dict) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def _load(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _prompts(page) -> list[str]:
    # textContent, not innerText: cells out of view are not laid out (content-visibility: auto).
    return page.locator(f"{CELLS}.jp-CodeCell .jp-InputPrompt").evaluate_all(
        "prompts => prompts.map(p => p.textContent.trim())"
    )


def _fail_on_dialog(page) -> None:
    dialog = page.locator(".jp-Dialog")
    if dialog.count():
        raise AssertionError(f"JupyterLab shows a dialog: {dialog.first.inner_text()!r}")


def _wait_for_prompts(page, count: int, done, what: str, timeout: float) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        prompts = _prompts(page)
        if len(prompts) == count and done(prompts):
            return prompts
        _fail_on_dialog(page)
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: the prompts after {timeout:.0f} s are {prompts}")
        page.wait_for_timeout(200)


def _wait_for_idle_kernel(page) -> None:
    page.locator(".jp-StatusBar-TextItem", has_text=KERNEL_IDLE).wait_for()


def _menu(page, menu: str, label: str) -> None:
    """Open a menu of the menu bar and click one of its items, as a reader would."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{menu}$")).click()
    item = page.locator(".lm-Menu-content > .lm-Menu-item").filter(
        has=page.locator(".lm-Menu-itemLabel", has_text=re.compile(rf"^{re.escape(label)}$"))
    )
    item.wait_for(state="visible", timeout=5_000)
    item.click()


def _park_mouse(page) -> None:
    """Away from the notebook, so that no table row is highlighted in a screenshot."""
    page.mouse.move(1, VIEWPORT["height"] - 1)


def _screenshot_whole_notebook(page, path: Path) -> None:
    """JupyterLab scrolls inside the notebook panel: grow the viewport to hold every cell."""
    height = page.evaluate(
        """selector => {
            const cells = document.querySelectorAll(selector);
            const panel = cells[0].closest('.jp-WindowedPanel-outer');
            panel.scrollTop = 0;
            const last = cells[cells.length - 1].getBoundingClientRect().bottom;
            const below = window.innerHeight - panel.getBoundingClientRect().bottom;
            return Math.ceil(last + below + 24);
        }""",
        CELLS,
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(max(height, 800), 20_000)})
    page.wait_for_timeout(500)  # layout and paint of the cells that came into view
    page.screenshot(path=path)
    page.set_viewport_size(VIEWPORT)


@pytest.mark.parametrize("notebook", EXISTING)
def test_run_all_cells_in_jupyterlab(chromium, jupyterlab, notebook: str) -> None:
    started = time.monotonic()
    stem = Path(notebook).stem
    cells = _load(jupyterlab.root / notebook)
    code_count = sum(cell["cell_type"] == "code" for cell in cells)
    assert code_count, f"{notebook} has no code cell"

    context = chromium.new_context(viewport=VIEWPORT, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    outside: list[str] = []

    def only_local(route) -> None:
        url = urlparse(route.request.url)
        if url.scheme in {"http", "https"} and url.hostname not in LOCAL_HOSTS:
            outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", only_local)
    try:
        page.goto(jupyterlab.lab_url(notebook))
        # The kernel is connected and idle, a cell is active, and every cell is attached
        # (JupyterLab adds them progressively): only then do the menu items act on them all.
        _wait_for_idle_kernel(page)
        page.locator(f"{CELLS}.jp-mod-active").wait_for()
        page.wait_for_function(
            "([selector, n]) => document.querySelectorAll(selector).length === n",
            arg=[CELLS, len(cells)],
        )

        # The committed outputs go first, so that every count and output below is this run's.
        _menu(page, "Edit", "Clear Outputs of All Cells")
        _wait_for_prompts(page, code_count, lambda ps: set(ps) == {"[ ]:"}, "clear", 10)

        _menu(page, "Run", "Run All Cells")
        # Done when the first cell has run and none is queued: after an error, the cells below
        # it fall back to "[ ]:" and the checks below report the error itself.
        prompts = _wait_for_prompts(
            page,
            code_count,
            lambda ps: NUMBERED.fullmatch(ps[0]) and "[*]:" not in ps,
            "Run All Cells",
            RUN_ALL_TIMEOUT_S,
        )
        _wait_for_idle_kernel(page)
        run_seconds = time.monotonic() - started
        _park_mouse(page)
        page.screenshot(path=ARTIFACTS / f"{stem}-after-run-all.png")

        errors = page.locator(STDERR_OUTPUT)
        assert errors.count() == 0, "stderr or error output:\n" + "\n---\n".join(
            errors.all_text_contents()
        )
        assert prompts == [f"[{i}]:" for i in range(1, code_count + 1)], "not every cell ran"

        # Saved from the UI, the file agrees: counts 1..n and no error or stderr output.
        page.keyboard.press("Control+s")
        page.locator(".jp-mod-dirty").first.wait_for(state="detached", timeout=10_000)
        saved = _load(jupyterlab.root / notebook)
        saved_code = [cell for cell in saved if cell["cell_type"] == "code"]
        assert [c["execution_count"] for c in saved_code] == list(range(1, code_count + 1))
        bad = [
            (_source(cell).splitlines()[:1], output)
            for cell in saved_code
            for output in cell["outputs"]
            if output["output_type"] == "error" or output.get("name") == "stderr"
        ]
        assert not bad, f"error or stderr outputs in the saved notebook: {bad}"

        _check_mermaid(page, saved)
        _check_summaries(page, saved)
        _check_cleanup(page, saved)
        if notebook.startswith("01-"):
            _check_deployed_summary(page)

        _screenshot_whole_notebook(page, ARTIFACTS / f"{stem}-full.png")
        if notebook.startswith("01-"):
            _screenshot_summary(page, saved, ARTIFACTS / f"{stem}-summary.png")

        assert not outside, f"the page tried to reach beyond 127.0.0.1: {outside}"
        uncaught = [line for line in console if line.startswith("pageerror")]
        assert not uncaught, "uncaught errors in the page:\n" + "\n".join(uncaught)
        print(f"\n{notebook}: {code_count} code cells run in {run_seconds:.1f} s from page load")
    except BaseException:
        _park_mouse(page)
        page.screenshot(path=ARTIFACTS / f"{stem}-failure.png")
        raise
    finally:
        (ARTIFACTS / f"{stem}-console.log").write_text("\n".join(console) + "\n")
        context.close()


def _cell(page, index: int):
    """The cell at `index` of the notebook (all cells are attached, in the file's order)."""
    return page.locator(CELLS).nth(index)


def _check_mermaid(page, cells: list[dict]) -> None:
    """Each ```mermaid block is drawn: JupyterLab renders it to an SVG shown as an <img>."""
    fences = sum(
        _source(cell).count("```mermaid") for cell in cells if cell["cell_type"] == "markdown"
    )
    failed = page.locator(f"{CELLS} .jp-RenderedMermaid.jp-mod-warning")
    assert failed.count() == 0, "a mermaid diagram did not render:\n" + "\n".join(
        failed.all_text_contents()
    )
    diagrams = page.locator(f"{CELLS}.jp-MarkdownCell .jp-RenderedMermaid")
    assert diagrams.count() == fences, f"{fences} mermaid blocks, {diagrams.count()} diagrams"
    for i in range(fences):
        image = diagrams.nth(i).locator("figure > img")
        src = image.get_attribute("src") or ""
        assert src.startswith("data:image/svg+xml,"), f"mermaid diagram {i}: {src[:60]!r}"
        assert "<svg" in unquote(src), f"mermaid diagram {i} holds no SVG"
        image.scroll_into_view_if_needed()
        size = image.evaluate("img => img.decode().then(() => [img.naturalWidth, img.width])")
        assert min(size) > 0, f"mermaid diagram {i} shows no picture: {size}"


def _check_summaries(page, cells: list[dict]) -> None:
    """A cell that shows summarize(...) displays HTML tables (helpers/display.py), not text."""
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "code" or "summarize(" not in _source(cell):
            continue
        html = _cell(page, index).locator(f".jp-OutputArea {HTML_OUTPUT}").last
        assert html.count() == 1, f"cell {index}: no HTML output for summarize()"
        captions = html.locator("table > caption").all_text_contents()
        assert captions and captions[0].startswith("Container group"), captions
        assert "Containers" in captions, captions
        assert html.locator("table > tbody > tr").count() >= 11  # the property rows at least


def _table(table) -> list[list[str]]:
    return table.locator("tbody > tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))"
    )


def _check_deployed_summary(page) -> None:
    """Notebook 01's get() summary: provisioned, running, with a DNS name and its container."""
    output = page.locator(HTML_OUTPUT).filter(
        has=page.locator("caption", has_text="Container group '")
    )
    assert output.count() >= 1, "no summary of a deployed container group"
    tables = output.last.locator("table")
    group = dict(_table(tables.filter(has=page.locator("caption", has_text="Container group"))))
    assert group.get("provisioning state") == "Succeeded", group
    assert group.get("instance state") == "Running", group
    assert re.fullmatch(r"[a-z0-9-]+\.\w+\.azurecontainer\.io", group.get("FQDN", "")), group
    containers = _table(tables.filter(has=page.locator("caption", has_text="Containers")))
    assert any("aci-helloworld" in row[1] for row in containers), containers
    assert any(row[4].startswith("Running") for row in containers), containers


def _check_cleanup(page, cells: list[dict]) -> None:
    """A cleanup cell reports what it did (helpers.clean_up's table: action, resource, why); the
    last one, the run's own cleanup, deleted something (an earlier one may show a group kept)."""
    indexes = [
        i for i, c in enumerate(cells) if c["cell_type"] == "code" and "clean_up(" in _source(c)
    ]
    for index in indexes:
        output = _cell(page, index).locator(".jp-OutputArea")
        report = output.locator("table", has=page.locator("caption", has_text="Cleanup"))
        assert report.count() == 1, f"no cleanup report in:\n{output.text_content()}"
        rows = _table(report)
        assert all(row[0] != "failed" for row in rows), rows
        if index == indexes[-1]:
            assert any(row[0] == "deleted" for row in rows), f"the cleanup deleted nothing: {rows}"


def _screenshot_summary(page, cells: list[dict], path: Path) -> None:
    """The deployed group's summary as a reader sees it, from the heading of its step."""
    index = max(
        i for i, c in enumerate(cells) if c["cell_type"] == "code" and "summarize(" in _source(c)
    )
    _cell(page, max(index - 1, 0)).evaluate("cell => cell.scrollIntoView({block: 'start'})")
    _park_mouse(page)
    page.wait_for_timeout(300)
    page.screenshot(path=path)
    if os.environ.get("UPDATE_DOCS_SCREENSHOT"):
        size = path.stat().st_size
        assert size < DOCS_SCREENSHOT_MAX_BYTES, f"{path} is {size} bytes"
        shutil.copyfile(path, DOCS_SCREENSHOT)
