"""`python -m aci_emulator serve`: run the emulator as a server until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import signal
import sys
import threading
from pathlib import Path

from aci_emulator.backend import registry
from aci_emulator.config import EmulatorConfig
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


def write_private(path: Path, text: str) -> None:
    """Readable by the owner only from the start: it holds the client secret."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)


def check_env_file(path: Path) -> str | None:
    """Why ``path`` must not be written (a file of the user's own), or None."""
    if path.is_dir():
        return f"--env-file {path} is a folder"
    if path.exists() and not path.read_text(errors="replace").startswith(ENV_FILE_HEADER):
        return (
            f"--env-file {path} exists and was not written by this command; it would be "
            "overwritten and then deleted. Name another file, or move yours away first."
        )
    return None


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
    serve.add_argument("--quota-cores", type=float, help="standard cores per region (default 10)")
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
    serve.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return parser.parse_args(argv)


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
    return config


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(name)s %(message)s")
    config = build_config(args)
    refusal = check_env_file(args.env_file) if args.env_file else None
    if refusal:
        print(f"error: {refusal}", file=sys.stderr)
        return 2
    if config.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: serving on {config.host}, reachable beyond this machine", file=sys.stderr)
    raise_descriptor_limit()  # room for many idle clients before any is turned away
    emulator = Emulator(config)
    info = emulator.start()
    written = [path for path in (args.info_file, args.env_file) if path]
    try:
        if args.info_file:
            write_private(args.info_file, json.dumps(info.as_dict(), indent=2) + "\n")
        if args.env_file:
            write_private(args.env_file, env_file_text(info))
        print(json.dumps(info.as_dict(), indent=2))
        where = f" (also in {args.env_file})" if args.env_file else " (--env-file PATH writes them)"
        print(f"\n# For the notebook, in the shell that starts it{where}:")
        print("\n".join(export_lines(info)))
        print("\n# Point the Azure CLI at this emulator:")
        print("\n".join(cli_lines(info)))
        print(f"\n# Images: {registry.describe(emulator.cloud.registry)}")
        log = "requests are logged to stderr" if args.verbose else "--verbose logs every request"
        print(f"\n# Serving ({log}); Ctrl-C or SIGTERM stops it.", flush=True)

        stopping = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stopping.set())
        stopping.wait()
    finally:
        emulator.stop()
        # Their CA and secret die with the server: files left behind would point at nothing.
        for path in written:
            path.unlink(missing_ok=True)
    print("emulator stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
