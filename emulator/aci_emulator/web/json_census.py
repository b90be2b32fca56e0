"""How many values a JSON text holds and how deeply it nests, measured from the text alone.

Counted before anything is parsed, so a body with too many values or too deep a nesting is
refused before an object graph is built, and the readers never have to walk what they built
to find its depth. Every step is a regular expression or a string method run over the text
once (linear time, a few copies of the text in memory at most).

Strings and comments are blanked first, in the order Json.NET's reader meets them (whichever
starts first wins, so a quote in a comment or a bracket in a string is not counted). A string or
comment left open runs to the end of the text: one attempt per opening, never a rescan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate, islice

_OPAQUE = re.compile(
    r'"[^"\\]*(?:\\[\s\S][^"\\]*)*"?'  # a double-quoted string (open at the end: to the end)
    r"|'[^'\\]*(?:\\[\s\S][^'\\]*)*'?"  # a single-quoted one, which Json.NET also reads
    r"|/\*[\s\S]*?(?:\*/|\Z)"  # a block comment
    r"|//[^\n]*"  # a line comment
)
_SPACE = b" \t\r\n"  # JSON's whitespace
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_COUNTED = re.compile(rb"[,\[{]")  # what starts a value after the first
_STEP = tuple(1 if b in b"[{" else -1 if b in b"]}" else 0 for b in range(256))


@dataclass(frozen=True)
class Census:
    values: int  # every value: scalars, arrays and objects (a property's name is not one)
    # How deeply arrays and objects nest (a scalar alone is 0) within the first `max_values`
    # values: as deep as a reader gets before it has read more than it may.
    depth: int


def measure(text: str, max_values: int | None = None) -> Census:
    """The values in the text: one for the document, one more after each comma and after each
    opening bracket of a container that is not empty (exact for JSON; for Json.NET's leniencies
    an upper bound: a trailing comma counts as a value, as an empty slot is one). The depth:
    brackets outside strings and comments, as a reader meets them (a stray closing bracket,
    where any reader stops, only lowers what follows), within the first `max_values` values."""
    # Bytes from here: their translate and count run at C speed; no bracket, comma or space
    # is part of a multi-byte character.
    tokens = _OPAQUE.sub("0", text).encode("utf-8", "surrogatepass")
    compact = tokens.translate(None, _SPACE)
    del tokens  # a body's copies held at once: the text, and one of these
    if not compact:
        return Census(0, 0)
    opened = compact.count(b"[") + compact.count(b"{")
    empty = compact.count(b"[]") + compact.count(b"{}")
    values = 1 + compact.count(b",") + opened - empty
    if max_values is not None and values > max_values:
        # Only the text a reader meets within its first max_values values.
        # (The document itself is the first value, so the last can start the text's end.)
        past = next(islice(_COUNTED.finditer(compact), max_values, None), None)
        compact = compact[: past.start()] if past else compact
        opened = compact.count(b"[") + compact.count(b"{")
    # Past 2 * opened + 1 brackets, more have closed than ever opened: a reader stops before.
    brackets = compact.translate(None, _NOT_BRACKET)[: 2 * opened + 1]
    deepest = max(accumulate(map(_STEP.__getitem__, brackets)), default=0)
    return Census(values, deepest)


def collections(value: object) -> list[tuple[str, str, int]]:
    """Every array and object a parsed body holds, in document order: (its place as lowercase
    member names, '[]' for an array's items, its Json.NET path, how many items or members).

    A walk with an explicit stack (the body is within MaxDepth and the values limit already),
    so that one place (backend/aci/bounds.py) can bound every collection a body can hold."""
    found: list[tuple[str, str, int]] = []
    stack: list[tuple[object, str, str]] = [(value, "", "")]
    while stack:
        node, place, path = stack.pop()
        if isinstance(node, list):
            found.append((place, path, len(node)))
            stack.extend(
                (item, place + "[]", f"{path}[{i}]") for i, item in reversed(list(enumerate(node)))
            )
        elif isinstance(node, dict):
            if path:
                found.append((place, path, len(node)))
            children = []
            for key, item in node.items():
                if isinstance(item, (list, dict)):
                    name = str(key)
                    inner_place = f"{place}.{name.lower()}" if place else name.lower()
                    children.append((item, inner_place, f"{path}.{name}" if path else name))
            stack.extend(reversed(children))
    return found
