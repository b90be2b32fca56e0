"""The REST spec of each Microsoft.ContainerInstance api-version, and answers shaped by it.

The spec files are vendored unchanged in aci_emulator/specs/<api-version>.json (their origin in
specs/SOURCES). An answer holds a property only where the requested version's schema defines it:
the spec is the list, version by version. A version whose file is not vendored is answered by
the newest vendored spec older than it, or else the oldest one (our reading: the nearest known
shape; specs/SOURCES lists what is vendored). The status of a successful answer comes from the
same spec: the responses it lists for the operation (`answer_status`).

What is read from every spec at once (the statuses here, request_members's member shapes) comes
from spec_tables.json, derived from the specs ahead of time (derive_spec_tables.py): one small
file read once, where the specs themselves are 2 MB of JSON.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import Any

Schema = dict[str, Any]

VERSION_FILE = re.compile(r"\d{4}-\d{2}-\d{2}(-preview)?\.json")
# The shared ARM types that specs generated from TypeSpec refer to (`../../common-types/...`),
# vendored beside them under a name that is not an api-version.
COMMON_TYPES = {
    "common-types/resource-management/v5/types.json": "common-types-resource-management-v5-types.json"
}


@functools.cache
def vendored_versions() -> tuple[str, ...]:
    """The api-versions whose spec is vendored, oldest first (their names sort by date)."""
    folder = resources.files("aci_emulator") / "specs"
    names = (p.name for p in folder.iterdir() if VERSION_FILE.fullmatch(p.name))
    return tuple(sorted(name[:-5] for name in names))


def spec_version(api_version: str | None) -> str | None:
    """The vendored spec that shapes the answers to this api-version (None: none vendored)."""
    known = vendored_versions()
    if not known:
        return None
    if api_version in known:
        return api_version
    older = [v for v in known if api_version is not None and v < api_version]
    return older[-1] if older else known[0]


@functools.cache
def _document(version: str) -> Schema:
    path = resources.files("aci_emulator") / "specs" / f"{version}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _definitions(version: str) -> dict[str, Schema]:
    return _document(version)["definitions"]


@functools.cache
def _common_definitions(key: str) -> dict[str, Schema]:
    """A vendored common-types file's definitions, their own `#/definitions/X` references made
    to name that file, so that they resolve there and not in the spec that refers to them."""
    path = resources.files("aci_emulator") / "specs" / COMMON_TYPES[key]
    text = path.read_text(encoding="utf-8").replace('"#/definitions/', f'"{key}#/definitions/')
    return json.loads(text)["definitions"]


def _external(file: str) -> dict[str, Schema]:
    """The definitions of a referenced file: a vendored common-types file, else none (our
    reading: what such a reference names is kept whole, unpruned)."""
    for key in COMMON_TYPES:
        if file.endswith(key):
            return _common_definitions(key)
    return {}


@functools.cache
def tables() -> dict[str, Any]:
    """spec_tables.json: what derive_spec_tables.py read from every vendored spec at once."""
    path = resources.files("aci_emulator") / "spec_tables.json"
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def _operations(version: str) -> tuple[tuple[tuple[str, ...], dict[str, tuple[int, ...]]], ...]:
    """Each path of the version's spec as lower-cased segments ('' for a parameter), with the
    2xx statuses of its operations by lower-cased method, in the spec's order."""
    return tuple(
        (_segments(template), {m: tuple(codes) for m, codes in methods.items()})
        for template, methods in tables()["statuses"].get(version, {}).items()
    )


@functools.cache
def _segments(template: str) -> tuple[str, ...]:
    """A path template's lower-cased segments, '' for a parameter (once per template: most
    recur in every version)."""
    return tuple(
        "" if part.startswith("{") else part.lower() for part in template.strip("/").split("/")
    )


