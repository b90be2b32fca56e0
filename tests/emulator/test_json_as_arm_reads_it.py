"""A body's text as ARM's reader (Json.NET) reads it, over generated layouts and faults.

Json.NET takes more than strict JSON (trailing commas, unquoted names, single quotes,
comments) and words what it cannot read with the path of the last value, the line and the
position where it stopped (Azure/azure-powershell#16082: a decimal comma; the messages are
Json.NET's own, JamesNK/Newtonsoft.Json). Each test writes a valid group in a drawn layout, or
breaks it in a drawn place, and checks the emulator's answer on the wire (the SDK always sends
strict JSON, so this class is reachable only so).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aci_builders import ACI_API, HELLO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aci_emulator.web import json_reader

SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
PREFIX = "The request content was invalid and could not be deserialized: '"
IDENTIFIER = re.compile(r"^[A-Za-z0-9_$]+$")


def body(memory: float = 1.5, name: str = "app") -> dict[str, Any]:
    return {
        "location": "eastus",
        "properties": {
            "osType": "Linux",
            "containers": [
                {
                    "name": name,
                    "properties": {
                        "image": HELLO,
                        "environmentVariables": [{"name": "GREETING", "value": "hi, 'you'"}],
                        "resources": {"requests": {"memoryInGB": memory, "cpu": 1}},
                    },
                }
            ],
        },
    }


class Layout:
    """Writes a value as JSON with Json.NET's leniencies, each drawn per object or array."""

    def __init__(self, draw: Any) -> None:
        self.draw = draw

    def write(self, value: Any, indent: int = 0) -> str:
        pad = "\n" + "  " * (indent + 1) if self.draw(st.booleans()) else " "
        if isinstance(value, dict):
            parts = [f"{self.name(k)}: {self.write(v, indent + 1)}" for k, v in value.items()]
            return "{" + pad + ("," + pad).join(parts) + (self.tail() if parts else "") + pad + "}"
        if isinstance(value, list):
            parts = [self.write(v, indent + 1) for v in value]
            return "[" + pad + ("," + pad).join(parts) + (self.tail() if parts else "") + "]"
        if isinstance(value, str) and "'" not in value and self.draw(st.booleans()):
            return "'" + json.dumps(value)[1:-1] + "'"
        return json.dumps(value)

    def name(self, key: str) -> str:
        if IDENTIFIER.fullmatch(key) and self.draw(st.booleans()):
            return key  # unquoted
        if "'" not in key and self.draw(st.booleans()):
            return "'" + json.dumps(key)[1:-1] + "'"
        return json.dumps(key)

    def tail(self) -> str:
        """A trailing comma, a comment, both or neither."""
        return self.draw(st.sampled_from(["", ",", " /* c */", ", // c\n"]))


