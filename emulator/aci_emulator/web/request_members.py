"""Which members a container group's request may hold, read from the vendored REST specs.

Container Instances deserializes a body strictly: a member its types do not have is refused,
naming the member, the type and the path ("Could not find member 'medium' on object of type
'EmptyDirVolume'": virtual-kubelet/virtual-kubelet#64; 'identity' inside the group's properties:
prefect-archive/prefect-azure#103). Its types are one model for every api-version: a member a
version lacks is deserialized and then refused by a rule naming the version ("The secure
environment variable is not supported before version '2018-06-01'": Azure/azure-cli#6643). So a
member is known when any vendored spec defines it at its place (our reading of that evidence).

An object whose schema declares `properties` (even none, as EmptyDirVolume) is closed; one
with `additionalProperties` is a map whose values are read by that schema; one with neither
(an extension's `settings`) is free-form. Read-only members are known: a GET, modify, PUT round
trip sends them back. The envelope (id, name, tags, identity...) is ARM's and is not checked.

That union is derived from the specs ahead of time (derive_spec_tables.py, which says how) and
read here from spec_tables.json: one small file, not 26 specs, on a process's first create.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from aci_emulator.web import api_specs

Schema = dict[str, Any]
_INDEX = re.compile(r"\[\d+\]")


class UnknownMember(ValueError):
    """A member no vendored spec defines at its place."""

    def __init__(self, member: str, type_name: str, path: str) -> None:
        super().__init__(
            f"Could not find member '{member}' on object of type '{type_name}'. Path '{path}'"
        )


def applies_to(api_version: str | None) -> bool:
    """Checked up to the newest vendored version: a newer one may define members we lack."""
    versions = api_specs.vendored_versions()
    return bool(api_version and versions) and api_version[:10] <= versions[-1][:10]


def check_properties(props: dict[str, Any], also_known: frozenset[str] = frozenset()) -> None:
    """Raise UnknownMember at the first member of the group's properties no spec defines;
    members at a place `also_known` names (lowercase dotted paths below the group's properties,
    without indices: 'imageregistrycredentials.isdelegatedidentity') are taken as they are."""
    # An explicit stack, in document order (the first unknown member is the one Json.NET meets):
    # however deep the body, no recursion. A member is looked up when its turn comes.
    stack: list[tuple[Any, Shape | tuple[Shape, str], str]] = [
        (props, _group_properties(), "properties")
    ]
    while stack:
        value, shape, path = stack.pop()
        if isinstance(shape, tuple):
            parent, key = shape
            found = parent.members.get(key.lower()) or parent.values
            if found is None:
                if _shape_path(path) in also_known:
                    continue
                raise UnknownMember(key, parent.type_name, path)
            shape = found
        if isinstance(value, list):
            if shape.items is not None:
                items = [(v, shape.items, f"{path}[{i}]") for i, v in enumerate(value)]
                stack.extend(reversed(items))
        elif isinstance(value, dict) and not shape.free:
            members = [(item, (shape, key), f"{path}.{key}") for key, item in value.items()]
            stack.extend(reversed(members))


def fold(body: Any) -> Any:
    """A container group's body with every member name spelled as the specs spell it.

    Azure reads member names in any case (Json.NET): 'IpAddress' is 'ipAddress', and must meet
    its types and rules. Folded once, when the body is read, so that the type checks, the rules
    and the store see one spelling. Of two spellings of one member the last wins, as Json.NET
    sets a member again (our reading). Map keys (tags, identities), free-form objects and
    members no spec knows (refused later, by their name as sent) are kept as they are.
    """
    if not isinstance(body, dict):
        return body
    folded: dict[str, Any] = {}
    # An explicit stack of (value sent, its shape, the container its folded copy fills).
    stack: list[tuple[Any, Shape, Any]] = [(body, _group(), folded)]
    while stack:
        value, shape, into = stack.pop()
        if isinstance(value, list):
            into.extend(_folding(item, shape.items, stack) for item in value)
            continue
        for key, item in value.items():
            lower = key.lower()
            if lower in shape.members:
                into[shape.spelling[lower]] = _folding(item, shape.members[lower], stack)
            else:
                into[key] = _folding(item, shape.values, stack)
    return folded


def _folding(value: Any, shape: Shape | None, stack: list) -> Any:
    """The value, or an empty copy to fill (pushed on the stack) when it has names to fold."""
    if shape is None:
        return value
    if isinstance(value, dict) and not shape.free:
        copy: Any = {}
    elif isinstance(value, list) and shape.items is not None:
        copy = []
    else:
        return value
    stack.append((value, shape, copy))
    return copy


class Shape:
    """What every vendored spec together lets a place of the body hold."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name
        self.free = True  # a free-form object, or no object at all: not checked
        self.members: dict[str, Shape] = {}  # by lowercase name
        self.spelling: dict[str, str] = {}  # lowercase name: as the newest spec spells it
        self.values: Shape | None = None  # a map's values
        self.items: Shape | None = None  # an array's items


def _group_properties() -> Shape:
    return _group().members["properties"]


@functools.cache
def _group() -> Shape:
    """A whole container group's body: ARM's envelope, and the group's properties."""
    return _shape(api_specs.tables()["request_shape"])


def _shape(node: Schema) -> Shape:
    """A place of the body as spec_tables.json records it (nested at most MAX_SCHEMA_DEPTH
    deep there: derive_spec_tables.py)."""
    shape = Shape(node["type"])
    shape.free = node["free"]
    for name, member in node.get("members", {}).items():
        shape.members[name.lower()] = _shape(member)
        shape.spelling[name.lower()] = name
    if "values" in node:
        shape.values = _shape(node["values"])
    if "items" in node:
        shape.items = _shape(node["items"])
    return shape


def _shape_path(path: str) -> str:
    return _INDEX.sub("", path).removeprefix("properties.").lower()
