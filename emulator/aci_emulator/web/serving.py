"""Serving HTTPS: hypercorn on an asyncio loop in a background thread, the WSGI app behind a door.

Chosen by measurement (bench/, docs/benchmarks.md) over werkzeug's development server, which
gave each connection a thread of its own, never timed out, and closed every connection after one
response. Here connections are kept alive (a client pays one TLS handshake, not one per call),
every connection waits on one event loop rather than in a thread, so thousands of idle clients
cost memory and not threads, and a connection is closed when its TLS handshake takes longer
than `Limits.handshake_seconds` or it sends no request for `Limits.idle_seconds`. A request
reaches the WSGI application's bounded pool of threads only once its body is whole
(aci_emulator.web.door); requests beyond the pool wait on the loop.

Past `Limits.max_connections` open connections, a new one evicts the connection idle the
longest (as nginx reuses its least recently used keep-alive connection): a silent client, one
still sending its request, or a keep-alive client between requests; never one being answered.
Every bound is a field of `Limits` (aci_emulator.config), the server's one door.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
import threading
import time
import weakref
from asyncio import selector_events, sslproto
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from hypercorn.app_wrappers import ASGIWrapper
from hypercorn.asyncio.run import worker_serve
from hypercorn.config import Config, Sockets
from hypercorn.logging import Logger

from aci_emulator.config import Limits
from aci_emulator.web import strict_h11
from aci_emulator.web.door import Door

try:
    import resource
except ImportError:  # Windows: no descriptor limit to read or raise
    resource = None  # type: ignore[assignment]

log = logging.getLogger("aci_emulator.server")

# The WSGI environ key of the request's client socket (the `drop` fault shuts it down).
SOCKET_KEY = "aci_emulator.socket"
__all__ = ["Connections", "Limits", "TlsServer", "descriptor_budget", "raise_descriptor_limit"]


def descriptor_budget() -> int:
    """Connections the file-descriptor limit leaves room for (a margin kept for files)."""
    if resource is None:
        return 10_000
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return max(64, soft - 256) if soft != resource.RLIM_INFINITY else 1_000_000


def raise_descriptor_limit() -> int:
    """Raise this process's soft limit on open files to its hard limit; the new soft limit."""
    if resource is None:
        return descriptor_budget()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return soft


class Connections:
    """Open client connections by address, the longest idle first, and which are being answered."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        # Least recently active first: accepted, or last answered, longest ago.
        self._open: OrderedDict[tuple, weakref.ref] = OrderedDict()
        self._busy: set[tuple] = set()
        self._lock = threading.Lock()
        self.accepted = 0
        self.evicted = 0

    def add(self, conn: socket.socket, addr: tuple) -> None:
        key = (addr[0], addr[1])
        with self._lock:

            def forget(ref: weakref.ref, key: tuple = key) -> None:
                with self._lock:
                    if self._open.get(key) is ref:
                        del self._open[key]
                        self._busy.discard(key)

            self.accepted += 1
            self._open[key] = weakref.ref(conn, forget)
            self._open.move_to_end(key)
            self._busy.discard(key)
            over = len(self._open) - self.limit
            victims = []
            for candidate in self._open:
                if len(victims) >= over:
                    break
                if candidate not in self._busy:
                    victims.append(candidate)
        for victim in victims:  # outside the lock: shutting down is a system call
            self._shutdown(victim)
            self.evicted += 1

    def busy(self, key: tuple) -> None:
        """A request of this connection is with the application: not to be evicted."""
        with self._lock:
            self._busy.add(key)

    def idle(self, key: tuple) -> None:
        """Answered: idle from now, so the last to be evicted among the idle."""
        with self._lock:
            self._busy.discard(key)
            if key in self._open:
                self._open.move_to_end(key)

    def socket(self, key: tuple) -> socket.socket | None:
        ref = self._open.get(key)
        return ref() if ref else None

    def _shutdown(self, key: tuple) -> None:
        sock = self.socket(key)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def shutdown_all(self) -> None:
        for key in list(self._open):
            self._shutdown(key)

    def __len__(self) -> int:
        """Connections still open (a socket that asyncio closed may await the collector)."""
        with self._lock:
            refs = list(self._open.values())
        return sum(1 for ref in refs if (sock := ref()) is not None and sock.fileno() != -1)


class _Listener(socket.socket):
    """The listening socket; asyncio calls its accept(), which records each connection."""

    connections: Connections

    def accept(self) -> tuple[socket.socket, Any]:
        conn, addr = super().accept()
        # Headers and body may be written separately: without this the body would wait for
        # the client's delayed ACK (Nagle's algorithm), about 10 ms per request.
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.connections.add(conn, addr)
        return conn, addr


class _SmallBufferSSLProtocol(sslproto.SSLProtocol):
    # asyncio (3.11+) gives every TLS connection a 256 KiB receive buffer as it is accepted:
    # 5 GiB for 20,000 idle clients. A TLS record is at most 16 KiB.
    max_size = 32 * 1024


class _Loop(asyncio.SelectorEventLoop):
    """The server's event loop: TLS connections get the smaller buffer above."""

    def _make_ssl_transport(  # the same steps as asyncio's, with the protocol above
        self,
        rawsock: socket.socket,
        protocol: asyncio.BaseProtocol,
        sslcontext: ssl.SSLContext,
        waiter: asyncio.Future | None = None,
        *,
        server_side: bool = False,
        server_hostname: str | None = None,
        extra: dict | None = None,
        server: Any = None,
        **timeouts: Any,
    ) -> asyncio.Transport:
        ssl_protocol = _SmallBufferSSLProtocol(
            self, protocol, sslcontext, waiter, server_side, server_hostname, **timeouts
        )
        selector_events._SelectorSocketTransport(
            self, rawsock, ssl_protocol, extra=extra, server=server
        )
        return ssl_protocol._app_transport


