"""Replay recorded live Azure traffic against the emulator and compare the answers.

The recordings are the Azure CLI's own test cassettes (see recordings/SOURCES): requests the CLI
sent to live Azure and what Azure answered. Each request is sent again, to a fresh emulator, with
the host and subscription rewritten; polls of a long-running operation follow the emulator's own
status URL. Compared are what a client depends on: the status code, the JSON key paths of the
body (values ignored, user-chosen keys such as tag names counted as one) and the long-running
operation headers.

Time follows the recording: provisioning never finishes on its own (it is set to an hour), and
the clock jumps past it at the first answer in which Azure reported the operation finished.

Run as a script to print the figures: `python tests/fidelity/fidelity_replay.py`.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml

from aci_emulator import Emulator, EmulatorConfig

RECORDINGS = Path(__file__).parent / "recordings"
AZURE = "https://management.azure.com"
RECORDED_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
LRO_HEADERS = ("azure-asyncoperation", "location", "retry-after")
# Maps whose keys a user chooses: their keys are counted as one.
USER_KEYED = {"tags", "secret", "managedBy"}
# Long enough that nothing finishes unless the recording says it has.
HOLD_SECONDS = 3600.0
# Key paths Azure itself returns in some recordings and not in others, for the same request:
# a body differing from Azure's only there still has "Azure's key set" (both are Azure's).
AZURE_VARIES = {
    "properties.containers[].properties.instanceView.events": (
        "on 2023-05-05 in westus, at the same minute, the spot-priority group's containers had "
        "events and the regular-priority group's had none (5 of the 9 container recordings show "
        "none, even minutes after start)"
    ),
    "properties.events[]": (
        "the async-operation status of a finished create lists the containers' events in 4 of "
        "the 9 container recordings and none in the other 5"
    ),
}


@dataclass
class Result:
    cassette: str
    index: int
    method: str
    path: str
    recorded_status: int
    status: int
    missing: set[str] = field(default_factory=set)  # keys Azure sent that we did not
    extra: set[str] = field(default_factory=set)  # keys we sent that Azure did not
    recorded_headers: set[str] = field(default_factory=set)
    headers: set[str] = field(default_factory=set)
    json_body: bool = False

    @property
    def status_ok(self) -> bool:
        return self.status == self.recorded_status

    @property
    def keys_ok(self) -> bool:
        """Azure's key set exactly."""
        return not self.missing and not self.extra

    @property
    def keys_ok_where_azure_agrees(self) -> bool:
        """Azure's key set, but for the paths Azure itself returns only sometimes."""
        return not any(not varies(p) for p in self.missing | self.extra)

    @property
    def headers_ok(self) -> bool:
        return self.recorded_headers == self.headers

    @property
    def key(self) -> str:
        return f"{self.cassette}#{self.index}"

    def describe(self) -> str:
        parts = [f"{self.key} {self.method} {self.path}"]
        if not self.status_ok:
            parts.append(f"status {self.status}, Azure {self.recorded_status}")
        if self.missing:
            parts.append(f"missing {sorted(self.missing)}")
        if self.extra:
            parts.append(f"extra {sorted(self.extra)}")
        if not self.headers_ok:
            parts.append(f"headers {sorted(self.headers)}, Azure {sorted(self.recorded_headers)}")
        return "; ".join(parts)


