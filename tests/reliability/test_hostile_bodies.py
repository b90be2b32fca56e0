"""Hostile clients: bodies, names, queries and sequences no SDK sends.

Each is sent raw over HTTPS (requests, or a TLS socket where requests would fix the input), and
must be refused with ARM's error envelope and a 4xx, never a 500, before anything is stored:
afterwards the resource is absent and both list routes still answer 200. The lifecycle cases
(quota on start and restart, a stale resource group delete, a failure injected between
validation and storage, operations that expire) go through the same raw calls. Every test
writes its row of the "Hostile clients" table in docs/reliability.md from what it observed.

Azure's limits and texts, with their sources, are listed in emulator/README.md ("Limits"):
a body over 4 MB is 413 `RequestContentTooLarge`; 50 tags of names up to 512 and values up to
256 characters; 60 containers per group. The rest (JSON depth 64, codes for the container
limit and for names) is our reading.
"""

from __future__ import annotations

import copy
import json
import random
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from reliability_kit import IMAGE, REPORT

from aci_emulator import Emulator, EmulatorConfig
from aci_emulator.backend import operations as operation_store
from aci_emulator.backend.aci import lifecycle
from aci_emulator.testing import raw_token

ACI_API = "2023-05-01"
RG_API = "2025-04-01"
NS = "providers/Microsoft.ContainerInstance"
MISSING = object()


@dataclass
class Wire:
    """Raw HTTPS calls to one emulator with a valid token of it."""

    emu: Emulator
    token: str

    @property
    def sub(self) -> str:
        return f"/subscriptions/{self.emu.info.subscription_id}"

    def rg(self, name: str) -> str:
        return f"{self.sub}/resourcegroups/{name}"

    def cg(self, rg: str, name: str) -> str:
        return f"{self.sub}/resourceGroups/{rg}/{NS}/containerGroups/{name}"

    def call(
        self,
        method: str,
        path: str,
        body: Any = MISSING,
        *,
        data: Any = None,
        api: str | None = ACI_API,
        params: dict[str, str] | None = None,
    ) -> requests.Response:
        query = {"api-version": api} if api else {}
        query.update(params or {})
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        if body is not MISSING:
            data = json.dumps(body)
        url = path if path.startswith("https://") else self.emu.info.arm_endpoint + path
        return requests.request(
            method,
            url,
            params=query,
            data=data,
            headers=headers,
            verify=self.emu.info.ca_bundle,
            timeout=60,
        )

    def put_rg(self, name: str, **body: Any) -> requests.Response:
        return self.call("PUT", self.rg(name), {"location": "eastus", **body}, api=RG_API)

    def lists(self, rg: str) -> list[str]:
        """Both list routes: each answers 200 (every stored group renders); the names listed."""
        names = []
        for path in (
            f"{self.sub}/{NS}/containerGroups",
            f"{self.sub}/resourceGroups/{rg}/{NS}/containerGroups",
        ):
            response = self.call("GET", path)
            assert response.status_code == 200, response.text
            names.append(sorted(g["name"] for g in response.json()["value"]))
        assert set(names[1]) <= set(names[0])
        return names[1]

    def usage(self) -> float:
        response = self.call("GET", f"{self.sub}/{NS}/locations/eastus/usages")
        assert response.status_code == 200
        assert "NaN" not in response.text and "Infinity" not in response.text
        values = {u["name"]["value"]: u["currentValue"] for u in json.loads(response.text)["value"]}
        return values["StandardCores"]


def wire_for(emu: Emulator) -> Wire:
    info = emu.info
    return Wire(emu, raw_token(info))


@pytest.fixture(scope="module")
def wire() -> Iterator[Wire]:
    with Emulator(EmulatorConfig(quota_cores=1000)) as emu:
        yield wire_for(emu)


@pytest.fixture(scope="module")
def rg(wire: Wire) -> str:
    assert wire.put_rg("hostile-rg").status_code == 201
    return "hostile-rg"


