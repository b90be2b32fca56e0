"""Security boundaries: every ARM route wants a valid token of this emulator, no answer echoes a
secret, the admin routes answer loopback clients only, and nothing we commit or write holds a
secret or a token.

The Azure CLI's output is not scanned here: tests/cli asserts that no `az` command shows a
secure environment variable's value.
"""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path

import pytest
import requests
from reliability_kit import (
    ARTIFACTS,
    IMAGE,
    REPORT,
    ROOT,
    SERVER_SECRETS,
    EmulatorServer,
    find_secrets,
    raw_token,
    run_tutorial,
    use_identity,
)
from werkzeug.test import Client

from aci_emulator import Emulator, EmulatorConfig
from aci_emulator.web.app import ArmApplication

API_VERSIONS = {"aci": "2023-05-01", "resources": "2021-04-01", None: None}
PARAMETERS = {
    "rg": "rg1",
    "name": "cg1",
    "container": "c1",
    "location": "eastus",
    "namespace": "Microsoft.ContainerInstance",
    "operation": "op1",
}
UNAUTHENTICATED = {
    ("GET", "/metadata/endpoints"),
    ("GET", "/{tenant}/v2.0/.well-known/openid-configuration"),
    ("GET", "/{tenant}/discovery/v2.0/keys"),
    ("POST", "/{tenant}/oauth2/v2.0/token"),
    ("GET", "/_emulator/faults"),
    ("POST", "/_emulator/faults"),
    ("DELETE", "/_emulator/faults"),
    ("PUT", "/_emulator/providers/{namespace}"),
}


@pytest.fixture(scope="module")
def emulators():
    with Emulator(EmulatorConfig()) as emu, Emulator(EmulatorConfig()) as other:
        yield emu, other


def test_every_arm_route_refuses_a_missing_garbage_or_foreign_token(emulators, reliability_report):
    emu, other = emulators
    routes = ArmApplication(emu.cloud, emu.identity, emu.config, emu.faults).router.routes
    unauthenticated = {(m, r.template) for r in routes if not r.authenticated for m in r.methods}
    assert unauthenticated == UNAUTHENTICATED  # a new route without a token check fails here
    valid, foreign = raw_token(emu.info), raw_token(other.info)
    headers = {
        "no token": ({}, "AuthenticationFailed"),
        "a garbage token": ({"Authorization": "Bearer abc.def.ghi"}, "InvalidAuthenticationToken"),
        "another emulator's token": (
            {"Authorization": f"Bearer {foreign}"},
            "InvalidAuthenticationToken",
        ),
        "another scheme": (
            {"Authorization": f"Basic {foreign}"},
            "AuthenticationFailedInvalidHeader",
        ),
    }
    checked = 0
    for route in (r for r in routes if r.authenticated):
        values = {**PARAMETERS, "sub": emu.info.subscription_id}
        path = route.template.format(**values)  # KeyError: a new parameter to fill in above
        for method in route.methods:
            url = f"{emu.info.arm_endpoint}{path}"
            params = {"api-version": API_VERSIONS[route.api_versions]}
            for label, (header, code) in headers.items():
                answer = requests.request(
                    method,
                    url,
                    params=params,
                    headers=header,
                    verify=emu.info.ca_bundle,
                    timeout=30,
                )
                assert answer.status_code == 401, (method, path, label, answer.text)
                if method != "HEAD":
                    assert answer.json()["error"]["code"] == code, (method, path, label)
            # The control: the same request with this emulator's token gets past the check.
            answer = requests.request(
                method,
                url,
                params=params,
                headers={"Authorization": f"Bearer {valid}"},
                json={} if method in ("PUT", "PATCH", "POST") else None,
                verify=emu.info.ca_bundle,
                timeout=30,
            )
            assert answer.status_code != 401, (method, path, answer.text)
            checked += 1
    assert checked >= 30
    reliability_report.check(
        "requests without a valid token",
        f"all {checked} authenticated method × route pairs of `ArmApplication.router.routes` "
        "(parameters filled in), each with no token, a garbage token, another emulator "
        "instance's token and a non-Bearer scheme",
        f"401 every time ({4 * checked} requests), with AuthenticationFailed / "
        "InvalidAuthenticationToken / AuthenticationFailedInvalidHeader; the same requests with "
        f"a valid token all get past the check; the {len(UNAUTHENTICATED)} routes without a "
        "token check are exactly the cloud metadata, OpenID discovery, signing keys, token and "
        "loopback-only admin routes",
    )


SECRETS = {
    "environment variable": f"env-{uuid.uuid4().hex}",
    "init container's environment variable": f"init-{uuid.uuid4().hex}",
    "registry password": f"pw-{uuid.uuid4().hex}",
    "Azure Files key": f"key-{uuid.uuid4().hex}",
    "secret volume": f"vol-{uuid.uuid4().hex}",
}


