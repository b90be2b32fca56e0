"""The committed notebook outputs are safe to publish and complete enough to be tested."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from emulator.config import DEFAULT_CLIENT_ID, DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
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


def code_cells(path: Path) -> list[dict]:
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


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
