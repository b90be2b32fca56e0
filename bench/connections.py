"""The HTTPS server before and after, in one run: werkzeug's threaded server, then hypercorn.

Both serve the same emulator. In process (`Emulator.server_class`): how many TLS connections
one SDK client set opens for the tutorial's activities, the median `get`, and `stop()` with
idle clients attached. As `python -m bench.serve_with <server> serve` subprocesses: a new
client's request (TCP + TLS + GET) with no load, with N silent TCP connections held open (no
byte sent, no token needed), and right after those all close; the server's threads and memory
meanwhile; and how long a silent TCP client and an idle TLS client stay connected.
"""

from __future__ import annotations

import resource
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests

from aci_emulator import Emulator, EmulatorConfig, testing
from bench import stats
from bench.legacy_server import LegacyTlsServer
from bench.report import Result, Target
from bench.sdk import RequestTimer, connect
from bench.workshop import activities

SERVERS = ("werkzeug", "hypercorn")
FLOOD = 20_000
LEGACY_FLOOD = 2_000  # werkzeug holds a thread per connection: 20,000 would take minutes
PROBE_CAP = 35.0  # seconds a probe waits for the server to close an idle connection
TARGET_DELAY = 1.0
TARGET_IDLE = 30.0
RG_API = "2021-04-01"


class _Legacy(Emulator):
    server_class = LegacyTlsServer  # type: ignore[assignment]


def raise_limits(wanted: int = 65_536) -> int:
    """Room for FLOOD sockets here and in the server (root may raise the hard limit too)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for limits in ((max(hard, wanted), max(hard, wanted)), (hard, hard)):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, limits)
            return limits[0]
        except (ValueError, OSError):
            continue
    return soft


# -- in process ---------------------------------------------------------------------------------
def in_process(server: str, rounds: int) -> dict[str, Any]:
    cls = _Legacy if server == "werkzeug" else Emulator
    with cls(EmulatorConfig(quota_cores=1000)) as emu:
        info = emu.info.as_dict()
        before = emu.connections.accepted
        timer = RequestTimer()
        clients = connect(info, hooks=timer.hooks())
        activities(clients, f"conn{server[0]}", 1)
        connections = emu.connections.accepted - before
        requests_sent = len(timer.samples)
        activities(clients, f"warm{server[0]}", 2)
        rg = "bench-connections"
        clients.resources.resource_groups.create_or_update(rg, {"location": "eastus"})
        gets = [
            stats.timed(lambda: clients.resources.resource_groups.get(rg)) for _ in range(rounds)
        ]
        clients.close()
        idle = [tls_socket(info) for _ in range(20)]
        start = time.perf_counter()
    stop = time.perf_counter() - start
    for sock in idle:
        sock.close()
    return {"connections": connections, "requests": requests_sent, "get": gets, "stop": stop}


# -- against a server process -------------------------------------------------------------------
class ServerProcess(testing.ServerProcess):
    """The emulator's `serve` on either HTTP server (bench.serve_with)."""

    def __init__(self, server: str, directory: Path) -> None:
        command = [sys.executable, "-m", "bench.serve_with", server, "serve", "--port", "0"]
        super().__init__(directory, "--no-image-lookup", command=command, name=f"info-{server}")

    def status(self) -> dict[str, str]:
        assert self.process is not None
        lines = Path(f"/proc/{self.process.pid}/status").read_text().splitlines()
        return dict(line.split(":", 1) for line in lines if ":" in line)

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 20.0) -> int | None:
        return super().stop(sig, timeout)


def address(info: dict[str, str]) -> tuple[str, int]:
    host, port = info["arm_endpoint"].removeprefix("https://").rsplit(":", 1)
    return host, int(port)


def tls_socket(info: dict[str, str]) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=info["ca_bundle"])
    raw = socket.create_connection(address(info), timeout=30)
    return context.wrap_socket(raw, server_hostname="127.0.0.1")


def new_client_request(info: dict[str, str], token: str) -> float:
    """Seconds for a request on a new connection (TCP, TLS handshake, GET); inf on failure."""
    start = time.perf_counter()
    try:
        answer = requests.get(
            f"{info['arm_endpoint']}/subscriptions/{info['subscription_id']}/resourcegroups",
            params={"api-version": RG_API},
            headers={"Authorization": f"Bearer {token}"},
            verify=info["ca_bundle"],
            timeout=120,
        )
        answer.raise_for_status()
    except requests.RequestException:
        return float("inf")
    return time.perf_counter() - start


