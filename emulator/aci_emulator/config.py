"""How an emulator instance behaves: identities, timing, limits, determinism."""

from __future__ import annotations

import secrets
import warnings
from dataclasses import InitVar, dataclass, field, fields

# Well-known placeholder identities: obviously not real, stable across runs so that
# regression-tested notebook outputs do not change.
DEFAULT_TENANT_ID = "00000000-0000-4000-8000-00000000a0a0"
DEFAULT_SUBSCRIPTION_ID = "00000000-0000-4000-8000-00000000c0c0"
DEFAULT_CLIENT_ID = "00000000-0000-4000-8000-00000000e0e0"


# Fields whose values never appear in a repr.
SECRET_FIELDS = ("client_secret",)


class _Unset:
    """No value given (None is a value: it sends no Retry-After)."""


_UNSET = _Unset()


@dataclass(frozen=True)
class Limits:
    """Every bound on what one client may send or hold, enforced at the server's door.

    The HTTPS layer (aci_emulator.web.door and .serving) applies them before any request
    reaches a worker thread or a handler; docs/reliability.md lists them with the tests that
    cover each. Azure's values where it documents one (sources in emulator/README.md,
    "Limits"), our reading elsewhere.
    """

    handshake_seconds: float = 10.0  # TLS handshake
    idle_seconds: float = 20.0  # no request: before the first one, and between two
    read_seconds: float = 30.0  # one read while a request is being received
    body_seconds: float = 30.0  # from the end of the head to the end of the body
    max_body_bytes: int = 4 * 1024 * 1024  # ARM's 4 MB: 413 RequestContentTooLarge
    # 4 MB of `{},` would be 1.3 million objects; Azure's largest bodies hold a few thousand.
    max_json_values: int = 100_000  # JSON values in one body, counted before it is parsed
    # Memory for bodies held at once, all clients together (503 past it); the first
    # `free_body_bytes` of each body are not counted, so small requests are never refused.
    max_buffered_bytes: int = 64 * 1024 * 1024  # bodies held at once beyond their free part
    free_body_bytes: int = 64 * 1024  # of each body, not counted in max_buffered_bytes
    max_header_bytes: int = 16 * 1024  # the request line and headers together
    max_header_count: int = 100  # headers in one request
    max_url_bytes: int = 8 * 1024  # path and query string
    max_form_fields: int = 100  # an urlencoded body (the token endpoint's form)
    max_form_field_bytes: int = 64 * 1024  # one field's name or value, encoded
    workers: int = 16  # requests the application handles at once; more wait their turn
    max_connections: int = 0  # open at once; 0: from the process's file-descriptor limit
    backlog: int = 1024  # connections the system queues before the server accepts them

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
                raise ValueError(f"Limits.{name} must be a number, not {value!r}.")
            if value < 0 or (value == 0 and name != "max_connections"):
                raise ValueError(f"Limits.{name} must be positive, not {value!r}.")


def new_client_secret() -> str:
    """A random secret that never starts with '-': `az login -p -abc…` would read it as an option."""
    return "s" + secrets.token_urlsafe(24)


