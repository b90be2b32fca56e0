"""What every ARM request body must satisfy, whatever the service: the spec's types, required
properties, enum values, and Azure's limits on tags.

The SDKs validate nothing client-side, so every rule here is what a user meets first. A body's
types are checked first, all of them in one pass (schema.py): the rules may rely on them.
Messages follow Azure's wording where a real payload is known (see emulator/README.md).
"""

from __future__ import annotations

from typing import Any

from aci_emulator.backend import schema
from aci_emulator.errors import bad_request, invalid_content

MAX_TAGS = 50  # per resource or resource group (sources in emulator/README.md, "Limits")
MAX_TAG_NAME = 512
MAX_TAG_VALUE = 256


def required(obj: dict[str, Any], key: str, path: str) -> Any:
    value = obj.get(key)
    if value is None or value == "" or value == []:
        raise invalid_content(f"Required property '{key}' not found in JSON. Path '{path}'")
    return value


def enum(obj: dict[str, Any], key: str, path: str, allowed: tuple[str, ...], default: str) -> str:
    value = obj.get(key)
    if value is None:
        return default
    for choice in allowed:
        if isinstance(value, str) and value.lower() == choice.lower():
            return choice
    raise invalid_content(
        f"Error converting value \"{value}\" to type '{key}'. Allowed values: "
        f"{', '.join(allowed)}. Path '{path}.{key}'"
    )


def number(obj: dict[str, Any], key: str, path: str) -> float:
    value = required(obj, key, path)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid_content(f"Could not convert '{value}' to a number. Path '{path}.{key}'")
    return float(value)


def check_types(body: Any, shape: schema.Type) -> None:
    """The whole body against the API's types, before any rule looks at a value."""
    try:
        schema.check(body, shape)
    except schema.TypeMismatch as err:
        raise invalid_content(str(err)) from err


def check_body(body: Any, shape: schema.Type = schema.RESOURCE_UPDATE) -> dict[str, Any]:
    """A PUT or PATCH body of a resource (group), its members spelled as the spec spells them:
    its types, then Azure's limits on tags. Returns the body as folded: read it, not the one sent."""
    body = schema.fold_names(body, shape)
    check_types(body, shape)
    check_tags(body.get("tags") or {})
    return body


def tags_of(body: dict[str, Any]) -> dict[str, str] | None:
    """Tags as sent, `{}` included; None when the body has none (Azure then returns none)."""
    tags = body.get("tags")
    return dict(tags) if tags is not None else None


def parse_tags_update(body: Any) -> dict[str, str] | None:
    """A PATCH of a resource's tags: the new tags, or None to keep them."""
    return tags_of(check_body(body))


def check_tags(tags: dict[str, str]) -> None:
    if len(tags) > MAX_TAGS:
        raise bad_request(
            "InvalidTags",
            f"Too many tags specified. Requested tag count - '{len(tags)}'. Maximum number of "
            f"tags allowed - '{MAX_TAGS}'.",
        )
    for name, value in tags.items():
        if not name.strip():
            raise bad_request(
                "InvalidTagName",
                "The tag name must be non-null, non-empty and non-whitespace only. Please "
                "provide an actual value.",
            )
        if len(name) > MAX_TAG_NAME:
            raise bad_request(
                "InvalidTagNameLength",
                f"Tag name too large. Following tag name '{name[:40]}...' exceeded the maximum "
                f"length. Maximum allowed length for tag name - '{MAX_TAG_NAME}' characters.",
            )
        if len(value) > MAX_TAG_VALUE:
            raise bad_request(
                "InvalidTagValueLength",
                f"Tag value too large. Following tag value '{value[:40]}...' exceeded the "
                f"maximum length. Maximum allowed length for tag value - '{MAX_TAG_VALUE}' "
                "characters.",
            )


def format_number(value: float) -> str:
    """1.0 as '1', 1.5 as '1.5': numbers as the service writes them in messages."""
    return str(int(value)) if float(value).is_integer() else str(value)
