"""A workshop on one server: N attendees run the tutorial's six activities at once.

One `python -m aci_emulator serve --port 0` subprocess; each attendee is a process (two cores and
the GIL make threads unrealistic) with its own credential and clients, forked from a fork
server that has the SDK imported already. A barrier releases them together. Every HTTP request
is timed by azure-core's per-call hooks. Baselines, same run: one attendee alone, and the same
workshop against `bench.stub` served the same way (the emulator's answers replayed by the same
HTTP stack with no logic), which is what this SDK and transport cost on this machine.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from aci_emulator.testing import ServerProcess
from bench import stats
from bench.report import Result, Target
from bench.sdk import LOCATION, RequestTimer, connect, tutorial_group
from bench.stub import Recorder

TARGET_P99_MS = 250.0
QUOTA_CORES = 1000  # the default 10 cores would stop the eleventh attendee
ARM_SCOPE = "https://management.azure.com/.default"
THINK_SECONDS = 3.0  # the paced workshop: up to this long between two steps


def activities(clients: Any, tag: str, index: int, think: float = 0.0) -> None:
    """The tutorial's six steps, as notebook 01 runs them; `think`: up to so many seconds
    between steps (a person reading the next cell), none by default."""
    rng = random.Random(index)

    def pause() -> None:
        if think:
            time.sleep(rng.uniform(0, think))

    rg, name = f"workshop-{tag}-{index:02d}", f"aci-hello-{index:02d}"
    aci, resources = clients.aci, clients.resources
    pause()
    list(aci.container_groups.list())  # 1. list the container groups in the subscription
    pause()
    group = tutorial_group(name, dns_label=f"ws-{tag}-{index:02d}")  # 2. define (no request)
    pause()
    if not resources.resource_groups.check_existence(rg):  # 3. ensure the resource group
        resources.resource_groups.create_or_update(rg, {"location": LOCATION})
    pause()
    created = aci.container_groups.begin_create_or_update(rg, name, group).result()  # 4.
    if created.provisioning_state != "Succeeded":
        raise RuntimeError(f"{name} ended {created.provisioning_state}")
    pause()
    aci.container_groups.get(rg, name)  # 5. get + logs
    aci.containers.list_logs(rg, name, name, tail=20)
    pause()
    aci.container_groups.begin_delete(rg, name).result()  # 6. delete + delete resource group
    resources.resource_groups.begin_delete(rg).result()


def attendee(
    index: int, info: dict[str, str], tag: str, think: float, barrier: Any, results: Any
) -> None:
    timer = RequestTimer()
    clients = connect(info, hooks=timer.hooks())
    errors: list[str] = []
    try:  # the notebook's connect(): a token first (not counted: the activities are)
        clients.credential.get_token(ARM_SCOPE)
    except Exception as err:
        errors.append(f"token: {type(err).__name__}: {err}"[:400])
    timer.samples.clear()
    barrier.wait()
    start, cpu = time.perf_counter(), time.process_time()
    try:
        activities(clients, tag, index, think)
    except Exception as err:  # reported, not raised: the parent counts errors
        errors.append(f"{type(err).__name__}: {err}"[:400])
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    clients.close()
    results.put({"wall": wall, "cpu": cpu, "latencies": timer.latencies(), "errors": errors})


class Server(ServerProcess):
    """A server subprocess (the emulator, the stub) that writes its connection details to an
    info file; its stderr goes to a file beside it."""

    def __init__(self, directory: Path, *args: str, command: list[str] | None = None) -> None:
        name = f"server-{secrets.token_hex(4)}"
        stderr = directory / f"{name}.stderr.log"
        super().__init__(directory, *args, command=command, stderr=stderr, name=name)

    def cpu_seconds(self) -> float:
        """CPU time the server has used so far (Linux /proc; NaN elsewhere)."""
        try:
            assert self.process is not None
            stat = Path(f"/proc/{self.process.pid}/stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, AssertionError, ValueError, IndexError):
            return float("nan")


def session(
    ctx: Any, server: Server, attendees: int, tag: str, think: float = 0.0
) -> dict[str, Any]:
    """Release `attendees` processes together; their wall time, latencies, errors, CPU."""
    barrier, results = ctx.Barrier(attendees + 1), ctx.Queue()
    processes = [
        ctx.Process(
            target=attendee, args=(i, server.info, tag, think, barrier, results), daemon=True
        )
        for i in range(attendees)
    ]
    for process in processes:
        process.start()
    barrier.wait(timeout=120)  # everyone has a credential and clients: go
    start, server_cpu = time.perf_counter(), server.cpu_seconds()
    outcomes = [results.get(timeout=300) for _ in processes]
    wall, server_cpu = time.perf_counter() - start, server.cpu_seconds() - server_cpu
    for process in processes:
        process.join(timeout=30)
    return {
        "wall": wall,
        "latencies": [s for o in outcomes for s in o["latencies"]],
        "errors": [e for o in outcomes for e in o["errors"]],
        "server_cpu": server_cpu,
        "client_cpu": sum(o["cpu"] for o in outcomes),
    }


def _record(info: dict[str, str], path: Path) -> None:
    """One attendee's activities against the emulator, every answer recorded for the stub."""
    recorder = Recorder()
    clients = connect(info, hooks={"raw_response_hook": recorder.on_response})
    activities(clients, f"rec{secrets.token_hex(2)}", 99)
    clients.close()
    recorder.save(path)


