"""Small statistics for noisy machines: medians, percentiles, ratios, interleaved runs."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping, Sequence


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100), linear between closest ranks (numpy's default)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ratio(value: float, baseline: float) -> float:
    return value / baseline if baseline > 0 else float("inf")


def timed(action: Callable[[], object]) -> float:
    """Seconds one call of `action` takes (perf_counter)."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def interleave(actions: Mapping[str, Callable[[], object]], runs: int) -> dict[str, list[float]]:
    """Time each action `runs` times, alternating their order every round (ABBA…).

    Drift in the machine's load then hits every action alike instead of whichever ran last.
    """
    names = list(actions)
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(runs):
        order = names if round_ % 2 == 0 else names[::-1]
        for name in order:
            times[name].append(timed(actions[name]))
    return times


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def sec(seconds: float) -> str:
    return f"{seconds:.2f} s"


def times(value: float) -> str:
    return f"{value:.2f}×"


def spread(values: Sequence[float]) -> str:
    """min–max of a sample, for the reader to judge the noise."""
    if not values:
        return "–"
    return f"{min(values):.2f}–{max(values):.2f}"
