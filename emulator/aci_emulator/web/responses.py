"""Building responses: JSON as ARM sends it, and empty ones."""

from __future__ import annotations

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
    response = Response(json.dumps(body), status=status, headers=headers or {})
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
) -> dict[str, Any]:
    """One page of a list and, past it, a nextLink carrying the offset ($skipToken).

    `render` turns the page's items into wire JSON: only the page is rendered, not the list.
    """
    try:
        start = max(0, int(ctx.request.args.get("$skipToken", "0")))
    except ValueError:
        start = 0
    limit = min(len(items), top(ctx))
    end = min(start + page_size, limit)
    page = items[start:end]
    body: dict[str, Any] = {"value": render(page) if render else page}
    if end < limit:
        args = {k: v for k, v in ctx.request.args.items() if k != "$skipToken"}
        query = urlencode(args)  # a filter's spaces, quotes, '&' and '+' survive the round trip
        body["nextLink"] = f"{ctx.base_url}{ctx.request.path}?{query}&$skipToken={end}"
    return body
