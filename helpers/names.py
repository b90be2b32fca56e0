"""Unique, valid names for one tutorial run, checked with the service's rules before any call.

Azure checks names only when a request arrives; checking here turns a failed deployment
into an error that says which rule a name broke.
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass

from .machinery.errors import TutorialError

RUN_ID_ALPHABET = string.ascii_lowercase + string.digits


class InvalidNameError(TutorialError, ValueError):
    """A name breaks a naming rule of the service; ``.rule`` says which."""

    def __init__(self, kind: str, name: str, rule: str) -> None:
        super().__init__(f"Invalid {kind} {name!r}: {rule}", f"Choose a {kind} that fits: {rule}")
        self.kind = kind
        self.name = name
        self.rule = rule


def _check(kind: str, name: str, pattern: str, rule: str, min_len: int, max_len: int) -> str:
    if not isinstance(name, str) or not min_len <= len(name) <= max_len:
        raise InvalidNameError(kind, str(name), rule)
    if not re.fullmatch(pattern, name):
        raise InvalidNameError(kind, name, rule)
    return name


def validate_container_group_name(name: str) -> str:
    """Return ``name`` if it is a valid container group name, else raise InvalidNameError."""
    rule = "1-63 lowercase letters, digits and hyphens; no hyphen at the start or end, and no '--'"
    _check("container group name", name, r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", rule, 1, 63)
    if "--" in name:
        raise InvalidNameError("container group name", name, rule)
    return name


def validate_container_name(name: str) -> str:
    """Return ``name`` if it is a valid container name, else raise InvalidNameError."""
    rule = "1-63 characters matching the regex '[a-z0-9]([-a-z0-9]*[a-z0-9])?' (e.g. 'my-name')"
    return _check("container name", name, r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", rule, 1, 63)


def validate_dns_label(label: str) -> str:
    """Return ``label`` if it is a valid DNS name label, else raise InvalidNameError."""
    rule = (
        "5-63 lowercase letters, digits and hyphens; the first character a letter, "
        "the last a letter or digit"
    )
    return _check("DNS name label", label, r"[a-z][-a-z0-9]*[a-z0-9]", rule, 5, 63)


def validate_resource_group_name(name: str) -> str:
    """Return ``name`` if it is a valid resource group name, else raise InvalidNameError."""
    rule = "1-90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'"
    _check("resource group name", name, r"[\w\-.()]+", rule, 1, 90)
    if name.endswith("."):
        raise InvalidNameError("resource group name", name, rule)
    return name


def new_run_id(length: int = 6) -> str:
    """A short random id (lowercase letters and digits) that makes this run's names unique."""
    return "".join(secrets.choice(RUN_ID_ALPHABET) for _ in range(length))


def default_resource_group(run_id: str) -> str:
    """The resource group name used when ACI_TUTORIAL_RESOURCE_GROUP is not set."""
    return validate_resource_group_name(f"aci-tutorial-rg-{run_id}")


@dataclass(frozen=True)
class TutorialNames:
    """The names one run uses, validated when created."""

    container_group: str
    container: str
    dns_label: str

    def __post_init__(self) -> None:
        validate_container_group_name(self.container_group)
        validate_container_name(self.container)
        validate_dns_label(self.dns_label)

    @classmethod
    def for_run(cls, run_id: str, prefix: str = "aci-hello") -> TutorialNames:
        """Names with the run id as suffix; the DNS label must be unique within the region."""
        return cls(
            container_group=f"{prefix}-{run_id}",
            container="hello",
            dns_label=f"{prefix}-{run_id}",
        )

    def __str__(self) -> str:
        return "\n".join(
            [
                f"container group  {self.container_group}",
                f"container        {self.container}",
                f"DNS name label   {self.dns_label}",
            ]
        )