def key_paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path of a JSON value: list items as `[]`, user-chosen keys as `*`."""
    paths: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            paths.add(path)
            if key in USER_KEYED and isinstance(item, dict):
                if item:
                    paths.add(f"{path}.*")
                continue
            paths |= key_paths(item, path)
    elif isinstance(value, list):
        for item in value:
            paths |= key_paths(item, f"{prefix}[]")
    return paths


def varies(path: str) -> bool:
    return any(path == v or path.startswith((v + ".", v + "[]")) for v in AZURE_VARIES)


def cassettes() -> list[str]:
    return sorted(p.stem for p in RECORDINGS.glob("*.yaml"))


def load(name: str) -> list[dict[str, Any]]:
    with open(RECORDINGS / f"{name}.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)["interactions"]


def _json(text: str | bytes | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _finished(interaction: dict[str, Any]) -> bool:
    """Did Azure report, in this answer, that the operation had finished?"""
    response = interaction["response"]
    if "/operationresults/" in interaction["request"]["uri"]:
        return response["status"]["code"] == 200
    body = _json(response["body"]["string"])
    if isinstance(body, dict):
        if body.get("status") in ("Succeeded", "Failed", "Canceled"):
            return True
        state = (body.get("properties") or {}).get("provisioningState")
        if state and state not in ("Pending", "Creating", "Updating", "Repairing"):
            return True
    return False


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Replayer:
    """One cassette against one fresh emulator."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.interactions = load(name)
        self.emulator = Emulator(
            EmulatorConfig(
                provisioning_seconds=HOLD_SECONDS,
                task_seconds=HOLD_SECONDS,
                resource_group_delete_seconds=HOLD_SECONDS,
                retry_after=None,  # real ACI and ARM send none on these operations
                quota_cores=100,
            )
        )
        self.clock = FakeMonotonic()
        self.emulator.clock.monotonic = self.clock  # type: ignore[method-assign]
        self.urls: dict[str, str] = {}  # recorded status URL -> the emulator's

    def __enter__(self) -> Replayer:
        info = self.emulator.start()
        self.endpoint, self.sub = info.arm_endpoint, info.subscription_id
        self.session = requests.Session()
        self.session.trust_env = False  # the emulator's CA, whatever REQUESTS_CA_BUNDLE says
        self.session.verify = info.ca_bundle
        token = self.session.post(
            f"{info.authority_host}/{info.tenant_id}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": info.client_id,
                "client_secret": info.client_secret,
                "scope": "https://management.azure.com/.default",
            },
            timeout=30,
        ).json()["access_token"]
        self.session.headers["Authorization"] = f"Bearer {token}"
        self._prepare()
        return self

    def __exit__(self, *exc: object) -> None:
        self.session.close()
        self.emulator.stop()

    def _rewrite(self, text: str) -> str:
        return text.replace(AZURE, self.endpoint).replace(RECORDED_SUBSCRIPTION, self.sub)

    def _prepare(self) -> None:
        """Create the resource groups the test framework had created before recording."""
        groups: dict[str, dict[str, Any]] = {}
        for interaction in self.interactions:
            uri = interaction["request"]["uri"]
            match = re.search(r"/resource[gG]roups/([^/?]+)", uri)
            if not match:
                continue
            group = groups.setdefault(match.group(1), {})
            for text in (interaction["request"]["body"], interaction["response"]["body"]["string"]):
                body = _json(text)
                if isinstance(body, dict) and isinstance(body.get("location"), str):
                    group.setdefault("location", body["location"])
                # The group as the framework made it (with its tags), when the recording shows it.
                if (
                    isinstance(body, dict)
                    and body.get("type") == "Microsoft.Resources/resourceGroups"
                    and "tags" in body
                ):
                    group.setdefault("tags", body["tags"])
        for rg, definition in groups.items():
            definition.setdefault("location", "westus")
            response = self.session.put(
                f"{self.endpoint}/subscriptions/{self.sub}/resourcegroups/{rg}",
                params={"api-version": "2022-09-01"},
                json=definition,
                timeout=30,
            )
            response.raise_for_status()

    def run(self) -> Iterator[Result]:
        for index, interaction in enumerate(self.interactions):
            yield self.replay(index, interaction)

    def replay(self, index: int, interaction: dict[str, Any]) -> Result:
        request, recorded = interaction["request"], interaction["response"]
        if _finished(interaction):
            self.clock.now += HOLD_SECONDS + 1
        url = self.urls.get(request["uri"]) or self._rewrite(request["uri"])
        body = request["body"]
        if isinstance(body, bytes):
            body = body.decode()
        headers = {"Content-Type": "application/json"} if body else {}
        response = self.session.request(
            request["method"],
            url,
            data=self._rewrite(body).encode() if body else None,
            headers=headers,
            timeout=30,
        )
        recorded_headers = {k.lower(): v[0] for k, v in recorded["headers"].items()}
        for name in ("azure-asyncoperation", "location"):
            if name in recorded_headers and name in response.headers:
                self.urls[recorded_headers[name]] = response.headers[name]
        recorded_body = _json(recorded["body"]["string"])
        body_json = _json(response.content)
        result = Result(
            cassette=self.name,
            index=index,
            method=request["method"],
            path=re.sub(r"\?.*", "", request["uri"].replace(AZURE, "")),
            recorded_status=recorded["status"]["code"],
            status=response.status_code,
            recorded_headers={h for h in LRO_HEADERS if h in recorded_headers},
            headers={h for h in LRO_HEADERS if h in {k.lower() for k in response.headers}},
            json_body=recorded_body is not None,
        )
        if recorded_body is not None:
            ours, azure = key_paths(body_json), key_paths(recorded_body)
            result.missing, result.extra = azure - ours, ours - azure
        return result


def replay_all() -> list[Result]:
    results: list[Result] = []
    for name in cassettes():
        with Replayer(name) as replayer:
            results.extend(replayer.run())
    return results


def summary(results: list[Result]) -> dict[str, float]:
    bodies = [r for r in results if r.json_body]
    return {
        "interactions": len(results),
        "status codes matching": sum(r.status_ok for r in results),
        "json bodies": len(bodies),
        "bodies with Azure's key set": sum(r.keys_ok for r in bodies),
        "bodies with Azure's key set where Azure agrees with itself": sum(
            r.keys_ok_where_azure_agrees for r in bodies
        ),
        "keys missing": sum(len(r.missing) for r in bodies),
        "keys added": sum(len(r.extra) for r in bodies),
        "long-running headers matching": sum(r.headers_ok for r in results),
    }


if __name__ == "__main__":
    all_results = replay_all()
    for result in all_results:
        if not (result.status_ok and result.keys_ok_where_azure_agrees and result.headers_ok):
            print(result.describe())
    for label, figure in summary(all_results).items():
        print(f"{label}: {figure}")
    sys.exit(0)
