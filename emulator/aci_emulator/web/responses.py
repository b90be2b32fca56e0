"""Building responses: JSON as ARM sends it, and empty ones."""

from __future__ import annotations

import base64
import bisect
import json
import math
import re
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from werkzeug import Response

from aci_emulator.errors import ArmError


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return json_text_response(json.dumps(body), status, headers)


def json_text_response(
    text: str, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """An answer whose JSON is already written (json.dumps of what render built)."""
    response = Response(text, status=status, headers=headers or {})
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    return response


def empty_response(status: int, headers: dict[str, str] | None = None) -> Response:
    response = Response(b"", status=status, headers=headers or {})
    response.headers.remove("Content-Type")
    return response


def retry_after(ctx: Any) -> dict[str, str]:
    """The Retry-After of long-running responses and polls, when the config sends one: whole
    seconds, as ARM sends it (azure-mgmt-resource reads a resource group delete's as an int)."""
    seconds = ctx.config.retry_after
    return {} if seconds is None else {"Retry-After": str(math.ceil(seconds))}


def top(ctx: Any) -> int:
    """`$top`, ASCII digits only (`str.isdigit` also accepts '²'); absent: no limit."""
    value = ctx.request.args.get("$top")
    if value is None:
        return sys.maxsize
    if not re.fullmatch(r"[0-9]{1,9}", value):
        raise ArmError(
            400,
            "InvalidQueryParameterValue",
            "The OData query parameter '$top' has an invalid value. The value should be a "
            f"positive integer. The provided value was '{value[:40]}'.",
        )
    return int(value)


def paged(
    ctx: Any,
    items: list[Any],
    page_size: int,
    render: Callable[[list[Any]], list[Any]] | None = None,
    *,
    key: Callable[[Any], str],
) -> dict[str, Any]:
    """One page of a list and, past it, a nextLink whose $skipToken names the last item sent.

    `items` are in `key` order; the next page starts after that key, so what is deleted or added
    between pages moves nothing (a client that deletes what it lists sees every item). The token
    also counts the items sent, which `$top` bounds across pages. `render` turns the page's
    items into wire JSON: only the page is rendered, not the list.
    """
    after, sent = _read_skip_token(ctx.request.args.get("$skipToken"))
    start = bisect.bisect_right(items, after, key=key) if after is not None else 0
    count = max(0, min(page_size, top(ctx) - sent, len(items) - start))
    page = items[start : start + count]
    body: dict[str, Any] = {"value": render(page) if render else page}
    if start + count < len(items) and sent + count < top(ctx):
        args = {k: v for k, v in ctx.request.args.items() if k != "$skipToken"}
        query = urlencode(args)  # a filter's spaces, quotes, '&' and '+' survive the round trip
        token = _skip_token(key(page[-1]), sent + count)
        body["nextLink"] = f"{ctx.base_url}{ctx.request.path}?{query}&$skipToken={token}"
    return body


def _skip_token(after: str, sent: int) -> str:
    text = json.dumps({"after": after, "sent": sent})
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _read_skip_token(token: str | None) -> tuple[str | None, int]:
    """(last key sent, items sent); a token this server did not write starts from the top."""
    if not token:
        return None, 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        after, sent = data["after"], data["sent"]
    except (ValueError, TypeError, KeyError):
        return None, 0
    if not isinstance(after, str) or not isinstance(sent, int) or isinstance(sent, bool):
        return None, 0
    return after, max(0, sent)
