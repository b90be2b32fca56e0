"""Create only what is missing, tag it, and delete only what this run created.

A resource group that existed before the run, and everything else in it, survives cleanup; so
does a group this run created while it holds anything this run did not create. A container group
is deleted only when its ``tutorial-run`` tag names this run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.resource.resources.models import ResourceGroup

from ..machinery.errors import explain_errors
from ..machinery.report import CleanupReport
from ..machinery.waiting import wait_for

RUN_TAG = "tutorial-run"


@dataclass(frozen=True)
class ResourceGroupRecord:
    """The resource group a run uses, and whether this run created it."""

    name: str
    location: str
    created: bool
    run_id: str
    tags: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        tags = ", ".join(f"{k}={v}" for k, v in self.tags.items()) or "none"
        if self.created:
            return (
                f"Created resource group {self.name!r} in {self.location} for this run.\n"
                f"Tags: {tags}\n"
                "The cleanup step deletes it."
            )
        return (
            f"Using the existing resource group {self.name!r} in {self.location}.\n"
            f"Tags: {tags}\n"
            "The cleanup step keeps it, and everything in it that this run did not create."
        )

    def __repr__(self) -> str:
        return str(self)


def ensure_resource_group(ctx: Any, name: str | None = None) -> ResourceGroupRecord:
    """Create the resource group only if it is absent, tagged with this run's id.

    ``ctx`` is an AzureContext; ``name`` defaults to ``ctx.resource_group``.
    """
    name = name or ctx.resource_group
    groups = ctx.resources.resource_groups
    with explain_errors():
        if groups.check_existence(name):  # HEAD: 204 exists, 404 absent
            existing = groups.get(name)
            return ResourceGroupRecord(
                name, existing.location, False, ctx.run_id, dict(existing.tags or {})
            )
        # 201 means this PUT created it; 200 means someone else did since the HEAD.
        status, created = groups.create_or_update(
            name,
            ResourceGroup(location=ctx.location, tags=ctx.tags()),
            cls=lambda response, body, _headers: (response.http_response.status_code, body),
        )
    return ResourceGroupRecord(
        name, created.location, status == 201, ctx.run_id, dict(created.tags or {})
    )


def _delete_container_group(
    ctx: Any, report: CleanupReport, group: str, name: str, stream: TextIO | None
) -> None:
    what = f"container group {name!r}"
    try:
        found = ctx.aci.container_groups.get(group, name)
    except ResourceNotFoundError:
        report.add("gone", what, "not found: already deleted, or never created")
        return
    if (found.tags or {}).get(RUN_TAG) != ctx.run_id:
        report.add("kept", what, "not created by this run (its tutorial-run tag differs)")
        return
    wait_for(ctx.aci.container_groups.begin_delete(group, name), f"delete {what}", stream=stream)
    report.add("deleted", what, "created by this run")


def clean_up(
    ctx: Any,
    resource_group: ResourceGroupRecord,
    container_groups: Iterable[str] = (),
    *,
    stream: TextIO | None = None,
) -> CleanupReport:
    """Delete this run's container groups, and the resource group only if this run created it.

    The SDK calls: ``container_groups.get`` (its ``tutorial-run`` tag) then ``begin_delete`` for
    each container group; ``resource_groups.check_existence`` and ``get``,
    ``resources.list_by_resource_group`` (anything this run did not create keeps the group) and
    ``resource_groups.begin_delete``, each poller awaited with ``wait_for``.
    """
    report = CleanupReport()
    name = resource_group.name
    what = f"resource group {name!r}"
    groups = ctx.resources.resource_groups
    with explain_errors():
        if not groups.check_existence(name):
            report.add("gone", what, "not found: already deleted")
            return report
        for container_group in container_groups:
            _delete_container_group(ctx, report, name, container_group, stream)
        if not resource_group.created:
            why = (
                "it existed before this run looked for it: ensure_resource_group did not create it"
            )
            report.add("kept", what, why)
            return report
        if (groups.get(name).tags or {}).get(RUN_TAG) != resource_group.run_id:
            report.add("kept", what, "its tutorial-run tag no longer names this run")
            return report
        # Someone may have put their own resources in it since (a shared, named group):
        # deleting the group would delete those too.
        others = sorted(
            resource.name
            for resource in ctx.resources.resources.list_by_resource_group(name)
            if (resource.tags or {}).get(RUN_TAG) != resource_group.run_id
        )
        if others:
            shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
            report.add("kept", what, f"it also holds what this run did not create: {shown}")
            return report
        wait_for(groups.begin_delete(name), f"delete {what}", stream=stream)
    report.add("deleted", what, "created by this run (with everything in it)")
    return report
