"""Json.NET's leniencies read in one pass: the rewrite to strict JSON (json_reader.strict_text)
reads every generated lenient text to the value the value-by-value Reader reads, and a body of
thousands of lenient members is read through the wire like its strict twin.

How fast is bench/body_reading.py's to print (no timed assertion here).
"""

from __future__ import annotations

import json
import string
from typing import Any

import requests
from aci_builders import ACI_API, Raw, unique, wire_group
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aci_emulator.web import json_reader

NAME = st.text(string.ascii_letters + string.digits + "_$", min_size=1, max_size=8)
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    TEXT,
    st.floats(allow_nan=False, allow_infinity=False),
)
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(NAME, inner, max_size=4)),
    max_leaves=20,
)


@st.composite
def lenient(draw: st.DrawFn, value: Any) -> str:
    """The value written with Json.NET's leniencies, each drawn where it may stand."""
    space = draw(st.sampled_from(["", " ", "\n", " /* c */ ", " // c\n"]))
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            name = key if draw(st.booleans()) and not key[0].isdigit() else json.dumps(key)
            parts.append(f"{name}:{space}{draw(lenient(item))}")
        trailing = "," if parts and draw(st.booleans()) else ""
        return "{" + space + ",".join(parts) + trailing + "}"
    if isinstance(value, list):
        parts = [draw(lenient(item)) for item in value]
        trailing = "," if parts and draw(st.booleans()) else ""
        return "[" + ",".join(parts) + trailing + space + "]"
    if isinstance(value, str) and draw(st.booleans()):
        inner = json.dumps(value)[1:-1].replace('\\"', '"').replace("'", "\\'")
        return "'" + inner + "'"
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        form = draw(st.sampled_from(["{}", "0x{:x}", "0X{:X}", "0{:o}"]))
        return form.format(value) if value else "0"
    if value is None and draw(st.booleans()):
        return "undefined"
    return json.dumps(value)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), value=st.dictionaries(NAME, VALUE, max_size=5))
def test_the_one_pass_rewrite_reads_what_the_reader_reads(data: st.DataObject, value: Any):
    text = data.draw(lenient(value))
    depth = 64
    slow = json_reader.Reader(text, dict, depth).document()
    assert slow == value
    assert json_reader.read(text) == value
    strict = json_reader.strict_text(text)
    if strict is not None:
        assert json.loads(strict) == value


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(count=st.integers(500, 999), quote=st.sampled_from(["'", ""]))
def test_thousands_of_lenient_members_are_read_as_their_strict_twin(
    raw: Raw, rg: str, count: int, quote: str
):
    pairs = {f"k{i}": f"v{i}" for i in range(count)}
    body = wire_group()
    body["properties"]["containers"][0]["properties"]["configMap"] = {"keyValuePairs": "@@"}
    members = ",".join(f"{quote}{k}{quote}: '{v}'" for k, v in pairs.items()) + ","
    text = json.dumps(body).replace('"@@"', "{" + members + "}")
    name = unique("lenient")
    answer = requests.put(
        raw.url(raw.cg_path(rg, name)),
        params={"api-version": "2024-05-01-preview"},
        data=text.encode(),
        headers={"Authorization": f"Bearer {raw.token}", "Content-Type": "application/json"},
        verify=raw.ca_bundle,
        timeout=60,
    )
    assert answer.status_code == 201, answer.text[:300]
    got = raw.request("GET", raw.cg_path(rg, name), api_version="2024-05-01-preview").json()
    container = got["properties"]["containers"][0]["properties"]
    assert container["configMap"]["keyValuePairs"] == pairs
    assert ACI_API
