"""Tags on every resource the emulator serves, through the real SDK: a name holding a character
Azure reserves ('<,>,%,&,\\,?,/') or a control character is refused with Azure's code and words on
every route that takes tags (resource group PUT and PATCH, container group PUT and PATCH), and the
refusal changes nothing; every other character is accepted and kept as sent (sources in
emulator/README.md's error table, cases in tests/fidelity/errors/tags.yaml)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aci_builders import Clients, container, group, unique
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.containerinstance.models import Resource
from azure.mgmt.resource.resources.models import ResourceGroupPatchable
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SETTINGS = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
RESERVED = "<>%&\\?/"
CONTROL = st.characters(categories=["Cc"])
# Anything else a name may hold: letters of any script, digits, spaces, ':', '*', '+', '=', quotes.
ALLOWED = st.characters(
    categories=["L", "N", "P", "S", "Zs"], exclude_characters=RESERVED, codec="utf-8"
)


def expected_message(names: list[str]) -> str:
    return (
        f"The tag names '{', '.join(names)}' have reserved characters '<,>,%,&,\\,?,/' or "
        "control characters. These characters are only allowed for tags that start with the "
        "prefix 'hidden, link'."
    )


@st.composite
def reserved_names(draw: st.DrawFn) -> str:
    """A tag name with at least one reserved or control character, not of an exempt prefix."""
    head = draw(st.text(ALLOWED, min_size=1, max_size=20).filter(_not_exempt))
    bad = draw(st.one_of(st.sampled_from(RESERVED), CONTROL))
    tail = draw(st.text(st.one_of(ALLOWED, st.sampled_from(RESERVED)), max_size=20))
    return head + bad + tail


def _not_exempt(text: str) -> bool:
    return text.strip() != "" and not text.lower().startswith(("hidden", "link"))


allowed_names = st.text(ALLOWED, min_size=1, max_size=60).filter(lambda t: t.strip() != "")


def _refused(call: Callable[[], Any]) -> HttpResponseError:
    with pytest.raises(HttpResponseError) as caught:
        call()
    return caught.value


def _assert_tag_names_refused(err: HttpResponseError, names: list[str]) -> None:
    assert err.status_code == 400
    assert err.error.code == "InvalidTagNameCharacters"
    assert err.error.message == expected_message(names)


# Each route that takes tags: how to send `tags` through the SDK, and how to read what is kept.
def _routes(sdk: Clients, rg: str) -> dict[str, tuple[Callable[[dict], Any], Callable[[], Any]]]:
    new_rg, new_cg = unique("rg-tags"), unique("cg-tags")
    kept_cg = unique("cg-kept")
    sdk.aci.container_groups.begin_create_or_update(
        rg, kept_cg, group(container(), public=False, tags={"keep": "me"})
    ).result()

    def rg_exists() -> bool:
        return sdk.rm.resource_groups.check_existence(new_rg)

    def cg_state() -> Any:
        try:
            return sdk.aci.container_groups.get(rg, new_cg).tags
        except ResourceNotFoundError:
            return "absent"

    return {
        "resource group PUT": (
            lambda tags: sdk.rm.resource_groups.create_or_update(
                new_rg, {"location": "eastus", "tags": tags}
            ),
            rg_exists,
        ),
        "resource group PATCH": (
            lambda tags: sdk.rm.resource_groups.update(rg, ResourceGroupPatchable(tags=tags)),
            lambda: sdk.rm.resource_groups.get(rg).tags,
        ),
        "container group PUT": (
            lambda tags: sdk.aci.container_groups.begin_create_or_update(
                rg, new_cg, group(container(), public=False, tags=tags)
            ).result(),
            cg_state,
        ),
        "container group PATCH": (
            lambda tags: sdk.aci.container_groups.update(rg, kept_cg, Resource(tags=tags)),
            lambda: sdk.aci.container_groups.get(rg, kept_cg).tags,
        ),
    }


@pytest.fixture
def routes(sdk: Clients, rg: str):
    return _routes(sdk, rg)


@SETTINGS
@given(bad=st.lists(reserved_names(), min_size=1, max_size=3, unique=True), data=st.data())
def test_a_reserved_character_in_a_tag_name_is_refused_everywhere(routes, bad, data):
    good = data.draw(st.dictionaries(allowed_names, st.text(max_size=10), max_size=3))
    tags = {**{name: "v" for name in bad}, **good}
    named = [name for name in tags if name in bad]  # in the body's order
    for route, (send, kept) in routes.items():
        before = kept()
        err = _refused(lambda send=send: send(tags))
        _assert_tag_names_refused(err, named)
        assert kept() == before, route


@SETTINGS
@given(tags=st.dictionaries(allowed_names, st.text(max_size=20), min_size=1, max_size=5))
def test_every_other_character_is_accepted_and_kept(sdk, rg, tags):
    updated = sdk.rm.resource_groups.update(rg, ResourceGroupPatchable(tags=tags))
    assert updated.tags == tags
    name = unique("cg-ok")
    created = sdk.aci.container_groups.begin_create_or_update(
        rg, name, group(container(), public=False, tags=tags)
    ).result()
    assert created.tags == tags
    sdk.aci.container_groups.begin_delete(rg, name).result()


@pytest.mark.parametrize(
    "name",
    [
        "hidden-link:/subscriptions/0/resourceGroups/rg/providers/Microsoft.Web/sites/app",
        "hidden-title",
        "Hidden-related:/x&y",
        "link:/a?b",
    ],
)
def test_a_name_of_an_exempt_prefix_may_hold_them(sdk, rg, name):
    updated = sdk.rm.resource_groups.update(rg, ResourceGroupPatchable(tags={name: "Resource"}))
    assert updated.tags == {name: "Resource"}


def test_the_count_is_checked_before_characters_and_characters_before_lengths(sdk, rg):
    too_many = {f"a/{n}": "v" for n in range(51)}
    err = _refused(lambda: sdk.rm.resource_groups.update(rg, ResourceGroupPatchable(tags=too_many)))
    assert (err.status_code, err.error.code) == (400, "InvalidTags")
    long_and_reserved = {"x" * 600: "v", "a%b": "v" * 300}
    err = _refused(
        lambda: sdk.rm.resource_groups.update(rg, ResourceGroupPatchable(tags=long_and_reserved))
    )
    _assert_tag_names_refused(err, ["a%b"])
