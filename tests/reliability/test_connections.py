"""Hostile and careless clients of the HTTPS server: silent, slow, flooding, malformed.

The server keeps connections alive and times out the idle and the slow; past its connection
budget, the connection idle the longest makes room (test_door.py tries bodies and budgets). These tests use an
in-process emulator with short limits (the defaults are 10 s for a TLS handshake and 20 s
without a request) and assert outcomes: a connection closed, an answer received, a count;
the durations they observe go to the "Hostile clients" table as figures, never as assertions.
Requests an SDK would not send go over raw TLS sockets. Every test writes its row.
"""

from __future__ import annotations

import logging
import socket
import ssl
import time
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
import requests
from reliability_kit import REPORT, raw_token, run_tutorial, tutorial_env, use_identity

from aci_emulator import Emulator, EmulatorConfig
from aci_emulator.web.serving import Limits, raise_descriptor_limit

SHORT = Limits(handshake_seconds=0.5, idle_seconds=1.0, read_seconds=2.0)
RG_API = "2021-04-01"
GUARD = 30.0  # a socket timeout against hangs, not a measured limit


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(), SHORT) as running:
        yield running


def address(emu: Emulator) -> tuple[str, int]:
    host, port = emu.info.arm_endpoint.removeprefix("https://").rsplit(":", 1)
    return host, int(port)


def tls_socket(emu: Emulator) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=emu.info.ca_bundle)
    raw = socket.create_connection(address(emu), timeout=GUARD)
    return context.wrap_socket(raw, server_hostname="127.0.0.1")


def closed_after(sock: socket.socket) -> float:
    """Seconds until the server closes the connection (it must, before the guard)."""
    start = time.monotonic()
    sock.settimeout(GUARD)
    try:
        while sock.recv(4096):
            pass
    except ConnectionResetError:
        pass  # closed too
    return time.monotonic() - start


def list_groups(emu: Emulator, bearer: str) -> requests.Response:
    info = emu.info
    return requests.get(
        f"{info.arm_endpoint}/subscriptions/{info.subscription_id}/resourcegroups",
        params={"api-version": RG_API},
        headers={"Authorization": f"Bearer {bearer}"},
        verify=info.ca_bundle,
        timeout=GUARD,
    )


def exchange(emu: Emulator, request: bytes) -> bytes:
    """Send raw bytes over TLS; everything the server answers until it closes or goes quiet."""
    with tls_socket(emu) as tls:
        tls.sendall(request)
        tls.settimeout(5)
        answer = b""
        try:
            while chunk := tls.recv(65536):
                answer += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return answer


# -- keep-alive ---------------------------------------------------------------------------------
@pytest.fixture
def default_emu() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig()) as running:  # the default limits: 20 s without a request
        yield running


def test_a_tutorial_run_makes_one_tls_handshake_per_client(default_emu, monkeypatch, caplog):
    emu = default_emu
    env = tutorial_env(emu.info)
    use_identity(monkeypatch, env)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    caplog.set_level(logging.DEBUG, logger="aci_emulator.requests")
    before = emu.connections.accepted

    run = run_tutorial(env)

    assert run.succeeded, run.outcome()
    requests_sent = sum(1 for r in caplog.records if r.name == "aci_emulator.requests")
    handshakes = emu.connections.accepted - before
    # The credential, the resource client and the container-instance client: one each.
    assert handshakes == 3, handshakes
    assert requests_sent >= 15, requests_sent
    REPORT.hostile_client(
        "notebook 01's steps and cleanup through the helpers (not hostile: keep-alive)",
        "one TLS connection per client (credential, resources, container instances)",
        f"{requests_sent} requests over {handshakes} connections",
    )


# -- silent and slow clients --------------------------------------------------------------------
def test_a_client_that_never_starts_tls_is_disconnected(emu):
    with socket.create_connection(address(emu), timeout=GUARD) as silent:
        seconds = closed_after(silent)

    assert emu.connections.accepted >= 1
    REPORT.hostile_client(
        "TCP connection that never sends a TLS ClientHello",
        f"closed after the handshake limit ({SHORT.handshake_seconds:g} s here, 10 s by default)",
        f"closed after {seconds:.1f} s",
    )


