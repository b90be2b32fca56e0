"""Soak: the default emulator's retained memory over 10,000 create/delete cycles.

One `Emulator(EmulatorConfig())` (the defaults a notebook or a test gets) serves the requests of
the tutorial's lifecycle through its own WSGI application, in process and without TLS (what is
measured is the state the emulator keeps, not the server): per cycle a PUT of the notebook's
container group (public IP, DNS label, a new name every time), a poll of its long-running
operation, a GET, a list of its resource group and a DELETE; every 100 cycles also a resource
group created with a group in it and deleted. Memory is what the instance retains: the bytes of
every object reachable from it, after a garbage collection (tracemalloc would trace every
allocation and make the soak four times slower), with the process's allocated blocks beside
them. The start is taken after a warm-up of 1,000 cycles, so that bounded caches (finished
operations, verified tokens) are already full, and the end after the 10,000 cycles that follow.
A shorter soak with operation expiry switched off shows what the expiry bounds.
"""

from __future__ import annotations

import gc
import json
import sys
import time
import types
from typing import Any

from werkzeug.test import Client

from aci_emulator import Emulator, EmulatorConfig
from aci_emulator.backend import operations as cloud_module
from aci_emulator.web.app import ArmApplication
from bench.report import Result, Target

ACI_API = "2023-05-01"
RG_API = "2025-04-01"
NS = "providers/Microsoft.ContainerInstance"
WARM_UP = 1000
TARGET = 1.10  # end of the soak / its start


class Session:
    """A client of the emulator's WSGI application, with a token of its own identity."""

    def __init__(self, emu: Emulator) -> None:
        assert emu.identity is not None and emu.info is not None
        self.info = emu.info
        self.client = Client(ArmApplication(emu.cloud, emu.identity, emu.config, emu.faults))
        answer = self.client.post(
            f"/{self.info.tenant_id}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.info.client_id,
                "client_secret": self.info.client_secret,
                "scope": "https://management.azure.com/.default",
            },
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)
        self.headers = {"Authorization": f"Bearer {answer.get_json()['access_token']}"}
        self.sub = f"/subscriptions/{self.info.subscription_id}"

    def call(self, method: str, path: str, body: Any = None, api: str = ACI_API) -> Any:
        path, _, query = path.partition("?")
        answer = self.client.open(
            path,
            method=method,
            query_string=query or {"api-version": api},
            data=None if body is None else json.dumps(body),
            headers={**self.headers, "Content-Type": "application/json"},
        )
        if answer.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.get_data()[:300]}")
        return answer


def tutorial_body(label: str) -> dict[str, Any]:
    return {
        "location": "eastus",
        "tags": {"created-by": "bench-soak"},
        "properties": {
            "osType": "Linux",
            "restartPolicy": "Always",
            "containers": [
                {
                    "name": "hello",
                    "properties": {
                        "image": "mcr.microsoft.com/azuredocs/aci-helloworld",
                        "resources": {"requests": {"cpu": 1.0, "memoryInGB": 1.5}},
                        "ports": [{"port": 80}],
                    },
                }
            ],
            "ipAddress": {"type": "Public", "ports": [{"port": 80}], "dnsNameLabel": label},
        },
    }


def cycle(session: Session, i: int) -> None:
    group = f"{session.sub}/resourceGroups/soak/{NS}/containerGroups/cg-{i:06d}"
    created = session.call("PUT", group, tutorial_body(f"soak-label-{i:06d}"))
    session.call("GET", created.headers["Azure-AsyncOperation"].split("://", 1)[1].split("/", 1)[1])
    session.call("GET", group)
    session.call("GET", f"{session.sub}/resourceGroups/soak/{NS}/containerGroups")
    session.call("DELETE", group)
    if i % 100 == 0:
        rg = f"{session.sub}/resourcegroups/soak-rg-{i:06d}"
        session.call("PUT", rg, {"location": "eastus"}, api=RG_API)
        session.call(
            "PUT",
            f"{rg}/{NS}/containerGroups/inside".replace("resourcegroups", "resourceGroups"),
            tutorial_body(f"soak-inside-{i:06d}"),
        )
        session.call("DELETE", rg, api=RG_API)
        session.call("GET", f"{session.sub}/resourcegroups", api=RG_API)