def container(name: str = "app", cpu: Any = 1.0, memory: Any = 1.5, **props: Any) -> dict:
    requests_ = {"cpu": cpu, "memoryInGB": memory}
    properties = {"image": IMAGE, "resources": {"requests": requests_}, **props}
    return {"name": name, "properties": properties}


def group(*containers: dict, tags: dict | None = None, **props: Any) -> dict:
    body = {
        "location": "eastus",
        "properties": {"containers": list(containers) or [container()], "osType": "Linux", **props},
    }
    if tags is not None:
        body["tags"] = tags
    return body


def refused(response: requests.Response, status: int, code: str, text: str = "") -> str:
    """The answer is ARM's envelope with this status, code and (part of a) message."""
    assert response.status_code == status, response.text[:500]
    error = response.json()["error"]
    assert error["code"] == code, error
    assert text in error["message"], error["message"]
    return f"{status} `{code}`"


def deep(levels: int) -> dict:
    value: dict = {}
    for _ in range(levels):
        value = {"x": value}
    return value


def raw_json(body: dict, old: str, new: str) -> str:
    """The body as JSON text with one value replaced by text JSON cannot carry (NaN, …)."""
    text = json.dumps(body)
    assert old in text
    return text.replace(old, new, 1)


# -- bodies ----------------------------------------------------------------------------------------
def _body_cases() -> dict[str, tuple[Callable[[], dict | str], int, str, str]]:
    """attack -> (body or raw JSON text, status, code, part of the message)."""
    too_many = [container(f"c{i}", cpu=0.01, memory=0.1) for i in range(61)]
    return {
        "an unknown property nested 600 levels deep": (
            lambda: {**group(), "extra": deep(600)},
            400,
            "InvalidRequestContent",
            "MaxDepth of 64",
        ),
        "a body nested 100 000 levels deep": (
            lambda: '{"location": "eastus", "properties": ' + "[" * 100_000 + "]" * 100_000 + "}",
            400,
            "InvalidRequestContent",
            "MaxDepth of 64",
        ),
        "`volumes[].azureFile` a string": (
            lambda: group(volumes=[{"name": "share1", "azureFile": "myshare"}]),
            400,
            "InvalidRequestContent",
            "for 'azureFile': expected an object. Path 'properties.volumes[0].azureFile'",
        ),
        "a null container in `containers`": (
            lambda: group(container(), None),
            400,
            "InvalidRequestContent",
            "expected an object. Path 'properties.containers[1]'",
        ),
        "`cpu` NaN": (
            lambda: raw_json(group(container(cpu=1.25)), "1.25", "NaN"),
            400,
            "InvalidRequestContent",
            "Unexpected token 'NaN'",
        ),
        "`memoryInGB` Infinity": (
            lambda: raw_json(group(container(memory=1.25)), "1.25", "Infinity"),
            400,
            "InvalidRequestContent",
            "Unexpected token 'Infinity'",
        ),
        "`cpu` a 401-digit integer": (
            lambda: group(container(cpu=10**400)),
            400,
            "InvalidRequestContent",
            "to a number. Path 'properties.containers[0].properties.resources.requests.cpu'",
        ),
        "`imageRegistryCredentials[].server` the number 123": (
            lambda: group(imageRegistryCredentials=[{"server": 123, "username": "u"}]),
            400,
            "InvalidRequestContent",
            "for 'server': expected a string",
        ),
        "61 containers (Azure allows 60)": (
            lambda: group(*too_many),
            400,
            "TooManyContainers",
            "at most 60 containers",
        ),
        "2 000 containers": (
            lambda: group(*[container(f"c{i}", cpu=0.001, memory=0.1) for i in range(2000)]),
            400,
            "TooManyContainers",
            "has 2000 containers",
        ),
        "51 tags (Azure allows 50)": (
            lambda: group(tags={f"t{i}": "v" for i in range(51)}),
            400,
            "InvalidTags",
            "Requested tag count - '51'. Maximum number of tags allowed - '50'.",
        ),
        "a tag name of 513 characters": (
            lambda: group(tags={"n" * 513: "v"}),
            400,
            "InvalidTagNameLength",
            "Maximum allowed length for tag name - '512' characters.",
        ),
        "a tag value of 257 characters": (
            lambda: group(tags={"n": "v" * 257}),
            400,
            "InvalidTagValueLength",
            "Maximum allowed length for tag value - '256' characters.",
        ),
        "a 20 MB tag value": (
            lambda: group(tags={"n": "v" * 20_000_000}),
            413,
            "RequestContentTooLarge",
            "The request content size exceeds the maximum size of 4 MB.",
        ),
        "container name `app\\n`": (
            lambda: group(container("app\n")),
            400,
            "InvalidContainerName",
            "is invalid",
        ),
        "DNS name label `mylabel\\n`": (
            lambda: group(
                container(ports=[{"port": 80}]),
                ipAddress={"type": "Public", "ports": [{"port": 80}], "dnsNameLabel": "mylabel\n"},
            ),
            400,
            "InvalidDnsNameLabel",
            "is invalid",
        ),
        "environment variable name `NAME\\n`": (
            lambda: group(container(environmentVariables=[{"name": "NAME\n", "value": "v"}])),
            400,
            "InvalidContainerEnvironmentVariable",
            "is invalid",
        ),
        "volume name `share1\\n`": (
            lambda: group(volumes=[{"name": "share1\n", "emptyDir": {}}]),
            400,
            "InvalidVolumeName",
            "is invalid",
        ),
    }


