"""The server's door: a request reaches a worker thread only when it is whole and within limits.

The WSGI application runs in a small pool of threads. A worker handed a request before its body
has arrived waits on the client: 16 clients sending a body one byte every 2 s, or a
Content-Length and no body, would hold every worker and leave every other client unanswered.
So this ASGI layer, on the event loop, first checks the head (URL length, header count and
size) and then reads the whole body (Content-Length or chunked) within `Limits.body_seconds`
and `Limits.max_body_bytes`; a body sent to Resource Manager must be application/json
(web/media_type.py: one check for every route, before anything reads the body), and an
urlencoded form is checked against the form limits. Only then is the complete request handed to
a worker, and its answer, complete too, sent back from the loop. A slow or silent client costs a
connection, never a worker.

Refusals carry ARM's error envelope, or Entra ID's on the token endpoint (our reading of how
Azure's front ends answer: a status, a code and a message the SDK shows).

Only HTTP/1.x is served: web/strict_h11 never switches protocol, and a request of another
HTTP version (HTTP/2's preface) is refused 505 here. Should a WebSocket scope reach the door
all the same, it is answered as the plain GET it also is (RFC 9110 section 7.8 lets a server
ignore an Upgrade), over the ASGI WebSocket HTTP-response extension: never a 500.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import re
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol

from a2wsgi.wsgi import build_environ

from aci_emulator.config import Limits
from aci_emulator.errors import ArmError, request_headers_too_large, request_too_large
from aci_emulator.web import media_type, routes_identity
from aci_emulator.web.forms import URLENCODED, FormError, check_form
from aci_emulator.web.routing import Router

log = logging.getLogger("aci_emulator.server")

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]
# A refused upload is read and discarded, up to this many times the body limit, so that the
# client, still sending, reads the answer rather than a reset.
DRAIN_FACTOR = 16


class ConnectionTracker(Protocol):
    def busy(self, key: tuple) -> None: ...
    def idle(self, key: tuple) -> None: ...
    def socket(self, key: tuple) -> Any: ...


@dataclass(frozen=True)
class Refusal:
    """An answer the door gives instead of the application."""

    status: int
    code: str
    message: str
    close: bool = False  # the body will not be read to its end: the connection cannot be reused
    unread: bool = False  # the rest of the body is to be read and discarded (see drain)
    retry_after: int | None = None

    def body(self, path: str) -> bytes:
        if is_token_endpoint(path):  # the token endpoint answers in Entra ID's envelope
            now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
            envelope: dict[str, Any] = {
                "error": "temporarily_unavailable" if self.status == 503 else "invalid_request",
                "error_description": f"AADSTS9002313: {self.message}",
                "error_codes": [9002313],
                "timestamp": now,
                "trace_id": str(uuid.uuid4()),
                "correlation_id": str(uuid.uuid4()),
            }
        else:
            envelope = ArmError(self.status, self.code, self.message).envelope()
        return json.dumps(envelope).encode()


def _token_routes() -> list[re.Pattern[str]]:
    """The token endpoint's own route pattern(s), as the application's router matches them."""
    router = Router()
    routes_identity.register(router)
    return [r.pattern for r in router.routes if r.handler is routes_identity.token]


_TOKEN_ROUTES = _token_routes()


def is_token_endpoint(path: str) -> bool:
    """Whether the path is Entra ID's token endpoint: its route, not a '/oauth2/' anywhere (a
    resource group named oauth2 is Resource Manager's)."""
    return any(pattern.match(path) for pattern in _TOKEN_ROUTES)


class _Disconnected(Exception):
    """The client left (or broke HTTP framing, answered by the HTTP layer) mid-body."""


