"""The unmodified SDK clients aimed at an endpoint, a per-request timer, and the tutorial's group."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from azure.identity import ClientSecretCredential
from azure.mgmt.containerinstance import ContainerInstanceManagementClient
from azure.mgmt.containerinstance.models import (
    Container,
    ContainerGroup,
    ContainerPort,
    IpAddress,
    Port,
    ResourceRequests,
    ResourceRequirements,
)
from azure.mgmt.resource.resources import ResourceManagementClient

from aci_emulator.backend.aci.models import ContainerGroupRequest
from aci_emulator.backend.resources.models import ResourceGroupRequest
from aci_emulator.web import parse_aci, parse_arm

HELLO = "mcr.microsoft.com/azuredocs/aci-helloworld"
LOCATION = "eastus"
ACI_API = "2023-05-01"  # what the pinned azure-mgmt-containerinstance sends


@dataclass
class RequestTimer:
    """Times every HTTP request a client sends, through azure-core's per-call hooks.

    `raw_request_hook` runs after authentication, just before the transport;
    `raw_response_hook` as soon as the response is back. The pair measures the round trip
    (TLS, server, the client's own (de)serialisation of headers), not the SDK's model work.
    """

    samples: list[tuple[str, str, float, float]] = field(
        default_factory=list
    )  # method, path, start, s
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def on_request(self, request: Any) -> None:
        request.context["bench.start"] = time.perf_counter()

    def on_response(self, response: Any) -> None:
        start = response.context.get("bench.start")
        if start is None:
            return
        elapsed = time.perf_counter() - start
        request = response.http_request
        path = request.url.split("?", 1)[0].split("/", 3)[-1]
        with self._lock:
            self.samples.append((request.method, path, start, elapsed))

    def hooks(self) -> dict[str, Any]:
        return {"raw_request_hook": self.on_request, "raw_response_hook": self.on_response}

    def latencies(self) -> list[float]:
        with self._lock:
            return [elapsed for *_, elapsed in self.samples]


@dataclass
class Clients:
    credential: ClientSecretCredential
    resources: ResourceManagementClient
    aci: ContainerInstanceManagementClient
    subscription_id: str

    def close(self) -> None:
        for closable in (self.aci, self.resources, self.credential):
            closable.close()


def connect(
    info: Mapping[str, str],
    *,
    polling_interval: float | None = None,
    hooks: Mapping[str, Callable[[Any], None]] | None = None,
) -> Clients:
    """A credential and the two management clients for an emulator's (or stub's) info dict.

    `hooks`: azure-core's raw_request_hook / raw_response_hook, on every client's pipeline.
    """
    hooks = dict(hooks or {})
    credential = ClientSecretCredential(
        info["tenant_id"],
        info["client_id"],
        info["client_secret"],
        authority=info["authority_host"],
        disable_instance_discovery=True,
        connection_verify=info["ca_bundle"],
        **hooks,
    )
    options: dict[str, Any] = {
        "base_url": info["arm_endpoint"],
        "connection_verify": info["ca_bundle"],
        **hooks,
    }
    if polling_interval is not None:
        options["polling_interval"] = polling_interval
    sub = info["subscription_id"]
    return Clients(
        credential,
        ResourceManagementClient(credential, sub, **options),
        ContainerInstanceManagementClient(credential, sub, **options),
        sub,
    )


def tutorial_group(
    name: str, dns_label: str | None = None, tags: dict | None = None
) -> ContainerGroup:
    """The notebook's container group: aci-helloworld, 1 CPU, 1.5 GB, a public port 80."""
    container = Container(
        name=name,
        image=HELLO,
        resources=ResourceRequirements(requests=ResourceRequests(cpu=1.0, memory_in_gb=1.5)),
        ports=[ContainerPort(port=80)],
    )
    return ContainerGroup(
        location=LOCATION,
        containers=[container],
        os_type="Linux",
        restart_policy="Always",
        ip_address=IpAddress(
            type="Public", ports=[Port(protocol="TCP", port=80)], dns_name_label=dns_label
        ),
        tags=tags or {"created-by": "bench"},
    )


def group_request(name: str, cpu: float = 1.0) -> ContainerGroupRequest:
    """A container group without a public IP or DNS label, read as its PUT is read (for the
    backend, without HTTP)."""
    body = {
        "location": LOCATION,
        "tags": {"created-by": "bench"},
        "properties": {
            "osType": "Linux",
            "containers": [
                {
                    "name": "hello",
                    "properties": {
                        "image": HELLO,
                        "resources": {"requests": {"cpu": cpu, "memoryInGB": 1.5}},
                        "ports": [{"port": 80}],
                    },
                }
            ],
        },
    }
    return parse_aci.container_group(name, body, ACI_API)


def resource_group_request(name: str) -> ResourceGroupRequest:
    """A resource group in LOCATION, read as its PUT is read (for the backend)."""
    return parse_arm.resource_group(name, {"location": LOCATION})
