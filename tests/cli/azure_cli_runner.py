"""Run the real Azure CLI in a subprocess against an emulator server, keeping every output."""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from aci_emulator.testing import ServerProcess

# A command that takes longer than this waited on a default 30 s polling interval (or hung).
COMMAND_SECONDS = 20.0


@dataclass
class AzResult:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def json(self) -> Any:
        return json.loads(self.stdout)


@dataclass
class AzRunner:
    """Runs `az` with its own config directory; keeps every output for later checks."""

    executable: Path
    env: dict[str, str]
    server: ServerProcess
    history: list[AzResult] = field(default_factory=list)

    def __call__(self, *args: str, check: bool = True, output: str | None = "json") -> AzResult:
        command = [str(self.executable), *args, "--only-show-errors"]
        if output:
            command += ["--output", output]
        started = time.monotonic()
        try:
            done = subprocess.run(
                command, env=self.env, capture_output=True, text=True, timeout=120
            )
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"`az {' '.join(args)}` did not finish in 120 s.\n"
                f"Emulator log:\n{self.server.log_tail()}"
            )
        result = AzResult(
            list(args), done.returncode, done.stdout, done.stderr, time.monotonic() - started
        )
        self.history.append(result)
        if check and result.returncode != 0:
            pytest.fail(
                f"`az {' '.join(args)}` exited with {result.returncode}.\n"
                f"stderr:\n{result.stderr[-3000:]}\nstdout:\n{result.stdout[-2000:]}\n"
                f"Emulator log:\n{self.server.log_tail()}"
            )
        assert result.seconds < COMMAND_SECONDS, (
            f"`az {' '.join(args)}` took {result.seconds:.1f} s: a long-running operation waited "
            f"on the CLI's default 30 s polling (no small Retry-After?).\n"
            f"Emulator log:\n{self.server.log_tail()}"
        )
        return result

    def all_output(self) -> str:
        return "\n".join(r.stdout + "\n" + r.stderr for r in self.history)