BODY_CASES = _body_cases()


@pytest.mark.parametrize("attack", list(BODY_CASES))
def test_a_hostile_body_is_refused_and_nothing_is_stored(wire, rg, attack):
    make, status, code, text = BODY_CASES[attack]
    body = make()
    name = f"hostile-{list(BODY_CASES).index(attack)}"

    if isinstance(body, str):
        response = wire.call("PUT", wire.cg(rg, name), data=body.encode())
    else:
        response = wire.call("PUT", wire.cg(rg, name), body)

    observed = refused(response, status, code, text)
    assert wire.call("GET", wire.cg(rg, name)).status_code == 404
    assert name not in wire.lists(rg)
    REPORT.hostile_client(
        f"container group PUT with {attack}",
        f"{status} `{code}`, nothing stored",
        f"{observed}; GET 404; both lists 200",
    )


def test_a_chunked_20_mb_body_is_refused(wire, rg):
    def chunks() -> Iterator[bytes]:
        yield b'{"location": "eastus", "tags": {"n": "'
        for _ in range(20):
            yield b"v" * 1_000_000
        yield b'"}}'

    response = requests.put(
        wire.emu.info.arm_endpoint + wire.rg("hostile-chunked"),
        params={"api-version": RG_API},
        data=chunks(),  # no Content-Length: Transfer-Encoding chunked
        headers={"Authorization": f"Bearer {wire.token}", "Content-Type": "application/json"},
        verify=wire.emu.info.ca_bundle,
        timeout=60,
    )

    observed = refused(response, 413, "RequestContentTooLarge", "maximum size of 4 MB")
    assert wire.call("GET", wire.rg("hostile-chunked"), api=RG_API).status_code == 404
    REPORT.hostile_client(
        "resource group PUT with a chunked 20 MB body (no Content-Length)",
        "413 `RequestContentTooLarge`, nothing stored",
        f"{observed}; GET 404",
    )


def test_azure_limits_themselves_are_accepted(wire, rg):
    body = group(
        # 60 containers within what one group may request in a region (4 CPU, 16 GB).
        *[container(f"c{i}", cpu=0.05, memory=0.1) for i in range(60)],
        tags={**{f"t{i}": "v" for i in range(49)}, "n" * 512: "v" * 256},
    )

    response = wire.call("PUT", wire.cg(rg, "at-the-limits"), body)

    assert response.status_code == 201, response.text[:500]
    got = wire.call("GET", wire.cg(rg, "at-the-limits")).json()
    assert len(got["properties"]["containers"]) == 60
    assert len(got["tags"]) == 50
    assert "at-the-limits" in wire.lists(rg)
    REPORT.hostile_client(
        "container group PUT at Azure's limits: 60 containers, 50 tags, a 512-character tag "
        "name with a 256-character value",
        "201, stored and listed",
        f"{response.status_code}; GET 200 with 60 containers and 50 tags; both lists 200",
    )


