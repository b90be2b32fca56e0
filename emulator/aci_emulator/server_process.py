"""The emulator in a process of its own, as a user runs it, and a raw token from it: the one
starter and the one token helper of the project's tests and benchmarks (also exported by
`aci_emulator.testing`)."""

from __future__ import annotations

import contextlib
import json
import signal
import ssl
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

from aci_emulator.identity import PUBLIC_AUDIENCES
from aci_emulator.server import EmulatorInfo

Output = Path | int | None  # a file to write, or subprocess.PIPE / DEVNULL / None (inherited)


class ServerProcess:
    """`python -m aci_emulator serve --port 0 --no-image-lookup --info-file F` in its own process,
    as a user starts it (for the Azure CLI, a workshop, a benchmark), until `stop()`.

    `command` replaces the module run (e.g. `[sys.executable, "-m", "bench.serve_with",
    "werkzeug", "serve", "--port", "0"]`), `args` are added to it; the info file's JSON is
    `info` once written in full. No registry lookups by default: tests must not need the network.
    """

    def __init__(
        self,
        workdir: Path,
        *args: str,
        command: Sequence[str] | None = None,
        env: Mapping[str, str] | None = None,
        stdout: Output = subprocess.DEVNULL,
        stderr: Output = subprocess.DEVNULL,
        name: str = "emulator",
    ) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.info_file = workdir / f"{name}-info.json"
        serve = [sys.executable, "-m", "aci_emulator", "serve", "--port", "0", "--no-image-lookup"]
        self.command = [*(command or serve), *args, "--info-file", str(self.info_file)]
        self.process_env = dict(env) if env is not None else None
        self.stdout, self.stderr = stdout, stderr
        self.process: subprocess.Popen[str] | None = None
        self.info: dict[str, str] = {}

    def start(self, timeout: float = 60.0) -> dict[str, str]:
        """Start it and wait for its info file (a guard against hangs, not a measurement)."""
        self.info_file.unlink(missing_ok=True)  # one left by an earlier run is not this one's
        with contextlib.ExitStack() as files:
            outputs = [
                files.enter_context(open(o, "w")) if isinstance(o, Path) else o
                for o in (self.stdout, self.stderr)
            ]
            self.process = subprocess.Popen(
                self.command,
                stdout=outputs[0],
                stderr=outputs[1],
                env=self.process_env,
                text=True,
                start_new_session=True,  # a Ctrl-C at the terminal is for the test run
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            exited = self.process.poll() is not None  # before reading: it may write, then exit
            with contextlib.suppress(FileNotFoundError, ValueError):  # absent, or half written
                self.info = json.loads(self.info_file.read_text())
                return self.info
            if exited:
                raise RuntimeError(
                    f"{' '.join(self.command[1:4])} exited with {self.process.returncode} "
                    f"before writing {self.info_file.name}:\n{self.log_tail()}"
                )
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"{' '.join(self.command[1:4])} wrote no info file in {timeout} s")

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 15.0) -> int | None:
        """Signal it and wait; kill it if it does not stop. Its exit code."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for pipe in (process.stdout, process.stderr):  # subprocess.PIPE: not read by now
            if pipe is not None:
                pipe.close()
        return process.returncode

    def log_tail(self, lines: int = 40) -> str:
        """The end of its stderr, when that goes to a file."""
        if not isinstance(self.stderr, Path) or not self.stderr.exists():
            return ""
        return "\n".join(self.stderr.read_text(errors="replace").splitlines()[-lines:])

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def raw_token(info: EmulatorInfo | Mapping[str, str], timeout: float = 30.0) -> str:
    """A bearer token for ARM from the emulator's token endpoint, for requests the SDK would not
    send (malformed, hostile, or raw HTTP); `info` as `Emulator.info` or an info file's JSON."""
    values = info.as_dict() if isinstance(info, EmulatorInfo) else dict(info)
    form = {
        "grant_type": "client_credentials",
        "client_id": values["client_id"],
        "client_secret": values["client_secret"],
        "scope": f"{PUBLIC_AUDIENCES[0]}/.default",
    }
    request = urllib.request.Request(
        f"{values['authority_host']}/{values['tenant_id']}/oauth2/v2.0/token",
        data=urllib.parse.urlencode(form).encode(),
        method="POST",
    )
    context = ssl.create_default_context(cafile=values["ca_bundle"])
    with urllib.request.urlopen(request, timeout=timeout, context=context) as answer:
        return json.loads(answer.read())["access_token"]
