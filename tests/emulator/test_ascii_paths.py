"""Resource Manager's paths are ASCII, matched in any ASCII case only, by every predicate at once.

Python's case-insensitive matching folds four non-ASCII letters onto ASCII ones ('İ', 'ı', 'ſ'
U+017F and the Kelvin sign U+212A); a router that folds them while the door's media-type check
does not would serve '/ſubscriptions/...' as Resource Manager without its checks. Such a path is
no path of Resource Manager's: it is answered as the emulator answers any path it does not know
(our reading: ARM's host answers unknown paths with its own 404, which an ASCII path shows
here), and changes nothing. The door's Entra ID envelope likewise belongs to the token
endpoint's route alone, not to any path that holds '/oauth2/' (a resource group named oauth2).
"""

from __future__ import annotations

import json
from urllib.parse import quote

import requests
from aci_builders import ACI_API, RG_API, Raw, unique, wire_group
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# Each non-ASCII letter Unicode case folding matches to an ASCII one, with that ASCII letter.
FOLDED = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
SEGMENTS = ("subscriptions", "resourcegroups")


@st.composite
def folded_path(draw: st.DrawFn, rg: str) -> tuple[str, str]:
    """(an ARM resource group path with one letter swapped for a non-ASCII look-alike, the same
    path with an ASCII letter swapped for another, unknown ASCII segment)."""
    segment = draw(st.sampled_from(SEGMENTS))
    places = [(i, c) for i, c in enumerate(segment) for f, a in FOLDED.items() if a == c]
    at, letter = draw(st.sampled_from(places))
    lookalike = draw(st.sampled_from([f for f, a in FOLDED.items() if a == letter]))
    plain = f"/subscriptions/{{sub}}/resourcegroups/{rg}"
    swapped = segment[:at] + quote(lookalike) + segment[at + 1 :]
    unknown = segment[:at] + "x" + segment[at + 1 :]
    return plain.replace(segment, swapped, 1), plain.replace(segment, unknown, 1)


def send(raw: Raw, path: str, body: bytes, content_type: str | None) -> requests.Response:
    headers = {"Authorization": f"Bearer {raw.token}"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    url = raw.url(path) + f"?api-version={RG_API}"
    return requests.put(url, data=body, headers=headers, verify=raw.ca_bundle, timeout=30)


@SETTINGS
@given(data=st.data(), content_type=st.sampled_from([None, "text/plain", "application/json"]))
def test_a_non_ascii_lookalike_path_is_an_unknown_path_and_changes_nothing(
    raw: Raw, data: st.DataObject, content_type: str | None
):
    rg = unique("ascii-rg")
    lookalike, unknown = data.draw(folded_path(rg))
    body = json.dumps({"location": "eastus"}).encode()
    answer = send(raw, lookalike, body, content_type)
    baseline = send(raw, unknown, body, content_type)
    assert answer.status_code == baseline.status_code, (answer.text, baseline.text)
    assert answer.status_code in (404, 415, 501), answer.text  # never served
    assert answer.json()["error"].get("code") == baseline.json()["error"].get("code")
    assert raw.request("HEAD", raw.rg_path(rg), api_version=RG_API).status_code == 404


def test_the_same_ascii_path_in_any_case_is_still_served(raw: Raw):
    rg = unique("ascii-rg")
    path = f"/SUBSCRIPTIONS/{{sub}}/ResourceGroups/{rg}"
    answer = raw.request("PUT", path, api_version=RG_API, json={"location": "eastus"})
    assert answer.status_code == 201, answer.text
    assert raw.request("HEAD", raw.rg_path(rg), api_version=RG_API).status_code == 204


def test_a_resource_group_named_oauth2_is_answered_in_arm_s_envelope(raw: Raw):
    """Only the token endpoint answers a door refusal in Entra ID's envelope."""
    rg = "oauth2"
    assert raw.request("PUT", raw.rg_path(rg), api_version=RG_API, json={"location": "eastus"}).ok
    path = raw.cg_path(rg, unique("cg")) + f"?api-version={ACI_API}"
    body = json.dumps(wire_group()).encode()
    headers = {"Authorization": f"Bearer {raw.token}", "Content-Type": "text/plain"}
    answer = requests.put(raw.url(path), data=body, headers=headers, verify=raw.ca_bundle)
    assert answer.status_code == 415
    assert answer.json() == {
        "error": {
            "code": "UnsupportedMediaType",
            "message": "The content media type 'text/plain' is not supported. Only "
            "'application/json' is supported.",
        }
    }
    headers["Content-Type"] = "application/json"
    big = b"{" + b" " * (4 * 1024 * 1024 + 10) + b"}"
    answer = requests.put(raw.url(path), data=big, headers=headers, verify=raw.ca_bundle)
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "RequestContentTooLarge"
    assert "error_codes" not in answer.json()
