"""Building blocks the emulator tests share: SDK clients for an emulator, raw ARM requests,
and container group definitions made of the SDK's own models."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import requests
from azure.identity import ClientSecretCredential
from azure.mgmt.containerinstance import ContainerInstanceManagementClient
from azure.mgmt.containerinstance.models import (
    Container,
    ContainerGroup,
    ContainerPort,
    EnvironmentVariable,
    IpAddress,
    Port,
    ResourceRequests,
    ResourceRequirements,
)
from azure.mgmt.resource.resources import ResourceManagementClient

from aci_emulator import Emulator

ARM_SCOPE = "https://management.azure.com/.default"
ACI_API = "2023-05-01"
RG_API = "2025-04-01"
HELLO = "mcr.microsoft.com/azuredocs/aci-helloworld"
WORDCOUNT = "mcr.microsoft.com/azuredocs/aci-wordcount"
NS = "providers/Microsoft.ContainerInstance"

# A subscription of another tenant, known to the session emulator (cross-tenant checks).
OTHER_TENANT = "11111111-1111-4111-8111-111111111111"
OTHER_SUBSCRIPTION = "22222222-2222-4222-8222-222222222222"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass
class Raw:
    """Plain HTTPS requests to an emulator, for what the SDK hides (status codes, headers)."""

    endpoint: str
    ca_bundle: str
    subscription_id: str
    token: str

    def url(self, path: str) -> str:
        if path.startswith("https://"):
            return path
        path = path.replace("{sub}", self.subscription_id)
        return f"{self.endpoint}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        api_version: str | None = None,
        json: Any = None,
        data: bytes | None = None,
        token: str | None = "default",
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> requests.Response:
        """One request as the test writes it: `json` serialised by requests, or `data` sent
        exactly as given (malformed or lenient text, with the Content-Type in `headers`)."""
        all_headers = dict(headers or {})
        bearer = self.token if token == "default" else token
        if bearer is not None:
            all_headers["Authorization"] = f"Bearer {bearer}"
        query = dict(params or {})
        if api_version is not None:
            query["api-version"] = api_version
        return requests.request(
            method,
            self.url(path),
            params=query,
            json=json,
            data=data,
            headers=all_headers,
            verify=self.ca_bundle,
            timeout=30,
        )

    def put_group_text(self, rg: str, name: str, text: str) -> requests.Response:
        """A container group's PUT whose JSON text is sent exactly as written."""
        return self.request(
            "PUT",
            self.cg_path(rg, name),
            api_version=ACI_API,
            data=text.encode(),
            headers={"Content-Type": "application/json"},
        )

    def rg_path(self, rg: str) -> str:
        return f"/subscriptions/{{sub}}/resourcegroups/{rg}"

    def cg_path(self, rg: str, name: str) -> str:
        return f"/subscriptions/{{sub}}/resourceGroups/{rg}/{NS}/containerGroups/{name}"


@dataclass
class Clients:
    """One emulator as the SDK sees it: credential, the two management clients, raw access."""

    emulator: Emulator
    credential: ClientSecretCredential
    rm: ResourceManagementClient
    aci: ContainerInstanceManagementClient

    @property
    def info(self):
        return self.emulator.info

    def token(self) -> str:
        return self.credential.get_token(ARM_SCOPE).token

    def raw(self) -> Raw:
        i = self.info
        return Raw(i.arm_endpoint, i.ca_bundle, i.subscription_id, self.token())

    def create_rg(self, name: str | None = None, location: str = "eastus", **kw: Any) -> str:
        name = name or unique("rg")
        self.rm.resource_groups.create_or_update(name, {"location": location, **kw})
        return name


def credential_for(emulator: Emulator, client_id: str | None = None, secret: str | None = None):
    i = emulator.info
    return ClientSecretCredential(
        i.tenant_id,
        client_id or i.client_id,
        secret if secret is not None else i.client_secret,
        authority=i.authority_host,
        disable_instance_discovery=True,
        connection_verify=i.ca_bundle,
    )


def clients_for(emulator: Emulator, credential: Any = None, subscription_id: str | None = None):
    i = emulator.info
    credential = credential or credential_for(emulator)
    sub = subscription_id or i.subscription_id
    common = {"base_url": i.arm_endpoint, "connection_verify": i.ca_bundle}
    return Clients(
        emulator,
        credential,
        ResourceManagementClient(credential, sub, **common),
        ContainerInstanceManagementClient(credential, sub, **common),
    )


def container(
    name: str = "app",
    image: str = HELLO,
    cpu: float | None = 1.0,
    memory: float | None = 1.5,
    ports: list[int] | None = None,
    env: dict[str, str] | None = None,
    secure_env: dict[str, str] | None = None,
    command: list[str] | None = None,
) -> Container:
    variables = [EnvironmentVariable(name=k, value=v) for k, v in (env or {}).items()]
    variables += [
        EnvironmentVariable(name=k, secure_value=v) for k, v in (secure_env or {}).items()
    ]
    return Container(
        name=name,
        image=image,
        resources=ResourceRequirements(requests=ResourceRequests(cpu=cpu, memory_in_gb=memory)),
        ports=[ContainerPort(port=p) for p in ports] if ports else None,
        environment_variables=variables or None,
        command=command,
    )


def wire_group(**props: Any) -> dict[str, Any]:
    """A container group's body as sent over HTTP: one aci-helloworld container, 1 CPU, 1.5 GB,
    Linux, with `props` set in its properties (for requests the SDK's models cannot send)."""
    body = {
        "location": "eastus",
        "properties": {
            "osType": "Linux",
            "containers": [
                {
                    "name": "app",
                    "properties": {
                        "image": HELLO,
                        "resources": {"requests": {"cpu": 1, "memoryInGB": 1.5}},
                    },
                }
            ],
        },
    }
    body["properties"].update(props)
    return body


def group(
    *containers: Container,
    location: str = "eastus",
    public: bool = True,
    ports: list[int] | None = None,
    dns_label: str | None = None,
    restart_policy: str | None = None,
    os_type: str | None = "Linux",
    tags: dict[str, str] | None = None,
    **kwargs: Any,
) -> ContainerGroup:
    """A container group; by default one aci-helloworld container behind a public port 80."""
    exposed = ports or [80]
    if not containers:
        containers = (container(ports=exposed if public else None),)
    ip = None
    if public:
        ip = IpAddress(
            ports=[Port(port=p, protocol="TCP") for p in exposed],
            type="Public",
            dns_name_label=dns_label,
        )
    return ContainerGroup(
        location=location,
        containers=list(containers),
        os_type=os_type,
        restart_policy=restart_policy,
        ip_address=ip,
        tags=tags,
        **kwargs,
    )


def task(*command: str, restart_policy: str = "Never", image: str = HELLO, **env: str):
    """A run-once container group without a public IP."""
    return group(
        container(image=image, command=list(command) or None, env=env or None),
        restart_policy=restart_policy,
        public=False,
    )
