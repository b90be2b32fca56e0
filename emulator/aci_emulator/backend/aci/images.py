"""What the emulator knows about images: which run as services, which run once, and their logs.

Logs are synthetic: plausible and deterministic for a given image, command and environment,
but no container ever runs. emulator/README.md says so.
"""

from __future__ import annotations

import fnmatch
import pprint
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from aci_emulator.backend.aci import shell
from aci_emulator.backend.aci.models import RegistryCredential

PUBLIC_REGISTRIES = ("mcr.microsoft.com", "docker.io", "index.docker.io", "ghcr.io", "quay.io")

# Top words of the plays aci-wordcount counts (its default is Hamlet). The counts reproduce the
# outputs the Azure documentation shows for this image (e.g. NumWords=3, MinLength=5).
HAMLET = [
    ("the", 990),
    ("and", 702),
    ("of", 628),
    ("to", 610),
    ("I", 544),
    ("you", 495),
    ("a", 453),
    ("my", 441),
    ("in", 399),
    ("HAMLET", 386),
    ("it", 385),
    ("is", 345),
    ("not", 300),
    ("that", 299),
    ("his", 285),
    ("this", 265),
    ("with", 251),
    ("your", 238),
    ("KING", 172),
    ("HORATIO", 127),
    ("CLAUDIUS", 120),
    ("POLONIUS", 113),
    ("LAERTES", 97),
    ("OPHELIA", 90),
    ("GERTRUDE", 82),
    ("ROSENCRANTZ", 69),
    ("GUILDENSTERN", 54),
    ("MARCELLUS", 37),
]
ROMEO = [
    ("the", 762),
    ("I", 551),
    ("and", 549),
    ("to", 489),
    ("a", 460),
    ("of", 398),
    ("my", 360),
    ("is", 322),
    ("in", 317),
    ("that", 301),
    ("thou", 278),
    ("me", 265),
    ("ROMEO", 177),
    ("JULIET", 134),
    ("CAPULET", 119),
    ("Nurse", 104),
    ("MERCUTIO", 88),
    ("BENVOLIO", 64),
    ("LAURENCE", 63),
    ("TYBALT", 38),
    ("MONTAGUE", 35),
    ("BALTHASAR", 27),
]


@dataclass(frozen=True)
class ContainerRun:
    """The inputs that decide what a container does and prints."""

    image: str
    command: tuple[str, ...]
    environment: dict[str, str]
    has_sidecar: bool = False


def registry_of(image: str) -> str:
    first, _, rest = image.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return first.lower()
    return "docker.io"


def is_accessible(image: str, inaccessible: Sequence[str], credential_servers: set[str]) -> bool:
    """A public image is pullable unless it matches a configured pattern; a private one needs a
    registry credential for its server."""
    if any(fnmatch.fnmatch(image, pattern) for pattern in inaccessible):
        return False
    registry = registry_of(image)
    return registry in PUBLIC_REGISTRIES or registry in credential_servers


def servers_without_password(credentials: Iterable[RegistryCredential]) -> set[str]:
    """Servers whose registry credential names a user but no password: what a GET, modify, PUT
    round trip sends, since Azure never returns a password. The pull cannot authenticate (our
    reading: the registry refuses it, so the image is inaccessible)."""
    return {
        c.server.lower() for c in credentials if c.username and not c.password and not c.identity
    }


def repository(image: str) -> str:
    name = image.split("@")[0]
    name = re.sub(r":[\w][\w.-]*$", "", name)
    return name.rsplit("/", 1)[-1]


def runs_once(run: ContainerRun) -> bool:
    """Does the container exit by itself (a task) rather than serve until stopped?"""
    if run.command:
        joined = " ".join(run.command)
        return not re.search(r"sleep (infinity|\d{4,})|while true|tail -f|serve|nginx", joined)
    return repository(run.image) in ("aci-wordcount", "hello-world", "busybox", "alpine")


def exit_code(run: ContainerRun) -> int:
    return shell.exit_status(run.command)


def log_lines(run: ContainerRun, started: datetime) -> list[tuple[datetime, str]]:
    """The container's output, each line with the moment it was written."""
    repo = repository(run.image)
    # The sidecar requests the app's page every 3 s; both log each request at its moment.
    request_times = [started + timedelta(seconds=3 * i) for i in range(1, 4)]
    if run.command and repo not in ("aci-wordcount",):
        lines = _command_output(run.command)
    elif repo == "aci-helloworld":
        timed = [(started, "listening on port 80")]
        if run.has_sidecar:
            timed += [
                (
                    moment,
                    f"::1 - - [{moment:%d/%b/%Y:%H:%M:%S} +0000] "
                    '"HEAD / HTTP/1.1" 200 1663 "-" "curl/7.54.0"',
                )
                for moment in request_times
            ]
        return timed
    elif repo == "aci-tutorial-sidecar":
        return [(moment, line) for moment in request_times for line in _sidecar_screen(moment)]
    elif repo == "aci-wordcount":
        lines = _wordcount(run).splitlines()
    elif repo == "hello-world":
        lines = [
            "",
            "Hello from Docker!",
            "This message shows that your installation appears to be working correctly.",
            "",
        ]
    elif repo == "nginx":
        lines = [
            "/docker-entrypoint.sh: Configuration complete; ready for start up",
            f"{started:%Y/%m/%d %H:%M:%S} [notice] 1#1: nginx/1.27.0",
            f"{started:%Y/%m/%d %H:%M:%S} [notice] 1#1: start worker processes",
        ]
    else:
        lines = []
    return [(started + timedelta(seconds=i // 8), line) for i, line in enumerate(lines)]


def _sidecar_screen(moment: datetime) -> list[str]:
    """What `watch -n 3 curl -I http://localhost` prints for one request to aci-helloworld."""
    return [
        f"{'Every 3s: curl -I http://localhost':<60}{moment:%Y-%m-%d %H:%M:%S}",
        "",
        "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current",
        "                                 Dload  Upload   Total   Spent    Left  Speed",
        "  0  1663    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0",
        "HTTP/1.1 200 OK",
        "X-Powered-By: Express",
        "Accept-Ranges: bytes",
        "Cache-Control: public, max-age=0",
        "Last-Modified: Wed, 29 Nov 2017 06:40:40 GMT",
        'ETag: W/"67f-16006818640"',
        "Content-Type: text/html; charset=UTF-8",
        "Content-Length: 1663",
        f"Date: {moment:%a, %d %b %Y %H:%M:%S} GMT",
        "Connection: keep-alive",
    ]


def _wordcount(run: ContainerRun) -> str:
    text = " ".join(run.command)
    table = ROMEO if "romeo" in text.lower() else HAMLET
    try:
        count = int(run.environment.get("NumWords", "10"))
        min_length = int(run.environment.get("MinLength", "0"))
    except ValueError:
        return "Traceback (most recent call last):\nValueError: NumWords and MinLength must be integers"
    words = [pair for pair in table if len(pair[0]) >= min_length][:count]
    return pprint.pformat(words)  # the script pretty-prints: one pair per line past 80 columns


def _command_output(command: Sequence[str]) -> list[str]:
    """Echo what simple shell commands would print (echo …), nothing otherwise."""
    script = " ".join(command)
    return [m.strip().strip("'\"") for m in re.findall(r"echo ([^;&|]+)", script)]
