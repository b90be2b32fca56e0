"""Sweeping: only tagged resources of earlier runs, older than the cutoff, are touched."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from azure.mgmt.containerinstance.models import (
    Container,
    ContainerGroup,
    ResourceRequests,
    ResourceRequirements,
)
from azure.mgmt.resource.resources.models import ResourceGroup

from helpers import connect, ensure_resource_group, find_leftovers, sweep


def old_tags(run_id: str, hours: float) -> dict[str, str]:
    created = datetime.now(timezone.utc) - timedelta(hours=hours)
    return {
        "created-by": "aci-notebook-tutorial",
        "tutorial-run": run_id,
        "created-at": created.isoformat(timespec="seconds"),
    }


def container_group(tags: dict[str, str]) -> ContainerGroup:
    return ContainerGroup(
        location="eastus",
        os_type="Linux",
        tags=tags,
        containers=[
            Container(
                name="hello",
                image="mcr.microsoft.com/azuredocs/aci-helloworld",
                resources=ResourceRequirements(requests=ResourceRequests(cpu=1, memory_in_gb=1)),
            )
        ],
    )


@pytest.fixture
def ctx():
    with connect(environ={}) as context:
        groups = context.resources.resource_groups
        groups.create_or_update(
            "old-run-rg", ResourceGroup(location="eastus", tags=old_tags("old001", 5))
        )
        groups.create_or_update(
            "recent-rg", ResourceGroup(location="eastus", tags=old_tags("new001", 0.1))
        )
        groups.create_or_update("shared-rg", ResourceGroup(location="eastus", tags={"team": "x"}))
        aci = context.aci.container_groups
        aci.begin_create_or_update(
            "shared-rg", "old-cg", container_group(old_tags("old002", 5))
        ).result()
        aci.begin_create_or_update("shared-rg", "team-cg", container_group({"team": "x"})).result()
        aci.begin_create_or_update(
            "old-run-rg", "inside", container_group(old_tags("old001", 5))
        ).result()
        ensure_resource_group(context)  # the current run's own group is never a leftover
        yield context


def test_leftovers_are_old_tagged_and_of_other_runs(ctx):
    found = {item.label for item in find_leftovers(ctx)}
    assert found == {"resource group 'old-run-rg'", "container group 'old-cg' in 'shared-rg'"}
    assert {item.label for item in find_leftovers(ctx, timedelta(0))} >= {
        "resource group 'recent-rg'"
    }


def test_sweep_reports_first_and_deletes_only_when_asked(ctx):
    report = sweep(ctx)
    assert report.deleted == [] and len(report.entries) == 2
    assert "delete=True" in str(report)
    assert ctx.resources.resource_groups.check_existence("old-run-rg")

    report = sweep(ctx, delete=True)
    assert sorted(report.deleted) == [
        "container group 'old-cg' in 'shared-rg'",
        "resource group 'old-run-rg'",
    ]
    groups = ctx.resources.resource_groups
    assert not groups.check_existence("old-run-rg")
    assert groups.check_existence("shared-rg") and groups.check_existence("recent-rg")
    assert groups.check_existence(ctx.resource_group)
    names = [g.name for g in ctx.aci.container_groups.list_by_resource_group("shared-rg")]
    assert names == ["team-cg"]
