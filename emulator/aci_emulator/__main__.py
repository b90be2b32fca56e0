"""`python -m aci_emulator serve`: run the emulator as a server until Ctrl-C, SIGTERM or SIGHUP."""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import logging
import os
import shlex
import signal
import stat
import sys
import tempfile
import threading
from dataclasses import replace
from pathlib import Path

from aci_emulator.backend import registry
from aci_emulator.config import EmulatorConfig, Limits
from aci_emulator.owned_files import FileRefused, OwnedFile
from aci_emulator.server import Emulator, EmulatorInfo
from aci_emulator.web.serving import raise_descriptor_limit


def cli_lines(info: EmulatorInfo, config_dir: str = "$HOME/.azure-emulator") -> list[str]:
    """Shell lines that point the Azure CLI at this emulator."""
    return [
        f"export AZURE_CONFIG_DIR={config_dir}",
        f"export REQUESTS_CA_BUNDLE={info.ca_bundle}",
        "az cloud register -n AzureLocalEmulator "
        f"--endpoint-resource-manager {info.arm_endpoint}/ "
        f"--endpoint-active-directory {info.authority_host} "
        "--endpoint-active-directory-resource-id https://management.core.windows.net/",
        "az cloud set -n AzureLocalEmulator",
        "az config set core.instance_discovery=false",
        f"az login --service-principal -u {info.client_id} -p {info.client_secret} "
        f"--tenant {info.tenant_id}",
    ]


ENV_FILE_HEADER = "# Written by `python -m aci_emulator serve`; removed when it stops."


def notebook_variables(info: EmulatorInfo) -> dict[str, str]:
    """The settings that send the tutorial notebook (or any DefaultAzureCredential) here."""
    return {
        "ACI_TUTORIAL_TARGET": "azure",
        "AZURE_SUBSCRIPTION_ID": info.subscription_id,
        "AZURE_TENANT_ID": info.tenant_id,
        "AZURE_CLIENT_ID": info.client_id,
        "AZURE_CLIENT_SECRET": info.client_secret,
        "AZURE_RESOURCE_MANAGER_ENDPOINT": info.arm_endpoint,
        "AZURE_AUTHORITY_HOST": info.authority_host,
        "REQUESTS_CA_BUNDLE": info.ca_bundle,
    }


def export_lines(info: EmulatorInfo) -> list[str]:
    """The notebook's variables as shell `export` lines."""
    return [f"export {k}={shlex.quote(v)}" for k, v in notebook_variables(info).items()]


def env_file_text(info: EmulatorInfo) -> str:
    """The notebook's variables in .env format (python-dotenv), with a header that marks it ours."""
    lines = [f'{k}="{v}"' for k, v in notebook_variables(info).items()]
    return "\n".join([ENV_FILE_HEADER, *lines]) + "\n"


def is_stale_env_file(text: str) -> bool:
    """A .env that a `serve` no longer running left behind (its header marks it)."""
    return text.startswith(ENV_FILE_HEADER)


def is_stale_info_file(text: str) -> bool:
    """An info file that a `serve` no longer running left behind: exactly its keys."""
    try:
        values = json.loads(text)
    except ValueError:
        return False
    return isinstance(values, dict) and set(values) == set(EmulatorInfo.__dataclass_fields__)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m aci_emulator", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve a local Azure subscription over HTTPS")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8443, help="port (0 picks a free one)")
    serve.add_argument(
        "--info-file",
        type=Path,
        help="write the connection details here as JSON (removed when the server stops)",
    )
    serve.add_argument(
        "--env-file",
        type=Path,
        help="write the notebook's variables here in .env format, e.g. .env at the project's "
        "root (removed when the server stops; an existing file of yours is never overwritten)",
    )
    serve.add_argument(
        "--realistic",
        action="store_true",
        help="behave like live ACI: seconds of provisioning, no Retry-After, real timestamps",
    )
    serve.add_argument("--provisioning-seconds", type=float, help="time from create to running")
    serve.add_argument("--quota-cores", type=float, help="standard cores per region (default 100)")
    serve.add_argument(
        "--retry-after",
        type=int,
        help="Retry-After seconds on long-running responses (default 1; 0 sends none)",
    )
    serve.add_argument(
        "--no-image-lookup",
        action="store_true",
        help="do not ask registries whether images exist; decide by the image name alone",
    )
    serve.add_argument(
        "--workshop",
        action="store_true",
        help="for other users of this machine: write the CA certificate (never a key) into a "
        "folder all can read, and print where; the info and .env files stay yours alone",
    )
    serve.add_argument(
        "--max-connections",
        type=int,
        help="open connections at once; past it the longest idle is closed "
        "(default: from the file-descriptor limit)",
    )
    serve.add_argument(
        "--body-seconds",
        type=float,
        help="time a client has to send a request's body in full (default 30)",
    )
    serve.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    try:
        build_limits(args)
    except ValueError as err:
        serve.error(str(err))
    return args


def build_limits(args: argparse.Namespace) -> Limits:
    """The server's limits (aci_emulator.config.Limits) with those the flags set."""
    chosen: dict[str, float] = {}
    if args.max_connections is not None:
        chosen["max_connections"] = args.max_connections
    if args.body_seconds is not None:
        chosen["body_seconds"] = args.body_seconds
    return Limits(**chosen)  # type: ignore[arg-type]


