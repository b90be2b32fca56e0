"""A request body's media type, as Resource Manager checks it, over generated types and bodies.

Azure answers a body sent without a Content-Type, or with a type other than application/json,
415 `UnsupportedMediaType` "The content media type '<null>' is not supported. Only
'application/json' is supported." before it reads the body (Azure/azure-cli#13056, #28494: a body
that is not JSON gets this answer, not InvalidRequestContent); a `+json` type is refused and
named (Azure/azure-powershell#6639); parameters do not matter (`application/json; charset=utf-8`
in recorded traffic); a request without a body needs no type (recorded DELETEs). The rest is our
reading (web/media_type.py). The SDK always sends `application/json`, so this class is reachable
only through raw HTTP.
"""

from __future__ import annotations

import json

import pytest
import requests
from aci_builders import ACI_API, RG_API, Clients, Raw, unique, wire_group
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
CODE = "UnsupportedMediaType"


def refused(shown: str) -> str:
    return (
        f"The content media type '{shown}' is not supported. Only 'application/json' is supported."
    )


TOKEN = st.from_regex(r"[A-Za-z0-9!#$%&'*+.^_`|~-]{1,16}", fullmatch=True)
PARAMETER = st.one_of(
    st.sampled_from(["charset=utf-8", "charset=UTF-8", 'charset="utf-8"', "odata=verbose"]),
    st.tuples(TOKEN, TOKEN).map("=".join),
)
SPACE = st.sampled_from(["", " ", "  ", "\t"])


@st.composite
def with_parameters(draw: st.DrawFn, essence: str) -> str:
    """`essence` followed by drawn parameters and optional whitespace, as clients write them."""
    parameters = draw(st.lists(PARAMETER, max_size=3))
    text = essence + "".join(f"{draw(SPACE)};{draw(SPACE)}{p}" for p in parameters)
    return text + draw(SPACE)  # requests refuses leading whitespace; h11 strips both


@st.composite
def json_spelling(draw: st.DrawFn) -> str:
    """application/json in any case, with any parameters: what the SDKs and the CLI send, and
    every other spelling of the same type."""
    cases = draw(st.lists(st.booleans(), min_size=16, max_size=16))
    essence = "".join(
        c.upper() if up else c for c, up in zip("application/json", cases, strict=True)
    )
    return draw(with_parameters(essence))


OTHER_ESSENCE = st.one_of(
    st.sampled_from(
        [
            "text/plain",
            "text/json",
            "application/xml",
            "application/x-www-form-urlencoded",
            "application/json-patch+json",
            "application/merge-patch+json",
            "application/vnd.swagger.doc+json",
            "application/octet-stream",
            "multipart/form-data",
        ]
    ),
    st.tuples(TOKEN, TOKEN).map("/".join),
).filter(lambda essence: essence.lower() != "application/json")


@st.composite
def other_type(draw: st.DrawFn) -> tuple[str, str]:
    """(a Content-Type of another media type, the type as Azure's message names it)."""
    essence = draw(OTHER_ESSENCE)
    return draw(with_parameters(essence)), essence


# Values that name no media type: read as no type at all ('<null>').
NOT_A_TYPE = st.sampled_from(
    ["json", "application", "application/", "/json", "text plain", "a/b/c", "application/json x"]
)
BODY = st.one_of(
    st.just(json.dumps({"location": "eastus"})),
    st.just('{"location": "eastus", "tags": {'),  # not JSON: refused before it is read
    st.text(min_size=1, max_size=60).filter(lambda text: text.encode()),
).map(str.encode)


def send(
    raw: Raw,
    method: str,
    path: str,
    body: bytes,
    content_type: str | None,
    token: bool = True,
    **kw,
):
    """A request whose body is sent exactly as given, with this Content-Type or none."""
    headers = {"Content-Type": content_type} if content_type is not None else {}
    return raw.request(
        method, path, data=body, headers=headers, token="default" if token else None, **kw
    )


def assert_refused(answer: requests.Response, shown: str) -> None:
    assert answer.status_code == 415, answer.text
    assert answer.json() == {"error": {"code": CODE, "message": refused(shown)}}


def rg_absent(raw: Raw, name: str) -> bool:
    return raw.request("HEAD", raw.rg_path(name), api_version=RG_API).status_code == 404


@SETTINGS
@given(body=BODY)
def test_a_body_without_a_content_type_is_refused_and_changes_nothing(raw: Raw, body: bytes):
    name = unique("media-rg")
    answer = send(raw, "PUT", raw.rg_path(name), body, None, params={"api-version": RG_API})
    assert_refused(answer, "<null>")
    assert rg_absent(raw, name)


@SETTINGS
@given(drawn=other_type(), body=BODY)
def test_another_media_type_is_refused_by_name(raw: Raw, drawn: tuple[str, str], body: bytes):
    content_type, essence = drawn
    name = unique("media-rg")
    path = raw.rg_path(name)
    answer = send(raw, "PUT", path, body, content_type, params={"api-version": RG_API})
    assert_refused(answer, essence)
    assert rg_absent(raw, name)


