"""The committed notebook outputs are safe to publish and complete enough to be tested."""

from __future__ import annotations

import configparser
import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from aci_emulator.config import (
    DEFAULT_CLIENT_ID,
    DEFAULT_SUBSCRIPTION_ID,
    DEFAULT_TENANT_ID,
    EmulatorConfig,
)

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


# -- one clock: what the outputs say about time agrees ---------------------------------------------
NOTEBOOK_01 = ROOT / "notebooks" / "01-manage-container-instances.ipynb"
NOTEBOOK_02 = ROOT / "notebooks" / "02-beyond-the-basics.ipynb"
WAIT = re.compile(r"^(?P<what>[a-z ]+ '[^']+'): (?P<states>.+?) (?:in|after) (?P<shown>\d+\.\d) s")
STAMP = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2}| UTC)?"


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace(" UTC", "+00:00"))


def all_output(path: Path) -> str:
    return "\n".join(output_text(cell) for cell in code_cells(path))


def waits(text: str) -> dict[str, float]:
    """Each wait's shown duration, by what it waited for."""
    found = {}
    for line in text.splitlines():
        match = WAIT.match(line)
        if match:
            found[match["what"]] = float(match["shown"])
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_waits_against_the_emulator_show_its_time_and_the_real_time_beside_it(path):
    lines = [line for line in all_output(path).splitlines() if WAIT.match(line)]
    assert lines
    for line in lines:  # both clocks, always, even for a delete that takes no time on either
        assert re.search(r" s emulated \(\d+\.\d\d s real\) — live, ", line), line


def test_the_create_lasts_as_long_as_its_events_say_and_follows_its_tag():
    text = all_output(NOTEBOOK_01)
    tagged = moment(re.search(rf"created-at=({STAMP})", text)[1])
    events = {
        m["event"]: moment(m["at"])
        for m in re.finditer(
            rf"^\s+hello\s+(?P<event>\w+)\s+1\s+Normal\s+(?P<at>{STAMP})", text, re.M
        )
    }
    create = next(s for w, s in waits(text).items() if w.startswith("create container group"))
    # As live Azure shows a create (recordings of 2023): no Created event.
    assert set(events) == {"Pulling", "Pulled", "Started"}
    assert tagged <= events["Pulling"] <= events["Started"]
    # The tag is stamped before the request and shows whole seconds; the wait starts a moment
    # after the request (two clocks would differ by the whole create, ten seconds).
    assert (events["Started"] - tagged).total_seconds() <= create + 2
    assert (events["Started"] - events["Pulling"]).total_seconds() <= create


def test_the_task_ran_as_long_as_its_wait_says():
    text = all_output(NOTEBOOK_02)
    ran = float(re.search(r"; ran (\d+\.\d) s, ", text)[1])
    waited = next(s for w, s in waits(text).items() if w.startswith("run container group"))
    # The wait began as the container started and ended at its first look after the end.
    assert ran <= waited <= ran + 1


def test_quota_and_usage_are_asked_of_azure_in_a_code_cell():
    code = "\n".join(source(cell) for cell in code_cells(NOTEBOOK_02))
    assert "location.list_usage(ctx.location)" in code
    text = all_output(NOTEBOOK_02)
    limits = dict(re.findall(r"^(Container Groups|Standard Cores) +0 of (\d+) in use$", text, re.M))
    # A new pay-as-you-go subscription's limits per region ("Resource availability & quota
    # limits for ACI", Microsoft Learn): 100 container groups, 100 standard cores.
    assert limits == {"Container Groups": "100", "Standard Cores": "100"}
    assert int(limits["Standard Cores"]) == EmulatorConfig().quota_cores
    grown = dict(re.findall(r"^(Container Groups|Standard Cores) +0 -> (\d+)$", text, re.M))
    assert grown == {"Container Groups": "1", "Standard Cores": "2"}  # the group asks 1 + 1 cores
    words = "\n".join(source(cell) for cell in cells(NOTEBOOK_02, "markdown"))
    assert not re.search(r"\b10 (standard )?cores\b|of 10\b", words + text)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_setup_shows_the_default_path_a_new_reader_takes(path):
    setup = output_text(next(c for c in code_cells(path) if "connect()" in source(c)))
    assert "no .env found" in setup
    assert re.search(r"^  ACI_TUTORIAL_TARGET +auto \(so: emulator\) +default$", setup, re.M)
    assert re.search(r"^  AZURE_SUBSCRIPTION_ID +\(not set\) +default$", setup, re.M)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_delete_s_answer_is_shown_as_the_group_before_the_delete(path):
    lines = all_output(path).splitlines()
    deletes = [i for i, line in enumerate(lines) if line.startswith("DELETE ")]
    assert deletes
    for i in deletes:  # Azure CLI recording test_container_create.yaml: 200, the group as it was
        assert lines[i + 1].startswith("  → 200 OK  body: the group as it was before the delete (")
        assert not lines[i + 2].startswith("GET ")  # nothing to poll


def test_notebook_01_shows_the_group_gone_after_its_delete():
    assert "get after the delete: 404 ResourceNotFound" in all_output(NOTEBOOK_01)


def test_the_address_is_shown_after_stop_start_and_restart():
    text = all_output(NOTEBOOK_02)
    after_stop = re.search(r"^IP address after stop: (\S+)$", text, re.M)[1]
    start = re.search(
        r"^IP address (\S+) -> (\S+)( \(kept here; live Azure may assign a new one\))?$", text, re.M
    )
    before, after_start, caveat = start.groups()
    after_restart = re.search(r"^IP address after restart: (\S+)$", text, re.M)[1]
    # The emulator keeps the address; the output and the markdown say Azure may not.
    assert before == after_stop == after_start == after_restart
    assert caveat
    words = "\n".join(source(cell) for cell in cells(NOTEBOOK_02, "markdown"))
    assert "the emulator keeps it; Azure may not" in words


def test_the_kept_resource_group_s_reason_matches_the_story():
    text = all_output(NOTEBOOK_02)
    kept = re.search(r"^  kept +resource group 'aci-shared-\w+' +(.+)$", text, re.M)[1]
    assert (
        kept == "it existed before this run looked for it: ensure_resource_group did not create it"
    )
    words = "\n".join(source(cell) for cell in cells(NOTEBOOK_02, "markdown"))
    assert "before this run's\n`ensure_resource_group` looks for it" in words


def test_notebook_02_stays_within_sixty_percent_of_its_former_length():
    """Markdown words plus output lines: 2,649 before it was tightened, so at most 1,589."""
    words = sum(len(source(cell).split()) for cell in cells(NOTEBOOK_02, "markdown"))
    shown = [  # what a reader sees: a stream's text, else the plain text of a result
        output.get("text") or output.get("data", {}).get("text/plain", "")
        for cell in code_cells(NOTEBOOK_02)
        for output in cell.get("outputs", [])
    ]
    lines = sum(len("".join(text).rstrip("\n").splitlines()) for text in shown)
    assert words + lines <= 1589