@dataclass
class EmulatorConfig:
    """Settings for one emulator instance. The defaults suit tests: instant and deterministic."""

    host: str = "127.0.0.1"
    port: int = 0  # 0 picks a free port
    tenant_id: str = DEFAULT_TENANT_ID
    subscription_id: str = DEFAULT_SUBSCRIPTION_ID
    client_id: str = DEFAULT_CLIENT_ID
    # A fresh secret per instance: nothing secret is ever written in the code.
    client_secret: str = field(default_factory=lambda: new_client_secret())
    # Seconds from a create (or start/restart) until the group is provisioned and running.
    provisioning_seconds: float = 0.0
    # Seconds a run-once container runs before it terminates.
    task_seconds: float = 0.0
    # Seconds a resource group delete stays in progress (its Location operation answers 202).
    resource_group_delete_seconds: float = 0.0
    # Shown seconds per real second of a transition above: > 1 compresses a live-like timeline
    # (event times and operation durations look live while the wait is short).
    time_scale: float = 1.0
    # Retry-After on long-running responses, in whole seconds as ARM sends it (the SDK reads
    # some as an int); None sends none, as real ACI does. The same name as serve's --retry-after
    # and a status fault's option.
    retry_after: int | None = 1
    # The former name of `retry_after`, still accepted (with a DeprecationWarning).
    retry_after_seconds: InitVar[int | None | _Unset] = _UNSET
    # Standard cores per region a subscription may use: 100, the default of a pay-as-you-go
    # subscription ("Resource availability & quota limits for ACI", Microsoft Learn,
    # https://learn.microsoft.com/azure/container-instances/container-instances-resource-and-quota-limits,
    # "Standard sku cores (CPUs) per region per subscription | 100"; container groups per region:
    # 100, which list_usage reports too). Free and trial subscriptions have less.
    quota_cores: float = 100.0
    # Page size of list operations (nextLink past it).
    page_size: int = 100
    # Stable IPs, operation ids and timestamps, for regression-tested outputs.
    deterministic: bool = True
    # Lifetime of issued access tokens.
    token_lifetime_seconds: int = 3599
    # Images that cannot be pulled (fnmatch patterns), answered with InaccessibleImage.
    inaccessible_images: tuple[str, ...] = ("*doesnotexist*", "*nonexistent*", "*.invalid/*")
    # Ask registries whether an image exists and is public (off: the name rule above alone).
    # Off by default, so tests and notebooks never depend on the network; `serve` turns it on.
    image_lookup: bool = False
    image_lookup_timeout: float = 3.0
    # Registry host -> base URL of its distribution API, to point a lookup at a local registry.
    registry_endpoints: dict[str, str] = field(default_factory=dict)
    # Other subscriptions this cloud knows, mapped to their tenant (for cross-tenant checks).
    extra_subscriptions: dict[str, str] = field(default_factory=dict)
    # What one client may send or hold (body size and deadline, headers, connections …).
    limits: Limits = field(default_factory=Limits)

    def __repr__(self) -> str:
        # Printed in test output and logs: the secret is masked (dataclass keeps this __repr__).
        shown = (
            f"{f.name}={'***' if f.name in SECRET_FIELDS else repr(getattr(self, f.name))}"
            for f in fields(self)
        )
        return f"{type(self).__name__}({', '.join(shown)})"

    def __post_init__(self, retry_after_seconds: int | None | _Unset) -> None:
        if not isinstance(retry_after_seconds, _Unset):
            warnings.warn(
                "EmulatorConfig(retry_after_seconds=...) is now EmulatorConfig(retry_after=...).",
                DeprecationWarning,
                stacklevel=3,
            )
            self.retry_after = retry_after_seconds
        value = self.retry_after
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 0
        ):
            raise ValueError(
                f"retry_after must be whole seconds (0 or more) or None, as ARM's Retry-After: "
                f"{value!r}."
            )

    @classmethod
    def realistic(cls, **overrides: object) -> EmulatorConfig:
        """Behave like live ACI: a provisioning time of seconds and no Retry-After."""
        values: dict[str, object] = {
            "provisioning_seconds": 8.0,
            "task_seconds": 5.0,
            "resource_group_delete_seconds": 3.0,
            "retry_after": None,
            "deterministic": False,
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    @classmethod
    def compressed_live(cls, **overrides: object) -> EmulatorConfig:
        """Live ACI's sequence of states in a fraction of a second, with live-like times shown.

        A create stays Pending (Pulling, Pulled, Started) before it runs, a run-once task runs
        then terminates, a resource group delete answers 202 before it is gone. A create takes
        0.039 s here and shows as about 10 s, the time a small image takes live (Azure CLI
        recording test_container_create.yaml: PUT at 11:42:57, Pulling 11:43:03, Pulled 11:43:05,
        Started 11:43:06). No Retry-After, as live: the client's polling interval decides.
        """
        values: dict[str, object] = {
            "provisioning_seconds": 0.039,
            "task_seconds": 0.1,
            "resource_group_delete_seconds": 0.025,
            "time_scale": 256.0,
            "retry_after": None,
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
