"""`python -m bench.serve_with {hypercorn,werkzeug} serve …`: the emulator's `serve`, on either server.

For before/after figures in one benchmark run: `werkzeug` is the former server
(`bench.legacy_server`), `hypercorn` the current one; every other argument goes to
`python -m aci_emulator`.
"""

from __future__ import annotations

import sys

from aci_emulator import __main__ as serve
from aci_emulator.server import Emulator

SERVERS = ("hypercorn", "werkzeug")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in SERVERS:
        print(f"usage: python -m bench.serve_with {{{','.join(SERVERS)}}} serve ...")
        return 2
    if argv[0] == "werkzeug":
        from bench.legacy_server import LegacyTlsServer

        Emulator.server_class = LegacyTlsServer
    return serve.main(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
