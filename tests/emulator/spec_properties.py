"""What a vendored REST spec defines in an object, for tests that check answers against it."""

from __future__ import annotations

from typing import Any

from aci_emulator.web import api_specs


def properties_of(spec: api_specs.Spec, node: dict[str, Any] | str) -> dict[str, Any]:
    """The properties an object schema (or a named definition) defines, its $ref and allOf
    followed: what a client reads in that object at the spec's version."""
    schema = spec.definition(node) if isinstance(node, str) else node
    return spec._resolve(schema).get("properties") or {}
