"""Replay the REST spec's own examples (spec_examples/<api-version>/) against the emulator.

Each example names an operation's parameters and the responses it may get. Its operation is found
through the vendored spec of its api-version (aci_emulator/specs: `x-ms-examples`). The request is
sent to a fresh emulator, at the example's api-version, after creating what it acts on: the
resource group, and for an operation on an existing container group (or a list of them) the group
the example's own answer describes. Compared: the status code (one the example lists) and the key
paths of the body against the example's body for that status.

Run as a script to print the figures: `python tests/fidelity/spec_examples.py`.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import requests
from fidelity_replay import key_paths

from aci_emulator import Emulator, EmulatorConfig
from aci_emulator.testing import raw_token

EXAMPLES = Path(__file__).parent / "spec_examples"
# Read-only properties of an example's answer that a client does not send (and, at the top, the
# resource's id, name and type).
READ_ONLY = ("provisioningState", "instanceView", "ip", "fqdn", "isCreatedFromStandbyPool")
TOP_READ_ONLY = ("id", "name", "type")


@dataclass
class ExampleResult:
    version: str
    name: str
    method: str
    template: str
    expected: set[int]
    status: int
    missing: set[str] = field(default_factory=set)
    extra: set[str] = field(default_factory=set)
    json_body: bool = False

    @property
    def key(self) -> str:
        return f"{self.version}/{self.name}"

    @property
    def status_ok(self) -> bool:
        return self.status in self.expected

    @property
    def keys_ok(self) -> bool:
        return not self.missing and not self.extra

    def describe(self) -> str:
        parts = [f"{self.key} {self.method} {self.template}"]
        if not self.status_ok:
            parts.append(f"status {self.status}, the example lists {sorted(self.expected)}")
        if self.missing:
            parts.append(f"missing {sorted(self.missing)}")
        if self.extra:
            parts.append(f"extra {sorted(self.extra)}")
        return "; ".join(parts)


def examples() -> list[tuple[str, str]]:
    return sorted((p.parent.name, p.stem) for p in EXAMPLES.glob("*/*.json"))


def _spec(version: str) -> dict[str, Any]:
    path = resources.files("aci_emulator") / "specs" / f"{version}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def operation(version: str, name: str) -> tuple[str, str, dict[str, Any]]:
    """The method, path template and operation of the spec that the example belongs to."""
    for template, methods in _spec(version)["paths"].items():
        for method, op in methods.items():
            refs = [e["$ref"] for e in op.get("x-ms-examples", {}).values()]
            if f"./examples/{name}.json" in refs:
                return method.upper(), template, op
    raise LookupError(f"no operation of the {version} spec names the example {name}")


def _without_read_only(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_read_only(v) for k, v in value.items() if k not in READ_ONLY}
    if isinstance(value, list):
        return [_without_read_only(v) for v in value]
    return value


def _described_group(example: dict[str, Any]) -> dict[str, Any] | None:
    """The container group an example's answer describes, as a client would have sent it."""
    for response in example["responses"].values():
        body = response.get("body") or {}
        for group in [body, *(body.get("value") or [])]:
            properties = group.get("properties") if isinstance(group, dict) else None
            if isinstance(properties, dict) and "containers" in properties:
                top = {k: v for k, v in group.items() if k not in TOP_READ_ONLY}
                return _without_read_only(copy.deepcopy(top))
    return None


