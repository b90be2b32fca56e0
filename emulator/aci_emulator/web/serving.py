"""Serving HTTPS: werkzeug's threaded WSGI server, tuned for many short ARM calls.

Werkzeug's development server is the base; two things differ, each measured in bench/: the
TLS handshake runs in the connection's own thread, not in the accept loop, and responses are
sent without Nagle's delay. Werkzeug closes every connection after one request (its request
loop drains the socket after each response), so each call pays a TLS handshake; keeping
connections alive would mean replacing that loop.
"""

from __future__ import annotations

import _thread
import logging
import socket
import ssl
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

log = logging.getLogger("aci_emulator")


class _Handler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # the application logs each request once, uncoloured

    def log(self, type: str, message: str, *args: Any) -> None:  # noqa: A002
        log.debug(message, *args)  # never to stderr: a notebook cell would show it

    def handle(self) -> None:
        # Headers and body are written separately: with Nagle's algorithm the body would wait
        # for the client's delayed ACK, about 10 ms per request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self.connection.do_handshake()
        except OSError as err:  # ssl.SSLError included: a client that is not speaking TLS
            log.debug("TLS handshake with %s failed: %s", self.client_address, err)
            return
        super().handle()


class TlsServer(ThreadedWSGIServer):
    """A thread per connection; the accept loop does nothing but accept."""

    def __init__(self, host: str, port: int, app: Any, context: ssl.SSLContext) -> None:
        super().__init__(host, port, app, _Handler)
        self.socket = context.wrap_socket(
            self.socket, server_side=True, do_handshake_on_connect=False
        )
        self.ssl_context = context

    def process_request(self, request: Any, client_address: Any) -> None:
        # Not threading.Thread.start(), which waits until the thread runs: under load the
        # accept loop spent most of its time there. (Werkzeug's threads are never joined either.)
        _thread.start_new_thread(self.process_request_thread, (request, client_address))