def test_null_properties_are_stored_as_absent(wire, rg):
    body = group(volumes=[{"name": "share1", "azureFile": None, "emptyDir": {}}], priority=None)

    response = wire.call("PUT", wire.cg(rg, "with-nulls"), body)

    assert response.status_code == 201, response.text[:500]
    got = wire.call("GET", wire.cg(rg, "with-nulls")).json()["properties"]
    assert got["volumes"] == [{"name": "share1", "emptyDir": {}}]
    assert "priority" not in got  # absent, as Azure answers when none was sent
    assert "with-nulls" in wire.lists(rg)
    assert wire.call("DELETE", wire.cg(rg, "with-nulls")).status_code == 200
    REPORT.hostile_client(
        "container group PUT with `volumes[].azureFile: null` and `priority: null`",
        "201, nulls stored as absent; GET, lists and DELETE answer",
        "201; GET 200 without the nulls (and no priority, as when none is sent); both lists "
        "200; DELETE 200",
    )


# Values of every JSON type, put at random places of a full body.
ODD_VALUES = ["", "\n", 0, -1, 1.5, 10**30, True, None, [], {}, [1], {"a": 1}, [None], "a" * 300]


def full_body() -> dict:
    app = container(
        ports=[{"port": 80}],
        command=["echo", "hi"],
        environmentVariables=[{"name": "A", "value": "1"}, {"name": "B", "secureValue": "s"}],
        volumeMounts=[{"name": "share1", "mountPath": "/m"}],
        livenessProbe={"httpGet": {"port": 80, "path": "/"}, "periodSeconds": 5},
    )
    return {
        **group(
            app,
            ipAddress={"type": "Public", "ports": [{"port": 80}]},
            initContainers=[{"name": "init", "properties": {"image": IMAGE, "command": ["true"]}}],
            imageRegistryCredentials=[{"server": "r.azurecr.io", "username": "u", "password": "p"}],
            volumes=[
                {"name": "share1", "azureFile": {"shareName": "s", "storageAccountName": "a"}},
                {"name": "secret1", "secret": {"k": "dg=="}},
                {"name": "git01", "gitRepo": {"repository": "https://example.com/r.git"}},
            ],
        ),
        "tags": {"t": "v"},
        "identity": {"type": "SystemAssigned"},
        "zones": ["1"],
    }


def places(value: Any, path: tuple = ()) -> Iterator[tuple]:
    yield path
    if isinstance(value, (dict, list)):
        children = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in children:
            yield from places(child, (*path, key))


def test_values_of_any_type_anywhere_never_answer_500(wire, rg):
    rnd = random.Random(20261129)  # reproducible
    spots = list(places(full_body()))[1:]
    answers: dict[int, int] = {}
    for n in range(150):
        body = full_body()
        for spot in rnd.sample(spots, rnd.randint(1, 3)):
            target = body
            try:
                for key in spot[:-1]:
                    target = target[key]
                target[spot[-1]] = copy.deepcopy(rnd.choice(ODD_VALUES))
            except (KeyError, IndexError, TypeError):
                continue  # an earlier change removed this place
        name = f"mutant-{n}"
        response = wire.call("PUT", wire.cg(rg, name), body)
        answers[response.status_code] = answers.get(response.status_code, 0) + 1
        assert response.status_code < 500, (response.text[:300], body)
        if response.status_code < 300:
            assert wire.call("GET", wire.cg(rg, name)).status_code == 200, body
            assert wire.call("POST", wire.cg(rg, name) + "/restart").status_code == 204, body
            assert wire.call("DELETE", wire.cg(rg, name)).status_code == 200, body
        else:
            assert wire.call("GET", wire.cg(rg, name)).status_code == 404, body
    wire.lists(rg)
    REPORT.hostile_client(
        "150 container group PUTs, each with 1–3 values of a random JSON type at random places "
        "of a full body (seeded)",
        "no 500; what is stored renders, restarts and deletes",
        ", ".join(f"{count}× {status}" for status, count in sorted(answers.items()))
        + "; both lists 200",
    )


