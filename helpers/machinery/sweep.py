"""Find, and on request delete, what interrupted runs left behind.

Every run tags what it creates with ``created-by``, ``tutorial-run`` and ``created-at``; only
resources carrying those tags, older than a threshold and not of the current run, are touched.
A tagged resource group is deleted whole only when everything in it is such a leftover too;
otherwise it stays, and its tagged container groups are deleted one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from ..cleanup import RUN_TAG
from ..context import CREATED_BY
from .display import resource_group_of
from .errors import explain_errors
from .report import CleanupReport
from .waiting import wait_for

TAG_FILTER = f"tagName eq 'created-by' and tagValue eq '{CREATED_BY}'"


@dataclass(frozen=True)
class Leftover:
    """A tagged resource of an earlier run."""

    kind: str  # "resource group" or "container group"
    name: str
    resource_group: str
    run_id: str
    created_at: datetime | None
    keep: str = ""  # why an old resource group stays: it holds resources that are not leftovers

    @property
    def label(self) -> str:
        where = "" if self.kind == "resource group" else f" in {self.resource_group!r}"
        return f"{self.kind} {self.name!r}{where}"


def _created_at(tags: dict[str, str]) -> datetime | None:
    try:
        created = datetime.fromisoformat(tags.get("created-at", ""))
    except ValueError:
        return None
    return created if created.tzinfo else created.replace(tzinfo=timezone.utc)


def _is_old(tags: dict[str, str], cutoff: datetime, current_run: str) -> bool:
    created = _created_at(tags)
    run = tags.get(RUN_TAG)
    # Without all three tags or a readable creation time it is not provably an old run's: it stays.
    return (
        tags.get("created-by") == CREATED_BY
        and bool(run)
        and run != current_run
        and created is not None
        and created <= cutoff
    )


def _not_leftovers_in(ctx: Any, group: str, cutoff: datetime) -> list[str]:
    """Resources in a resource group that are not old leftovers themselves (anyone's, any type)."""
    return [
        resource.name
        for resource in ctx.resources.resources.list_by_resource_group(group)
        if not _is_old(dict(resource.tags or {}), cutoff, ctx.run_id)
    ]


def find_leftovers(ctx: Any, older_than: timedelta = timedelta(hours=2)) -> list[Leftover]:
    """Tagged resource groups, and tagged container groups outside them, older than the cutoff.

    A resource group that also holds anything else is listed with ``keep`` set: deleting it would
    delete that too. Its own tagged container groups are then listed one by one.
    """
    cutoff = (
        getattr(ctx, "now", lambda: datetime.now(timezone.utc))() - older_than
    )  # the tags' clock
    found: list[Leftover] = []
    with explain_errors():
        for group in ctx.resources.resource_groups.list(filter=TAG_FILTER):
            tags = dict(group.tags or {})
            if _is_old(tags, cutoff, ctx.run_id):
                others = sorted(_not_leftovers_in(ctx, group.name, cutoff))
                shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
                keep = f"it also holds what no old run left: {shown}" if others else ""
                found.append(
                    Leftover(
                        "resource group",
                        group.name,
                        group.name,
                        tags[RUN_TAG],
                        _created_at(tags),
                        keep,
                    )
                )
        swept = {f.resource_group.lower() for f in found if not f.keep}
        for group in ctx.aci.container_groups.list():
            tags = dict(group.tags or {})
            rg = resource_group_of(group.id) or ""
            if tags.get("created-by") != CREATED_BY or rg.lower() in swept:
                continue  # not ours, or deleted with its resource group anyway
            if _is_old(tags, cutoff, ctx.run_id):
                found.append(
                    Leftover("container group", group.name, rg, tags[RUN_TAG], _created_at(tags))
                )
    return found


def sweep(
    ctx: Any,
    older_than: timedelta = timedelta(hours=2),
    *,
    delete: bool = False,
    how_to_delete: str = "sweep(..., delete=True) deletes it",
) -> CleanupReport:
    """Report leftovers of earlier runs; delete them only with ``delete=True``.

    ``how_to_delete`` is the hint a listing gives: a command line names its own flag.
    """
    report = CleanupReport(title=f"Leftovers of earlier runs (older than {older_than})")
    for item in find_leftovers(ctx, older_than):
        age = f"run {item.run_id}, created {item.created_at:%Y-%m-%d %H:%M} UTC"
        if item.keep:
            report.add("kept", item.label, f"{age}; {item.keep}")
            continue
        if not delete:
            report.add("found", item.label, f"{age}; {how_to_delete}")
            continue
        with explain_errors():
            if item.kind == "resource group":
                poller = ctx.resources.resource_groups.begin_delete(item.name)
            else:
                poller = ctx.aci.container_groups.begin_delete(item.resource_group, item.name)
            wait_for(poller, f"delete {item.label}")
        report.add("deleted", item.label, age)
    return report
