"""The Azure context of a run: which target, which credential, and the two clients.

Only this module knows whether the notebook talks to Azure or to the local emulator;
every cell after ``ctx = connect()`` runs the same either way.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from azure.core.credentials import TokenCredential
from azure.mgmt.containerinstance import ContainerInstanceManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient
from dotenv import dotenv_values

from .clients import LIVE_POLLING_INTERVAL, arm_scope, emulator_polling_interval, make_clients
from .credentials import live_credential, service_principal_credential
from .machinery import clock, context_view
from .machinery.errors import REACH_SIGN_IN, explain
from .machinery.settings import Settings

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
        self.emulated = emulator is not None
        self.polling_interval = (
            emulator_polling_interval(emulator.config.time_scale)
            if self.emulated
            else LIVE_POLLING_INTERVAL
        )
        # The run's one clock: the in-process emulator's (it shows a live run's times), else UTC.
        self.now = (lambda: emulator.clock.now()) if self.emulated else clock.utc_now
        self._forget_clock = clock.register(arm_endpoint, self.now) if self.emulated else None
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
                    notes.insert(0, f"The CA bundle in use: {context_view.ca_text(self)}.")
                explained.advice = " ".join([explained.advice, *notes])
            raise explained from err

    def tags(self) -> dict[str, str]:
        """Tags for everything this run creates: who made it, which run, when (for sweeping)."""
        return {
            "created-by": CREATED_BY,
            "tutorial-run": self.run_id,
            "created-at": self.now().isoformat(timespec="seconds"),
        }

    def close(self) -> None:
        """Close the clients and the credential; stop the in-process emulator, if any."""
        for closable in (self.aci, self.resources, self.credential):
            close = getattr(closable, "close", None)
            if close:
                close()
        if self._forget_clock is not None:
            self._forget_clock()
        if self._stop_emulator is not None:
            self._stop_emulator()  # runs emulator.stop() once

    def __enter__(self) -> AzureContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def where(self) -> str:
        """One line: the target, its endpoint, the subscription and the credential class."""
        return context_view.where(self)

    def __str__(self) -> str:
        return context_view.as_text(self)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        return context_view.as_html(self)


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
