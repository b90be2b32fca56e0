"""One test's view of a running emulator: a fresh subscription, credentials and client settings.

The pytest plugin hands one of these to each test (`azure_emulator`); it also serves any other
test runner:

    with Emulator() as emu:
        sub = EmulatedSubscription.fresh(emu)
        client = ContainerInstanceManagementClient(sub.credential, sub.subscription_id,
                                                   **sub.client_kwargs)

azure-identity (and aiohttp, for `async_credential`) are imported only when used.

Also the project's one way to run the emulator as a separate process (`ServerProcess`, as a
user runs `python -m aci_emulator serve`) and to fetch a raw token (`raw_token`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import signal
import ssl
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aci_emulator.__main__ import notebook_variables
from aci_emulator.config import EmulatorConfig
from aci_emulator.server import Emulator, EmulatorInfo

if TYPE_CHECKING:
    from azure.identity import ClientSecretCredential
    from azure.identity.aio import ClientSecretCredential as AsyncClientSecretCredential

    from aci_emulator.faults import Fault, FaultInjector

# The variables of `env`: the notebook's, but for its choice of target (ACI_TUTORIAL_TARGET).
_ENV = ("AZURE_", "REQUESTS_CA_BUNDLE")
ARM_SCOPE = "https://management.azure.com/.default"
# Seconds between polls of a long-running operation: `client_kwargs`' polling_interval, which the
# SDK uses when the emulator sends no Retry-After (`realistic`, as live ACI), and the longest
# sleep of the SDK's transports while Azure's endpoints are routed here (see routing.py), which
# covers ARM's whole-second Retry-After and the SDK's default 30 s polling of unchanged code.
POLL_SECONDS = 0.05
# Settings of the pytest plugin itself, beside EmulatorConfig's, with their defaults.
PLUGIN_DEFAULTS: dict[str, Any] = {
    # The SDK's transports send management.azure.com and login.microsoftonline.com here, and
    # refuse other Azure hosts (routing.py).
    "route_azure_hosts": True,
    # The longest sleep of the SDK's transports while routed (polls, retries).
    "poll_seconds": POLL_SECONDS,
    # A fault that never fired fails the test at teardown (as responses' unused requests do).
    "assert_all_faults_fired": True,
}
# Former names of settings: one name per setting across faults, the marker and serve's flags.
RENAMED = {"retry_after_seconds": "retry_after"}


def split_settings(settings: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the plugin's own settings, with defaults filled in; the emulator's settings)."""
    plugin = {**PLUGIN_DEFAULTS, **{k: v for k, v in settings.items() if k in PLUGIN_DEFAULTS}}
    for name in ("route_azure_hosts", "assert_all_faults_fired"):
        if not isinstance(plugin[name], bool):
            raise TypeError(f"{name} must be True or False, not {plugin[name]!r}.")
    seconds = plugin["poll_seconds"]
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds >= 0:
        raise TypeError(f"poll_seconds must be a number of seconds, 0 or more, not {seconds!r}.")
    return plugin, {k: v for k, v in settings.items() if k not in PLUGIN_DEFAULTS}


def _current_names(settings: dict[str, Any]) -> dict[str, Any]:
    for old, new in RENAMED.items():
        if old in settings:
            warnings.warn(f"The setting {old}= is now {new}=.", DeprecationWarning, stacklevel=4)
            settings = {new: settings[old], **{k: v for k, v in settings.items() if k != old}}
    return settings


def config_for_test(
    emulator: Emulator, *, realistic: bool = False, compressed_live: bool = False, **settings: Any
) -> EmulatorConfig:
    """Settings for one test: EmulatorConfig's defaults, or a preset (EmulatorConfig.realistic(),
    EmulatorConfig.compressed_live()), then `settings`.

    The running server's address and identity are kept; the subscription id is new.
    """
    settings = _current_names(settings)
    fields = {f.name for f in dataclasses.fields(EmulatorConfig)}
    unknown = sorted(set(settings) - fields)
    if unknown:
        raise TypeError(
            f"Unknown emulator setting(s) {', '.join(unknown)}; use realistic=True, "
            f"compressed_live=True, any of {', '.join(PLUGIN_DEFAULTS)} (pytest plugin) or any "
            f"of: {', '.join(sorted(fields))}."
        )
    fixed = sorted(set(settings) & set(Emulator.FIXED_SETTINGS))
    if fixed:
        raise TypeError(f"{', '.join(fixed)} cannot be set per test (fixed for the test session).")
    if realistic and compressed_live:
        raise TypeError("Choose one of realistic=True and compressed_live=True.")
    values = {name: getattr(emulator.config, name) for name in Emulator.FIXED_SETTINGS}
    values["subscription_id"] = str(uuid.uuid4())
    if realistic:
        return EmulatorConfig.realistic(**values, **settings)
    if compressed_live:
        return EmulatorConfig.compressed_live(**values, **settings)
    return EmulatorConfig(**values, **settings)


