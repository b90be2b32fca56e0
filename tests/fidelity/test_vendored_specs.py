"""The vendored REST specs are Azure's own files: the one repair is exactly what SOURCES says."""

from __future__ import annotations

import hashlib
import json
import re
from importlib import resources
from pathlib import Path

import pytest

SPECS = resources.files("aci_emulator") / "specs"
# The comma the published 2024-10-01-preview file lacks (specs/SOURCES, "Repaired").
PUBLISHED = '                "Succeeded"\n                "Deleting",'
REPAIRED = '                "Succeeded",\n                "Deleting",'


def git_blob(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def test_the_repaired_spec_differs_from_the_published_one_by_one_comma():
    sources = (SPECS / "SOURCES").read_text(encoding="utf-8")
    upstream = re.search(r"upstream\s+blob ([0-9a-f]{40})", sources)
    vendored = (SPECS / "2024-10-01-preview.json").read_text(encoding="utf-8")

    assert upstream, "SOURCES names the published file's blob"
    assert vendored.count(REPAIRED) == 1
    published = vendored.replace(REPAIRED, PUBLISHED)
    assert git_blob(published.encode()) == upstream.group(1)
    definitions = json.loads(vendored)["definitions"]
    enum = definitions["ListResultContainerGroupProperties"]["properties"]["properties"]
    states = enum["properties"]["provisioningState"]["enum"]
    assert states[states.index("Succeeded") + 1] == "Deleting"


FIDELITY = Path(__file__).parent


@pytest.mark.parametrize("folder", ["recordings", "spec_examples"])
def test_every_vendored_file_is_listed_in_sources_as_the_file_it_is(folder):
    base = FIDELITY / folder
    rows = {}
    for line in (base / "SOURCES").read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) == 4 and re.fullmatch(r"[0-9a-f]{40}", fields[2]):
            rows[fields[0]] = fields[2]
    vendored = {str(p.relative_to(base)) for p in base.rglob("*") if p.suffix in (".yaml", ".json")}

    assert vendored == set(rows)
    for name in vendored:
        assert git_blob((base / name).read_bytes()) == rows[name], name


def test_every_file_in_specs_is_listed_in_sources_with_its_blob():
    """The api-version specs and the common types they refer to alike (specs/SOURCES)."""
    rows = {}
    for line in (SPECS / "SOURCES").read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) == 4 and re.fullmatch(r"[0-9a-f]{40}", fields[2]):
            rows[fields[0]] = (fields[2], fields[3])
    files = {p.name for p in SPECS.iterdir() if p.name.endswith(".json")}

    assert files == set(rows)
    assert "common-types-resource-management-v5-types.json" in files
    for name in files:
        blob, path = rows[name]
        data = (SPECS / name).read_bytes()
        json.loads(data)
        assert git_blob(data) == blob, name
        assert path.startswith("specification/"), name
