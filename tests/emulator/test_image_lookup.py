"""Images checked in their registry, against a local double of the OCI distribution API.

The double speaks what a public registry speaks to an anonymous client: a manifest request
without a token gets 401 with a `Bearer` challenge; the token endpoint hands out an anonymous
pull token; with it, the manifest answers 200, or 404 when the image does not exist, or 401 when
the repository is private. It stands in for mcr.microsoft.com (EmulatorConfig.registry_endpoints).
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aci_builders import container, group
from azure.core.exceptions import HttpResponseError

from aci_emulator.backend.registry import RegistryLookup, describe, split_reference

PUBLIC = {"azuredocs/aci-helloworld": {"latest", "v1"}}
PRIVATE = {"internal/secret-app"}


class RegistryDouble(BaseHTTPRequestHandler):
    requests: list[str] = []

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        type(self).requests.append(self.path)
        host = f"http://{self.server.server_address[0]}:{self.server.server_address[1]}"
        if self.path.startswith("/token?"):
            scope = re.search(r"scope=repository%3A([^%&]+(?:%2F[^%&]+)*)%3Apull", self.path)
            repository = scope.group(1).replace("%2F", "/") if scope else ""
            return self._json(200, {"token": f"anonymous:{repository}"})
        found = re.fullmatch(r"/v2/(.+)/manifests/([^/]+)", self.path)
        if not found:
            return self._json(401 if self.path == "/v2/" else 404, {"errors": []})
        repository, reference = found.groups()
        if self.headers.get("Authorization") != f"Bearer anonymous:{repository}":
            challenge = (
                f'Bearer realm="{host}/token",service="double",scope="repository:{repository}:pull"'
            )
            return self._json(401, {"errors": [{"code": "UNAUTHORIZED"}]}, challenge)
        if repository in PRIVATE:
            return self._json(401, {"errors": [{"code": "UNAUTHORIZED"}]})
        if reference in PUBLIC.get(repository, set()):
            return self._json(200, {"schemaVersion": 2, "mediaType": "application/vnd.oci"})
        return self._json(404, {"errors": [{"code": "MANIFEST_UNKNOWN"}]})

    def _json(self, status: int, body: dict, challenge: str | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if challenge:
            self.send_header("WWW-Authenticate", challenge)
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def registry() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), RegistryDouble)
    RegistryDouble.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def create_error(sdk, rg: str, name: str, image: str) -> HttpResponseError:
    with pytest.raises(HttpResponseError) as err:
        sdk.aci.container_groups.begin_create_or_update(
            rg, name, group(container(image=image, ports=[80]))
        )
    return err.value


def test_an_image_that_exists_is_pulled(make_emulator, registry):
    sdk = make_emulator(image_lookup=True, registry_endpoints={"mcr.microsoft.com": registry})
    rg = sdk.create_rg()

    created = sdk.aci.container_groups.begin_create_or_update(
        rg,
        "web",
        group(container(image="mcr.microsoft.com/azuredocs/aci-helloworld:v1", ports=[80])),
    ).result()

    assert created.provisioning_state == "Succeeded"
    # Challenge, anonymous token, manifest with the token.
    assert [p.split("?")[0] for p in RegistryDouble.requests] == [
        "/v2/azuredocs/aci-helloworld/manifests/v1",
        "/token",
        "/v2/azuredocs/aci-helloworld/manifests/v1",
    ]


@pytest.mark.parametrize(
    "image",
    [
        "mcr.microsoft.com/azuredocs/aci-helloworl",  # a typo: the rule alone would accept it
        "mcr.microsoft.com/azuredocs/aci-helloworld:v9",  # no such tag
        "mcr.microsoft.com/internal/secret-app",  # exists, but not public
    ],
)
def test_an_image_the_registry_does_not_serve_is_inaccessible(make_emulator, registry, image):
    sdk = make_emulator(image_lookup=True, registry_endpoints={"mcr.microsoft.com": registry})
    rg = sdk.create_rg()

    error = create_error(sdk, rg, "web", image)

    assert error.status_code == 400
    assert error.error.code == "InaccessibleImage"
    assert error.error.message == (
        f"The image '{image}' in container group 'web' is not accessible. Please check the image "
        "and registry credential."
    )


def test_answers_are_cached_per_image(make_emulator, registry):
    sdk = make_emulator(image_lookup=True, registry_endpoints={"mcr.microsoft.com": registry})
    rg = sdk.create_rg()
    image = "mcr.microsoft.com/azuredocs/aci-helloworld"

    for name in ("one", "two", "three"):
        sdk.aci.container_groups.begin_create_or_update(
            rg, name, group(container(image=image), public=False)
        ).result()
    create_error(sdk, rg, "four", image + "-typo")
    create_error(sdk, rg, "five", image + "-typo")

    manifests = [p for p in RegistryDouble.requests if "/manifests/" in p]
    assert (
        manifests
        == ["/v2/azuredocs/aci-helloworld/manifests/latest"] * 2
        + ["/v2/azuredocs/aci-helloworld-typo/manifests/latest"] * 2
    )


def test_offline_falls_back_to_the_name_rule_quickly(make_emulator):
    sdk = make_emulator(
        image_lookup=True,
        image_lookup_timeout=1.0,
        registry_endpoints={"mcr.microsoft.com": closed_port()},
    )
    rg = sdk.create_rg()

    started = time.monotonic()
    typo = sdk.aci.container_groups.begin_create_or_update(
        rg,
        "typo",
        group(container(image="mcr.microsoft.com/azuredocs/aci-helloworl"), public=False),
    ).result()
    error = create_error(sdk, rg, "missing", "mcr.microsoft.com/azuredocs/doesnotexist")

    assert typo.provisioning_state == "Succeeded"  # what the rule says, offline
    assert error.error.code == "InaccessibleImage"
    assert time.monotonic() - started < 5


def test_lookup_is_off_unless_asked(make_emulator, registry):
    sdk = make_emulator(registry_endpoints={"mcr.microsoft.com": registry})
    rg = sdk.create_rg()

    sdk.aci.container_groups.begin_create_or_update(
        rg,
        "typo",
        group(container(image="mcr.microsoft.com/azuredocs/aci-helloworl"), public=False),
    ).result()

    assert RegistryDouble.requests == []


def test_images_with_a_registry_credential_are_not_looked_up(make_emulator, registry):
    sdk = make_emulator(image_lookup=True, registry_endpoints={"mcr.microsoft.com": registry})
    rg = sdk.create_rg()
    definition = group(container(image="mcr.microsoft.com/internal/secret-app", ports=[80]))
    definition.image_registry_credentials = [
        {"server": "mcr.microsoft.com", "username": "me", "password": "not-a-real-one"}
    ]

    sdk.aci.container_groups.begin_create_or_update(rg, "private", definition).result()

    assert RegistryDouble.requests == []


@pytest.mark.parametrize(
    ("image", "parts"),
    [
        ("nginx", ("docker.io", "library/nginx", "latest")),
        ("nginx:1.27", ("docker.io", "library/nginx", "1.27")),
        ("bitnami/redis", ("docker.io", "bitnami/redis", "latest")),
        (
            "mcr.microsoft.com/azuredocs/aci-helloworld@sha256:" + "a" * 64,
            ("mcr.microsoft.com", "azuredocs/aci-helloworld", "sha256:" + "a" * 64),
        ),
        ("localhost:5000/app:v2", ("localhost:5000", "app", "v2")),
    ],
)
def test_image_references(image, parts):
    assert split_reference(image) == parts


def test_serve_says_which_way_images_are_checked(registry):
    assert describe(None).startswith("images checked by name only (--no-image-lookup)")
    online = RegistryLookup(endpoints={"mcr.microsoft.com": registry})
    assert describe(online).startswith("images looked up in their registries")
    offline = RegistryLookup(timeout=1.0, endpoints={"mcr.microsoft.com": closed_port()})
    assert describe(offline).startswith("registries unreachable (offline?)")
