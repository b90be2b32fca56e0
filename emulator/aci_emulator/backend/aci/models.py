"""A container group and its parts, as the backend keeps them: typed, in the service's terms.

Everything a rule of the service reads is a field here, read from the request by the web layer
(web/parse_aci.py). What a client sent as a whole is also kept in `as_sent`, a wire-cased dict
the backend never reads: the render layer alone returns it (secrets removed). Numbers a message
quotes keep the type they were sent with (1 and 1.0 are written differently).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

CG_TYPE = "Microsoft.ContainerInstance/containerGroups"

OsType = Literal["Linux", "Windows"]
RestartPolicy = Literal["Always", "OnFailure", "Never"]
Sku = Literal["Standard", "Dedicated", "Confidential"]
Priority = Literal["Regular", "Spot"]
IpAddressType = Literal["Public", "Private"]
Protocol = Literal["TCP", "UDP"]
DnsNameLabelScope = Literal[
    "Unsecure", "TenantReuse", "SubscriptionReuse", "ResourceGroupReuse", "Noreuse"
]
ProvisioningState = Literal["Pending", "Succeeded", "Failed"]
# Where a group is in its life; its instanceView.state is derived from it (lifecycle.group_state).
Phase = Literal["provisioning", "running", "stopped", "failed"]
RunState = Literal["Waiting", "Running", "Terminated"]
EventType = Literal["Normal", "Warning"]


@dataclass
class Event:
    name: str
    message: str
    type: EventType
    first: datetime
    last: datetime
    count: int = 1


@dataclass(frozen=True)
class RunSnapshot:
    """A container's state at one moment: what instanceView.previousState shows of a past run."""

    state: RunState
    detail: str
    start_time: datetime | None = None
    finish_time: datetime | None = None
    exit_code: int | None = None


@dataclass
class ContainerState:
    """One container's life: what it is doing now and what it did before."""

    state: RunState = "Waiting"
    detail: str = ""
    start_time: datetime | None = None
    finish_time: datetime | None = None
    exit_code: int | None = None
    started_mono: float = 0.0  # when the current run began (monotonic)
    restart_count: int = 0
    previous: RunSnapshot | None = None
    events: list[Event] = field(default_factory=list)

    def snapshot(self) -> RunSnapshot:
        return RunSnapshot(
            self.state, self.detail, self.start_time, self.finish_time, self.exit_code
        )


@dataclass(frozen=True)
class Port:
    port: int
    protocol: Protocol | None = None  # None: not sent (a container's port is echoed without it)


@dataclass(frozen=True)
class EnvironmentVariable:
    name: str
    value: str | None = None
    secure_value: str | None = None  # kept to run the container; never returned


@dataclass(frozen=True)
class Gpu:
    count: int | None
    sku: str | None


@dataclass(frozen=True)
class ResourceRequests:
    cpu: float  # as sent: an int stays an int
    memory_in_gb: float
    gpu: Gpu | None = None


@dataclass(frozen=True)
class ResourceLimits:
    """A container's limits, each optional; numbers as sent."""

    cpu: float | None = None
    memory_in_gb: float | None = None
    gpu: Gpu | None = None


@dataclass(frozen=True)
class VolumeMount:
    name: str | None
    mount_path: str | None
    read_only: bool | None = None


@dataclass(frozen=True)
class Capabilities:
    add: list[str] | None = None
    drop: list[str] | None = None


@dataclass(frozen=True)
class SecurityContext:
    privileged: bool | None = None
    allow_privilege_escalation: bool | None = None
    capabilities: Capabilities | None = None
    run_as_group: int | None = None
    run_as_user: int | None = None
    seccomp_profile: str | None = None


@dataclass(frozen=True)
class Probe:
    """What a rule reads of a liveness or readiness probe: its HTTP port."""

    http_get_port: int | None = None


@dataclass(frozen=True)
class AzureFileVolume:
    share_name: str | None = None
    storage_account_name: str | None = None
    storage_account_key: str | None = None  # a secret: never returned
    read_only: bool | None = None


@dataclass(frozen=True)
class GitRepoVolume:
    repository: str | None = None
    directory: str | None = None
    revision: str | None = None


@dataclass(frozen=True)
class Volume:
    """A volume of one kind or more (Azure refuses none for holding several: our reading)."""

    name: str
    azure_file: AzureFileVolume | None = None
    empty_dir: bool = False  # sent (its object holds nothing a rule reads)
    secret: dict[str, str] | None = None  # file name: base64 content (secrets)
    git_repo: GitRepoVolume | None = None


@dataclass(frozen=True)
class RegistryCredential:
    server: str
    username: str | None = None
    password: str | None = None  # a secret: never returned
    identity: str | None = None  # a user-assigned identity's resource id
    identity_url: str | None = None


@dataclass(frozen=True)
class LogAnalytics:
    workspace_id: str | None = None
    workspace_key: str | None = None  # a secret: never returned
    log_type: str | None = None  # ContainerInsights, ContainerInstanceLogs: not checked as an enum
    metadata: dict[str, str] | None = None
    workspace_resource_id: str | None = None


