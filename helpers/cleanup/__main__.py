"""Command line: find and delete what interrupted tutorial runs left behind.

    python -m helpers.cleanup --older-than 2h         # lists
    python -m helpers.cleanup --older-than 2h --yes   # deletes

Only resources tagged created-by=aci-notebook-tutorial, older than the cutoff, are touched.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import timedelta

from ..context import connect
from ..errors import TutorialError
from .sweep import sweep

_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def duration(text: str) -> timedelta:
    """'90m', '2h' or '1d' as a timedelta."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([mhd])", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration such as 90m, 2h or 1d")
    return timedelta(**{_UNITS[match[2]]: float(match[1])})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.cleanup", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--older-than",
        type=duration,
        default=timedelta(hours=2),
        help="only what was created longer ago than this (90m, 2h, 1d; default 2h)",
    )
    parser.add_argument("--yes", action="store_true", help="delete what is found")
    args = parser.parse_args(argv)
    try:
        with connect() as ctx:
            print(ctx)
            if ctx.emulated:
                print("(a fresh in-process emulator holds no leftovers; set AZURE_SUBSCRIPTION_ID)")
            print(sweep(ctx, args.older_than, delete=args.yes))
    except TutorialError as err:
        print(err, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
