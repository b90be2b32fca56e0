"""HTTP/1.1 parsed strictly: a folded header line or a bare LF is answered 400; the 400s of the
HTTP layer carry ARM's error envelope.

h11 (hypercorn's parser) joins a folded line (obs-fold) to the header before it and accepts a
line ending in a bare LF, both of which RFC 9112 (sections 2.2 and 5.2) permits. Azure's front
end answers such a request 400 Bad Request instead (our reading, as IIS and Kestrel do), and
a value joined by the parser would reach the application as if the client had sent it. So the
head is checked before h11 sees it, and nothing reaches the application.

A request that breaks HTTP/1.1 framing (a bad chunk size, a header h11 refuses) is answered
by the HTTP layer, before or instead of the application: in ARM's envelope, so that clients
show a code and a message rather than an empty 400 (our reading of Azure's front end, which
answers such requests itself).

Nor does a connection ever switch protocol, which would bypass this parser and the head
limits: a WebSocket handshake, valid or not, reaches the application as the GET it also is
(without its `Upgrade` header); an `Upgrade: h2c` is ignored and answered in HTTP/1.1 (RFC 9110
section 7.8 allows both); a connection that starts with HTTP/2's preface (the server's ALPN
offers http/1.1 alone) is answered 505 by the door.

Hypercorn builds its HTTP/1.1 protocol by name, so `install()` puts this subclass in its place;
the check applies only to servers whose configuration sets `strict_request_heads`.
"""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from itertools import chain
from typing import Any

import h11
import hypercorn.protocol
from hypercorn.events import Closed, RawData
from hypercorn.protocol.h11 import H11Protocol

from aci_emulator.errors import ArmError, request_headers_too_large

# A line feed after a byte other than a carriage return, or a line that starts with space or
# tab. (A line feed first in the data is not judged: the byte before it was in the last read.)
_MALFORMED = re.compile(rb"(?<=[^\r])\n|\n[ \t]")


def reason_phrase(status: int) -> bytes:
    """The reason phrase Azure's front end writes in the status line (recorded traffic reads
    `message: OK`, `Created`, `Accepted`, `Not Found`...; the Azure CLI prints it before an
    error's JSON: "Unsupported Media Type({...})", Azure/azure-cli#13056)."""
    try:
        return HTTPStatus(status).phrase.encode("ascii")
    except ValueError:  # a status with no registered phrase
        return b""


class StrictH11Protocol(H11Protocol):
    _head_tail = b""

    async def _send_h11_event(self, event: Any) -> None:
        # hypercorn leaves the reason phrase empty ("HTTP/1.1 415 "); Azure sends one.
        if isinstance(event, h11.Response) and not event.reason:
            event = h11.Response(
                status_code=event.status_code,
                headers=list(event.headers),
                http_version=event.http_version,
                reason=reason_phrase(event.status_code),
            )
        await super()._send_h11_event(event)

    async def handle(self, event: Any) -> None:
        if (
            isinstance(event, RawData)
            and getattr(self.config, "strict_request_heads", False)
            and self.connection.their_state is h11.IDLE  # still receiving a request's head
        ):
            data = self._head_tail + event.data
            end = data.find(b"\r\n\r\n")
            head = data if end < 0 else data[: end + 2]
            if _MALFORMED.search(head):
                await self._send_error_response(400)
                await self.send(Closed())
                return
            self._head_tail = data[-2:] if end < 0 else b""
        await super().handle(event)

    async def _check_protocol(self, event: h11.Request) -> None:
        if not getattr(self.config, "strict_request_heads", False):
            await super()._check_protocol(event)
        # Otherwise no switch to h2c or h2: the request stays an HTTP/1.1 request.

    async def _create_stream(self, request: h11.Request) -> None:
        if getattr(self.config, "strict_request_heads", False):
            # No WebSocket either: a handshake, valid or not, is the GET it also is.
            kept = [(n, v) for n, v in request.headers.raw_items() if n.lower() != b"upgrade"]
            request = h11.Request(
                method=request.method,
                target=request.target,
                headers=kept,
                http_version=request.http_version,
            )
        await super()._create_stream(request)

    async def _send_error_response(self, status_code: int) -> None:
        if not getattr(self.config, "strict_request_heads", False):
            await super()._send_error_response(status_code)
            return
        if status_code == 431:  # the head outgrew h11's buffer (Limits.max_header_bytes)
            error = request_headers_too_large(max_bytes=self.config.h11_max_incomplete_size)
            code, message = error.code, error.message
        elif status_code == 501:  # h11's answer to a transfer coding other than chunked
            code, message = (
                "NotImplemented",
                "Only the 'chunked' transfer coding is supported: Transfer-Encoding must be "
                "'chunked' alone.",
            )
        elif self.stream is not None:  # the head was read: the body broke the framing
            code, message = (
                "InvalidRequestContent",
                (
                    "The request body could not be read: it does not follow HTTP/1.1 framing "
                    "(chunk sizes, Content-Length)."
                ),
            )
        else:
            code, message = (
                "BadRequest",
                (
                    "The request is not valid HTTP/1.1: a malformed, folded or oversized header, or "
                    "a line that does not end in CRLF."
                ),
            )
        body = json.dumps(ArmError(status_code, code, message).envelope()).encode()
        headers = [
            (b"content-type", b"application/json; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        response_headers = self.config.response_headers("h11")
        await self._send_h11_event(
            h11.Response(status_code=status_code, headers=list(chain(headers, response_headers)))
        )
        await self._send_h11_event(h11.Data(data=body))
        await self._send_h11_event(h11.EndOfMessage())


def install() -> None:
    hypercorn.protocol.H11Protocol = StrictH11Protocol  # type: ignore[misc]
