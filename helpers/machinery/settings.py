"""Configuration from the environment and a .env file, checked before anything connects."""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values, find_dotenv

from ..names import (
    InvalidNameError,
    default_resource_group,
    new_run_id,
    validate_resource_group_name,
)
from .errors import ConfigurationError

TARGETS = ("auto", "azure", "emulator")
PUBLIC_ARM_ENDPOINT = "https://management.azure.com"
PUBLIC_AUTHORITY_HOST = "https://login.microsoftonline.com"
DEFAULT_LOCATION = "eastus"
# The first line of a .env that `python -m aci_emulator serve --env-file` wrote (and removes
# when it stops): such a file outliving its server points at an address nothing answers.
SERVER_ENV_HEADER = "# Written by `python -m aci_emulator serve`"
_GUID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


# The settings a run reads, in the order the setup cell shows them.
SETTINGS = (
    "ACI_TUTORIAL_TARGET",
    "AZURE_SUBSCRIPTION_ID",
    "AZURE_LOCATION",
    "ACI_TUTORIAL_RESOURCE_GROUP",
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_RESOURCE_MANAGER_ENDPOINT",
    "AZURE_AUTHORITY_HOST",
    "REQUESTS_CA_BUNDLE",
)


def read_sources(
    env_file: str | Path | None = None,
) -> tuple[dict[str, str], dict[str, str], Path | None]:
    """Values, where each came from ("environment" or ".env"), and the .env file found."""
    path = Path(env_file) if env_file else Path(find_dotenv(usecwd=True) or ".env")
    found = path if path.is_file() else None
    from_file = {k: v for k, v in dotenv_values(found).items() if v} if found else {}
    sources = dict.fromkeys(from_file, ".env")
    # Variables set in the environment win over .env, as everywhere in the Azure tooling.
    values = {**from_file, **os.environ}
    sources.update(dict.fromkeys((k for k, v in os.environ.items() if v.strip()), "environment"))
    return values, sources, found


def mask(value: str | None) -> str:
    """Enough of an id to recognise it, not enough to copy it."""
    if not value:
        return "(not set)"
    return f"{value[:4]}…{value[-4:]}" if len(value) > 8 else "…"


