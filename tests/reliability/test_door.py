"""The server's door: slow, silent and oversized requests cost a connection, never a worker.

Every bound is a field of `Limits` (aci_emulator.config), enforced before a request reaches the
application's pool of 16 worker threads. Clients here trickle bodies, withhold them, send too
many headers, fields or bytes, and fill the connection budget with keep-alive connections; each
test asserts what the other clients get (an answer) and what the hostile one gets (a status and
an envelope that names the bound). Durations go to the report as figures, never assertions.
"""

from __future__ import annotations

import gc
import json
import socket
import ssl
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
import requests
from azure.identity import ClientSecretCredential
from azure.mgmt.resource.resources import ResourceManagementClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_kit import REPORT, raw_token

from aci_emulator import Emulator, EmulatorConfig
from aci_emulator.config import Limits

GUARD = 30.0  # a socket timeout against hangs, not a measured limit
RG_API = "2021-04-01"
WORKERS = Limits().workers


def address(emu: Emulator) -> tuple[str, int]:
    host, port = emu.info.arm_endpoint.removeprefix("https://").rsplit(":", 1)
    return host, int(port)


def tls_socket(emu: Emulator) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=emu.info.ca_bundle)
    raw = socket.create_connection(address(emu), timeout=GUARD)
    return context.wrap_socket(raw, server_hostname="127.0.0.1")


