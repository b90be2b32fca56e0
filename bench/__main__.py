"""`python -m bench`: run the benchmarks, print their figures, optionally write docs/benchmarks.md.

python -m bench                          # everything (about ten minutes here)
python -m bench --quick                  # fewer runs, smaller sizes, no test suite
python -m bench --only overhead,list --sizes 100,1000
python -m bench --write-docs             # and rewrite docs/benchmarks.md from this run
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import machine
from bench.report import Result, write_docs

ROOT = Path(__file__).resolve().parent.parent
NAMES = ("notebook", "overhead", "list", "waiting", "workshop", "connections", "suite", "soak")
ALIASES = {
    "floor": "notebook",
    "scale": "list",
    "wait": "waiting",
    "tests": "suite",
    "server": "connections",
}


@dataclass
class Plan:
    notebook_runs: int
    overhead_rounds: int
    list_sizes: list[int]
    list_rounds: int
    provisioning: list[float]
    run_sdk_default: bool
    attendees: int
    workshop_rounds: int
    soak_cycles: int
    soak_compare_cycles: int
    quick: bool = False


def plan_for(args: argparse.Namespace) -> Plan:
    quick = args.quick
    plan = Plan(
        notebook_runs=3 if quick else 9,
        overhead_rounds=15 if quick else 60,
        list_sizes=[100, 1000] if quick else [100, 1000, 10000],
        list_rounds=2 if quick else 3,
        provisioning=[2.0, 3.0] if quick else [4.0, 4.5, 5.0, 5.5],
        run_sdk_default=not quick,
        attendees=args.attendees,
        workshop_rounds=1 if quick else 2,
        soak_cycles=2_000 if quick else 10_000,
        soak_compare_cycles=500 if quick else 2_000,
        quick=quick,
    )
    if args.sizes:
        plan.list_sizes = args.sizes
    if args.provisioning:
        plan.provisioning = args.provisioning
    if args.runs:
        plan.notebook_runs = plan.list_rounds = plan.workshop_rounds = args.runs
        plan.overhead_rounds = max(args.runs, 10)
    return plan


def benchmarks(plan: Plan) -> dict[str, Callable[[], Result]]:
    """Each benchmark's module is imported only when it runs."""

    def notebook() -> Result:
        from bench import notebook_floor

        return notebook_floor.run(plan.notebook_runs)

    def overhead() -> Result:
        from bench import overhead

        return overhead.run(plan.overhead_rounds)

    def list_scale() -> Result:
        from bench import list_scale

        return list_scale.run(plan.list_sizes, plan.list_rounds)

    def waiting() -> Result:
        from bench import waiting

        return waiting.run(plan.provisioning, plan.run_sdk_default)

    def workshop() -> Result:
        from bench import workshop

        return workshop.run(plan.attendees, plan.workshop_rounds)

    def connections() -> Result:
        from bench import connections

        return connections.run(plan.overhead_rounds, plan.quick)

    def soak() -> Result:
        from bench import soak

        return soak.run(plan.soak_cycles, plan.soak_compare_cycles)

    def suite() -> Result:
        from bench import suite_time

        return suite_time.run()

    return {
        "notebook": notebook,
        "overhead": overhead,
        "list": list_scale,
        "waiting": waiting,
        "workshop": workshop,
        "connections": connections,
        "soak": soak,
        "suite": suite,
    }


def _names(text: str) -> list[str]:
    names = [ALIASES.get(n.strip(), n.strip()) for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in NAMES]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown benchmark {unknown}; choose from {NAMES}")
    return names


def _numbers(kind: type) -> Callable[[str], list]:
    def parse(text: str) -> list:
        try:
            return [kind(n.replace("_", "")) for n in text.split(",") if n.strip()]
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from err

    return parse


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--only", type=_names, help=f"comma-separated, from: {', '.join(NAMES)}")
    parser.add_argument("--quick", action="store_true", help="fewer runs, smaller sizes, no suite")
    parser.add_argument("--sizes", type=_numbers(int), help="list sizes, e.g. 100,1000,10000")
    parser.add_argument("--runs", type=int, help="runs/rounds of every benchmark")
    parser.add_argument("--attendees", type=int, default=30, help="workshop size (default 30)")
    parser.add_argument(
        "--provisioning", type=_numbers(float), help="waiting: provisioning seconds per run"
    )
    parser.add_argument(
        "--write-docs",
        nargs="?",
        const=ROOT / "docs" / "benchmarks.md",
        type=Path,
        metavar="PATH",
        help="write the results as Markdown (default docs/benchmarks.md)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the raw results as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    selected = args.only or [n for n in NAMES if not (args.quick and n == "suite")]
    plan = plan_for(args)
    described = machine.describe()
    print(" | ".join(f"{k}: {v}" for k, v in described.items()), flush=True)
    available = benchmarks(plan)
    results: list[Result] = []
    started = time.perf_counter()
    for name in selected:
        print(f"\n… {name}", flush=True)
        begin = time.perf_counter()
        try:
            result = available[name]()
        except Exception as err:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            result = Result(name, name, skipped=f"failed: {type(err).__name__}: {err}")
        result.seconds = time.perf_counter() - begin
        results.append(result)
        print(result.text(), flush=True)
    total = time.perf_counter() - started
    missed = [(r.title, t) for r in results for t in r.targets if not t.met]
    print(
        f"\nTotal {total:.0f} s. Targets: {sum(len(r.targets) for r in results) - len(missed)} met, "
        f"{len(missed)} missed"
        + "".join(
            f"\n  missed: {title}: {t.what} {t.measured()} ({t.goal()})" for title, t in missed
        )
    )
    command = "python -m bench " + shlex.join(sys.argv[1:] if argv is None else argv)
    if args.write_docs:
        write_docs(args.write_docs, results, described, command.strip(), total)
        print(f"wrote {args.write_docs}")
    if args.json:
        payload = {"machine": described, "command": command, "total_seconds": total}
        payload["results"] = [asdict(r) for r in results]
        args.json.write_text(json.dumps(payload, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
