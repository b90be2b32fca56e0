"""Generated requests through the real HTTPS stack: every value within Azure's bounds, or refused.

Hypothesis generates container group bodies (valid; one property changed to a hostile value of
any JSON type; secrets of every JSON type; commands with `exit` and thousands of digits; hostile
names), each bound Azure documents on and off (CPU and memory steps, limits, ports, counts per
group), ARM paths (odd casing, encoded and extra segments, api-versions with a trailing `%0A`,
repeated) and resource group names, and sends them raw, with a real token, to an in-process
emulator. For every one:

- never a 500: a 4xx in ARM's envelope whose code or message names what was wrong (501
  `NotImplemented` is the emulator's honest answer to a route it lacks);
- or a stored group that reads back (raw and through the SDK), appears in both lists, and
  deletes, its exit codes within 0-255;
- a valid body is stored, one past a documented bound refused; a refused request changes
  nothing: an api-version that is not exactly a served one never deletes anything;
- no secret (secureValue, registry password, secret volume values, storage account key),
  whatever its JSON type, in any answer or in the emulator's log.

Examples are derandomized and no database is kept, so every run tries the same inputs (about
1,200 requests, some 15 s). The known instances a hostile probe found are explicit examples.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
import requests
from generated_requests import (
    DOCUMENTED_CASES,
    IMAGES,
    KNOWN_HOSTILE,
    PATH_EXTRAS,
    Generated,
    api_versions,
    apply_case,
    case_id,
    group_bodies,
    odd_case,
    valid_groups,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from reliability_kit import REPORT, LogRecorder, admin_clients, raw_token, recording_emulator_log

from aci_emulator import Emulator, EmulatorConfig

ACI_API = "2023-05-01"
RG_API = "2025-04-01"
NS = "providers/Microsoft.ContainerInstance"
RG = "generated-rg"
KEEP_RG, KEEP_CG = "keep-rg", "keep-cg"
KEEP_SECRET = "s3cr3t-sentinel-value-0123456789"

GENERATED = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


# What the generated requests got, per kind, for the "Hostile clients" table of the report.
TALLY: dict[str, Counter[str]] = {"bodies": Counter(), "paths": Counter(), "names": Counter()}


def tally(kind: str, response: requests.Response) -> None:
    outcome = "served" if response.status_code < 400 else _error_code(response)
    TALLY[kind][outcome] += 1


def _error_code(response: requests.Response) -> str:
    try:
        return str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return str(response.status_code)  # HEAD: no body


def report_rows() -> None:
    """One row per kind of generated request, from what the emulator answered."""
    what = {
        "bodies": (
            "container group PUT with generated bodies (valid; one hostile value of any JSON type "
            "anywhere; secrets of every type; CPU, memory, ports and counts on and off Azure's "
            "bounds; hostile names)",
            "a 4xx naming the problem, or stored, read back, in both lists, deleted; no 5xx, no "
            "secret in any answer or log",
        ),
        "paths": (
            "generated ARM paths (odd casing, encoded and extra segments, api-versions with "
            "`%0A` and the like) on every route and method",
            "served, or a 4xx (501 for a route the emulator lacks); a refusal changes nothing",
        ),
        "names": (
            "resource group PUT with generated names (unicode, hostile)",
            "a 4xx naming the name, or created, read, listed, deleted",
        ),
    }
    for kind, counts in TALLY.items():
        if not counts:
            continue
        refused = sorted(
            ((n, code) for code, n in counts.items() if code != "served"), reverse=True
        )
        codes = ", ".join(f"{code} {n}" for n, code in refused[:4])
        observed = f"{sum(counts.values())} requests: {counts['served']} served"
        if refused:
            observed += f"; {sum(n for n, _ in refused)} refused ({codes}{', …' if len(refused) > 4 else ''})"
        REPORT.hostile_client(what[kind][0], what[kind][1], observed + "; no 5xx other than 501")


@dataclass
class Arm:
    """Raw HTTPS to one emulator, with a real token of it (bodies the SDK would never send)."""

    emu: Emulator
    session: requests.Session
    log: LogRecorder
    aci: Any  # the real SDK client, to read stored groups back as users do

    @property
    def sub(self) -> str:
        return f"/subscriptions/{self.emu.info.subscription_id}"

    def cg(self, name: str, rg: str = RG) -> str:
        """A group's path, its name percent-encoded (any unicode, `%`, a newline)."""
        return f"{self.sub}/resourceGroups/{rg}/{NS}/containerGroups/{quote(name, safe='')}"

    def call(
        self, method: str, path: str, query: str | None = f"api-version={ACI_API}", body: Any = None
    ) -> requests.Response:
        """`query` is sent as written (already encoded), so `%0A` reaches the server as is."""
        url = self.emu.info.arm_endpoint + path + (f"?{query}" if query is not None else "")
        data = None if body is None else json.dumps(body)
        return self.session.request(method, url, data=data, timeout=60)

    def put_group(self, name: str, body: dict, rg: str = RG) -> requests.Response:
        return self.call("PUT", self.cg(name, rg), body=body)

    def lists(self, rg: str = RG) -> list[requests.Response]:
        return [
            self.call("GET", f"{self.sub}/{NS}/containerGroups"),
            self.call("GET", f"{self.sub}/resourceGroups/{rg}/{NS}/containerGroups"),
        ]