def read_answer(tls: ssl.SSLSocket) -> tuple[int, dict]:
    """Status and JSON body of one answer (Content-Length framed), read to its end."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = tls.recv(65536)
        if not chunk:
            raise AssertionError(f"closed without an answer: {data[:200]!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += tls.recv(65536)
    return int(head.split(b" ", 2)[1]), json.loads(body[:length])


def token_head(emu: Emulator, length: int) -> bytes:
    return (
        f"POST /{emu.info.tenant_id}/oauth2/v2.0/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


def group_put_head(emu: Emulator, bearer: str, name: str, length: int) -> bytes:
    path = f"/subscriptions/{emu.info.subscription_id}/resourcegroups/{name}?api-version={RG_API}"
    return (
        f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {bearer}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


def token_form(emu: Emulator) -> dict[str, str]:
    info = emu.info
    return {
        "grant_type": "client_credentials",
        "client_id": info.client_id,
        "client_secret": info.client_secret,
        "scope": "https://management.azure.com/.default",
    }


def post_token(emu: Emulator, **kwargs) -> requests.Response:
    info = emu.info
    return requests.post(
        f"{info.authority_host}/{info.tenant_id}/oauth2/v2.0/token",
        verify=info.ca_bundle,
        timeout=GUARD,
        **kwargs,
    )


def arm(emu: Emulator, method: str, path: str, bearer: str, **kwargs) -> requests.Response:
    info = emu.info
    return requests.request(
        method,
        f"{info.arm_endpoint}/subscriptions/{info.subscription_id}{path}",
        params={"api-version": RG_API},
        headers={"Authorization": f"Bearer {bearer}", **kwargs.pop("headers", {})},
        verify=info.ca_bundle,
        timeout=GUARD,
        **kwargs,
    )


def another_client_is_served(emu: Emulator) -> float:
    """The real SDK's credential and client, new connections: a token, then a list of resource
    groups (with a group in it); seconds taken (a figure for the report)."""
    info = emu.info
    start = time.monotonic()
    credential = ClientSecretCredential(
        info.tenant_id,
        info.client_id,
        info.client_secret,
        authority=info.authority_host,
        disable_instance_discovery=True,
        connection_verify=info.ca_bundle,
    )
    client = ResourceManagementClient(
        credential,
        info.subscription_id,
        base_url=info.arm_endpoint,
        connection_verify=info.ca_bundle,
        retry_total=0,  # an answer, not a retry, must come
        connection_timeout=GUARD,
        read_timeout=GUARD,
    )
    with client:
        client.resource_groups.create_or_update("served", {"location": "eastus"})
        names = [group.name for group in client.resource_groups.list()]
    assert "served" in names
    return time.monotonic() - start


# -- bodies ------------------------------------------------------------------------------------
class Trickler(threading.Thread):
    """Sends a request head, then its body one byte every `every` seconds until told to stop."""

    def __init__(self, sock: ssl.SSLSocket, head: bytes, body: bytes, every: float) -> None:
        super().__init__(daemon=True)
        self.sock, self.head, self.body, self.every = sock, head, body, every
        self.sent = 0
        self.failed: BaseException | None = None
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            self.sock.sendall(self.head)
            while self.sent < len(self.body) and not self.stop.is_set():
                self.sock.sendall(self.body[self.sent : self.sent + 1])
                self.sent += 1
                self.stop.wait(self.every)
        except OSError as err:
            self.failed = err


def test_clients_trickling_bodies_hold_no_worker():
    clients = WORKERS + 4
    limits = Limits(body_seconds=120, read_seconds=60)
    with Emulator(EmulatorConfig(), limits) as emu, ExitStack() as stack:
        form = "&".join(f"{k}={v}" for k, v in token_form(emu).items()).encode()
        tricklers = [
            Trickler(stack.enter_context(tls_socket(emu)), token_head(emu, len(form)), form, 2.0)
            for _ in range(clients)
        ]
        for trickler in tricklers:
            trickler.start()
        guard = time.monotonic() + GUARD  # against a hang, not a timing assertion
        while any(t.sent < 2 and t.failed is None for t in tricklers):  # heads and a byte in
            assert time.monotonic() < guard, [t.failed for t in tricklers]
            time.sleep(0.05)

        seconds = another_client_is_served(emu)

        still_sending = [t for t in tricklers if t.failed is None and t.sent < len(form)]
        for trickler in tricklers:
            trickler.stop.set()
            trickler.join(GUARD)

    # Answered while every trickling body was still incomplete: none of them held a worker.
    assert len(still_sending) == clients, [t.failed for t in tricklers]
    REPORT.hostile_client(
        f"{clients} clients sending a token request's body one byte every 2 s "
        f"({WORKERS} workers), then another client",
        "another client (the SDK) gets a token, puts and lists resource groups; the trickling "
        "bodies wait on the event loop, not in workers",
        f"SDK token, PUT and list in {seconds * 1000:.0f} ms while all {clients} bodies were "
        "incomplete",
    )


def test_withheld_bodies_hold_no_worker_and_end_in_408():
    clients = WORKERS + 4
    limits = Limits(body_seconds=1.5)
    with Emulator(EmulatorConfig(), limits) as emu, ExitStack() as stack:
        bearer = raw_token(emu.info, GUARD)
        withheld = []
        for n in range(clients):
            sock = stack.enter_context(tls_socket(emu))
            if n % 2:
                sock.sendall(token_head(emu, 200))
            else:
                sock.sendall(group_put_head(emu, bearer, f"withheld{n}", 200))
            withheld.append(sock)

        seconds = another_client_is_served(emu)

        answers = [read_answer(sock) for sock in withheld]
        stored = arm(emu, "GET", "/resourcegroups/withheld0", bearer)

    token_answers, arm_answers = answers[1::2], answers[0::2]
    assert {status for status, _ in answers} == {408}
    assert all(body["error"] == "invalid_request" for _, body in token_answers)
    assert all("within 1.5 seconds" in body["error_description"] for _, body in token_answers)
    assert {body["error"]["code"] for _, body in arm_answers} == {"RequestTimeout"}
    assert stored.status_code == 404, stored.text
    REPORT.hostile_client(
        f"{clients} clients sending a Content-Length and no body (token endpoint and "
        "resource group PUT), then another client",
        "another client (the SDK) is answered; each silent body ends in 408 once `body_seconds` "
        "passes (Entra ID's envelope or ARM's); nothing stored",
        f"SDK token, PUT and list in {seconds * 1000:.0f} ms; {clients}× 408 "
        "(`invalid_request`, `RequestTimeout`); GET 404",
    )


# -- one door: heads, bodies and forms ---------------------------------------------------------
@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(), Limits(body_seconds=5)) as running:
        yield running


@pytest.fixture(scope="module")
def bearer(emu: Emulator) -> str:
    return raw_token(emu.info, GUARD)


def test_a_url_past_the_limit_is_414(emu, bearer):
    limit = emu.limits.max_url_bytes
    answer = arm(emu, "GET", "/resourcegroups/" + "a" * limit, bearer)

    assert answer.status_code == 414, answer.text
    assert answer.json()["error"]["code"] == "RequestUrlTooLong"
    assert str(limit) in answer.json()["error"]["message"]
    REPORT.hostile_client(
        f"a resource group GET whose URL is longer than {limit} bytes",
        "414 in ARM's envelope naming the limit",
        f"{answer.status_code} `RequestUrlTooLong`",
    )


@pytest.mark.parametrize(
    ("what", "headers"),
    [
        ("101 headers", {f"x-extra-{n}": "1" for n in range(101)}),
        ("3 headers of 6 kB (16 kB in all)", {f"x-big-{n}": "b" * 6000 for n in range(3)}),
        ("one header of 40 kB", {"x-huge": "h" * 40_000}),
    ],
)
def test_headers_past_the_limits_are_431(emu, bearer, what, headers):
    answer = arm(emu, "GET", "/resourcegroups", bearer, headers=headers)

    assert answer.status_code == 431, answer.text
    assert answer.json()["error"]["code"] == "RequestHeaderFieldsTooLarge"
    after = arm(emu, "GET", "/resourcegroups", bearer)
    assert after.status_code == 200
    REPORT.hostile_client(
        f"a resource group list with {what}",
        "431 in ARM's envelope; the next request is served",
        f"{answer.status_code} `{answer.json()['error']['code']}`; next 200",
    )


def test_a_200_mb_token_body_is_413_before_it_is_read(emu):
    declared = 200 * 2**20
    with tls_socket(emu) as tls:
        tls.sendall(token_head(emu, declared))
        tls.sendall(b"a" * 2**20)
        status, body = read_answer(tls)

    assert status == 413
    assert body["error"] == "invalid_request"
    assert "maximum size of 4 MB" in body["error_description"]
    assert raw_token(emu.info, GUARD)
    REPORT.hostile_client(
        "a token request declaring a 200 MB urlencoded body",
        "413 in Entra ID's envelope as soon as the head is read; the body is never held",
        f"{status} `invalid_request`: “{body['error_description'][:60]}…”",
    )


def test_a_chunked_token_body_past_the_limit_is_413(emu):
    def chunks() -> Iterator[bytes]:
        for _ in range(6):
            yield b"a" * 2**20

    answer = post_token(
        emu, data=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )

    assert answer.status_code == 413, answer.text
    assert answer.json()["error_codes"] == [9002313]
    REPORT.hostile_client(
        "a token request with a chunked 6 MB body (no Content-Length)",
        "413 in Entra ID's envelope once 4 MB have arrived",
        f"{answer.status_code} `{answer.json()['error']}`",
    )


@pytest.mark.parametrize(
    ("what", "form", "bound"),
    [
        ("a 600 kB field", {"grant_type": "client_credentials", "x": "a" * 600_000}, "longer"),
        ("1,200 fields", {f"f{n}": "1" for n in range(1200)}, "more than 100 fields"),
    ],
)
def test_forms_past_the_limits_are_400_naming_the_bound(emu, what, form, bound):
    answer = post_token(emu, data=form)

    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "invalid_request"
    assert bound in answer.json()["error_description"]
    REPORT.hostile_client(
        f"a token request whose form has {what}",
        "400 `invalid_request` naming the bound, before the handler runs",
        f"{answer.status_code}: “{answer.json()['error_description']}”",
    )


def test_a_multipart_token_request_is_never_parsed_or_spooled(emu, monkeypatch):
    from werkzeug import formparser

    def spool(*args, **kwargs):
        raise AssertionError("werkzeug's form parser ran: it spools uploads to disk")

    monkeypatch.setattr(formparser.FormDataParser, "parse", spool)
    upload = {"grant_type": (None, "client_credentials"), "file": ("x.bin", b"x" * 3_000_000)}

    answer = post_token(emu, files=upload)

    assert answer.status_code == 400, answer.text
    assert answer.json()["error_codes"] == [900144]
    assert "'grant_type'" in answer.json()["error_description"]
    REPORT.hostile_client(
        "a token request as a 3 MB multipart upload",
        "never parsed nor spooled to disk: 400 AADSTS900144 (no urlencoded grant_type)",
        f"{answer.status_code}: “{answer.json()['error_description']}”",
    )


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    extra=st.integers(min_value=0, max_value=160),
    longest=st.integers(min_value=0, max_value=90_000),
    name_side=st.booleans(),
)
def test_any_token_form_gets_a_token_or_a_400_naming_its_bound(emu, extra, longest, name_side):
    limits = emu.limits
    form = token_form(emu)
    form.update({f"x{n}": "1" for n in range(extra)})
    if longest:
        name, value = ("n" * longest, "v") if name_side else ("long", "v" * longest)
        form[name] = value

    answer = post_token(emu, data=form)

    too_many = len(form) > limits.max_form_fields
    too_long = longest > limits.max_form_field_bytes
    if too_many or too_long:
        assert answer.status_code == 400, answer.text
        described = answer.json()["error_description"]
        assert ("fields" in described) if too_many else ("longer than" in described), described
    else:
        assert answer.status_code == 200, answer.text
        assert answer.json()["access_token"]


# -- connections -------------------------------------------------------------------------------
METADATA = b"GET /metadata/endpoints?api-version=2022-09-01 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def test_a_full_budget_of_keep_alive_clients_evicts_the_longest_idle():
    budget = 8
    limits = Limits(idle_seconds=60, max_connections=budget)
    with Emulator(EmulatorConfig(), limits) as emu, ExitStack() as stack:
        kept = []
        for _ in range(budget):  # each served once, then idle on keep-alive
            sock = stack.enter_context(tls_socket(emu))
            sock.sendall(METADATA)
            assert read_answer(sock)[0] == 200
            kept.append(sock)

        newcomer = requests.get(
            f"{emu.info.arm_endpoint}/metadata/endpoints",
            params={"api-version": "2022-09-01"},
            verify=emu.info.ca_bundle,
            timeout=GUARD,
        )
        oldest_closed = kept[0].recv(1) == b""
        kept[-1].sendall(METADATA)
        newest_status = read_answer(kept[-1])[0]
        evicted = emu.connections.evicted

    assert newcomer.status_code == 200, newcomer.text
    assert oldest_closed
    assert newest_status == 200
    assert evicted == 1
    REPORT.hostile_client(
        f"{budget} keep-alive clients, each served once, fill a budget of {budget}; "
        "then a new client",
        "the longest-idle connection is closed (as nginx does); the new client and the "
        "most recent keep-alive client are served",
        f"new client 200; the oldest closed; the newest 200 again; {evicted} evicted",
    )


# -- shutdown ----------------------------------------------------------------------------------
def test_stop_does_not_wait_for_a_300_s_latency_fault():
    emu = Emulator(EmulatorConfig())
    emu.start()
    bearer = raw_token(emu.info, GUARD)
    fault = emu.faults.inject("latency", seconds=300, path="**/resourcegroups**")
    outcome: list[object] = []

    def held() -> None:
        try:
            outcome.append(arm(emu, "GET", "/resourcegroups", bearer).status_code)
        except requests.ConnectionError as err:
            outcome.append(err)

    client = threading.Thread(target=held, daemon=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client.start()
        guard = time.monotonic() + GUARD  # against a hang, not a timing assertion
        while fault.fired == 0:
            assert time.monotonic() < guard and client.is_alive(), outcome
            time.sleep(0.01)
        start = time.monotonic()
        emu.stop()
        seconds = time.monotonic() - start
        client.join(GUARD)
        gc.collect()

    assert not client.is_alive()
    assert isinstance(outcome[0], requests.ConnectionError), outcome
    assert [str(w.message) for w in caught] == []
    REPORT.hostile_client(
        "Emulator.stop() while a request waits out an injected 300 s latency",
        "returns at once; the held request's connection is closed; no warning",
        f"stop() took {seconds * 1000:.0f} ms; the client saw the connection closed; no warning",
    )


# -- the class, generated ----------------------------------------------------------------------
SMALL = Limits(max_body_bytes=4096, max_url_bytes=1024, max_header_count=20, body_seconds=10)


@pytest.fixture(scope="module")
def small_emu() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(), SMALL) as running:
        yield running


@pytest.fixture(scope="module")
def small_bearer(small_emu: Emulator) -> str:
    return raw_token(small_emu.info, GUARD)


def chunked(body: bytes, sizes: list[int]) -> bytes:
    """`body` in chunks of the given sizes (the rest in one), then the last chunk."""
    out, start = b"", 0
    for size in [*sizes, len(body)]:
        piece = body[start : start + size]
        if piece:
            out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        start += len(piece)
    return out + b"0\r\n\r\n"


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    url_pad=st.integers(min_value=0, max_value=1200),
    extra_headers=st.integers(min_value=0, max_value=24),
    body_size=st.integers(min_value=24, max_value=6000),
    chunk_sizes=st.none() | st.lists(st.integers(min_value=1, max_value=3000), max_size=4),
)
def test_any_request_is_answered_by_the_first_bound_it_breaks_or_served(
    small_emu, small_bearer, url_pad, extra_headers, body_size, chunk_sizes
):
    emu, limits = small_emu, small_emu.limits
    path = f"/subscriptions/{emu.info.subscription_id}/resourcegroups/generated"
    query = f"api-version={RG_API}" + (f"&pad={'p' * url_pad}" if url_pad else "")
    body = b'{"location": "eastus"}'.ljust(body_size)  # JSON: trailing spaces are allowed
    headers = ["Host: 127.0.0.1", f"Authorization: Bearer {small_bearer}"]
    headers += ["Content-Type: application/json"]
    headers += [f"X-Pad-{n}: {n}" for n in range(extra_headers)]
    if chunk_sizes is None:
        headers.append(f"Content-Length: {len(body)}")
        payload = body
    else:
        headers.append("Transfer-Encoding: chunked")
        payload = chunked(body, chunk_sizes)
    head = f"PUT {path}?{query} HTTP/1.1\r\n" + "\r\n".join(headers) + "\r\n\r\n"

    with tls_socket(emu) as tls:
        tls.sendall(head.encode() + payload)
        status, answer = read_answer(tls)

    if len(path) + len(query) > limits.max_url_bytes:
        expected = 414
    elif len(headers) > limits.max_header_count:
        expected = 431
    elif len(body) > limits.max_body_bytes:
        expected = 413
    else:
        expected = 200  # created by the first example that gets here, then updated
    if expected == 200:
        assert status in (200, 201), answer
        assert answer["location"] == "eastus"
    else:
        assert status == expected, answer
        assert answer["error"]["code"] in (
            "RequestUrlTooLong",
            "RequestHeaderFieldsTooLarge",
            "RequestContentTooLarge",
        )


# -- memory for bodies, all clients together -----------------------------------------------------
def test_large_bodies_held_at_once_are_bounded_and_small_requests_still_pass():
    limits = Limits(max_buffered_bytes=1_000_000, free_body_bytes=64 * 1024, body_seconds=2)
    large = 600_000  # two of them, less their free parts, exceed the budget; one does not
    with Emulator(EmulatorConfig(), limits) as emu, ExitStack() as stack:
        bearer = raw_token(emu.info, GUARD)
        holders = []
        for name in ("first", "second"):  # all but the last byte: held unfinished
            sock = stack.enter_context(tls_socket(emu))
            sock.sendall(group_put_head(emu, bearer, name, large) + b" " * (large - 1))
            holders.append(sock)
        small = arm(emu, "PUT", "/resourcegroups/small", bearer, json={"location": "eastus"})
        answers = sorted((read_answer(sock) for sock in holders), key=lambda a: a[0])
        after = arm(
            emu,
            "PUT",
            "/resourcegroups/after",
            bearer,
            data=b'{"location": "eastus"}'.ljust(large),
            headers={"Content-Type": "application/json"},
        )

    (timed_out, _), (busy, refused) = answers
    assert (timed_out, busy) == (408, 503)
    assert refused["error"]["code"] == "ServerBusy"
    assert small.status_code == 201, small.text
    assert after.status_code == 201, after.text
    REPORT.hostile_client(
        "two clients holding 600 kB bodies unfinished, with 1 MB for large bodies at once "
        "(64 MB by default), then a small request",
        "503 `ServerBusy` with Retry-After for the body past the budget; the small request "
        "served; once the held body ends (408), large bodies are accepted again",
        f"{busy} `ServerBusy`; small PUT {small.status_code}; held body {timed_out}; next "
        f"large PUT {after.status_code}",
    )


IN_PROCESS_EXIT = """
import sys, threading, requests
from aci_emulator import Emulator, EmulatorConfig
emu = Emulator(EmulatorConfig()); emu.start(); info = emu.info
token = requests.post(f"{info.authority_host}/{info.tenant_id}/oauth2/v2.0/token", data={
    "grant_type": "client_credentials", "client_id": info.client_id,
    "client_secret": info.client_secret, "scope": "https://management.azure.com/.default"},
    verify=info.ca_bundle, timeout=30).json()["access_token"]
