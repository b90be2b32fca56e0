"""Scale of list: 100, 1,000 and 10,000 container groups, listed through the SDK, fully paged.

Each size has its own emulator, populated through the backend directly (fast; no DNS label,
quota raised). The lists go through `container_groups.list()` and are interleaved across the
sizes, so a busy moment of the machine does not land on one size only. Memory is the emulator's
retained state for the groups, measured with tracemalloc while populating.
"""

from __future__ import annotations

import gc
import random
import tracemalloc

from aci_emulator import Emulator, EmulatorConfig
from bench import stats
from bench.report import Result, Target
from bench.sdk import Clients, connect, group_request, resource_group_request

RG = "bench-scale"
TARGET = 1.3


def populate(emu: Emulator, size: int) -> int:
    """Create `size` groups through the backend; return the bytes they retain (tracemalloc)."""
    assert emu.info is not None
    cloud = emu.cloud
    sub = cloud.subscription(emu.info.subscription_id)
    cloud.create_or_update_resource_group(sub, RG, resource_group_request(RG))
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    # Created in random order, as users do: a list must sort what it returns.
    order = list(range(size))
    random.Random(size).shuffle(order)
    for i in order:
        name = f"group-{i:05d}"
        cloud.create_or_update_container_group(sub, RG, name, group_request(name, cpu=0.5))
    gc.collect()
    retained = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return retained


def list_all(clients: Clients, expected: int) -> None:
    count = sum(1 for _ in clients.aci.container_groups.list())
    if count != expected:
        raise RuntimeError(f"listed {count} container groups, expected {expected}")


def run(sizes: list[int], runs: int) -> Result:
    result = Result("list", "3. Scale of list")
    emulators: dict[int, Emulator] = {}
    clients: dict[int, Clients] = {}
    memory: dict[int, int] = {}
    try:
        for size in sizes:
            emu = Emulator(EmulatorConfig(quota_cores=size + 10))
            emu.start()
            emulators[size] = emu
            memory[size] = populate(emu, size)
            assert emu.info is not None
            clients[size] = connect(emu.info.as_dict())
            list_all(clients[size], size)  # warm up: token, code paths
        # A short list is repeated (up to 10 times a round) so that every size is sampled
        # over a similar stretch of time: a busy moment then weighs on each size alike.
        repeats = {size: max(1, min(10, max(sizes) // size)) for size in sizes}
        rounds = stats.interleave(
            {
                str(size): (lambda s=size: [list_all(clients[s], s) for _ in range(repeats[s])])
                for size in sizes
            },
            runs,
        )
        times = {key: [t / repeats[int(key)] for t in ts] for key, ts in rounds.items()}
    finally:
        for c in clients.values():
            c.close()
        for emu in emulators.values():
            emu.stop()
    page_size = EmulatorConfig().page_size
    per_group = {size: stats.median(times[str(size)]) / size for size in sizes}
    result.headers = [
        "groups",
        "pages",
        "full list (median)",
        "time per group",
        "vs smallest",
        "emulator memory",
        "memory per group",
    ]
    smallest = min(sizes)
    for size in sizes:
        result.rows.append(
            [
                f"{size:,}",
                str(-(-size // page_size)),
                stats.sec(stats.median(times[str(size)])),
                f"{per_group[size] * 1e6:.0f} µs",
                stats.times(stats.ratio(per_group[size], per_group[smallest])),
                f"{memory[size] / 2**20:.1f} MiB",
                f"{memory[size] / size / 1024:.1f} KiB",
            ]
        )
    if 1000 in per_group and 10000 in per_group:
        result.targets.append(
            Target(
                "per-group time at 10,000 / at 1,000",
                stats.ratio(per_group[10000], per_group[1000]),
                TARGET,
            )
        )
    elif len(sizes) > 1:
        largest = max(sizes)
        result.notes.append(
            f"The target compares 10,000 with 1,000 groups; this run had {sizes}: per-group time "
            f"at {largest:,} is {stats.ratio(per_group[largest], per_group[smallest]):.2f}× "
            f"that at {smallest:,}."
        )
    result.notes.append(
        f"{runs} round{'s' if runs != 1 else ''}, interleaved across sizes; a round lists each size "
        f"{', '.join(f'{s:,}: {r}×' for s, r in repeats.items())} (a figure is the mean list "
        "of its round, the table shows the median round). Every list goes through "
        f"`container_groups.list()` with every page followed (page size {page_size}). Memory: "
        "what the emulator retains for the groups (tracemalloc while populating through the "
        "backend; groups of one 0.5-CPU container, tags, no IP address)."
    )
    return result
