"""Entra ID, minimal and real: service principals, signed access tokens, and their verification.

No HTTP here: the web layer turns these results and errors into the wire shapes.
"""

from __future__ import annotations

import hmac
import json
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from aci_emulator.errors import ArmError, wrong_tenant

_KEYGEN = ThreadPoolExecutor(max_workers=1, thread_name_prefix="emulator-keygen")
_prepared: Future[rsa.RSAPrivateKey] | None = None
_prepared_lock = threading.Lock()


def _new_signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def prepare_signing_key() -> None:
    """Start making the next emulator's signing key now (0.05–0.3 s of CPU), so that it
    overlaps with importing the server rather than delaying the first token."""
    global _prepared
    with _prepared_lock:
        if _prepared is None:
            _prepared = _KEYGEN.submit(_new_signing_key)


def _take_signing_key() -> Future[rsa.RSAPrivateKey]:
    """The prepared key, used once, or a new one started now: each instance has its own."""
    global _prepared
    with _prepared_lock:
        prepared, _prepared = _prepared, None
    return prepared or _KEYGEN.submit(_new_signing_key)


# Audiences ARM accepts; the emulator also accepts its own endpoint (see Identity.audiences).
PUBLIC_AUDIENCES = (
    "https://management.azure.com",
    "https://management.core.windows.net",
)


@dataclass
class Principal:
    client_id: str
    secret: str
    object_id: str
    role: str = "Contributor"  # "Contributor" may write; "Reader" may only read


