"""Entra ID endpoints: OpenID discovery and the client-credentials token endpoint."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime, timezone
from urllib.parse import unquote

from werkzeug import Response

from aci_emulator.identity import TokenRequestError
from aci_emulator.web.forms import URLENCODED, FormError, parse_form
from aci_emulator.web.responses import json_response
from aci_emulator.web.routing import Router


def register(router: Router) -> None:
    router.add(
        "GET",
        "/{tenant}/v2.0/.well-known/openid-configuration",
        openid_configuration,
        authenticated=False,
    )
    router.add("POST", "/{tenant}/oauth2/v2.0/token", token, authenticated=False)
    router.add("GET", "/{tenant}/discovery/v2.0/keys", keys, authenticated=False)


def keys(ctx, tenant: str) -> Response:
    return json_response(ctx.identity.signing_keys())


def openid_configuration(ctx, tenant: str) -> Response:
    # Its URLs start with the server's own address, whatever Host the client sent.
    return json_response(ctx.identity.openid_configuration(tenant))


def _basic_credentials(encoded: str) -> tuple[str, str]:
    """client_secret_basic (RFC 6749 2.3.1): base64 of the URL-encoded id, ':', secret."""
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
        decoded = ""
    if ":" not in decoded:
        # Entra ID's answer to a malformed request, as users quote it (see emulator/README.md).
        raise TokenRequestError(
            400, "invalid_request", 9002313, "Invalid request. Request is malformed or invalid."
        )
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)


def _form(ctx) -> dict[str, str]:
    """The token request's form: urlencoded only, parsed in memory within the door's limits
    (which the door has checked already); any other body is no form at all."""
    if ctx.request.mimetype != URLENCODED:
        return {}
    return parse_form(ctx.request.get_data(), ctx.config.limits)


def token(ctx, tenant: str) -> Response:
    basic = ctx.request.headers.get("Authorization", "")
    try:
        try:
            form = _form(ctx)
        except FormError as err:  # the door refuses these first; the application alone too
            raise TokenRequestError(400, "invalid_request", 9002313, str(err)) from err
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        # The scheme, then its credentials (HTTP trims a header's trailing space, so an empty
        # `Basic ` arrives as `Basic`: malformed, like any other credentials without a ':').
        scheme, _, credentials = basic.strip().partition(" ")
        if scheme.lower() == "basic":
            client_id, secret = _basic_credentials(credentials)
        if not form.get("grant_type"):
            raise TokenRequestError(
                400,
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'grant_type'.",
            )
        if form.get("grant_type") != "client_credentials":
            raise TokenRequestError(
                400,
                "unsupported_grant_type",
                70003,
                "The app requested an unsupported grant type. The local emulator supports "
                "'client_credentials' (a service principal with a client secret).",
            )
        if not secret:
            raise TokenRequestError(
                401,
                "invalid_client",
                7000216,
                "'client_assertion', 'client_secret' or 'request' is required for the "
                "'client_credentials' grant type.",
            )
        body = ctx.identity.issue_token(tenant, client_id, secret, form.get("scope", ""))
        return json_response(body)
    except TokenRequestError as err:
        return json_response(
            {
                "error": err.error,
                "error_description": err.description,
                "error_codes": [err.aadsts],
                "timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ"),
                "trace_id": str(uuid.uuid4()),
                "correlation_id": str(uuid.uuid4()),
                "error_uri": f"{ctx.base_url}/error?code={err.aadsts}",
            },
            err.status,
        )
