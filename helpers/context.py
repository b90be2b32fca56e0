"""The Azure context of a run: which target, which credential, and the two clients.

Only this module knows whether the notebook talks to Azure or to the local emulator;
every cell after ``ctx = connect()`` runs the same either way.
"""

from __future__ import annotations

import html
import os
import weakref
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from azure.core.credentials import TokenCredential
from azure.mgmt.containerinstance import ContainerInstanceManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient
from dotenv import dotenv_values

from .clients import EMULATOR_POLLING_INTERVAL, LIVE_POLLING_INTERVAL, arm_scope, make_clients
from .credentials import live_credential, service_principal_credential
from .errors import REACH_SIGN_IN, explain
from .settings import Settings, mask

CREATED_BY = "aci-notebook-tutorial"


def export_env_file(path: Path) -> None:
    """Copy .env values into os.environ, where azure-identity reads a service principal.

    Variables already set win, and empty values are skipped: azure-identity treats an empty
    AZURE_AUTHORITY_HOST as an authority of "https://".
    """
    for name, value in dotenv_values(path).items():
        if value and name not in os.environ:
            os.environ[name] = value


class AzureContext:
    """Target, identity and clients of one tutorial run. Close it to stop a local emulator."""

    def __init__(
        self,
        settings: Settings,
        credential: TokenCredential,
        subscription_id: str,
        *,
        arm_endpoint: str,
        ca_bundle: str | None = None,
        emulator: Any = None,
    ) -> None:
        self.settings = settings
        self.target = settings.target
        self.credential = credential
        self.subscription_id = subscription_id
        self.location = settings.location
        self.resource_group = settings.resource_group
        self.run_id = settings.run_id
        self.arm_endpoint = arm_endpoint
        self.polling_interval = (
            EMULATOR_POLLING_INTERVAL if emulator is not None else LIVE_POLLING_INTERVAL
        )
        self.emulated = emulator is not None
        # Stops a forgotten emulator when the context is collected or the kernel exits.
        self._stop_emulator = weakref.finalize(self, emulator.stop) if self.emulated else None
        self.resources: ResourceManagementClient
        self.aci: ContainerInstanceManagementClient
        self.resources, self.aci = make_clients(
            credential,
            subscription_id,
            arm_endpoint=arm_endpoint,
            ca_bundle=ca_bundle,
            polling_interval=self.polling_interval,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> AzureContext:
        """Build the context; for the emulator target, start one in this process."""
        if settings.target == "emulator":
            return cls._with_emulator(settings)
        if settings.env_file:
            export_env_file(settings.env_file)
        assert settings.subscription_id  # checked by Settings
        return cls(
            settings,
            live_credential(settings),
            settings.subscription_id,
            arm_endpoint=settings.arm_endpoint,
            ca_bundle=settings.ca_bundle,
        )

    @classmethod
    def from_environment(cls, **kwargs: Any) -> AzureContext:
        """Same as :func:`connect`."""
        return connect(**kwargs)

    @classmethod
    def _with_emulator(cls, settings: Settings) -> AzureContext:
        from aci_emulator import Emulator, EmulatorConfig  # only needed offline

        emu = Emulator(EmulatorConfig.compressed_live())
        emu.start()
        try:
            info = emu.info
            credential = service_principal_credential(
                info.tenant_id,
                info.client_id,
                info.client_secret,
                authority_host=info.authority_host,
                ca_bundle=info.ca_bundle,
            )
            return cls(
                settings,
                credential,
                info.subscription_id,
                arm_endpoint=info.arm_endpoint,
                ca_bundle=info.ca_bundle,
                emulator=emu,
            )
        except BaseException:
            emu.stop()
            raise

    def check_credential(self) -> None:
        """Get a token now, so a credential problem shows up here with advice, not mid-step."""
        try:
            self.credential.get_token(arm_scope(self.arm_endpoint))
        except Exception as err:
            explained = explain(err)
            if explained is None:
                raise
            if not self.emulated:
                # Where the answer may lie: the CA bundle in use, a .env value that did not apply.
                notes = self.settings.warnings()
                if explained.advice == REACH_SIGN_IN:
                    notes.insert(0, f"The CA bundle in use: {self._ca_text()}.")
                explained.advice = " ".join([explained.advice, *notes])
            raise explained from err

    def tags(self) -> dict[str, str]:
        """Tags for everything this run creates: who made it, which run, when (for sweeping)."""
        return {
            "created-by": CREATED_BY,
            "tutorial-run": self.run_id,
            "created-at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }

    def close(self) -> None:
        """Close the clients and the credential; stop the in-process emulator, if any."""
        for closable in (self.aci, self.resources, self.credential):
            close = getattr(closable, "close", None)
            if close:
                close()
        if self._stop_emulator is not None:
            self._stop_emulator()  # runs emulator.stop() once

    def __enter__(self) -> AzureContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _credential_text(self) -> str:
        name = type(self.credential).__name__
        if self.emulated:
            return f"{name}: a service principal the emulator issued for this run"
        s = self.settings
        how = (
            "tries in turn a service principal in AZURE_TENANT_ID, AZURE_CLIENT_ID and "
            "AZURE_CLIENT_SECRET, workload and managed identity, the Azure CLI login (az login), "
            "Azure PowerShell and the Azure Developer CLI; the first that answers signs in"
        )
        if s.tenant_id and s.client_id and s.client_secret:
            how += (
                f" (here the service principal {mask(s.client_id)}, "
                f"from {s.source('AZURE_CLIENT_ID')})"
            )
        return f"{name}: {how}"

    def _ca_text(self) -> str:
        if self.emulated:
            return "the emulator's own CA, created for this run"
        s = self.settings
        if s.ca_bundle:
            return f"{s.ca_bundle} (REQUESTS_CA_BUNDLE from {s.source('REQUESTS_CA_BUNDLE')})"
        return "the public CAs of the certifi package (REQUESTS_CA_BUNDLE not set)"

    def _rows(self) -> list[tuple[str, str]]:
        if self.emulated:
            target = "local emulator (in this process; nothing is created in Azure)"
        elif self.arm_endpoint == "https://management.azure.com":
            target = "Azure (live: resources cost money until deleted)"
        else:
            target = f"Azure at a custom endpoint (live, {self.arm_endpoint})"
        return [
            ("target", target),
            ("Resource Manager endpoint", self.arm_endpoint),
            ("subscription", mask(self.subscription_id)),
            ("location", self.location),
            ("resource group", self.resource_group),
            ("credential", self._credential_text()),
            ("CA bundle", self._ca_text()),
        ]

    def where(self) -> str:
        """One line: the target, its endpoint, the subscription and the credential class."""
        rows = dict(self._rows())
        return (
            f"{rows['target']}, {self.arm_endpoint}, subscription {mask(self.subscription_id)}, "
            f"credential {type(self.credential).__name__}"
        )

    def _settings_caption(self) -> str:
        found = f".env: {self.settings.env_file}" if self.settings.env_file else "no .env found"
        caption = f"Settings (the environment wins over .env, then the default; {found})"
        if self.emulated:
            caption += "; credentials and endpoints are the emulator's own"
        return caption

    def __str__(self) -> str:
        rows = self._rows()
        width = max(len(k) for k, _ in rows)
        lines = ["Azure context"] + [f"  {key:<{width}}  {value}" for key, value in rows]
        settings = self.settings.rows()
        name_width = max(len(n) for n, _, _ in settings)
        value_width = max(len(v) for _, v, _ in settings)
        lines.append(self._settings_caption())
        lines += [
            f"  {name:<{name_width}}  {value:<{value_width}}  {source}"
            for name, value, source in settings
        ]
        lines += [f"Warning: {warning}" for warning in self.settings.warnings()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        def row(*cells: str) -> str:
            return (
                "<tr>"
                + "".join(f"<td style='text-align:left'>{html.escape(c)}</td>" for c in cells)
                + "</tr>"
            )

        context = "".join(row(k, v) for k, v in self._rows())
        settings = "".join(row(*r) for r in self.settings.rows())
        warnings = "".join(
            f"<p style='color:#a00'><b>Warning:</b> {html.escape(w)}</p>"
            for w in self.settings.warnings()
        )
        return (
            f"<table><caption style='text-align:left'><b>Azure context</b></caption>{context}"
            "</table><table><caption style='text-align:left'>"
            f"<b>{html.escape(self._settings_caption())}</b></caption>{settings}</table>{warnings}"
        )


def connect(
    *,
    target: str | None = None,
    environ: Mapping[str, str] | None = None,
    env_file: str | Path | None = None,
    check: bool = True,
) -> AzureContext:
    """Read the configuration, pick the target and return a ready AzureContext.

    ``target`` overrides ACI_TUTORIAL_TARGET. With ``check`` a token is fetched at once, so a
    credential problem is reported here with advice on what to do. ``environ`` replaces the
    environment and .env when reading the settings (for tests); DefaultAzureCredential itself
    always reads os.environ.
    """
    settings = Settings.from_environment(environ, env_file=env_file, target=target)
    ctx = AzureContext.from_settings(settings)
    if check:
        try:
            ctx.check_credential()
        except BaseException:
            ctx.close()
            raise
    return ctx