@SETTINGS
@given(content_type=NOT_A_TYPE, body=BODY)
def test_a_value_that_names_no_media_type_is_read_as_none(raw: Raw, content_type: str, body: bytes):
    name = unique("media-rg")
    path = raw.rg_path(name)
    answer = send(raw, "PUT", path, body, content_type, params={"api-version": RG_API})
    assert_refused(answer, "<null>")
    assert rg_absent(raw, name)


@SETTINGS
@given(content_type=json_spelling())
def test_every_spelling_of_application_json_is_read(raw: Raw, content_type: str):
    name = unique("media-rg")
    body = json.dumps({"location": "eastus", "tags": {"spelling": content_type.strip()}})
    path = raw.rg_path(name)
    answer = send(raw, "PUT", path, body.encode(), content_type, params={"api-version": RG_API})
    assert answer.status_code == 201, answer.text
    assert answer.json()["tags"] == {"spelling": content_type.strip()}


@settings(SETTINGS, max_examples=12)
@given(content_type=st.one_of(st.none(), json_spelling(), other_type().map(lambda d: d[0])))
def test_a_request_without_a_body_needs_no_media_type(
    raw: Raw, rg: str, sdk: Clients, content_type: str | None
):
    """Actions without a body (what azure-core sends for stop, start, restart: no Content-Type)
    are answered whatever the header says."""
    name = unique("cg")
    sdk.aci.container_groups.begin_create_or_update(rg, name, wire_group()).result()
    path = raw.cg_path(rg, name)
    for action, status in (("stop", 204), ("start", 202), ("restart", 204)):
        answer = send(
            raw, "POST", f"{path}/{action}", b"", content_type, params={"api-version": ACI_API}
        )
        assert answer.status_code == status, (action, answer.text)
    answer = send(raw, "DELETE", path, b"", content_type, params={"api-version": ACI_API})
    assert answer.status_code == 200, answer.text


def test_a_post_action_with_a_body_of_another_type_is_refused_and_changes_nothing(
    raw: Raw, rg: str, sdk: Clients
):
    name = unique("cg")
    sdk.aci.container_groups.begin_create_or_update(rg, name, wire_group()).result()
    path = raw.cg_path(rg, name)
    answer = send(
        raw, "POST", f"{path}/stop", b"now", "text/plain", params={"api-version": ACI_API}
    )
    assert_refused(answer, "text/plain")
    assert sdk.aci.container_groups.get(rg, name).instance_view.state == "Running"


def test_a_patch_and_a_provider_registration_meet_the_same_rule(raw: Raw, rg: str, sdk: Clients):
    body = json.dumps({"tags": {"team": "red"}}).encode()
    answer = send(raw, "PATCH", raw.rg_path(rg), body, None, params={"api-version": RG_API})
    assert_refused(answer, "<null>")
    assert not sdk.rm.resource_groups.get(rg).tags
    register = "/subscriptions/{sub}/providers/Microsoft.ContainerInstance/register"
    answer = send(raw, "POST", register, b"{}", "application/xml", params={"api-version": RG_API})
    assert_refused(answer, "application/xml")


@pytest.mark.parametrize(
    ("what", "path", "params"),
    [
        # Our reading: no source shows ARM's order between these; at the door, the rule holds
        # on every route and nothing of the body is read first.
        ("no token", "/subscriptions/{sub}/resourcegroups/x", {"api-version": RG_API}),
        ("no api-version", "/subscriptions/{sub}/resourcegroups/x", {}),
        (
            "a provider the emulator does not serve",
            "/subscriptions/{sub}/resourceGroups/x/providers/Microsoft.Web/sites/app/config/web",
            {"api-version": "2022-03-01"},
        ),
        (
            "an api-version Container Instances does not serve",
            "/subscriptions/{sub}/resourceGroups/x/providers/Microsoft.ContainerInstance/containerGroups/cg",
            {"api-version": "2099-01-01"},
        ),
    ],
)
def test_the_media_type_is_checked_first(raw: Raw, what: str, path: str, params):
    body = b'{"location": "eastus"}'
    answer = send(raw, "PUT", path, body, None, token=what != "no token", params=params)
    assert_refused(answer, "<null>")


def test_a_body_that_is_not_json_is_refused_for_its_type_before_it_is_read(raw: Raw, rg: str):
    """Azure/azure-cli#13056 and #28494: the body with the shell's backslashes left in."""
    body = b'{\\"properties\\":{\\"http20ProxyFlag\\":2}}'
    path = raw.cg_path(rg, unique("cg"))
    answer = send(raw, "PUT", path, body, None, params={"api-version": ACI_API})
    assert_refused(answer, "<null>")
    answer = send(raw, "PUT", path, body, "application/json", params={"api-version": ACI_API})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "InvalidRequestContent"


def test_the_token_endpoint_keeps_its_own_rules(raw: Raw, info):
    """Entra ID's token endpoint is not Resource Manager: a form there is read as a form."""
    answer = requests.post(
        f"{info.authority_host.rstrip('/')}/{info.tenant_id}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": info.client_id,
            "client_secret": info.client_secret,
            "scope": "https://management.azure.com/.default",
        },
        verify=raw.ca_bundle,
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["token_type"] == "Bearer"