TAG_TARGETS = {
    "resource group PUT": lambda w, rg, tags: w.put_rg("hostile-tags-rg", tags=tags),
    "resource group PATCH": lambda w, rg, tags: w.call(
        "PATCH", w.rg(rg), {"tags": tags}, api=RG_API
    ),
    "container group PATCH": lambda w, rg, tags: w.call(
        "PATCH", w.cg(rg, "tag-target"), {"tags": tags}
    ),
}


@pytest.mark.parametrize("target", list(TAG_TARGETS))
def test_tag_limits_hold_on_every_route_that_takes_tags(wire, rg, target):
    assert wire.call("PUT", wire.cg(rg, "tag-target"), group(tags={"keep": "me"})).status_code in (
        200,
        201,
    )
    send = TAG_TARGETS[target]
    cases = [
        ({f"t{i}": "v" for i in range(51)}, "InvalidTags"),
        ({"n" * 513: "v"}, "InvalidTagNameLength"),
        ({"n": "v" * 257}, "InvalidTagValueLength"),
        ({"n": 5}, "InvalidRequestContent"),
    ]

    observed = [refused(send(wire, rg, tags), 400, code) for tags, code in cases]

    assert wire.call("GET", wire.rg("hostile-tags-rg"), api=RG_API).status_code == 404
    assert wire.call("GET", wire.cg(rg, "tag-target")).json()["tags"] == {"keep": "me"}
    REPORT.hostile_client(
        f"{target} with 51 tags, a 513-character name, a 257-character value, a number",
        "400 for each, tags unchanged",
        f"{', '.join(observed)}; tags unchanged",
    )


# -- names and query parameters ---------------------------------------------------------------------
def test_names_with_a_trailing_newline_are_refused(wire, rg):
    created_rg = wire.call("PUT", wire.rg("rg%0A"), {"location": "eastus"}, api=RG_API)
    created_cg = wire.call("PUT", wire.cg(rg, "abc%0A"), group())

    rg_row = refused(created_rg, 400, "InvalidResourceGroup", "invalid characters")
    cg_row = refused(created_cg, 400, "InvalidContainerGroupName", "is invalid")
    # A GET of the bad name is refused for the name too, before any lookup (as ARM does).
    refused(wire.call("GET", wire.rg("rg%0A"), api=RG_API), 400, "InvalidResourceGroup")
    assert wire.call("GET", wire.cg(rg, "abc%0A")).status_code == 404
    listed = wire.call("GET", wire.sub + "/resourcegroups", api=RG_API).json()["value"]
    assert all("\n" not in group["name"] for group in listed)
    assert all("\n" not in name for name in wire.lists(rg))
    REPORT.hostile_client(
        "resource group `rg%0A`, container group `abc%0A` (a trailing newline)",
        "400, nothing stored",
        f"{rg_row}, {cg_row}; GET of the group name 400, of the container group 404; neither listed",
    )


@pytest.mark.parametrize("value", ["²", "-1", "1e3", "ten", ""])
def test_top_must_be_ascii_digits(wire, rg, value):
    paths = [wire.sub + "/resourcegroups", f"{wire.sub}/{NS}/containerGroups"]
    apis = [RG_API, ACI_API]

    observed = [
        refused(
            wire.call("GET", path, api=api, params={"$top": value}),
            400,
            "InvalidQueryParameterValue",
            f"The provided value was '{value}'.",
        )
        for path, api in zip(paths, apis, strict=True)
    ]

    assert wire.call("GET", paths[0], api=RG_API, params={"$top": "1"}).status_code == 200
    REPORT.hostile_client(
        f"list resource groups and container groups with `$top={value}`",
        "400 `InvalidQueryParameterValue`",
        ", ".join(observed),
    )