def secret_group(location: str = "eastus") -> dict:
    volume_value = base64.b64encode(SECRETS["secret volume"].encode()).decode()
    return {
        "location": location,
        "tags": {"purpose": "secrets-test"},
        "properties": {
            "osType": "Linux",
            "imageRegistryCredentials": [
                {
                    "server": "myregistry.azurecr.io",
                    "username": "puller",
                    "password": SECRETS["registry password"],
                }
            ],
            "initContainers": [
                {
                    "name": "init",
                    "properties": {
                        "image": IMAGE,
                        "command": ["echo", "ready"],
                        "environmentVariables": [
                            {
                                "name": "INIT_TOKEN",
                                "secureValue": SECRETS["init container's environment variable"],
                            }
                        ],
                    },
                }
            ],
            "containers": [
                {
                    "name": "app",
                    "properties": {
                        "image": "myregistry.azurecr.io/app:v1",
                        "resources": {"requests": {"cpu": 1, "memoryInGB": 1}},
                        "ports": [{"port": 80}],
                        "environmentVariables": [
                            {"name": "MODE", "value": "demo"},
                            {"name": "API_KEY", "secureValue": SECRETS["environment variable"]},
                        ],
                        "volumeMounts": [
                            {"name": "secrets", "mountPath": "/mnt/secrets"},
                            {"name": "share", "mountPath": "/mnt/share"},
                        ],
                    },
                }
            ],
            "volumes": [
                {"name": "secrets", "secret": {"api-key.txt": volume_value}},
                {
                    "name": "share",
                    "azureFile": {
                        "shareName": "data",
                        "storageAccountName": "acct",
                        "storageAccountKey": SECRETS["Azure Files key"],
                    },
                },
            ],
            "ipAddress": {"type": "Public", "ports": [{"port": 80}]},
        },
    }


def test_no_answer_echoes_a_secret(emulators, reliability_report):
    emu, _ = emulators
    info = emu.info
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {raw_token(emu.info)}"
    base = f"{info.arm_endpoint}/subscriptions/{info.subscription_id}"
    rg = f"{base}/resourcegroups/secrets-rg"
    cg = f"{rg}/providers/Microsoft.ContainerInstance/containerGroups/secret-app"
    aci = {"api-version": "2023-05-01"}
    arm = {"api-version": "2021-04-01"}
    bodies: dict[str, requests.Response] = {}

    def call(label: str, method: str, url: str, params: dict, **kwargs) -> requests.Response:
        answer = session.request(
            method, url, params=params, verify=info.ca_bundle, timeout=30, **kwargs
        )
        assert answer.status_code < 300, (label, answer.status_code, answer.text)
        bodies[label] = answer
        return answer

    call("resource group (PUT)", "PUT", rg, arm, json={"location": "eastus"})
    created = call("create (PUT, 201)", "PUT", cg, aci, json=secret_group())
    call("operation status", "GET", created.headers["Azure-AsyncOperation"], {})
    call("update by PUT (200)", "PUT", cg, aci, json=secret_group())
    call("get", "GET", cg, aci)
    call(
        "list in subscription",
        "GET",
        f"{base}/providers/Microsoft.ContainerInstance/containerGroups",
        aci,
    )
    call(
        "list in resource group",
        "GET",
        f"{rg}/providers/Microsoft.ContainerInstance/containerGroups",
        aci,
    )
    call("generic resources in subscription", "GET", f"{base}/resources", arm)
    call("generic resources in group", "GET", f"{rg}/resources", arm)
    call("update tags (PATCH)", "PATCH", cg, aci, json={"tags": {"purpose": "patched"}})
    call("logs", "GET", f"{cg}/containers/app/logs", aci)
    call("restart", "POST", f"{cg}/restart", aci)
    call("stop", "POST", f"{cg}/stop", aci)
    call("start", "POST", f"{cg}/start", aci)
    refused = session.put(
        cg.replace("secret-app", "bad-app"),
        params=aci,
        json={**secret_group(), "location": "nowhere"},
        verify=info.ca_bundle,
        timeout=30,
    )
    assert refused.status_code == 400
    bodies["a refused create (error envelope)"] = refused
    call("delete", "DELETE", cg, aci)

    got = bodies["get"].json()["properties"]
    assert {"name": "API_KEY"} in got["containers"][0]["properties"]["environmentVariables"]
    assert got["volumes"][0] == {"name": "secrets", "secret": {}}
    for label, answer in bodies.items():
        raw = answer.content.decode()
        for what, value in SECRETS.items():
            assert value not in raw, f"{label} echoes the {what}"
            assert base64.b64encode(value.encode()).decode() not in raw, f"{label}: {what}"
    reliability_report.check(
        "secure values never echoed",
        "a secure environment variable (container and init container), a registry password, an "
        f"Azure Files key and a secret volume, searched in the raw bodies of {len(bodies)} "
        f"answers: {', '.join(bodies)}",
        "none of the five values (nor their base64) in any body; a secure variable comes back "
        "as its name, a secret volume as {}",
    )


