"""Rules every ARM resource meets, whatever the service: Azure's limits on tags.

A body is read (types, required properties, enum values) by the web layer (web/parse_arm.py)
before these run. Messages follow Azure's wording (see emulator/README.md).
"""

from __future__ import annotations

import unicodedata

from aci_emulator.errors import bad_request

MAX_TAGS = 50  # per resource or resource group (sources in emulator/README.md, "Limits")
MAX_TAG_NAME = 512
MAX_TAG_VALUE = 256
# What a tag name may not hold, in the order Azure's message lists them; ':', '*', '+', '=' and
# spaces are accepted (the portal alone refuses some). Names that start with one of the exempt
# prefixes may hold them (Application Insights' 'hidden-link:/subscriptions/...' tags).
RESERVED_TAG_NAME_CHARACTERS = "<>%&\\?/"
EXEMPT_TAG_NAME_PREFIXES = ("hidden", "link")


def check_tags(tags: dict[str, str]) -> None:
    """Tags' count, names and the lengths of names and values (sources in emulator/README.md)."""
    if len(tags) > MAX_TAGS:
        raise bad_request(
            "InvalidTags",
            f"Too many tags specified. Requested tag count - '{len(tags)}'. Maximum number of "
            f"tags allowed - '{MAX_TAGS}'.",
        )
    if any(not name.strip() for name in tags):
        raise bad_request(
            "InvalidTagName",
            "The tag name must be non-null, non-empty and non-whitespace only. Please "
            "provide an actual value.",
        )
    reserved = [name for name in tags if has_reserved_characters(name)]
    if reserved:
        raise bad_request(
            "InvalidTagNameCharacters",
            f"The tag names '{', '.join(reserved)}' have reserved characters "
            f"'{','.join(RESERVED_TAG_NAME_CHARACTERS)}' or control characters. These characters "
            f"are only allowed for tags that start with the prefix "
            f"'{', '.join(EXEMPT_TAG_NAME_PREFIXES)}'.",
        )
    for name, value in tags.items():
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


def has_reserved_characters(name: str) -> bool:
    """A tag name holding a character Azure reserves, or a control character, without the
    prefix that allows them (prefix compared in any case: our reading)."""
    if name.lower().startswith(EXEMPT_TAG_NAME_PREFIXES):
        return False
    return any(
        char in RESERVED_TAG_NAME_CHARACTERS or unicodedata.category(char) == "Cc" for char in name
    )


def format_number(value: float) -> str:
    """1.0 as '1', 1.5 as '1.5': numbers as the service writes them in messages."""
    return str(int(value)) if float(value).is_integer() else str(value)