def closed_after(sock: socket.socket, cap: float) -> float:
    """Seconds until the peer closes; `inf` when still open after `cap`."""
    start = time.monotonic()
    sock.settimeout(cap)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return float("inf")
    except OSError:
        pass
    return time.monotonic() - start


def probe_idle(info: dict[str, str], out: dict[str, float]) -> list[threading.Thread]:
    def watch(name: str, make: Any) -> None:
        sock = make()
        try:
            out[name] = closed_after(sock, PROBE_CAP)
        finally:
            sock.close()

    threads = [
        threading.Thread(
            target=watch, args=("silent", lambda: socket.create_connection(address(info)))
        ),
        threading.Thread(target=watch, args=("idle TLS", lambda: tls_socket(info))),
    ]
    for thread in threads:
        thread.start()
    return threads


HOLD_SECONDS = 15.0  # spans the current server's 10 s handshake limit
SAMPLE_EVERY = 0.25


def hold(host: str, port: int, count: int) -> None:
    """`python -m bench.connections hold HOST PORT N`: open N silent TCP connections, print
    'ready', wait for stdin to close, then report how many the server had closed, and close."""
    sockets = []
    for _ in range(count):
        try:
            sockets.append(socket.create_connection((host, port), timeout=120))
        except OSError:
            break
    print(f"ready {len(sockets)}", flush=True)
    sys.stdin.read()
    closed = 0
    for sock in sockets:
        sock.setblocking(False)  # a socket with a timeout would wait for data before peeking
        try:
            closed += sock.recv(1, socket.MSG_PEEK) == b""
        except BlockingIOError:
            pass  # still open, nothing to read
        except OSError:
            closed += 1  # reset by the server
    print(f"closed {closed}", flush=True)
    for sock in sockets:
        sock.close()


def flood(info: dict[str, str], token: str, size: int, server: ServerProcess) -> dict[str, Any]:
    """New clients' requests (one every SAMPLE_EVERY) while `size` silent connections are
    opened (from two processes: each has the same descriptor limit), held, and closed."""
    host, port = address(info)
    samples: list[tuple[str, float]] = []
    phase = ["ramp"]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            current = phase[0]
            samples.append((current, new_client_request(info, token)))
            time.sleep(SAMPLE_EVERY)

    sampler = threading.Thread(target=sample)
    start = time.perf_counter()
    holders = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.connections", "hold", host, str(port), str(n)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in (size // 2, size - size // 2)
    ]
    sampler.start()
    try:
        opened = sum(int(h.stdout.readline().split()[1]) for h in holders)  # type: ignore[union-attr]
        ramp = time.perf_counter() - start
        phase[0] = "held"
        status = server.status()
        time.sleep(HOLD_SECONDS)
        phase[0] = "closing"
        for holder in holders:
            holder.stdin.close()  # type: ignore[union-attr]
        closed_by_server = sum(int(h.stdout.readline().split()[1]) for h in holders)  # type: ignore[union-attr]
        time.sleep(3)
    finally:
        done.set()
        sampler.join()
        for holder in holders:
            holder.wait(timeout=60)
    by_phase = {p: [s for name, s in samples if name == p] for p in ("ramp", "held", "closing")}
    return {
        "size": size,
        "opened": opened,
        "ramp": ramp,
        "closed_by_server": closed_by_server,
        "phases": by_phase,
        "threads": int(status.get("Threads", "0").strip() or 0),
        "rss_mib": int(status.get("VmRSS", "0 kB").split()[0]) / 1024,
    }


