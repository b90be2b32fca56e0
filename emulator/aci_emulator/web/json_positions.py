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
from typing import Any

from aci_emulator.errors import ArmError
from aci_emulator.web import json_reader

BODY_TEXT_KEY = "aci_emulator.body_text"  # where body.py leaves the text it parsed
_PATH_AT_END = re.compile(r"Path '((?:[^']|'')*)''\.$")
# Strings (open at the end: to the end), comments, punctuation, and any other run of text.
_TOKEN = re.compile(
    r'"[^"\\]*(?:\\[\s\S][^"\\]*)*"?'
    r"|'[^'\\]*(?:\\[\s\S][^'\\]*)*'?"
    r"|/\*[\s\S]*?(?:\*/|\Z)|//[^\n]*|/"
    r"|[{}\[\],:]"
    r"|[^\s{}\[\],:\"'/]+"
)
_SURROGATE = re.compile("[\\ud800-\\udfff]")


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
    text has no such value.

    One pass over the text's tokens, each compared with the path in time of its own length
    (each open container remembers how much of `path` its own path matches), so the cost is
    the text's length whatever its nesting. Json.NET's leniencies (single quotes, bare names,
    comments) are read as tokens too; a key's escapes are decoded as the body's were."""
    # One frame per open container: [is_object, key or index, expecting a key, matched], where
    # `matched` is how much of `path` the container's own path is, or -1 if it is none of it.
    stack: list[list[Any]] = []
    colon = -1
    for token in _TOKEN.finditer(text):
        c = token.group()[0]
        if c == "/" or c == ",":
            if c == "," and stack:
                frame = stack[-1]
                if frame[0]:
                    frame[2] = True
                else:
                    frame[1] += 1
            continue
        if c == ":":
            colon = token.start()
            continue
        if c in "}]":
            if not stack:
                return None  # a stray closing bracket: the parser refused this text already
            matched = stack.pop()[3]
            if end and matched == len(path):
                return _place(text, token.end())
            continue
        if stack and stack[-1][0] and stack[-1][2]:
            stack[-1][1], stack[-1][2] = _key(token.group()), False
            continue
        here = _matched(stack, path)
        if here == len(path):
            if after_name and colon >= 0:
                return _place(text, colon + 1)
            if c not in "{[" or not end:  # a scalar ends where it starts; a container, later
                return _place(text, token.end())
        if c in "{[":
            is_object = c == "{"
            stack.append([is_object, None if is_object else 0, is_object, here])
    return None


def _matched(stack: list[list[Any]], path: str) -> int:
    """How much of `path` the path of the value about to be read is, or -1."""
    if not stack:
        return 0
    is_object, key, _, matched = stack[-1]
    if matched < 0:
        return -1
    if is_object:
        part = "" if key is None else "." + key
        if matched == 0:
            part = part.lstrip(".")  # Json.NET's path has no leading dot
    else:
        part = f"[{key}]"
    return matched + len(part) if path.startswith(part, matched) else -1


def _key(token: str) -> str | None:
    """A property's name as the body's reader read it (escapes decoded, a lone surrogate as
    U+FFFD); None for one that cannot be read."""
    if token[0] not in "\"'":
        return token  # a bare name
    if "\\" not in token:
        return token[1:-1]
    try:
        return _SURROGATE.sub("\ufffd", str(json_reader.read(token)))
    except json_reader.JsonNetError:
        return None


def _place(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1)