def test_an_invalid_chunk_size_is_400(wire):
    info = wire.emu.info
    host, port = info.arm_endpoint.removeprefix("https://").split(":")
    request = (
        f"PUT {wire.rg('hostile-chunk')}?api-version={RG_API} HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\nAuthorization: Bearer {wire.token}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        'zz\r\n{"location": "eastus"}\r\n0\r\n\r\n'
    )
    context = ssl.create_default_context(cafile=info.ca_bundle)
    with (
        socket.create_connection((host, int(port)), timeout=30) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,
    ):
        tls.sendall(request.encode())
        answer = b""
        while chunk := tls.recv(65536):
            answer += chunk

    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), head
    error = json.loads(payload)["error"]
    assert error["code"] == "InvalidRequestContent"
    assert "could not be read" in error["message"]
    assert wire.call("GET", wire.rg("hostile-chunk"), api=RG_API).status_code == 404
    REPORT.hostile_client(
        "resource group PUT whose chunked body has the chunk size `zz`",
        "400 `InvalidRequestContent`, nothing stored",
        f"400 `{error['code']}`; GET 404",
    )


# -- quota and lifecycle ----------------------------------------------------------------------------
def test_nan_cannot_break_the_quota(start_emulator):
    wire = wire_for(start_emulator(EmulatorConfig(quota_cores=10)))  # a 10-core quota
    assert wire.put_rg("quota").status_code == 201
    nan = raw_json(group(container(cpu=1.25, memory=1.5)), "1.25", "NaN")

    refused(wire.call("PUT", wire.cg("quota", "nan"), data=nan), 400, "InvalidRequestContent")
    created = [
        wire.call("PUT", wire.cg("quota", f"four-{i}"), group(container(cpu=4, memory=4)))
        for i in range(3)
    ]

    assert [r.status_code for r in created[:2]] == [201, 201]
    observed = refused(created[2], 400, "ContainerGroupQuotaReached", "Limit: '10', Usage: '8'")
    assert wire.usage() == 8
    REPORT.hostile_client(
        "`cpu: NaN`, then three 4-core groups against a quota of 10",
        "NaN refused; the third group refused for quota; usages stay JSON",
        f"400 `InvalidRequestContent`; 201, 201, {observed}; usage 8",
    )


def test_start_checks_the_quota_and_restart_needs_a_running_group(start_emulator):
    wire = wire_for(start_emulator(EmulatorConfig(quota_cores=10)))
    assert wire.put_rg("quota").status_code == 201
    four = group(container(cpu=4, memory=4))
    assert wire.call("PUT", wire.cg("quota", "a"), four).status_code == 201
    assert wire.call("POST", wire.cg("quota", "a") + "/stop").status_code == 204
    for name in ("b", "c"):
        assert wire.call("PUT", wire.cg("quota", name), four).status_code == 201

    start = wire.call("POST", wire.cg("quota", "a") + "/start")
    restart = wire.call("POST", wire.cg("quota", "a") + "/restart")

    observed = [
        refused(start, 400, "ContainerGroupQuotaReached", "Usage: '8' Requested: '4'"),
        # A stopped group is started, not restarted (Azure/azure-cli#8136).
        refused(restart, 409, "ContainerGroupStopped", "in resource group 'quota' is stopped"),
    ]
    assert wire.usage() == 8
    state = wire.call("GET", wire.cg("quota", "a")).json()["properties"]["instanceView"]["state"]
    assert state == "Stopped"
    assert wire.call("DELETE", wire.cg("quota", "b")).status_code == 200
    assert wire.call("POST", wire.cg("quota", "a") + "/start").status_code in (202, 204)
    assert wire.usage() == 8
    REPORT.hostile_client(
        "stop A (4 cores), create B and C (4 each), then start A and restart A",
        "start refused for quota, restart refused as A is stopped; usage stays 8/10",
        f"start {observed[0]}, restart {observed[1]}; usage 8; after deleting B, start accepted",
    )