@dataclass(frozen=True)
class LoggedRequest:
    """One request the emulator answered (a dropped connection answers nothing)."""

    method: str
    path: str
    query: str  # the query string, without its '?'
    status: int


class RequestLog(logging.Handler):
    """The requests the emulator answers while attached, from any client (the SDK, the CLI …),
    read from its request logger. Debug records of that logger are made only while attached, and
    reach no other handler then unless someone asked for them."""

    LOGGER = "aci_emulator.requests"

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.entries: list[LoggedRequest] = []
        self._logger = logging.getLogger(self.LOGGER)
        self._saved: tuple[int, bool] | None = None

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args
        if isinstance(args, tuple) and len(args) == 3 and record.msg == "%s %s -> %s":
            method, full_path, status = args
            path, _, query = str(full_path).partition("?")
            self.entries.append(LoggedRequest(str(method), path, query, int(status)))

    def attach(self) -> None:
        logger = self._logger
        self._saved = (logger.level, logger.propagate)
        if not logger.isEnabledFor(logging.DEBUG):  # nobody else asked for the debug records
            logger.setLevel(logging.DEBUG)
            logger.propagate = False
        logger.addHandler(self)

    def detach(self) -> None:
        self._logger.removeHandler(self)
        if self._saved is not None:
            self._logger.setLevel(self._saved[0])
            self._logger.propagate = self._saved[1]
            self._saved = None


class EmulatedSubscription:
    """A fresh, empty subscription of a running emulator, and how to reach it."""

    def __init__(self, emulator: Emulator) -> None:
        if emulator.info is None:
            raise RuntimeError("Start the emulator first.")
        self.emulator = emulator
        self.info: EmulatorInfo = emulator.info
        self._credentials: list[Any] = []
        self._log = RequestLog()

    @classmethod
    def fresh(cls, emulator: Emulator, **settings: Any) -> EmulatedSubscription:
        """Reset `emulator` to a new instance's state with these settings (see config_for_test):
        an empty cloud, a new subscription, no faults, a new clock, and only the service
        principal it started with, with its first secret."""
        if emulator.info is not None:  # a test may have changed the config's copy of the identity
            for name in ("tenant_id", "client_id", "client_secret"):
                setattr(emulator.config, name, getattr(emulator.info, name))
        emulator.reset(config_for_test(emulator, **settings))
        if emulator.identity is not None and emulator.info is not None:
            emulator.identity.reset(emulator.info.client_id, emulator.info.client_secret)
        return cls(emulator)

    @property
    def requests(self) -> list[LoggedRequest]:
        """The requests the emulator answered since `start_request_log()` (the plugin starts it
        before the test), oldest first."""
        return list(self._log.entries)

    def start_request_log(self) -> None:
        self._log.attach()

    def stop_request_log(self) -> None:
        self._log.detach()

    def unfired_faults(self) -> list[Fault]:
        """The faults injected that have not fired once."""
        return [fault for fault in self.faults.active() if fault.fired == 0]

    @property
    def subscription_id(self) -> str:
        return self.info.subscription_id

    @property
    def config(self) -> EmulatorConfig:
        """The settings in force; a change applies from the next request on."""
        return self.emulator.config

    @property
    def faults(self) -> FaultInjector:
        """Fault injection: `faults.inject("status", status=429, times=2)` and so on."""
        return self.emulator.faults

    @property
    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments that aim any azure-mgmt-* client, sync or async, at the emulator."""
        return {
            "base_url": self.info.arm_endpoint,
            "credential_scopes": [ARM_SCOPE],
            "connection_verify": self.info.ca_bundle,
            "polling_interval": POLL_SECONDS,
        }

    @property
    def env(self) -> dict[str, str]:
        """The environment variables of code that configures itself from the environment, and
        names the emulator's endpoints (the notebook's, but for its choice of target)."""
        return {k: v for k, v in notebook_variables(self.info).items() if k.startswith(_ENV)}

    @property
    def routed_env(self) -> dict[str, str]:
        """What unchanged code reads while Azure's endpoints are routed here: the service
        principal (for EnvironmentCredential, first in DefaultAzureCredential) and the
        subscription; no endpoint, as the code's are Azure's own."""
        names = ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET")
        return {k: v for k, v in self.env.items() if k in (*names, "AZURE_SUBSCRIPTION_ID")}

    def _credential_kwargs(self) -> dict[str, Any]:
        return {
            "tenant_id": self.info.tenant_id,
            "client_id": self.info.client_id,
            "client_secret": self.info.client_secret,
            "authority": self.info.authority_host,
            # A private authority: there is no Entra ID instance metadata to discover.
            "disable_instance_discovery": True,
            "connection_verify": self.info.ca_bundle,
        }

    @cached_property
    def credential(self) -> ClientSecretCredential:
        """A sync azure-identity credential for this subscription's service principal."""
        from azure.identity import ClientSecretCredential

        credential = ClientSecretCredential(**self._credential_kwargs())
        self._credentials.append(credential)
        return credential

    @cached_property
    def async_credential(self) -> AsyncClientSecretCredential:
        """The same, from azure.identity.aio, for the SDK's aio clients (needs aiohttp)."""
        from azure.identity.aio import ClientSecretCredential

        credential = ClientSecretCredential(**self._credential_kwargs())
        self._credentials.append(credential)
        return credential

    def close(self) -> None:
        """Close the credentials handed out; an async one too, when its test ran its loop to the
        end (asyncio.run) and left it open. One whose loop is still open is the test's to close
        (`async with credential:`): it cannot be closed from another loop."""
        for credential in self._credentials:
            result = credential.close()
            if hasattr(result, "__await__"):
                _close_on_a_loop_of_our_own(result)
        self._credentials.clear()


