"""Only HTTP/1.1 is served, and `serve --verbose` logs the emulator's own lines only.

The server's ALPN offers http/1.1 alone. A client may still try another protocol on the TLS
connection: HTTP/2 with prior knowledge (its preface first), `Upgrade: h2c`, or a WebSocket
handshake. Each would bypass the strict HTTP/1.1 parser and the head limits (and HTTP/2's hpack
logger printed decoded headers, an `Authorization` among them, under --verbose). So the
preface is answered 505 in ARM's envelope, an upgrade is ignored (RFC 9110 section 7.8) and the
request answered in HTTP/1.1 as a plain request, never a 101 nor a 500; the log under
--verbose holds neither the Basic credentials nor the bearer token sent, and no line of a
library's logger.
"""

from __future__ import annotations

import asyncio
import base64
import re
import socket
import ssl
from collections.abc import Iterator
from typing import Any

import h2.config
import h2.connection
import pytest
from reliability_kit import REPORT, EmulatorServer

from aci_emulator.config import Limits
from aci_emulator.web.door import Door

TOKEN = "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJwcm90b2NvbHMifQ.c2lnbmF0dXJlLW1hcms"
ROWS: list[tuple[str, str]] = []


@pytest.fixture(scope="module")
def verbose(artifact_dir, tmp_path_factory) -> Iterator[EmulatorServer]:
    private = tmp_path_factory.mktemp("protocols")
    with EmulatorServer(private, artifact_dir / "protocols", "--verbose") as running:
        yield running


def exchange(server: EmulatorServer, data: bytes) -> tuple[str, dict[str, str], bytes]:
    """Send raw bytes over TLS; the status line, headers and body of the first answer."""
    endpoint = server.info["arm_endpoint"].removeprefix("https://")
    host, port = endpoint.rsplit(":", 1)
    context = ssl.create_default_context(cafile=server.info["ca_bundle"])
    context.set_alpn_protocols(["h2", "http/1.1"])  # the server picks; it must pick http/1.1
    raw = socket.create_connection((host, int(port)), timeout=15)
    with raw, context.wrap_socket(raw, server_hostname=host) as tls:
        assert tls.selected_alpn_protocol() == "http/1.1"
        tls.sendall(data)
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = tls.recv(65536)
            assert chunk, f"closed without an answer: {received!r}"
            received += chunk
        head, body = received.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines[1:])
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            chunk = tls.recv(65536)
            assert chunk
            body += chunk
    return lines[0], headers, body


def basic(server: EmulatorServer) -> str:
    pair = f"{server.info['client_id']}:{server.info['client_secret']}"
    return base64.b64encode(pair.encode()).decode()


def token_path(server: EmulatorServer) -> str:
    return f"/{server.info['tenant_id']}/oauth2/v2.0/token"


def test_http2_prior_knowledge_is_505_in_arms_envelope(verbose):
    client = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    client.initiate_connection()
    client.send_headers(
        1,
        [
            (":method", "GET"),
            (":path", "/metadata/endpoints?api-version=2022-09-01"),
            (":scheme", "https"),
            (":authority", "127.0.0.1"),
            ("authorization", f"Bearer {TOKEN}"),
        ],
        end_stream=True,
    )
    status, headers, body = exchange(verbose, client.data_to_send())

    assert status.startswith("HTTP/1.1 505"), status
    assert headers["connection"] == "close"
    assert b'"code": "HttpVersionNotSupported"' in body
    ROWS.append(("HTTP/2 with prior knowledge after TLS", "505 `HttpVersionNotSupported`"))


