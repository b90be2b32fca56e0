"""The emulator's former HTTPS server, kept for the before/after figures of `bench.connections`.

Werkzeug's threaded development server as the emulator used it until hypercorn replaced it:
one thread per connection, the TLS handshake in that thread, no timeouts, every connection
closed after one response. Same constructor and start()/stop() as
`aci_emulator.web.serving.TlsServer`, so `Emulator.server_class` and `bench.stub` can use it.
Never used by the emulator itself.
"""

from __future__ import annotations

import _thread
import logging
import socket
import ssl
import threading
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

log = logging.getLogger("bench.legacy_server")


class _Counts:
    """What `Emulator.connections` reports, for the parts a benchmark reads."""

    def __init__(self) -> None:
        self.accepted = 0
        self.evicted = 0


class _Handler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    def log(self, type: str, message: str, *args: Any) -> None:  # noqa: A002
        log.debug(message, *args)

    def handle(self) -> None:
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self.connection.do_handshake()
        except OSError:
            return
        super().handle()


class LegacyTlsServer(ThreadedWSGIServer):
    def __init__(
        self, host: str, port: int, app: Any, context: ssl.SSLContext, limits: Any = None
    ) -> None:
        super().__init__(host, port, app, _Handler)
        self.socket = context.wrap_socket(
            self.socket, server_side=True, do_handshake_on_connect=False
        )
        self.ssl_context = context
        self.connections = _Counts()
        self._thread: threading.Thread | None = None

    def process_request(self, request: Any, client_address: Any) -> None:
        self.connections.accepted += 1
        _thread.start_new_thread(self.process_request_thread, (request, client_address))

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