def build_config(args: argparse.Namespace) -> EmulatorConfig:
    config = EmulatorConfig.realistic() if args.realistic else EmulatorConfig(deterministic=False)
    config.host, config.port = args.host, args.port
    if args.provisioning_seconds is not None:
        config.provisioning_seconds = args.provisioning_seconds
    if args.quota_cores is not None:
        config.quota_cores = args.quota_cores
    if args.retry_after is not None:
        config.retry_after = args.retry_after or None
    config.image_lookup = not args.no_image_lookup
    config.limits = build_limits(args)
    return config


STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")  # Ctrl-C, kill, the terminal closed


def stop_on_signals(stopping: threading.Event) -> None:
    for name in STOP_SIGNALS:
        signum = getattr(signal, name, None)  # Windows has no SIGHUP
        if signum is not None:
            signal.signal(signum, lambda *_: stopping.set())


def bind_error(config: EmulatorConfig, err: OSError) -> str:
    """One line for a port the server cannot have, naming it and the fix."""
    where = f"port {config.port} on {config.host}"
    if err.errno == errno.EADDRINUSE:
        return (
            f"{where} is already in use (another server, or a serve still running); "
            f"stop that one, or choose another port: --port {config.port + 1}, or --port 0 for "
            "any free one."
        )
    return f"cannot serve on {where}: {err.strerror or err}; try --port 0 or another --host."


class SharedCa:
    """The CA certificate in a folder every user of this machine can read (`--workshop`)."""

    def __init__(self, ca_bundle: str) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="aci-emulator-shared-"))
        self.folder.chmod(0o755)
        self.file = OwnedFile(self.folder / "ca.pem", "--workshop")
        self.file.write(Path(ca_bundle).read_text(), 0o644, lambda _: False)
        self.path = self.file.path

    def unreachable(self) -> list[Path]:
        """Folders above it that other users cannot pass through."""
        return [p for p in self.folder.parents if not os.stat(p).st_mode & stat.S_IXOTH]

    def remove(self) -> None:
        self.file.remove()
        with contextlib.suppress(OSError):  # never anything else that was put there
            self.folder.rmdir()


def print_serving(args: argparse.Namespace, info: EmulatorInfo, emulator: Emulator) -> None:
    print(json.dumps(info.as_dict(), indent=2))
    where = f" (also in {args.env_file})" if args.env_file else " (--env-file PATH writes them)"
    print(f"\n# For the notebook, in the shell that starts it{where}:")
    print("\n".join(export_lines(info)))
    print("\n# Point the Azure CLI at this emulator:")
    print("\n".join(cli_lines(info)))
    print(f"\n# Images: {registry.describe(emulator.cloud.registry)}")
    if args.workshop:
        print(
            f"\n# Workshop: other users of this machine trust this server with {info.ca_bundle} "
            "(readable by all; a certificate, no key). Give them the export lines above; the "
            "info and .env files stay readable by you alone."
        )
    else:
        print(
            "\n# Only you can read the CA certificate above: for other users of this machine "
            "(a workshop), start the server with --workshop."
        )
    log = "requests are logged to stderr" if args.verbose else "--verbose logs every request"
    print(f"\n# Serving ({log}); Ctrl-C, SIGTERM or SIGHUP stops it.", flush=True)


def log_to_stderr() -> None:
    """The emulator's own loggers at debug level on stderr, and nothing else's: libraries'
    debug loggers (hpack, urllib3, msal, ...) print request headers, tokens among them."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    emulator = logging.getLogger("aci_emulator")
    emulator.addHandler(handler)
    emulator.setLevel(logging.DEBUG)
    emulator.propagate = False


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    stopping = threading.Event()
    stop_on_signals(stopping)  # first: a signal during startup still ends in the cleanup
    if args.verbose:
        log_to_stderr()
    config = build_config(args)
    files = [
        (OwnedFile(path, option), stale)
        for path, option, stale in (
            (args.info_file, "--info-file", is_stale_info_file),
            (args.env_file, "--env-file", is_stale_env_file),
        )
        if path
    ]
    try:
        for owned, stale in files:
            owned.check(stale)
    except FileRefused as refused:
        print(f"error: {refused}", file=sys.stderr)
        return 2
    if config.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: serving on {config.host}, reachable beyond this machine", file=sys.stderr)
    raise_descriptor_limit()  # room for many idle clients before any is turned away
    emulator = Emulator(config)
    try:
        info = emulator.start()
    except OSError as err:
        print(f"error: {bind_error(config, err)}", file=sys.stderr)
        return 1
    shared: SharedCa | None = None
    status = 0
    try:
        if args.workshop:
            shared = SharedCa(info.ca_bundle)
            info = replace(info, ca_bundle=str(shared.path))
            for folder in shared.unreachable():
                print(f"warning: other users cannot pass through {folder}", file=sys.stderr)
        texts = {"--info-file": json.dumps(info.as_dict(), indent=2) + "\n"}
        texts["--env-file"] = env_file_text(info)
        for owned, stale in files:
            owned.write(texts[owned.option], 0o600, stale)  # they hold the client secret
        print_serving(args, info, emulator)
        stopping.wait()
    except FileRefused as refused:
        print(f"error: {refused}", file=sys.stderr)
        status = 2
    finally:
        emulator.stop()
        # Their CA and secret die with the server: files left behind would point at nothing.
        for owned, _ in files:
            owned.remove()
        if shared is not None:
            shared.remove()
    with contextlib.suppress(OSError):  # after SIGHUP the terminal may be gone
        print("emulator stopped", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