@pytest.mark.parametrize("with_settings", [True, False])
def test_an_h2c_upgrade_is_ignored_and_answered_in_http_1_1(verbose, with_settings):
    form = "grant_type=client_credentials&scope=https%3A%2F%2Fmanagement.azure.com%2F.default"
    request = (
        f"POST {token_path(verbose)} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
        + ("HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n" if with_settings else "")
        + f"Authorization: Basic {basic(verbose)}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(form)}\r\n\r\n{form}"
    )
    status, headers, body = exchange(verbose, request.encode())

    assert status.startswith("HTTP/1.1 200"), (status, body[:300])
    assert "upgrade" not in headers
    assert b'"access_token"' in body  # the Basic credentials were read, over HTTP/1.1
    # Without a body too (hypercorn switched such requests to h2c before).
    get = (
        "GET /metadata/endpoints?api-version=2022-09-01 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
        "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"
        f"Authorization: Bearer {TOKEN}\r\n\r\n"
    )
    status, headers, body = exchange(verbose, get.encode())
    assert status.startswith("HTTP/1.1 200"), status
    assert b'"resourceManager"' in body
    ROWS.append(("`Upgrade: h2c`, with or without a body", "ignored: answered in HTTP/1.1"))


WEBSOCKET_HEADS = {
    "a valid WebSocket handshake": (
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    ),
    "an invalid WebSocket handshake": "",
}


@pytest.mark.parametrize("kind", list(WEBSOCKET_HEADS))
def test_a_websocket_handshake_is_answered_as_the_get_it_is(verbose, kind):
    subscription = "00000000-0000-0000-0000-000000000000"
    request = (
        f"GET /subscriptions/{subscription}/resourcegroups?api-version=2022-09-01 HTTP/1.1\r\n"
        "Host: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        + WEBSOCKET_HEADS[kind]
        + "\r\n"
    )
    status, headers, body = exchange(verbose, request.encode())

    # No token: ARM's 401, as for any GET without one; never a 101, a 500 or an empty 400.
    assert status.startswith("HTTP/1.1 401"), (status, body)
    assert b'"code": "AuthenticationFailed"' in body
    assert "upgrade" not in headers
    ROWS.append((kind, "answered as a GET: 401 `AuthenticationFailed` without a token"))


def test_the_verbose_log_holds_no_credential_and_no_library_line(verbose):
    """After the tests above: what --verbose wrote."""
    log = verbose.stderr_path.read_text()
    assert token_path(verbose) in log  # it did log requests
    for secret in (TOKEN, basic(verbose), verbose.info["client_secret"]):
        assert secret not in log
    stamped = re.findall(r"^\d{4}-\d\d-\d\d [\d:,]+ (\S+) ", log, re.MULTILINE)
    assert stamped and all(name.startswith("aci_emulator") for name in stamped), set(stamped)
    REPORT.hostile_client(
        "another protocol on the TLS connection: "
        + "; ".join(f"{what} → {answer}" for what, answer in ROWS),
        "HTTP/1.1 only: never a 101, a 500 or an empty answer; no credential in the --verbose log",
        f"{len(ROWS)} attempts answered so; the log: {len(stamped)} lines, all the emulator's "
        "own, no Basic credentials, no bearer token",
    )


def test_the_door_answers_a_websocket_scope_it_is_handed_as_a_get():
    """The door's own guard (the HTTP layer above never hands it one): no 500, no silence."""

    def app(environ: dict, start_response: Any) -> list[bytes]:
        assert environ["REQUEST_METHOD"] == "GET" and "HTTP_UPGRADE" not in environ
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"error": {"code": "NotFound", "message": "no such route"}}']

    class Untracked:
        def busy(self, key: tuple) -> None: ...
        def idle(self, key: tuple) -> None: ...
        def socket(self, key: tuple) -> None: ...

    door = Door(app, Limits(), Untracked(), "socket")
    sent: list[dict] = []
    scope = {
        "type": "websocket",
        "scheme": "wss",
        "http_version": "1.1",
        "path": "/x",
        "raw_path": b"/x",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"upgrade", b"websocket")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 2),
    }

    async def receive() -> dict:
        return {"type": "websocket.connect"}

    async def send(message: dict) -> None:
        sent.append(message)

    try:
        asyncio.run(door(scope, receive, send))
    finally:
        door.close()
    assert [m["type"] for m in sent] == [
        "websocket.http.response.start",
        "websocket.http.response.body",
    ]
    assert sent[0]["status"] == 404 and b"NotFound" in sent[1]["body"]
