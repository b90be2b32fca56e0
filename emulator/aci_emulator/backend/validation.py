"""Rules every ARM resource meets, whatever the service: Azure's limits on tags.

A body is read (types, required properties, enum values) by the web layer (web/parse_arm.py)
before these run. Messages follow Azure's wording (see emulator/README.md).
"""

from __future__ import annotations

from aci_emulator.errors import bad_request

MAX_TAGS = 50  # per resource or resource group (sources in emulator/README.md, "Limits")
MAX_TAG_NAME = 512
MAX_TAG_VALUE = 256


def check_tags(tags: dict[str, str]) -> None:
    """Tags' count, names and the lengths of names and values (sources in emulator/README.md)."""
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
