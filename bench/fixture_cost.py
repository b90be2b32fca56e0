"""What a fresh subscription costs a test: the plugin's reset of one server, against a new
emulator per test (the alternative it was chosen over).

`python -m bench.fixture_cost [runs]` prints medians, interleaved (ABBA). Each variant is
measured bare (isolation only) and as a test would use it: with a first SDK call, which
includes getting a token for the new credential.
"""

from __future__ import annotations

import sys

from azure.mgmt.resource.resources import ResourceManagementClient

from aci_emulator import Emulator
from aci_emulator.testing import EmulatedSubscription
from bench import stats


def _first_call(sub: EmulatedSubscription) -> None:
    client = ResourceManagementClient(sub.credential, sub.subscription_id, **sub.client_kwargs)
    list(client.resource_groups.list())
    sub.close()


def main(runs: int = 30) -> None:
    shared = Emulator()
    shared.start()

    def reset() -> EmulatedSubscription:
        return EmulatedSubscription.fresh(shared)

    def new_emulator(call: bool) -> None:
        with Emulator() as emu:
            sub = EmulatedSubscription.fresh(emu)
            if call:
                _first_call(sub)
            else:
                assert emu.identity._key is not None  # the signing key a first token needs

    try:
        _first_call(reset())  # warm up imports and the first connection
        times = stats.interleave(
            {
                "reset (plugin)": reset,
                "new emulator per test": lambda: new_emulator(False),
                "reset + first SDK call": lambda: _first_call(reset()),
                "new emulator + first SDK call": lambda: new_emulator(True),
            },
            runs,
        )
    finally:
        shared.stop()
    print(f"per-test cost of a fresh subscription, median of {runs} (min–max ms):")
    for name, values in times.items():
        spread = f"{min(values) * 1000:.2f}–{max(values) * 1000:.2f}"
        print(f"  {name:32} {stats.ms(stats.median(values)):>10}   ({spread})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