def test_a_client_that_sends_no_request_is_disconnected(emu):
    with tls_socket(emu) as idle:
        seconds = closed_after(idle)

    REPORT.hostile_client(
        "TLS connection that sends no request",
        f"closed after the idle limit ({SHORT.idle_seconds:g} s here, 20 s by default)",
        f"closed after {seconds:.1f} s",
    )


def test_a_client_that_trickles_its_headers_is_disconnected(emu):
    head = b"GET /metadata/endpoints?api-version=2022-09-01 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    trickle = b"X-Slow: " + b"a" * 200
    sent = 0
    start = time.monotonic()
    with tls_socket(emu) as slow:
        slow.sendall(head)
        try:
            for byte in trickle:  # one byte every 0.1 s: a head that is never finished
                slow.sendall(bytes([byte]))
                sent += 1
                time.sleep(0.1)
            answer = slow.recv(4096)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            answer = b""
    seconds = time.monotonic() - start

    assert sent < len(trickle), "the connection outlived a 20 s trickle"
    assert answer == b""
    REPORT.hostile_client(
        "a request head sent one byte every 0.1 s (slowloris)",
        "closed without an answer once the idle limit passes with no complete request",
        f"closed after {seconds:.1f} s, {sent} of {len(trickle)} header bytes sent",
    )


