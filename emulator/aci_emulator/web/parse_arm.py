"""Reading what every ARM request body holds, whatever the service: member names folded to the
spec's spelling, the spec's types, required properties and enum values, and a resource group's
PUT and PATCH read into the resource manager's models.

The SDKs validate nothing client-side, so every check here is what a user meets first. A body's
types are checked first, all of them in one pass (request_types.py): what follows may rely on
them. Messages follow Json.NET's wording, with paths spelled as the body was written.
"""

from __future__ import annotations

import re
from typing import Any

from aci_emulator.backend.resources.models import (
    ResourceGroupRequest,
    ResourceGroupUpdate,
    TagFilter,
)
from aci_emulator.backend.resources.validation import (
    check_resource_group_name,
    resource_group_location,
)
from aci_emulator.backend.validation import check_tags
from aci_emulator.errors import ArmError, invalid_content, invalid_filter
from aci_emulator.web import request_types

# The path at the end of a deserializer's message, and an index within a path.
_MESSAGE_PATH = re.compile(r"Path '((?:[^']|'')*)''\.$")
_INDEX = re.compile(r"\[\d+\]")


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


def check_types(body: Any, shape: request_types.Type) -> None:
    """The whole body against the API's types, before any rule looks at a value."""
    try:
        request_types.check(body, shape)
    except request_types.TypeMismatch as err:
        raise invalid_content(str(err)) from err


def check_body(
    body: Any, shape: request_types.Type = request_types.RESOURCE_UPDATE
) -> dict[str, Any]:
    """A PUT or PATCH body of a resource (group), its members spelled as the spec spells them:
    its types, then Azure's limits on tags. Returns the body as folded: read it, not the one sent."""
    folded = request_types.fold_names(body, shape)
    try:
        check_types(folded, shape)
    except ArmError as err:
        raise spelled_as_sent(err, body) from None
    check_tags(folded.get("tags") or {})
    return folded


def spelled_as_sent(err: ArmError, sent: Any) -> ArmError:
    """The error with the path its message ends with spelled as the body was written: checks
    read the folded body, but Json.NET's reader names members as they appear in the text."""
    found = _MESSAGE_PATH.search(err.message) if err.code == "InvalidRequestContent" else None
    if found is None:
        return err
    path = _path_as_sent(sent, found.group(1))
    message = err.message[: found.start(1)] + path + err.message[found.end(1) :]
    return ArmError(err.status, err.code, message, target=err.target, headers=err.headers)


def _path_as_sent(sent: Any, path: str) -> str:
    """A path of the folded body ('properties.ipAddress.ports[0]') in the body's own spelling."""
    written: list[str] = []
    node, rest = sent, path
    while rest:
        index = _INDEX.match(rest)
        if index is not None:
            position = int(index.group(0)[1:-1])
            if not isinstance(node, list) or position >= len(node):
                break
            written.append(index.group(0))
            node, rest = node[position], rest[index.end() :]
            continue
        dot = "." if written and rest.startswith(".") else ""
        name = rest[len(dot) :]
        if not isinstance(node, dict):
            break
        # Names are unique in any case (the reader refuses a second spelling); a map's key
        # may hold a dot, so the longest name that the path continues after is the one.
        keys = [
            key
            for key in node
            if name[: len(key)].lower() == key.lower() and name[len(key) : len(key) + 1] in ".["
        ]
        if not keys:
            break
        key = max(keys, key=len)
        written.append(dot + key)
        node, rest = node[key], name[len(key) :]
    return "".join(written) + rest


def tags_of(body: dict[str, Any]) -> dict[str, str] | None:
    """Tags as sent, `{}` included; None when the body has none (Azure then returns none)."""
    tags = body.get("tags")
    return dict(tags) if tags is not None else None


def tags_update(body: Any) -> dict[str, str] | None:
    """A PATCH of a resource's tags: the new tags, or None to keep them."""
    return tags_of(check_body(body))


def resource_group(name: str, body: Any) -> ResourceGroupRequest:
    """A resource group's PUT: its name, then its body."""
    check_resource_group_name(name)
    body = check_body(body, request_types.RESOURCE_GROUP)
    raw_location = body.get("location")
    location = resource_group_location(raw_location)
    return ResourceGroupRequest(
        location,
        tags_of(body),
        body.get("managedBy"),
        sets_managed_by="managedBy" in body,
        location_as_sent=str(raw_location),
    )


TAG_FILTER = re.compile(
    r"^\s*tagName\s+eq\s+'(?P<name>[^']*)'(\s+and\s+tagValue\s+eq\s+'(?P<value>[^']*)')?\s*$",
    re.IGNORECASE,
)


def tag_filter(expression: str | None) -> TagFilter | None:
    """A list's `$filter` query parameter, read: None when none was sent."""
    if not expression:
        return None
    found = TAG_FILTER.match(expression)
    if not found:
        raise invalid_filter(expression)
    return TagFilter(found.group("name"), found.group("value"))


def resource_group_update(body: Any) -> ResourceGroupUpdate:
    """A resource group's PATCH: its tags and manager."""
    body = check_body(body, request_types.RESOURCE_GROUP)
    return ResourceGroupUpdate(
        tags_of(body), body.get("managedBy"), sets_managed_by="managedBy" in body
    )