def keep_body() -> dict[str, Any]:
    container = {
        "name": "c0",
        "properties": {
            "image": IMAGES[0],
            "resources": {"requests": {"cpu": 1, "memoryInGB": 1.5}},
            "environmentVariables": [{"name": "TOKEN", "secureValue": KEEP_SECRET}],
        },
    }
    return {"location": "eastus", "properties": {"osType": "Linux", "containers": [container]}}


def ensure_sentinel(arm: Arm) -> None:
    rg = arm.call(
        "PUT",
        f"{arm.sub}/resourcegroups/{KEEP_RG}",
        f"api-version={RG_API}",
        {"location": "eastus"},
    )
    assert rg.status_code in (200, 201), rg.text
    cg = arm.put_group(KEEP_CG, keep_body(), KEEP_RG)
    assert cg.status_code in (200, 201), cg.text


@pytest.fixture(scope="module")
def arm() -> Iterator[Arm]:
    with recording_emulator_log() as recorder, Emulator(EmulatorConfig(quota_cores=100_000)) as emu:
        session = requests.Session()
        session.trust_env = False  # the emulator's CA, not REQUESTS_CA_BUNDLE's
        session.verify = emu.info.ca_bundle
        session.headers["Authorization"] = f"Bearer {raw_token(emu.info)}"
        session.headers["Content-Type"] = "application/json"
        arm = Arm(emu, session, recorder, admin_clients(emu.info)[1])
        created = arm.call(
            "PUT",
            f"{arm.sub}/resourcegroups/{RG}",
            f"api-version={RG_API}",
            {"location": "eastus"},
        )
        assert created.status_code == 201, created.text
        ensure_sentinel(arm)
        yield arm
        report_rows()
        session.close()


# -- judging one answer --------------------------------------------------------------------
def assert_no_server_error(response: requests.Response) -> None:
    if response.status_code >= 500:
        code = _error(response).get("code")
        assert (response.status_code, code) == (501, "NotImplemented"), (
            f"{response.request.method} {response.request.url} -> {response.status_code}: "
            f"{response.text[:300]}"
        )


def _error(response: requests.Response) -> dict[str, Any]:
    try:
        envelope = response.json()
    except ValueError:
        pytest.fail(f"not JSON ({response.status_code}): {response.text[:200]!r}")
    assert isinstance(envelope, dict) and isinstance(envelope.get("error"), dict), envelope
    error = envelope["error"]
    assert isinstance(error.get("code"), str) and error["code"], error
    assert isinstance(error.get("message"), str) and error["message"], error
    return error


ALIASES = {
    "memoryInGB": ("memory",),
    "environmentVariables": ("environmentvariable",),
    "secureValue": ("securevalue",),
    "imageRegistryCredentials": ("imageregistrycredential", "registry"),
    "dnsNameLabel": ("dnsnamelabel",),
}


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def names_problem(error: dict[str, Any], touched: list[str]) -> bool:
    """Does the refusal name the property that was changed (or its parent)?"""
    said = _squash(f"{error['code']} {error['message']}")
    for key in touched[-2:]:
        words = {_squash(key), _squash(key).removesuffix("s"), *ALIASES.get(key, ())}
        if any(word and word in said for word in words):
            return True
    return False