def run(rounds: int = 50, quick: bool = False) -> Result:
    result = Result("connections", "7. The HTTPS server before and after (werkzeug → hypercorn)")
    limit = raise_limits()
    measured: dict[str, dict[str, Any]] = {}
    for server in SERVERS:  # in process, one after the other
        measured[server] = in_process(server, rounds)
    directory = Path(tempfile.mkdtemp(prefix="bench-connections-"))
    processes = {s: ServerProcess(s, directory) for s in SERVERS}
    probes: dict[str, dict[str, float]] = {s: {} for s in SERVERS}
    threads: list[threading.Thread] = []
    try:
        for server, process in processes.items():
            process.start()
            threads += probe_idle(process.info, probes[server])
        for server, process in processes.items():
            info = process.info
            token = testing.raw_token(info, timeout=60)
            sizes = [LEGACY_FLOOD] if server == "werkzeug" or quick else [LEGACY_FLOOD, FLOOD]
            measured[server]["floods"] = [flood(info, token, n, process) for n in sizes]
        for thread in threads:
            thread.join(timeout=PROBE_CAP + 10)
    finally:
        for process in processes.values():
            process.stop()
        shutil.rmtree(directory, ignore_errors=True)

    def both(label: str, render: Any) -> None:
        result.rows.append([label, *(render(measured[s]) for s in SERVERS)])

    result.headers = ["", "before: werkzeug", "after: hypercorn"]
    both(
        "TLS connections for one attendee's activities (3 clients: credential, resources, ACI)",
        lambda m: f"{m['connections']} for {m['requests']} requests",
    )
    both(
        f"SDK `resource_groups.get`, median of {rounds}", lambda m: stats.ms(stats.median(m["get"]))
    )
    both("`Emulator.stop()` with 20 idle TLS clients", lambda m: stats.ms(m["stop"]))
    floods = {s: {f["size"]: f for f in measured[s]["floods"]} for s in SERVERS}
    for size in sorted({n for by_size in floods.values() for n in by_size}):
        n = f"{size:,}"

        def flood_row(server: str, render: Any, size: int = size) -> str:
            one = floods[server].get(size)
            return render(one) if one else "not run"

        def latency(phase: str) -> Any:
            def show(one: dict[str, Any]) -> str:
                values = one["phases"][phase]
                if not values:
                    return "–"
                failed = sum(v == float("inf") for v in values)
                ok = [v for v in values if v != float("inf")] or [float("nan")]
                text = f"{stats.ms(stats.median(ok))}, max {stats.ms(max(ok))}"
                return text + (f", {failed} failed" if failed else "")

            return show

        rows = [
            (f"{n} silent connections: time to open them", lambda f: stats.sec(f["ramp"])),
            (f"{n}: a new client's request meanwhile (median, max)", latency("ramp")),
            (
                f"{n}: a new client's request while they are held {HOLD_SECONDS:g} s",
                latency("held"),
            ),
            (f"{n}: … after they all close at once (3 s)", latency("closing")),
            (f"{n}: server threads once opened", lambda f: str(f["threads"])),
            (f"{n}: server memory (RSS) once opened", lambda f: f"{f['rss_mib']:.0f} MiB"),
            (
                f"{n}: closed by the server before the client let go",
                lambda f: f"{f['closed_by_server']:,} of {f['opened']:,}",
            ),
        ]
        for label, render in rows:
            result.rows.append([label, *(flood_row(s, render) for s in SERVERS)])

    def probe(name: str) -> Any:
        def render(m: dict[str, Any]) -> str:
            server = next(s for s in SERVERS if measured[s] is m)
            value = probes[server].get(name, float("inf"))
            return stats.sec(value) if value != float("inf") else f"open after {PROBE_CAP:g} s"

        return render

    both("a silent TCP client is disconnected after", probe("silent"))
    both("a TLS client that sends no request is disconnected after", probe("idle TLS"))

    after = measured["hypercorn"]
    largest = after["floods"][-1]
    held = [v for v in largest["phases"]["held"] if v != float("inf")] or [float("inf")]
    failed = len(largest["phases"]["held"]) - len(held)
    result.targets.append(
        Target(
            f"a new client's request while {largest['size']:,} silent connections are held (max)",
            max(held) if not failed else float("inf"),
            TARGET_DELAY,
            "s",
        )
    )
    idle = max(
        probes["hypercorn"].get("silent", float("inf")),
        probes["hypercorn"].get("idle TLS", float("inf")),
    )
    result.targets.append(Target("an idle connection is closed within", idle, TARGET_IDLE, "s"))
    result.targets.append(
        Target(
            "TLS connections per SDK client for a whole run",
            after["connections"] / 3,
            1,
            "connections",
        )
    )
    result.notes.append(
        f"File-descriptor limit of this benchmark and its servers: {limit:,} (the most this "
        "machine allows). The silent connections are plain TCP connects that never send a "
        "byte (what any client can do without a token), from two `hold` processes (the limit "
        "is per process). The werkzeug server is flooded with "
        f"{LEGACY_FLOOD:,} only: it starts a thread per connection, each blocked in its TLS "
        "handshake for as long as the client stays (no timeout). A new client's request opens "
        "its own connection each time (TCP, TLS handshake, then GET of the resource groups "
        "with a token fetched before), one every 0.25 s through every phase."
    )
    return result


if __name__ == "__main__":
    if sys.argv[1:2] == ["hold"]:
        hold(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
