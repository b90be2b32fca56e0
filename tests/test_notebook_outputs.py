"""The committed notebook outputs are safe to publish and complete enough to be tested."""

from __future__ import annotations

import configparser
import json
import re
from pathlib import Path

import pytest

from aci_emulator.config import DEFAULT_CLIENT_ID, DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
# The skeleton every notebook follows, in this order (level-2 headings).
SECTIONS = ["Time and cost", "Setup", "Cleaning up", "Next steps"]
PLACEHOLDER_IDS = {DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID, DEFAULT_CLIENT_ID}
GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,}")
SECRETS = [
    re.compile(r"(?i)client[_-]?secret\s*[=:]\s*\S{8,}"),
    re.compile(r"(?i)(password|secret|token)\"?\s*[=:]\s*\"?[A-Za-z0-9+/_.~-]{16,}"),
    re.compile(r"(?i)bearer\s+[A-Za-z0-9._-]{20,}"),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"(?i)AccountKey=[A-Za-z0-9+/=]{20,}"),
]


def cells(path: Path, kind: str) -> list[dict]:
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == kind]


def code_cells(path: Path) -> list[dict]:
    return cells(path, "code")


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def sanitize(text: str) -> str:
    """Apply the sanitize file, as nbval does before it compares outputs."""
    config = configparser.ConfigParser(interpolation=None)
    config.read(SANITIZE)
    for section in config.sections():
        text = re.sub(config[section]["regex"], config[section]["replace"], text)
    return text


def output_text(cell: dict) -> str:
    """Everything a reader sees in a cell's outputs, all MIME types included."""
    parts = []
    for output in cell.get("outputs", []):
        for key in ("text", "evalue", "traceback"):
            if key in output:
                parts.append("".join(output[key]) if isinstance(output[key], list) else output[key])
        for value in output.get("data", {}).values():
            parts.append("".join(value) if isinstance(value, list) else json.dumps(value))
    return "\n".join(parts)


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_code_cell_was_executed_in_order(path):
    counts = [cell["execution_count"] for cell in code_cells(path)]
    assert None not in counts, "a cell without execution count is never compared by nbval"
    assert counts == list(range(1, len(counts) + 1))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_errors_no_stderr_no_leftover_progress(path):
    for cell in code_cells(path):
        for output in cell["outputs"]:
            assert output["output_type"] != "error", cell["source"]
            assert output.get("name") != "stderr", cell["source"]
        assert "\r" not in output_text(cell), "streams were not coalesced"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_hold_no_secrets_tokens_or_real_ids(path):
    text = "\n".join(output_text(cell) for cell in code_cells(path))
    assert not JWT.search(text)
    for pattern in SECRETS:
        assert not pattern.search(text), pattern.pattern
    assert set(GUID.findall(text)) <= PLACEHOLDER_IDS
    assert "management.azure.com/subscriptions" not in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_come_from_the_emulator(path):
    text = "\n".join(output_text(cell) for cell in code_cells(path))
    assert "local emulator" in text
    assert "Azure (live" not in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_sanitizer_removes_everything_that_changes_between_runs(path):
    text = "\n".join(output_text(cell) for cell in code_cells(path))
    run_ids = set(re.findall(r"tutorial-run=([a-z0-9]{6})\b", text))
    assert len(run_ids) == 1, "the outputs should show this run's tag once at least"
    clean = sanitize(text)
    assert run_ids.pop() not in clean, "a name with the run id is not sanitized"
    assert not re.search(r"127\.0\.0\.1:\d", clean)
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", clean)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_has_the_tutorial_skeleton(path):
    markdown = [source(cell) for cell in cells(path, "markdown")]
    assert markdown[0].startswith("# "), "the first cell is the title and overview"
    headings = [
        line[3:].strip()
        for text in markdown
        for line in text.splitlines()
        if line.startswith("## ")
    ]
    positions = [
        next((i for i, h in enumerate(headings) if h.startswith(name)), -1) for name in SECTIONS
    ]
    assert -1 not in positions, f"missing one of {SECTIONS}: {headings}"
    assert positions == sorted(positions), f"sections out of order: {headings}"
    assert headings[-2:] == ["Cleaning up", "Next steps"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_runs_without_user_input_and_cleans_up(path):
    code = [source(cell) for cell in code_cells(path)]
    for text in code:
        assert not re.search(r"\b(input|getpass)\s*\(", text), text
    assert "connect(" in code[0], "the first code cell connects (and picks the target)"
    assert "clean_up(" in code[-1] and "ctx.close()" in code[-1], "the last code cell cleans up"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_is_listed_in_the_readme(path):
    readme = (ROOT / "README.md").read_text()
    assert f"[`{path.name}`](notebooks/{path.name})" in readme
