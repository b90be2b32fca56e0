"""The work reading a body costs, bounded by its length whatever its shape (the reader's own
counting, not a clock): the lenient reader's runs of values and its use of Python's scanner,
the census of values and depth taken before parsing, and the search for an error's position.

The shapes are the ones that once cost the square of the text's length, or its length times
its depth: a run of numbers one of which Python's parser cannot hold, the same run of object
members, a wide array nested past MaxDepth, a wide body before a deep one.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from aci_emulator.web import json_census, json_positions, json_reader

# Characters matched or scanned, per character of text: runs are matched once and scanned
# once, and json_reader scans in vain at most WASTE_BUDGET times the text.
WORK_PER_CHARACTER = json_reader.WASTE_BUDGET + 4
SETTINGS = settings(max_examples=30, deadline=None)


class CountedPattern:
    """A compiled pattern that adds the characters of each match to a tally."""

    def __init__(self, pattern: Any, tally: list[int]) -> None:
        self.pattern, self.tally = pattern, tally

    def match(self, text: str, pos: int, endpos: int = 2**62) -> Any:
        found = self.pattern.match(text, pos, endpos)
        self.tally[0] += 1 + (found.end() - pos if found else 0)
        return found


def read_counting(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, int]:
    """What json_reader reads (or its error) and the characters it matched or scanned."""
    tally = [0]
    for name in ("_ITEM_RUN", "_MEMBER_RUN"):
        monkeypatch.setattr(json_reader, name, CountedPattern(getattr(json_reader, name), tally))
    reader = json_reader.Reader(text, dict, json_census.measure(text).depth)
    scan = reader.scan

    def counted_scan(source: str, i: int) -> Any:
        try:
            result, end = scan(source, i)
        except StopIteration as stop:
            tally[0] += 1 + (stop.value or i) - i
            raise
        except ValueError as err:  # where Python stopped, or (not said) the whole rest
            tally[0] += 1 + getattr(err, "pos", len(source)) - i
            raise
        tally[0] += 1 + end - i
        return result, end

    reader.scan = counted_scan
    try:
        result: Any = reader.document()
    except json_reader.JsonNetError as err:
        result = err
    return result, tally[0]


def _shapes() -> st.SearchStrategy[tuple[str, str]]:
    """(text, the start of the error json_reader must answer)."""
    n = st.integers(500, 1500)
    digits = st.integers(4301, 6000)
    prefix = st.sampled_from(["/**/", "// c\n", ""])
    not_a_number = "Input string '"
    too_deep = "The reader's MaxDepth of 64 has been exceeded."

    def members(count: int) -> str:
        return "".join(f'"a{i}": 1, ' for i in range(count))

    return st.one_of(
        st.tuples(prefix, n, digits).map(
            lambda t: (t[0] + "[" + "1," * t[1] + "1" * t[2] + ",]", not_a_number)
        ),
        st.tuples(prefix, n, digits).map(
            lambda t: (t[0] + "{" + members(t[1]) + '"z": ' + "1" * t[2] + ",}", not_a_number)
        ),
        st.tuples(prefix, n, st.integers(65, 90)).map(
            lambda t: (t[0] + "[" * t[2] + "0," * (20 * t[1]) + "0" + "]" * t[2], too_deep)
        ),
        st.tuples(prefix, n).map(
            lambda t: (t[0] + "[" + "[0,[1,'2']]," * t[1] + "[" * 66 + "]" * 66 + "]", too_deep)
        ),
        st.tuples(prefix, n).map(
            lambda t: (t[0] + "{" + members(t[1]) + '"d": ' + '{"k": ' * 70 + "}" * 71, too_deep)
        ),
    )


@SETTINGS
@given(shape=_shapes())
def test_reading_costs_a_bounded_multiple_of_the_text(shape):
    text, error = shape
    with pytest.MonkeyPatch.context() as patch:
        result, work = read_counting(text, patch)
    assert isinstance(result, json_reader.JsonNetError)
    assert str(result).startswith(error)
    assert work <= WORK_PER_CHARACTER * len(text) + 100, (work, len(text))


# -- the census -----------------------------------------------------------------------------------
def values_and_depth(value: Any, level: int = 0) -> tuple[int, int]:
    """The oracle: values (scalars and containers) and nesting, walked in Python."""
    if isinstance(value, (dict, list)):
        items = value.values() if isinstance(value, dict) else value
        counted = [values_and_depth(item, level + 1) for item in items]
        return 1 + sum(c for c, _ in counted), max([level + 1] + [d for _, d in counted])
    return 1, level


TRICKY = st.text(st.sampled_from(list("ab[]{},:\"'/*\\ \n")), max_size=6)
VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | TRICKY,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(TRICKY, inner, max_size=5),
    max_leaves=60,
)


@SETTINGS
@given(value=VALUES, indent=st.sampled_from([None, 0, 2]), comment=TRICKY)
def test_the_census_counts_what_a_parser_builds(value, indent, comment):
    """Exact for JSON, whatever its strings hold, and with a comment before and after."""
    text = json.dumps(value, indent=indent)
    expected = values_and_depth(value)
    assert json_census.measure(text) == json_census.Census(*expected)
    closed = comment.replace("/", "")
    lenient = f"/*{closed}*/ {text} //{comment.replace(chr(10), '')}"
    assert json_census.measure(lenient) == json_census.Census(*expected)
    assert json_reader.read(lenient) == json.loads(text)


@SETTINGS
@given(value=VALUES, limit=st.integers(1, 80))
@example(value=[1, 2, 3], limit=3)  # one value more than the limit: the last ends the text
@example(value={"a": 1, "b": [2]}, limit=3)
def test_the_census_under_any_limit_counts_every_value(value, limit):
    text = json.dumps(value)
    values, depth = values_and_depth(value)
    census = json_census.measure(text, max_values=limit)
    assert census.values == values
    assert census.depth == depth if values <= limit else census.depth <= depth


def test_the_census_stops_counting_depth_where_a_reader_would_have_read_too_much():
    deep = "[" * 80 + "]" * 80
    wide = "[" + "0," * 50 + "0]"
    assert json_census.measure(f"[{deep},{wide}]", max_values=100).depth == 81
    assert json_census.measure(f"[{wide},{deep}]", max_values=100).depth < 64


# -- positions --------------------------------------------------------------------------------------
class Writer:
    """Writes JSON and notes, per path, where its first token ends, where it ends, and where
    the colon before it ends: the places Json.NET reports."""

    def __init__(self, pretty: bool) -> None:
        self.pretty = pretty
        self.parts: list[str] = []
        self.length = 0
        self.first: dict[str, int] = {}
        self.end: dict[str, int] = {}
        self.after_colon: dict[str, int] = {}

    def emit(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def space(self) -> None:
        self.emit("\n  " if self.pretty else " ")

    def write(self, value: Any, path: str = "") -> None:
        if isinstance(value, dict):
            self.emit("{")
            self.first[path] = self.length
            for k, (name, item) in enumerate(value.items()):
                self.emit("," if k else "")
                self.space()
                self.emit(json.dumps(name) + ":")  # non-ASCII names as \\u escapes
                read = name.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
                child = f"{path}.{read}" if path else read
                self.after_colon[child] = self.length
                self.space()
                self.write(item, child)
            self.emit("}")
        elif isinstance(value, list):
            self.emit("[")
            self.first[path] = self.length
            for i, item in enumerate(value):
                self.emit("," if i else "")
                self.space()
                self.write(item, f"{path}[{i}]")
            self.emit("]")
        else:
            self.emit(json.dumps(value))
            self.first[path] = self.length
        self.end[path] = self.length


NAMES = st.text(st.sampled_from(["a", "b", "é", "☃", "_", "\ud800"]), min_size=1, max_size=3)
DOCUMENTS = st.recursive(
    st.integers(0, 9) | st.sampled_from(["s", "a,b]}", None]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(NAMES, inner, max_size=4),
    max_leaves=40,
).filter(lambda v: isinstance(v, (dict, list)))


def place(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1)


@SETTINGS
@given(value=DOCUMENTS, pretty=st.booleans())
def test_every_value_is_placed_where_json_net_reports_it(value, pretty):
    writer = Writer(pretty)
    writer.write(value)
    text = "".join(writer.parts)
    for path, first in writer.first.items():
        assert json_positions.locate(text, path) == place(text, first), path
        assert json_positions.locate(text, path, end=True) == place(text, writer.end[path])
    for path, after in writer.after_colon.items():
        assert json_positions.locate(text, path, after_name=True) == place(text, after), path
    assert json_positions.locate(text, "no.such[3]") is None
