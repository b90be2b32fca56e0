"""`python -m helpers.cleanup`: what interrupted runs left is found by its tags and age, listed,
and deleted only with --yes; nothing untagged and no group the tutorial did not create is touched.

The sweeper runs as its own process, configured as a user would (ACI_TUTORIAL_TARGET=azure and
the server's details in the environment), against a `python -m aci_emulator serve` process that
holds what earlier runs and other people left. Ages are made testable with `created-at` tags in
the past.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from azure.mgmt.containerinstance.models import (
    Container,
    ContainerGroup,
    ResourceRequests,
    ResourceRequirements,
)
from azure.mgmt.resource.resources.models import ResourceGroup
from reliability_kit import (
    IMAGE,
    ROOT,
    admin_clients,
    inventory,
    run_tutorial,
    subprocess_env,
    use_identity,
)

TUTORIAL = "aci-notebook-tutorial"


def tutorial_tags(run: str, age: timedelta) -> dict[str, str]:
    created = datetime.now(timezone.utc) - age
    return {
        "created-by": TUTORIAL,
        "tutorial-run": run,
        "created-at": created.isoformat(timespec="seconds"),
    }


OLD, RECENT = timedelta(hours=5), timedelta(minutes=10)

# resource group -> (its tags, {container group: its tags})
LANDSCAPE: dict[str, tuple[dict[str, str], dict[str, dict[str, str]]]] = {
    "old-run-rg": (tutorial_tags("old001", OLD), {"old001-cg": tutorial_tags("old001", OLD)}),
    "recent-run-rg": (
        tutorial_tags("new001", RECENT),
        {"new001-cg": tutorial_tags("new001", RECENT)},
    ),
    "team-rg": (
        {"team": "platform"},
        {
            "stray-tutorial-cg": tutorial_tags("old002", OLD),
            "team-app": {"team": "platform"},
            "untagged-app": {},
            "no-date-cg": {"created-by": TUTORIAL, "tutorial-run": "old004"},
            "bad-date-cg": {**tutorial_tags("old005", OLD), "created-at": "yesterday"},
            "no-run-cg": {
                k: v for k, v in tutorial_tags("old006", OLD).items() if k != "tutorial-run"
            },
        },
    ),
    "old-run-with-guest-rg": (
        tutorial_tags("old003", OLD),
        {"old003-cg": tutorial_tags("old003", OLD), "guest-app": {"owner": "bob"}},
    ),
    "lookalike-rg": ({**tutorial_tags("old007", OLD), "created-by": "someone-else"}, {}),
    "untagged-rg": ({}, {}),
}


KEPT_BECAUSE = {
    "team-rg": "not the tutorial's (no tutorial tags)",
    "team-app": "no tutorial tags",
    "untagged-app": "no tags",
    "no-date-cg": "no created-at: not provably old",
    "bad-date-cg": "created-at unreadable: not provably old",
    "no-run-cg": "no tutorial-run tag: not provably a tutorial run's",
    "old-run-with-guest-rg": "it also holds 'guest-app', which no run tagged",
    "guest-app": "no tutorial tags",
    "lookalike-rg": "created-by names someone else",
    "untagged-rg": "no tags",
}


def container_group(tags: dict[str, str]) -> ContainerGroup:
    return ContainerGroup(
        location="eastus",
        os_type="Linux",
        tags=tags,
        containers=[
            Container(
                name="app",
                image=IMAGE,
                resources=ResourceRequirements(
                    requests=ResourceRequests(cpu=0.1, memory_in_gb=0.1)
                ),
            )
        ],
    )


def describe(tags: dict[str, str]) -> str:
    """Tags as a reader needs them: whose, which run, how old."""
    if not tags:
        return "none"
    parts = []
    for key, value in tags.items():
        if key == "created-at":
            try:
                age = datetime.now(timezone.utc) - datetime.fromisoformat(value)
            except ValueError:
                parts.append(f"created-at={value}")
                continue
            minutes = round(age.total_seconds() / 60)
            parts.append(
                f"created {minutes} min ago" if minutes < 120 else f"created {minutes // 60} h ago"
            )
        else:
            parts.append(f"{key}={value}")
    return ", ".join(parts)


def sweeper(server, tmp_path, *args: str) -> list[str]:
    """Run the CLI as a user would, from a folder with no .env; its report lines."""
    result = subprocess.run(
        [sys.executable, "-m", "helpers.cleanup", *args],
        cwd=tmp_path,
        env=subprocess_env({**server.env, "PYTHONPATH": str(ROOT)}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert server.info["client_secret"] not in result.stdout + result.stderr
    assert "local emulator server" in result.stdout  # a server, reached as live Azure is
    assert "credential DefaultAzureCredential" in result.stdout
    return result.stdout.splitlines()


def entries(lines: list[str]) -> dict[str, str]:
    """label -> action, from the report's rows ("  found    resource group 'x'  run …")."""
    found = {}
    for line in lines:
        words = line.split()
        if words and words[0] in ("found", "deleted", "kept", "gone"):
            label = line.strip()[len(words[0]) :].strip().split("  ")[0]
            found[label] = words[0]
    return found


