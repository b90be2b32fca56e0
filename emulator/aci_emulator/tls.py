"""A local certificate authority and a server certificate for 127.0.0.1 / localhost."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme


@dataclass
class ServerTls:
    ca_bundle: Path
    context: ssl.SSLContext


def make_server_tls(directory: Path, hosts: tuple[str, ...]) -> ServerTls:
    """Create a fresh CA, write its certificate to `directory/ca.pem`, and an SSL context."""
    ca = trustme.CA(organization_name="ACI tutorial local emulator")
    server_cert = ca.issue_cert(*hosts)
    ca_bundle = directory / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_bundle))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_cert.configure_cert(context)
    return ServerTls(ca_bundle=ca_bundle, context=context)