def assert_no_secret(texts: list[str], needles: list[str]) -> None:
    for text in texts:
        for needle in needles:
            assert needle not in text, f"a secret ({needle[:12]}…) was echoed: {text[:300]}"


# -- bodies --------------------------------------------------------------------------------
@GENERATED
@example(generated=KNOWN_HOSTILE[0])  # found by a hostile probe; the generator explores the kind
@example(generated=KNOWN_HOSTILE[1])
@example(generated=KNOWN_HOSTILE[2])
@example(generated=KNOWN_HOSTILE[3])
@given(generated=group_bodies)
def test_a_generated_body_is_refused_by_name_or_stored_readable_and_deletable(
    arm: Arm, generated: Generated
) -> None:
    judge(arm, generated)


@pytest.mark.parametrize("case", DOCUMENTED_CASES, ids=[case_id(c) for c in DOCUMENTED_CASES])
@settings(GENERATED, max_examples=3)
@given(data=st.data())
def test_each_documented_bound_holds_in_generated_bodies(
    arm: Arm, case: tuple[str, Any, bool], data: st.DataObject
) -> None:
    """Each bound Azure documents (CPU and memory steps, ports, counts per group, a secret's
    JSON type), on and off, inside otherwise generated valid bodies."""
    judge(arm, apply_case(data.draw(valid_groups()), case))


def judge(arm: Arm, generated: Generated) -> None:
    """Send a body; its answer must be a named refusal or a group that reads back, lists and
    deletes; a valid body is stored, one past a documented bound refused; no secret shown."""
    log_start = len(arm.log.lines)
    put = arm.put_group(generated.name, generated.body)
    try:
        _judge_answer(arm, generated, put, log_start)
    finally:  # a failing example must not leave its group to the next ones
        if put.status_code < 300:
            arm.call("DELETE", arm.cg(generated.name))


def _judge_answer(arm: Arm, generated: Generated, put: requests.Response, log_start: int) -> None:
    answers = [put]
    assert_no_server_error(put)
    tally("bodies", put)
    assert not (generated.refused and put.status_code < 400), (
        f"a body past a documented bound ({generated.touched}) was stored"
    )
    if put.status_code >= 400:
        error = _error(put)
        assert not generated.valid, f"a body within Azure's bounds was refused: {error}"
        assert 400 <= put.status_code < 500, put.text
        assert names_problem(error, generated.touched), (
            f"the refusal does not name {generated.touched}: {error}"
        )
        absent = arm.call("GET", arm.cg(generated.name))
        assert absent.status_code in (400, 404), absent.text  # nothing stored
        answers.append(absent)
    else:
        assert put.status_code in (200, 201), put.text
        got = arm.call("GET", arm.cg(generated.name))
        assert got.status_code == 200, got.text
        stored = got.json()
        assert stored["name"] == generated.name
        sent = generated.body["properties"]["containers"]
        back = stored["properties"]["containers"]
        assert [c["name"] for c in back] == [c["name"] for c in sent]
        for mine, theirs in zip(sent, back, strict=True):
            if "command" in mine["properties"]:
                assert theirs["properties"]["command"] == mine["properties"]["command"]
            view = theirs["properties"].get("instanceView") or {}
            for state in (view.get("currentState"), view.get("previousState")):
                if state and "exitCode" in state:  # a process's exit status is 8 bits
                    assert 0 <= state["exitCode"] <= 255, state
            small_exit = re.search(
                r"\bexit ([0-9]{1,3})\b", " ".join(mine["properties"].get("command", []))
            )
            ran_once = stored["properties"].get("restartPolicy") == "Never"  # absent: Always
            if small_exit and int(small_exit.group(1)) <= 255 and ran_once:
                assert view["currentState"]["exitCode"] == int(small_exit.group(1)), view
        _read_back_with_the_sdk(arm, generated)
        lists = arm.lists()
        for listed in lists:
            assert listed.status_code == 200, listed.text
            assert generated.name in [g["name"] for g in listed.json()["value"]]
        deleted = arm.call("DELETE", arm.cg(generated.name))
        assert deleted.status_code == 200, deleted.text
        gone = arm.call("GET", arm.cg(generated.name))
        assert gone.status_code == 404, gone.text
        answers += [got, *lists, deleted, gone]
    texts = [a.text for a in answers] + [str(dict(a.headers)) for a in answers]
    assert_no_secret(texts, generated.needles())
    assert_no_secret(["\n".join(arm.log.lines[log_start:])], generated.needles())