@pytest.fixture(scope="module")
def referee(server):
    return admin_clients(server.info)


def test_the_sweeper_lists_then_deletes_only_old_tagged_leftovers(
    server, referee, tmp_path, monkeypatch, reliability_report
):
    resources, aci = referee
    for rg, (rg_tags, groups) in LANDSCAPE.items():
        resources.resource_groups.create_or_update(
            rg, ResourceGroup(location="eastus", tags=rg_tags)
        )
        for name, tags in groups.items():
            aci.container_groups.begin_create_or_update(rg, name, container_group(tags)).result()
    # A real run interrupted after step 4 (the kernel died): its own tags, created just now.
    use_identity(monkeypatch, server.env)
    interrupted = run_tutorial(server.env, interrupt_after="4 create")
    assert interrupted.completed[-1] == "4 create" and interrupted.cleanup is None
    start = inventory(referee)
    assert (interrupted.resource_group, interrupted.names.container_group) in start[1]

    listed = entries(sweeper(server, tmp_path, "--older-than", "2h"))

    assert listed == {
        "resource group 'old-run-rg'": "found",
        "resource group 'old-run-with-guest-rg'": "kept",
        "container group 'stray-tutorial-cg' in 'team-rg'": "found",
        "container group 'old003-cg' in 'old-run-with-guest-rg'": "found",
    }
    assert inventory(referee) == start  # listing deletes nothing

    deleted = entries(sweeper(server, tmp_path, "--older-than", "2h", "--yes"))

    assert deleted == {label: "deleted" if a == "found" else a for label, a in listed.items()}
    after_2h = inventory(referee)
    assert after_2h[0] == start[0] - {"old-run-rg"}
    assert after_2h[1] == start[1] - {
        ("old-run-rg", "old001-cg"),
        ("team-rg", "stray-tutorial-cg"),
        ("old-run-with-guest-rg", "old003-cg"),
    }

    recent = entries(sweeper(server, tmp_path, "--older-than", "5m", "--yes"))
    assert recent == {
        "resource group 'recent-run-rg'": "deleted",
        "resource group 'old-run-with-guest-rg'": "kept",
    }
    after_5m = inventory(referee)
    everything = entries(sweeper(server, tmp_path, "--older-than", "0m", "--yes"))
    assert everything == {
        f"resource group '{interrupted.resource_group}'": "deleted",
        "resource group 'old-run-with-guest-rg'": "kept",
    }

    final = inventory(referee)
    assert final[0] == {"team-rg", "old-run-with-guest-rg", "lookalike-rg", "untagged-rg"}
    assert final[1] == {
        ("team-rg", name)
        for name in ("team-app", "untagged-app", "no-date-cg", "bad-date-cg", "no-run-cg")
    } | {("old-run-with-guest-rg", "guest-app")}
    # Untouched means untouched: the survivors keep their tags.
    assert resources.resource_groups.get("team-rg").tags == {"team": "platform"}
    assert aci.container_groups.get("old-run-with-guest-rg", "guest-app").tags == {"owner": "bob"}

    snapshots = [
        ("`--older-than 2h --yes`", after_2h),
        ("`--older-than 5m --yes`", after_5m),
        ("`--older-than 0m --yes`", final),
    ]

    def outcome(rg: str, cg: str | None = None) -> str:
        for step, (groups, container_groups) in snapshots:
            if cg is None and rg not in groups:
                return f"deleted by {step}"
            if cg is not None and (rg, cg) not in container_groups:
                whole = "with its resource group " if rg not in groups else ""
                return f"deleted {whole}by {step}"
        return f"kept by every sweep: {KEPT_BECAUSE[cg or rg]}"

    for rg, (rg_tags, groups) in LANDSCAPE.items():
        label = f"resource group '{rg}'"
        reliability_report.swept(label, describe(rg_tags), listed.get(label, "no"), outcome(rg))
        for name, tags in groups.items():
            label = f"container group '{name}' in '{rg}'"
            shown = (
                "with its resource group"
                if listed.get(f"resource group '{rg}'") == "found"
                else "no"
            )
            reliability_report.swept(
                label, describe(tags), listed.get(label, shown), outcome(rg, name)
            )
    reliability_report.swept(
        "a real run interrupted after step 4: its resource group and container group",
        "created-by, tutorial-run, created-at (seconds before)",
        "no",
        outcome(interrupted.resource_group),
    )
