"""The credential: DefaultAzureCredential live, a service principal for the emulator.

Both go through azure-identity and MSAL the same way; the emulator is reached like a private
cloud, with its own authority host and CA bundle.
"""

from __future__ import annotations

import logging
from typing import Any

from azure.core.credentials import TokenCredential
from azure.identity import ClientSecretCredential, DefaultAzureCredential

from .machinery.settings import PUBLIC_AUTHORITY_HOST, Settings


def _endpoint_kwargs(authority_host: str | None, custom: bool, ca_bundle: str | None) -> dict:
    kwargs: dict[str, Any] = {}
    if authority_host:
        kwargs["authority"] = authority_host
    if custom:
        # MSAL validates authorities against the public cloud's list; a private one is unknown.
        kwargs["disable_instance_discovery"] = True
    if ca_bundle:
        kwargs["connection_verify"] = ca_bundle
    return kwargs


# azure-identity logs each failed sign-in as a warning with the whole chain of attempts; with no
# logging configured, Python prints it to stderr, where it repeats the error the notebook shows
# with advice. A handler that drops it keeps it out of stderr; configured logging still gets it.
logging.getLogger("azure.identity").addHandler(logging.NullHandler())


def live_credential(settings: Settings) -> TokenCredential:
    """DefaultAzureCredential: a service principal from env/.env, managed identity, az login..."""
    # Always name the authority: an empty AZURE_AUTHORITY_HOST (as a copied .env.example has)
    # would otherwise make azure-identity use "https://".
    authority = settings.authority_host or PUBLIC_AUTHORITY_HOST
    kwargs = _endpoint_kwargs(authority, settings.custom_authority, settings.ca_bundle)
    return DefaultAzureCredential(**kwargs)


def service_principal_credential(
    tenant_id: str,
    client_id: str,
    client_secret: str,
    *,
    authority_host: str,
    ca_bundle: str | None = None,
) -> TokenCredential:
    """A client-secret credential for an authority that is not the public cloud's."""
    kwargs = _endpoint_kwargs(authority_host, True, ca_bundle)
    return ClientSecretCredential(tenant_id, client_id, client_secret, **kwargs)
