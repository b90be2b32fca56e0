"""Entra ID endpoints: OpenID discovery and the client-credentials token endpoint."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime, timezone
from urllib.parse import unquote

from werkzeug import Response

from aci_emulator.identity import TokenRequestError
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
    body = ctx.identity.openid_configuration(tenant)
    # Advertise this server's address as the client reached it (127.0.0.1 or localhost).
    own = ctx.identity.issuer_base.rstrip("/")
    body = {k: v.replace(own, ctx.base_url) if isinstance(v, str) else v for k, v in body.items()}
    return json_response(body)


def token(ctx, tenant: str) -> Response:
    form = ctx.request.form
    client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    basic = ctx.request.headers.get("Authorization", "")
    if basic.lower().startswith("basic "):
        decoded = base64.b64decode(basic[6:]).decode()
        client_id, _, secret = (unquote(part) for part in decoded.partition(":"))
    try:
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
