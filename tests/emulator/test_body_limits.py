"""A request body's bounds, through the SDK and the wire: how many JSON values it may hold
(Limits.max_json_values, counted from its text before it is parsed), which of that limit and
MaxDepth a reader meets first, numbers Python's parser cannot hold, escaped lone surrogates, and
no body read before the token is checked.

The values limit and its answer (413 `RequestContentTooLarge`, ARM's answer to a body too large,
its size counted in values) are our reading; the 4 MB limit it stands beside is ARM's
(emulator/README.md, "Limits").
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from aci_builders import Clients, clients_for, container, group, unique
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aci_emulator import Emulator, EmulatorConfig
from aci_emulator.config import Limits
from aci_emulator.web import body as body_module

MAX_VALUES = 400
RG_API = "2021-04-01"
SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
TOO_LARGE = f"The request content size exceeds the maximum size of {MAX_VALUES} JSON values."
PREFIX = "The request content was invalid and could not be deserialized: '"


@pytest.fixture(scope="module")
def small() -> Iterator[Clients]:
    """An emulator that reads at most MAX_VALUES JSON values per body."""
    with Emulator(EmulatorConfig(limits=Limits(max_json_values=MAX_VALUES))) as emulator:
        yield clients_for(emulator)


def put_text(clients: Clients, path: str, text: str, api: str, *, token: bool = True):
    info = clients.info
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {clients.token()}"
    return requests.put(
        f"{info.arm_endpoint}/subscriptions/{info.subscription_id}/{path}",
        params={"api-version": api},
        data=text.encode("utf-8", "surrogatepass"),
        headers=headers,
        verify=info.ca_bundle,
        timeout=60,
    )


def error_of(response: requests.Response) -> dict[str, str]:
    return response.json()["error"]


def values_in(value: Any) -> int:
    """The oracle: every value, scalars and containers (a property's name is not one)."""
    if isinstance(value, dict):
        return 1 + sum(values_in(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(values_in(v) for v in value)
    return 1


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text("ab,[]{}:\"'/", max_size=4),
    lambda inner: st.lists(inner, max_size=40) | st.dictionaries(st.text("xyz", max_size=3), inner),
    max_leaves=500,
)


@SETTINGS
@given(extra=JSON_VALUES, pad=st.integers(0, 2 * MAX_VALUES), pretty=st.booleans())
def test_a_body_over_the_values_limit_is_refused_before_anything_is_stored(
    small, extra, pad, pretty
):
    """Exactly the bodies with more values than the limit are refused, in any layout."""
    body = {"location": "eastus", "x": extra, "pad": [0] * pad}
    name = unique("values-rg")
    response = put_text(
        small, f"resourcegroups/{name}", json.dumps(body, indent=2 if pretty else None), RG_API
    )
    if values_in(body) > MAX_VALUES:
        assert response.status_code == 413, response.text
        assert error_of(response) == {"code": "RequestContentTooLarge", "message": TOO_LARGE}
        with pytest.raises(ResourceNotFoundError):
            small.rm.resource_groups.get(name)
    else:
        assert response.status_code in (200, 201), response.text
        small.rm.resource_groups.begin_delete(name).result()


def test_the_sdk_meets_the_values_limit_as_a_413(small):
    rg = unique("values-sdk")
    small.create_rg(rg)
    few = group(container(ports=[80], env={f"V{i}": "x" for i in range(20)}))
    many = group(
        container(ports=[80], env={f"V{i}": "x" for i in range(200)})
    )  # 600 values and more

    with pytest.raises(HttpResponseError) as err:
        small.aci.container_groups.begin_create_or_update(rg, "many", many)
    assert err.value.status_code == 413
    assert err.value.error.code == "RequestContentTooLarge"
    assert err.value.error.message == TOO_LARGE
    with pytest.raises(ResourceNotFoundError):
        small.aci.container_groups.get(rg, "many")

    created = small.aci.container_groups.begin_create_or_update(rg, "few", few).result()
    assert len(created.containers[0].environment_variables) == 20


def test_the_first_limit_a_reader_meets_is_the_one_named(small):
    deep = "[" * 70 + "]" * 70
    wide = "[" + ",".join(["0"] * (MAX_VALUES + 10)) + "]"

    deep_first = put_text(
        small,
        "resourcegroups/order-a",
        f'{{"location": "eastus", "x": {deep}, "y": {wide}}}',
        RG_API,
    )
    assert deep_first.status_code == 400
    error = error_of(deep_first)
    assert error["code"] == "InvalidRequestContent"
    # Named where the 65th container opens (the body's object is the first): its path and the
    # characters before it, as json_reader places every error.
    assert error["message"] == (
        PREFIX + "The reader's MaxDepth of 64 has been exceeded. Path 'x" + "[0]" * 63 + "', "
        "line 1, position 91.'."
    )

    wide_first = put_text(
        small,
        "resourcegroups/order-b",
        f'{{"location": "eastus", "y": {wide}, "x": {deep}}}',
        RG_API,
    )
    assert wide_first.status_code == 413
    assert error_of(wide_first) == {"code": "RequestContentTooLarge", "message": TOO_LARGE}


@pytest.mark.parametrize("lenient", [False, True], ids=["strict", "with a comment"])
def test_an_integer_python_cannot_hold_is_refused_in_json_net_s_words(sdk, rg, lenient):
    text = '{"location": "eastus", "tags": {"a": ' + "7" * 5000 + "}}"
    if lenient:
        text = "/* c */" + text
    response = put_text(sdk, f"resourcegroups/{rg}-n", text, RG_API)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "InvalidRequestContent"
    shown = "7" * 100 + "…"
    position = 5037 + (7 if lenient else 0)
    assert error["message"] == (
        PREFIX + f"Input string '{shown}' is not a valid number. "
        f"Path 'tags.a', line 1, position {position}.'."
    )
    assert "sys." not in error["message"] and "digits" not in error["message"]


LONE = st.text(st.sampled_from(["a", "é", "\ud800", "\udbff", "\udc00", "\ud83d", "\ude00"]))


@SETTINGS
@given(value=LONE.filter(lambda s: len(s) <= 40), lenient=st.booleans())
def test_escaped_surrogates_are_read_as_json_net_reads_them(sdk, rg, value, lenient):
    """A pair escaped is its character; a lone one is U+FFFD; strict text or lenient alike."""
    text = json.dumps({"location": "eastus", "tags": {"t\ud800": value}})  # escapes: \\udXXX
    if lenient:
        text = "// c\n" + text
    expected = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    name = unique("surrogates")
    response = put_text(sdk, f"resourcegroups/{name}", text, RG_API)
    assert response.status_code in (200, 201), response.text
    assert sdk.rm.resource_groups.get(name).tags == {"t\ufffd": expected}
    sdk.rm.resource_groups.begin_delete(name).result()


def test_an_escaped_name_is_placed_where_it_is(sdk, rg):
    text = '{"location": "eastus", "tags": {"x": "1", "\\u0061\\u0062": 5}}'
    response = put_text(sdk, f"resourcegroups/{rg}-p", text, RG_API)
    assert response.status_code == 400
    assert error_of(response)["message"].endswith(
        "expected a string. Path 'tags.ab', line 1, position 59.'."
    )


def test_a_body_is_not_read_before_its_token_is_checked(small, monkeypatch):
    """An unknown api-version is answered before the token (ARM's order), without reading the
    body of a client with no valid token; a client with one has its location named."""
    reads: list[int] = []
    real = body_module.read_json

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(body_module, "read_json", counted)
    path = f"resourceGroups/any/providers/Microsoft.ContainerInstance/containerGroups/{unique('x')}"
    bodies = [
        '{"location": "westus"}',
        "/**/[" + "1," * 2000 + "1" * 5000 + ",]",
        "[" * 100_000,
        "[" + "{}," * (MAX_VALUES * 2) + "{}]",
    ]
    for text in bodies:
        response = put_text(small, path, text, "1999-01-01", token=False)
        assert response.status_code == 400
        error = error_of(response)
        assert error["code"] == "NoRegisteredProviderFound"
        assert error["message"].startswith(
            "No registered resource provider found for location 'global' and API version "
            "'1999-01-01' for type 'containerGroups'."
        )
    assert reads == []

    response = put_text(small, path, '{"location": "westus"}', "1999-01-01")
    assert error_of(response)["message"].startswith(
        "No registered resource provider found for location 'westus' "
    )
    assert reads == [1]
