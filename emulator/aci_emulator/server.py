"""Start the emulator: a TLS server on a loopback port, in a background thread."""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from aci_emulator.backend.cloud import Cloud
from aci_emulator.clock import Clock
from aci_emulator.config import EmulatorConfig
from aci_emulator.faults import FaultInjector
from aci_emulator.identity import Identity
from aci_emulator.tls import make_server_tls
from aci_emulator.web.app import ArmApplication
from aci_emulator.web.serving import Connections, Limits, TlsServer

log = logging.getLogger("aci_emulator")


@dataclass(frozen=True)
class EmulatorInfo:
    """Everything a client needs to reach the emulator (the keys of `serve --info-file`)."""

    arm_endpoint: str
    authority_host: str
    ca_bundle: str
    tenant_id: str
    subscription_id: str
    client_id: str
    client_secret: str = field(repr=False)  # printed by no repr, logged nowhere

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


class Emulator:
    """A local Azure subscription over HTTPS.

    >>> with Emulator() as emu:
    ...     emu.info.arm_endpoint
    'https://127.0.0.1:...'
    """

    # What serves the application; a benchmark may put another server in its place.
    server_class: type[TlsServer] = TlsServer

    def __init__(self, config: EmulatorConfig | None = None, limits: Limits | None = None) -> None:
        self.config = config or EmulatorConfig()
        if limits is not None:  # the server's timeouts and bounds; also EmulatorConfig(limits=…)
            self.config = replace(self.config, limits=limits)
        self.faults = FaultInjector()
        self._new_state()
        self._app: ArmApplication | None = None
        self._server: TlsServer | None = None
        self._tmpdir: Path | None = None
        self.info: EmulatorInfo | None = None
        self.identity: Identity | None = None

    def start(self) -> EmulatorInfo:
        if self._server is not None:
            raise RuntimeError("The emulator is already running.")
        # First, as its signing key is generated in the background (see Identity).
        # Bind before issuing tokens: the authority advertised in them needs the real port.
        self.identity = Identity(
            tenant_id=self.config.tenant_id,
            issuer_base="https://pending",
            token_lifetime_seconds=self.config.token_lifetime_seconds,
        )
        self.identity.add_principal(self.config.client_id, self.config.client_secret)
        self._tmpdir = Path(tempfile.mkdtemp(prefix="aci-emulator-"))
        hosts = ("127.0.0.1", "localhost", "::1")
        if self.config.host not in hosts:
            hosts = (*hosts, self.config.host)
        try:
            tls = make_server_tls(self._tmpdir, hosts)
            self._app = ArmApplication(self.cloud, self.identity, self.config, self.faults)
            self._server = self.server_class(
                self.config.host, self.config.port, self._app, tls.context, self.limits
            )
        except BaseException:  # a busy port, above all: nothing is left behind
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = self._app = None
            raise
        host = self.config.host if self.config.host not in ("0.0.0.0", "::") else "127.0.0.1"
        host = f"[{host}]" if ":" in host else host
        endpoint = f"https://{host}:{self._server.port}"
        self.identity.issuer_base = endpoint
        self.info = EmulatorInfo(
            arm_endpoint=endpoint,
            authority_host=endpoint,
            ca_bundle=str(tls.ca_bundle),
            tenant_id=self.config.tenant_id,
            subscription_id=self.config.subscription_id,
            client_id=self.config.client_id,
            client_secret=self.config.client_secret,
        )
        self._server.start()
        log.debug("emulator serving on %s", endpoint)
        return self.info

    @property
    def limits(self) -> Limits:
        """What one client may send or hold (see aci_emulator.config.Limits)."""
        return self.config.limits

    def stop(self) -> None:
        if self._server is None:
            return
        if self._app is not None:
            self._app.stopping.set()  # an injected latency ends now, not in up to 300 s
        self._server.stop()
        self._server = None
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)

    # Fixed while the server runs: its address and identity are baked into certificates and tokens.
    FIXED_SETTINGS = (
        "host",
        "port",
        "tenant_id",
        "client_id",
        "client_secret",
        "token_lifetime_seconds",
        "limits",  # the server's bounds are set as it starts
    )

    def _new_state(self) -> None:
        self.clock = Clock(self.config.deterministic, self.config.time_scale)
        self.cloud = Cloud(self.config, self.clock, self.faults)

    def reset(self, config: EmulatorConfig | None = None) -> None:
        """Forget every resource and fault, as a new instance would, keeping the running server.

        With `config`, its settings apply from now on (timing, quota, image rules, a new
        `subscription_id` …); those in FIXED_SETTINGS must stay as they are. Costs microseconds,
        where a new instance costs a certificate authority, a signing key and a server.
        """
        if config is not None:
            changed = [
                name
                for name in self.FIXED_SETTINGS
                if getattr(config, name) != getattr(self.config, name)
            ]
            if changed:
                raise ValueError(f"Cannot change {', '.join(changed)} of a running emulator.")
            self.config = config
            if self.info is not None:
                self.info = replace(self.info, subscription_id=config.subscription_id)
        self.faults.clear()
        self._new_state()
        if self._app is not None:  # requests from now on see the new state
            self._app.cloud, self._app.config = self.cloud, self.config

    @property
    def connections(self) -> Connections | None:
        """The server's client connections: how many were accepted, are open, were evicted."""
        return self._server.connections if self._server is not None else None

    def add_principal(self, client_id: str, secret: str, role: str = "Contributor") -> None:
        """Another service principal of this tenant; role 'Reader' may only read."""
        if self.identity is None:
            raise RuntimeError("Start the emulator first.")
        self.identity.add_principal(client_id, secret, role)

    def set_provider_state(self, namespace: str, state: str = "NotRegistered") -> None:
        """Make a resource provider unregistered (the SDK then registers it), or registered."""
        sub = self.cloud.subscription(self.config.subscription_id)
        self.cloud.set_provider_state(sub, namespace, state)

    def __enter__(self) -> Emulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