class _QuietLogger(Logger):
    """Hypercorn's log lines, at debug level on our logger: never on a notebook's stderr."""

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self.access_logger = None
        self.error_logger = None

    async def critical(self, message: str, *args: Any, **kwargs: Any) -> None:
        log.debug(message, *args)

    error = warning = info = debug = critical

    async def exception(self, message: str, *args: Any, **kwargs: Any) -> None:
        log.debug(message, *args, exc_info=True)

    async def access(self, *args: Any, **kwargs: Any) -> None:
        pass  # the application logs each request once


class _TlsConfig(Config):
    """Hypercorn's configuration with an SSL context made elsewhere (see aci_emulator.tls)."""

    strict_request_heads = True  # see aci_emulator.web.strict_h11

    def __init__(self, context: ssl.SSLContext) -> None:
        super().__init__()
        self._context = context
        strict_h11.install()

    @property
    def ssl_enabled(self) -> bool:
        return True

    def create_ssl_context(self) -> ssl.SSLContext:
        return self._context


class TlsServer:
    """Serve a WSGI application over HTTPS on (host, port) until stop().

    Bound in the constructor (so `port` is known at once); served by start() on a daemon thread.
    """

    def __init__(
        self,
        host: str,
        port: int,
        app: Callable[[dict, Callable], Iterable[bytes]],
        context: ssl.SSLContext,
        limits: Limits | None = None,
    ) -> None:
        self.limits = limits or Limits()
        context.set_alpn_protocols(["http/1.1"])
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        listener = _Listener(family, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6 and host == "::":
                listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            listener.bind((host, port))
            listener.listen(self.limits.backlog)
        except OSError:
            listener.close()
            raise
        listener.setblocking(False)
        self.connections = listener.connections = Connections(
            self.limits.max_connections or descriptor_budget()
        )
        self._listener = listener
        self.port: int = listener.getsockname()[1]
        self.door = Door(app, self.limits, self.connections, SOCKET_KEY)
        self._config = _TlsConfig(context)
        self._config.logger_class = _QuietLogger
        self._config.keep_alive_timeout = self.limits.idle_seconds
        self._config.ssl_handshake_timeout = self.limits.handshake_seconds
        self._config.read_timeout = self.limits.read_seconds
        self._config.backlog = self.limits.backlog
        self._config.h11_max_incomplete_size = self.limits.max_header_bytes
        self._config.graceful_timeout = 1.0
        self._config.include_server_header = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="aci-emulator", daemon=True)
        self._thread.start()
        self._ready.wait(timeout=30)

    def _run(self) -> None:
        loop = self._loop = _Loop()
        # Whatever the loop reports (a client that vanished mid-handshake, descriptors running
        # out) goes to the debug log: the default handler would print on a notebook's stderr.
        loop.set_exception_handler(lambda _, context: log.debug("%s", context.get("message")))
        try:
            loop.run_until_complete(self._serve())
        finally:
            loop.close()

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        ready = self._ready

        async def stopping() -> None:
            ready.set()
            assert self._stopping is not None
            await self._stopping.wait()
            # In-flight and half-open connections end now: stop() must not wait for them.
            self.connections.shutdown_all()

        sockets = Sockets(secure_sockets=[self._listener], insecure_sockets=[], quic_sockets=[])
        try:
            await worker_serve(
                ASGIWrapper(self.door),
                self._config,
                sockets=sockets,
                shutdown_trigger=stopping,
            )
            # Let the loop close the transports of connections shut down above (a client that
            # never finished its handshake has no task to wait for): left to the garbage
            # collector, each would warn of an unclosed transport, anywhere, later.
            deadline = time.monotonic() + 1.0
            while len(self.connections) and time.monotonic() < deadline:
                await asyncio.sleep(0.005)
        finally:
            ready.set()

    def stop(self) -> None:
        """Stop serving, close every connection, release the port."""
        if self._loop is not None and self._stopping is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop may have ended already
                self._loop.call_soon_threadsafe(self._stopping.set)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.door.close()
        self._listener.close()