def _read_back_with_the_sdk(arm: Arm, generated: Generated) -> None:
    """The stored group as the SDK reads it: it deserializes, lists, and holds no secret."""
    group = arm.aci.container_groups.get(RG, generated.name)
    assert group.name == generated.name
    sent = generated.body["properties"]["containers"]
    assert [c.name for c in group.containers] == [c["name"] for c in sent]
    for container in group.containers:
        for variable in container.environment_variables or []:
            assert variable.secure_value is None, variable.name
    for credential in group.image_registry_credentials or []:
        assert credential.password is None
    listed = arm.aci.container_groups.list_by_resource_group(RG)
    assert generated.name in [g.name for g in listed]


# -- paths ---------------------------------------------------------------------------------
CG_PATH = "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerInstance/containerGroups/{cg}"
ROUTES = (
    ("/subscriptions/{sub}/resourcegroups/{rg}", RG_API, ("GET", "HEAD", "PUT", "PATCH", "DELETE")),
    ("/subscriptions/{sub}/resourcegroups/{rg}", RG_API, ("DELETE",)),  # deletes, more often
    (CG_PATH, ACI_API, ("DELETE",)),
    ("/subscriptions/{sub}/resourcegroups", RG_API, ("GET",)),
    (CG_PATH, ACI_API, ("GET", "PUT", "PATCH", "DELETE")),
    (CG_PATH + "/restart", ACI_API, ("POST",)),
    (CG_PATH + "/stop", ACI_API, ("POST",)),
    (CG_PATH + "/start", ACI_API, ("POST",)),
    (CG_PATH + "/containers/c0/logs", ACI_API, ("GET",)),
    (CG_PATH + "/containers/c0/exec", ACI_API, ("POST",)),  # 501: no terminal to attach to
    (CG_PATH + "/outboundNetworkDependenciesEndpoints", ACI_API, ("GET",)),
    ("/subscriptions/{sub}/resourcegroups/{rg}/resources", RG_API, ("GET",)),
    ("/subscriptions/{sub}", RG_API, ("GET",)),
    ("/subscriptions/{sub}/providers/Microsoft.ContainerInstance", RG_API, ("GET",)),
    (
        "/subscriptions/{sub}/providers/Microsoft.ContainerInstance/containerGroups",
        ACI_API,
        ("GET",),
    ),
    (
        "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerInstance/containerGroups",
        ACI_API,
        ("GET",),
    ),
    (
        "/subscriptions/{sub}/providers/Microsoft.ContainerInstance/locations/eastus/usages",
        ACI_API,
        ("GET",),
    ),
)


@dataclass
class PathCase:
    method: str
    path: str
    query: str | None
    api_valid: bool
    canonical: bool  # a route as the SDK would call it, in any casing
    body: Any


@st.composite
def path_cases(draw: st.DrawFn) -> PathCase:
    """A path with `{sub}` left in: the test fills in its emulator's subscription."""
    template, valid, methods = draw(st.sampled_from(ROUTES))
    method = draw(
        st.one_of(
            st.sampled_from(methods), st.sampled_from(["GET", "PUT", "DELETE", "POST", "PATCH"])
        )
    )
    names = {"{sub}": "{sub}", "{rg}": KEEP_RG, "{cg}": KEEP_CG}
    segments = [names.get(s, odd_case(draw, s)) for s in template.split("/")]
    extra = draw(st.one_of(st.just(""), st.sampled_from(PATH_EXTRAS)))  # half on a route
    version, api_valid = draw(api_versions(valid))
    body = None
    if method in ("PUT", "PATCH"):
        body = (
            {"tags": {"a": "b"}}
            if method == "PATCH"
            else (keep_body() if "{cg}" in template else {"location": "eastus"})
        )
    return PathCase(
        method,
        "/".join(segments) + extra,
        None if version is None else f"api-version={version}",
        api_valid,
        extra == "" and method in methods,
        body,
    )


