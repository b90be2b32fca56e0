"""Every member's value against the type the vendored specs give it, over generated places and
values: integers within their .NET width (in any notation Json.NET reads), enumerations' names,
JSON types, the first bad value named, a secret never quoted, and nothing stored when refused.

The places are not listed here: they are walked from the derived types themselves
(request_types.CONTAINER_GROUP, from spec_tables.json), so a member a new spec adds is tried too.
Evidence for the wordings is in web/request_types.py and web/json_reader.py: Json.NET's "JSON
integer ... is too large or small for an Int32" (stewartcelani/autodesk-construction-cloud-backup#2,
Corsinvest/cv4pve-diag#8), its enum converter's "Error converting value" (Azure/azure-sdk-for-net
#7714), its reader's "Input string '...' is not a valid number" for a hex or octal integer past
Int64 (Convert.ToInt64). A hex integer within Int64 but past Int32 is named by its value as the
decimal it is: our reading (Json.NET's ReadAsInt32 would say "not a valid integer").
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import requests
from aci_builders import ACI_API, Raw, unique, wire_group
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aci_emulator.backend.aci import bounds
from aci_emulator.web import request_types as types

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
PREFIX = "The request content was invalid and could not be deserialized: '"
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)


def places(kind_test) -> list[tuple[tuple[Any, ...], Any]]:
    """(steps from the body's root, type) of every place whose type passes `kind_test`; an
    array's item is its first, a map's value is under the key 'k'."""
    found = []
    stack: list[tuple[tuple[Any, ...], Any]] = [((), types.CONTAINER_GROUP)]
    while stack:
        steps, kind = stack.pop()
        if kind_test(kind):
            found.append((steps, kind))
        if isinstance(kind, types.Obj):
            stack.extend((steps + (name,), sub) for name, sub in kind.fields.items())
        elif isinstance(kind, types.Arr):
            stack.append((steps + (0,), kind.item))
        elif isinstance(kind, types.Map):
            stack.append((steps + ("k",), kind.value))
    return sorted(found, key=lambda p: [str(s) for s in p[0]])


INTEGERS = places(lambda k: isinstance(k, types.Integer))
ENUMS = places(lambda k: isinstance(k, types.Enum) and k.names)
SCALARS = places(
    lambda k: isinstance(k, (types.Integer, types.Enum)) or k in ("string", "number", "boolean")
)


def path_of(steps: tuple[Any, ...]) -> str:
    text = ""
    for step in steps:
        text += f"[{step}]" if isinstance(step, int) else f".{step}"
    return text.lstrip(".")


def body_with(steps: tuple[Any, ...], literal: str) -> str:
    """A valid group's body with the JSON text `literal` written at `steps`."""
    body: Any = wire_group()
    node = body
    for step, after in zip(steps, steps[1:], strict=False):
        nxt = [] if isinstance(after, int) else {}
        if isinstance(step, int):
            while len(node) <= step:
                node.append(nxt)
            if not isinstance(node[step], type(nxt)):
                node[step] = nxt
        elif not isinstance(node.get(step), type(nxt)):
            node[step] = nxt
        node = node[step]
    if isinstance(steps[-1], int):
        node[:] = ["@@value@@"]
    else:
        node[steps[-1]] = "@@value@@"
    return json.dumps(body).replace('"@@value@@"', literal)


def assert_refused(raw: Raw, rg: str, name: str, answer: requests.Response, core: str, path: str):
    """A 400 InvalidRequestContent whose message is `core` at `path`, and nothing stored: the
    group is not there and the subscription's groups are still listed."""
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "InvalidRequestContent"
    expected = PREFIX + core + f" Path '{path}'"
    assert error["message"].startswith(expected), (error["message"], expected)
    assert re.search(r", line \d+, position \d+\.'\.$", error["message"]), error["message"]
    assert raw.request("GET", raw.cg_path(rg, name), api_version=ACI_API).status_code == 404
    listed = raw.request(
        "GET",
        "/subscriptions/{sub}/providers/Microsoft.ContainerInstance/containerGroups",
        api_version=ACI_API,
    )
    assert listed.status_code == 200, listed.text


def notations(value: int) -> st.SearchStrategy[str]:
    """The ways Json.NET reads an integer: decimal, hex (0x, any case) and octal (leading 0)."""
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    return st.sampled_from(
        [str(value), f"{sign}0x{magnitude:x}", f"{sign}0X{magnitude:X}", f"{sign}0{magnitude:o}"]
    )


OUT_OF_INT32 = st.one_of(st.integers(INT32[1] + 1, INT64[1]), st.integers(INT64[0], INT32[0] - 1))


@SETTINGS
@given(place=st.sampled_from(INTEGERS), data=st.data(), value=OUT_OF_INT32)
def test_an_integer_past_its_width_is_refused_in_any_notation(
    raw: Raw, rg: str, place, data: st.DataObject, value: int
):
    steps, kind = place
    literal = data.draw(notations(value))
    name = unique("int")
    answer = raw.put_group_text(rg, name, body_with(steps, literal))
    core = f"JSON integer {value} is too large or small for an Int{kind.bits}."
    assert_refused(raw, rg, name, answer, core, path_of(steps))


@SETTINGS
@given(
    place=st.sampled_from(INTEGERS),
    digits=st.integers(17, 5000),
    form=st.sampled_from(["0x{}", "0X{}", "-0x{}", "0{}"]),
)
def test_a_hex_or_octal_integer_past_int64_is_no_number_and_is_never_written_whole(
    raw: Raw, rg: str, place, digits: int, form: str
):
    """F1's class: a hex or octal integer of thousands of digits (more than Python converts to
    text) once passed as a number and poisoned every later answer."""
    steps, _ = place
    alphabet = "7" if form == "0{}" else "F"
    token = form.format(alphabet * (digits + 6 if form == "0{}" else digits))
    name = unique("big")
    answer = raw.put_group_text(rg, name, body_with(steps, token))
    shown = token if len(token) <= 100 else token[:100] + "…"
    core = f"Input string '{shown}' is not a valid number."
    assert_refused(raw, rg, name, answer, core, path_of(steps))
    assert len(answer.content) < 2000


@SETTINGS
@given(place=st.sampled_from(INTEGERS), value=st.integers(INT32[0], INT32[1]))
def test_an_integer_within_its_width_passes_the_type_check(raw: Raw, rg: str, place, value: int):
    steps, _ = place
    answer = raw.put_group_text(rg, unique("ok"), body_with(steps, str(value)))
    # Later rules may refuse the value (a port of 0), never the type check.
    if answer.status_code == 400:
        assert "too large or small" not in answer.json()["error"]["message"]
    assert answer.status_code < 500, answer.text


@SETTINGS
@given(place=st.sampled_from(ENUMS), word=st.text(st.characters(codec="ascii"), max_size=30))
def test_an_enumeration_takes_only_its_names(raw: Raw, rg: str, place, word: str):
    steps, kind = place
    key = ",".join(p.strip() for p in word.lower().split(","))
    name = unique("enum")
    answer = raw.put_group_text(rg, name, body_with(steps, json.dumps(word)))
    if key in kind.names:
        if answer.status_code == 400:
            assert "Error converting value" not in answer.json()["error"]["message"]
        return
    shown = word if len(word) <= 40 else word[:37] + "..."
    core = f"Error converting value \"{shown}\" to type '{kind.type_name}'."
    assert_refused(raw, rg, name, answer, core, path_of(steps))


@SETTINGS
@given(place=st.sampled_from(ENUMS), data=st.data())
def test_an_enumeration_s_names_are_read_in_any_case(raw: Raw, rg: str, place, data):
    steps, kind = place
    names = sorted(kind.names)
    chosen = data.draw(st.sampled_from(names))
    flips = data.draw(st.lists(st.booleans(), min_size=len(chosen), max_size=len(chosen)))
    spelled = "".join(c.upper() if f else c for c, f in zip(chosen, flips, strict=True))
    answer = raw.put_group_text(rg, unique("enum"), body_with(steps, json.dumps(spelled)))
    assert answer.status_code < 500, answer.text
    if answer.status_code == 400:
        assert "Error converting value" not in answer.json()["error"]["message"]


WRONG_JSON = {
    "string": ["1", "true", "{}", "[]"],
    "number": ['"1"', "true", "{}", "[]"],
    "boolean": ['"x"', "1", "{}", "[]"],
}


@SETTINGS
@given(place=st.sampled_from(SCALARS), data=st.data())
def test_a_value_of_another_json_type_is_refused_where_it_is(raw: Raw, rg: str, place, data):
    steps, kind = place
    if isinstance(kind, types.Integer):
        literal = data.draw(st.sampled_from(['"1"', "true", "{}", "[]", "1.5"]))
    elif isinstance(kind, types.Enum):
        literal = data.draw(st.sampled_from(["{}", "[]", "true", "1"]))
    else:
        literal = data.draw(st.sampled_from(WRONG_JSON[kind]))
    name = unique("type")
    answer = raw.put_group_text(rg, name, body_with(steps, literal))
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "InvalidRequestContent"
    assert f"Path '{path_of(steps)}'" in error["message"], error["message"]
    assert raw.request("GET", raw.cg_path(rg, name), api_version=ACI_API).status_code == 404


@SETTINGS
@given(
    good=st.lists(st.text(min_size=1, max_size=5), max_size=4),
    bad=st.lists(st.integers(0, 99), min_size=2, max_size=4),
    data=st.data(),
)
def test_the_first_bad_item_in_document_order_is_named(
    raw: Raw, rg: str, good: list[str], bad: list[int], data
):
    """Json.NET stops at the first value it cannot read; later bad values go unnamed."""
    items: list[Any] = list(good)
    first = data.draw(st.integers(0, len(items)))
    items[first:first] = bad
    body = wire_group()
    body["properties"]["containers"][0]["properties"]["command"] = items
    body["properties"]["containers"][0]["properties"]["environmentVariables"] = [
        {"name": 5, "value": "a"}
    ]
    answer = raw.put_group_text(rg, unique("order"), json.dumps(body))
    assert answer.status_code == 400, answer.text
    message = answer.json()["error"]["message"]
    path = f"properties.containers[0].properties.command[{first}]"
    assert f"Unexpected value '{bad[0]}' for 'command': expected a string. Path '{path}'" in message


SECRET_TOKEN = st.from_regex(r"[0-9][0-9a-fA-FxX.+-]{3,30}", fullmatch=True)


def _secret_places() -> list[tuple[Any, ...]]:
    found = []
    for steps, _kind in places(lambda k: k == "string"):
        if types.is_secret(path_of(steps)):
            found.append(steps)
    return found


@pytest.mark.parametrize("steps", _secret_places(), ids=path_of)
@settings(SETTINGS, max_examples=10)
@given(token=SECRET_TOKEN)
def test_a_secret_written_without_quotes_is_never_quoted_back(
    raw: Raw, rg: str, steps: tuple[Any, ...], token: str
):
    name = unique("secret")
    answer = raw.put_group_text(rg, name, body_with(steps, token))
    assert answer.status_code == 400, answer.text
    assert token not in answer.text
    assert raw.request("GET", raw.cg_path(rg, name), api_version=ACI_API).status_code == 404


def test_the_secret_places_cover_the_spec_s_passwords_and_the_known_names():
    paths = {path_of(s) for s in _secret_places()}
    assert "properties.containers[0].properties.environmentVariables[0].secureValue" in paths
    assert "properties.imageRegistryCredentials[0].password" in paths
    assert "properties.volumes[0].azureFile.storageAccountKey" in paths
    assert "properties.diagnostics.logAnalytics.workspaceKey" in paths


# -- every collection of a body is bounded, in one place (backend/aci/bounds.py) ----------------
# Collections with a documented limit of their own (bounds.check_counts) answer in its words.
OWN_LIMITS = ("containers", "initContainers", "volumes", "environmentVariables", "tags")
COLLECTIONS = [
    (steps, kind)
    for steps, kind in places(lambda k: isinstance(k, (types.Arr, types.Map)))
    if steps[-1] not in OWN_LIMITS and path_of(steps) != "properties.ipAddress.ports"
]


def filler(kind: Any) -> str:
    """A JSON item of the collection's item type, as small as it can be."""
    item = kind.item if isinstance(kind, types.Arr) else kind.value
    if item == "string" or isinstance(item, types.Enum):
        return '"x"'
    if isinstance(item, types.Integer):
        return "1"
    return {"number": "1.5", "boolean": "true"}.get(item, "{}")


@settings(SETTINGS, max_examples=25)
@given(place=st.sampled_from(COLLECTIONS), extra=st.integers(1, 300))
def test_every_array_and_map_of_a_group_is_bounded(raw: Raw, rg: str, place, extra: int):
    steps, kind = place
    length = bounds.MAX_ITEMS + extra
    item = filler(kind)
    if isinstance(kind, types.Arr):
        literal = "[" + ",".join([item] * length) + "]"
    else:
        literal = "{" + ",".join(f'"k{i}": {item}' for i in range(length)) + "}"
    name = unique("many")
    answer = raw.put_group_text(rg, name, body_with(steps, literal))
    assert answer.status_code == 400, answer.text[:300]
    assert answer.json()["error"] == {
        "code": "TooManyItems",
        "message": f"The property '{path_of(steps)}' of container group '{name}' has {length} "
        f"items. An array or object of a container group may hold at most {bounds.MAX_ITEMS} "
        "items.",
    }
    assert raw.request("GET", raw.cg_path(rg, name), api_version=ACI_API).status_code == 404


@settings(SETTINGS, max_examples=15)
@given(init=st.integers(1, 400), containers=st.integers(1, 60))
def test_init_containers_count_in_the_group_s_containers(
    raw: Raw, rg: str, init: int, containers: int
):
    """Azure's docs: at most 59 init containers, and at least one container (60 in all)."""
    body = wire_group()
    one = body["properties"]["containers"][0]
    body["properties"]["containers"] = [dict(one, name=f"c{i}") for i in range(containers)]
    body["properties"]["initContainers"] = [
        {"name": f"i{i}", "properties": {"image": "busybox"}} for i in range(init)
    ]
    name = unique("init")
    answer = raw.put_group_text(rg, name, json.dumps(body))
    if init > bounds.MAX_INIT_CONTAINERS:
        assert answer.status_code == 400, answer.text[:300]
        assert answer.json()["error"] == {
            "code": "TooManyInitContainers",
            "message": f"The container group '{name}' has {init} init containers. A container "
            "group may have at most 59 init containers.",
        }
    elif init + containers > bounds.MAX_CONTAINERS:
        assert answer.status_code == 400, answer.text[:300]
        assert answer.json()["error"] == {
            "code": "TooManyContainers",
            "message": f"The container group '{name}' has {init + containers} containers, init "
            "containers included. A container group may have at most 60 containers.",
        }
    else:
        assert answer.status_code != 400 or answer.json()["error"]["code"] not in (
            "TooManyContainers",
            "TooManyInitContainers",
        )
        return
    assert raw.request("GET", raw.cg_path(rg, name), api_version=ACI_API).status_code == 404