fault = emu.faults.inject("latency", seconds=300, path="**/resourcegroups**")
def held():
    try:
        requests.get(f"{info.arm_endpoint}/subscriptions/{info.subscription_id}/resourcegroups",
            params={"api-version": "2021-04-01"}, headers={"Authorization": f"Bearer {token}"},
            verify=info.ca_bundle, timeout=30)
    except requests.ConnectionError:
        print("held request closed")
client = threading.Thread(target=held)
client.start()
while fault.fired == 0:
    threading.Event().wait(0.01)
emu.stop()
client.join()
"""


def test_a_process_with_a_300_s_latency_in_flight_exits_at_stop_without_a_warning():
    import subprocess
    import sys

    # A notebook kernel's end: the interpreter exits once stop() has returned.
    run = subprocess.run(
        [sys.executable, "-W", "default", "-c", IN_PROCESS_EXIT],
        capture_output=True,
        text=True,
        timeout=60,  # far less than the fault's 300 s
    )

    assert run.returncode == 0, run.stderr
    assert run.stdout == "held request closed\n"
    assert run.stderr == ""  # no never-awaited coroutine


# -- the eviction rule, generated ----------------------------------------------------------------
def _closed_by_server(peer: socket.socket) -> bool:
    peer.setblocking(False)
    try:
        return peer.recv(1) == b""
    except BlockingIOError:
        return False


@settings(max_examples=150, deadline=None)
@given(
    limit=st.integers(min_value=1, max_value=6),
    steps=st.lists(
        st.tuples(st.sampled_from(["open", "request", "answer"]), st.integers(0, 99)),
        max_size=40,
    ),
)
def test_the_budget_evicts_the_longest_idle_and_never_one_being_answered(limit, steps):
    """Connections opened, given a request, answered in any order: past the budget, those
    evicted are exactly the least recently active of the connections not being answered."""
    from aci_emulator.web.serving import Connections

    budget = Connections(limit)
    pairs: dict[tuple, tuple[socket.socket, socket.socket]] = {}
    by_activity: list[tuple] = []  # least recently active first: the model of the rule
    busy: set[tuple] = set()
    ports = iter(range(1, 10_000))
    try:
        for action, pick in steps:
            if action == "open":
                key = ("127.0.0.1", next(ports))
                server_end, client_end = socket.socketpair()
                pairs[key] = (server_end, client_end)
                by_activity.append(key)
                over = len(by_activity) - limit
                expected = [k for k in by_activity if k not in busy][: max(over, 0)]

                budget.add(server_end, key)

                evicted = [k for k, (_, client) in pairs.items() if _closed_by_server(client)]
                assert sorted(evicted) == sorted(expected)
                for victim in evicted:  # what the event loop does with a shut-down connection
                    for end in pairs.pop(victim):
                        end.close()
                    by_activity.remove(victim)
            elif action == "request" and by_activity:
                key = by_activity[pick % len(by_activity)]
                budget.busy(key)
                busy.add(key)
            elif action == "answer" and busy:
                key = sorted(busy)[pick % len(busy)]
                budget.idle(key)
                busy.discard(key)
                by_activity.remove(key)
                by_activity.append(key)
    finally:
        for server_end, client_end in pairs.values():
            server_end.close()
            client_end.close()
