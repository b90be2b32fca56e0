"""Reading a request's JSON body within ARM's bounds: size, depth, and JSON proper.

ARM refuses a body over 4 MB with 413 `RequestContentTooLarge` (sources in emulator/README.md,
"Limits"). A nesting deeper than 64 levels (Json.NET's default MaxDepth, which ARM's
deserializer uses: our reading) and the non-JSON literals NaN and Infinity are refused as
`InvalidRequestContent`. So nothing that reaches the backend is too big to store or too deep to
render. Text that is not strict JSON is read as ARM's Json.NET reads it (json_reader.py): its
leniencies taken, anything else refused in its words.

Property names are read case-insensitively by ARM's deserializer (Json.NET), so an object that
names one property twice, in the same or another casing (`password` and `Password`), is
refused with a 400 naming it: no later code (the rules, the store, the renderer that hides
secrets) ever sees two spellings of one property. Json.NET would keep one of them; which one
depends on the model, so refusing is our reading (its wording follows Json.NET's
`DuplicatePropertyNameHandling.Error`).
"""

from __future__ import annotations

import json
from typing import Any

from werkzeug import Request

from aci_emulator.errors import ArmError, invalid_content, request_too_large
from aci_emulator.web import json_reader
from aci_emulator.web.json_positions import BODY_TEXT_KEY

MAX_DEPTH = 64


def read_json(request: Request, max_bytes: int) -> Any:
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
    try:
        body = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_one_spelling)
    except DuplicateProperty as err:
        raise invalid_content(str(err)) from err
    except RecursionError as err:
        raise too_deep() from err
    except json.JSONDecodeError:
        # Not strict JSON: read as ARM's Json.NET reads it, leniently, or refused in its words.
        try:
            body = json_reader.read(text, _one_spelling)
        except (json_reader.JsonNetError, DuplicateProperty) as err:
            raise invalid_content(str(err)) from err
    except ValueError as err:  # an integer of over 4300 digits, NaN, Infinity
        raise invalid_content(str(err)) from err
    if depth(body) > MAX_DEPTH:
        raise too_deep()
    return body


def depth(value: Any) -> int:
    """How deeply arrays and objects nest (a scalar is 0), without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest


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


def _reject_constant(name: str) -> Any:
    raise ValueError(f"Unexpected token '{name}': not a JSON value")


def too_deep() -> ArmError:
    return invalid_content(f"The reader's MaxDepth of {MAX_DEPTH} has been exceeded")