def test_admin_routes_answer_loopback_clients_only(emulators, reliability_report):
    emu, _ = emulators
    app = ArmApplication(emu.cloud, emu.identity, emu.config, emu.faults)
    client = Client(app)
    fault = {"kind": "status", "status": 503}
    provider = {"registrationState": "NotRegistered"}
    requests_ = [
        ("GET", "/_emulator/faults", None),
        ("POST", "/_emulator/faults", fault),
        ("DELETE", "/_emulator/faults", None),
        ("PUT", "/_emulator/providers/Microsoft.ContainerInstance", provider),
    ]
    sub = emu.cloud.subscription(emu.config.subscription_id)
    for remote in ("203.0.113.7", "10.1.2.3", "192.168.1.20", "2001:db8::5", "not-an-address"):
        for method, path, body in requests_:
            answer = client.open(
                path, method=method, json=body, environ_base={"REMOTE_ADDR": remote}
            )
            assert answer.status_code == 403, (remote, method, path)
            error = answer.get_json()["error"]
            assert error["code"] == "AdminRouteForbidden"
            assert error["message"] == "The emulator's admin routes answer loopback clients only."
        assert emu.faults.active() == []  # the refused POST added nothing
        assert emu.cloud.provider_state(sub, "Microsoft.ContainerInstance") == "Registered"
    for remote in ("127.0.0.1", "::1"):
        added = client.post("/_emulator/faults", json=fault, environ_base={"REMOTE_ADDR": remote})
        assert added.status_code == 201 and added.get_json()["kind"] == "status"
        assert (
            client.delete("/_emulator/faults", environ_base={"REMOTE_ADDR": remote}).status_code
            == 204
        )
    assert emu.faults.active() == []
    reliability_report.check(
        "admin routes (`/_emulator/faults`, `/_emulator/providers/…`) from other hosts",
        "the WSGI app called with REMOTE_ADDR 203.0.113.7, 10.1.2.3, 192.168.1.20, 2001:db8::5 "
        "and an unparsable address; GET, POST, DELETE faults and PUT provider state",
        "403 AdminRouteForbidden every time, and nothing changed; 127.0.0.1 and ::1 are served",
    )


def test_the_verbose_request_log_holds_no_secret_or_token(
    artifact_dir, tmp_path_factory, monkeypatch, reliability_report
):
    private = tmp_path_factory.mktemp("verbose")
    with EmulatorServer(private, artifact_dir / "verbose", "--verbose") as server:
        use_identity(monkeypatch, server.env)
        run = run_tutorial(server.env)
        assert run.succeeded
    log = server.stderr_path.read_text()
    assert "/oauth2/v2.0/token" in log and "PUT /subscriptions/" in log  # it did log requests
    assert find_secrets(log, server.info["client_secret"]) == []
    reliability_report.check(
        "the emulator's request log (`serve --verbose`)",
        f"{len(log.splitlines())} lines logged during a complete tutorial run, token requests "
        "included",
        "no JWT, no client secret (as a value or a `client_secret` field), no Authorization "
        "header or bearer token",
    )


def text_files(folder: Path) -> list[Path]:
    return [
        p
        for p in folder.rglob("*")
        if p.is_file() and p.suffix in {".md", ".log", ".ipynb", ".json", ".txt", ".xml", ".html"}
    ]


def test_committed_notebooks_and_written_artifacts_hold_no_secret_or_token(reliability_report):
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        text = path.read_text()
        json.loads(text)  # a whole notebook, sources, outputs and metadata
        assert find_secrets(text, *SERVER_SECRETS) == [], path.name
    artifacts = text_files(ARTIFACTS)
    for path in artifacts:
        found = find_secrets(path.read_text(errors="replace"), *SERVER_SECRETS)
        assert found == [], f"{path.relative_to(ROOT)}: {found}"
    # This session's report is written after the last test: scan what it will say.
    assert find_secrets(REPORT.markdown(), *SERVER_SECRETS) == []
    reliability_report.check(
        "committed notebooks and written artifacts",
        f"{len(notebooks)} notebooks (every byte: sources, outputs, metadata) and "
        f"{len(artifacts)} files under test-artifacts/ (executed notebooks, server logs, this "
        "report), against the secrets of every emulator server started in the session",
        "no JWT (`eyJ….….`), no client secret (as a value or a `client_secret` field), no "
        "Authorization header or bearer token, no AADSTS message quoting a secret, no private key",
    )
