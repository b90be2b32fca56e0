"""The report of a cleanup: what it deleted, what it kept, and why."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from .display import html_table, text_table


@dataclass
class CleanupReport:
    """What a cleanup deleted and what it left, and why."""

    entries: list[tuple[str, str, str]] = field(default_factory=list)  # action, what, why
    title: str = "Cleanup"

    def add(self, action: str, what: str, why: str = "") -> None:
        self.entries.append((action, what, why))

    @property
    def deleted(self) -> list[str]:
        return [what for action, what, _ in self.entries if action == "deleted"]

    @property
    def kept(self) -> list[str]:
        return [what for action, what, _ in self.entries if action == "kept"]

    def __str__(self) -> str:
        if not self.entries:
            return f"{self.title}: nothing to do"
        return f"{self.title}\n" + text_table(["action", "resource", "why"], self.entries, "  ")

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        if not self.entries:
            return f"<p><b>{html.escape(self.title)}</b>: nothing to do</p>"
        return html_table(["action", "resource", "why"], self.entries, self.title)