def place(text: str, index: int) -> tuple[int, int]:
    """Json.NET's line and position of the character at `index`: the characters before it."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1)


@SETTINGS
@given(data=st.data())
def test_what_json_net_takes_beyond_json_is_taken(raw, rg, data):
    name = "lenient-" + str(data.draw(st.integers(0, 10**6)))
    text = Layout(data.draw).write(body(name="app"))

    answer = raw.put_group_text(rg, name, text)

    assert answer.status_code in (200, 201), (text, answer.text)
    got = raw.request("GET", raw.cg_path(rg, name), api_version=ACI_API).json()
    container = got["properties"]["containers"][0]["properties"]
    assert container["environmentVariables"] == [{"name": "GREETING", "value": "hi, 'you'"}]
    assert container["resources"]["requests"] == {"memoryInGB": 1.5, "cpu": 1.0}


@SETTINGS
@given(
    whole=st.integers(0, 15),
    tenth=st.integers(1, 9),
    last=st.booleans(),
    pretty=st.booleans(),
)
def test_a_decimal_comma_is_read_as_json_net_reads_it(raw, rg, cg_name, whole, tenth, last, pretty):
    """`1,5`: the comma ends the value 1, and '5' starts an unquoted property name, which
    ends at the next character that is no identifier's: a comma, or the object's end."""
    value = f"{whole}.{tenth}"
    requests_ = {"cpu": 1, "memoryInGB": 0.0} if last else {"memoryInGB": 0.0, "cpu": 1}
    document = body()
    document["properties"]["containers"][0]["properties"]["resources"]["requests"] = requests_
    text = json.dumps(document, indent=2 if pretty else None).replace(
        '"memoryInGB": 0.0', f'"memoryInGB": {value.replace(".", ",")}'
    )
    after_digits = text.index(f"{whole},{tenth}") + len(f"{whole},{tenth}")
    if text[after_digits].isspace():  # the name ends; Json.NET wants its colon next
        at = after_digits + len(text[after_digits:]) - len(text[after_digits:].lstrip())
        words = f"Invalid character after parsing property name. Expected ':' but got: {text[at]}."
    else:
        at = after_digits
        words = f"Invalid JavaScript property identifier character: {text[at]}."
    line, position = place(text, at)

    answer = raw.put_group_text(rg, cg_name, text)

    assert answer.status_code == 400
    assert answer.json()["error"] == {
        "code": "InvalidRequestContent",
        "message": f"{PREFIX}{words} Path "
        f"'properties.containers[0].properties.resources.requests.memoryInGB', line {line}, "
        f"position {position}.'.",
    }
    assert text[at] == ("}" if last else ",")


@SETTINGS
@given(cut=st.floats(0.02, 0.98), pretty=st.booleans())
def test_a_truncated_body_ends_where_the_text_ends(raw, rg, cg_name, cut, pretty):
    text = json.dumps(body(), indent=2 if pretty else None)
    text = text[: max(1, int(len(text) * cut))].rstrip()
    line, position = place(text, len(text))

    answer = raw.put_group_text(rg, cg_name, text)

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "InvalidRequestContent"
    message = error["message"]
    assert message.startswith(PREFIX) and message.endswith(".'."), message
    if message.startswith(PREFIX + "Error parsing"):  # a cut true, false or null
        return
    assert message.endswith(f", line {line}, position {position}.'."), (text, message)
    assert re.match(
        re.escape(PREFIX)
        + r"(Unexpected end (when deserializing (object|array)|while parsing unquoted "
        r"property name)|Unterminated string\. Expected delimiter: \"|Input string '.*' is not "
        r"a valid number)\.? Path '[^']*'",
        message,
    ), message
    assert raw.request("GET", raw.cg_path(rg, cg_name), api_version=ACI_API).status_code == 404


@SETTINGS
@given(
    fault=st.sampled_from(
        [
            (
                '"osType": "Linux"',
                '"osType" "Linux"',
                "Invalid character after parsing property name. Expected ':' but got: \".",
            ),
            (
                '"osType": "Linux"',
                "os-type: 'Linux'",
                "Invalid JavaScript property identifier character: -.",
            ),
            (
                '"osType": "Linux"',
                '"osType": "Linux" "x"',
                'After parsing a value an unexpected character was encountered: ".',
            ),
            (
                '"osType": "Linux"',
                '"osType": Linux',
                "Unexpected character encountered while parsing value: L.",
            ),
            ('"cpu": 1', '"cpu": 1x', "Input string '1x' is not a valid number."),
            ('"cpu": 1', '"cpu": 1@', "Unexpected character encountered while parsing number: @."),
            ('"osType": "Linux"', '"osType": "Li\\qnux"', "Bad JSON escape sequence: \\q."),
            (
                '"osType": "Linux"',
                '"osType": "Linux",,',
                "Invalid property identifier character: ,.",
            ),
        ]
    ),
    pretty=st.booleans(),
)
def test_each_kind_of_syntax_error_in_json_net_s_words(raw, rg, cg_name, fault, pretty):
    old, new, words = fault
    text = json.dumps(body(), indent=2 if pretty else None)
    assert old in text
    text = text.replace(old, new, 1)

    answer = raw.put_group_text(rg, cg_name, text)

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "InvalidRequestContent"
    assert error["message"].startswith(PREFIX + words + " Path '"), error["message"]
    assert re.search(r"', line \d+, position \d+\.'\.$", error["message"])


def test_text_after_the_body_is_refused(raw, rg, cg_name):
    text = json.dumps(body()) + " {}"

    answer = raw.put_group_text(rg, cg_name, text)

    assert answer.status_code == 400
    line, position = place(text, len(text) - 2)
    assert answer.json()["error"]["message"] == (
        f"{PREFIX}Additional text encountered after finished reading JSON content: {{. Path '', "
        f"line {line}, position {position}.'."
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=100, deadline=None)
@given(value=st.dictionaries(st.text(max_size=8), json_values, max_size=5), data=st.data())
def test_any_value_written_leniently_reads_back_as_strict_json_reads_it(value, data):
    """The reader itself, over any JSON document (escapes, surrogate pairs, nesting): what
    Json.NET's leniencies write reads back as Python's strict parser reads the strict text."""
    text = Layout(data.draw).write(value)

    assert json_reader.read(text) == json.loads(json.dumps(value))


@pytest.mark.parametrize("leniency", ["trailing commas", "unquoted names", "comments"])
def test_a_large_lenient_body_is_read_whole(raw, rg, cg_name, leniency):
    """Near ARM's 4 MB limit, a body using Json.NET's leniencies is read to its end and answered
    by the rule its content meets (here the tag limit), not by a 500 or a dropped connection."""
    count = 60_000
    if leniency == "unquoted names":
        tags = ",".join(f"k{i}: 'v{i}'" for i in range(count))
    elif leniency == "comments":
        tags = ",".join(f'/* {i} */ "k{i}": "v{i}"' for i in range(count))
    else:
        tags = ",".join(f'"k{i}": "v{i}",' for i in range(count)).replace(",,", ",")
    text = json.dumps(body())[:-1] + ', "tags": {' + tags + "},}"
    assert len(text) < 4 * 2**20

    answer = raw.put_group_text(rg, cg_name, text)

    assert answer.status_code == 400
    assert answer.json()["error"] == {
        "code": "InvalidTags",
        "message": f"Too many tags specified. Requested tag count - '{count}'. Maximum number of "
        "tags allowed - '50'.",
    }


def test_a_byte_order_mark_is_dropped(raw, rg, cg_name):
    """.NET's reader drops a UTF-8 byte order mark (files saved by Windows tools carry one)."""
    answer = raw.request(
        "PUT",
        raw.cg_path(rg, cg_name),
        api_version=ACI_API,
        data=b"\xef\xbb\xbf" + json.dumps(body()).encode(),
        headers={"Content-Type": "application/json"},
    )

    assert answer.status_code == 201, answer.text
