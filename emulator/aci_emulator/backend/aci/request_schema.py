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
"""

from __future__ import annotations

import functools
import re
from typing import Any

from aci_emulator.web import api_specs

Schema = dict[str, Any]
# Where the spec declares an object inline, Azure's type is its parent's name + "Definition"
# (the group's properties are 'ContainerGroupPropertiesDefinition': prefect-azure#103; our
# reading for the others).
INLINE_SUFFIX = "Definition"
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
    name = "ContainerGroupProperties" + INLINE_SUFFIX
    nodes = [
        (
            spec,
            _resolve(
                spec, _resolve(spec, spec.definition("ContainerGroup"))["properties"]["properties"]
            ),
            name,
        )
        for spec in _specs()
    ]
    _walk(props, nodes, "properties", also_known)


def _walk(
    value: Any,
    nodes: list[tuple[api_specs.Spec, Schema, str]],
    path: str,
    also_known: frozenset[str],
) -> None:
    # An explicit stack: however deep the body, no recursion (body.py bounds it as well).
    stack = [(value, nodes, path)]
    while stack:
        value, nodes, path = stack.pop()
        if isinstance(value, list):
            items = [(s, _resolve(s, n["items"]), t) for s, n, t in nodes if "items" in n]
            stack.extend((v, items, f"{path}[{i}]") for i, v in reversed(list(enumerate(value))))
            continue
        if not isinstance(value, dict) or not nodes:
            continue
        closed = [(s, n, t) for s, n, t in nodes if "properties" in n]
        maps = [(s, n) for s, n, _ in nodes if isinstance(n.get("additionalProperties"), dict)]
        if len(closed) < len(nodes) and not maps:
            continue  # free-form somewhere: anything goes
        children = []
        for key, item in value.items():
            inner = f"{path}.{key}"
            found = [
                (s, _resolve(s, sub), _type_name(sub, t, key))
                for s, n, t in closed
                for name, sub in n["properties"].items()
                if name.lower() == key.lower()
            ]
            found += [(s, _resolve(s, n["additionalProperties"]), key) for s, n in maps]
            if not found and _shape_path(inner) not in also_known:
                raise UnknownMember(key, closed[0][2], inner)
            children.append((item, found, inner))
        stack.extend(reversed(children))


def _shape_path(path: str) -> str:
    return _INDEX.sub("", path).removeprefix("properties.").lower()


def _type_name(node: Schema, parent: str, key: str) -> str:
    ref = node.get("$ref") or ((node.get("items") or {}).get("$ref"))
    return ref.rsplit("/", 1)[-1] if ref else parent + INLINE_SUFFIX


def _resolve(spec: api_specs.Spec, node: Schema) -> Schema:
    """The node with its $ref followed and its allOf parts merged, as api_specs reads them."""
    return spec._resolve(node)


@functools.cache
def _specs() -> tuple[api_specs.Spec, ...]:
    return tuple(api_specs.Spec(v) for v in api_specs.vendored_versions())