def silent_clients_that_fit() -> int:
    """500, or fewer where this process may not open that many files: the emulator runs in it,
    so each silent client holds two descriptors (its end and the server's), and a user's soft
    limit is often 1,024. The limit is raised to the hard one first, as `serve` does."""
    soft = raise_descriptor_limit()
    return min(500, (soft - 300) // 2) if soft > 0 else 500


def test_many_silent_clients_do_not_delay_another(emu):
    bearer = raw_token(emu.info, GUARD)
    clients = silent_clients_that_fit()
    assert clients >= 100, f"this process may open too few files ({clients} clients fit)"
    with ExitStack() as stack:
        for _ in range(clients):
            stack.enter_context(socket.create_connection(address(emu), timeout=GUARD))
        start = time.monotonic()
        answer = list_groups(emu, bearer)  # a new connection: TLS handshake and request
        seconds = time.monotonic() - start

    assert answer.status_code == 200, answer.text
    REPORT.hostile_client(
        f"{clients} TCP connections held open without a byte, then a client's request "
        "(bench/ measures 20,000)",
        "the request is answered; the silent ones wait on the event loop, not in threads",
        f"200 in {seconds * 1000:.0f} ms",
    )


def test_past_the_connection_budget_the_oldest_silent_client_makes_room():
    """Silent clients are idle since they connected: the oldest of them go first."""
    limits = Limits(handshake_seconds=30, idle_seconds=30, max_connections=40)
    with Emulator(EmulatorConfig(), limits) as emu, ExitStack() as stack:
        bearer = raw_token(emu.info, GUARD)
        silent = [
            stack.enter_context(socket.create_connection(address(emu), timeout=GUARD))
            for _ in range(60)
        ]
        answer = list_groups(emu, bearer)
        oldest = closed_after(silent[0])
        evicted = emu.connections.evicted

    assert answer.status_code == 200, answer.text
    assert evicted >= 20, evicted
    REPORT.hostile_client(
        "60 silent TCP connections against a budget of 40 (by default the descriptor limit)",
        "the longest-idle connections (here the oldest silent ones) are closed; a new client "
        "is served",
        f"{evicted} evicted, the oldest closed in {oldest:.2f} s; the new client got 200",
    )


def test_plain_http_on_the_tls_port_is_closed_and_the_server_goes_on(emu):
    with socket.create_connection(address(emu), timeout=GUARD) as plain:
        plain.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        seconds = closed_after(plain)

    assert list_groups(emu, raw_token(emu.info, GUARD)).status_code == 200
    REPORT.hostile_client(
        "plain HTTP sent to the HTTPS port",
        "connection closed (the TLS handshake fails); others still served",
        f"closed after {seconds:.2f} s; next client 200",
    )


# -- malformed requests -------------------------------------------------------------------------
def put_group(emu: Emulator, bearer: str, name: str, extra_header: bytes) -> bytes:
    body = b'{"location": "eastus"}'
    path = f"/subscriptions/{emu.info.subscription_id}/resourcegroups/{name}?api-version={RG_API}"
    return (
        (
            f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {bearer}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        ).encode()
        + extra_header
        + b"\r\n"
        + body
    )


MALFORMED = [
    ("folded-lf", b"x-ms-client-request-id: abc\n def\r\n", "a header folded with a bare LF"),
    ("folded-crlf", b"x-ms-client-request-id: abc\r\n def\r\n", "a header folded with CRLF"),
    ("bare-lf", b"x-ms-client-request-id: abc\n", "a header line ending in a bare LF"),
    ("nul", b"x-ms-client-request-id: a\x00b\r\n", "a NUL byte in a header value"),
]


@pytest.mark.parametrize(("name", "header", "what"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_head_is_400_and_nothing_is_stored(emu, name, header, what):
    bearer = raw_token(emu.info, GUARD)
    group = f"malformed-{name}"

    answer = exchange(emu, put_group(emu, bearer, group, header))

    status_line = answer.split(b"\r\n", 1)[0].decode()
    assert status_line.split()[1] == "400", answer[:300]
    assert b'"code": "BadRequest"' in answer, answer[:500]
    info = emu.info
    after = requests.get(
        f"{info.arm_endpoint}/subscriptions/{info.subscription_id}/resourcegroups/{group}",
        params={"api-version": RG_API},
        headers={"Authorization": f"Bearer {bearer}"},
        verify=info.ca_bundle,
        timeout=GUARD,
    )
    assert after.status_code == 404, after.text
    REPORT.hostile_client(
        f"resource group PUT with {what}",
        "400 in ARM's envelope before the application runs; nothing stored",
        f"{status_line.strip()} `BadRequest`; GET 404",
    )


def test_a_request_sent_one_byte_at_a_time_is_answered(default_emu):
    request = b"GET /metadata/endpoints?api-version=2022-09-01 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with tls_socket(default_emu) as tls:
        for byte in request:  # every CRLF split across the server's reads
            tls.sendall(bytes([byte]))
            time.sleep(0.01)
        tls.settimeout(GUARD)
        answer = tls.recv(65536)

    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]


# -- the in-process server ----------------------------------------------------------------------
def test_the_in_process_server_stays_silent_and_stops_at_once(capfd):
    emu = Emulator(EmulatorConfig(), SHORT)
    emu.start()
    with ExitStack() as stack:
        idle = stack.enter_context(tls_socket(emu))
        silent = stack.enter_context(socket.create_connection(address(emu), timeout=GUARD))
        exchange(emu, put_group(emu, raw_token(emu.info, GUARD), "noisy", b"bad header\r\n"))
        plain = stack.enter_context(socket.create_connection(address(emu), timeout=GUARD))
        plain.sendall(b"GET / HTTP/1.1\r\n\r\n")
        emu.faults.inject("drop", path="**/resourcegroups**")
        with pytest.raises(requests.ConnectionError):
            list_groups(emu, raw_token(emu.info, GUARD))
        start = time.monotonic()
        emu.stop()
        stopped = time.monotonic() - start
        closed = [closed_after(idle), closed_after(silent)]

    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    assert all(seconds < GUARD for seconds in closed)
    REPORT.hostile_client(
        "Emulator.stop() (the notebook's last cell) with idle, silent and malformed clients "
        "and a dropped connection behind it",
        "returns at once and closes every connection; nothing on stdout or stderr",
        f"stop() took {stopped * 1000:.0f} ms; connections closed; stdout and stderr empty",
    )
