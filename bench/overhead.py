"""Emulator overhead per SDK call: the emulator against a stub that only replays its answers.

The same SDK calls (create to Succeeded, get, list, delete) go to the emulator and to
`bench.stub` (same hypercorn + TLS stack, responses recorded from the emulator), interleaved
call by call; the ratio of the medians is what the emulator's logic costs per call.
"""

from __future__ import annotations

from collections.abc import Callable

from aci_emulator import Emulator, EmulatorConfig
from bench import stats
from bench.report import Result, Target
from bench.sdk import Clients, connect, group_request, resource_group_request, tutorial_group
from bench.stub import Recorder, Stub

RG = "bench-overhead"
OTHERS = 5  # groups already in the subscription, so that list returns a realistic page
TARGET = 1.2

Call = Callable[[Clients, str], object]
CALLS: dict[str, Call] = {
    "create → Succeeded": lambda c, name: c.aci.container_groups.begin_create_or_update(
        RG, name, tutorial_group(name, dns_label=f"{name}-dns")
    ).result(),
    "get": lambda c, name: c.aci.container_groups.get(RG, name),
    "list (6 groups)": lambda c, name: list(c.aci.container_groups.list()),
    "delete": lambda c, name: c.aci.container_groups.begin_delete(RG, name).result(),
}


def _round(clients: Clients, name: str) -> None:
    for call in CALLS.values():
        call(clients, name)


def run(runs: int) -> Result:
    result = Result("overhead", "2. Emulator overhead per SDK call")
    with Emulator(EmulatorConfig(quota_cores=1000)) as emu:
        assert emu.info is not None
        sub = emu.cloud.subscription(emu.info.subscription_id)
        emu.cloud.create_or_update_resource_group(sub, RG, resource_group_request(RG))
        for i in range(OTHERS):
            name = f"other-{i}"
            emu.cloud.create_or_update_container_group(sub, RG, name, group_request(name))
        info = emu.info.as_dict()
        # Record one round of the emulator's answers; the stub replays them.
        recorder = Recorder()
        recording = connect(info, hooks={"raw_response_hook": recorder.on_response})
        _round(recording, "recorded")
        recording.close()
        stub = Stub(recorder.responses, info["arm_endpoint"])
        stub.start()
        try:
            targets = {"emulator": connect(info), "stub": connect(stub.info)}
            for i in range(3):  # warm up: tokens, connections' code paths
                for clients in targets.values():
                    _round(clients, f"warm-{i}")
            samples: dict[str, dict[str, list[float]]] = {
                call: {t: [] for t in targets} for call in CALLS
            }
            for i in range(runs):
                order = list(targets) if i % 2 == 0 else list(targets)[::-1]
                for call_name, call in CALLS.items():
                    for target in order:
                        clients = targets[target]
                        samples[call_name][target].append(
                            stats.timed(lambda c=clients, f=call, n=f"bench-{i}": f(c, n))
                        )
            for clients in targets.values():
                clients.close()
        finally:
            stub.stop()
    result.headers = [
        "SDK call",
        "emulator (median)",
        "stub (median)",
        "emulator's logic",
        "ratio",
        "emulator p90",
    ]
    for call_name, by_target in samples.items():
        emu_median = stats.median(by_target["emulator"])
        stub_median = stats.median(by_target["stub"])
        ratio = stats.ratio(emu_median, stub_median)
        result.rows.append(
            [
                call_name,
                stats.ms(emu_median),
                stats.ms(stub_median),
                f"+{stats.ms(emu_median - stub_median)}",
                stats.times(ratio),
                stats.ms(stats.percentile(by_target["emulator"], 90)),
            ]
        )
        result.targets.append(Target(f"emulator/stub, {call_name}", ratio, TARGET))
    result.notes.append(
        f"{runs} interleaved rounds after 3 warm-up rounds; in-process emulator and stub, one "
        "client each; `create → Succeeded` is `begin_create_or_update(...).result()` (PUT, one "
        "poll of the Azure-AsyncOperation URL, final GET), `delete` is `begin_delete(...).result()`."
    )
    return result
