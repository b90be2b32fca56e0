"""Reading a request's JSON body within ARM's bounds: size, depth, and JSON proper.

ARM refuses a body over 4 MB with 413 `RequestContentTooLarge` (sources in emulator/README.md,
"Limits"). A nesting deeper than 64 levels (Json.NET's default MaxDepth, which ARM's
deserializer uses: our reading) and the non-JSON literals NaN and Infinity are refused as
`InvalidRequestContent`. So nothing that reaches the backend is too big to store or too deep to
render.
"""

from __future__ import annotations

import json
from typing import Any

from werkzeug import Request

from aci_emulator.errors import ArmError, invalid_content
from aci_emulator.web.json_positions import BODY_TEXT_KEY

MAX_BODY_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64


def read_json(request: Request) -> Any:
    """The body as JSON, `{}` when empty; ArmError 400 or 413 when it cannot be accepted."""
    length = request.content_length
    if length is not None and length > MAX_BODY_BYTES:
        raise too_large()
    try:
        raw = request.stream.read(MAX_BODY_BYTES + 1)
    except ConnectionError:
        raise
    except (OSError, ValueError) as err:  # a malformed chunked body, a truncated one
        raise invalid_content(f"The request body could not be read: {err}") from err
    if len(raw) > MAX_BODY_BYTES:
        raise too_large()
    text = raw.decode("utf-8", errors="replace")
    request.environ[BODY_TEXT_KEY] = text  # for the position of a deserializer error
    if not text.strip():
        return {}
    try:
        body = json.loads(text, parse_constant=_reject_constant)
    except RecursionError as err:
        raise too_deep() from err
    except ValueError as err:  # JSONDecodeError, and an integer of over 4300 digits
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


def _reject_constant(name: str) -> Any:
    raise ValueError(f"Unexpected token '{name}': not a JSON value")


def too_large() -> ArmError:
    return ArmError(
        413,
        "RequestContentTooLarge",
        f"The request content size exceeds the maximum size of {MAX_BODY_BYTES // 2**20} MB.",
    )


def too_deep() -> ArmError:
    return invalid_content(f"The reader's MaxDepth of {MAX_DEPTH} has been exceeded")