def _https_url(name: str, value: str) -> str:
    url = value.strip().rstrip("/")
    if "://" not in url:
        url = "https://" + url
    if not url.startswith("https://"):
        raise ConfigurationError(
            f"{name}={value!r} is not an https:// URL.",
            f"Set {name} to an https:// address: Azure SDK clients send tokens only over TLS.",
        )
    return url


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know before it connects. Secrets are kept out of repr."""

    target: str  # "azure" or "emulator", after resolving "auto"
    requested_target: str
    location: str
    resource_group: str
    run_id: str
    subscription_id: str | None = None
    tenant_id: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    arm_endpoint: str = PUBLIC_ARM_ENDPOINT
    authority_host: str | None = None
    ca_bundle: str | None = None
    env_file: Path | None = None
    # The .env was written by an emulator server (`python -m aci_emulator serve --env-file`).
    written_by_server: bool = False
    # Setting name -> "environment" or ".env"; a setting not listed has its default.
    sources: dict[str, str] = field(default_factory=dict, compare=False)
    # .env values that the environment overrides with another value: name -> the .env value.
    overridden: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def source(self, name: str) -> str:
        """Where a setting came from: "environment", ".env" or "default"."""
        return self.sources.get(name, "default")

    @property
    def custom_authority(self) -> bool:
        """True for a private cloud or the emulator: MSAL cannot discover those instances."""
        return self.authority_host is not None and self.authority_host != PUBLIC_AUTHORITY_HOST

    @classmethod
    def from_environment(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        env_file: str | Path | None = None,
        target: str | None = None,
        run_id: str | None = None,
    ) -> Settings:
        """Read and check the configuration; raise ConfigurationError naming the bad variable."""
        found: Path | None = None
        sources: dict[str, str] = {}
        overridden: dict[str, str] = {}
        if environ is None:
            environ, sources, found = read_sources(env_file)
            file_values = dotenv_values(found) if found else {}
            overridden = {
                name: value
                for name, value in file_values.items()
                if name in SETTINGS
                and value
                and sources.get(name) == "environment"
                and os.environ[name].strip() != value.strip()
            }
        else:
            sources = {name: "environment" for name in SETTINGS if environ.get(name, "").strip()}

        def get(name: str) -> str | None:
            value = environ.get(name, "").strip()
            return value or None

        requested = (target or get("ACI_TUTORIAL_TARGET") or "auto").lower()
        if requested not in TARGETS:
            raise ConfigurationError(
                f"ACI_TUTORIAL_TARGET={requested!r} is not a known target.",
                "Set ACI_TUTORIAL_TARGET to auto (the default), azure or emulator.",
            )
        subscription_id = get("AZURE_SUBSCRIPTION_ID")
        if requested == "azure" and not subscription_id:
            raise ConfigurationError(
                "ACI_TUTORIAL_TARGET=azure but AZURE_SUBSCRIPTION_ID is not set.",
                "Set AZURE_SUBSCRIPTION_ID (az account show --query id -o tsv) in the "
                "environment or in .env, or set ACI_TUTORIAL_TARGET=emulator.",
            )
        resolved = requested
        if requested == "auto":
            resolved = "azure" if subscription_id else "emulator"
        if resolved == "azure" and subscription_id and not _GUID.fullmatch(subscription_id):
            raise ConfigurationError(
                f"AZURE_SUBSCRIPTION_ID={subscription_id!r} is not a subscription id.",
                "Set AZURE_SUBSCRIPTION_ID to a GUID such as "
                "00000000-0000-0000-0000-000000000000 (az account show --query id -o tsv).",
            )

        location = (get("AZURE_LOCATION") or DEFAULT_LOCATION).replace(" ", "").lower()
        if not re.fullmatch(r"[a-z0-9]+", location):
            raise ConfigurationError(
                f"AZURE_LOCATION={get('AZURE_LOCATION')!r} is not a region name.",
                "Set AZURE_LOCATION to a region such as eastus or westeurope "
                "(az account list-locations --query [].name -o tsv).",
            )

        run = run_id or new_run_id()
        group = get("ACI_TUTORIAL_RESOURCE_GROUP")
        try:
            resource_group = validate_resource_group_name(group) if group else None
        except InvalidNameError as err:
            raise ConfigurationError(
                f"ACI_TUTORIAL_RESOURCE_GROUP={group!r} is not a valid name: {err.rule}.",
                f"Set ACI_TUTORIAL_RESOURCE_GROUP to a name of {err.rule}, or unset it.",
            ) from err

        from_server = sources.get("AZURE_RESOURCE_MANAGER_ENDPOINT") == ".env"
        if resolved == "azure" and from_server and _written_by_server(found):
            _check_server_is_running(found, get("AZURE_RESOURCE_MANAGER_ENDPOINT") or "", get)
        ca_bundle = get("REQUESTS_CA_BUNDLE")
        endpoint = get("AZURE_RESOURCE_MANAGER_ENDPOINT")
        if ca_bundle and resolved == "azure":
            _check_ca_bundle(ca_bundle, endpoint or "")
        authority = get("AZURE_AUTHORITY_HOST")
        return cls(
            target=resolved,
            requested_target=requested,
            location=location,
            resource_group=resource_group or default_resource_group(run),
            run_id=run,
            subscription_id=subscription_id,
            tenant_id=get("AZURE_TENANT_ID"),
            client_id=get("AZURE_CLIENT_ID"),
            client_secret=get("AZURE_CLIENT_SECRET"),
            arm_endpoint=(
                _https_url("AZURE_RESOURCE_MANAGER_ENDPOINT", endpoint)
                if endpoint
                else PUBLIC_ARM_ENDPOINT
            ),
            authority_host=_https_url("AZURE_AUTHORITY_HOST", authority) if authority else None,
            ca_bundle=ca_bundle,
            env_file=found,
            written_by_server=_written_by_server(found),
            sources={
                **{k: v for k, v in sources.items() if k in SETTINGS and get(k)},
                **({"ACI_TUTORIAL_TARGET": "connect(target=...)"} if target else {}),
            },
            overridden=overridden,
        )

    def shown(self, name: str) -> str:
        """A setting's value as the setup cell shows it: ids masked, the secret hidden."""
        if name == "ACI_TUTORIAL_TARGET":
            if self.requested_target == "auto":
                return f"auto (so: {self.target})"
            return self.requested_target
        value = {
            "AZURE_SUBSCRIPTION_ID": self.subscription_id,
            "AZURE_LOCATION": self.location,
            "ACI_TUTORIAL_RESOURCE_GROUP": self.resource_group,
            "AZURE_TENANT_ID": self.tenant_id,
            "AZURE_CLIENT_ID": self.client_id,
            "AZURE_CLIENT_SECRET": self.client_secret,
            "AZURE_RESOURCE_MANAGER_ENDPOINT": self.arm_endpoint,
            "AZURE_AUTHORITY_HOST": self.authority_host or PUBLIC_AUTHORITY_HOST,
            "REQUESTS_CA_BUNDLE": self.ca_bundle,
        }[name]
        if name in _IDS:
            return mask(value)
        if name == "AZURE_CLIENT_SECRET":
            return "(set, not shown)" if value else "(not set)"
        if name == "ACI_TUTORIAL_RESOURCE_GROUP" and self.source(name) == "default":
            return "(a new one, named for this run)"
        return value or "(not set)"

    @property
    def relevant(self) -> tuple[str, ...]:
        """The settings this target uses: the in-process emulator brings its own identity."""
        return SETTINGS if self.target == "azure" else SETTINGS[:4]

    def rows(self) -> list[tuple[str, str, str]]:
        """(setting, value, where it came from) for every setting this target uses."""
        return [(name, self.shown(name), self.source(name)) for name in self.relevant]

    def warnings(self) -> list[str]:
        """Settings of .env that do not apply because the environment sets them too."""
        return [
            f"{name} in .env ({_shown_raw(name, value)}) is overridden by the environment "
            f"({self.shown(name)}). To use the .env value, unset it in the shell that starts "
            f"Jupyter (unset {name}) and restart the kernel."
            for name, value in self.overridden.items()
            if name in self.relevant
        ]


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def _check_ca_bundle(ca_bundle: str, endpoint: str) -> None:
    """A CA bundle that is missing or unreadable, said in terms of what most likely happened."""
    try:
        with open(ca_bundle, "rb"):
            return
    except PermissionError:
        raise ConfigurationError(
            f"REQUESTS_CA_BUNDLE={ca_bundle!r} cannot be read by you (permission denied).",
            "If an emulator server on this host printed it, its certificate is private to the user "
            "who started it: ask them to start it with --workshop (python -m aci_emulator serve "
            "--workshop), which puts the certificate where every user can read it, then use the "
            "lines it prints.",
        ) from None
    except OSError:
        pass
    # serve's certificates live in folders named aci-emulator-* (one per start).
    if "aci-emulator-" in ca_bundle and urlsplit(endpoint).hostname in LOOPBACK_HOSTS:
        raise ConfigurationError(
            f"REQUESTS_CA_BUNDLE={ca_bundle!r} is gone: the emulator server at {endpoint} that "
            "printed it has most likely stopped (each start makes a new certificate).",
            "Paste the lines the running server prints now into .env (or start it again), or "
            "delete those lines from .env to use an emulator in this process; then restart the "
            "kernel.",
        )
    raise ConfigurationError(
        f"REQUESTS_CA_BUNDLE={ca_bundle!r} is not a file.",
        "Point REQUESTS_CA_BUNDLE at a PEM file of trusted CA certificates, or unset it.",
    )


