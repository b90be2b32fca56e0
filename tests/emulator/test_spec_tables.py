"""spec_tables.json is what the vendored specs say, derived again here: the specs stay the only
source of the request shapes and the statuses the emulator reads from it."""

from __future__ import annotations

from typing import Any

import pytest
from aci_builders import ACI_API, Raw, unique, wire_group
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aci_emulator import derive_spec_tables
from aci_emulator.web import api_specs


def test_the_committed_tables_are_derived_from_the_vendored_specs():
    committed = derive_spec_tables.TABLES.read_text(encoding="utf-8")

    assert committed == derive_spec_tables.render(derive_spec_tables.derive()), (
        "spec_tables.json differs from the specs: run python -m aci_emulator.derive_spec_tables"
    )
    assert api_specs.tables()["versions"] == list(api_specs.vendored_versions())


def test_a_stale_table_is_reported_then_written_again(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "spec_tables.json"
    stale.write_text(derive_spec_tables.TABLES.read_text(encoding="utf-8").replace("201", "202"))
    monkeypatch.setattr(derive_spec_tables, "TABLES", stale)

    assert derive_spec_tables.main(["--check"]) == 1
    assert "spec_tables.json differs from the specs" in capsys.readouterr().out
    assert derive_spec_tables.main([]) == 0
    assert derive_spec_tables.main(["--check"]) == 0
    assert stale.read_text(encoding="utf-8") == derive_spec_tables.render(
        derive_spec_tables.derive()
    )


def _closed_places(node: dict[str, Any], path: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """(path as the error names it, type name, steps) of every object below the group's
    properties whose members the specs close: a member none of them defines there is refused."""
    places = []
    if not node["free"] and "values" not in node:
        places.append((path, node["type"], ()))
    steps = [(f".{name}", name, child) for name, child in node.get("members", {}).items()]
    if "items" in node:
        steps.append(("[0]", 0, node["items"]))
    if "values" in node:
        steps.append((".key", "key", node["values"]))
    for suffix, step, child in steps:
        for inner, type_name, rest in _closed_places(child, path + suffix):
            places.append((inner, type_name, (step, *rest)))
    return places


PLACES = _closed_places(api_specs.tables()["request_shape"]["members"]["properties"], "properties")


def _place_in(body: dict[str, Any], steps: tuple[Any, ...]) -> dict[str, Any]:
    """The object at `steps` below the body's properties, made (empty) where the body has none."""
    value: Any = body["properties"]
    for i, step in enumerate(steps):
        following = steps[i + 1] if i + 1 < len(steps) else None
        empty: Any = [] if following == 0 else {}
        if step == 0:
            if not value:
                value.append(empty)
            value = value[0]
        else:
            value = value.setdefault(step, empty)
    return value


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    place=st.sampled_from(PLACES),
    member=st.from_regex(r"zz[a-zA-Z0-9]{0,12}", fullmatch=True),
    version=st.sampled_from((ACI_API, *api_specs.vendored_versions())),
)
def test_a_member_no_spec_defines_at_its_place_is_refused_there(
    raw: Raw, rg, place, member, version
):
    path, type_name, steps = place
    body = wire_group()
    _place_in(body, steps)[member] = 1

    answer = raw.request("PUT", raw.cg_path(rg, unique("cg")), api_version=version, json=body)

    assert answer.status_code == 400, (path, answer.text)
    assert answer.json()["error"]["code"] == "InvalidRequestContent"
    assert answer.json()["error"]["message"].startswith(
        "The request content was invalid and could not be deserialized: 'Could not find member "
        f"'{member}' on object of type '{type_name}'. Path '{path}.{member}'"
    ), answer.text


@pytest.mark.parametrize("version", api_specs.vendored_versions())
def test_every_version_s_statuses_come_from_its_own_spec(version):
    """The table holds every path of the version's spec, in its order, each method's 2xx."""
    document = api_specs._document(version)["paths"]
    table = api_specs.tables()["statuses"][version]

    assert list(table) == list(document)
    for template, methods in document.items():
        for method, operation in methods.items():
            if method == "parameters":
                continue
            listed = {int(c) for c in operation["responses"] if c.isdigit()}
            assert table[template][method.lower()] == sorted(c for c in listed if c // 100 == 2)
