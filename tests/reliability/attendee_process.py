"""One attendee as its own process (like its own kernel): `python attendee_process.py READY GO`.

Connects with the tutorial's variables from the environment, writes READY, waits for GO to
exist, runs the scenario, and prints what happened as one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from reliability_kit import run_tutorial

VARIABLES = (
    "ACI_TUTORIAL_TARGET",
    "AZURE_SUBSCRIPTION_ID",
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_RESOURCE_MANAGER_ENDPOINT",
    "AZURE_AUTHORITY_HOST",
    "REQUESTS_CA_BUNDLE",
    "ACI_TUTORIAL_RESOURCE_GROUP",
)


def main(ready: Path, go: Path) -> int:
    env = {name: os.environ[name] for name in VARIABLES if os.environ.get(name)}
    span: dict[str, float] = {}

    def wait_for_the_others() -> None:
        ready.touch()
        deadline = time.monotonic() + 120  # a guard against a hang, not a timing assertion
        while not go.exists():
            if time.monotonic() > deadline:
                raise TimeoutError("no GO signal")
            time.sleep(0.01)
        span["start"] = time.time()

    run = run_tutorial(env, before={"1 list": wait_for_the_others})
    span["end"] = time.time()
    print(
        json.dumps(
            {
                "succeeded": run.succeeded,
                "error": str(run.error) if run.error else None,
                "run_id": run.run_id,
                "resource_group": run.resource_group,
                "container_group": run.names.container_group if run.names else None,
                "dns_label": run.names.dns_label if run.names else None,
                "cleanup": run.cleanup.entries if run.cleanup else [],
                "start": span.get("start"),
                "end": span["end"],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
