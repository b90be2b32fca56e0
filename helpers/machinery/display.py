"""Readable views of container groups, as HTML in JupyterLab and as plain text elsewhere.

``list()`` results carry no instance view and a definition built locally carries no state at
all, so every field may be None. Secure environment values are never shown.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from enum import Enum

from azure.mgmt.containerinstance.models import Container, ContainerGroup, ContainerState

NONE = "—"
ZERO = timedelta(0)
NOT_IN_LIST = "(not in list results: use get())"


def _text(value: object) -> str:
    if isinstance(value, Enum):  # models accept enums; show "Linux", not the member's name
        value = value.value
    if value is None or value == "":
        return NONE
    if isinstance(value, datetime):  # a space, not "T": it reads better and wraps cleanly
        return value.strftime("%Y-%m-%d %H:%M:%S") + (" UTC" if value.utcoffset() == ZERO else "")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "") -> str:
    """Rows in aligned columns."""
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return indent + "  ".join(f"{c:<{w}}" for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(headers), *(line(r) for r in rows)])


def html_table(headers: Sequence[str], rows: Sequence[Sequence[str]], caption: str = "") -> str:
    """Rows as a small HTML table, everything escaped."""
    left = " style='text-align:left'"
    head = "".join(f"<th{left}>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td{left}>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    cap = f"<caption{left}><b>{html.escape(caption)}</b></caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def resource_group_of(resource_id: str | None) -> str | None:
    """The resource group segment of an ARM resource id."""
    parts = (resource_id or "").split("/")
    lowered = [p.lower() for p in parts]
    if "resourcegroups" in lowered:
        index = lowered.index("resourcegroups") + 1
        return parts[index] if index < len(parts) else None
    return None


def _resources(container: Container) -> str:
    requests = container.resources.requests if container.resources else None
    if requests is None:
        return NONE
    return f"{_text(requests.cpu)} CPU, {_text(requests.memory_in_gb)} GB"


def _environment(container: Container) -> str:
    shown = []
    for variable in container.environment_variables or []:
        # Azure returns a secure variable without any value; a local definition has one in
        # secure_value. Either way only the name is shown.
        plain = variable.value is not None and variable.secure_value is None
        shown.append(f"{variable.name}={variable.value if plain else '(secure)'}")
    return ", ".join(shown) or NONE


def _container_state(container: Container, listed: bool) -> tuple[str, str]:
    view = container.instance_view
    if view is None:
        return (NOT_IN_LIST if listed else NONE), NONE
    return _state_text(view.current_state), _text(view.restart_count)


class ContainerGroupSummary:
    """One container group: state, network, containers and recent events."""

    def __init__(self, group: ContainerGroup) -> None:
        self.group = group

    @property
    def deployed(self) -> bool:
        return self.group.provisioning_state is not None

    @property
    def listed(self) -> bool:
        """From a list() call: deployed, yet without the instance view only get() fills in."""
        return self.deployed and self.group.instance_view is None

    @property
    def title(self) -> str:
        if self.group.name is None:
            return "Container group definition (not sent yet)"
        return f"Container group {self.group.name!r}"

    def fields(self) -> list[tuple[str, str]]:
        g = self.group
        ip = g.ip_address
        if not self.deployed:
            instance_state = "(not deployed yet)"
        elif g.instance_view is None:
            instance_state = NOT_IN_LIST
        else:
            instance_state = _text(g.instance_view.state)
        later = None if self.deployed else "assigned when created"
        ports = ", ".join(
            f"{p.port}/{_text(p.protocol or 'TCP')}" for p in (ip.ports if ip else []) or []
        )
        return [
            ("name", _text(g.name)),
            ("provisioning state", _text(g.provisioning_state)),
            ("instance state", instance_state),
            ("location", _text(g.location)),
            ("OS type", _text(g.os_type)),
            ("restart policy", _text(g.restart_policy)),
            ("IP address", f"{_text(ip.ip or later)} ({_text(ip.type)})" if ip else NONE),
            ("FQDN", _text(ip.fqdn or (later if ip.dns_name_label else None)) if ip else NONE),
            ("DNS name label", _text(ip.dns_name_label) if ip else NONE),
            ("ports", ports or NONE),
            ("tags", ", ".join(f"{k}={v}" for k, v in (g.tags or {}).items()) or NONE),
        ]

    def containers(self) -> tuple[list[str], list[list[str]]]:
        headers = ["container", "image", "resources", "ports", "state", "restarts", "environment"]
        rows = []
        for c in self.group.containers or []:
            state, restarts = _container_state(c, self.listed)
            ports = ", ".join(str(p.port) for p in c.ports or []) or NONE
            rows.append([c.name, c.image, _resources(c), ports, state, restarts, _environment(c)])
        return headers, rows

    def events(self) -> tuple[list[str], list[list[str]]]:
        headers = ["source", "event", "count", "type", "last seen", "message"]
        sources = []
        if self.group.instance_view is not None:
            sources.append((self.group.name or "group", self.group.instance_view.events))
        for c in self.group.containers or []:
            if c.instance_view is not None:
                sources.append((c.name, c.instance_view.events))
        rows = [
            [
                _text(source),
                _text(e.name),
                _text(e.count),
                _text(e.type),
                _text(e.last_timestamp),
                _text(e.message),
            ]
            for source, events in sources
            for e in events or []
        ]
        return headers, rows

    def __str__(self) -> str:
        width = max(len(k) for k, _ in self.fields())
        lines = [self.title]
        lines += [f"  {k:<{width}}  {v}" for k, v in self.fields()]
        lines += ["Containers", text_table(*self.containers(), indent="  ")]
        headers, rows = self.events()
        if rows:
            lines += ["Events", text_table(headers, rows, indent="  ")]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        fields = html_table(["property", "value"], self.fields(), self.title)
        parts = [fields, html_table(*self.containers(), "Containers")]
        headers, rows = self.events()
        if rows:
            parts.append(html_table(headers, rows, "Events"))
        return "\n".join(parts)


class ContainerGroupTable:
    """A compact listing of container groups, as list() returns them (no instance view)."""

    headers = ["name", "resource group", "location", "provisioning", "IP address", "FQDN", "images"]

    def __init__(self, groups: Iterable[ContainerGroup], caption: str = "Container groups") -> None:
        self.groups = list(groups)
        self.caption = caption

    def rows(self) -> list[list[str]]:
        rows = []
        for g in self.groups:
            ip = g.ip_address
            rows.append(
                [
                    _text(g.name),
                    _text(resource_group_of(g.id)),
                    _text(g.location),
                    _text(g.provisioning_state),
                    _text(ip.ip if ip else None),
                    _text(ip.fqdn if ip else None),
                    ", ".join(c.image for c in g.containers or []) or NONE,
                ]
            )
        return rows

    def __len__(self) -> int:
        return len(self.groups)

    def __str__(self) -> str:
        if not self.groups:
            return f"{self.caption}: none"
        return f"{self.caption} ({len(self.groups)})\n" + text_table(
            self.headers, self.rows(), "  "
        )

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        if not self.groups:
            return f"<p><b>{html.escape(self.caption)}</b>: none</p>"
        caption = f"{self.caption} ({len(self.groups)})"
        return html_table(self.headers, self.rows(), caption)


def _state_text(state: ContainerState | None) -> str:
    if state is None or state.state is None:
        return NONE
    text = _text(state.state)
    if state.detail_status:
        text += f" ({state.detail_status})"
    if state.exit_code is not None:
        text += f", exit code {state.exit_code}"
    return text


class ContainerGroupStatus:
    """The instance view only: the group's state, each container's state and latest events.

    Compact enough to show after every lifecycle call (restart, stop, start). Needs a group
    from ``get()``; ``list()`` results and local definitions have no instance view.
    """

    container_headers = ["container", "state", "started", "finished", "restarts"]
    event_headers = ["container", "event", "count", "last seen", "message"]

    def __init__(self, group: ContainerGroup, caption: str = "", last_events: int = 5) -> None:
        self.group = group
        self.caption = caption
        self.last_events = last_events

    @property
    def title(self) -> str:
        view = self.group.instance_view
        state = _text(view.state) if view is not None else "(no instance view: use get())"
        prefix = f"{self.caption}: " if self.caption else ""
        return f"{prefix}container group {self.group.name!r} is {state}"

    def _previous(self) -> dict[str, str]:
        previous = {}
        for c in self.group.containers or []:
            view = c.instance_view
            if view is not None and view.previous_state is not None:
                previous[c.name] = _state_text(view.previous_state)
        return previous

    def containers(self) -> tuple[list[str], list[list[str]]]:
        previous = self._previous()
        headers = self.container_headers + (["previous state"] if previous else [])
        rows = []
        for c in self.group.containers or []:
            view = c.instance_view
            current = view.current_state if view is not None else None
            row = [
                c.name,
                _state_text(current),
                _text(current.start_time if current else None),
                _text(current.finish_time if current else None),
                _text(view.restart_count if view is not None else None),
            ]
            rows.append(row + ([previous.get(c.name, NONE)] if previous else []))
        return headers, rows

    def events(self) -> list[list[str]]:
        """Each container's ``last_events`` latest events, oldest first."""
        rows = []
        for c in self.group.containers or []:
            if c.instance_view is None or self.last_events <= 0:
                continue
            # Events without a timestamp sort first; equal timestamps keep the service's order.
            events = sorted(
                enumerate(c.instance_view.events or []),
                key=lambda item: (
                    item[1].last_timestamp is not None,
                    item[1].last_timestamp or datetime.min,
                    item[0],
                ),
            )
            rows += [
                [
                    _text(c.name),
                    _text(e.name),
                    _text(e.count),
                    _text(e.last_timestamp),
                    _text(e.message),
                ]
                for _, e in events[-self.last_events :]
            ]
        return rows

    def __str__(self) -> str:
        lines = [self.title, text_table(*self.containers(), indent="  ")]
        events = self.events()
        if events:
            lines += ["Latest events", text_table(self.event_headers, events, indent="  ")]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        parts = [html_table(*self.containers(), self.title)]
        events = self.events()
        if events:
            parts.append(html_table(self.event_headers, events, "Latest events"))
        return "\n".join(parts)


def status(group: ContainerGroup, caption: str = "", last_events: int = 5) -> ContainerGroupStatus:
    """The state of a group from ``get()``: the group's, each container's, and their latest
    ``last_events`` events (per container)."""
    return ContainerGroupStatus(group, caption, last_events)


def summarize(group: ContainerGroup) -> ContainerGroupSummary:
    """A view of one container group that displays well in a notebook and as text."""
    return ContainerGroupSummary(group)


def table(
    groups: Iterable[ContainerGroup], caption: str = "Container groups"
) -> ContainerGroupTable:
    """A compact table of container groups, for the results of list()."""
    return ContainerGroupTable(groups, caption)
