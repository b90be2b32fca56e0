"""Framing and values a lenient server would let through, sent raw over TLS.

- Content-Length beside Transfer-Encoding (a request-smuggling shape): RFC 9112 section 6.1
  lets a server refuse it, and then it must close the connection. Refused 400 `BadRequest`,
  closed, nothing handed to the application.
- A transfer coding other than `chunked` alone (`identity`, `gzip, chunked`, ...): h11 cannot
  read it; 501 with the code `NotImplemented` (status and code agree), closed.
- An empty `Authorization: Basic ` at the token endpoint (HTTP trims it to `Basic`): malformed
  credentials, 400 `invalid_request` AADSTS9002313 as documented in emulator/README.md.
- CPU below its step or a negative limit (`cpu: 1e-300`, `limits.cpu: -1`): refused with a 400
  naming the requirement (backend/aci/bounds.py; the generated bodies of
  test_generated_requests.py explore the class).
"""

from __future__ import annotations

import json
import socket
import ssl
from collections.abc import Iterator

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from reliability_kit import IMAGE, REPORT, raw_token

from aci_emulator import Emulator, EmulatorConfig

GENERATED = settings(max_examples=25, deadline=None, derandomize=True, database=None)
CODINGS = ["identity", "gzip", "deflate", "compress", "br", "x-custom", "chunked"]


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig()) as running:
        yield running


def exchange(emu: Emulator, data: bytes) -> tuple[int, dict[str, str], dict, bool]:
    """Send raw bytes; the answer's status, headers, JSON body, and whether the server then
    closed the connection."""
    host, port = emu.info.arm_endpoint.removeprefix("https://").rsplit(":", 1)
    context = ssl.create_default_context(cafile=emu.info.ca_bundle)
    raw = socket.create_connection((host, int(port)), timeout=10)
    with raw, context.wrap_socket(raw, server_hostname=host) as tls:
        tls.sendall(data)
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = tls.recv(65536)
            assert chunk, received
            received += chunk
        head, body = received.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines[1:])}
        while len(body) < int(headers["content-length"]):
            body += tls.recv(65536)
        tls.settimeout(3)
        try:
            closed = tls.recv(1) == b""
        except TimeoutError:
            closed = False
    return int(lines[0].split()[1]), headers, json.loads(body), closed


def token_path(emu: Emulator) -> str:
    return f"/{emu.info.tenant_id}/oauth2/v2.0/token"


@GENERATED
@given(length=st.integers(0, 10**6), path=st.sampled_from(["arm", "token"]))
def test_content_length_beside_transfer_encoding_is_refused_and_closed(emu, length, path):
    target = token_path(emu) if path == "token" else "/metadata/endpoints?api-version=2022-09-01"
    request = (
        f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {length}\r\n"
        "Transfer-Encoding: chunked\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n"
        "0\r\n\r\n"
    )
    status, headers, body, closed = exchange(emu, request.encode())

    assert status == 400 and closed and headers["connection"] == "close"
    message = body["error_description"] if path == "token" else body["error"]["message"]
    if path != "token":
        assert body["error"]["code"] == "BadRequest"
    assert "both a Content-Length and a Transfer-Encoding" in message


@GENERATED
@given(codings=st.lists(st.sampled_from(CODINGS), min_size=1, max_size=3))
def test_a_transfer_coding_other_than_chunked_alone_is_501_not_implemented(emu, codings):
    if codings == ["chunked"]:
        return  # the one coding served (every other test's chunked bodies)
    request = (
        "POST /metadata/endpoints?api-version=2022-09-01 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Transfer-Encoding: {', '.join(codings)}\r\n\r\n0\r\n\r\n"
    )
    status, _, body, closed = exchange(emu, request.encode())

    assert (status, body["error"]["code"]) == (501, "NotImplemented")
    assert "'chunked'" in body["error"]["message"]
    assert closed


@GENERATED
@given(
    scheme=st.sampled_from(["Basic", "basic", "BASIC"]),
    spaces=st.text(alphabet=" \t", max_size=4),
)
def test_empty_basic_credentials_are_a_malformed_request(emu, scheme, spaces):
    form = "grant_type=client_credentials&scope=https%3A%2F%2Fmanagement.azure.com%2F.default"
    request = (
        f"POST {token_path(emu)} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: {scheme}{spaces}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(form)}\r\nConnection: close\r\n\r\n{form}"
    )
    status, _, body, _ = exchange(emu, request.encode())

    assert (status, body["error"], body["error_codes"]) == (400, "invalid_request", [9002313])
    assert "Request is malformed or invalid" in body["error_description"]


CPU_CASES = {
    "cpu 1e-300": ({"requests": {"cpu": 1e-300, "memoryInGB": 1.5}}, "increments of 0.01"),
    "cpu 0.001": ({"requests": {"cpu": 0.001, "memoryInGB": 1.5}}, "increments of 0.01"),
    "limits.cpu -1": (
        {"requests": {"cpu": 1, "memoryInGB": 1.5}, "limits": {"cpu": -1}},
        "limit value must be greater than or equal to the request value",
    ),
    "limits.cpu 1e-300": (
        {"requests": {"cpu": 1, "memoryInGB": 1.5}, "limits": {"cpu": 1e-300}},
        "increments of 0.01",
    ),
}


@pytest.mark.parametrize("case", list(CPU_CASES))
def test_cpu_off_its_step_or_a_negative_limit_is_refused(emu, case):
    resources, text = CPU_CASES[case]
    session = requests.Session()
    session.trust_env = False
    sub = f"{emu.info.arm_endpoint}/subscriptions/{emu.info.subscription_id}"
    headers = {"Authorization": f"Bearer {raw_token(emu.info)}"}
    session.put(
        f"{sub}/resourcegroups/framing-rg?api-version=2025-04-01",
        json={"location": "eastus"},
        headers=headers,
        verify=emu.info.ca_bundle,
    )
    container = {"name": "app", "properties": {"image": IMAGE, "resources": resources}}
    body = {"location": "eastus", "properties": {"osType": "Linux", "containers": [container]}}
    url = (
        f"{sub}/resourceGroups/framing-rg/providers/Microsoft.ContainerInstance/containerGroups/cg"
    )
    put = session.put(
        f"{url}?api-version=2023-05-01", json=body, headers=headers, verify=emu.info.ca_bundle
    )

    assert put.status_code == 400, put.text
    assert put.json()["error"]["code"] in (
        "InvalidContainerResourceRequests",
        "ResourceLimitsLessThanRequests",
    )
    assert text.replace("increments", "incrememts") in put.json()["error"]["message"]
    got = session.get(f"{url}?api-version=2023-05-01", headers=headers, verify=emu.info.ca_bundle)
    assert got.status_code == 404


def test_report_rows():
    REPORT.hostile_client(
        "framing: Content-Length beside Transfer-Encoding; a transfer coding other than "
        "`chunked` alone; empty Basic credentials in the Authorization header (generated)",
        "400 `BadRequest` then closed (RFC 9112 §6.1); 501 `NotImplemented`, closed; 400 "
        "AADSTS9002313",
        "as expected for every generated head",
    )
