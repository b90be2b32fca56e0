"""Live-like waiting: create-and-wait against an emulator that provisions like ACI.

`EmulatorConfig.realistic()`: several seconds of provisioning and no Retry-After, so the client's
polling interval decides how long after the group is ready the caller learns it. The tutorial
waits with the helpers (their live polling interval, `helpers.wait_for`); beside it, the SDK's
default (30 s between polls). The baseline is the provisioning time itself.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from typing import Any

from azure.core.polling import LROPoller

from aci_emulator import Emulator, EmulatorConfig
from bench import stats
from bench.report import Result, Target
from bench.sdk import Clients, connect, resource_group_request, tutorial_group

RG = "bench-waiting"
TARGET_SECONDS = 2.0
SDK_DEFAULT_INTERVAL = 30.0


def _helpers() -> tuple[Callable[..., Any], Callable[[LROPoller], Any], str]:
    """Clients factory, waiter and a label: the helpers', or the SDK with polling_interval=1."""
    try:
        from helpers import make_clients, wait_for
        from helpers.clients import LIVE_POLLING_INTERVAL
    except ImportError:

        def plain(info: dict[str, str]) -> Clients:
            return connect(info, polling_interval=1.0)

        return plain, lambda poller: poller.result(), "SDK, polling_interval=1 (no helpers yet)"

    def helper_clients(info: dict[str, str]) -> Clients:
        base = connect(info)  # the credential; the clients come from the helpers
        resources, aci = make_clients(
            base.credential,
            info["subscription_id"],
            arm_endpoint=info["arm_endpoint"],
            ca_bundle=info["ca_bundle"],
        )
        return Clients(base.credential, resources, aci, info["subscription_id"])

    def wait(poller: LROPoller) -> Any:
        return wait_for(poller, "create", stream=io.StringIO())

    return helper_clients, wait, f"helpers.wait_for, polling interval {LIVE_POLLING_INTERVAL:g} s"


def _create_and_wait(clients: Clients, name: str, wait: Callable[[LROPoller], Any]) -> float:
    start = time.perf_counter()
    poller = clients.aci.container_groups.begin_create_or_update(
        RG, name, tutorial_group(name, dns_label=f"{name}-dns")
    )
    group = wait(poller)
    elapsed = time.perf_counter() - start
    if group.provisioning_state != "Succeeded":
        raise RuntimeError(f"{name}: provisioning ended {group.provisioning_state}")
    clients.aci.container_groups.begin_delete(RG, name).result()
    return elapsed


def run(provisioning: list[float], run_default: bool) -> Result:
    result = Result("waiting", "4. Live-like waiting")
    make, wait, label = _helpers()
    config = EmulatorConfig.realistic(provisioning_seconds=provisioning[0], quota_cores=100)
    with Emulator(config) as emu:
        assert emu.info is not None
        info = emu.info.as_dict()
        sub = emu.cloud.subscription(info["subscription_id"])
        emu.cloud.create_or_update_resource_group(sub, RG, resource_group_request(RG))
        helper_clients = make(info)
        list(helper_clients.aci.container_groups.list_by_resource_group(RG))  # token, warm
        default: dict[str, float] = {}
        default_thread = None
        if run_default:
            # One create with the SDK's default polling, beside the helpers' runs (it sleeps).
            sdk_clients = connect(info)

            def default_run() -> None:
                default["seconds"] = _create_and_wait(
                    sdk_clients, "sdk-default", lambda p: p.result()
                )

            default_thread = threading.Thread(target=default_run)
            default_thread.start()
        rows: list[tuple[float, float]] = []
        for i, seconds in enumerate(provisioning):
            # Read at each create: every run gets its own provisioning time.
            emu.config.provisioning_seconds = seconds
            if i == 0 and default_thread is not None:
                time.sleep(0.2)  # let the default run's PUT go first with provisioning[0]
            rows.append((seconds, _create_and_wait(helper_clients, f"helpers-{i}", wait)))
        if default_thread is not None:
            default_thread.join()
            sdk_clients.close()
        helper_clients.close()
    overheads = [elapsed - seconds for seconds, elapsed in rows]
    result.headers = ["how it waits", "provisioning", "create → Succeeded", "added"]
    for seconds, elapsed in rows:
        result.rows.append(
            [label, stats.sec(seconds), stats.sec(elapsed), stats.sec(elapsed - seconds)]
        )
    median = stats.median(overheads)
    result.targets.append(Target("time the helpers add (median)", median, TARGET_SECONDS, "s"))
    if default:
        cost = default["seconds"] - provisioning[0]
        result.rows.append(
            [
                "SDK default polling (30 s), measured once",
                stats.sec(provisioning[0]),
                stats.sec(default["seconds"]),
                stats.sec(cost),
            ]
        )
    else:
        cost = SDK_DEFAULT_INTERVAL - provisioning[0]
        result.rows.append(
            [
                "SDK default polling (30 s), computed",
                stats.sec(provisioning[0]),
                f"≈ {stats.sec(SDK_DEFAULT_INTERVAL)}",
                f"≈ {stats.sec(cost)}",
            ]
        )
    result.notes.append(
        f"Realistic emulator (no Retry-After); each helpers run has its own provisioning time, "
        f"spread over one polling interval, so their median is the typical cost and their "
        f"maximum ({stats.sec(max(overheads))} here) approaches the worst case: one polling "
        "interval plus a poll's round trip. The SDK's default polls once at once (Pending), then "
        f"sleeps 30 s: a group ready after {provisioning[0]:g} s is reported after about 30 s, "
        f"{cost:.0f} s late"
        + (
            "; that run was made once, beside the helpers' runs."
            if default
            else " (computed from that behaviour, not run: --quick)."
        )
    )
    return result
