"""The backend reads models, never a request's JSON: a scan of its source.

The web layer reads a request body into typed models (web/parse_aci.py, web/parse_arm.py) and
render builds every answer's JSON; a backend module that names a wire member would be reading
the request again (past its types and its rules) or writing an answer (render's job). Two
checks, each over every module of backend/:

- no string literal, in any context (a constant, a comparison, a tuple looped over, a dict
  display, a `match` pattern, `operator.itemgetter`), and no keyword argument of `dict()`, is a
  distinctive wire member name in any case: a camelCase name (or "properties") that the request
  types (web/request_types.py) or any vendored REST spec (web/request_members.py's union of the
  specs) define. Short plain words (`name`, `type`, `state`) are every dict's and are left to
  the second check;
- no dict is read with a string literal as its key (a subscript, `get`, `pop`, `setdefault`,
  `__getitem__`): the backend keeps models, not dicts keyed by names.

A use that is not a request's nor an answer's is listed in ALLOWED with its reason.
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
# Methods of a dict (or any mapping) that take a member's name first.
KEYED_METHODS = {"get", "pop", "setdefault", "__getitem__", "__contains__"}
# Subscripts that are types, not reads: `Literal["Running"]`.
TYPE_FORMS = {"Literal"}

# module (relative to backend/) -> {string literal: why it is not a request's nor an answer's}
_MESSAGE = "message text: Azure's error message names the property so"
ALLOWED: dict[str, dict[str, str]] = {
    "registry.py": {
        "token": "a registry's token answer {'token': ...} (the Docker registry token protocol)",
        "access_token": "a registry's OAuth2 token answer (RFC 6749 section 5.1)",
        "WWW-Authenticate": "a registry's challenge header, not a request's member",
        "realm": "a parameter of a registry's Bearer challenge (RFC 6750 section 3)",
        "service": "a parameter of a registry's Bearer challenge",
        "scope": "a parameter of a registry's Bearer challenge",
    },
    "arm_paths.py": {"paths": "a vendored REST spec document's `paths`, read to route"},
    "aci/images.py": {
        "NumWords": "a setting the aci-wordcount image reads from its environment",
        "MinLength": "a setting the aci-wordcount image reads from its environment",
    },
    "aci/lifecycle.py": {
        "Pulling": "a container's timeline, keyed by Azure's event names",
        "Pulled": "a container's timeline, keyed by Azure's event names",
        "Started": "a container's timeline, keyed by Azure's event names",
        "Killing": "a container's timeline, keyed by Azure's event names",
    },
    "aci/bounds.py": {"livenessProbe": _MESSAGE, "readinessProbe": _MESSAGE},
    "aci/rules.py": {
        "MemoryInGB": _MESSAGE,
        "memoryInGB": "message text: the resource requirement's JSON that Azure's message quotes",
    },
    "aci/updates.py": {"OsType": _MESSAGE, "RestartPolicy": _MESSAGE, "MemoryInGB": _MESSAGE},
    "aci/validation.py": {"MemoryInGB": _MESSAGE},
}


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


def _distinctive(name: str) -> bool:
    """A camelCase name (a lowercase letter then a capital): no plain word of Python's."""
    return name == "properties" or any(
        a.islower() and b.isupper() for a, b in zip(name, name[1:], strict=False)
    )


ALL_WIRE_NAMES = frozenset(
    _names_of(request_types.CONTAINER_GROUP)
    | _names_of(request_types.RESOURCE_GROUP)
    | _spec_names()
)
WIRE_NAMES = frozenset(name.lower() for name in ALL_WIRE_NAMES if _distinctive(name))


