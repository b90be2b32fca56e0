"""Derive spec_tables.json from the vendored REST specs (aci_emulator/specs/*.json).

    python -m aci_emulator.derive_spec_tables           # rewrite spec_tables.json
    python -m aci_emulator.derive_spec_tables --check   # exit 1 where it differs from the specs

What the emulator needs from every spec at once is read here, ahead of time, so that a process
reads one small file instead of 26 specs (2 MB of JSON) on its first requests:

- `request_shape`: which members a container group's request may hold, the union over every
  vendored spec (how web/request_members.py reads it and why is said there), and what each may be
  (web/request_types.py checks it): its JSON type (`json`), an integer's width (`format`:
  int64 where any spec says so, else int32, the .NET type autorest gives an unformatted
  integer), an enumeration's names (`enum`, the union over versions) and .NET type (`enum_type`,
  x-ms-enum's name), and whether it is a secret (`secret`: a spec's `format: password`);
- `statuses`: the 2xx statuses each spec lists per path and method (api_specs.success_statuses).

The specs stay the only source: tests/emulator/test_spec_tables.py derives the file again and
fails where the committed one differs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from aci_emulator.web import api_specs

Schema = dict[str, Any]
TABLES = Path(__file__).with_name("spec_tables.json")
GENERATED_BY = "python -m aci_emulator.derive_spec_tables (from specs/*.json; do not edit)"
# Where the spec declares an object inline, Azure's type is its parent's name + "Definition"
# (the group's properties are 'ContainerGroupPropertiesDefinition': prefect-azure#103; our
# reading for the others).
INLINE_SUFFIX = "Definition"
MAX_SCHEMA_DEPTH = 32
_DECLARING_KEYS = frozenset({"type", "properties", "additionalProperties", "items"})
HTTP_METHODS = frozenset({"get", "put", "post", "patch", "delete", "head", "options"})


def derive() -> dict[str, Any]:
    """The tables, from the specs vendored in this package."""
    versions = api_specs.vendored_versions()
    specs = [api_specs.Spec(v) for v in versions]
    return {
        "generated_by": GENERATED_BY,
        "versions": list(versions),
        "request_shape": _request_shape(specs),
        "statuses": {v: _statuses(v) for v in versions},
    }


def render(tables: dict[str, Any]) -> str:
    """The file's text: one member a line, so that a new spec's difference reads in a diff."""
    return json.dumps(tables, indent=1, ensure_ascii=False) + "\n"


# -- request shapes -------------------------------------------------------------------------------


def _request_shape(specs: list[api_specs.Spec]) -> Schema:
    """A whole container group's body: ARM's envelope, and the group's properties."""
    group = _union([(s, s.definition("ContainerGroup")) for s in specs], "ContainerGroup", 0)
    properties = [
        (s, s._resolve(s.definition("ContainerGroup"))["properties"]["properties"]) for s in specs
    ]
    group["members"]["properties"] = _union(
        properties, "ContainerGroupProperties" + INLINE_SUFFIX, 0
    )
    return group


def _union(nodes: list[tuple[api_specs.Spec, Schema]], type_name: str, depth: int) -> Schema:
    """What every spec together lets one place of the body hold: its type's name, whether it
    is free-form, its members (named as the newest spec spells them), a map's values and an
    array's items."""
    shape: Schema = {"type": type_name, "free": True}
    if depth > MAX_SCHEMA_DEPTH:  # a schema that refers to itself: take the rest as it comes
        return shape
    resolved = [(spec, spec._resolve(node)) for spec, node in nodes]
    closed = [(spec, node) for spec, node in resolved if "properties" in node]
    maps = [
        (spec, node["additionalProperties"])
        for spec, node in resolved
        if isinstance(node.get("additionalProperties"), dict)
    ]
    items = [(spec, node["items"]) for spec, node in resolved if "items" in node]
    # An object whose schema declares `properties` (even none, as EmptyDirVolume) is closed;
    # one with `additionalProperties` is a map; one with neither is free-form. A node that
    # declares nothing (the TypeSpec-generated 2026-06-01-preview leaves emptyDir with a
    # description alone) says nothing of its members: the versions that declare them decide.
    declared = [node for _, node in resolved if _DECLARING_KEYS & node.keys()]
    shape["free"] = (len(closed) < len(declared) or not declared) and not maps
    shape.update(_value_type([node for _, node in resolved]))
    by_name: dict[str, list[tuple[api_specs.Spec, Schema]]] = {}
    names: dict[str, str] = {}
    spelling: dict[str, str] = {}
    for spec, node in closed:
        for name, sub in node["properties"].items():
            by_name.setdefault(name.lower(), []).append((spec, sub))
            names.setdefault(name.lower(), _type_name(sub, type_name))
            spelling[name.lower()] = name  # specs come oldest first: the newest wins
    shape["members"] = {
        spelling[key]: _union(subs, names[key], depth + 1) for key, subs in by_name.items()
    }
    if maps:
        shape["values"] = _union(maps, type_name, depth + 1)
    if items:
        shape["items"] = _union(items, type_name, depth + 1)
    return shape


def _value_type(nodes: list[Schema]) -> Schema:
    """What the specs together say a place's value is: JSON type(s), an integer's format, an
    enumeration's names and type, a secret. Nothing where no spec declares a type."""
    kinds = sorted({kind for kind in map(_json_type, nodes) if kind})
    found: Schema = {}
    if kinds:
        found["json"] = kinds[0] if len(kinds) == 1 else kinds
    if "integer" in kinds:
        found["format"] = "int64" if any(n.get("format") == "int64" for n in nodes) else "int32"
    names = sorted({str(v) for n in nodes for v in n.get("enum") or ()})
    if names:
        found["enum"] = names
        enum_types = [n["x-ms-enum"]["name"] for n in nodes if "name" in n.get("x-ms-enum", {})]
        if enum_types:
            found["enum_type"] = enum_types[-1]  # the newest spec's name
    if any(n.get("format") == "password" for n in nodes):
        found["secret"] = True
    return found


def _json_type(node: Schema) -> str | None:
    if isinstance(node.get("type"), str):
        return node["type"]
    if "properties" in node or "additionalProperties" in node:
        return "object"
    return "array" if "items" in node else None


def _type_name(node: Schema, parent: str) -> str:
    ref = node.get("$ref") or ((node.get("items") or {}).get("$ref"))
    return ref.rsplit("/", 1)[-1] if ref else parent + INLINE_SUFFIX


# -- statuses -------------------------------------------------------------------------------------


def _statuses(version: str) -> dict[str, dict[str, list[int]]]:
    """Each path of the version's spec, in the spec's order, with the 2xx statuses listed for
    each of its operations (by lower-cased method)."""
    table = {}
    for template, methods in api_specs._document(version)["paths"].items():
        table[template] = {
            method.lower(): sorted(
                int(code)
                for code in operation.get("responses", {})
                if str(code).isdigit() and 200 <= int(code) < 300
            )
            for method, operation in methods.items()
            if method.lower() in HTTP_METHODS
        }
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare, write nothing")
    args = parser.parse_args(argv)
    text = render(derive())
    current = TABLES.read_text(encoding="utf-8") if TABLES.exists() else ""
    if args.check:
        if current != text:
            print(
                f"{TABLES.name} differs from the specs: run python -m aci_emulator.derive_spec_tables"
            )
            return 1
        return 0
    if current != text:
        TABLES.write_text(text, encoding="utf-8")
        print(f"wrote {TABLES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
