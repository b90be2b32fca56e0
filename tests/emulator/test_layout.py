"""The backend reads models, never a request's JSON: a scan of its source.

The web layer reads a request body into typed models (web/parse_aci.py, web/parse_arm.py) and
render builds every answer's JSON; a backend module that indexes a wire-cased dict
(`body["properties"]`, `volume.get("azureFile")`, `member(obj, "mountPath")`) would be reading
the request again, past its types and its rules. The wire's names are the request types' own
(web/request_types.py) and every member any vendored REST spec defines for a container group
(web/request_members.py's union of the specs).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import aci_emulator
from aci_emulator.web import request_members, request_types

PACKAGE = Path(aci_emulator.__file__).parent
BACKEND = PACKAGE / "backend"
MAX_LINES = 400
# Methods of a dict that take a member's name first.
KEYED_METHODS = {"get", "pop", "setdefault"}


def _names_of(shape: object) -> set[str]:
    names: set[str] = set()
    stack = [shape]
    while stack:
        node = stack.pop()
        if isinstance(node, request_types.Obj):
            names |= set(node.fields)
            stack.extend(node.fields.values())
        elif isinstance(node, request_types.Arr):
            stack.append(node.item)
        elif isinstance(node, request_types.Map):
            stack.append(node.value)
    return names


def _spec_names() -> set[str]:
    names: set[str] = set()
    stack = [request_members._group()]
    seen: set[int] = set()
    while stack:
        shape = stack.pop()
        if shape is None or id(shape) in seen:
            continue
        seen.add(id(shape))
        names |= set(shape.spelling.values())
        stack.extend(shape.members.values())
        stack.extend([shape.values, shape.items])
    return names


WIRE_NAMES = frozenset(
    _names_of(request_types.CONTAINER_GROUP)
    | _names_of(request_types.RESOURCE_GROUP)
    | _spec_names()
)


def wire_reads(source: str) -> list[tuple[int, str]]:
    """(line, text) of every place the source reads a wire member by name: a subscript, a
    dict method or a `*member(...)` helper given a wire name as a string literal."""
    found = []
    for node in ast.walk(ast.parse(source)):
        key = None
        if isinstance(node, ast.Subscript):
            key = node.slice
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if isinstance(func, ast.Attribute) and name in KEYED_METHODS:
                key = node.args[0]
            elif name.lstrip("_").endswith("member") and len(node.args) > 1:
                key = node.args[1]
        if isinstance(key, ast.Constant) and key.value in WIRE_NAMES:
            found.append((node.lineno, ast.unparse(node)))
    return found


def backend_modules(root: Path = BACKEND) -> list[Path]:
    return sorted(root.rglob("*.py"))


def test_the_wire_names_cover_what_a_request_holds():
    assert {"properties", "containers", "volumeMounts", "azureFile", "storageAccountKey"} <= (
        WIRE_NAMES
    )
    assert {"logAnalytics", "subnetIds", "ccePolicy", "securityContext", "location"} <= WIRE_NAMES


@pytest.mark.parametrize("module", backend_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_backend_module_reads_a_request_s_json(module: Path):
    assert wire_reads(module.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("module", backend_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_backend_module_is_over_400_lines(module: Path):
    assert len(module.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


@pytest.mark.parametrize(
    "source",
    [
        'props = body["properties"]',
        'ip = props.get("ipAddress") or {}',
        'path = mount.get("mountPath")',
        'kind = _member(volume, "azureFile")',
        'key = member(azure_file, "storageAccountKey")',
        'props.pop("subnetIds", None)',
    ],
)
def test_the_scan_finds_each_way_of_reading_the_wire(source: str):
    assert len(wire_reads(source)) == 1


@pytest.mark.parametrize(
    "source",
    [
        'token = body.get("token") or body.get("access_token")',  # a registry's answer
        "value = spec.volumes[0].azure_file",
        'held = {"secret": 1}[kind]',  # a constant keyed by a variable
        "kind = getattr(volume, field)",
    ],
)
def test_the_scan_leaves_model_and_other_reads_alone(source: str):
    assert wire_reads(source) == []
