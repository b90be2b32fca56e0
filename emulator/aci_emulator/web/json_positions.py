"""Where in the request's text a deserializer error happened, as ARM's Json.NET reports it.

ARM's `InvalidRequestContent` messages end "Path 'x', line L, position P." (Json.NET's reader:
the line, and the column just after the token it had read): after the '{' of a value of the
wrong type ("Unexpected token StartObject when parsing enum. Path '…gpu.sku', line 14,
position 25.": Azure/azure-libraries-for-net#848), after the '}' of an object that lacks a
required property ("Required property 'properties' not found in JSON. Path '', line 1,
position 22.": Azure/azure-sdk-for-js#36767). The rules report the path; this adds the place.
"""

from __future__ import annotations

import re

from aci_emulator.errors import ArmError

BODY_TEXT_KEY = "aci_emulator.body_text"  # where body.py leaves the text it parsed
_PATH_AT_END = re.compile(r"Path '((?:[^']|'')*)''\.$")
_WHITESPACE = " \t\r\n"


def with_position(err: ArmError, text: str | None) -> ArmError:
    """The same error with Json.NET's line and position after its path, when they can be found."""
    if err.code != "InvalidRequestContent" or not text:
        return err
    found = _PATH_AT_END.search(err.message)
    if found is None:
        return err
    end = "Required property" in err.message  # reported once the object has been read
    # A member the type lacks is reported once its name and colon are read (Json.NET's
    # ParseProperty consumes the colon before the deserializer looks the name up).
    name = "Could not find member" in err.message
    place = locate(text, found.group(1), end=end, after_name=name)
    if place is None:
        return err
    line, position = place
    message = err.message[: found.end(1) + 1] + f", line {line}, position {position}." + "'."
    return ArmError(err.status, err.code, message, target=err.target, headers=err.headers)


def locate(
    text: str, path: str, *, end: bool = False, after_name: bool = False
) -> tuple[int, int] | None:
    """Line and position just after the first token of the value at `path` (with `end`: just
    after the whole value; with `after_name`: just after the colon before it), or None if the
    text has no such value."""
    stack: list[list] = []  # [kind, current key or index, expecting a key]
    i, n = 0, len(text)
    colon = -1
    while i < n:
        c = text[i]
        if c == ":":
            colon = i
        if c in _WHITESPACE or c in ",:":
            if c == "," and stack and stack[-1][0] == "[":
                stack[-1][1] += 1
            elif c == "," and stack:
                stack[-1][2] = True
            i += 1
            continue
        if stack and stack[-1][0] == "{" and stack[-1][2] and c == '"':
            j = _string_end(text, i)
            stack[-1][1], stack[-1][2] = _unescape(text[i + 1 : j - 1]), False
            i = j
            continue
        if c in "}]":
            closing = _path(stack[:-1])
            stack.pop()
            i += 1
            if end and closing == path:
                return _place(text, i)
            continue
        here = _path(stack)
        if after_name and here == path and colon >= 0:
            return _place(text, colon + 1)
        if c in "{[":
            i += 1
            if here == path and not end:
                return _place(text, i)
            stack.append(["{", None, True] if c == "{" else ["[", 0, False])
            continue
        j = _string_end(text, i) if c == '"' else _scalar_end(text, i)
        if here == path:
            return _place(text, j)
        i = j
    return None


def _path(stack: list[list]) -> str:
    """Json.NET's path of the value the innermost container is at ('' for the root)."""
    parts = []
    for kind, key, _ in stack:
        if kind == "{":
            parts.append(f".{key}" if key is not None else "")
        else:
            parts.append(f"[{key}]")
    return "".join(parts).lstrip(".")


def _string_end(text: str, i: int) -> int:
    j = i + 1
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        if text[j] == '"':
            return j + 1
        j += 1
    return len(text)


def _scalar_end(text: str, i: int) -> int:
    j = i
    while j < len(text) and text[j] not in _WHITESPACE + ",]}":
        j += 1
    return max(j, i + 1)


def _unescape(raw: str) -> str:
    return raw.replace('\\"', '"').replace("\\\\", "\\")


def _place(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1)
