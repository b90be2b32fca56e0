"""Resource group requests: the name and body rules of Microsoft.Resources."""

from __future__ import annotations

import re
from typing import Any

from aci_emulator.backend import schema
from aci_emulator.backend.locations import (
    normalize_resource_group_location,
    resource_group_region_list,
)
from aci_emulator.backend.resources.models import ResourceGroupRequest, ResourceGroupUpdate
from aci_emulator.backend.validation import check_body, tags_of
from aci_emulator.errors import bad_request, location_not_available

RESOURCE_GROUP_NAME = re.compile(r"^[-\w._()]{1,90}$")
RG_TYPE = "Microsoft.Resources/resourceGroups"


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


def parse_resource_group(name: str, body: Any) -> ResourceGroupRequest:
    check_resource_group_name(name)
    body = check_body(body, schema.RESOURCE_GROUP)
    raw_location = body.get("location")
    if not raw_location:
        raise bad_request(
            "LocationRequired", "The location property is required for this definition."
        )
    location = normalize_resource_group_location(str(raw_location))
    if location is None:
        raise location_not_available(str(raw_location), RG_TYPE, resource_group_region_list())
    return ResourceGroupRequest(
        location,
        tags_of(body),
        body.get("managedBy"),
        sets_managed_by="managedBy" in body,
        location_as_sent=str(raw_location),
    )


def parse_resource_group_update(body: Any) -> ResourceGroupUpdate:
    body = check_body(body, schema.RESOURCE_GROUP)
    return ResourceGroupUpdate(
        tags_of(body), body.get("managedBy"), sets_managed_by="managedBy" in body
    )