@GENERATED
@example(  # found by a hostile probe: it deleted the resource group, then answered 500
    case=PathCase("DELETE", ROUTES[0][0], "api-version=2021-04-01%0A", False, False, None)
)
@example(case=PathCase("DELETE", CG_PATH, f"api-version={ACI_API}%0A", False, False, None))
@example(  # a valid first value must not carry a second one
    case=PathCase("DELETE", ROUTES[0][0], f"api-version={RG_API}&api-version=x", False, False, None)
)
@given(case=path_cases())
def test_a_generated_path_is_served_or_refused_and_a_refusal_deletes_nothing(
    arm: Arm, case: PathCase
) -> None:
    case.path = case.path.replace("{rg}", KEEP_RG).replace("{cg}", KEEP_CG)
    case.path = case.path.replace("{sub}", arm.emu.info.subscription_id)
    response = arm.call(case.method, case.path, case.query, case.body)
    assert_no_server_error(response)
    tally("paths", response)
    if response.status_code >= 400 and case.method != "HEAD":
        _error(response)
    if not case.api_valid:
        assert response.status_code >= 400, (
            f"{case.method} {case.path}?{case.query} was served: {response.status_code}"
        )
    elif case.canonical and case.method in ("GET", "HEAD"):
        assert response.status_code < 300, f"{case.method} {case.path}: {response.text[:300]}"
    assert_no_secret([response.text, str(dict(response.headers))], [KEEP_SECRET])
    assert_no_secret([arm.log.text()], [KEEP_SECRET])
    if case.method == "DELETE" and response.status_code < 300:
        ensure_sentinel(arm)  # a served delete may take the sentinel: put it back
        return
    rg = arm.call("GET", f"{arm.sub}/resourcegroups/{KEEP_RG}", f"api-version={RG_API}")
    cg = arm.call("GET", arm.cg(KEEP_CG, KEEP_RG))
    assert (rg.status_code, cg.status_code) == (200, 200), (
        f"{case.method} {case.path}?{case.query} answered {response.status_code} and changed "
        f"the state: {rg.text[:200]} {cg.text[:200]}"
    )


# -- resource group names ------------------------------------------------------------------
RG_NAMES = st.one_of(
    st.text(
        alphabet=st.one_of(st.characters(categories=("L", "Nd")), st.sampled_from("-._()")),
        min_size=1,
        max_size=90,
    ),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\\"),
        min_size=1,
        max_size=100,
    ),
    st.sampled_from(["x" * 91, "name.", "na me", "name\n", "\u202ename", "%", "name%0A", "\x00"]),
).filter(lambda name: name not in (".", ".."))  # path syntax (like '/'), not names


@GENERATED
@given(name=RG_NAMES)
def test_a_generated_resource_group_name_is_refused_by_name_or_served_whole(
    arm: Arm, name: str
) -> None:
    path = f"{arm.sub}/resourcegroups/{quote(name, safe='')}"
    query = f"api-version={RG_API}"
    put = arm.call("PUT", path, query, {"location": "eastus"})
    assert_no_server_error(put)
    tally("names", put)
    if put.status_code >= 400:
        error = _error(put)
        assert 400 <= put.status_code < 500, put.text
        assert names_problem(error, ["resourceGroup", "name"]), error
        assert arm.call("GET", path, query).status_code in (400, 404)
        return
    assert put.status_code in (200, 201), put.text
    got = arm.call("GET", path, query)
    assert got.status_code == 200, got.text
    assert got.json()["name"].lower() == name.lower()
    listed = arm.call("GET", f"{arm.sub}/resourcegroups", query)
    assert listed.status_code == 200, listed.text
    assert name.lower() in [g["name"].lower() for g in listed.json()["value"]]
    deleted = arm.call("DELETE", path, query)
    assert deleted.status_code == 202, deleted.text
    assert arm.call("GET", path, query).status_code == 404