def success_statuses(version: str, method: str, path: str) -> tuple[int, ...] | None:
    """The 2xx statuses a vendored spec lists for the operation at `path` (a request path,
    matched in any case), oldest first; None where that spec has no such operation."""
    parts = path.strip("/").split("/")
    for segments, methods in _operations(version):
        if len(segments) != len(parts):
            continue
        if all(not s or s == p.lower() for s, p in zip(segments, parts, strict=True)):
            return methods.get(method.lower())
    return None


def answer_status(api_version: str | None, method: str, path: str, chosen: int) -> int:
    """The status of a successful answer at the requested version: the one its spec lists, where
    it lists one; where it lists several (or none is vendored), `chosen`, the emulator's choice,
    which recorded traffic decided. An operation the version's spec does not define takes the
    statuses of the nearest vendored version that does, older first (our reading)."""
    version = spec_version(api_version)
    listed = defining_statuses(version, method, path) if version else None
    if listed and len(listed) == 1:
        return listed[0]
    return chosen


def defining_statuses(version: str, method: str, path: str) -> tuple[int, ...] | None:
    """The 2xx statuses of the operation in `version`'s spec or, where it lacks the operation,
    in the nearest vendored spec that has it: older ones first, then newer ones."""
    known = vendored_versions()
    older = [v for v in known if v < version][::-1]
    newer = [v for v in known if v > version]
    for candidate in (version, *older, *newer):
        listed = success_statuses(candidate, method, path)
        if listed is not None:
            return listed
    return None


class Spec:
    """One version's schema, read as a client reads an answer: which properties exist."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.definitions = _definitions(version)

    def definition(self, name: str) -> Schema:
        return self.definitions[name]

    def _lookup(self, ref: str) -> Schema:
        """What a `$ref` names: in this spec (`#/definitions/X`) or in a referenced file."""
        file, _, pointer = ref.partition("#")
        definitions = _external(file) if file else self.definitions
        return definitions.get(pointer.rsplit("/", 1)[-1], {})

    def _resolve(self, node: Schema) -> Schema:
        """The node with its $ref followed and its allOf parts merged into one object schema."""
        while "$ref" in node:
            node = {**self._lookup(node["$ref"]), **_without(node, "$ref")}
        if "allOf" not in node:
            return node
        merged: Schema = {"properties": {}}
        for part in [*node["allOf"], _without(node, "allOf")]:
            resolved = self._resolve(part)
            merged["properties"].update(resolved.get("properties") or {})
            for key in ("additionalProperties", "items", "type"):
                if key in resolved:
                    merged[key] = resolved[key]
        return merged

    def prune(self, value: Any, node: Schema, keep: frozenset[str] = frozenset()) -> Any:
        """The value without the object properties the schema does not define.

        Objects that declare no properties (maps, free-form settings) are kept whole, their
        values shaped by `additionalProperties`. `keep` names dotted paths kept even so.
        """
        return self._prune(value, node, keep, "")

    def _prune(self, value: Any, node: Schema, keep: frozenset[str], path: str) -> Any:
        node = self._resolve(node)
        if isinstance(value, list):
            item = node.get("items")
            return [self._prune(v, item, keep, path) if item else v for v in value]
        if not isinstance(value, dict):
            return value
        properties = node.get("properties")
        extra = node.get("additionalProperties")
        if not properties:
            if isinstance(extra, dict):
                return {k: self._prune(v, extra, keep, path) for k, v in value.items()}
            return value
        # Azure reads property names whatever their casing: a name is defined in any casing.
        by_lower = {name.lower(): schema for name, schema in properties.items()}
        pruned = {}
        for key, item in value.items():
            inner = f"{path}.{key}" if path else key
            schema = by_lower.get(key.lower()) if isinstance(key, str) else None
            if schema is not None:
                pruned[key] = self._prune(item, schema, keep, inner)
            elif inner in keep:
                pruned[key] = item
        return pruned


def _without(node: Schema, key: str) -> Schema:
    return {k: v for k, v in node.items() if k != key}


def for_version(api_version: str | None) -> Spec | None:
    version = spec_version(api_version)
    return _spec(version) if version else None


@functools.cache
def _spec(version: str) -> Spec:
    return Spec(version)
