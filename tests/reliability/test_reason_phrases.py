"""Every answer's status line carries the reason phrase Azure's front end writes.

Recorded traffic (tests/fidelity/recordings) stores each answer's `status: {code, message}`:
`200 OK`, `201 Created`, `202 Accepted`, `404 Not Found`... The Azure CLI prints that phrase
before an error's JSON ("Unsupported Media Type({...})", Azure/azure-cli#13056), so a status
line without one ("HTTP/1.1 415 ") shows users an output live Azure never gives.
"""

from __future__ import annotations

import http.client
import re
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability_kit import raw_token

from aci_emulator import Emulator

RECORDINGS = Path(__file__).parents[1] / "fidelity" / "recordings"
RECORDED = re.compile(r"code: (\d{3}),?\s*message: ([A-Za-z -]+?)\s*[}\n]")


def recorded_phrases() -> dict[int, str]:
    phrases: dict[int, str] = {}
    for path in RECORDINGS.glob("*.yaml"):
        for code, message in RECORDED.findall(path.read_text()):
            assert phrases.setdefault(int(code), message) == message, (path.name, code)
    return phrases


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator() as running:
        yield running


def status_line(
    emu: Emulator,
    method: str,
    path: str,
    body: bytes | None = None,
    content_type: str | None = "application/json",
) -> tuple[int, str]:
    host = emu.info.arm_endpoint.removeprefix("https://")
    context = ssl.create_default_context(cafile=emu.info.ca_bundle)
    connection = http.client.HTTPSConnection(host, context=context, timeout=30)
    headers = {"Authorization": f"Bearer {raw_token(emu.info)}"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    try:
        connection.request(method, path, body=body, headers=headers)
        answer = connection.getresponse()
        answer.read()
        return answer.status, answer.reason
    finally:
        connection.close()


def test_the_recordings_show_a_phrase_for_every_status():
    phrases = recorded_phrases()
    assert {200: "OK", 201: "Created", 202: "Accepted", 404: "Not Found"}.items() <= phrases.items()


def test_each_answer_carries_the_phrase_azure_writes(emu):
    sub = f"/subscriptions/{emu.info.subscription_id}"
    rg = f"{sub}/resourcegroups/phrases-rg?api-version=2021-04-01"
    answers = [
        status_line(emu, "PUT", rg, b'{"location": "eastus"}'),
        status_line(emu, "PUT", rg, b'{"location": "eastus"}'),
        status_line(emu, "GET", f"{sub}/resourcegroups/missing-rg?api-version=2021-04-01"),
        status_line(emu, "PUT", rg, b'{"location": "eastus"}', content_type="text/plain"),
        status_line(emu, "PUT", rg, b'{"location": ', content_type="application/json"),
        status_line(emu, "DELETE", rg),
    ]
    assert [status for status, _ in answers] == [201, 200, 404, 415, 400, 202]
    phrases = recorded_phrases()
    for status, reason in answers:
        assert reason == phrases.get(status, http.HTTPStatus(status).phrase), status
    assert answers[3][1] == "Unsupported Media Type"
