"""Resource group requests: the rules of Microsoft.Resources on a group's name and location,
called as web/parse_arm.py reads the request."""

from __future__ import annotations

import re

from aci_emulator.backend.locations import resource_group_region
from aci_emulator.errors import bad_request

RESOURCE_GROUP_NAME = re.compile(r"^[-\w._()]{1,90}$")


def resource_group_location(sent: object) -> str:
    """A resource group's location: required, and a region ARM knows."""
    if not sent:
        raise bad_request(
            "LocationRequired", "The location property is required for this definition."
        )
    return resource_group_region(str(sent))


def check_resource_group_name(name: str) -> None:
    if RESOURCE_GROUP_NAME.fullmatch(name) and not name.endswith("."):
        return
    if len(name) > 90:
        raise bad_request(
            "InvalidResourceGroup",
            f"The provided resource group name '{name}' is too long. The name can be at most 90 "
            "characters long.",
        )
    bad = "".join(sorted({c for c in name if not (c.isalnum() or c in "-._()")})) or name[-1:]
    raise bad_request(
        "InvalidResourceGroup",
        f"The provided resource group name '{name}' has these invalid characters: '{bad}'. "
        "The name can only be a letter, digit, '-', '.', '(', ')' or '_'.",
    )
