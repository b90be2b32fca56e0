"""Every absolute URL the server sends starts with its own address, whatever Host a client sends.

The Host header is the client's to write. Were absolute URLs built from it, a client (or a page
in a browser, through DNS rebinding) could make the server advertise another token endpoint in
its OpenID configuration, another resourceManager in /metadata/endpoints, and other
`Azure-AsyncOperation`, `Location` and `nextLink` URLs. They are built from the server's own
address, the one in its info (`arm_endpoint`, `authority_host`); a Host naming anything else is
ignored (our reading: ARM's front end answers only its own names, which a local server cannot
mirror). Hypothesis generates Host values; every URL in every answer is checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from reliability_kit import IMAGE, REPORT, raw_token

from aci_emulator import Emulator, EmulatorConfig

NS = "providers/Microsoft.ContainerInstance"
URL = re.compile(r"https?://[^\s\"']+")
HOSTS = st.one_of(
    st.sampled_from(
        [
            "evil.example",
            "evil.example:443",
            "management.azure.com",
            "localhost:1",
            "127.0.0.2",
            "[::1]:8443",
            "login.microsoftonline.com",
        ]
    ),
    st.from_regex(r"[a-z0-9][a-z0-9.-]{0,40}(:[0-9]{1,5})?", fullmatch=True),
)
SEEN = {"hosts": 0, "urls": 0}


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(page_size=1)) as running:
        yield running


def call(emu: Emulator, method: str, path: str, host: str, **kwargs: Any) -> requests.Response:
    headers = {"Host": host, "Authorization": f"Bearer {raw_token(emu.info)}"}
    return requests.request(
        method,
        emu.info.arm_endpoint + path,
        headers=headers,
        verify=emu.info.ca_bundle,
        timeout=30,
        **kwargs,
    )


def urls_in(response: requests.Response) -> list[str]:
    found = URL.findall(response.text)
    for name in ("Location", "Azure-AsyncOperation"):
        if name in response.headers:
            found.append(response.headers[name])
    return found


def own(emu: Emulator, url: str) -> bool:
    """The URL is the server's, or a public Azure one it names as such (audiences, graph)."""
    public = ("https://management.", "https://graph.", "https://batch.", "https://aka.ms/")
    return (
        url.startswith(emu.info.arm_endpoint + "/")
        or url == emu.info.arm_endpoint
        or (url.startswith(public))
    )


@settings(max_examples=30, deadline=None, derandomize=True, database=None)
@given(host=HOSTS)
def test_no_absolute_url_is_built_from_the_host_header(emu, host):
    sub = f"/subscriptions/{emu.info.subscription_id}"
    tenant = emu.info.tenant_id
    group = {
        "location": "eastus",
        "properties": {
            "osType": "Linux",
            "containers": [
                {
                    "name": "app",
                    "properties": {
                        "image": IMAGE,
                        "resources": {"requests": {"cpu": 1, "memoryInGB": 1.5}},
                    },
                }
            ],
        },
    }
    cg = f"{sub}/resourceGroups/host-rg/{NS}/containerGroups"
    answers = [
        call(emu, "GET", f"/{tenant}/v2.0/.well-known/openid-configuration", host),
        call(emu, "GET", "/metadata/endpoints?api-version=2022-09-01", host),
        call(emu, "POST", f"/{tenant}/oauth2/v2.0/token", host, data={"grant_type": "x"}),
        call(
            emu,
            "PUT",
            f"{sub}/resourcegroups/host-rg?api-version=2025-04-01",
            host,
            json={"location": "eastus"},
        ),
        call(emu, "PUT", f"{cg}/one?api-version=2023-05-01", host, json=group),
        call(emu, "PUT", f"{cg}/two?api-version=2023-05-01", host, json=group),
        call(emu, "GET", f"{cg}?api-version=2023-05-01", host),  # page_size 1: a nextLink
        call(
            emu,
            "PUT",
            f"{sub}/resourcegroups/gone-rg?api-version=2025-04-01",
            host,
            json={"location": "eastus"},
        ),
        call(emu, "DELETE", f"{sub}/resourcegroups/gone-rg?api-version=2025-04-01", host),
    ]
    assert [a.status_code for a in answers[:4]] == [200, 200, 400, answers[3].status_code]
    assert answers[3].status_code in (200, 201) and answers[2].json()["error_uri"]
    assert answers[4].status_code in (200, 201) and "Azure-AsyncOperation" in answers[4].headers
    assert "nextLink" in answers[6].json()
    assert answers[8].status_code == 202 and "Location" in answers[8].headers
    urls = [url for answer in answers for url in urls_in(answer)]
    assert urls and [url for url in urls if not own(emu, url)] == []
    SEEN["hosts"] += 1
    SEEN["urls"] += len(urls)


def test_report_row():
    REPORT.hostile_client(
        "a forged Host header (generated) on the OpenID configuration, /metadata/endpoints, the "
        "token endpoint, creates, lists and deletes",
        "ignored: every absolute URL (token endpoint, resourceManager, error_uri, "
        "Azure-AsyncOperation, Location, nextLink) is the server's own address",
        f"{SEEN['hosts']} Host values, {SEEN['urls']} URLs checked: all the server's own",
    )
