"""A minimal HTTPS stub: the emulator's HTTP stack with none of its logic.

Same server as the emulator (`aci_emulator.web.serving.TlsServer`: hypercorn, each request read whole by
the door before a worker runs the WSGI function; TLS from a trustme CA made by `aci_emulator.tls`), but a bare WSGI function that replays responses
recorded from the emulator for the same calls: no routing table, no token check, no state, no
rendering. What a client measures against it is the floor for this SDK, transport and server.

In-process: `Stub(recorder.responses, emulator_base).start()`. As a server (for the workshop):
`python -m bench.stub --recording rec.json --info-file info.json`.
"""

from __future__ import annotations

import argparse
import base64
import json
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any

from aci_emulator.tls import make_server_tls
from aci_emulator.web.serving import TlsServer

# Headers the server sets itself; everything else recorded is replayed as is.
HOP_BY_HOP = {"content-length", "date", "server", "connection", "transfer-encoding"}
TENANT = "00000000-0000-4000-8000-0000000000aa"
SUBSCRIPTION = "00000000-0000-4000-8000-0000000000bb"


@dataclass
class Canned:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def classify(path: str) -> str:
    """Which canned answer a path gets: a handful of substring tests, nothing more."""
    lower = path.lower().rstrip("/")
    if lower.endswith("/oauth2/v2.0/token"):
        return "token"
    if lower.endswith("openid-configuration"):
        return "openid"
    if "/operationresults/" in lower:
        return "rg-operation"
    if "/operations/" in lower:
        return "operation"
    if lower.endswith("/containergroups"):
        return "list"
    if lower.endswith("/logs"):
        return "logs"
    if "/containergroups/" in lower:
        return "container-group"
    return "resource-group"


def _path(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]


@dataclass
class Recorder:
    """A raw_response_hook that keeps the last response of each kind of call."""

    responses: dict[str, Canned] = field(default_factory=dict)

    def on_response(self, pipeline_response: Any) -> None:
        request = pipeline_response.http_request
        response = pipeline_response.http_response
        body = response.body() if hasattr(response, "body") else response.content
        headers = [(k, v) for k, v in response.headers.items() if k.lower() not in HOP_BY_HOP]
        key = f"{request.method} {classify(_path(request.url))}"
        self.responses[key] = Canned(response.status_code, headers, body)

    def save(self, path: Path) -> None:
        data = {
            key: {
                "status": c.status,
                "headers": c.headers,
                "body": base64.b64encode(c.body).decode(),
            }
            for key, c in self.responses.items()
        }
        path.write_text(json.dumps(data))


def load(path: Path) -> dict[str, Canned]:
    return {
        key: Canned(c["status"], [tuple(h) for h in c["headers"]], base64.b64decode(c["body"]))
        for key, c in json.loads(path.read_text()).items()
    }


class Stub:
    """Serve recorded responses over HTTPS on a free loopback port."""

    def __init__(self, recorded: dict[str, Canned], source_base: str) -> None:
        self._recorded = recorded
        self._source_base = source_base  # the emulator's address, rewritten in headers
        self._answers: dict[str, tuple[str, list[tuple[str, str]], list[bytes]]] = {}
        self._server: TlsServer | None = None
        self._tmpdir: Path | None = None
        self.info: dict[str, str] = {}

    def start(self) -> dict[str, str]:
        self._tmpdir = Path(tempfile.mkdtemp(prefix="bench-stub-"))
        tls = make_server_tls(self._tmpdir, ("127.0.0.1", "localhost", "::1"))
        self._server = TlsServer("127.0.0.1", 0, self._app, tls.context)
        base = f"https://127.0.0.1:{self._server.port}"
        self._prepare(base)
        self.info = {
            "arm_endpoint": base,
            "authority_host": base,
            "ca_bundle": str(tls.ca_bundle),
            "tenant_id": TENANT,
            "subscription_id": SUBSCRIPTION,
            "client_id": "00000000-0000-4000-8000-0000000000cc",
            "client_secret": "stub-secret",
        }
        self._server.start()
        return self.info

    def _prepare(self, base: str) -> None:
        """Turn the recordings into ready WSGI answers, pointing their URLs at the stub."""
        token = {
            "token_type": "Bearer",
            "expires_in": 3599,
            "ext_expires_in": 3599,
            "access_token": "stub-token",
        }
        openid = {
            "token_endpoint": f"{base}/{TENANT}/oauth2/v2.0/token",
            "authorization_endpoint": f"{base}/{TENANT}/oauth2/v2.0/authorize",
            "issuer": f"{base}/{TENANT}/v2.0",
        }
        json_type = [("Content-Type", "application/json; charset=utf-8")]
        recorded = dict(self._recorded)
        recorded["POST token"] = Canned(200, json_type, json.dumps(token).encode())
        recorded["GET openid"] = Canned(200, json_type, json.dumps(openid).encode())
        for key, canned in recorded.items():
            headers = [(k, v.replace(self._source_base, base)) for k, v in canned.headers]
            headers.append(("Content-Length", str(len(canned.body))))
            status = f"{canned.status} {HTTPStatus(canned.status).phrase}"
            self._answers[key] = (status, headers, [canned.body])

    def _app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length:
            environ["wsgi.input"].read(length)
        key = f"{environ['REQUEST_METHOD']} {classify(environ['PATH_INFO'])}"
        answer = self._answers.get(key)
        if answer is None:
            start_response("404 Not Found", [("Content-Length", "0")])
            return [b""]
        status, headers, body = answer
        start_response(status, headers)
        return body

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stub", description=__doc__)
    parser.add_argument("--recording", type=Path, required=True, help="Recorder.save() output")
    parser.add_argument("--source", required=True, help="the recorded emulator's base URL")
    parser.add_argument("--info-file", type=Path, required=True, help="write connection info")
    args = parser.parse_args()
    stub = Stub(load(args.recording), args.source)
    info = stub.start()
    args.info_file.write_text(json.dumps(info))
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    stopping.wait()
    stub.stop()


if __name__ == "__main__":
    main()