def _call_name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def wire_names(source: str, allowed: frozenset[str] = frozenset()) -> list[tuple[int, str]]:
    """(line, name) of every string literal, or keyword argument of dict(), that is a
    distinctive wire member name in any case."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            names = [node.value]
        elif isinstance(node, ast.Call) and _call_name(node.func) in {"dict", "update"}:
            names = [kw.arg for kw in node.keywords if kw.arg]
        found += [
            (node.lineno, name)
            for name in names
            if name.lower() in WIRE_NAMES and name not in allowed
        ]
    return found


def keyed_reads(source: str, allowed: frozenset[str] = frozenset()) -> list[tuple[int, str]]:
    """(line, text) of every subscript or dict method given a string literal as its key."""
    found = []
    for node in ast.walk(ast.parse(source)):
        key = None
        if isinstance(node, ast.Subscript) and _call_name(node.value) not in TYPE_FORMS:
            key = node.slice
        elif isinstance(node, ast.Call) and node.args and _call_name(node.func) in KEYED_METHODS:
            key = node.args[0]
        if (
            isinstance(key, ast.Constant)
            and isinstance(key.value, str)
            and key.value not in allowed
        ):
            found.append((node.lineno, ast.unparse(node)))
    return found


def backend_modules(root: Path = BACKEND) -> list[Path]:
    return sorted(root.rglob("*.py"))


def _allowed(module: Path) -> frozenset[str]:
    return frozenset(ALLOWED.get(str(module.relative_to(BACKEND)), {}))


def _id(module: Path) -> str:
    return str(module.relative_to(PACKAGE))


def test_the_wire_names_cover_what_a_request_holds():
    assert {"properties", "volumemounts", "azurefile", "storageaccountkey", "ipaddress"} <= (
        WIRE_NAMES
    )
    assert {"loganalytics", "subnetids", "ccepolicy", "securitycontext", "ostype"} <= WIRE_NAMES
    # Plain words are every dict's: the second check covers their reads.
    assert not {"name", "type", "id", "value", "count", "state", "message"} & WIRE_NAMES


def test_every_allowed_name_is_still_used():
    for module, names in ALLOWED.items():
        source = (BACKEND / module).read_text(encoding="utf-8")
        literals = {
            node.value
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }
        assert set(names) <= literals, module


@pytest.mark.parametrize("module", backend_modules(), ids=_id)
def test_no_backend_module_names_a_wire_member(module: Path):
    assert wire_names(module.read_text(encoding="utf-8"), _allowed(module)) == []


@pytest.mark.parametrize("module", backend_modules(), ids=_id)
def test_no_backend_module_reads_a_dict_by_a_literal_key(module: Path):
    assert keyed_reads(module.read_text(encoding="utf-8"), _allowed(module)) == []


@pytest.mark.parametrize("module", backend_modules(), ids=_id)
def test_no_backend_module_is_over_400_lines(module: Path):
    assert len(module.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


MUST_FLAG = [
    'props = body["properties"]',
    'ip = props.get("ipAddress") or {}',
    'path = mount.get("mountPath")',
    'kind = _member(volume, "azureFile")',
    'key = member(azure_file, "storageAccountKey")',
    'props.pop("subnetIds", None)',
    # the key in a constant or a variable
    'IP = "ipAddress"\nip = props[IP]',
    'key = "osType"\nos_type = props.get(key)',
    # a loop over names
    'for key in ("containers", "initContainers"):\n    items = props.get(key, [])',
    # items() and a comparison; membership
    'for k, v in props.items():\n    if k == "ipAddress":\n        ip = v',
    'has_ip = "ipAddress" in props',
    # itemgetter, __getitem__, a helper of any name
    'ip = operator.itemgetter("ipAddress")(props)',
    'ip = props.__getitem__("ipAddress")',
    'ip = pick(props, "ipAddress")',
    # a match mapping pattern
    "match props:\n    case {'ipAddress': ip}:\n        pass",
    # spelled in lowercase, or in any case
    'ip = pick(props, "ipaddress")',
    'ip = pick(props, "IPADDRESS")',
    # writes: a dict display, dict(), update()
    'answer = {"ipAddress": ip}',
    "answer = dict(osType=kind)",
    "answer.update(restartPolicy=policy)",
]


@pytest.mark.parametrize("source", MUST_FLAG)
def test_the_scan_finds_each_way_of_naming_the_wire(source: str):
    assert wire_names(source) != []


@pytest.mark.parametrize(
    "source",
    [
        'name = d["name"]',
        'kind = d.get("type")',
        'state = d.pop("state", None)',
        'value = d.setdefault("value", 0)',
        'count = d.__getitem__("count")',
        'ip = props["ipaddress"]',
    ],
)
def test_the_scan_finds_each_read_by_a_literal_key(source: str):
    assert len(keyed_reads(source)) == 1


@pytest.mark.parametrize(
    "source",
    [
        "value = spec.volumes[0].azure_file",
        'held = {"secret": 1}[kind]',  # a constant keyed by a variable
        "kind = getattr(volume, field)",
        'name = d["name"]',  # a plain word: the second scan's, not the first's
        'if error.code == "InvalidImage": pass',
        'message = f"The ipAddress of {name} is invalid"',  # a message quoting a name
        "state: Literal['Running', 'Stopped'] = 'Running'",
        "ip_address = IpAddress(ports=ports, dns_name_label=label)",  # a model's fields
    ],
)
def test_the_name_scan_leaves_model_and_other_uses_alone(source: str):
    assert wire_names(source) == []


@pytest.mark.parametrize(
    "source",
    [
        "value = spec.volumes[0].azure_file",
        'held = {"secret": 1}[kind]',
        "first = items[0]",
        "state: Literal['Running'] = 'Running'",
        'token = body.get("token")',  # allowed where listed: see below
    ],
)
def test_the_key_scan_leaves_model_and_other_reads_alone(source: str):
    assert keyed_reads(source, frozenset({"token"})) == []


def test_an_allowed_name_is_allowed_only_where_listed():
    assert keyed_reads('token = body.get("token")') != []