SKIPPED = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.CodeType)


def reachable_bytes(root: object) -> int:
    """The bytes of every object reachable from `root` (code, classes and modules aside): what
    the emulator instance retains, measured without tracing every allocation."""
    gc.collect()
    seen: set[int] = set()
    stack = [root]
    total = 0
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, SKIPPED):
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        stack.extend(gc.get_referents(item))
    return total


def soak(cycles: int, checkpoints: int = 5) -> dict[str, Any]:
    """Run WARM_UP + cycles cycles against a fresh default emulator; memory at checkpoints:
    bytes reachable from the emulator, and the process's allocated blocks beside them."""
    with Emulator(EmulatorConfig()) as emu:
        session = Session(emu)
        session.call("PUT", f"{session.sub}/resourcegroups/soak", {"location": "eastus"}, RG_API)
        for i in range(WARM_UP):
            cycle(session, i)
        points = [(0, reachable_bytes(emu), sys.getallocatedblocks())]
        began = time.perf_counter()
        step = max(1, cycles // checkpoints)
        for i in range(WARM_UP, WARM_UP + cycles):
            cycle(session, i)
            done = i - WARM_UP + 1
            if done % step == 0 or done == cycles:
                points.append((done, reachable_bytes(emu), sys.getallocatedblocks()))
        seconds = time.perf_counter() - began
        return {"points": points, "seconds": seconds, "operations": len(emu.cloud.operations)}


def run(cycles: int = 10_000, compare_cycles: int = 2_000) -> Result:
    result = Result("soak", "7. Soak: retained memory over create/delete cycles")
    runs = {"as shipped": soak(cycles)}
    if compare_cycles:
        saved = cloud_module.MAX_FINISHED_OPERATIONS, cloud_module.OPERATION_RETENTION_SECONDS
        cloud_module.MAX_FINISHED_OPERATIONS = 10**9
        cloud_module.OPERATION_RETENTION_SECONDS = 10.0**9
        try:
            runs["finished operations never expire"] = soak(compare_cycles)
        finally:
            cloud_module.MAX_FINISHED_OPERATIONS, cloud_module.OPERATION_RETENTION_SECONDS = saved
    result.headers = [
        "variant",
        "cycles",
        "retained at start",
        "at end",
        "end / start",
        "growth per 1,000 cycles",
        "allocated blocks, end − start",
        "operations kept",
        "per cycle",
    ]
    for name, figures in runs.items():
        (_, start, blocks0), (done, end, blocks1) = figures["points"][0], figures["points"][-1]
        result.rows.append(
            [
                name,
                f"{done:,}",
                f"{start / 2**20:.2f} MiB",
                f"{end / 2**20:.2f} MiB",
                f"{end / start:.3f}×",
                f"{(end - start) / done * 1000 / 2**10:,.1f} KiB",
                f"{blocks1 - blocks0:+,}",
                f"{figures['operations']:,}",
                f"{figures['seconds'] / done * 1000:.1f} ms",
            ]
        )
    (_, start, _), (_, end, _) = runs["as shipped"]["points"][0], runs["as shipped"]["points"][-1]
    result.targets.append(
        Target("retained memory at the end of the soak / at its start", end / start, TARGET)
    )
    trail = ", ".join(f"{n:,}: {m / 2**20:.2f}" for n, m, _ in runs["as shipped"]["points"])
    result.notes.append(
        f"Retained MiB by cycle, as shipped (after {WARM_UP:,} warm-up cycles): {trail}. A cycle "
        "is five requests (create with a public IP and DNS label, poll, get, list, delete) "
        "through the emulator's WSGI application in process, without TLS; every 100 cycles a "
        "resource group with a group in it is also created and deleted. Retained: the bytes of "
        "every object reachable from the `Emulator` (sys.getsizeof over gc referents, code and "
        "classes aside); allocated blocks: `sys.getallocatedblocks()` of the whole process."
    )
    return result
