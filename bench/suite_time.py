"""Wall time of the test suite, without the Azure CLI install and the browser test."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

from bench.report import Result

ROOT = Path(__file__).resolve().parent.parent
COMMAND = [sys.executable, "-m", "pytest", "-q", "-m", "not cli and not browser"]


def run() -> Result:
    result = Result("suite", "6. Test suite wall time")
    start = time.perf_counter()
    done = subprocess.run(COMMAND, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    wall = time.perf_counter() - start
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    summary = next(
        (line.strip("= ") for line in reversed(lines) if re.search(r"\d+ (passed|failed)", line)),
        lines[-1] if lines else "(no output)",
    )
    counts = dict(
        (kind, int(n))
        for n, kind in re.findall(
            r"(\d+) (passed|failed|skipped|deselected|errors?|xfailed|xpassed)", summary
        )
    )
    ran = sum(v for k, v in counts.items() if k not in ("deselected",))
    result.headers = ["command", "wall time", "tests run", "pytest's summary"]
    result.rows.append(
        [
            '`python -m pytest -q -m "not cli and not browser"`',
            f"{wall:.1f} s",
            str(ran),
            summary,
        ]
    )
    if done.returncode != 0:
        failed = [line for line in lines if line.startswith(("FAILED", "ERROR"))]
        result.notes.append(
            f"pytest exited {done.returncode}: " + ("; ".join(failed[:5]) or summary)
        )
    result.notes.append(
        "One run, reported rather than compared: the suite is other people's work in progress "
        "and its size changes from run to run."
    )
    return result
