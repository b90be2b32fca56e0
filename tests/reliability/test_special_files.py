"""`serve --info-file/--env-file` naming something that is not a regular file is refused at once.

Opening a FIFO for reading blocks until a writer comes, so a FIFO at either path once hung
`serve` before it could handle SIGTERM or SIGINT. Whatever is not a regular file (a FIFO, a
Unix socket, a device) is refused from its `lstat`, before it is ever opened: one line, exit 2,
the thing left as it was.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from reliability_kit import REPORT

OBSERVED: list[str] = []


def fifo(folder: Path) -> Path:
    path = folder / "pipe"
    os.mkfifo(path)
    return path


def unix_socket(folder: Path) -> Path:
    path = folder / "sock"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    listener.close()  # the socket file stays
    return path


KINDS: dict[str, Callable[[Path], Path]] = {
    "a FIFO": fifo,
    "a Unix socket": unix_socket,
    "a device": lambda _: Path("/dev/null"),
}


@pytest.mark.parametrize("option", ["--info-file", "--env-file"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_what_is_not_a_regular_file_is_refused_before_it_is_opened(tmp_path, option, kind):
    path = KINDS[kind](tmp_path)
    before = path.lstat()
    process = subprocess.Popen(
        [sys.executable, "-m", "aci_emulator", "serve", "--port", "0", option, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:  # hung on the open: the failure this test is about
            process.kill()
            process.communicate()

    assert process.returncode == 2, (stdout, stderr)
    assert stderr == f"error: {option} {path} is not a regular file (a pipe, a socket or a " + (
        "device); it is never opened. Name another file.\n"
    )
    after = path.lstat()
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)
    OBSERVED.append(f"{kind} at {option}")
    if len(OBSERVED) == 2 * len(KINDS):
        REPORT.hostile_client(
            "`serve --info-file` / `--env-file` naming a FIFO, a Unix socket or a device",
            "refused before it is opened: one line, exit 2, nothing changed",
            "; ".join(OBSERVED) + ": each refused so",
        )
