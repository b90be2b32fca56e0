"""Command line: find and delete what interrupted tutorial runs left behind.

    .venv/bin/python -m helpers.cleanup --older-than 2h         # lists
    .venv/bin/python -m helpers.cleanup --older-than 2h --yes   # deletes

Only resources tagged created-by=aci-notebook-tutorial, older than the cutoff, are touched.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import timedelta

from ..context import connect
from ..machinery.errors import TutorialError
from ..machinery.sweep import sweep

EPILOG = """\
where it looks:
  the same subscription as the notebook, read from the environment and from a .env file in
  the current folder or above it (the environment wins): AZURE_SUBSCRIPTION_ID names the
  subscription; ACI_TUTORIAL_TARGET=azure|emulator|auto (default auto: Azure when
  AZURE_SUBSCRIPTION_ID is set); AZURE_RESOURCE_MANAGER_ENDPOINT, AZURE_AUTHORITY_HOST and
  REQUESTS_CA_BUNDLE for a private cloud or an emulator server. Without a subscription it
  looks in a fresh in-process emulator, which holds nothing.

how it signs in:
  DefaultAzureCredential: a service principal in AZURE_TENANT_ID, AZURE_CLIENT_ID and
  AZURE_CLIENT_SECRET (environment or .env), else workload or managed identity, else your
  Azure CLI login (az login), Azure PowerShell or the Azure Developer CLI. It needs the right
  to delete resource groups (Contributor).

without --yes it only lists; with --yes it deletes what it listed."""

_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def duration(text: str) -> timedelta:
    """'90m', '2h' or '1d' as a timedelta."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([mhd])", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration such as 90m, 2h or 1d")
    return timedelta(**{_UNITS[match[2]]: float(match[1])})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.cleanup",
        description=__doc__.splitlines()[0],
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--older-than",
        type=duration,
        default=timedelta(hours=2),
        help="only what was created longer ago than this (90m, 2h, 1d; default 2h)",
    )
    parser.add_argument("--yes", action="store_true", help="delete what is found (else: list it)")
    args = parser.parse_args(argv)
    try:
        with connect() as ctx:
            print(f"Looking in: {ctx.where()}")
            if ctx.emulated:
                print("(a fresh in-process emulator holds no leftovers; set AZURE_SUBSCRIPTION_ID)")
            hint = "rerun with --yes to delete it"
            print(sweep(ctx, args.older_than, delete=args.yes, how_to_delete=hint))
    except TutorialError as err:
        print(err, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
