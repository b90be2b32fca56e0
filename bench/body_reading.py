"""Reading hostile request bodies in process: the time per character at growing sizes, so a
cost that grows faster than the body shows as a rising figure.

python -m bench.body_reading           # not in the default run; about a minute on 2 cores

Shapes: a run of numbers with one Python's parser cannot hold (lenient and strict), the same
run of object members, a wide array nested past MaxDepth, 4 MB of empty objects (refused by
the values limit), and an error's position searched for past a deep, wide value. Each figure
is the median of three runs; the last column is the largest size's time per character over the
smallest's (1.0: linear).
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from aci_emulator.config import Limits
from aci_emulator.errors import ArmError
from aci_emulator.web import body, json_positions


def read(text: str) -> None:
    request = Request(EnvironBuilder(method="PUT", data=text.encode()).get_environ())
    with contextlib.suppress(ArmError):  # the refusal is the answer being timed
        body.read_json(request, Limits.max_body_bytes, Limits.max_json_values)


def locate(text: str) -> None:
    json_positions.locate(text, "tags.ab")


def members(count: int) -> str:
    return "".join(f'"a{i}": 1, ' for i in range(count))


SHAPES: dict[str, tuple[Callable[[int], str], Callable[[str], None]]] = {
    "run of numbers, one too long (lenient)": (
        lambda n: "/**/[" + "1," * n + "1" * 5000 + ",]",
        read,
    ),
    "run of numbers, one too long (strict)": (lambda n: "[" + "1," * n + "1" * 5000 + "]", read),
    "run of members, one too long (lenient)": (
        lambda n: "/**/{" + members(n // 4) + '"z": ' + "1" * 5000 + ",}",
        read,
    ),
    "wide array 66 deep (lenient)": (
        lambda n: "/**/" + "[" * 66 + "0," * n + "0" + "]" * 66,
        read,
    ),
    "wide values, then 66 deep": (
        lambda n: "[" + "[0,[1,'2']]," * (n // 8) + "[" * 66 + "]" * 66 + "]",
        read,
    ),
    "empty objects (over the values limit)": (
        lambda n: '{"location": "x", "x": [' + ",".join(["{}"] * n) + "]}",
        read,
    ),
    "single-quoted members (lenient)": (
        lambda n: "{" + ",".join(f"'k{i:07d}':'v'" for i in range(n // 4)) + "}",
        read,
    ),
    "bare names, trailing commas (lenient)": (
        lambda n: "{" + "".join(f"k{i:07d}: [1, 'v',]," for i in range(n // 8)) + "}",
        read,
    ),
    "a comment after every comma (lenient)": (
        lambda n: "[" + "".join(f"{i},/* {i} */ " for i in range(n // 4)) + "0]",
        read,
    ),
    "hex and octal integers (lenient)": (
        lambda n: "[" + ",".join("0x1F" if i % 2 else "017" for i in range(n // 2)) + "]",
        read,
    ),
    "single-quoted members, broken at the end": (
        lambda n: "{" + ",".join(f"'k{i:07d}':'v'" for i in range(n // 4)) + ",",
        read,
    ),
    "position after a deep, wide value": (
        lambda n: '{"x": ' + "[" * 60 + "1," * n + "1" + "]" * 60 + ', "tags": {"a\\u0062": 5}}',
        locate,
    ),
}
SIZES = (12_500, 50_000, 200_000)


def main() -> None:
    print(f"{'shape':42} " + " ".join(f"{n:>12,}" for n in SIZES) + "   µs/kchar growth")
    for name, (make, run) in SHAPES.items():
        per_char = []
        cells = []
        for n in SIZES:
            text = make(n)
            times = []
            for _ in range(3):
                start = time.perf_counter()
                run(text)
                times.append(time.perf_counter() - start)
            seconds = statistics.median(times)
            per_char.append(seconds / len(text))
            cells.append(f"{seconds * 1000:9.1f} ms")
        print(f"{name:42} " + " ".join(cells) + f"   {per_char[-1] / per_char[0]:.2f}")


def at_the_limit() -> None:
    """Lenient bodies as large as ARM takes (4 MB of single-quoted members; 2.7 MB of 95,000
    small ones, within the values limit), read whole: the figures the one-pass rewrite is for
    (value by value, the 2.7 MB one took 4.5 s)."""
    # Few large members, then as many small ones as the values limit lets through.
    for value, count in (("v" * 400, (Limits.max_body_bytes - 100) // 430), ("v", 95_000)):
        text = "{" + ",".join(f"'k{i:07d}xxxxxxxxxxxxxx':'{value}'" for i in range(count)) + "}"
        times = []
        for _ in range(3):
            start = time.perf_counter()
            read(text)
            times.append(time.perf_counter() - start)
        size = len(text.encode()) / 1e6
        print(
            f"a {size:.1f} MB lenient body ({count:,} single-quoted members): "
            f"{statistics.median(times) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
    at_the_limit()