def run(attendees: int, rounds: int) -> Result:
    result = Result("workshop", f"5. A workshop on one server ({attendees} attendees)")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["bench.workshop"])
    directory = Path(tempfile.mkdtemp(prefix="bench-workshop-"))
    emulator = Server(directory, "--quota-cores", str(QUOTA_CORES))
    stub: Server | None = None
    legacy: Server | None = None
    sessions: dict[tuple[str, str], list[dict[str, Any]]] = {}
    try:
        emulator.start()
        recording = directory / "recording.json"
        _record(emulator.info, recording)
        stub = Server(
            directory,
            command=[sys.executable, "-m", "bench.stub", "--recording", str(recording)]
            + ["--source", emulator.info["arm_endpoint"]],
        )
        stub.start()
        plan = [
            (target, kind, server)
            for target, server in (("emulator", emulator), ("stub", stub))
            for kind in ("alone", "workshop")
        ]
        plan.append(("emulator", "paced", emulator))
        plan.append(("emulator", "double", emulator))
        # The former server (werkzeug's, a connection per request) with the same emulator.
        legacy = Server(
            directory,
            "--quota-cores",
            str(QUOTA_CORES),
            "--no-image-lookup",
            command=[sys.executable, "-m", "bench.serve_with", "werkzeug", "serve", "--port", "0"],
        )
        legacy.start()
        plan.append(("emulator on werkzeug (before)", "workshop", legacy))
        for r in range(rounds):
            for target, kind, server in plan if r % 2 == 0 else plan[::-1]:
                n = {"alone": 1, "double": 2 * attendees}.get(kind, attendees)
                think = THINK_SECONDS if kind == "paced" else 0.0
                tag = f"{kind[0]}{r}{secrets.token_hex(2)}"
                one = session(ctx, server, n, tag, think)
                sessions.setdefault((target, kind), []).append(one)
    finally:
        emulator.stop()
        if stub is not None:
            stub.stop()
        if legacy is not None:
            legacy.stop()
        shutil.rmtree(directory, ignore_errors=True)
    result.headers = [
        "server",
        "attendees",
        "requests",
        "errors",
        "wall (median)",
        "p50",
        "p99",
        "max",
        "server CPU / request",
        "client CPU / request",
    ]
    summary: dict[tuple[str, str], dict[str, float]] = {}
    for (target, kind), runs in sessions.items():
        latencies = [s for one in runs for s in one["latencies"]]
        errors = [e for one in runs for e in one["errors"]]
        count = max(1, len(latencies))
        summary[(target, kind)] = {
            "wall": stats.median([one["wall"] for one in runs]),
            "p50": stats.percentile(latencies, 50),
            "p99": stats.percentile(latencies, 99),
            "errors": len(errors),
        }
        result.rows.append(
            [
                target,
                {
                    "alone": "1 (alone)",
                    "double": str(2 * attendees),
                    "workshop": str(attendees),
                    "paced": f"{attendees}, paced",
                }[kind],
                str(len(latencies)),
                str(len(errors)),
                stats.sec(summary[(target, kind)]["wall"]),
                stats.ms(summary[(target, kind)]["p50"]),
                stats.ms(summary[(target, kind)]["p99"]),
                stats.ms(max(latencies, default=float("nan"))),
                stats.ms(sum(one["server_cpu"] for one in runs) / count),
                stats.ms(sum(one["client_cpu"] for one in runs) / count),
            ]
        )
        if errors and target == "emulator":
            result.notes.append(f"Errors against the {target} (first 3): " + " | ".join(errors[:3]))
    crowd, alone = summary[("emulator", "workshop")], summary[("emulator", "alone")]
    floor = summary[("stub", "workshop")]
    result.targets.append(Target("errors", crowd["errors"], 0, "errors"))
    result.targets.append(Target("per-request p99", crowd["p99"] * 1000, TARGET_P99_MS, "ms"))
    result.notes.append(
        f"The workshop takes {stats.ratio(crowd['wall'], alone['wall']):.1f}× the wall time of "
        f"one attendee alone ({attendees} attendees' work on {os.cpu_count()} cores; against "
        f"the stub {stats.ratio(floor['wall'], summary[('stub', 'alone')]['wall']):.1f}×). "
        f"{rounds} round(s), interleaved. Each attendee: list the subscription, define, ensure "
        "the resource group (HEAD, PUT), create and wait (PUT, poll, GET), get, logs, delete "
        "the container group and the resource group (DELETE, poll); its token was fetched "
        "before the start, as the notebook's connect() does. Latencies are per HTTP request, measured in the attendee by "
        "raw_request_hook/raw_response_hook, so they include its wait for a CPU: all "
        "attendees start together with no think time, so the two cores are saturated and "
        "latency is mostly queueing (Little's law: attendees ÷ requests per second). The "
        f"paced row is the same workshop with 0–{THINK_SECONDS:g} s (uniform) before each step, "
        "as people running cells; the target is judged on the unpaced one. Against the stub "
        f"(same stack, no logic) the unpaced p99 is {stats.ms(floor['p99'])}: the emulator's "
        f"p99 is {stats.ratio(crowd['p99'], floor['p99']):.2f}× that."
    )
    double = summary.get(("emulator", "double"))
    before = summary.get(("emulator on werkzeug (before)", "workshop"))
    if double and before:
        result.notes.append(
            f"The {2 * attendees}-attendee row is the same workshop with twice the attendees "
            f"(reported, no target): p99 {stats.ms(double['p99'])}, {double['errors']:g} errors. "
            "The werkzeug row is the same emulator served by the former server "
            "(`bench.legacy_server`: a thread and a TLS handshake per request), same run: p99 "
            f"{stats.ms(before['p99'])} there against {stats.ms(crowd['p99'])} on hypercorn."
        )
    return result