def test_a_stale_resource_group_delete_leaves_a_new_group_alone(start_emulator):
    wire = wire_for(start_emulator(EmulatorConfig(resource_group_delete_seconds=1.0)))
    assert wire.put_rg("reborn").status_code == 201
    assert wire.call("PUT", wire.cg("reborn", "old"), group()).status_code == 201

    first = wire.call("DELETE", wire.rg("reborn"), api=RG_API)
    time.sleep(0.5)
    second = wire.call("DELETE", wire.rg("reborn"), api=RG_API)
    assert (first.status_code, second.status_code) == (202, 202)
    assert second.headers["Location"] == first.headers["Location"]  # one delete per group
    deadline = time.monotonic() + 30  # a guard against hangs, not a timing assertion
    while wire.call("GET", first.headers["Location"], api=None).status_code == 202:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert wire.put_rg("reborn").status_code == 201
    assert wire.call("PUT", wire.cg("reborn", "new"), group()).status_code == 201
    time.sleep(1.0)  # past the time a second, separate delete would have finished

    assert wire.call("GET", wire.rg("reborn"), api=RG_API).status_code == 200
    assert wire.call("GET", wire.cg("reborn", "new")).status_code == 200
    assert wire.lists("reborn") == ["new"]
    REPORT.hostile_client(
        "DELETE a resource group twice, let it go, re-create it with a container group",
        "one delete operation; the new group and its container group untouched",
        "second DELETE 202 with the same Location; later GET 200 for both; lists 200",
    )


def test_a_failure_between_validation_and_storage_changes_nothing(start_emulator, monkeypatch):
    wire = wire_for(start_emulator(EmulatorConfig()))
    assert wire.put_rg("atomic").status_code == 201
    assert wire.call("PUT", wire.cg("atomic", "kept"), group(tags={"v": "1"})).status_code == 201
    before = wire.call("GET", wire.cg("atomic", "kept")).json()

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("injected between validation and storage")

    monkeypatch.setattr(lifecycle, "begin_run", broken)
    monkeypatch.setattr(lifecycle, "stop", broken)
    new = wire.call("PUT", wire.cg("atomic", "new"), group(tags={"v": "1"}))
    update = wire.call("PUT", wire.cg("atomic", "kept"), group(tags={"v": "2"}))
    restart = wire.call("POST", wire.cg("atomic", "kept") + "/restart")
    stop = wire.call("POST", wire.cg("atomic", "kept") + "/stop")
    monkeypatch.undo()

    observed = [
        refused(r, 500, "InternalServerError", "failed to process the request")
        for r in (new, update, restart, stop)
    ]
    assert wire.call("GET", wire.cg("atomic", "new")).status_code == 404
    assert wire.call("GET", wire.cg("atomic", "kept")).json() == before
    assert wire.lists("atomic") == ["kept"]
    assert wire.usage() == 1
    REPORT.hostile_client(
        "an exception injected between validation and storage (a create, an update, a "
        "restart, a stop)",
        "ARM's 500 envelope; state as it was",
        f"{', '.join(observed)}; new group 404, updated group unchanged, usage 1",
    )


def test_finished_operations_expire(start_emulator, monkeypatch):
    monkeypatch.setattr(operation_store, "MAX_FINISHED_OPERATIONS", 5)
    wire = wire_for(start_emulator(EmulatorConfig()))
    assert wire.put_rg("ops").status_code == 201
    operations = []
    for i in range(8):
        created = wire.call("PUT", wire.cg("ops", f"g{i}"), group(container(cpu=0.5, memory=0.5)))
        operations.append(created.headers["Azure-AsyncOperation"])
        assert wire.call("DELETE", wire.cg("ops", f"g{i}")).status_code == 200

    oldest = wire.call("GET", operations[0], api=None)
    newest = wire.call("GET", operations[-1], api=None)

    observed = refused(oldest, 404, "OperationNotFound")
    assert newest.status_code == 200 and newest.json()["status"] in ("Succeeded", "Canceled")
    REPORT.hostile_client(
        "8 create/delete cycles with room for 5 finished operations",
        "the oldest operations forgotten, the newest still answer",
        f"oldest {observed}; newest 200 `{newest.json()['status']}`",
    )
