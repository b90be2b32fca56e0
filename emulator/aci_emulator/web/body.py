"""Reading a request's JSON body within ARM's bounds: size, values, depth, and JSON proper.

ARM refuses a body over 4 MB with 413 `RequestContentTooLarge` (sources in emulator/README.md,
"Limits"); a body of more JSON values than Limits.max_json_values gets the same answer (our
reading: 4 MB of `{},` would otherwise become over a million objects). A nesting deeper than 64
levels (Json.NET's default MaxDepth, which ARM's deserializer uses: our reading) and the
non-JSON literals NaN and Infinity are refused as `InvalidRequestContent`. Values and depth are
counted from the text before anything is parsed (json_census.py). So nothing that reaches the
backend is too big to store or too deep to render. Text that is not strict JSON, or that
Python's parser reads otherwise than Json.NET (an integer of over 4300 digits), is read as ARM's
Json.NET reads it (json_reader.py): its leniencies taken, anything else refused in its words.
An escaped lone surrogate (`"\\ud800"`) is read as U+FFFD, as Json.NET reads it, so every string
that reaches the backend can be encoded.

Property names are read case-insensitively by ARM's deserializer (Json.NET), so an object that
names one property twice, in the same or another casing (`password` and `Password`), is
refused with a 400 naming it: no later code (the rules, the store, the renderer that hides
secrets) ever sees two spellings of one property. Json.NET would keep one of them; which one
depends on the model, so refusing is our reading (its wording follows Json.NET's
`DuplicatePropertyNameHandling.Error`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from werkzeug import Request

from aci_emulator.config import Limits
from aci_emulator.errors import (
    invalid_content,
    request_too_large,
    too_many_json_values,
)
from aci_emulator.web import json_census, json_reader
from aci_emulator.web.json_positions import BODY_TEXT_KEY

MAX_DEPTH = json_reader.MAX_DEPTH
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # may leave a lone surrogate
_SURROGATE = re.compile("[\\ud800-\\udfff]")


def read_json(request: Request, max_bytes: int, max_values: int = Limits.max_json_values) -> Any:
    """The body as JSON, `{}` when empty; ArmError 400 or 413 when it cannot be accepted.

    The door has already refused a body over `max_bytes` (Limits.max_body_bytes) when the app runs
    behind it; this holds the same limit when the app is called directly (in-process WSGI)."""
    length = request.content_length
    if length is not None and length > max_bytes:
        raise request_too_large(max_bytes)
    try:
        raw = request.stream.read(max_bytes + 1)
    except ConnectionError:
        raise
    except (OSError, ValueError) as err:  # a malformed chunked body, a truncated one
        raise invalid_content(f"The request body could not be read: {err}") from err
    if len(raw) > max_bytes:
        raise request_too_large(max_bytes)
    # A byte order mark is dropped, as .NET's reader drops it (our reading).
    text = raw.decode("utf-8-sig", errors="replace")
    request.environ[BODY_TEXT_KEY] = text  # for the position of a deserializer error
    if not text.strip():
        return {}
    # Whichever limit a reader meets first: MaxDepth within the first max_values values is
    # named where it is passed; past them the body is too large, whatever follows.
    census = json_census.measure(text, max_values)
    if census.values > max_values and census.depth <= MAX_DEPTH:
        raise too_many_json_values(max_values)
    try:
        body = _parse(text, census.depth)
    except (json_reader.JsonNetError, DuplicateProperty) as err:
        raise invalid_content(str(err)) from err
    if _SURROGATE_ESCAPE.search(text):
        try:
            body = _without_lone_surrogates(body)
        except DuplicateProperty as err:
            raise invalid_content(str(err)) from err
    return body


def _parse(text: str, depth: int) -> Any:
    """Python's parser for strict JSON within MaxDepth (the usual body, at C speed); Json.NET's
    reading for the rest, which names where the text stops being readable."""
    if depth <= MAX_DEPTH:
        try:
            return json.loads(text, parse_constant=_not_json, object_pairs_hook=_one_spelling)
        except DuplicateProperty:
            raise
        except ValueError:
            pass  # not strict JSON; NaN, Infinity; an integer of over 4300 digits
    return json_reader.read(text, _one_spelling, depth=depth)


def _without_lone_surrogates(value: Any) -> Any:
    """The value with each lone surrogate (which only an escape can write) read as U+FFFD.
    The depth is within MaxDepth, so recursion is bounded."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return _one_spelling(
            [(_SURROGATE.sub("\ufffd", k), _without_lone_surrogates(v)) for k, v in value.items()]
        )
    return value


class DuplicateProperty(ValueError):
    """An object names one property twice, in any casing."""


def _one_spelling(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose property names differ in more than their casing."""
    obj: dict[str, Any] = {}
    seen: dict[str, str] = {}
    for name, value in pairs:
        folded = name.lower()  # as every later lookup compares names
        if folded in seen:
            first, again = _shown(seen[folded]), _shown(name)
            raise DuplicateProperty(
                f"Property with the name '{again}' already exists in the current JSON object"
                + (
                    ""
                    if first == again
                    else f" (as '{first}'): property names are case-insensitive"
                )
            )
        seen[folded] = name
        obj[name] = value
    return obj


def _shown(name: str) -> str:
    """A property name as quoted in a message: bounded, whatever the client sent."""
    return name if len(name) <= 100 else name[:100] + "…"


def _not_json(name: str) -> Any:
    raise ValueError(name)  # NaN, Infinity: Json.NET's reader refuses them in its words
