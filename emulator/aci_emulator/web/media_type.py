"""A request body's media type, as Resource Manager checks it: JSON, spelled application/json.

Azure answers a body sent without a Content-Type, or with another type, 415 `UnsupportedMediaType`
"The content media type '<null>' is not supported. Only 'application/json' is supported."
(Azure/azure-cli#10143, #13056, #28494, #32972; Chaos Studio's troubleshooting page), and does
so before it reads the body as JSON: a body that is not JSON gets this answer, not
`InvalidRequestContent` (#13056, #28494). A `+json` type is refused and named
(Azure/azure-powershell#6639, 'application/vnd.swagger.doc+json'); a type's parameters do not
matter (`application/json; charset=utf-8` is accepted in recorded traffic); a request without a
body needs no type (recorded DELETEs; the RPC contract: the header "is not sent in requests that
don't have any content"). The cases are in tests/fidelity/errors/arm.yaml (`media-type-*`).

Our reading, where the evidence is silent: the type is compared without regard to case (RFC 9110
section 8.3.1) and named without its parameters; a value that is not a media type, or a repeated
header, is named '<null>', as .NET's typed header reads a value it cannot parse; an empty body is
never refused, whatever its type; only PUT, PATCH and POST are checked (no route reads another
method's body); the token endpoint (Entra ID, form-encoded) and the emulator's own paths are not
Resource Manager's and keep their rules.
"""

from __future__ import annotations

import re

from aci_emulator.errors import ArmError, unsupported_media_type

JSON = "application/json"
BODY_METHODS = ("PUT", "PATCH", "POST")
# Resource Manager's paths, and its root: the one definition the door and the front door read.
# ARM's paths are ASCII and matched in any ASCII case only: Unicode case folding would read
# '/ſubscriptions' (U+017F, long s) as '/subscriptions' where str.lower() does not.
ARM_PREFIXES = ("/subscriptions", "/providers/", "/tenants")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110 section 5.6.2
_SHOWN = 200  # characters of a media type quoted in a message, at most


def media_type(values: list[str]) -> str | None:
    """The `type/subtype` one Content-Type header names, as sent; None when there is none, more
    than one, or a value that is not a media type."""
    if len(values) != 1:
        return None
    essence = values[0].split(";", 1)[0].strip(" \t")
    kind, slash, subtype = essence.partition("/")
    if not slash or not _TOKEN.fullmatch(kind) or not _TOKEN.fullmatch(subtype):
        return None
    return essence


def ascii_lower(text: str) -> str:
    """The text with A-Z lowered and nothing else changed: how ARM compares its paths."""
    return text.translate(_ASCII_LOWER)


def is_arm_path(path: str) -> bool:
    """Whether Resource Manager answers this path (the root, or a path under its prefixes)."""
    path = ascii_lower(re.sub(r"/{2,}", "/", path))
    return path == "/" or path.startswith(ARM_PREFIXES)


def check(method: str, path: str, content_types: list[str], body_length: int) -> ArmError | None:
    """Resource Manager's answer to a request body it will not read, or None to go on."""
    if body_length == 0 or method.upper() not in BODY_METHODS or not is_arm_path(path):
        return None
    kind = media_type(content_types)
    if kind is not None and kind.lower() == JSON:
        return None
    if kind is not None and len(kind) > _SHOWN:
        kind = kind[:_SHOWN] + "…"
    return unsupported_media_type(kind)
