"""Show the HTTP exchange behind SDK calls: ``with show_http(): ...``.

A policy in the pipeline of the tutorial's clients (``WIRE_TAP``, added by ``make_clients``)
hands every request and response to the recorders that ``show_http`` opens, so the same code
shows the same kind of transcript live and offline. Long-running operations poll from a
background thread, hence one process-wide recorder stack rather than a context variable.

Nothing secret is shown: request headers are not printed unless asked for, ``Authorization``
never in clear, and body fields whose names say secret, password, key or token are replaced.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, TextIO
from urllib.parse import urlsplit

from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import SansIOHTTPPolicy

# The headers that drive a long-running operation (see the tutorial's step 4).
LRO_HEADERS = ("Azure-AsyncOperation", "Location", "Retry-After")
REDACTED = "***"
_SECRET_KEY = re.compile(r"secret|secure|password|token|key$|^authorization$", re.IGNORECASE)
_SUBSCRIPTION = re.compile(r"^/subscriptions/[^/]+", re.IGNORECASE)
_GUID = re.compile(r"\b([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)
_BODY_WIDTH = 100


@dataclass
class Exchange:
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: Any
    status: int
    reason: str
    headers: dict[str, str]  # names in lower case
    body: Any
    count: int = 1


def redact(value: Any) -> Any:
    """A copy of a JSON value with every secret-looking field replaced."""
    if isinstance(value, dict):
        return {
            k: REDACTED if _SECRET_KEY.search(str(k)) and v not in (None, "") else redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def _json(text: str | bytes | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError):
        return str(text)[:_BODY_WIDTH]


def short_path(url: str) -> str:
    """The path and query of a URL, the subscription id left out and other ids (operations)
    shortened: '/subscriptions/…/operations/3bcdc2a7…?api-version=…'."""
    parts = urlsplit(url)
    path = _GUID.sub(r"\1…", _SUBSCRIPTION.sub("/subscriptions/…", parts.path))
    return path + (f"?{parts.query}" if parts.query else "")


def _excerpt(body: Any) -> str:
    """What a learner looks for in a response body, else its start."""
    if not isinstance(body, dict):
        return "" if body is None else str(body)[:_BODY_WIDTH]
    shown = []
    properties = body.get("properties") if isinstance(body.get("properties"), dict) else {}
    view = properties.get("instanceView") if isinstance(properties, dict) else None
    if "status" in body:
        shown.append(f"status: {body['status']}")
    if "provisioningState" in properties:
        shown.append(f"provisioningState: {properties['provisioningState']}")
    if isinstance(view, dict) and view.get("state"):
        shown.append(f"instanceView.state: {view['state']}")
    if isinstance(body.get("error"), dict):
        error = body["error"]
        shown.append(f"error: {error.get('code')}: {str(error.get('message', ''))[:60]}…")
    if isinstance(body.get("value"), list):
        shown.append(f"value: {len(body['value'])} item(s)")
    if shown:
        return ", ".join(shown)
    text = json.dumps(redact(body), separators=(",", ":"))
    return text if len(text) <= _BODY_WIDTH else text[: _BODY_WIDTH - 1] + "…"


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _body_line(body: Any) -> str:
    text = json.dumps(redact(body), separators=(",", ":"))
    return text if len(text) <= _BODY_WIDTH else text[: _BODY_WIDTH - 1] + "…"


@dataclass
class Transcript:
    """The exchanges recorded while ``show_http`` was open; consecutive identical polls merge."""

    request_headers: bool = False
    exchanges: list[Exchange] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, exchange: Exchange) -> None:
        with self._lock:
            last = self.exchanges[-1] if self.exchanges else None
            if (
                last is not None
                and exchange.method == "GET"
                and (last.method, last.url, last.status, _excerpt(last.body))
                == (exchange.method, exchange.url, exchange.status, _excerpt(exchange.body))
            ):
                last.count += 1
                return
            self.exchanges.append(exchange)

    def lines(self) -> list[str]:
        out: list[str] = []
        for x in self.exchanges:
            repeat = f"  ({x.count}×)" if x.count > 1 else ""
            out.append(f"{x.method} {short_path(x.url)}")
            if self.request_headers:
                for name, value in x.request_headers.items():
                    shown = REDACTED if _SECRET_KEY.search(name) else value
                    out.append(f"    {name}: {shown}")
            if x.request_body is not None:
                out.append(f"    {_body_line(x.request_body)}")
            excerpt = _excerpt(x.body)
            if excerpt and x.method == "DELETE" and 200 <= x.status < 300:
                # ACI answers a delete with the group as it was just before (recorded: Azure
                # CLI test_container_create.yaml), not with its state after the delete.
                excerpt = f"body: the group as it was before the delete ({excerpt})"
            out.append(f"  → {x.status} {x.reason}" + (f"  {excerpt}" if excerpt else "") + repeat)
            for name in LRO_HEADERS:
                value = x.headers.get(name.lower())  # HTTP/2 sends names in lower case
                if value:
                    out.append(f"    {name}: {short_path(value) if '://' in value else value}")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines()) if self.exchanges else "(no HTTP requests)"


_active: list[Transcript] = []
_active_lock = threading.Lock()


class WireTap(SansIOHTTPPolicy):
    """Hands each exchange to the open transcripts; does nothing while none is open."""

    def on_response(self, request: PipelineRequest, response: PipelineResponse) -> None:
        with _active_lock:
            listeners = list(_active)
        if not listeners:
            return
        http_request, http_response = request.http_request, response.http_response
        try:
            body = _json(http_response.text())
        except Exception:  # a streamed body not read yet: leave it to its reader
            body = None
        exchange_fields = dict(
            method=http_request.method,
            url=http_request.url,
            request_headers=dict(http_request.headers),
            request_body=_json(
                http_request.data if isinstance(http_request.data, (str, bytes)) else None
            ),
            status=http_response.status_code,
            reason=_reason(http_response.status_code),
            headers={k.lower(): v for k, v in http_response.headers.items()},
            body=body,
        )
        for transcript in listeners:
            transcript.add(Exchange(**exchange_fields))


WIRE_TAP = WireTap()


@contextmanager
def recording() -> Iterator[Transcript]:
    """Record the exchanges of the tutorial's clients inside the block, without printing."""
    transcript = Transcript()
    with _active_lock:
        _active.append(transcript)
    try:
        yield transcript
    finally:
        with _active_lock:
            _active.remove(transcript)


def reported_state(body: Any) -> str | None:
    """The state a response body reports: an operation's status, or a provisioning state."""
    if not isinstance(body, dict):
        return None
    if isinstance(body.get("status"), str):
        return body["status"]
    properties = body.get("properties")
    if isinstance(properties, dict) and isinstance(properties.get("provisioningState"), str):
        return properties["provisioningState"]
    return None


@contextmanager
def show_http(
    *, request_headers: bool = False, stream: TextIO | None = None
) -> Iterator[Transcript]:
    """Record the HTTP requests the tutorial's clients send inside the block; print them after.

    Each exchange shows the method and path (with its api-version), the status, the headers of
    a long-running operation (Azure-AsyncOperation, Location, Retry-After) and a short excerpt of
    the body; consecutive identical polls are merged, "(3×)". ``request_headers=True`` also shows
    the request headers, ``Authorization`` redacted.
    """
    with recording() as transcript:
        transcript.request_headers = request_headers
        try:
            yield transcript
        finally:
            out = stream or sys.stdout
            out.write(str(transcript) + "\n")
            out.flush()