def _close_on_a_loop_of_our_own(closing: Any) -> None:
    import asyncio

    async def run() -> None:
        await closing

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:  # called from a coroutine: blocking its loop would deadlock
        closing.close()
        return
    # RuntimeError, ValueError: its connections belong to a loop that is still open.
    with contextlib.suppress(RuntimeError, ValueError):
        asyncio.run(run())


# -- the emulator in a process of its own -------------------------------------------------------
Output = Path | int | None  # a file to write, or subprocess.PIPE / DEVNULL / None (inherited)


class ServerProcess:
    """`python -m aci_emulator serve --port 0 --no-image-lookup --info-file F` in its own process,
    as a user starts it (for the Azure CLI, a workshop, a benchmark), until `stop()`.

    `command` replaces the module run (e.g. `[sys.executable, "-m", "bench.serve_with",
    "werkzeug", "serve", "--port", "0"]`), `args` are added to it; the info file's JSON is
    `info` once written in full. No registry lookups by default: tests must not need the network.
    """

    def __init__(
        self,
        workdir: Path,
        *args: str,
        command: Sequence[str] | None = None,
        env: Mapping[str, str] | None = None,
        stdout: Output = subprocess.DEVNULL,
        stderr: Output = subprocess.DEVNULL,
        name: str = "emulator",
    ) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.info_file = workdir / f"{name}-info.json"
        serve = [sys.executable, "-m", "aci_emulator", "serve", "--port", "0", "--no-image-lookup"]
        self.command = [*(command or serve), *args, "--info-file", str(self.info_file)]
        self.process_env = dict(env) if env is not None else None
        self.stdout, self.stderr = stdout, stderr
        self.process: subprocess.Popen[str] | None = None
        self.info: dict[str, str] = {}

    def start(self, timeout: float = 60.0) -> dict[str, str]:
        """Start it and wait for its info file (a guard against hangs, not a measurement)."""
        self.info_file.unlink(missing_ok=True)  # one left by an earlier run is not this one's
        with contextlib.ExitStack() as files:
            outputs = [
                files.enter_context(open(o, "w")) if isinstance(o, Path) else o
                for o in (self.stdout, self.stderr)
            ]
            self.process = subprocess.Popen(
                self.command,
                stdout=outputs[0],
                stderr=outputs[1],
                env=self.process_env,
                text=True,
                start_new_session=True,  # a Ctrl-C at the terminal is for the test run
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            exited = self.process.poll() is not None  # before reading: it may write, then exit
            with contextlib.suppress(FileNotFoundError, ValueError):  # absent, or half written
                self.info = json.loads(self.info_file.read_text())
                return self.info
            if exited:
                raise RuntimeError(
                    f"{' '.join(self.command[1:4])} exited with {self.process.returncode} "
                    f"before writing {self.info_file.name}:\n{self.log_tail()}"
                )
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"{' '.join(self.command[1:4])} wrote no info file in {timeout} s")

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 15.0) -> int | None:
        """Signal it and wait; kill it if it does not stop. Its exit code."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for pipe in (process.stdout, process.stderr):  # subprocess.PIPE: not read by now
            if pipe is not None:
                pipe.close()
        return process.returncode

    def log_tail(self, lines: int = 40) -> str:
        """The end of its stderr, when that goes to a file."""
        if not isinstance(self.stderr, Path) or not self.stderr.exists():
            return ""
        return "\n".join(self.stderr.read_text(errors="replace").splitlines()[-lines:])

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def raw_token(info: EmulatorInfo | Mapping[str, str], timeout: float = 30.0) -> str:
    """A bearer token for ARM from the emulator's token endpoint, for requests the SDK would not
    send (malformed, hostile, or raw HTTP); `info` as `Emulator.info` or an info file's JSON."""
    values = info.as_dict() if isinstance(info, EmulatorInfo) else dict(info)
    form = {
        "grant_type": "client_credentials",
        "client_id": values["client_id"],
        "client_secret": values["client_secret"],
        "scope": ARM_SCOPE,
    }
    request = urllib.request.Request(
        f"{values['authority_host']}/{values['tenant_id']}/oauth2/v2.0/token",
        data=urllib.parse.urlencode(form).encode(),
        method="POST",
    )
    context = ssl.create_default_context(cafile=values["ca_bundle"])
    with urllib.request.urlopen(request, timeout=timeout, context=context) as answer:
        return json.loads(answer.read())["access_token"]
