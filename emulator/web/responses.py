"""Building responses: JSON as ARM sends it, and empty ones."""

from __future__ import annotations

import json
from typing import Any

from werkzeug import Response


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = Response(json.dumps(body), status=status, headers=headers or {})
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    return response


def empty_response(status: int, headers: dict[str, str] | None = None) -> Response:
    response = Response(b"", status=status, headers=headers or {})
    response.headers.remove("Content-Type")
    return response


def paged(ctx: Any, items: list[Any], page_size: int) -> dict[str, Any]:
    """One page of a list and, past it, a nextLink carrying the offset ($skipToken)."""
    try:
        start = max(0, int(ctx.request.args.get("$skipToken", "0")))
    except ValueError:
        start = 0
    top = ctx.request.args.get("$top")
    end = start + page_size
    if top and top.isdigit():
        end = min(end, int(top))
    body: dict[str, Any] = {"value": items[start:end]}
    if end < len(items) and not top:
        args = {k: v for k, v in ctx.request.args.items() if k != "$skipToken"}
        query = "&".join(f"{k}={v}" for k, v in args.items())
        body["nextLink"] = f"{ctx.base_url}{ctx.request.path}?{query}&$skipToken={end}"
    return body
