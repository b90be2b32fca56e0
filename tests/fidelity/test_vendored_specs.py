"""The vendored REST specs are Azure's own files: the one repair is exactly what SOURCES says."""

from __future__ import annotations

import hashlib
import json
import re
from importlib import resources

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