@dataclass(frozen=True)
class Diagnostics:
    log_analytics: LogAnalytics | None


@dataclass(frozen=True)
class SubnetId:
    id: str | None
    name: str | None = None


@dataclass(frozen=True)
class NetworkProfile:
    """A network profile as sent. No request type covers it, so it may be any JSON value:
    `id` is read only from an object."""

    is_object: bool
    id: object = None
    given: bool = True  # a value that counts as set (not empty, zero or false)


@dataclass(frozen=True)
class ConfidentialComputeProperties:
    cce_policy: str | None = None  # as sent (the group's effective one: ContainerGroupSpec)


@dataclass
class Container:
    """A container or an init container."""

    name: str
    image: str
    command: list[str] | None
    ports: list[Port]
    environment_variables: list[EnvironmentVariable]
    requests: ResourceRequests | None  # None for an init container, which requests none
    as_sent: dict[str, Any] = field(default_factory=dict)  # its other properties, as sent
    limits: ResourceLimits | None = None
    volume_mounts: list[VolumeMount] = field(default_factory=list)
    security_context: SecurityContext | None = None
    liveness_probe: Probe | None = None
    readiness_probe: Probe | None = None


@dataclass
class IpAddress:
    type: IpAddressType
    ports: list[Port]
    dns_name_label: str | None = None
    dns_name_label_scope: DnsNameLabelScope | None = None  # only beside a label, as Azure keeps it
    as_sent: dict[str, Any] = field(default_factory=dict)  # its other properties, as sent


@dataclass
class ContainerGroupSpec:
    """What a client asks for in a PUT, validated, with the service's defaults filled in."""

    os_type: OsType
    restart_policy: RestartPolicy
    sku: Sku
    priority: Priority | None  # returned only when sent
    containers: list[Container]
    init_containers: list[Container]
    ip_address: IpAddress | None
    registry_servers: frozenset[str]  # (lower case) servers that credentials are given for
    cce_policy: str | None = None  # a confidential group's enforcement policy
    as_sent: dict[str, Any] = field(default_factory=dict)  # its other properties, as sent
    # Azure runs a group with no policy as `Always` but returns none (recorded: Azure CLI
    # test_container_create_with_acr, 2024, sent none and got none back).
    restart_policy_sent: bool = True
    registry_credentials: list[RegistryCredential] = field(default_factory=list)
    volumes: list[Volume] = field(default_factory=list)
    subnet_ids: list[SubnetId] = field(default_factory=list)
    network_profile: NetworkProfile | None = None
    diagnostics: Diagnostics | None = None
    confidential_compute: ConfidentialComputeProperties | None = None

    @property
    def cores(self) -> float:
        """CPU cores the containers request (what the regional quota counts)."""
        return float(sum(c.requests.cpu for c in self.containers if c.requests))


@dataclass(frozen=True)
class ManagedIdentityIds:
    """What Entra ID assigns a managed identity: its service principal and application ids."""

    principal_id: str
    client_id: str


@dataclass(frozen=True)
class Identity:
    """The managed identities a group runs as."""

    type: str | None  # SystemAssigned, UserAssigned, "SystemAssigned, UserAssigned" or None
    user_assigned: tuple[str, ...]  # resource ids of the user-assigned identities
    as_sent: dict[str, Any] = field(default_factory=dict)
    # Filled in by the service when the group is created (read-only on the wire).
    tenant_id: str | None = None
    system_assigned: ManagedIdentityIds | None = None
    user_assigned_ids: dict[str, ManagedIdentityIds] = field(default_factory=dict)

    @property
    def has_system_assigned(self) -> bool:
        return "systemassigned" in (self.type or "").replace(" ", "").lower().split(",")


@dataclass(frozen=True)
class ContainerGroupRequest:
    """A PUT of a container group, validated."""

    location: str  # as sent; the service checks the region
    tags: dict[str, str] | None
    identity: Identity | None
    zones: list[str] | None
    spec: ContainerGroupSpec
    api_version: str | None = None  # the version the request was sent at (rules depend on it)
    identity_sent: bool = False  # an identity object was sent, even an empty one
    identity_has_members: bool = False  # ... holding a member that is not null


@dataclass
class ContainerGroup:
    subscription_id: str
    resource_group: str
    name: str
    location: str
    tags: dict[str, str] | None  # as sent; None when never sent
    spec: ContainerGroupSpec
    identity: Identity | None
    zones: list[str] | None
    ip: str | None
    created: datetime
    provisioning_state: ProvisioningState = "Pending"
    phase: Phase = "provisioning"
    ready_mono: float = 0.0
    run_began: datetime | None = None  # shown time the current (re)deploy began
    failure: tuple[str, str] | None = None  # (code, message) the provisioning ends with
    containers: dict[str, ContainerState] = field(default_factory=dict)
    group_events: list[Event] = field(default_factory=list)

    @property
    def cores(self) -> float:
        return self.spec.cores

    @property
    def resource_id(self) -> str:
        return (
            f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}"
            f"/providers/Microsoft.ContainerInstance/containerGroups/{self.name}"
        )

    def container(self, name: str) -> Container | None:
        return next((c for c in self.spec.containers if c.name == name), None)
