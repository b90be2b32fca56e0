"""requirements-dev.txt installs on every Python and platform the README promises.

pip resolves for an interpreter and a machine it is not running on with `--python-version`,
`--platform` and `--only-binary=:all:` (wheel tags and Requires-Python follow them). Environment
markers do not: pip evaluates them against the interpreter running pip, so a 3.11.7 host would
resolve `python_full_version < "3.11.5"` and the `python_version < "3.11"` dependencies of aiohttp,
anyio or pytest as 3.11.7 would. Each resolution therefore runs pip with the marker environment
of its target in place of the host's (see RESOLVE below).

Each resolution asserts that pip finds a solution and that every package it picks is pinned in
constraints.txt at that version: what the tested environment holds is what a workshop laptop
gets, with no unpinned newcomer pulled in on one platform only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from newcomer_kit import ROOT
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

# Ubuntu 22.04 has 3.10.12 and Debian 12 3.11.2; soupsieve needs 3.11.5 from its 4.x releases;
# 3.12 and 3.13 from their first release.
PYTHONS = ["3.10.12", "3.11.2", "3.11.5", "3.12.0", "3.13.0"]


@dataclass(frozen=True)
class Machine:
    name: str
    tags: tuple[str, ...]  # pip's --platform values
    markers: dict[str, str]  # the marker variables that follow the operating system


# glibc 2.17 (manylinux2014) up to Debian 12's 2.36: pip does not widen a manylinux_2_N tag itself.
LINUX_TAGS = ("manylinux2014_x86_64", *(f"manylinux_2_{n}_x86_64" for n in range(17, 37)))
MACHINES = [
    Machine(
        "linux-x86_64",
        LINUX_TAGS,
        {"os_name": "posix", "sys_platform": "linux", "platform_system": "Linux"}
        | {"platform_machine": "x86_64"},
    ),
    Machine(
        "macos-arm64",
        ("macosx_14_0_arm64",),  # pip widens a macosx tag to universal2 and older releases
        {"os_name": "posix", "sys_platform": "darwin", "platform_system": "Darwin"}
        | {"platform_machine": "arm64"},
    ),
    Machine(
        "macos-x86_64",
        ("macosx_13_0_x86_64",),
        {"os_name": "posix", "sys_platform": "darwin", "platform_system": "Darwin"}
        | {"platform_machine": "x86_64"},
    ),
    Machine(
        "windows-amd64",
        ("win_amd64",),
        {"os_name": "nt", "sys_platform": "win32", "platform_system": "Windows"}
        | {"platform_machine": "AMD64"},
    ),
]

# pip run with the target's marker environment: its vendored packaging computes the host's
# environment in one cached function, which every marker evaluation and the report call.
RESOLVE = """
import json, sys
from pip._vendor.packaging import markers
target = json.loads(sys.argv[1])
markers._cached_default_environment = lambda: target
from pip._internal.cli.main import main
sys.exit(main(sys.argv[2:]))
"""


def marker_environment(python: str, machine: Machine) -> dict[str, str]:
    return {
        "implementation_name": "cpython",
        "implementation_version": python,
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_version": "",
        "python_full_version": python,
        "python_version": ".".join(python.split(".")[:2]),
        **machine.markers,
    }


def resolve(python: str, machine: Machine, target: Path) -> subprocess.CompletedProcess[str]:
    """pip's dry-run install report of requirements-dev.txt for that Python on that machine."""
    platforms = [arg for tag in machine.tags for arg in ("--platform", tag)]
    command = [
        *("install", "--dry-run", "--ignore-installed", "--report", "-", "--quiet"),
        *("--disable-pip-version-check", "--target", str(target)),
        *("--python-version", python, "--implementation", "cp", *platforms),
        *("--only-binary=:all:", "-r", str(ROOT / "requirements-dev.txt")),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    return subprocess.run(
        [sys.executable, "-c", RESOLVE, json.dumps(marker_environment(python, machine)), *command],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )


def constraint_pins(python: str, machine: Machine) -> dict[str, str]:
    """constraints.txt's pins that apply to that Python on that machine: name -> version."""
    pins = {}
    environment = marker_environment(python, machine)
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate(environment):
            continue
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", line
        name = canonicalize_name(requirement.name)
        assert name not in pins, f"two pins of {name} apply to Python {python} on {machine.name}"
        pins[name] = specifier.version
    return pins


TARGETS = [(python, machine) for python in PYTHONS for machine in MACHINES]


@pytest.fixture(scope="module")
def resolutions(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], object]:
    """Every target resolved once, concurrently: each waits on PyPI more than on the CPU."""
    work = tmp_path_factory.mktemp("resolve")

    def one(target: tuple[str, Machine]) -> subprocess.CompletedProcess[str]:
        python, machine = target
        return resolve(python, machine, work / f"{python}-{machine.name}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = pool.map(one, TARGETS)
        return {(p, m.name): r for (p, m), r in zip(TARGETS, results, strict=True)}


@pytest.mark.parametrize(("python", "machine"), TARGETS, ids=lambda t: getattr(t, "name", t))
def test_requirements_resolve_to_the_constraints(resolutions, python: str, machine: Machine):
    run = resolutions[(python, machine.name)]
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout)
    assert report["environment"]["python_full_version"] == python  # markers saw the target
    picked = {
        canonicalize_name(item["metadata"]["name"]): item["metadata"]["version"]
        for item in report["install"]
    }
    pins = constraint_pins(python, machine)
    unpinned = sorted(set(picked) - set(pins))
    assert not unpinned, f"not pinned in constraints.txt for {python} on {machine.name}: {unpinned}"
    assert {name: pins[name] for name in picked} == picked
    assert {"jupyterlab", "azure-mgmt-containerinstance", "pytest"} <= set(picked)


def test_pip_ignores_the_target_python_for_markers_without_the_swap(tmp_path):
    """Why RESOLVE exists: plain pip evaluates a python_full_version marker on the host."""
    marker = Marker('python_full_version < "3.11.5"')
    on_host = marker.evaluate()
    target = "3.13.0" if on_host else "3.11.2"  # a target on the marker's other side
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"packaging==24.2; {marker}\n")
    platforms = [arg for tag in MACHINES[0].tags for arg in ("--platform", tag)]
    command = [
        *(sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed"),
        *("--report", "-", "--quiet", "--disable-pip-version-check"),
        *("--target", str(tmp_path / "t"), "--python-version", target, *platforms),
        *("--only-binary=:all:", "-r", str(requirements)),
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["environment"]["python_full_version"] != target  # the host's, not the target's
    assert bool(report["install"]) == on_host != marker.evaluate({"python_full_version": target})