class Door:
    """ASGI in front of a WSGI application: heads and bodies checked and read on the loop."""

    def __init__(
        self, app: WsgiApp, limits: Limits, connections: ConnectionTracker, socket_key: str
    ) -> None:
        self.app = app
        self.limits = limits
        self.connections = connections
        self.socket_key = socket_key
        self.pool = ThreadPoolExecutor(limits.workers, thread_name_prefix="aci-emulator-worker")
        self.buffered = 0  # bytes of bodies held, beyond each one's free part (the loop's alone)

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "websocket":
            await self.websocket_as_http(scope, receive, send)
            return
        if scope["type"] != "http":
            return  # no lifespan events: hypercorn carries on without them
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.limits.body_seconds
        held = [0]
        try:
            await self.handle(scope, receive, send, deadline, held)
        except _Disconnected:
            return
        finally:
            self.release(held)

    async def websocket_as_http(self, scope: dict, receive: Callable, send: Callable) -> None:
        """A WebSocket handshake answered as a GET of its path: no switch of protocol."""
        if (await receive())["type"] != "websocket.connect":
            return
        http_scope = {**scope, "type": "http", "method": "GET", "scheme": "https"}
        http_scope["headers"] = [
            (name, value)
            for name, value in scope["headers"]
            if name not in (b"upgrade", b"connection") and not name.startswith(b"sec-websocket-")
        ]

        async def no_body() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def as_websocket(message: dict) -> None:
            kind = message["type"].replace("http.response.", "websocket.http.response.")
            await send({**message, "type": kind})

        await self(http_scope, no_body, as_websocket)

    async def handle(
        self, scope: dict, receive: Callable, send: Callable, deadline: float, held: list[int]
    ) -> None:
        refusal = self.check_head(scope)
        body = b""
        if refusal is None:
            body, refusal = await self.read_body(scope, receive, deadline, held)
        if refusal is None:
            refusal = check_media_type(scope, body) or self.check_form(scope, body)
        if refusal is not None:
            await self.refuse(scope, send, refusal, receive, deadline)
            return
        key = client_key(scope)
        self.connections.busy(key)
        try:
            environ = self.environ(scope, body, key)
            status, headers, content = await self.in_worker(lambda: self.call_app(environ))
        except ConnectionError:
            return  # the application closed the connection (the `drop` fault): nothing to send
        finally:
            self.connections.idle(key)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    # -- the head --------------------------------------------------------------------------------
    def check_head(self, scope: dict) -> Refusal | None:
        limits = self.limits
        headers = scope["headers"]
        if scope.get("http_version") not in ("1.0", "1.1"):  # "PRI * HTTP/2.0": h2 unasked
            return Refusal(
                505,
                "HttpVersionNotSupported",
                "Only HTTP/1.1 is served; ALPN offers http/1.1 alone.",
                close=True,
            )
        if len(scope["raw_path"]) + len(scope["query_string"]) > limits.max_url_bytes:
            return Refusal(
                414,
                "RequestUrlTooLong",
                f"The request URL is longer than {limits.max_url_bytes} bytes.",
                close=True,
            )
        if len(headers) > limits.max_header_count:
            return refusal(request_headers_too_large(max_count=limits.max_header_count))
        if sum(len(name) + len(value) + 4 for name, value in headers) > limits.max_header_bytes:
            return refusal(request_headers_too_large(max_bytes=limits.max_header_bytes))
        declared = header(scope, b"content-length")
        if declared is not None and header(scope, b"transfer-encoding") is not None:
            # RFC 9112 section 6.1: such a request may be an attempt at request smuggling; a
            # server that answers it must close the connection. Refused, then closed.
            return Refusal(
                400,
                "BadRequest",
                "The request has both a Content-Length and a Transfer-Encoding header.",
                close=True,
            )
        if declared is not None and int(declared) > limits.max_body_bytes:  # h11 checked digits
            return too_large(limits, unread=True)
        return None

    # -- the body --------------------------------------------------------------------------------
    async def read_body(
        self, scope: dict, receive: Callable, deadline: float, held: list[int]
    ) -> tuple[bytes, Refusal | None]:
        """The whole body, or a refusal; `held[0]` counts the bytes it holds of the shared
        budget (`max_buffered_bytes`), which the caller gives back when the request ends."""
        limits = self.limits
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await _next(receive, deadline)
            if message is None:
                self.release(held)
                seconds = limits.body_seconds
                return b"", Refusal(
                    408,
                    "RequestTimeout",
                    f"The request body did not arrive in full within {seconds:g} seconds.",
                    close=True,
                )
            chunk = message.get("body", b"")
            size += len(chunk)
            more = message.get("more_body", False)
            if size > limits.max_body_bytes:
                self.release(held)
                return b"", too_large(limits, unread=more)
            counted = max(0, size - limits.free_body_bytes) - held[0]
            if counted and self.buffered + counted > limits.max_buffered_bytes:
                self.release(held)
                return b"", Refusal(
                    503,
                    "ServerBusy",
                    "The server is holding too many large request bodies at once. Please try "
                    "again after '1' seconds.",
                    unread=more,
                    retry_after=1,
                )
            self.buffered += counted
            held[0] += counted
            chunks.append(chunk)
        return b"".join(chunks), None

    def release(self, held: list[int]) -> None:
        """Give back what a request held of the shared budget for bodies."""
        self.buffered -= held[0]
        held[0] = 0

    def check_form(self, scope: dict, body: bytes) -> Refusal | None:
        kind = (header(scope, b"content-type") or "").split(";", 1)[0].strip().lower()
        if kind != URLENCODED:
            return None
        try:
            check_form(body, self.limits)
        except FormError as err:
            return Refusal(400, "InvalidRequestContent", str(err))
        return None

    async def drain(self, receive: Callable, deadline: float) -> None:
        """Read and discard the rest of a refused body, within bounds (see DRAIN_FACTOR)."""
        left = DRAIN_FACTOR * self.limits.max_body_bytes
        more = True
        while more and left > 0:
            message = await _next(receive, deadline)
            if message is None:
                return
            left -= len(message.get("body", b""))
            more = message.get("more_body", False)

    async def refuse(
        self, scope: dict, send: Callable, refusal: Refusal, receive: Callable, deadline: float
    ) -> None:
        body = refusal.body(scope["path"])
        headers = [
            (b"content-type", b"application/json; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-cache"),
        ]
        if refusal.close:
            headers.append((b"connection", b"close"))
        if refusal.retry_after is not None:
            headers.append((b"retry-after", str(refusal.retry_after).encode()))
        log.debug("%s %s refused: %s", scope["method"], scope["path"], refusal.code)
        await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
        # The answer ends only after the drain: the HTTP layer closes the connection when an
        # answer ends before its request, and the client, still sending, would see a reset.
        await send({"type": "http.response.body", "body": body, "more_body": refusal.unread})
        if refusal.unread:
            await self.drain(receive, deadline)
            await send({"type": "http.response.body", "body": b""})

    # -- the worker ------------------------------------------------------------------------------
    def environ(self, scope: dict, body: bytes, key: tuple) -> dict:
        environ = build_environ(scope, io.BytesIO(body))  # type: ignore[arg-type]
        environ["CONTENT_LENGTH"] = str(len(body))  # chunked or not, the body is whole now
        environ["wsgi.input_terminated"] = True
        environ["wsgi.errors"] = io.StringIO()  # never a notebook's stdout
        environ.pop("asgi.scope", None)
        environ[self.socket_key] = self.connections.socket(key)
        return environ

    def call_app(self, environ: dict) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """Run the WSGI application to the end of its answer (in a worker thread)."""
        started: list[Any] = []
        written: list[bytes] = []

        def start_response(status: str, headers: list, exc_info: Any = None) -> Callable:
            started[:] = [status, headers]
            return written.append

        result = self.app(environ, start_response)
        try:
            written.extend(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status, headers = started
        encoded = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
        return int(status.split(" ", 1)[0]), encoded, b"".join(written)

    async def in_worker(self, work: Callable[[], Any]) -> Any:
        """``work()`` in the pool. Unlike run_in_executor, a worker that ends after the loop
        has closed (the server stopped) finds nobody to tell and says nothing."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future = loop.create_future()

        def settle(result: Any, error: BaseException | None) -> None:
            if done.done():
                return
            if error is not None:
                done.set_exception(error)
            else:
                done.set_result(result)

        def run() -> None:
            try:
                result, error = work(), None
            except BaseException as err:  # handed to the awaiting task, which re-raises it
                result, error = None, err
            with contextlib.suppress(RuntimeError):  # the loop has closed: the server stopped
                loop.call_soon_threadsafe(settle, result, error)

        self.pool.submit(run)
        return await done

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


async def _next(receive: Callable, deadline: float) -> dict | None:
    """The next message of the request, or None when the deadline passes first."""
    left = deadline - asyncio.get_running_loop().time()
    if left <= 0:
        return None
    try:
        message = await asyncio.wait_for(receive(), left)
    except asyncio.TimeoutError:
        return None
    if message["type"] == "http.disconnect":
        raise _Disconnected
    return message


def header(scope: dict, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def check_media_type(scope: dict, body: bytes) -> Refusal | None:
    """Resource Manager reads a body only as application/json (web/media_type.py), before any
    handler, on every route: served, unserved or refused later."""
    content_types = [v.decode("latin-1") for k, v in scope["headers"] if k == b"content-type"]
    error = media_type.check(scope["method"], scope["path"], content_types, len(body))
    return None if error is None else refusal(error, close=False)


def client_key(scope: dict) -> tuple:
    host, port = scope.get("client") or ("", 0)
    return (host, int(port))


def refusal(error: ArmError, *, close: bool = True) -> Refusal:
    """The door's answer carrying an ARM error defined in errors.py."""
    return Refusal(error.status, error.code, error.message, close=close)


def too_large(limits: Limits, unread: bool) -> Refusal:
    error = request_too_large(limits.max_body_bytes)
    return Refusal(error.status, error.code, error.message, unread=unread)