class TokenRequestError(Exception):
    """An OAuth error as Entra ID answers it: {"error", "error_description", "error_codes"}."""

    def __init__(self, status: int, error: str, aadsts: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.aadsts = aadsts
        self.description = f"AADSTS{aadsts}: {description}"


@dataclass
class VerifiedToken:
    tenant_id: str
    object_id: str
    app_id: str
    principal: Principal | None


@dataclass
class Identity:
    tenant_id: str
    issuer_base: str  # the emulator's authority host, e.g. https://127.0.0.1:8443
    token_lifetime_seconds: int = 3599
    principals: dict[str, Principal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A fresh key per instance: tokens from another emulator instance fail verification.
        # Made in the background: its 0.05–0.3 s of CPU then overlaps with the server's start
        # and the client's first requests instead of delaying Emulator.start().
        self._key_future = _take_signing_key()
        self.key_id = uuid.uuid4().hex
        # Claims of tokens whose signature and audience were verified: a client sends the same
        # token with every request, and RS256 verification was a third of a request's work.
        self._verified: dict[str, dict] = {}

    @property
    def _key(self) -> rsa.RSAPrivateKey:
        return self._key_future.result()

    @property
    def issuer(self) -> str:
        return f"https://sts.windows.net/{self.tenant_id}/"

    def audiences(self) -> list[str]:
        bases = [*PUBLIC_AUDIENCES, self.issuer_base.rstrip("/")]
        return [a for base in bases for a in (base, base + "/")]

    def add_principal(self, client_id: str, secret: str, role: str = "Contributor") -> Principal:
        principal = Principal(
            client_id, secret, str(uuid.uuid5(uuid.NAMESPACE_OID, client_id)), role
        )
        self.principals[client_id] = principal
        return principal

    def reset(self, client_id: str, secret: str) -> None:
        """Back to the one service principal of a new instance: principals added since, and a
        secret rotated since, are gone; so are the verified tokens remembered for them."""
        self.principals = {}
        self.add_principal(client_id, secret)
        self._verified = {}

    # -- issuing --------------------------------------------------------------------------------
    def issue_token(
        self, tenant: str, client_id: str, secret: str, scope: str
    ) -> dict[str, object]:
        """Client-credentials grant: the token response, or a TokenRequestError."""
        if tenant.lower() not in (self.tenant_id.lower(), "organizations", "common"):
            raise TokenRequestError(
                400,
                "invalid_request",
                90002,
                f"Tenant '{tenant}' not found. Check to make sure "
                "you have the correct tenant ID and are signing into the correct cloud.",
            )
        principal = self.principals.get(client_id)
        if principal is None:
            raise TokenRequestError(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory "
                f"'{self.tenant_id}'. This can happen if the application has not been installed "
                "by the administrator of the tenant or consented to by any user in the tenant.",
            )
        if not hmac.compare_digest(principal.secret.encode(), secret.encode()):
            raise TokenRequestError(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is "
                f"the client secret value, not the client secret ID, for a secret added to app "
                f"'{client_id}'.",
            )
        audience = self._audience_for(scope)
        now = int(time.time())
        claims = {
            "aud": audience,
            "iss": self.issuer,
            "iat": now,
            "nbf": now,
            "exp": now + self.token_lifetime_seconds,
            "tid": self.tenant_id,
            "oid": principal.object_id,
            "sub": principal.object_id,
            "appid": principal.client_id,
            "idtyp": "app",
            "ver": "1.0",
        }
        token = jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.key_id})
        return {
            "token_type": "Bearer",
            "expires_in": self.token_lifetime_seconds,
            "ext_expires_in": self.token_lifetime_seconds,
            "access_token": token,
        }

    def _audience_for(self, scope: str) -> str:
        resource = next((s for s in scope.split() if s.endswith("/.default")), "")
        resource = resource[: -len("/.default")] if resource else ""
        if resource.rstrip("/") not in [a.rstrip("/") for a in self.audiences()]:
            raise TokenRequestError(
                400,
                "invalid_resource",
                500011,
                f"The resource principal named {resource or scope} was not found in the tenant "
                f"named {self.tenant_id}. This can happen if the application has not been "
                "installed by the administrator of the tenant or consented to by any user in "
                "the tenant. You might have sent your authentication request to the wrong tenant.",
            )
        return resource

    # -- verifying ------------------------------------------------------------------------------
    def verify(self, authorization: str | None) -> VerifiedToken:
        """Check an ARM request's Authorization header; raise ArmError as ARM would."""
        if not authorization:
            raise ArmError(
                401,
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is missing.",
            )
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ArmError(
                401,
                "AuthenticationFailedInvalidHeader",
                "Authentication failed. The 'Authorization' header is provided in an invalid format.",
            )
        token = token.strip()
        claims = self._verified.get(token)
        if claims is None:
            claims = self._decode(token)
            if len(self._verified) >= 1024:
                self._verified.clear()
            self._verified[token] = claims
        now = time.time()
        if claims["exp"] <= now:
            raise ArmError(
                401,
                "ExpiredAuthenticationToken",
                f"The access token expiry UTC time '{_utc(claims['exp'])}' is earlier than "
                f"current UTC time '{_utc(now)}'.",
            )
        return VerifiedToken(
            tenant_id=claims["tid"],
            object_id=claims["oid"],
            app_id=claims.get("appid", ""),
            principal=self.principals.get(claims.get("appid", "")),
        )

    def _decode(self, token: str) -> dict:
        """The claims of a token signed by this authority for ARM (expiry is checked apart)."""
        try:
            claims = jwt.decode(
                token,
                self._key.public_key(),
                algorithms=["RS256"],
                audience=self.audiences(),
                issuer=self.issuer,
                options={"verify_exp": False, "require": ["exp", "tid", "oid", "aud", "iss"]},
            )
        except jwt.InvalidAudienceError as err:
            raise ArmError(
                401,
                "InvalidAuthenticationToken",
                "The access token is invalid: its audience is not Azure Resource Manager.",
            ) from err
        except jwt.InvalidIssuerError as err:  # signed by this authority, for another issuer
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
            raise wrong_tenant(issuer, self.issuer, self.tenant_id) from err
        except (jwt.PyJWTError, TypeError) as err:  # TypeError: an 'iss' that is no string
            raise ArmError(
                401,
                "InvalidAuthenticationToken",
                "The access token is invalid: it could not be validated (malformed, or not signed "
                "by this authority).",
            ) from err
        # Signed by this authority yet malformed (only someone holding its key can make one):
        # each claim used later must have its type, or a request would fail with a 500.
        numbers = all(_is_number(claims.get(n, 0)) for n in ("exp", "nbf", "iat"))
        strings = all(isinstance(claims.get(n, ""), str) for n in ("tid", "oid", "appid"))
        if not (numbers and strings):
            raise ArmError(
                401,
                "InvalidAuthenticationToken",
                "The access token is invalid: its 'exp', 'nbf' and 'iat' claims must be numbers, "
                "its 'tid', 'oid' and 'appid' claims strings.",
            )
        return claims

    def openid_configuration(self, tenant: str) -> dict[str, object]:
        base = f"{self.issuer_base.rstrip('/')}/{tenant}"
        return {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "issuer": f"{self.issuer_base.rstrip('/')}/{self.tenant_id}/v2.0",
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "tenant_region_scope": "NA",
            "cloud_instance_name": "local.emulator",
        }

    def signing_keys(self) -> dict[str, object]:
        """The JWKS document: the public key that verifies this instance's tokens."""
        key = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        key.update({"kid": self.key_id, "use": "sig", "alg": "RS256"})
        return {"keys": [key]}


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def _utc(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%m/%d/%Y %H:%M:%S")