def _check_server_is_running(
    env_file: Path | None, endpoint: str, get: Callable[[str], str | None]
) -> None:
    """A .env an emulator server wrote and did not remove: its server has stopped. Say so before
    anything else complains about what it left (a CA file gone, an address nothing answers)."""
    url = urlsplit(_https_url("AZURE_RESOURCE_MANAGER_ENDPOINT", endpoint))
    ca_bundle = get("REQUESTS_CA_BUNDLE")
    try:
        socket.create_connection((url.hostname, url.port or 443), timeout=2).close()
        if ca_bundle and not Path(ca_bundle).is_file():
            raise FileNotFoundError(f"its CA certificate {ca_bundle} is gone")
    except OSError as err:
        raise ConfigurationError(
            f"{env_file} was written by an emulator server (python -m aci_emulator serve) that "
            f"is no longer running: nothing answers at {url.scheme}://{url.netloc} now "
            f"({err.strerror or err}).",
            f"Start the server again (.venv/bin/python -m aci_emulator serve --port {url.port} "
            f"--env-file .env), or delete {env_file} to use an emulator in this process; then "
            "restart the kernel.",
        ) from None


def _written_by_server(path: Path | None) -> bool:
    try:
        return path is not None and path.read_text(errors="replace").startswith(SERVER_ENV_HEADER)
    except OSError:
        return False


_IDS = ("AZURE_SUBSCRIPTION_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_ID")


def _shown_raw(name: str, value: str) -> str:
    if name in _IDS:
        return mask(value)
    return "not shown" if name == "AZURE_CLIENT_SECRET" else value


def default_path_environment(environ: Mapping[str, str], folder: Path) -> dict[str, str]:
    """``environ`` without any setting, for a run that must take the default path.

    With no setting in the environment and no .env from ``folder`` upward, ``connect()`` in
    ``folder`` takes the path a new reader's first run takes: auto, no subscription, the local
    emulator. Committed outputs show that path; a .env would change it (and could point at a
    live subscription), so its presence is an error rather than something to override.
    """
    for parent in (folder.resolve(), *folder.resolve().parents):
        if (parent / ".env").is_file():
            raise ConfigurationError(
                f"{parent / '.env'} would configure this run.",
                "Move it aside while the notebooks run: their saved outputs show the default "
                "path (no subscription, no .env: the local emulator).",
            )
    return {name: value for name, value in environ.items() if name not in SETTINGS}