class ExampleReplayer:
    def __init__(self) -> None:
        self.emulator = Emulator(EmulatorConfig(quota_cores=100))

    def __enter__(self) -> ExampleReplayer:
        info = self.emulator.start()
        self.endpoint, self.sub = info.arm_endpoint, info.subscription_id
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = info.ca_bundle
        self.session.headers["Authorization"] = f"Bearer {raw_token(info)}"
        return self

    def __exit__(self, *exc: object) -> None:
        self.session.close()
        self.emulator.stop()

    def _url(self, template: str, params: dict[str, Any]) -> str:
        values = {**params, "subscriptionId": self.sub}
        return self.endpoint + re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), template)

    def _prepare(self, template: str, method: str, params: dict[str, Any], example: dict) -> None:
        rg = params.get("resourceGroupName", "demo")
        self.session.put(
            self._url("/subscriptions/{subscriptionId}/resourcegroups/{rg}", {"rg": rg}),
            params={"api-version": "2022-09-01"},
            json={"location": "westus"},
            timeout=30,
        ).raise_for_status()
        acts_on_groups = "/containerGroups" in template and not (
            method == "PUT" and template.endswith("{containerGroupName}")
        )
        group = _described_group(example)
        if acts_on_groups:
            if group is None:  # logs, exec, attach, restart...: a group with the container named
                container = params.get("containerName", "demo1")
                group = {
                    "location": "westus",
                    "properties": {
                        "osType": "Linux",
                        "containers": [
                            {
                                "name": container,
                                "properties": {
                                    "image": "mcr.microsoft.com/azuredocs/aci-helloworld",
                                    "resources": {"requests": {"cpu": 1, "memoryInGB": 1.5}},
                                },
                            }
                        ],
                    },
                }
            name = params.get("containerGroupName", group.get("name", "demo1"))
            created = self.session.put(
                self._url(
                    "/subscriptions/{subscriptionId}/resourceGroups/{rg}/providers/"
                    "Microsoft.ContainerInstance/containerGroups/{name}",
                    {"rg": rg, "name": name},
                ),
                params={"api-version": params["api-version"]},
                json={"location": "westus", **group},
                timeout=30,
            )
            if not created.ok:
                raise RuntimeError(f"the group the example describes was refused: {created.text}")

    def replay(self, version: str, name: str) -> ExampleResult:
        example = json.loads((EXAMPLES / version / f"{name}.json").read_text(encoding="utf-8"))
        params = example["parameters"]
        method, template, op = operation(version, name)
        self._prepare(template, method, params, example)
        query = {"api-version": params["api-version"]}
        body = None
        for parameter in op.get("parameters", []):
            if parameter.get("in") == "query" and parameter.get("name") in params:
                query[parameter["name"]] = params[parameter["name"]]
            if parameter.get("in") == "body":
                body = params.get(parameter["name"])
        response = self.session.request(
            method, self._url(template, params), params=query, json=body, timeout=30
        )
        expected = {int(code) for code in example["responses"]}
        result = ExampleResult(version, name, method, template, expected, response.status_code)
        recorded = example["responses"].get(str(response.status_code), {}).get("body")
        if recorded is not None:
            result.json_body = True
            try:
                ours = response.json()
            except ValueError:
                ours = None
            result.missing = key_paths(recorded) - key_paths(ours)
            result.extra = key_paths(ours) - key_paths(recorded)
        return result


def replay_examples() -> list[ExampleResult]:
    results = []
    for version, name in examples():
        with ExampleReplayer() as replayer:
            results.append(replayer.replay(version, name))
    return results


def summary(results: list[ExampleResult]) -> dict[str, int]:
    bodies = [r for r in results if r.json_body]
    return {
        "examples": len(results),
        "status codes the example lists": sum(r.status_ok for r in results),
        "json bodies": len(bodies),
        "bodies with the example's key set": sum(r.keys_ok for r in bodies),
        "keys missing": sum(len(r.missing) for r in bodies),
        "keys added": sum(len(r.extra) for r in bodies),
    }


def by_api_version(results: list[ExampleResult]) -> dict[str, dict[str, int]]:
    versions = sorted({r.version for r in results})
    return {v: summary([r for r in results if r.version == v]) for v in versions}


if __name__ == "__main__":
    all_results = replay_examples()
    for result in all_results:
        if not (result.status_ok and result.keys_ok):
            print(result.describe())
    for version, figures in by_api_version(all_results).items():
        print(f"api-version {version}: {figures}")
    sys.exit(0)
